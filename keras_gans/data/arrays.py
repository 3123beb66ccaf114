"""`load_arrays` and `describe`: any supported dataset as in-memory NumPy arrays.

How `name` is read:

1. `"mnist"`: the MNIST files bundled with keras_gans (offline).
2. A path (a `pathlib.Path`, a string starting with `/`, `.` or `~`, ending
   in `.npz`, or containing a separator and naming an existing file/folder):
   - an `.npz` file (see `files.load_npz` for the keys),
   - a folder of MNIST-layout IDX files (`train-images-idx3-ubyte[.gz]`, ...),
   - a folder of images with one sub-folder per class.
3. Any other string: a TensorFlow Datasets name (`"fashion_mnist"`,
   `"kmnist"`, `"cifar10"`, ...). If `data_dir` (or `data_dir/<name>/`)
   holds the dataset's IDX files they are read directly, otherwise TFDS
   loads the dataset from, or downloads it into, `data_dir`.
"""

import os
from pathlib import Path

import numpy as np

from keras_gans.checks import check_positive_int
from keras_gans.data import files, idx
from keras_gans.data.files import PathLike
from keras_gans.data.info import DatasetInfo
from keras_gans.data.tfds_source import default_data_dir, load_tfds


def load_arrays(
    name: PathLike = "mnist",
    split: str = "train",
    image_size: int = 28,
    limit: int | None = None,
    data_dir: PathLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Loads a dataset split as NumPy arrays.

    Args:
        name: dataset name or path (see the module docstring).
        split: "train" or "test" (TFDS datasets: any of their splits).
        image_size: side of the returned square images, > 0; images of
            another size or with colour are greyscaled and resized.
        limit: keep only the first `limit` examples (> 0), or None for all.
        data_dir: TFDS data directory or folder of IDX files for TFDS names;
            defaults to the KERAS_GANS_DATA_DIR environment variable.

    Returns:
        (images, labels): uint8 images (N, image_size, image_size, 1) with
        pixel values 0-255, and int64 labels (N,) in [0, num_classes).
    """
    images, labels, _ = load(name, split, image_size, limit, data_dir)
    return images, labels


def describe(
    name: PathLike = "mnist",
    split: str = "train",
    image_size: int = 28,
    limit: int | None = None,
    data_dir: PathLike | None = None,
) -> DatasetInfo:
    """Loads a dataset split and returns its `DatasetInfo` (`print` it).

    Arguments as for `load_arrays`.
    """
    return load(name, split, image_size, limit, data_dir)[2]


def load(
    name: PathLike,
    split: str,
    image_size: int,
    limit: int | None,
    data_dir: PathLike | None,
) -> files.LoadedData:
    """`load_arrays` plus the `DatasetInfo`: (images, labels, info)."""
    check_positive_int("image_size", image_size)
    if limit is not None:
        check_positive_int("limit", limit)
    if not isinstance(split, str):
        raise ValueError(f"split must be a string such as 'train' or 'test', received split={split!r}")

    if name == "mnist":
        return files.load_bundled_mnist(split, image_size, limit)
    if _is_path(name):
        return _load_path(Path(name).expanduser(), split, image_size, limit)
    if not isinstance(name, str):
        raise ValueError(f"name must be a dataset name or a path, received name={name!r}")

    data_dir = default_data_dir(data_dir)
    if data_dir is not None:
        for folder in (Path(data_dir) / name, Path(data_dir)):
            if idx.is_idx_directory(folder):
                return files.load_idx_directory(folder, split, image_size, limit, name=name)
    return load_tfds(name, split, image_size, limit, data_dir)


def _is_path(name: PathLike) -> bool:
    if isinstance(name, os.PathLike):
        return True
    if not isinstance(name, str):
        return False
    if name.startswith(("/", ".", "~")) or name.endswith(".npz"):
        return True
    # "emnist/letters" is a TFDS name; "data/fashion" a path if it exists.
    has_separator = "/" in name or os.sep in name
    return has_separator and os.path.exists(os.path.expanduser(name))


def _load_path(path: Path, split: str, image_size: int, limit: int | None) -> files.LoadedData:
    if not path.exists():
        raise FileNotFoundError(
            f"No such file or directory: {str(path)!r} (expected an .npz file, a folder of "
            "IDX files or a folder of class sub-folders of images)"
        )
    if path.is_file():
        if path.suffix.lower() == ".npz":
            return files.load_npz(path, split, image_size, limit)
        raise ValueError(
            f"Unsupported dataset file {path}: expected an .npz file, or a folder of IDX "
            "files or of class sub-folders of images"
        )
    if idx.is_idx_directory(path):
        return files.load_idx_directory(path, split, image_size, limit)
    return files.load_image_folder(path, split, image_size, limit)
