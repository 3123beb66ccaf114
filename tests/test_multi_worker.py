"""`--strategy multi-worker` across two real worker processes on 127.0.0.1.

Two processes of `multi_worker_job.py` form a `MultiWorkerMirroredStrategy`
cluster through `TF_CONFIG` and train a tiny run together; a third process
trains the same run on two logical CPUs of one process (`mirrored`), which
has the same two replicas and global batches. The cluster must train exactly
like it, shard the data between the workers, and leave files only in the
chief's run folder.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import stop

JOB = Path(__file__).with_name("multi_worker_job.py")
REPOSITORY = JOB.parent.parent
TIMEOUT_SECONDS = 300
# The two workers share the machine's 2 cores. With TensorFlow's default
# thread pools (a thread per core for each process) they oversubscribe
# them: the energy-based model's two-worker run took 70 s alone and 148 to
# 230 s after the other tests of this file (2026-12-02, AMD EPYC, 2 cores),
# close to the time-out. One thread per pool and process: 68 s in the file.
# The one-process reference runs with the same pools, so that its kernels
# split their sums the same way: Adam's first steps, about lr · sign(g),
# turn a rounding difference in a near-zero gradient into one of lr.
ONE_THREAD_PER_POOL = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def free_ports(n: int) -> list[int]:
    """Ports the OS reports free on 127.0.0.1 right now."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def job_environment(tf_config: dict | None = None) -> dict[str, str]:
    """The environment of a job process: this repository importable, one thread per pool, `tf_config` or none."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    env.pop("TF_CONFIG", None)
    env.update(ONE_THREAD_PER_POOL)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return env


def start_job(strategy: str, run_dir: Path, report: Path, tf_config: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(JOB), strategy, str(run_dir), str(report)],
        env=job_environment(tf_config),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(processes: list[subprocess.Popen]) -> list[str]:
    """Waits for every process (bounded); kills them all on any failure."""
    outputs = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=TIMEOUT_SECONDS)
            outputs.append(output)
    finally:
        for process in processes:
            stop(process)
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output[-3000:]
    return outputs


def load(report: Path) -> dict:
    with np.load(report) as archive:
        return {
            "weights": [archive[f"arr_{i}"] for i in range(len(archive.files) - 3)],
            "sums": archive["real_image_sums"],
            "history": json.loads(str(archive["history"])),
            "run_dir": str(archive["run_dir"]),
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("multi_worker")
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    # Both workers get the same --out, as on a shared disk. The single
    # process runs beside them: every job has one thread per pool, so its
    # results do not depend on what else shares the cores.
    jobs = [
        start_job(
            "multi-worker",
            root / "run",
            root / f"worker_{index}.npz",
            {"cluster": cluster, "task": {"type": "worker", "index": index}},
        )
        for index in range(2)
    ]
    jobs.append(start_job("mirrored", root / "single_process_run", root / "single_process.npz"))
    finish(jobs)
    return {
        "root": root,
        "workers": [load(root / f"worker_{index}.npz") for index in range(2)],
        "single_process": load(root / "single_process.npz"),
    }


def test_workers_end_with_identical_weights(runs):
    chief, other = runs["workers"]
    for chief_weight, other_weight in zip(chief["weights"], other["weights"], strict=True):
        np.testing.assert_array_equal(chief_weight, other_weight)


def test_cluster_trains_like_one_process_over_the_same_global_batches(runs):
    chief, reference = runs["workers"][0], runs["single_process"]
    for worker_weight, reference_weight in zip(chief["weights"], reference["weights"], strict=True):
        np.testing.assert_allclose(worker_weight, reference_weight, atol=1e-5)
    assert chief["history"].keys() == reference["history"].keys()
    for name, values in reference["history"].items():
        np.testing.assert_allclose(chief["history"][name], values, rtol=1e-4, atol=1e-6)


def test_each_worker_trains_on_its_own_half_of_every_global_batch(runs):
    # One row per step: (replica id, sum of its real images).
    first, second = (worker["sums"] for worker in runs["workers"])
    assert len(first) == len(second) == 6
    assert set(first[:, 0]) == {0} and set(second[:, 0]) == {1}
    assert np.all(first[:, 1] != second[:, 1])
    # The same split as two replicas of one process: first half, second half.
    reference = runs["single_process"]["sums"]
    for replica, worker_sums in enumerate((first, second)):
        np.testing.assert_array_equal(worker_sums[:, 1], reference[reference[:, 0] == replica, 1])


def test_only_the_chief_writes_the_run_folder(runs):
    root = runs["root"]
    chief, other = runs["workers"]
    assert chief["run_dir"] == str(root / "run")
    assert other["run_dir"] == "None"
    written = sorted(path.name for path in (root / "run").iterdir())
    assert written == sorted(path.name for path in (root / "single_process_run").iterdir())
    assert {"config.json", "checkpoints", "generator", "loss_curves.csv"} <= set(written)
    # No numbered sibling: the second worker did not take a folder of its own.
    assert sorted(path.name for path in root.iterdir() if path.is_dir()) == ["run", "single_process_run"]


@pytest.mark.parametrize("model", ["wgan-gp", "ebm"])
def test_cli_trains_across_two_workers(tmp_path, model):
    """The command line, for a recipe with n_critic > 1 (wgan-gp: 2) and for the energy-based model.

    wgan-gp trains the exercise's MLP here, which two workers sharing two
    cores build and step through faster than the recipe's DCGAN.
    """
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    command = [
        sys.executable,
        "-m",
        "keras_gans",
        "train",
        model,
        *(["--preset", "wgan-gp"] if model == "wgan-gp" else []),
        # The EBM's grids check files, not pixels: 8 Langevin steps, not 512.
        *(["--sample-steps", "8"] if model == "ebm" else []),
        "--strategy",
        "multi-worker",
        "--limit",
        "512",
        "--steps-per-epoch",
        "2",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "run"),
    ]
    workers = [
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=job_environment({"cluster": cluster, "task": {"type": "worker", "index": index}}),
        )
        for index in range(2)
    ]
    chief_output, other_output = finish(workers)
    assert f"Wrote into {tmp_path / 'run'}/" in chief_output
    assert "as a worker; the chief wrote the run folder" in other_output
    assert [path.name for path in tmp_path.iterdir()] == ["run"]
