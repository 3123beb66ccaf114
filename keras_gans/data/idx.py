"""Reading the IDX files of MNIST and Fashion-MNIST.

IDX (http://yann.lecun.com/exdb/mnist/) is a big-endian binary format: a
4-byte magic number, one 4-byte size per dimension, then the values. MNIST and
Fashion-MNIST use two kinds of file:

| file | magic | header | body |
| --- | --- | --- | --- |
| images (`*-images-idx3-ubyte`) | 2051 | count, rows, cols | count*rows*cols uint8 pixels |
| labels (`*-labels-idx1-ubyte`) | 2049 | count | count uint8 labels |

Files may be gzip-compressed (name ending in `.gz`), as they are published.
"""

import gzip
import os
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

# Official file-name prefix of each split in the MNIST layout.
SPLIT_PREFIXES = {"train": "train", "test": "t10k"}
IDX_FILE_PATTERN = re.compile(r"^(train|t10k)-(images-idx3|labels-idx1)-ubyte(\.gz)?$")

# A path, or an `importlib.resources` Traversable (has `.name` and
# `.read_bytes()` like a Path), so that package data is read zip-safely.
PathOrResource = Union[str, os.PathLike, "Traversable"]


def read_idx_images(path: PathOrResource) -> np.ndarray:
    """Reads an IDX image file (magic 2051), gzip-compressed or not.

    Returns:
        uint8 array of shape (count, rows, cols), pixel values 0-255.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: wrong magic number, or a file size that disagrees with the
            header (truncated or corrupt file).
    """
    data, source = _read_bytes(path)
    count, rows, cols = _parse_header(data, source, IMAGES_MAGIC, "images", 3)
    pixels = _parse_body(
        data, source, header_bytes=16, expected=count * rows * cols, what=f"{count} images of {rows}x{cols}"
    )
    # (count*rows*cols,) -> (count, rows, cols)
    return pixels.reshape(count, rows, cols)


def read_idx_labels(path: PathOrResource) -> np.ndarray:
    """Reads an IDX label file (magic 2049), gzip-compressed or not.

    Returns:
        int64 array of shape (count,).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: wrong magic number, or a file size that disagrees with the
            header (truncated or corrupt file).
    """
    data, source = _read_bytes(path)
    (count,) = _parse_header(data, source, LABELS_MAGIC, "labels", 1)
    labels = _parse_body(data, source, header_bytes=8, expected=count, what=f"{count} labels")
    return labels.astype(np.int64)


def find_idx_files(directory: str | os.PathLike, split: str) -> tuple[Path, Path]:
    """Finds the images and labels files of `split` in an MNIST-layout folder.

    The layout is that of MNIST and Fashion-MNIST:
    `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
    `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`.
    An uncompressed file is preferred over its `.gz` twin (faster to read).

    Returns:
        (images_path, labels_path).

    Raises:
        ValueError: `split` is not "train" or "test".
        FileNotFoundError: a file of the split is missing.
    """
    if split not in SPLIT_PREFIXES:
        raise ValueError(
            f"split must be one of {sorted(SPLIT_PREFIXES)} for a folder of IDX files, received split={split!r}"
        )
    directory = Path(directory)
    prefix = SPLIT_PREFIXES[split]
    found = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        candidates = [directory / stem, directory / f"{stem}.gz"]
        existing = [path for path in candidates if path.is_file()]
        if not existing:
            raise FileNotFoundError(f"IDX file {stem}[.gz] for split={split!r} not found in {directory}")
        found.append(existing[0])
    return found[0], found[1]


def is_idx_directory(directory: str | os.PathLike) -> bool:
    """True if `directory` holds at least one MNIST-layout IDX file."""
    directory = Path(directory)
    return directory.is_dir() and any(IDX_FILE_PATTERN.match(entry.name) for entry in directory.iterdir())


def _read_bytes(path: PathOrResource) -> tuple[bytes, str]:
    """Returns (file content, gunzipped if the name ends in .gz; name for errors)."""
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"IDX file not found: {path}")
    source = str(path)
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{source}: not a valid gzip file (truncated or corrupt?): {error}") from error
    return data, source


def _parse_header(data: bytes, source: str, magic: int, kind: str, num_dims: int) -> tuple:
    header_bytes = 4 * (1 + num_dims)
    if len(data) < header_bytes:
        raise ValueError(
            f"{source}: truncated IDX {kind} file, {len(data)} bytes is shorter than the {header_bytes}-byte header"
        )
    header = np.frombuffer(data, dtype=">u4", count=1 + num_dims)
    if header[0] != magic:
        raise ValueError(f"{source}: wrong IDX magic number {int(header[0])}, expected {magic} for an IDX {kind} file")
    return tuple(int(size) for size in header[1:])


def _parse_body(data: bytes, source: str, header_bytes: int, expected: int, what: str) -> np.ndarray:
    received = len(data) - header_bytes
    if received != expected:
        problem = "truncated" if received < expected else "has trailing data"
        raise ValueError(
            f"{source}: file {problem}: its header announces {what} ({expected} bytes "
            f"after the header), but the file holds {received} bytes after the header"
        )
    # Copy: np.frombuffer over `bytes` is read-only, callers expect a normal array.
    return np.frombuffer(data, dtype=np.uint8, offset=header_bytes).copy()
