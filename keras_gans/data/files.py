"""Datasets stored as local files: bundled MNIST, IDX folders, `.npz`, image folders.

Each loader returns `(images, labels, info)`: uint8 images
(N, image_size, image_size, 1), int64 labels (N,) and a `DatasetInfo`. `limit`
keeps the first `limit` examples in file order.
"""

import importlib.resources
import os
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from keras_gans.data import idx
from keras_gans.data.info import KNOWN_CLASS_NAMES, DatasetInfo
from keras_gans.data.transforms import fit_images

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
FILE_SPLITS = ("train", "test")


class MissingSplitError(ValueError):
    """The dataset exists but has no such split (e.g. a folder without `test/`)."""


LoadedData = tuple[np.ndarray, np.ndarray, DatasetInfo]
PathLike = str | os.PathLike


def load_bundled_mnist(split: str, image_size: int, limit: int | None) -> LoadedData:
    """MNIST from the gzip IDX files shipped in `keras_gans/data/mnist/`."""
    _check_file_split(split, "mnist")
    folder = importlib.resources.files("keras_gans.data").joinpath("mnist")
    prefix = idx.SPLIT_PREFIXES[split]
    images = idx.read_idx_images(folder.joinpath(f"{prefix}-images-idx3-ubyte.gz"))
    labels = idx.read_idx_labels(folder.joinpath(f"{prefix}-labels-idx1-ubyte.gz"))
    return _finish(
        "mnist",
        split,
        images,
        labels,
        image_size,
        limit,
        source="bundled MNIST IDX files (keras_gans/data/mnist)",
        class_names=KNOWN_CLASS_NAMES["mnist"],
    )


def load_idx_directory(
    directory: PathLike,
    split: str,
    image_size: int,
    limit: int | None,
    name: str | None = None,
) -> LoadedData:
    """A folder of MNIST-layout IDX files (`train-images-idx3-ubyte[.gz]`, ...).

    `name` (e.g. "fashion_mnist") names the dataset in the returned info and
    picks known class names; it defaults to the folder path.
    """
    images_path, labels_path = idx.find_idx_files(directory, split)
    images = idx.read_idx_images(images_path)
    labels = idx.read_idx_labels(labels_path)
    if len(images) != len(labels):
        raise ValueError(
            f"{directory}: image/label count mismatch for split={split!r}: "
            f"{images_path.name} holds {len(images)} images but "
            f"{labels_path.name} holds {len(labels)} labels"
        )
    return _finish(
        name or str(directory),
        split,
        images,
        labels,
        image_size,
        limit,
        source=f"IDX files in {directory}",
        class_names=KNOWN_CLASS_NAMES.get(name),
    )


