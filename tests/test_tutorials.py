"""The numbered tutorials run end to end (`--quick`) and write what they promise."""

import ast
import runpy
import sys
from pathlib import Path

import pytest

from keras_gans import ebm

TUTORIALS_DIR = Path(__file__).resolve().parents[1] / "tutorials"

# A few files each tutorial must write into --out (and list at the end).
EXPECTED_FILES = {
    "01_data.py": [
        "mnist_digits.png",
        "mnist_label_histogram.png",
        "pixel_histogram.png",
        "shapes/circle/000.png",
        "shapes_grid.png",
    ],
    "02_vanilla_gan.py": [
        "generator_loss_gradients.png",
        "loss_curves.png",
        "samples_10x10.png",
        "progress/epoch_001.png",
    ],
    "03_lsgan.py": ["vanilla_samples.png", "lsgan_samples.png", "lsgan_class_histogram.png", "vanilla_vs_lsgan.png"],
    "04_dcgan.py": ["mnist/samples_10x10.png", "mnist/progress/progress.gif", "mnist_real_vs_fake.png"],
    "05_wgan.py": [
        "wgan/samples_10x10.png",
        "wgan_gp/samples_10x10.png",
        "wgan_gp/loss_curves.csv",
        "wgan_vs_wgangp_curves.png",
    ],
    "06_conditional_gan.py": [
        "samples_10x10.png",
        "class_interpolation.png",
        "style_grid.png",
        "latent_arithmetic.png",
    ],
    "07_batchnorm_gan.py": [
        "samples_10x10.png",
        "loss_curves.csv",
        "class_histogram_generated.png",
        "class_histogram_real.png",
    ],
    "08_energy_based_model.py": ["mcmc_steps.png", "samples.png", "ood_table.txt"],
    "09_evaluating_gans.py": [
        "metrics_table.txt",
        "class_histogram_collapsed.png",
        "nearest_neighbours.png",
        "latent_interpolation.png",
    ],
    "10_shipping.py": [
        "generator/saved_model.pb",
        "generator/generator.json",
        "served_by_tensorflow.png",
        "served_sevens.png",
    ],
}


def test_every_tutorial_is_covered():
    scripts = sorted(path.name for path in TUTORIALS_DIR.glob("[0-9][0-9]_*.py"))
    assert scripts == sorted(EXPECTED_FILES)


@pytest.mark.parametrize("script", sorted(EXPECTED_FILES))
def test_tutorial_header(script):
    docstring = ast.get_docstring(ast.parse((TUTORIALS_DIR / script).read_text()))
    assert docstring is not None, f"{script} has no module docstring"
    assert docstring.startswith("Title: ")
    assert "Author: keras_gans" in docstring
    assert "What you will learn" in docstring
    assert f"python tutorials/{script} [--quick]" in docstring


@pytest.mark.parametrize("script", sorted(EXPECTED_FILES))
def test_tutorial_runs_quick(script, tmp_path, monkeypatch, capsys):
    """Runs the script as `python tutorials/SCRIPT --quick --out OUT` would.

    In this process rather than a new one, which would spend 7 of its 10 to
    20 seconds importing TensorFlow again: `runpy` executes the file as
    `__main__` with the tutorials folder first on `sys.path` (so `import
    _common` works as it does for a user) and the command line in `sys.argv`.
    """
    out = tmp_path / "out"
    # Run from tmp_path: nothing may be written into the working directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(TUTORIALS_DIR))
    # Each run imports its own _common, whose clock starts at its import.
    monkeypatch.delitem(sys.modules, "_common", raising=False)
    # Tutorial 08 sizes TensorFlow's thread pools for its Langevin loops; in
    # this process that must not happen for the tests that follow.
    monkeypatch.setattr(ebm, "set_threads_for_chain_groups", lambda *args: False)
    monkeypatch.setattr(sys, "argv", [str(TUTORIALS_DIR / script), "--quick", "--out", str(out)])
    runpy.run_path(str(TUTORIALS_DIR / script), run_name="__main__")
    listing = capsys.readouterr().out.split("Files in", 1)[-1]
    for name in EXPECTED_FILES[script]:
        assert (out / name).is_file(), f"{script} did not write {name}"
        assert f"  {name}\n" in listing, f"{script} does not list {name}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
