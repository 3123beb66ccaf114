"""Datasets of small greyscale images for keras_gans.

- `load_dataset(...)`: a `tf.data.Dataset` of float32 image batches
  (batch, image_size, image_size, 1) in [-1, 1], optionally with labels.
- `load_arrays(...)`: the same data as uint8 NumPy arrays (for evaluation).
- `describe(...)`: a `DatasetInfo` (size, classes, source) to print.
- `normalize`, `denormalize`, `to_uint8`: pixel-range conversions.

Datasets: "mnist" (bundled, offline), TensorFlow Datasets names such as
"fashion_mnist", a folder of IDX files, an `.npz` file, or a folder of
images with one sub-folder per class. See `keras_gans.data.arrays`.
"""

from keras_gans.data.arrays import describe, load_arrays
from keras_gans.data.files import MissingSplitError
from keras_gans.data.info import KNOWN_CLASS_NAMES, DatasetInfo
from keras_gans.data.pipeline import load_dataset
from keras_gans.data.tfds_source import DATA_DIR_ENV
from keras_gans.data.transforms import denormalize, normalize, to_uint8

__all__ = [
    "DATA_DIR_ENV",
    "KNOWN_CLASS_NAMES",
    "DatasetInfo",
    "MissingSplitError",
    "denormalize",
    "describe",
    "load_arrays",
    "load_dataset",
    "normalize",
    "to_uint8",
]
