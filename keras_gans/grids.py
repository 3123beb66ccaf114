"""Image grids: many small images tiled into one picture, and its PNG file.

`save_image_grid` writes a batch of images as one PNG of an exact, predictable
size (Pillow, nearest-neighbour upscaling, no resampling blur):

    width  = ncols * image_width  * scale + (ncols + 1) * padding
    height = nrows * image_height * scale + (nrows + 1) * padding

(`grid_pixel_size` computes it; `grid_shape` chooses rows and columns and
`make_image_grid` tiles the pixels without writing a file). The callbacks of
`keras_gans.callbacks.images`, the figures of `keras_gans.metrics.diagnostics`
and the `sample` command all draw their grids here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from keras_gans.data import to_uint8


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
        raise ValueError(f"images must be finite, received {np.sum(~np.isfinite(images))} NaN/inf values")
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
        raise ValueError(f"a grid of nrows={nrows} x ncols={ncols} holds {nrows * ncols} images, received {num_images}")
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

    Raises:
        OSError: naming `path` when the PNG cannot be written (a full disk,
            no permission); a grid already at `path` is then left as it was.
    """
    grid = make_image_grid(images, nrows, ncols, padding, scale, pad_value)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    # Write beside the target, then rename: a failed write never leaves a
    # truncated PNG under the real name.
    partial = path.with_name(f".{path.name}.partial")
    try:
        picture.save(partial, format="PNG")
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OSError(f"cannot write the image grid {path} ({error.strerror or error})") from error
    return path
