"""Distribution strategies: choosing one, and what each worker may write.

`make_strategy` turns the `--strategy` option into a `tf.distribute`
strategy. Under `MultiWorkerMirroredStrategy` every worker process runs the
same `fit`; `is_chief` tells the one that writes the run folder from the
others (TF's multi-worker guide: the others save to temporary folders), and
`step_logs` works around a Keras 3 defect that otherwise stops multi-worker
training at its first step.
"""

from __future__ import annotations

import warnings

import tensorflow as tf

from keras_gans.config import STRATEGIES


def make_strategy(name: str) -> tf.distribute.Strategy:
    """`default` (one device), `mirrored` or `multi-worker`.

    `mirrored` trains one replica per local GPU, or per logical CPU when
    there is no GPU (one, unless `tf.config.set_logical_device_configuration`
    split the CPU).
    `multi-worker` reads the cluster from the `TF_CONFIG` environment
    variable, as `tf.distribute.MultiWorkerMirroredStrategy` documents; it
    must be created before any other TensorFlow operation of the process.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")


def num_workers(strategy: tf.distribute.Strategy) -> int:
    """How many worker processes train together (1 unless multi-worker)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return 1
    cluster = strategy.cluster_resolver.cluster_spec().as_dict()
    return sum(len(cluster.get(job, ())) for job in ("chief", "worker"))


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run's files.

    The chief is the `"chief"` task of `TF_CONFIG`, or worker 0 when the
    cluster has none; a single process is always its own chief.
    """
    return strategy.extended.should_checkpoint


def scale_for_replicas(loss: tf.Tensor) -> tf.Tensor:
    """Divides one replica's mean loss by the number of replicas in sync.

    The optimizers sum the replicas' gradients; with each replica's loss
    scaled so, the sum is the gradient of the mean over the global batch,
    and a run on N replicas takes the steps of a run on one device.
    """
    return loss / tf.distribute.get_strategy().num_replicas_in_sync


def step_logs(logs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """Makes a `train_step`'s scalar logs reducible across worker processes.

    Keras 3 averages what `train_step` returns over a multi-worker cluster
    with `strategy.reduce("MEAN", value, axis=0)`, which fails on scalars
    ("Invalid reduction dimension 0 for input with 0 dimensions",
    tensorflow/tensorflow#72388). Giving each value a leading axis of 1 makes
    that reduction the mean over replicas, a scalar again. Other strategies
    reduce without an axis and get the scalars unchanged.
    """
    strategy = tf.distribute.get_strategy()
    if num_workers(strategy) == 1:
        return logs
    return {name: tf.reshape(value, [1]) for name, value in logs.items()}


def supported_execution(
    strategy: tf.distribute.Strategy, steps_per_execution: int, jit_compile: bool
) -> tuple[int, bool]:
    """The `(steps_per_execution, jit_compile)` that `compile` can use under `strategy`.

    With more than one replica (mirrored or multi-worker), Keras 3.15 cannot
    run several steps per call: the end-of-data check of its loop fails
    ("You must feed a value for placeholder tensor"). And XLA has no
    collective operations on CPUs ("Collectives are not yet implemented for
    CPU devices when compiling with XLA"). So replicated runs take one step
    per call, with XLA only on GPUs; dropping XLA is warned about, because
    the user (or the recipe) asked for it.
    """
    replicas = strategy.num_replicas_in_sync
    if replicas == 1:
        return steps_per_execution, jit_compile
    if jit_compile and not tf.config.list_logical_devices("GPU"):
        warnings.warn(
            f"XLA (jit_compile=True) is turned off: with {replicas} replicas on CPUs the train step "
            "needs collective operations, which XLA does not implement on CPUs",
            stacklevel=2,
        )
        jit_compile = False
    return 1, jit_compile
