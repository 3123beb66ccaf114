"""Callbacks that draw grids of generated samples during training.

`ImageGrid` writes one grid per epoch from a fixed noise batch, `SampleGrid`
a 10x10 grid of fresh samples when training ends and `TensorBoardImages`
sends the per-epoch grid to TensorBoard. The grids themselves (layout, exact
pixel size, PNG writing) are `keras_gans.grids`.

Samples come from `model.sampling_generator` (the EMA generator when the GAN
keeps one). Models without a latent input (no `latent_dim`, e.g. the
energy-based model) are sampled with `model.generate(n)` instead; their
samples cannot use fixed noise, so their grids change from epoch to epoch even
when the weights do not.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from keras_gans.checks import check_positive_int

# The grid functions lived here until they moved to keras_gans.grids; they stay
# importable from keras_gans.callbacks.images for one release (the "as" form
# marks them as re-exported).
from keras_gans.grids import grid_pixel_size as grid_pixel_size
from keras_gans.grids import grid_shape, make_image_grid, save_image_grid
from keras_gans.signature import GeneratorSignature

# --------------------------------------------------------------------------
# Fixed grid inputs
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GridNoise:
    """The inputs of one sample grid, one per cell, row by row.

    Attributes:
        nrows, ncols: grid size.
        z: float32 `(nrows * ncols, latent_dim)` latent codes, or `None`
            for models without a latent input (sampled with `generate`).
        labels: int32 `(nrows * ncols,)` classes of a conditional model
            (row r holds class r), else `None`.
    """

    nrows: int
    ncols: int
    z: np.ndarray | None
    labels: np.ndarray | None

    @classmethod
    def draw(cls, model: keras.Model, num_samples: int, seed: int | None, ncols: int | None = None) -> GridNoise:
        """Draws grid inputs for `model` with `GeneratorSignature.draw_inputs`.

        A conditional model gets one row per class and
        `ncols or ceil(num_samples / num_classes)` columns; other models a
        grid as square as possible (`grid_shape`). Either way the grid is
        filled, so it may hold a few more than `num_samples` images.
        """
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, received num_samples={num_samples}")
        signature = _signature(model)
        if signature is not None and signature.conditional:
            nrows = signature.num_classes
            ncols = ncols or math.ceil(num_samples / nrows)
        else:
            nrows, ncols = grid_shape(num_samples, ncols=ncols)
        if signature is None:
            return cls(nrows, ncols, None, None)
        labels = None
        if signature.conditional:
            # Row r holds class r: (nrows,) -> (nrows * ncols,).
            labels = np.repeat(np.arange(nrows, dtype=np.int32), ncols)
        inputs = signature.draw_inputs(nrows * ncols, seed, labels)
        return cls(nrows, ncols, inputs.z, inputs.labels)

    def generate(self, model: keras.Model) -> np.ndarray:
        """Images `(nrows * ncols, *image_shape)` in [-1, 1] from `model`."""
        if self.z is None:
            return keras.ops.convert_to_numpy(model.generate(self.nrows * self.ncols))
        inputs = _signature(model).inputs(self.z, self.labels)
        images = _network(model)(inputs.network_inputs, training=False)
        # float32 also from a generator that computes in bfloat16 (keras_gans.precision).
        return keras.ops.convert_to_numpy(images).astype("float32")


def _network(model: keras.Model) -> keras.Model:
    """The generator that draws a model's samples (the EMA one when a GAN keeps it)."""
    return getattr(model, "sampling_generator", model)


def _signature(model: keras.Model) -> GeneratorSignature | None:
    """The signature of `model`'s generator, or `None` for a model without a latent input."""
    if getattr(model, "latent_dim", None) is None:
        return None
    return GeneratorSignature.from_generator(_network(model))


# --------------------------------------------------------------------------
# Callbacks
# --------------------------------------------------------------------------


