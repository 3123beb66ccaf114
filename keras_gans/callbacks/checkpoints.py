"""Checkpoints of a whole training state, and resuming from them.

A checkpoint holds everything that decides what the next step computes:
the networks (for a GAN both, and the EMA generator; for the energy-based
model also its replay buffer), the optimizers with their slot variables and
step counters, the model's noise `SeedGenerator` and the epoch number.
Restoring it and feeding the same data gives the same weights as an
uninterrupted run.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import keras
import tensorflow as tf


def _training_state(model: keras.Model, epoch: tf.Variable) -> tf.train.Checkpoint:
    """The model, its optimizers (a GAN has two), its noise state and the epoch."""
    optimizers = {
        name: getattr(model, name)
        for name in ("optimizer", "d_optimizer", "g_optimizer")
        if getattr(model, name, None) is not None
    }
    # The seed generator is not tracked by the model's checkpoint
    # dependencies, so it is saved explicitly: same noise after resuming.
    noise = {"noise_state": model.seed_generator.state} if hasattr(model, "seed_generator") else {}
    return tf.train.Checkpoint(model=model, epoch=epoch, **optimizers, **noise)


class Checkpoint(keras.callbacks.Callback):
    """Saves the full training state after every epoch.

    Keeps the `max_to_keep` most recent checkpoints in `directory`. Use
    `restore_latest` to resume.

    Args:
        directory: folder of the checkpoints, created if needed.
        max_to_keep: how many recent checkpoints to keep.

    Example:

    ```python
    ckpt = Checkpoint("runs/dcgan/checkpoints")
    gan.fit(dataset, epochs=10, callbacks=[ckpt])
    # After a crash: rebuild and compile the same GAN, then
    done = restore_latest(gan, "runs/dcgan/checkpoints")
    gan.fit(dataset, epochs=10, initial_epoch=done, callbacks=[ckpt])
    ```
    """

    def __init__(self, directory: str | Path, max_to_keep: int = 2):
        super().__init__()
        if max_to_keep < 1:
            raise ValueError(f"max_to_keep must be >= 1, received max_to_keep={max_to_keep}")
        self.directory = Path(directory)
        self.max_to_keep = max_to_keep

    def on_train_begin(self, logs=None):
        self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._manager = tf.train.CheckpointManager(
            _training_state(self.model, self._epoch), self.directory, self.max_to_keep
        )

    def on_epoch_end(self, epoch, logs=None):
        # Keras counts epochs from 0; the checkpoint stores how many are done.
        self._epoch.assign(epoch + 1)
        try:
            self._manager.save(checkpoint_number=epoch + 1)
        except (tf.errors.ResourceExhaustedError, tf.errors.UnknownError, OSError) as error:
            # A full disk (or a vanished folder) fails in the middle of the
            # write and leaves a `ckpt-N_temp` folder. The checkpoints
            # written before are complete and stay; the half-written one goes.
            for leftover in self.directory.glob(f"ckpt-{epoch + 1}_temp*"):
                shutil.rmtree(leftover, ignore_errors=True)
            reason = getattr(error, "message", None) or str(error)
            raise OSError(
                f"cannot write checkpoint {epoch + 1} to {self.directory} ({reason.splitlines()[0]}); "
                "the checkpoints before it are intact"
            ) from error


def restore_latest(model: keras.Model, directory: str | Path) -> int:
    """Restores the newest readable checkpoint in `directory` into a compiled model.

    A checkpoint whose files cannot be read (truncated by a crash, a full
    disk or an interrupted copy) is skipped with a warning that names it, and
    the next older one is restored: a run loses at most the epochs after it.

    Returns:
        The number of epochs the restored checkpoint had completed: pass it
        to `fit(initial_epoch=...)`.

    Raises:
        FileNotFoundError: when `directory` holds no checkpoint.
        ValueError: when no checkpoint in `directory` can be read, or the
            newest readable one was saved from other networks.
    """
    state = tf.train.get_checkpoint_state(str(directory))
    if state is None or not state.all_model_checkpoint_paths:
        raise FileNotFoundError(f"no checkpoint to resume from in {directory}")
    unreadable = []
    for path in reversed(state.all_model_checkpoint_paths):
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        try:
            _training_state(model, epoch).restore(path).assert_existing_objects_matched()
        except (tf.errors.DataLossError, tf.errors.OutOfRangeError, IndexError) as error:
            # Reading a truncated file fails in one of these ways.
            unreadable.append(f"{Path(path).name} ({type(error).__name__})")
            warnings.warn(f"checkpoint {path} is unreadable ({error}); trying the one before it", stacklevel=2)
            continue
        except (AssertionError, ValueError) as error:
            # Readable, but saved from other networks (the older checkpoints
            # of the run would not fit either).
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ValueError(
                f"checkpoint {path} does not fit the model being resumed ({reason}); "
                "resume with the options the run was started with"
            ) from error
        return int(epoch.numpy())
    raise ValueError(f"no readable checkpoint in {directory}: {', '.join(unreadable)}")
