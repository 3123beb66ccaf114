"""Stopping (and rolling back) EBM training whose energies blow up."""

from __future__ import annotations

import keras
import numpy as np


class TrainingDivergedError(RuntimeError):
    """Raised by `DivergenceGuard` when EBM training diverges."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stops EBM training as soon as its losses or energies blow up.

    EBM training can diverge suddenly: the energies of real and fake images
    run apart, or become NaN, and the model never recovers. After every
    batch this callback checks the metrics Keras reports (`loss`, `cd_loss`,
    `reg_loss`, `real_energy`, `fake_energy`, epoch running means). If one
    is non-finite, or |real_energy| or |fake_energy| exceeds
    `max_abs_energy`, it

    1. restores (if `restore_weights`) all model weights (energy network,
       replay buffer, seed state) and the optimizer variables from the last
       snapshot taken while the metrics were healthy (at the start of `fit`
       and then every `snapshot_every` batches, kept in memory), so training
       can resume from there (a divergence before the first snapshot with
       optimizer slots restores the weights only);
    2. sets `model.stop_training = True` and records the failure in
       `diverged_at` (a dict with epoch, batch, global step, metrics);
    3. raises `TrainingDivergedError` naming the step and the values, unless
       `raise_error=False` (then `fit` returns normally after the batch).

    Args:
        max_abs_energy: energy magnitude treated as divergence, > 0.
        restore_weights: restore the last healthy snapshot on divergence.
        snapshot_every: batches between snapshots, > 0. Snapshots copy the
            replay buffer too (25 MB by default), so not every batch.
        raise_error: raise `TrainingDivergedError` (else only stop).

    Example:

    ```python
    try:
        model.fit(dataset, epochs=5, callbacks=[DivergenceGuard()])
    except TrainingDivergedError as error:
        print(error)  # what diverged, and what to change
    ```
    """

    def __init__(
        self,
        max_abs_energy: float = 1000.0,
        restore_weights: bool = True,
        snapshot_every: int = 50,
        raise_error: bool = True,
    ):
        super().__init__()
        if max_abs_energy <= 0:
            raise ValueError(f"max_abs_energy must be > 0, received max_abs_energy={max_abs_energy}")
        if snapshot_every <= 0:
            raise ValueError(f"snapshot_every must be > 0, received snapshot_every={snapshot_every}")
        self.max_abs_energy = float(max_abs_energy)
        self.restore_weights = restore_weights
        self.snapshot_every = int(snapshot_every)
        self.raise_error = raise_error
        self.diverged_at = None
        self._epoch = 0
        self._global_step = 0
        self._snapshot = None
        self._snapshot_step = None

    def on_train_begin(self, logs=None):
        self.diverged_at = None
        self._global_step = 0
        if self.restore_weights:
            self._take_snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._global_step += 1
        values = {
            name: float(np.asarray(value))
            for name, value in (logs or {}).items()
            if name in ("loss", "cd_loss", "reg_loss", "real_energy", "fake_energy")
        }
        problems = [f"{name}={value:.6g}" for name, value in values.items() if not np.isfinite(value)]
        problems += [
            f"|{name}|={abs(value):.6g} > max_abs_energy={self.max_abs_energy:g}"
            for name, value in values.items()
            if name.endswith("_energy") and np.isfinite(value) and abs(value) > self.max_abs_energy
        ]
        if not problems:
            if self.restore_weights and self._global_step % self.snapshot_every == 0:
                self._take_snapshot()
            return

        message = (
            f"EBM training diverged at epoch {self._epoch + 1}, batch {batch} "
            f"(global step {self._global_step}): {', '.join(problems)}."
        )
        if self.restore_weights and self._snapshot is not None:
            weights, optimizer_variables = self._snapshot
            self.model.set_weights(weights)
            # The optimizer creates its slots on the first update, so a
            # snapshot from before it has fewer variables: keep the current ones.
            if len(optimizer_variables) == len(self.model.optimizer.variables):
                for variable, value in zip(self.model.optimizer.variables, optimizer_variables):
                    variable.assign(value)
            message += f" Restored the weights of global step {self._snapshot_step}."
        message += " Try a lower learning rate, a larger alpha, a smaller step_size or more gradient clipping."
        self.diverged_at = {
            "epoch": self._epoch,
            "batch": batch,
            "global_step": self._global_step,
            "metrics": values,
        }
        self.model.stop_training = True
        if self.raise_error:
            raise TrainingDivergedError(message)

    def _take_snapshot(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer_variables = [v.numpy() for v in optimizer.variables] if optimizer is not None else []
        self._snapshot = (self.model.get_weights(), optimizer_variables)
        self._snapshot_step = self._global_step