class ImageGrid(keras.callbacks.Callback):
    """Saves a grid of samples from the same fixed noise every few epochs.

    The noise (and, for conditional GANs, the labels: one row per class) is
    drawn once per `fit` from `seed`, so the grids of successive epochs show
    the same latent points and differences come from training alone.

    Files, in `out_dir` (created if needed):
    - `filename.format(epoch=e)` after every `every_n_epochs`-th epoch and
      after the last one; `e` counts completed epochs from 1, as in Keras'
      progress bar (epoch_001.png is the grid after the first epoch).
    - with `gif=True`, `progress.gif` at the end of training: one frame per
      grid of this folder from epoch 1 to the last (so a resumed run's GIF
      covers the whole training). Pillow merges consecutive identical frames.

    Args:
        out_dir: folder of the grids.
        every_n_epochs: save every N epochs, >= 1.
        num_samples: images per grid, rounded up to fill it (see `GridNoise`).
        ncols: columns of the grid; default as square as possible.
        seed: seed of the fixed noise.
        gif: also write the animated GIF.
        filename: name pattern of the PNGs, with an `{epoch}` field.
        scale, padding: as in `save_image_grid`.
        gif_frame_ms: display time of each GIF frame in milliseconds.

    Example:

    ```python
    grids = ImageGrid("runs/dcgan/images", gif=True)
    gan.fit(dataset, epochs=10, callbacks=[grids])
    # runs/dcgan/images/epoch_001.png ... epoch_010.png and progress.gif
    ```
    """

    def __init__(
        self,
        out_dir: str | Path,
        every_n_epochs: int = 1,
        num_samples: int = 64,
        ncols: int | None = None,
        seed: int = 0,
        gif: bool = False,
        filename: str = "epoch_{epoch:03d}.png",
        scale: int = 2,
        padding: int = 2,
        gif_frame_ms: int = 200,
    ):
        super().__init__()
        if "{epoch" not in filename:
            raise ValueError(f"filename must contain an {{epoch}} field, received filename={filename!r}")
        self.out_dir = Path(out_dir)
        self.every_n_epochs = check_positive_int("every_n_epochs", every_n_epochs)
        self.num_samples = num_samples
        self.ncols = ncols
        self.seed = seed
        self.gif = gif
        self.filename = filename
        self.scale = scale
        self.padding = padding
        self.gif_frame_ms = gif_frame_ms
        self.noise = None
        self.saved_paths: list[Path] = []
        self._last_epoch = 0

    def on_train_begin(self, logs=None):
        self.noise = GridNoise.draw(self.model, self.num_samples, self.seed, self.ncols)
        self.saved_paths = []
        self._last_epoch = 0

    def path_for(self, epoch: int) -> Path:
        """The grid file of `epoch` (counted from 1)."""
        return self.out_dir / self.filename.format(epoch=epoch)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        self._last_epoch = done
        final = done == self.params.get("epochs")
        if done % self.every_n_epochs and not final:
            return
        images = self.noise.generate(self.model)
        path = save_image_grid(
            images, self.path_for(done), self.noise.nrows, self.noise.ncols, self.padding, self.scale
        )
        self.saved_paths.append(path)

    def on_train_end(self, logs=None):
        if not self.gif or self._last_epoch == 0:
            return
        frames = [self.path_for(e) for e in range(1, self._last_epoch + 1)]
        frames = [Image.open(path) for path in frames if path.is_file()]
        if not frames:
            return
        frames[0].save(
            self.out_dir / "progress.gif",
            save_all=True,
            append_images=frames[1:],
            duration=self.gif_frame_ms,
            loop=0,
        )


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of fresh samples when training ends.

    By default `samples_10x10.png`: 10x10 samples; for a conditional GAN one
    row per class (`num_classes` rows of `ncols`), so row r shows class r.

    Args:
        out_dir: folder of the PNG (created if needed).
        filename: name of the PNG.
        nrows, ncols: grid size (`nrows` is ignored by conditional GANs).
        seed: seed of the noise (distinct from `ImageGrid`'s default, so
            the final grid shows other latent points than the progression).
        scale, padding: as in `save_image_grid`.

    Example:

    ```python
    gan.fit(dataset, epochs=10, callbacks=[SampleGrid("runs/dcgan")])
    # runs/dcgan/samples_10x10.png: 100 samples after the last epoch
    ```
    """

    def __init__(
        self,
        out_dir: str | Path,
        filename: str = "samples_10x10.png",
        nrows: int = 10,
        ncols: int = 10,
        seed: int = 1,
        scale: int = 2,
        padding: int = 2,
    ):
        super().__init__()
        self.out_dir = Path(out_dir)
        self.filename = filename
        self.nrows = nrows
        self.ncols = ncols
        self.seed = seed
        self.scale = scale
        self.padding = padding
        self.path = None

    def on_train_begin(self, logs=None):
        self.path = None

    def on_train_end(self, logs=None):
        noise = GridNoise.draw(self.model, self.nrows * self.ncols, self.seed, self.ncols)
        self.path = save_image_grid(
            noise.generate(self.model),
            self.out_dir / self.filename,
            noise.nrows,
            noise.ncols,
            self.padding,
            self.scale,
        )


class TensorBoardImages(keras.callbacks.Callback):
    """Logs the fixed-noise sample grid to TensorBoard every few epochs.

    Writes an image summary named `samples` (step = completed epochs) into
    `log_dir/samples`, beside the folders of `keras.callbacks.TensorBoard`.

    Args:
        log_dir: the TensorBoard log folder.
        every_n_epochs, num_samples, seed, scale, padding: as in `ImageGrid`.

    Example:

    ```python
    logs = "runs/dcgan/tensorboard"
    gan.fit(dataset, epochs=10, callbacks=[keras.callbacks.TensorBoard(logs), TensorBoardImages(logs)])
    # then: tensorboard --logdir runs/dcgan/tensorboard
    ```
    """

    def __init__(
        self,
        log_dir: str | Path,
        every_n_epochs: int = 1,
        num_samples: int = 64,
        seed: int = 0,
        scale: int = 1,
        padding: int = 2,
    ):
        super().__init__()
        self.log_dir = Path(log_dir)
        self.every_n_epochs = check_positive_int("every_n_epochs", every_n_epochs)
        self.num_samples = num_samples
        self.seed = seed
        self.scale = scale
        self.padding = padding
        self._writer = None
        self._noise = None

    def on_train_begin(self, logs=None):
        self._noise = GridNoise.draw(self.model, self.num_samples, self.seed)
        self._writer = tf.summary.create_file_writer(str(self.log_dir / "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        images = self._noise.generate(self.model)
        grid = make_image_grid(images, self._noise.nrows, self._noise.ncols, self.padding, self.scale)
        with self._writer.as_default():
            # (height, width, channels) -> a batch of one image, as uint8.
            tf.summary.image("samples", grid[np.newaxis], step=epoch + 1)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
