"""Callbacks that show, record, guard and ship a training run.

- `images`: `ImageGrid` (fixed-noise grid per epoch, optional GIF),
  `SampleGrid` (final 10x10 grid), `TensorBoardImages`; the grids are drawn
  by `keras_gans.grids` (`save_image_grid`, a PNG of exact size, is also
  importable from here).
- `curves`: `LossCurves` (CSV per epoch and per step, PNG plot),
  `plot_loss_curves`, `read_loss_curves`.
- `guards`: `StopOnNonFinite` raises `NonFiniteLossError` on NaN/inf.
- `checkpoints`: `Checkpoint` (full training state every epoch) and
  `restore_latest` (resume).
- `evaluation`: `SampleQuality` (Fréchet distance, mode coverage... every
  few epochs, into the logs).
- `export`: `ExportGenerator`, which calls `keras_gans.export`'s
  `export_generator` (SavedModel with `serving_default` and `sample`
  signatures, plus `generator.json`) when training ends; that module's
  `load_exported_generator` and `sample_exported_generator` are also
  importable from here.

A typical list, in this order (the guard first; metric callbacks before
`LossCurves` so it records what they add to the logs):

```python
callbacks = [
    StopOnNonFinite(),
    ImageGrid(run_dir / "images", gif=True),
    SampleGrid(run_dir),
    LossCurves(run_dir),
    ExportGenerator(run_dir / "generator", metadata={"dataset": "mnist"}),
]
```
"""

from keras_gans.callbacks.checkpoints import Checkpoint, restore_latest
from keras_gans.callbacks.curves import LossCurves, plot_loss_curves, read_loss_curves
from keras_gans.callbacks.evaluation import SampleQuality
from keras_gans.callbacks.export import ExportGenerator
from keras_gans.callbacks.guards import NonFiniteLossError, StopOnNonFinite
from keras_gans.callbacks.images import GridNoise, ImageGrid, SampleGrid, TensorBoardImages
from keras_gans.export import (
    export_generator,
    load_exported_generator,
    next_free_dir,
    read_export_metadata,
    sample_exported_generator,
)
from keras_gans.grids import grid_pixel_size, grid_shape, make_image_grid, save_image_grid

__all__ = [
    "Checkpoint",
    "ExportGenerator",
    "GridNoise",
    "ImageGrid",
    "LossCurves",
    "NonFiniteLossError",
    "SampleGrid",
    "SampleQuality",
    "StopOnNonFinite",
    "TensorBoardImages",
    "export_generator",
    "grid_pixel_size",
    "grid_shape",
    "load_exported_generator",
    "make_image_grid",
    "next_free_dir",
    "plot_loss_curves",
    "read_export_metadata",
    "read_loss_curves",
    "restore_latest",
    "sample_exported_generator",
    "save_image_grid",
]
