"""Image datasets from TensorFlow Datasets (TFDS), with a fast offline failure.

TFDS retries an unreachable download host for minutes. Before downloading a
dataset that is not prepared yet, `load_tfds` checks within a few seconds
that the host accepts connections and otherwise raises a `ConnectionError`
that explains how to load the dataset from local files.
"""

import difflib
import os
import socket
import threading
import urllib.parse
import urllib.request

import numpy as np
import tensorflow as tf

from keras_gans.data.files import LoadedData
from keras_gans.data.info import KNOWN_CLASS_NAMES, DatasetInfo
from keras_gans.data.transforms import fit_images_tensor

DATA_DIR_ENV = "KERAS_GANS_DATA_DIR"
ACCEPTED_NAMES = (
    '"mnist" (bundled), "fashion_mnist" or another TensorFlow Datasets image dataset '
    "name (see tfds.list_builders()), or a path: a folder of MNIST-layout IDX files, "
    "an .npz file, or a folder of images with one sub-folder per class"
)
MNIST_LAYOUT_FILES = (
    "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"
)
PROBE_TIMEOUT_SECONDS = 3.0
_READ_BATCH_SIZE = 1024


def load_tfds(
    name: str,
    split: str,
    image_size: int,
    limit: int | None,
    data_dir: str | None,
) -> LoadedData:
    """Loads split `split` of the TFDS image dataset `name` into memory.

    Downloads and prepares it in `data_dir` (TFDS default `~/tensorflow_datasets`
    when None) unless already prepared. The image feature is the first of
    `info.supervised_keys`, else "image"; the label feature the second, else
    "label"; a dataset without labels gets label 0 everywhere. Images are
    greyscaled and resized to `image_size`.

    Raises:
        ValueError: unknown dataset name, unknown split, or not an image dataset.
        ConnectionError: the dataset is not prepared and cannot be downloaded.
    """
    # Imported here: TFDS is only needed (and only paid for) for TFDS names.
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as error:
        # Community datasets are listed from GCS (slow, online): not suggested.
        known = sorted(set(tfds.list_builders(with_community_datasets=False)))
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" Did you mean {' or '.join(repr(match) for match in close)}?" if close else ""
        raise ValueError(
            f"Unknown dataset name={name!r} (not a TFDS dataset, nor an existing file or "
            f"folder).{hint} Accepted: {ACCEPTED_NAMES}."
        ) from error

    if not builder.is_prepared():
        _check_download_host(builder, name, data_dir)
        try:
            builder.download_and_prepare()
        except OSError as error:
            raise ConnectionError(
                f"Downloading TFDS dataset {name!r} failed: {error}\n{_offline_help(builder, name)}"
            ) from error

    info = builder.info
    if split not in info.splits:
        raise ValueError(
            f"split must be one of {sorted(info.splits)} for TFDS dataset {name!r}, received split={split!r}"
        )
    image_key, label_key = _feature_keys(info, name)
    label_feature = info.features[label_key] if label_key else None
    class_names = tuple(getattr(label_feature, "names", None) or ()) or KNOWN_CLASS_NAMES.get(name)
    num_classes = getattr(label_feature, "num_classes", None) if label_key else 1

    dataset = builder.as_dataset(split=split if limit is None else f"{split}[:{limit}]", shuffle_files=False)
    images, labels = _read_all(dataset, image_key, label_key, info.features[image_key].shape, image_size)
    if num_classes is None:
        num_classes = int(labels.max(initial=0)) + 1
    return (
        images,
        labels,
        DatasetInfo.from_arrays(
            name,
            split,
            images,
            labels,
            source=f"TFDS {builder.name} {builder.version} in {builder.data_dir}",
            num_classes=num_classes,
            class_names=class_names or None,
        ),
    )


def _feature_keys(info, name: str) -> tuple[str, str | None]:
    """(image feature key, label feature key or None)."""
    import tensorflow_datasets as tfds

    image_key, label_key = info.supervised_keys or ("image", "label")
    features = info.features
    if image_key not in features or not isinstance(features[image_key], tfds.features.Image):
        raise ValueError(
            f"TFDS dataset {name!r} is not an image dataset: no Image feature "
            f"{image_key!r} among its features {sorted(features.keys())}"
        )
    return image_key, label_key if label_key in features else None