def load_npz(path: PathLike, split: str, image_size: int, limit: int | None) -> LoadedData:
    """A NumPy `.npz` file with images and integer labels.

    Two layouts are accepted:

    - `x_train`, `y_train`, `x_test`, `y_test` (as `keras.datasets.mnist`'s
      `mnist.npz`): split "train" or "test";
    - `images`, `labels`: a single split, loaded as split "train".

    Images are integer arrays of values 0-255 with shape (N, H, W) or
    (N, H, W, C), C in {1, 2, 3, 4} (converted to grey and resized to
    `image_size`); labels are integers >= 0 with shape (N,) or (N, 1).
    `num_classes` is `max + 1` over all label arrays of the file.
    """
    path = Path(path)
    _check_file_split(split, str(path))
    if not path.is_file():
        raise FileNotFoundError(f".npz file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"{path}: not a valid .npz file: {error}") from error
    except ValueError as error:
        # np.load refuses object arrays without pickle; a list of images of
        # different sizes is saved as one.
        raise ValueError(
            f"{path}: holds an object array, e.g. images of mixed sizes; every "
            "array must be numeric, with images of one size (N, H, W) or (N, H, W, C)"
        ) from error

    if {"x_train", "y_train"} <= arrays.keys():
        images_key, labels_key = f"x_{split}", f"y_{split}"
        label_keys = [key for key in arrays if key.startswith("y_")]
    elif {"images", "labels"} <= arrays.keys():
        if split != "train":
            raise MissingSplitError(
                f"{path} has a single split (keys 'images', 'labels'), loaded as "
                f"split='train'; received split={split!r}"
            )
        images_key, labels_key = "images", "labels"
        label_keys = ["labels"]
    else:
        raise ValueError(
            f"{path}: unrecognized keys {sorted(arrays)}; expected x_train, y_train "
            "(and x_test, y_test for split='test') or images, labels"
        )
    if images_key not in arrays or labels_key not in arrays:
        raise ValueError(
            f"{path}: split={split!r} needs keys {images_key!r} and {labels_key!r}, the file has {sorted(arrays)}"
        )

    images = _check_npz_images(arrays[images_key], f"{path}[{images_key!r}]")
    labels = _check_npz_labels(arrays[labels_key], f"{path}[{labels_key!r}]")
    if len(images) != len(labels):
        raise ValueError(
            f"{path}: image/label count mismatch: {images_key!r} holds {len(images)} "
            f"images but {labels_key!r} holds {len(labels)} labels"
        )
    num_classes = 1 + max(int(_check_npz_labels(arrays[key], f"{path}[{key!r}]").max(initial=0)) for key in label_keys)
    return _finish(
        str(path),
        split,
        images,
        labels,
        image_size,
        limit,
        source=f".npz file {path} (keys {images_key!r}, {labels_key!r})",
        num_classes=num_classes,
    )


def load_image_folder(directory: PathLike, split: str, image_size: int, limit: int | None) -> LoadedData:
    """A folder of image files, one sub-folder per class or flat (a custom dataset).

    Layout: `directory/<class name>/**/<image>` with PNG, JPEG, BMP or GIF
    files (first frame). Class names are the sorted sub-folder names, labels
    their indices. A flat folder (`directory/<image>`, no sub-folders) is
    unlabeled, like `keras.utils.image_dataset_from_directory(labels=None)`:
    its labels are -1 and `info.num_classes` is 0; unconditional models train
    on it. Images are converted to grey and resized (antialiased bilinear) to
    `image_size` x `image_size`.

    Splits: the whole folder is split "train"; if its only sub-folders are
    `train/` (and `test/`), each of them is laid out as above and is a split.
    Examples are ordered by class, then by file path, so `limit` keeps the
    first classes.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"image folder not found: {directory}")
    _check_file_split(split, str(directory))
    root = directory
    subfolders = _visible_subfolders(directory)
    if subfolders and {folder.name for folder in subfolders} <= set(FILE_SPLITS):
        root = directory / split
        if not root.is_dir():
            raise MissingSplitError(
                f"{directory} has split sub-folders {sorted(f.name for f in subfolders)}, "
                f"but no {split!r} sub-folder for split={split!r}"
            )
        subfolders = _visible_subfolders(root)
    elif split != "train":
        raise MissingSplitError(
            f"{directory} is an image folder without split sub-folders: all its images are "
            f"split 'train'; received split={split!r}. For a test split, put the class "
            "folders under train/ and test/ sub-folders"
        )
    files, labels = [], []
    if subfolders:
        for label, folder in enumerate(subfolders):
            for path in sorted(folder.rglob("*")):
                if _is_image_file(path):
                    files.append(path)
                    labels.append(label)
        if not files:
            raise ValueError(
                f"{root}: no images ({', '.join(IMAGE_EXTENSIONS)}) in its class sub-folders "
                f"{[folder.name for folder in subfolders]}"
            )
    else:
        files = [path for path in sorted(root.iterdir()) if _is_image_file(path)]
        labels = [-1] * len(files)
        if not files:
            raise ValueError(f"{root}: no images ({', '.join(IMAGE_EXTENSIONS)}) and no class sub-folders of images")
    if limit is not None:
        files, labels = files[:limit], labels[:limit]

    images = np.empty((len(files), image_size, image_size, 1), dtype=np.uint8)
    # Resize all images of one size in a single call: a folder has few sizes.
    by_size: dict[tuple[int, int], list[int]] = {}
    decoded = [_decode_grey(path) for path in files]
    for index, image in enumerate(decoded):
        by_size.setdefault(image.shape, []).append(index)
    for indices in by_size.values():
        # list of (H, W) -> (n, H, W)
        images[indices] = fit_images(np.stack([decoded[i] for i in indices]), image_size)

    labels = np.asarray(labels, dtype=np.int64)
    info = DatasetInfo.from_arrays(
        str(directory),
        split,
        images,
        labels,
        source=f"image folder {root}" if subfolders else f"flat image folder {root}",
        num_classes=len(subfolders),
        class_names=tuple(folder.name for folder in subfolders),
    )
    return images, labels, info


def _is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file()


def _finish(
    name: str,
    split: str,
    images: np.ndarray,
    labels: np.ndarray,
    image_size: int,
    limit: int | None,
    source: str,
    class_names: tuple[str, ...] | None = None,
    num_classes: int | None = None,
) -> LoadedData:
    """Applies `limit`, greyscales/resizes and describes the arrays."""
    if num_classes is None and class_names is None:
        # Count classes before `limit`: a few examples may miss some classes.
        num_classes = int(labels.max(initial=0)) + 1
    images, labels = images[:limit], labels[:limit]
    images = fit_images(images, image_size)
    info = DatasetInfo.from_arrays(
        name,
        split,
        images,
        labels,
        source=source,
        num_classes=num_classes,
        class_names=class_names,
    )
    return images, labels, info


def _check_file_split(split: str, dataset: str) -> None:
    if split not in FILE_SPLITS:
        raise ValueError(f"split must be one of {list(FILE_SPLITS)} for {dataset}, received split={split!r}")


def _check_npz_images(images: np.ndarray, where: str) -> np.ndarray:
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 2, 3, 4)):
        raise ValueError(
            f"{where}: images must have shape (N, H, W) or (N, H, W, C) with C in 1-4, received shape {images.shape}"
        )
    if not np.issubdtype(images.dtype, np.integer):
        raise ValueError(
            f"{where}: images must be integer pixels 0-255 (uint8), received dtype "
            f"{images.dtype}; convert e.g. with (x * 255).round().astype('uint8')"
        )
    if images.size and (images.min() < 0 or images.max() > 255):
        raise ValueError(f"{where}: pixel values must be in [0, 255], received [{images.min()}, {images.max()}]")
    return images.astype(np.uint8, copy=False)


def _check_npz_labels(labels: np.ndarray, where: str) -> np.ndarray:
    if labels.ndim == 2 and labels.shape[1] == 1:
        # (N, 1) -> (N,), the layout of keras.datasets.cifar10
        labels = labels[:, 0]
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{where}: labels must be integers of shape (N,) or (N, 1), received "
            f"shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.size and labels.min() < 0:
        raise ValueError(f"{where}: labels must be >= 0, received minimum {labels.min()}")
    return labels.astype(np.int64)


def _visible_subfolders(directory: Path) -> list[Path]:
    return sorted(entry for entry in directory.iterdir() if entry.is_dir() and not entry.name.startswith("."))


def _decode_grey(path: Path) -> np.ndarray:
    """Reads an image file as uint8 grey (H, W) (ITU-R 601 luma, alpha dropped)."""
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("L"))
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(f"{path}: cannot decode image: {error}") from error
