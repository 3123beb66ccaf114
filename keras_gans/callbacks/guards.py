"""Stopping a run whose losses became NaN or infinite."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras


class NonFiniteLossError(FloatingPointError):
    """Raised by `StopOnNonFinite` when a logged metric becomes NaN or inf."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training with an error as soon as a metric is NaN or infinite.

    Unlike `keras.callbacks.TerminateOnNaN`, which ends `fit` quietly, this
    raises `NonFiniteLossError` (a `FloatingPointError`) naming the metric,
    the epoch and the batch, e.g. "d_loss became nan at epoch 3, batch 120;
    ...". Raising skips `on_train_end`, so callbacks such as
    `ExportGenerator` never write a broken generator, while the epochs that
    finished earlier are already on disk.

    Checked after every batch hook and at every epoch end. Put it first in
    the callback list so nothing else runs on a broken step. With
    `compile(steps_per_execution=N)` Keras reports once per N steps, so the
    error names that range of batches. The logs are running means over the
    epoch, so one non-finite step is enough to be caught.

    Args:
        monitor: names of the metrics to check; `None` checks every number
            in the logs.

    Example:

    ```python
    try:
        gan.fit(dataset, epochs=10, callbacks=[StopOnNonFinite()])
    except NonFiniteLossError as error:
        print(error)  # which metric became NaN or inf, when, and what to try
    ```
    """

    def __init__(self, monitor: Sequence[str] | None = None):
        super().__init__()
        self.monitor = None if monitor is None else tuple(monitor)
        self._epoch = 0
        self._first_batch = 0

    def on_train_begin(self, logs=None):
        self._epoch = 0
        self._first_batch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._first_batch = 0

    def on_train_batch_begin(self, batch, logs=None):
        self._first_batch = batch

    def on_train_batch_end(self, batch, logs=None):
        if self._first_batch == batch:
            batches = f"batch {batch + 1}"
        else:
            batches = f"batches {self._first_batch + 1}-{batch + 1}"
        self._check(logs, f"at epoch {self._epoch + 1}, {batches}")

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, f"at the end of epoch {epoch + 1}")

    def _check(self, logs, where: str) -> None:
        for name, value in (logs or {}).items():
            if self.monitor is not None and name not in self.monitor:
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(value):
                self.model.stop_training = True
                raise NonFiniteLossError(
                    f"{name} became {value} {where}; "
                    "training diverged. Lower the learning rate (or, for WGANs, "
                    "check the gradient penalty / clipping), then train again or "
                    "resume from the last checkpoint."
                )
