"""Pixel-value conversions and image resizing shared by the data layer.

The package works with float32 images in [-1, 1] (the range of a `tanh`
generator output); files hold uint8 pixels in [0, 255]. The mapping is

    normalized = pixels / 127.5 - 1        (0 -> -1, 255 -> 1)
    pixels = round((normalized + 1) * 127.5)

Each conversion accepts a NumPy array (and returns one) or a TensorFlow
tensor (and returns one), so it works both on `load_arrays` output and
inside `tf.data` / Keras code.
"""

import numpy as np
import tensorflow as tf

# Images are fitted in chunks so that resizing a large array never
# materializes the whole dataset as float32 at once.
_FIT_CHUNK_SIZE = 8192


def normalize(images):
    """Maps uint8 pixels [0, 255] to float32 [-1, 1] (`x / 127.5 - 1`).

    Args:
        images: uint8 (or any numeric) array or tensor, any shape.

    Returns:
        float32 array/tensor of the same shape, values in [-1, 1].
    """
    if tf.is_tensor(images):
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return np.asarray(images, dtype=np.float32) / np.float32(127.5) - np.float32(1.0)


def denormalize(images):
    """Maps float images in [-1, 1] to float32 [0, 1] (for plotting).

    Values outside [-1, 1] (a generator can overshoot) are clipped.

    Args:
        images: float array or tensor, any shape, nominally in [-1, 1].

    Returns:
        float32 array/tensor of the same shape, values in [0, 1].
    """
    if tf.is_tensor(images):
        return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)
    images = np.asarray(images, dtype=np.float32)
    return np.clip((images + np.float32(1.0)) / np.float32(2.0), 0.0, 1.0)


def to_uint8(images):
    """Maps float images in [-1, 1] to uint8 pixels [0, 255].

    Inverse of `normalize`: rounds to the nearest integer and clips, so
    `to_uint8(normalize(x)) == x` for every uint8 `x`.

    Args:
        images: float array or tensor, any shape, nominally in [-1, 1].

    Returns:
        uint8 array/tensor of the same shape.
    """
    if tf.is_tensor(images):
        pixels = tf.round((tf.cast(images, tf.float32) + 1.0) * 127.5)
        return tf.cast(tf.clip_by_value(pixels, 0.0, 255.0), tf.uint8)
    pixels = np.round((np.asarray(images, dtype=np.float32) + np.float32(1.0)) * np.float32(127.5))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def fit_images_tensor(images: tf.Tensor, image_size: int) -> tf.Tensor:
    """Greyscales and resizes a batch of images (TensorFlow, graph-safe).

    Colour is converted with the ITU-R 601 luma weights
    (0.2989 R + 0.5870 G + 0.1140 B); an alpha channel is dropped. Images are
    resized with antialiased bilinear interpolation to a square
    `image_size` x `image_size` (the aspect ratio is not preserved).

    Args:
        images: uint8 tensor (batch, height, width, channels), channels 1
            (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).
        image_size: side of the output images, > 0.

    Returns:
        uint8 tensor (batch, image_size, image_size, 1).
    """
    channels = images.shape[-1]
    if channels in (1, 2):
        grey = tf.cast(images[..., :1], tf.float32)
    elif channels in (3, 4):
        grey = tf.image.rgb_to_grayscale(tf.cast(images[..., :3], tf.float32))
    else:
        raise ValueError(
            "images must have 1, 2, 3 or 4 channels (grey, grey+alpha, RGB, RGBA), "
            f"received shape {tuple(images.shape)}"
        )
    if tuple(grey.shape[1:3]) != (image_size, image_size):
        grey = tf.image.resize(grey, (image_size, image_size), method="bilinear", antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(grey), 0.0, 255.0), tf.uint8)


def fit_images(images: np.ndarray, image_size: int) -> np.ndarray:
    """Greyscales and resizes a uint8 image array to (N, image_size, image_size, 1).

    See `fit_images_tensor` for the conversion. Arrays that already have the
    target shape are returned unchanged (no copy).

    Args:
        images: uint8 array (N, H, W) or (N, H, W, C), C in {1, 2, 3, 4}.
        image_size: side of the output images, > 0.

    Returns:
        uint8 array (N, image_size, image_size, 1).
    """
    if images.ndim == 3:
        # (N, H, W) -> (N, H, W, 1)
        images = images[..., np.newaxis]
    if images.shape[1:] == (image_size, image_size, 1):
        return images
    chunks = [
        fit_images_tensor(tf.constant(images[start : start + _FIT_CHUNK_SIZE]), image_size).numpy()
        for start in range(0, len(images), _FIT_CHUNK_SIZE)
    ]
    if not chunks:
        return np.zeros((0, image_size, image_size, 1), dtype=np.uint8)
    return np.concatenate(chunks, axis=0)
