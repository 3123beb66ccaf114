"""Image grids of generated samples: a PNG writer and the callbacks that use it.

`save_image_grid` writes a batch of images as one PNG of an exact, predictable
size (Pillow, nearest-neighbour upscaling, no resampling blur):

    width  = ncols * image_width  * scale + (ncols + 1) * padding
    height = nrows * image_height * scale + (nrows + 1) * padding

(`grid_pixel_size` computes it). `ImageGrid` writes one grid per epoch from
a fixed noise batch, `SampleGrid` a 10x10 grid of fresh samples when training
ends and `TensorBoardImages` sends the per-epoch grid to TensorBoard.

Samples come from `model.sampling_generator` (the EMA generator when the GAN
keeps one). Models without a latent input (no `latent_dim`, e.g. the
energy-based model) are sampled with `model.generate(n)` instead; their
samples cannot use fixed noise, so their grids change from epoch to epoch even
when the weights do not.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from keras_gans.checks import check_positive_int
from keras_gans.data import to_uint8

# --------------------------------------------------------------------------
# Grids as arrays and PNG files
# --------------------------------------------------------------------------


def _grid_pixels(images) -> np.ndarray:
    """uint8 pixels of images in [-1, 1] (uint8 passes through unchanged).

    Raises:
        ValueError: if the images are not real numbers or hold NaN/inf, which
            would otherwise draw as silently black or white pixels.
    """
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if not np.issubdtype(images.dtype, np.number) or np.issubdtype(images.dtype, np.complexfloating):
        raise ValueError(f"images must be real numbers, received dtype {images.dtype}")
    if not np.all(np.isfinite(images)):
        raise ValueError(
            f"images must be finite, received {np.sum(~np.isfinite(images))} NaN/inf values"
        )
    return to_uint8(images)


def grid_shape(num_images: int, nrows: int | None = None, ncols: int | None = None) -> tuple[int, int]:
    """Rows and columns of a grid holding `num_images` images.

    With neither given the grid is as square as possible:
    `ncols = ceil(sqrt(num_images))`, `nrows = ceil(num_images / ncols)`.
    With one given, the other is the smallest that fits all images.

    Raises:
        ValueError: if `nrows * ncols < num_images` or a size is < 1.
    """
    if num_images < 1:
        raise ValueError(f"num_images must be >= 1, received num_images={num_images}")
    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be >= 1, received {name}={value}")
    if nrows is None and ncols is None:
        ncols = math.ceil(math.sqrt(num_images))
    if nrows is None:
        nrows = math.ceil(num_images / ncols)
    if ncols is None:
        ncols = math.ceil(num_images / nrows)
    if nrows * ncols < num_images:
        raise ValueError(
            f"a grid of nrows={nrows} x ncols={ncols} holds {nrows * ncols} images, "
            f"received {num_images}"
        )
    return nrows, ncols


def grid_pixel_size(
    image_shape: Sequence[int], nrows: int, ncols: int, padding: int = 2, scale: int = 2
) -> tuple[int, int]:
    """`(height, width)` in pixels of a grid of images of `image_shape` (h, w[, c])."""
    height, width = image_shape[0], image_shape[1]
    return (
        nrows * height * scale + (nrows + 1) * padding,
        ncols * width * scale + (ncols + 1) * padding,
    )


def make_image_grid(
    images,
    nrows: int | None = None,
    ncols: int | None = None,
    padding: int = 2,
    scale: int = 2,
    pad_value: float = 0.0,
) -> np.ndarray:
    """Tiles images into one uint8 picture, row by row.

    Args:
        images: `(n, height, width, channels)` with 1 or 3 channels, or
            `(n, height, width)`; float in [-1, 1] (clipped) or uint8 in
            [0, 255].
        nrows, ncols: grid size (see `grid_shape`); cells past the last
            image are left at `pad_value`.
        padding: pixels between tiles and around the border, >= 0.
        scale: integer upscaling of every image (each pixel becomes a
            `scale x scale` block), >= 1.
        pad_value: colour of the padding and empty cells, in [-1, 1]
            (0 is mid-grey).

    Returns:
        uint8 array `(grid_height, grid_width, channels)`, sizes as in
        `grid_pixel_size`.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.shape[0] == 0:
        raise ValueError(
            "images must have shape (n, height, width, channels) with n >= 1 and "
            f"1 or 3 channels, received shape {images.shape}"
        )
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be an integer >= 1, received scale={scale!r}")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an integer >= 0, received padding={padding!r}")
    pixels = _grid_pixels(images)
    num_images, height, width, channels = pixels.shape
    nrows, ncols = grid_shape(num_images, nrows, ncols)
    # Nearest-neighbour upscaling: (n, h, w, c) -> (n, h * scale, w * scale, c).
    pixels = pixels.repeat(scale, axis=1).repeat(scale, axis=2)
    tile_height, tile_width = height * scale, width * scale
    grid_height, grid_width = grid_pixel_size((height, width), nrows, ncols, padding, scale)
    grid = np.full((grid_height, grid_width, channels), _grid_pixels(np.float32(pad_value)), np.uint8)
    for index, tile in enumerate(pixels):
        row, col = divmod(index, ncols)
        top = padding + row * (tile_height + padding)
        left = padding + col * (tile_width + padding)
        grid[top : top + tile_height, left : left + tile_width] = tile
    return grid