def _read_all(
    dataset: tf.data.Dataset, image_key: str, label_key: str | None, image_shape: tuple, image_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Reads (image, label) examples into uint8 (N, s, s, 1) and int64 (N,) arrays."""

    def select(example):
        label = example[label_key] if label_key else tf.constant(0, tf.int64)
        return example[image_key], tf.cast(label, tf.int64)

    def fit_one(image, label):
        # (H, W, C) -> (1, H, W, C) -> (1, s, s, 1) -> (s, s, 1)
        return fit_images_tensor(image[tf.newaxis], image_size)[0], label

    def fit_batch(images, labels):
        return fit_images_tensor(images, image_size), labels

    dataset = dataset.map(select, num_parallel_calls=tf.data.AUTOTUNE)
    if None in image_shape:
        # Images of different sizes cannot be batched before resizing.
        dataset = dataset.map(fit_one, num_parallel_calls=tf.data.AUTOTUNE).batch(_READ_BATCH_SIZE)
    else:
        dataset = dataset.batch(_READ_BATCH_SIZE).map(fit_batch, num_parallel_calls=tf.data.AUTOTUNE)
    image_batches, label_batches = [], []
    for images, labels in dataset.prefetch(tf.data.AUTOTUNE):
        image_batches.append(images.numpy())
        label_batches.append(labels.numpy())
    if not image_batches:
        return np.zeros((0, image_size, image_size, 1), np.uint8), np.zeros((0,), np.int64)
    return np.concatenate(image_batches), np.concatenate(label_batches)


def _check_download_host(builder, name: str, data_dir: str | None) -> None:
    """Raises ConnectionError within seconds if the download host is unreachable.

    The host is taken from the builder's `URL` attribute (MNIST-family
    builders have one), else from the dataset's homepage as a sign of network
    access. Through an HTTP(S) proxy, the proxy is probed. Datasets prepared
    from manually downloaded files need no network and are not probed.
    """
    if getattr(builder, "MANUAL_DOWNLOAD_INSTRUCTIONS", None):
        return
    for url in (getattr(builder, "URL", None), builder.info.homepage):
        parsed = urllib.parse.urlparse(url or "")
        if parsed.hostname:
            break
    else:
        return
    proxy = urllib.request.getproxies().get(parsed.scheme)
    if proxy:
        parsed = urllib.parse.urlparse(proxy)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not _can_connect(parsed.hostname, port, PROBE_TIMEOUT_SECONDS):
        where = f"data_dir={data_dir!r}" if data_dir else "the default TFDS data_dir"
        raise ConnectionError(
            f"TFDS dataset {name!r} is not prepared in {where} and its download host "
            f"{parsed.hostname}:{port} is unreachable within {PROBE_TIMEOUT_SECONDS:g} s "
            f"(no network?).\n{_offline_help(builder, name)}"
        )


def _offline_help(builder, name: str) -> str:
    return (
        "To load it from local files instead:\n"
        f"  - pass data_dir=DIR (or set the {DATA_DIR_ENV} environment variable) where "
        f"DIR is a TFDS data directory in which {name!r} is already prepared (e.g. copied "
        "from a machine with network access), or a folder with the dataset's IDX files: "
        f"for an MNIST-layout dataset such as Fashion-MNIST, download the 4 files "
        f"{MNIST_LAYOUT_FILES} (from {builder.info.homepage}) into DIR or DIR/{name}/, "
        f"then load_dataset({name!r}, data_dir=DIR);\n"
        "  - or pass the path itself as the name: a folder of IDX files, an .npz file, or "
        "a folder of images with one sub-folder per class, e.g. "
        "load_dataset('/data/fashion_mnist')."
    )


def _can_connect(host: str, port: int, timeout: float) -> bool:
    """True if a TCP connection to host:port opens within `timeout` seconds."""
    connected = threading.Event()

    def connect():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                connected.set()
        except OSError:
            pass

    # A thread bounds the whole probe: name resolution ignores socket timeouts.
    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(timeout)
    return connected.is_set()


def default_data_dir(data_dir: str | None) -> str | None:
    """`data_dir` if given, else the KERAS_GANS_DATA_DIR environment variable, else None."""
    if data_dir is not None:
        return os.fspath(data_dir)
    return os.environ.get(DATA_DIR_ENV) or None
