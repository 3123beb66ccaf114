"""Checking that inputs are images in the package's format."""

from __future__ import annotations

import numpy as np


def validate_images(images, image_shape: tuple[int, int, int] = (28, 28, 1)) -> np.ndarray:
    """Checks that `images` are float images in [-1, 1] and returns a batch.

    Args:
        images: array-like (N, *image_shape) or a single image `image_shape`.
        image_shape: expected (height, width, channels).

    Returns:
        Float32 numpy array (N, *image_shape).

    Raises:
        ValueError: naming the shape, dtype or value range received.
    """
    array = np.asarray(images)
    image_shape = tuple(image_shape)
    if array.shape == image_shape:
        # A single image (28, 28, 1) -> a batch of one (1, 28, 28, 1).
        array = array[None]
    if array.ndim != len(image_shape) + 1 or array.shape[1:] != image_shape:
        raise ValueError(
            f"images must have shape (N, {', '.join(map(str, image_shape))}) or "
            f"{image_shape}, received shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError("images must contain at least one image, received 0")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            "images must be floats in [-1, 1], received dtype "
            f"{array.dtype} with values in [{array.min()}, {array.max()}] "
            "(convert uint8 pixels with images / 127.5 - 1)"
        )
    if not np.isfinite(array).all():
        raise ValueError(
            f"images must be finite, received {np.size(array) - np.isfinite(array).sum()} NaN or infinite values"
        )
    low, high = float(array.min()), float(array.max())
    if low < -1.0 or high > 1.0:
        raise ValueError(
            f"images must be in [-1, 1], received values in [{low:g}, {high:g}]"
            + (" (uint8 pixels? convert with images / 127.5 - 1)" if high > 1.5 else "")
        )
    return array.astype(np.float32, copy=False)
