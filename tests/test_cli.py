"""End-to-end tests of `python -m keras_gans`.

Runs that get killed, must print nothing after their error, or stand for
the `python -m keras_gans` entry point start a real process; everything else
calls `cli.main` in this process (a TensorFlow start-up saved per test).
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import numpy as np
import pytest
from helpers import stop
from PIL import Image


def run_cli(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-m", "keras_gans", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


def run_main(capsys, *args) -> tuple[int, str, str]:
    """`python -m keras_gans ARGS` in this process: (exit status, stdout, stderr)."""
    from keras_gans import cli

    try:
        status = cli.main(list(args))
    except SystemExit as usage_error:  # argparse exits on a bad argument
        status = usage_error.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One short conditional run, exported: shared by the tests below."""
    out = tmp_path_factory.mktemp("cli") / "cgan"
    result = run_cli(
        "train",
        "cgan",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "5",
        "--limit",
        "640",
        "--out",
        str(out),
        "--verbose",
        "2",
    )
    return out, result


def test_train_writes_everything_it_announces(trained_run):
    out, result = trained_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert "60,000" not in result.stdout  # --limit reached the data
    assert "640 images" in result.stdout
    for name in (
        "samples_10x10.png",
        "loss_curves.csv",
        "loss_curves.png",
        "images/epoch_001.png",
        "checkpoints",
        "generator/saved_model.pb",
        "generator/generator.json",
        "config.json",
    ):
        assert (out / name).exists(), name
        assert name.split("/")[0] in result.stdout


def test_sample_draws_a_grid_from_the_export(trained_run, tmp_path, capsys):
    out, _ = trained_run
    grid = tmp_path / "grid.png"
    status, stdout, err = run_main(
        capsys, "sample", str(out / "generator"), "--n", "16", "--out", str(grid), "--label", "7"
    )
    assert status == 0, err[-3000:]
    assert str(grid) in stdout
    pixels = np.asarray(Image.open(grid))
    assert pixels.ndim in (2, 3) and pixels.shape[0] >= 4 * 28 and pixels.shape[1] >= 4 * 28


def test_train_ebm_writes_its_files_and_the_ood_table(tmp_path, capsys, monkeypatch):
    from keras_gans import ebm

    # In this process TensorFlow may not have started yet: record the call
    # that sizes its thread pools instead of shrinking them for later tests.
    thread_calls = []
    monkeypatch.setattr(ebm, "set_threads_for_chain_groups", lambda: thread_calls.append(True))
    out = tmp_path / "ebm"
    args = ["train", "ebm", "--epochs", "1", "--steps-per-epoch", "2", "--limit", "256", "--verbose", "0"]
    # The grids check files, not pixels: 8 Langevin steps instead of 512.
    status, stdout, err = run_main(capsys, *args, "--sample-steps", "8", "--out", str(out))
    assert status == 0, err[-3000:]
    assert thread_calls == [True]
    assert json.loads((out / "config.json").read_text())["sample_steps"] == 8
    for name in ("samples_10x10.png", "loss_curves.csv", "images/epoch_001.png", "ebm.keras", "checkpoints"):
        assert (out / name).exists(), name
    assert "AUROC vs real" in stdout
    assert "uniform noise" in stdout and "invert" in stdout


def test_params_prints_the_growing_layer(capsys):
    status, out, err = run_main(capsys, "params", "vanilla", "--latent-dim", "96", "192")
    assert status == 0, err
    assert "dense_1" in out
    assert "98,304" in out  # (192 - 96) * 1024 more weights in the first layer
    # The course MLP, a preset away from the vanilla recipe's DCGAN: its
    # discriminator 784 -> 256 -> 256 -> 1 has 267,009 weights.
    status, out, err = run_main(capsys, "params", "vanilla", "--preset", "vanilla")
    assert status == 0, err
    assert "267,009" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["train", "stylegan"], "invalid choice: 'stylegan'"),
        (["train", "--epochs", "0"], "epochs must be > 0, received epochs=0"),
        (["train", "--preset", "stylegan"], "Unknown preset 'stylegan'; known presets: vanilla"),
        (["params", "dcgan", "--preset", "stylegan"], "Unknown preset 'stylegan'; known presets: vanilla"),
        (["train", "--precision", "float8"], "invalid choice: 'float8'"),
        (["train", "--dataset", "/no/such/folder"], "/no/such/folder"),
        (["sample", "/no/such/export"], "/no/such/export"),
        (["sample", "/no/such/export", "--n", "100000000"], "must be <= 10,000 for one grid, received 100,000,000"),
        (["evaluate", "/no/such/export"], "no exported generator (saved_model.pb) in /no/such/export"),
    ],
)
def test_bad_input_exits_2_with_the_error_on_the_last_line(capsys, args, message):
    status, _, err = run_main(capsys, *args)
    assert status == 2
    assert message in err.strip().splitlines()[-1], err  # the error's one line comes last (after argparse's usage)