def save_image_grid(
    images,
    path: str | Path,
    nrows: int | None = None,
    ncols: int | None = None,
    padding: int = 2,
    scale: int = 2,
    pad_value: float = 0.0,
) -> Path:
    """Writes images as one PNG grid, creating the folder if needed.

    The PNG is greyscale for 1-channel images, RGB for 3 channels, and
    exactly `width = ncols * w * scale + (ncols + 1) * padding` by
    `height = nrows * h * scale + (nrows + 1) * padding` pixels. A 10x10
    grid of 28x28 images at the defaults (padding 2, scale 2) is 582x582.

    Args: as `make_image_grid`, plus `path` of the PNG to write.

    Returns:
        The path written.
    """
    grid = make_image_grid(images, nrows, ncols, padding, scale, pad_value)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    picture.save(path, format="PNG")
    return path


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
    def draw(
        cls, model: keras.Model, num_samples: int, seed: int | None, ncols: int | None = None
    ) -> GridNoise:
        """Draws grid inputs for `model` from `np.random.default_rng(seed)`.

        A conditional model gets one row per class and
        `ncols or ceil(num_samples / num_classes)` columns; other models a
        grid as square as possible (`grid_shape`). Either way the grid is
        filled, so it may hold a few more than `num_samples` images.
        """
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, received num_samples={num_samples}")
        if getattr(model, "conditional", False):
            nrows = model.num_classes
            ncols = ncols or math.ceil(num_samples / nrows)
        else:
            nrows, ncols = grid_shape(num_samples, ncols=ncols)
        size = nrows * ncols
        latent_dim = getattr(model, "latent_dim", None)
        z = labels = None
        if latent_dim is not None:
            rng = np.random.default_rng(seed)
            z = rng.standard_normal((size, latent_dim)).astype(np.float32)
            if getattr(model, "conditional", False):
                # Row r holds class r: (nrows,) -> (nrows * ncols,).
                labels = np.repeat(np.arange(nrows, dtype=np.int32), ncols)
        return cls(nrows, ncols, z, labels)

    def generate(self, model: keras.Model) -> np.ndarray:
        """Images `(nrows * ncols, *image_shape)` in [-1, 1] from `model`."""
        if self.z is None:
            return keras.ops.convert_to_numpy(model.generate(self.nrows * self.ncols))
        network = getattr(model, "sampling_generator", model)
        inputs = tf.constant(self.z)
        if self.labels is not None:
            inputs = [inputs, tf.one_hot(self.labels, model.num_classes)]
        return keras.ops.convert_to_numpy(network(inputs, training=False))


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
