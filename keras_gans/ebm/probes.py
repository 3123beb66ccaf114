"""Out-of-distribution probes: image transforms and noise images.

Each maps images (N, 28, 28, 1) in [-1, 1] to float32 images of the same
shape and range (`uniform_noise_images` makes new ones).
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from keras_gans.ebm.validation import validate_images


def uniform_noise_images(n: int, image_shape: tuple[int, int, int] = (28, 28, 1), seed: int = 0) -> np.ndarray:
    """n images of i.i.d. uniform noise in [-1, 1], float32 (n, *image_shape)."""
    if n <= 0:
        raise ValueError(f"n must be > 0, received n={n}")
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, *image_shape)).astype(np.float32)


def flip_horizontal(images) -> np.ndarray:
    """Mirrors images left-right (width axis)."""
    return validate_images(images)[:, :, ::-1, :].copy()


def flip_vertical(images) -> np.ndarray:
    """Mirrors images upside down (height axis)."""
    return validate_images(images)[:, ::-1, :, :].copy()


def rotate(images, degrees: float = 90.0) -> np.ndarray:
    """Rotates images counter-clockwise by `degrees` about their centre.

    Multiples of 90° are exact (pixel permutations); other angles use
    bilinear interpolation with the background value −1 outside the image.
    """
    images = validate_images(images)
    if float(degrees) % 90 == 0:
        return np.rot90(images, k=int(degrees // 90), axes=(1, 2)).copy()
    rotated = scipy.ndimage.rotate(images, degrees, axes=(2, 1), reshape=False, order=1, mode="constant", cval=-1.0)
    return np.clip(rotated, -1.0, 1.0).astype(np.float32)


def invert(images) -> np.ndarray:
    """Negates images (x → −x): white background, black strokes."""
    return -validate_images(images)


def shift(images, rows: int = 4, cols: int = 4) -> np.ndarray:
    """Translates images by (rows down, cols right) pixels; negative = up/left.

    Pixels moved in from outside are background (−1); pixels moved out are
    lost (no wrap-around, unlike np.roll).
    """
    images = validate_images(images)
    height, width = images.shape[1:3]
    if abs(rows) >= height or abs(cols) >= width:
        raise ValueError(f"shift must be smaller than the image ({height}x{width}), received rows={rows}, cols={cols}")
    shifted = np.full_like(images, -1.0)
    shifted[:, max(rows, 0) : height + min(rows, 0), max(cols, 0) : width + min(cols, 0)] = images[
        :, max(-rows, 0) : height + min(-rows, 0), max(-cols, 0) : width + min(-cols, 0)
    ]
    return shifted


def add_gaussian_noise(images, std: float = 0.3, seed: int = 0) -> np.ndarray:
    """Adds N(0, std²) noise per pixel, clipped back to [-1, 1]."""
    if std < 0:
        raise ValueError(f"std must be >= 0, received std={std}")
    images = validate_images(images)
    rng = np.random.default_rng(seed)
    noisy = images + rng.normal(0.0, std, size=images.shape)
    return np.clip(noisy, -1.0, 1.0).astype(np.float32)


def overlay(images, mode: str = "max", seed: int = 0) -> np.ndarray:
    """Superimposes each image with another one of the batch (random pairing).

    Args:
        images: (N, 28, 28, 1) in [-1, 1], N >= 2.
        mode: "max" (union of the strokes, as if drawn on the same paper) or
            "mean" (50/50 blend: fainter strokes).
        seed: seed of the pairing.
    """
    images = validate_images(images)
    if mode not in ("max", "mean"):
        raise ValueError(f"mode must be 'max' or 'mean', received mode={mode!r}")
    n = images.shape[0]
    if n < 2:
        raise ValueError(f"overlay needs at least 2 images, received {n}")
    # A random permutation shifted by a non-zero offset pairs every image
    # with a different one.
    order = np.random.default_rng(seed).permutation(n)
    partner = np.empty(n, dtype=np.int64)
    partner[order] = np.roll(order, 1)
    if mode == "max":
        return np.maximum(images, images[partner])
    return (0.5 * (images + images[partner])).astype(np.float32)
