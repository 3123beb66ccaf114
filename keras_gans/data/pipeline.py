"""`load_dataset`: a batched, shuffled `tf.data` input pipeline for training.

Built as the tf.data performance guide recommends
(https://www.tensorflow.org/guide/data_performance): slices of the uint8
arrays -> cache -> shuffle (reshuffled every epoch) -> batch -> normalization
vectorized over whole batches (parallel map) -> prefetch. The examples stay
uint8 until the last step, so the cache and the shuffle buffer hold 1 byte
per pixel instead of 4.
"""

import functools

import tensorflow as tf

from keras_gans.checks import check_positive_int
from keras_gans.data.arrays import PathLike, load
from keras_gans.data.transforms import normalize


def load_dataset(
    name: PathLike = "mnist",
    split: str = "train",
    batch_size: int = 64,
    labels: bool = False,
    one_hot: bool = False,
    shuffle: bool = True,
    seed: int | None = 0,
    drop_remainder: bool = False,
    image_size: int = 28,
    limit: int | None = None,
    data_dir: PathLike | None = None,
    cache: bool = True,
    with_info: bool = False,
):
    """Loads a dataset as a `tf.data.Dataset` of normalized image batches.

    Example:

    ```python
    dataset = load_dataset("mnist", batch_size=64)
    gan.fit(dataset, epochs=10)

    dataset, info = load_dataset("fashion_mnist", labels=True, with_info=True)
    print(info)
    ```

    Args:
        name: "mnist" (bundled), a TensorFlow Datasets name such as
            "fashion_mnist", or a path to a folder of IDX files, an .npz file
            or a folder of class sub-folders of images (see
            `keras_gans.data.arrays`).
        split: "train" or "test" (TFDS datasets: any of their splits).
        batch_size: examples per batch, > 0.
        labels: also yield the labels.
        one_hot: yield one-hot labels (requires `labels=True`).
        shuffle: shuffle the examples (whole-dataset buffer), in a new order
            every epoch.
        seed: shuffle seed; the same seed gives the same sequence of epochs
            (TensorFlow combines it with the global seed, so a different
            `keras.utils.set_random_seed` changes the order too). None for
            a non-reproducible order.
        drop_remainder: drop the last batch if it is smaller than `batch_size`.
        image_size: side of the square images, > 0 (resized if needed).
        limit: keep only the first `limit` examples, or None for all.
        data_dir: TFDS data directory or folder of IDX files for TFDS names;
            defaults to the KERAS_GANS_DATA_DIR environment variable.
        cache: cache the uint8 examples in memory after the first epoch.
        with_info: also return the `DatasetInfo`.

    Returns:
        A `tf.data.Dataset` yielding float32 images
        (batch, image_size, image_size, 1) in [-1, 1] (`pixels / 127.5 - 1`),
        or `(images, labels)` with int32 labels (batch,), or float32 one-hot
        labels (batch, num_classes) if `one_hot`. With `with_info=True`, the
        tuple `(dataset, info)`.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    if one_hot and not labels:
        raise ValueError("one_hot=True needs labels=True, received labels=False")

    images, label_array, info = load(name, split, image_size, limit, data_dir)
    if len(images) == 0:
        raise ValueError(f"{info.name!r} split={split!r} has no examples")
    if labels and not info.labeled:
        raise ValueError(
            f"{info.name!r} has no labels ({info.source}); a conditional model needs them: "
            "put the images in one sub-folder per class"
        )
    if drop_remainder and batch_size > len(images):
        raise ValueError(
            f"batch_size={batch_size} with drop_remainder=True yields no batch from the "
            f"{len(images)} examples of {info.name!r} split={split!r}"
        )

    dataset = tf.data.Dataset.from_tensor_slices((images, label_array))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    prepare = functools.partial(_prepare_batch, labels=labels, one_hot=one_hot, num_classes=info.num_classes)
    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return (dataset, info) if with_info else dataset


def _prepare_batch(images, label_batch, labels: bool, one_hot: bool, num_classes: int):
    """uint8 (batch, H, W, 1), int64 (batch,) -> model inputs (see load_dataset)."""
    images = normalize(images)
    if not labels:
        return images
    if one_hot:
        return images, tf.one_hot(label_batch, num_classes, dtype=tf.float32)
    return images, tf.cast(label_batch, tf.int32)
