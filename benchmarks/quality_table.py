"""The README's quality table: every recipe against the CS231n DCGAN baseline.

Trains, one after the other and alone on the machine (in this order):

1. each recipe with its default flags, `python -m keras_gans train RECIPE`,
   timed as a whole process (start-up, data, training and export);
2. the baseline (`cs231n_dcgan.py`, a plain loop), saved after 1 and 2 epochs
   and after as many CPU seconds of training as each recipe took in all.

Then scores every generator with the same metrics classifier on the same
number of samples against the MNIST test digits, as
`python -m keras_gans evaluate RUN/generator --n N` does, and prints one
Markdown table with the real-data reference row. Each recipe's row is
followed by the baseline's at the same time, and says on which columns
(Fréchet distance, mean confidence, coverage, smallest class) the recipe is
not ahead of it.

    python benchmarks/quality_table.py [--recipes dcgan wgan-gp cgan] [--n 10000]

Equal time means equal CPU time (user and system seconds on all cores), the
measure of "quality per CPU-minute": on a shared host a process can get far
fewer CPU seconds per wall second for minutes, and wall time would then
hand whoever trains during that spell less work. The table shows wall time
too. The baseline's time counts its training steps only; a
recipe's counts its whole process. That favours the baseline, which is what
a fair claim needs.
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import keras  # noqa: E402
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import config, data, metrics  # noqa: E402

BENCHMARKS = Path(__file__).parent
DEFAULT_RECIPES = [name for name in config.RECIPES if name != "ebm"]


def children_cpu_seconds() -> float:
    """User and system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train_recipe(recipe: str, work: Path) -> tuple[Path, float, float]:
    """Runs `train RECIPE` in its own process; returns (export, CPU seconds, wall seconds)."""
    run_dir = work / recipe
    command = [
        sys.executable,
        "-m",
        "keras_gans",
        "train",
        recipe,
        "--out",
        str(run_dir),
        "--overwrite",
        "--verbose",
        "2",
    ]
    print("$", " ".join(command[1:]), flush=True)
    start, start_cpu = time.perf_counter(), children_cpu_seconds()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return run_dir / "generator", children_cpu_seconds() - start_cpu, time.perf_counter() - start


def train_baseline(work: Path, seconds: list[float]) -> dict[str, tuple[Path, float, float]]:
    """Runs the baseline once, saving it after 1 and 2 epochs and after each
    of `seconds` CPU seconds of training; returns {row name or rounded CPU
    seconds: (saved generator, CPU seconds trained, wall seconds trained)}."""
    command = [
        sys.executable,
        str(BENCHMARKS / "cs231n_dcgan.py"),
        "--save-at",
        "1",
        "2",
        "--seconds",
        *(f"{s:.0f}" for s in seconds),
        "--out",
        str(work / "baseline"),
    ]
    print("$", " ".join(command[1:]), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    saves = {}
    for path, trained, trained_wall in re.findall(r"saved (\S+) after ([\d.]+) CPU s, ([\d.]+) s wall", output):
        # cs231n_dcgan.py names its saves generator_epoch_N.keras and generator_Ss.keras.
        epochs = re.fullmatch(r"generator_epoch_(\d+)\.keras", Path(path).name)
        budget = re.fullmatch(r"generator_(\d+)s\.keras", Path(path).name)
        if not (epochs or budget):
            raise ValueError(f"unexpected baseline save {path}; expected generator_epoch_N.keras or generator_Ss.keras")
        key = f"CS231n DCGAN baseline, epoch {epochs.group(1)}" if epochs else budget.group(1)
        saves[key] = (Path(path), float(trained), float(trained_wall))
    return saves


# Each column, and whether more is better.
COLUMNS = {"frechet_distance": False, "mean_confidence": True, "coverage": True, "min_class_fraction": True}
COLUMN_NAMES = {
    "frechet_distance": "Fréchet distance",
    "mean_confidence": "confidence",
    "coverage": "coverage",
    "min_class_fraction": "smallest class",
}


def behind(scores: dict, baseline: dict) -> list[str]:
    """The columns in which `scores` do not beat `baseline`."""
    return [
        COLUMN_NAMES[key]
        for key, higher_is_better in COLUMNS.items()
        if (scores[key] <= baseline[key] if higher_is_better else scores[key] >= baseline[key])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=DEFAULT_RECIPES, choices=DEFAULT_RECIPES)
    parser.add_argument("--n", type=int, default=10000, help="samples scored per row")
    parser.add_argument("--work", default="benchmark_runs/quality", help="folder for the runs")
    args = parser.parse_args()
    work = Path(args.work)
    print(describe_machine(), flush=True)

    trained = {recipe: train_recipe(recipe, work) for recipe in args.recipes}
    baseline = train_baseline(work, [cpu_seconds for _, cpu_seconds, _ in trained.values()])

    classifier = metrics.load_classifier("mnist")
    test_images, _ = data.load_arrays("mnist", split="test", limit=args.n)

    def score_baseline(key: str) -> tuple[tuple[float, float], dict]:
        path, cpu_seconds, wall_seconds = baseline[key]
        scores = metrics.evaluate_generator(keras.models.load_model(path), test_images, classifier, n=args.n)
        return (cpu_seconds, wall_seconds), scores

    # rows: name -> ((CPU seconds, wall seconds) or None, scores, verdict against the baseline)
    rows = {name: (*score_baseline(name), "") for name in baseline if name.startswith("CS231n")}
    for recipe, (path, cpu_seconds, wall_seconds) in trained.items():
        scores = metrics.evaluate_exported_generator(path, classifier, test_images, n=args.n)
        equal_times, equal_scores = score_baseline(f"{cpu_seconds:.0f}")
        worse = behind(scores, equal_scores)
        verdict = "ahead on all four" if not worse else "behind on " + ", ".join(worse)
        rows[f"`train {recipe}`"] = ((cpu_seconds, wall_seconds), scores, verdict)
        # Named after the recipe: two recipes may take the same rounded time.
        rows[f"baseline after {equal_times[0]:.0f} CPU s (equal time with {recipe})"] = (equal_times, equal_scores, "")
    rows["real training digits (reference)"] = (None, metrics.reference_metrics(classifier, n=args.n), "")

    print(f"\n{args.n} samples per row, scored against the first {args.n} MNIST test digits.\n")
    print(
        "| run | CPU time | wall time | Fréchet distance | mean confidence | coverage | smallest class "
        "| label accuracy | against the baseline at equal CPU time |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (times, scores, verdict) in rows.items():
        duration = "- | -" if times is None else " | ".join(f"{seconds / 60:.1f} min" for seconds in times)
        accuracy = f"{scores['label_accuracy']:.3f}" if "label_accuracy" in scores else "-"
        print(
            f"| {name} | {duration} | {scores['frechet_distance']:.1f} | {scores['mean_confidence']:.3f} | "
            f"{scores['coverage']:.2f} | {100 * scores['min_class_fraction']:.1f} % | {accuracy} | {verdict} |"
        )


if __name__ == "__main__":
    main()