def test_bad_output_paths_fail_before_any_work(capsys, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    status, _, err = run_main(capsys, "train", "vanilla", "--out", str(notes))
    assert status == 2
    assert f"out='{notes}' is an existing file, not a folder" in err
    assert notes.read_text() == "mine"

    run = tmp_path / "run"
    status, _, err = run_main(capsys, "train", "vanilla", "--out", str(run), "--tensorboard", str(notes / "tb"))
    assert status == 2
    assert f"cannot create the tensorboard folder {notes / 'tb'}" in err
    assert not run.exists()  # checked before the run folder was made


def test_evaluate_checks_the_export_before_any_slow_work(capsys, tmp_path):
    status, _, err = run_main(capsys, "evaluate", str(tmp_path))
    assert status == 2
    assert f"no exported generator (saved_model.pb) in {tmp_path}" in err


def test_data_describes_a_folder_without_a_test_split(capsys, tmp_path):
    for digit in ("0", "1"):
        (tmp_path / digit).mkdir()
        for index in range(3):
            Image.fromarray(np.full((28, 28), 40 * index, np.uint8)).save(tmp_path / digit / f"{index}.png")
    status, out, err = run_main(capsys, "data", "--dataset", str(tmp_path))
    assert status == 0, err[-3000:]
    assert "6 images" in out
    assert "no test split:" in out


def test_a_flat_folder_of_images_trains_unconditional_models_only(tmp_path, capsys):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    rng = np.random.default_rng(0)
    for index in range(64):
        Image.fromarray(rng.integers(0, 256, (32, 32), dtype=np.uint8)).save(pictures / f"{index:03d}.png")
    result = run_cli(
        "train",
        "vanilla",
        "--preset",
        "vanilla",
        "--dataset",
        str(pictures),
        "--batch-size",
        "32",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "run"),
        "--verbose",
        "0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "64 images of 28x28x1, unlabeled" in result.stdout
    assert (tmp_path / "run" / "generator" / "saved_model.pb").is_file()

    status, _, err = run_main(capsys, "train", "cgan", "--dataset", str(pictures), "--out", str(tmp_path / "cgan"))
    assert status == 2
    assert "has no labels" in err and "one sub-folder per class" in err
    assert not (tmp_path / "cgan").exists()  # the data were checked before any folder was made


def test_the_error_is_the_last_thing_printed(tmp_path, capsys):
    # Resuming a vanilla run as dcgan is refused, and TensorFlow's exit-time
    # warnings (silenced by the CLI) must not follow the error: only the
    # second run needs a process of its own.
    run = str(tmp_path / "run")
    tiny = ["--limit", "256", "--batch-size", "64", "--steps-per-epoch", "2", "--no-export", "--verbose", "0"]
    status, _, err = run_main(capsys, "train", "vanilla", "--epochs", "1", "--out", run, *tiny)
    assert status == 0, err[-2000:]
    result = run_cli("train", "dcgan", "--epochs", "2", "--out", run, "--resume", *tiny)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: "), result.stderr[-2000:]
    assert "as a different model (model 'vanilla' -> 'dcgan'" in last_line


def test_a_tensorflow_failure_is_one_line(monkeypatch, capsys):
    import tensorflow as tf

    from keras_gans import cli

    def run_out_of_memory(args):
        raise tf.errors.ResourceExhaustedError(
            None, None, "OOM when allocating tensor with shape[100000000,28,28,1]\nHint: ..."
        )

    monkeypatch.setattr(cli, "_run_data", run_out_of_memory)
    assert cli.main(["data"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: ResourceExhaustedError: OOM when allocating tensor with shape[100000000,28,28,1]"
    )


# 8 short epochs (about 0.8 s each here, after some 13 s of start-up): the
# drills below stop the run after its first or second checkpoint, which
# leaves it seconds of epochs to be stopped in.
KILL_DRILL = [
    "train",
    "vanilla",
    "--preset",
    "vanilla",
    "--xla",
    "--limit",
    "1024",
    "--batch-size",
    "64",
    "--epochs",
    "8",
    "--steps-per-epoch",
    "16",
    "--seed",
    "7",
    "--verbose",
    "0",
]


@contextlib.contextmanager
def cli_process(*args) -> Iterator[subprocess.Popen]:
    """`python -m keras_gans ARGS` started in the background; killed and reaped on leaving if still running."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    process = subprocess.Popen(
        [sys.executable, "-m", "keras_gans", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        yield process
    finally:
        stop(process)


def wait_for(path, process, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def exported_images(export_dir):
    import tensorflow as tf

    serve = tf.saved_model.load(str(export_dir)).signatures["serving_default"]
    z = np.random.default_rng(0).standard_normal((16, 96)).astype("float32")
    return next(iter(serve(tf.constant(z)).values())).numpy()


def test_kill_9_then_resume_ends_like_an_uninterrupted_run(tmp_path):
    # The uninterrupted run trains beside the one that gets killed: their
    # TensorFlow start-ups overlap, and the kill waits on a file, not a clock.
    with (
        cli_process(*KILL_DRILL, "--out", str(tmp_path / "straight")) as straight,
        cli_process(*KILL_DRILL, "--out", str(tmp_path / "killed")) as process,
    ):
        wait_for(tmp_path / "killed" / "checkpoints" / "ckpt-2.index", process)
        process.kill()
        process.communicate()
        _, straight_errors = straight.communicate(timeout=600)
    assert straight.returncode == 0, straight_errors[-2000:]
    assert not (tmp_path / "killed" / "generator").exists()  # it died mid-run
    resumed = run_cli(*KILL_DRILL, "--out", str(tmp_path / "killed"), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    np.testing.assert_allclose(
        exported_images(tmp_path / "killed" / "generator"),
        exported_images(tmp_path / "straight" / "generator"),
        atol=1e-6,
    )


def test_ctrl_c_is_one_word_and_exit_130(tmp_path):
    # No weights are compared here: the run skips XLA's compile (the last --xla flag wins).
    with cli_process(*KILL_DRILL, "--no-xla", "--out", str(tmp_path / "run")) as process:
        wait_for(tmp_path / "run" / "checkpoints" / "ckpt-1.index", process)
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert errors.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in errors


@pytest.mark.parametrize("setting, expected", [(None, "True"), ("0", "False")])
def test_importing_keras_gans_first_turns_onednn_on_unless_told_not_to(setting, expected):
    # TensorFlow leaves its oneDNN kernels off on CPUs without AVX-512 VNNI;
    # keras_gans turns them on before TensorFlow loads, and an explicit 0 wins.
    env = {name: value for name, value in os.environ.items() if name != "TF_ENABLE_ONEDNN_OPTS"}
    if setting is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = setting
    program = "from keras_gans.hardware import onednn_enabled\nprint(onednn_enabled())\n"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, env=env, check=True
    )
    assert result.stdout.strip() == expected


def test_one_seed_trains_the_same_weights_in_two_processes(tmp_path):
    # The vanilla recipe's R1 penalty differentiates through the DCGAN
    # discriminator twice; with Grappler's constant folding on, two processes
    # drifted apart in the gradients' last bits from the first step.
    args = ["train", "vanilla", "--limit", "512", "--epochs", "2", "--steps-per-epoch", "3", "--verbose", "0"]
    with (
        cli_process(*args, "--out", str(tmp_path / "first")) as first,
        cli_process(*args, "--out", str(tmp_path / "second")) as second,
    ):
        _, first_errors = first.communicate(timeout=600)
        _, second_errors = second.communicate(timeout=600)
    assert first.returncode == 0, first_errors[-2000:]
    assert second.returncode == 0, second_errors[-2000:]
    losses = [(tmp_path / run / "loss_curves.csv").read_text() for run in ("first", "second")]
    assert losses[0] == losses[1]
    np.testing.assert_array_equal(
        exported_images(tmp_path / "first" / "generator"), exported_images(tmp_path / "second" / "generator")
    )
