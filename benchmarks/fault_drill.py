"""Kill a training run at random moments, resume it, compare with a clean run.

Trains a short run of the vanilla objective on the CS231n MLP (Adam(2e-4),
batch 64, no EMA, no R1, XLA: the vanilla recipe's settings until
2026-12-01; the recipe's label smoothing of 0.1 now applies too) once
without interruption, then the same run
again while killing it with SIGKILL at `--kills` random moments of its
training (counted from when the run writes its `config.json`, after start-up
and data loading, so no kill is spent on importing TensorFlow); after each
kill it is resumed with `--resume` (or started over with `--overwrite` when
it died before its first checkpoint). When the drilled run finishes, both
exported generators map the same 64 fixed z to images; any difference is a
broken promise of exact resume. Prints one row per kill and exits 1 on any
difference.

    python benchmarks/fault_drill.py [--kills 5] [--seed 0] [--out /tmp/fault_drill]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import numpy as np
import tensorflow as tf
from machine import describe_machine  # benchmarks/machine.py

EPOCHS = 6
TRAIN = [
    "train",
    "vanilla",
    "--preset",
    "vanilla",
    "--xla",
    "--lr",
    "2e-4",
    "--ema",
    "0",
    "--r1",
    "0",
    "--limit",
    "2048",
    "--batch-size",
    "64",
    "--epochs",
    str(EPOCHS),
    "--steps-per-epoch",
    "16",
    "--seed",
    "7",
    "--verbose",
    "0",
]


def start(run_dir: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "keras_gans", *TRAIN, "--out", str(run_dir), *extra]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> None:
    _, errors = process.communicate(timeout=900)
    if process.returncode != 0:
        raise SystemExit(f"training failed ({process.returncode}):\n{errors[-2000:]}")


def wait_until_training(run_dir: Path, process: subprocess.Popen, previous_mtime: float) -> None:
    """Returns once the run has (re)written its config.json: its training starts."""
    config = run_dir / "config.json"
    while process.poll() is None:
        if config.exists() and config.stat().st_mtime != previous_mtime:
            return
        time.sleep(0.02)


def config_mtime(run_dir: Path) -> float:
    config = run_dir / "config.json"
    return config.stat().st_mtime if config.exists() else 0.0


def latest_checkpoint(run_dir: Path) -> str:
    latest = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    return Path(latest).name if latest else "none"


def epochs_done(run_dir: Path) -> int:
    checkpoint = latest_checkpoint(run_dir)
    return 0 if checkpoint == "none" else int(checkpoint.removeprefix("ckpt-"))


def images_of(export: Path) -> np.ndarray:
    serve = tf.saved_model.load(str(export)).signatures["serving_default"]
    z = np.random.default_rng(0).standard_normal((64, 96)).astype("float32")
    return next(iter(serve(tf.constant(z)).values())).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    parser.add_argument("--out", default="/tmp/fault_drill")
    args = parser.parse_args()
    print(describe_machine(), flush=True)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)

    process = start(out / "straight")
    wait_until_training(out / "straight", process, 0.0)
    began = time.perf_counter()
    finish(process)
    duration = time.perf_counter() - began
    print(f"uninterrupted run: {duration:.1f} s of training (after start-up)\n")

    rng = np.random.default_rng(args.seed)
    drilled = out / "drilled"
    print("| kill | after training began | resumed from |")
    print("| --- | --- | --- |")
    resume: tuple[str, ...] = ()
    for kill in range(1, args.kills + 1):
        # A resumed run has fewer epochs left: kill within what remains.
        remaining = duration * (1 - epochs_done(drilled) / EPOCHS)
        moment = rng.uniform(0.05, 0.95) * remaining
        previous_mtime = config_mtime(drilled)
        process = start(drilled, *resume)
        wait_until_training(drilled, process, previous_mtime)
        time.sleep(moment)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate()
        checkpoint = latest_checkpoint(drilled)
        resume = ("--resume",) if checkpoint != "none" else ("--overwrite",)
        print(f"| {kill} | {moment:.1f} s | {checkpoint} |", flush=True)
    finish(start(drilled, *resume))

    difference = float(np.abs(images_of(out / "straight" / "generator") - images_of(drilled / "generator")).max())
    print(f"\nmax abs difference of the two exports on 64 fixed z: {difference}")
    sys.exit(0 if difference == 0.0 else 1)


if __name__ == "__main__":
    main()
