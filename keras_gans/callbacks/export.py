"""The `ExportGenerator` callback: ship the generator when training ends.

The export itself (SavedModel signatures, `generator.json`, reloading and
sampling) is `keras_gans.export`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import keras

# The export functions lived here until they moved to keras_gans.export; they
# stay importable from keras_gans.callbacks.export for one release (the "as"
# form marks them as re-exported).
from keras_gans.export import export_generator, next_free_dir
from keras_gans.export import load_exported_generator as load_exported_generator
from keras_gans.export import read_export_metadata as read_export_metadata
from keras_gans.export import sample_exported_generator as sample_exported_generator


class ExportGenerator(keras.callbacks.Callback):
    """Exports the generator with `export_generator` when training ends.

    `generator.json` gets `epoch` (completed epochs) on top of `metadata`.
    An existing, non-empty `export_dir` is replaced with `overwrite=True`
    (only if it is a previous export); otherwise the export goes to the first
    free numbered sibling (`generator-2`, `generator-3`, ...), so nothing is
    ever silently overwritten. `export_path` holds the folder written.

    Not called when training stops with an exception, e.g. from
    `StopOnNonFinite`.

    Args:
        export_dir: folder of the SavedModel.
        metadata: extra entries of `generator.json` (dataset, ...).
        overwrite: replace a previous export in `export_dir`.

    Example:

    ```python
    export = ExportGenerator("runs/dcgan/generator", metadata={"dataset": "mnist"})
    gan.fit(dataset, epochs=10, callbacks=[export])
    images, metadata = sample_exported_generator(export.export_path, n=16, seed=0)
    ```
    """

    def __init__(self, export_dir: str | Path, metadata: Mapping | None = None, overwrite: bool = False):
        super().__init__()
        self.export_dir = Path(export_dir)
        self.metadata = dict(metadata or {})
        self.overwrite = overwrite
        self.export_path = None
        self._epochs_done = None

    def on_train_begin(self, logs=None):
        self.export_path = None
        self._epochs_done = None

    def on_epoch_end(self, epoch, logs=None):
        self._epochs_done = epoch + 1

    def on_train_end(self, logs=None):
        target = self.export_dir if self.overwrite else next_free_dir(self.export_dir)
        metadata = {**self.metadata, "epoch": self._epochs_done}
        self.export_path = export_generator(self.model, target, metadata, overwrite=self.overwrite)
