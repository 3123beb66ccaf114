"""Tests of keras_gans.data: every loader, the tf.data pipeline, bad input."""

import gzip
import hashlib
import socket
import struct
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

import keras_gans.data
from keras_gans.data import (
    DATA_DIR_ENV,
    denormalize,
    describe,
    load_arrays,
    load_dataset,
    normalize,
    tfds_source,
    to_uint8,
)

MNIST_DIR = Path(keras_gans.data.__file__).parent / "mnist"
# Published SHA-256 of the uncompressed MNIST files.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MNIST_TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
# Pixel value of every pixel of a synthetic image of class `label`.
PIXEL_STEP = 25


# --- helpers writing small datasets ------------------------------------------


def write_idx_images(path: Path, images: np.ndarray, magic: int = 2051) -> None:
    count, rows, cols = images.shape
    data = struct.pack(">IIII", magic, count, rows, cols) + images.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def write_idx_labels(path: Path, labels: np.ndarray, magic: int = 2049) -> None:
    data = struct.pack(">II", magic, len(labels)) + labels.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def labelled_images(labels, size: int = 28) -> np.ndarray:
    """uint8 (N, size, size): every pixel of image i is labels[i] * PIXEL_STEP."""
    labels = np.asarray(labels)
    return np.broadcast_to((labels * PIXEL_STEP).astype(np.uint8)[:, None, None], (len(labels), size, size)).copy()


def write_idx_dataset(folder: Path, train_labels, test_labels, gz: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for prefix, labels in (("train", train_labels), ("t10k", test_labels)):
        labels = np.asarray(labels)
        write_idx_images(folder / f"{prefix}-images-idx3-ubyte{suffix}", labelled_images(labels))
        write_idx_labels(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)


def epoch_labels(dataset) -> np.ndarray:
    return np.concatenate([labels.numpy() for _, labels in dataset])


# --- bundled MNIST -------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(MNIST_SHA256))
def test_bundled_mnist_matches_published_checksums(filename):
    data = gzip.decompress((MNIST_DIR / filename).read_bytes())
    assert hashlib.sha256(data).hexdigest() == MNIST_SHA256[filename]


def test_bundled_mnist_arrays():
    images, labels = load_arrays("mnist", "train")
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == MNIST_TRAIN_CLASS_COUNTS
    assert images.min() == 0 and images.max() == 255

    test_images, test_labels = load_arrays("mnist", "test")
    assert test_images.shape == (10000, 28, 28, 1)
    assert np.bincount(test_labels).tolist() == MNIST_TEST_CLASS_COUNTS

    first, first_labels = load_arrays("mnist", "train", limit=100)
    np.testing.assert_array_equal(first, images[:100])
    np.testing.assert_array_equal(first_labels, labels[:100])


def test_bundled_mnist_full_epoch_through_pipeline():
    dataset = load_dataset("mnist", batch_size=2000, labels=True)
    seen_labels, minimum, maximum = [], np.inf, -np.inf
    for images, labels in dataset:
        assert images.dtype == tf.float32 and images.shape[1:] == (28, 28, 1)
        assert labels.dtype == tf.int32
        minimum = min(minimum, float(tf.reduce_min(images)))
        maximum = max(maximum, float(tf.reduce_max(images)))
        seen_labels.append(labels.numpy())
    assert minimum == -1.0 and maximum == 1.0
    assert np.bincount(np.concatenate(seen_labels)).tolist() == MNIST_TRAIN_CLASS_COUNTS


def test_describe_bundled_mnist():
    info = describe("mnist", "test")
    assert info.num_examples == 10000 and info.num_classes == 10
    assert info.class_names == tuple("0123456789")
    assert info.class_counts == tuple(MNIST_TEST_CLASS_COUNTS)
    assert info.image_shape == (28, 28, 1)
    assert "10,000 images of 28x28x1" in str(info)


def test_mnist_resized_to_image_size():
    images, _ = load_arrays("mnist", limit=8, image_size=32)
    assert images.shape == (8, 32, 32, 1) and images.dtype == np.uint8
    batch = next(iter(load_dataset("mnist", limit=8, batch_size=8, image_size=16)))
    assert batch.shape == (8, 16, 16, 1)


# --- loaders of local files ---------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_idx_directory(tmp_path, gz):
    train_labels = np.arange(30) % 10
    test_labels = np.array([3, 1, 4, 1, 5])
    write_idx_dataset(tmp_path, train_labels, test_labels, gz)

    images, labels = load_arrays(tmp_path, "train")
    assert images.shape == (30, 28, 28, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(labels, train_labels)
    np.testing.assert_array_equal(images[..., 0], labelled_images(train_labels))

    images, labels = load_arrays(str(tmp_path), "test")
    np.testing.assert_array_equal(labels, test_labels)
    np.testing.assert_array_equal(images[..., 0], labelled_images(test_labels))


def test_tfds_name_reads_idx_files_from_data_dir_and_env(tmp_path, monkeypatch):
    write_idx_dataset(tmp_path / "fashion_mnist", np.arange(10), np.arange(10), gz=True)

    info = describe("fashion_mnist", data_dir=tmp_path)
    assert info.num_examples == 10
    assert info.class_names[0] == "T-shirt/top" and info.class_names[9] == "Ankle boot"

    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    images, labels = load_arrays("fashion_mnist", split="test")
    np.testing.assert_array_equal(labels, np.arange(10))
    assert images.shape == (10, 28, 28, 1)


def test_npz_keras_layout(tmp_path):
    path = tmp_path / "mnist.npz"
    y_train, y_test = np.arange(12) % 4, np.array([2, 0])
    np.savez(
        path,
        x_train=labelled_images(y_train),
        y_train=y_train.astype(np.uint8),
        x_test=labelled_images(y_test),
        # (N, 1) labels, as keras.datasets.cifar10 stores them.
        y_test=y_test[:, None],
    )
    images, labels = load_arrays(path, "train")
    np.testing.assert_array_equal(images[..., 0], labelled_images(y_train))
    np.testing.assert_array_equal(labels, y_train)
    assert labels.dtype == np.int64

    info = describe(str(path), "test")
    assert info.num_examples == 2 and info.num_classes == 4


def test_npz_images_labels_layout_rgb_resized(tmp_path):
    path = tmp_path / "colour.npz"
    red = np.zeros((5, 32, 32, 3), np.uint8)
    red[..., 0] = 255
    np.savez(path, images=red, labels=np.zeros(5, np.int64))
    images, labels = load_arrays(path, image_size=28)
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.uint8
    # ITU-R 601 luma of pure red: 0.2989 * 255 = 76.2
    assert np.all(images == 76)
    np.testing.assert_array_equal(labels, np.zeros(5))


def _save_image(path: Path, size, colour, mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)


def test_image_folder_greyscales_and_resizes(tmp_path):
    # Classes sorted by name: bird=0, cat=1, dog=2.
    _save_image(tmp_path / "cat" / "a.png", (20, 20), 50, "L")
    _save_image(tmp_path / "cat" / "b.PNG", (40, 30), (0, 0, 255), "RGB")
    _save_image(tmp_path / "dog" / "nested" / "c.bmp", (28, 28), 200, "L")
    _save_image(tmp_path / "dog" / "d.gif", (64, 64), 100, "L")
    _save_image(tmp_path / "bird" / "e.png", (100, 50), (10, 200, 30, 255), "RGBA")
    _save_image(tmp_path / "bird" / "f.jpg", (28, 28), 180, "L")
    (tmp_path / "bird" / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden").mkdir()

    images, labels = load_arrays(tmp_path, image_size=28)
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2, 2])
    # Constant images stay constant through resizing; colour becomes luma
    # 0.299 R + 0.587 G + 0.114 B (blue 255 -> 29, (10, 200, 30) -> 124).
    expected = [124, 180, 50, 29, 100, 200]  # dog/d.gif sorts before dog/nested/
    per_image_values = images.reshape(6, -1)
    np.testing.assert_allclose(per_image_values.min(axis=1), expected, atol=2)
    np.testing.assert_allclose(per_image_values.max(axis=1), expected, atol=2)

    info = describe(tmp_path, image_size=16)
    assert info.class_names == ("bird", "cat", "dog")
    assert info.class_counts == (2, 2, 2) and info.image_shape == (16, 16, 1)


def test_image_folder_with_split_subfolders(tmp_path):
    for split, count in (("train", 3), ("test", 2)):
        for index in range(count):
            _save_image(tmp_path / split / "x" / f"{index}.png", (28, 28), 10, "L")
            _save_image(tmp_path / split / "y" / f"{index}.png", (28, 28), 20, "L")
    _, train_labels = load_arrays(tmp_path, "train")
    _, test_labels = load_arrays(tmp_path, "test")
    np.testing.assert_array_equal(train_labels, [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(test_labels, [0, 0, 1, 1])


class KerasGansTinyShapes(tfds.core.GeneratorBasedBuilder):
    """A TFDS dataset generated offline: RGB 32x32, pixel value = 25 * label."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        # DatasetInfo directly: dataset_info_from_configs needs a package dir.
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(32, 32, 3)),
                    "label": tfds.features.ClassLabel(names=["circle", "square", "triangle"]),
                }
            ),
            supervised_keys=("image", "label"),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(12), "test": self._generate_examples(6)}

    def _generate_examples(self, count):
        for index in range(count):
            label = index % 3
            yield index, {"image": np.full((32, 32, 3), label * PIXEL_STEP, np.uint8), "label": label}


def test_tfds_dataset_already_prepared_in_data_dir(tmp_path):
    # As if prepared on a machine with network access and copied here.
    KerasGansTinyShapes(data_dir=tmp_path).download_and_prepare()
    dataset, info = load_dataset(
        "keras_gans_tiny_shapes",
        data_dir=tmp_path,
        labels=True,
        batch_size=12,
        with_info=True,
    )
    images, labels = next(iter(dataset))
    assert images.shape == (12, 28, 28, 1) and images.dtype == tf.float32
    assert np.bincount(labels).tolist() == [4, 4, 4]
    # Grey RGB (v, v, v) has luma v = 25 * label.
    expected_pixels = normalize((labels.numpy() * PIXEL_STEP).astype(np.uint8))
    np.testing.assert_allclose(images[:, 3, 3, 0], expected_pixels, atol=1e-6)
    assert info.class_names == ("circle", "square", "triangle")
    assert info.num_examples == 12 and info.class_counts == (4, 4, 4)
    assert describe("keras_gans_tiny_shapes", "test", data_dir=tmp_path, limit=4).num_examples == 4
    with pytest.raises(ValueError, match=r"split must be one of \['test', 'train'\].*'validation'"):
        load_arrays("keras_gans_tiny_shapes", "validation", data_dir=tmp_path)


class KerasGansTinyUnlabelled(tfds.core.GeneratorBasedBuilder):
    """A TFDS dataset of RGB images of two sizes and no labels."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.FeaturesDict({"image": tfds.features.Image(shape=(None, None, 3))}),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        for index, (height, width) in enumerate([(20, 20), (40, 30), (28, 28)]):
            yield index, {"image": np.full((height, width, 3), 90, np.uint8)}


def test_tfds_dataset_of_variable_size_unlabelled_images(tmp_path):
    KerasGansTinyUnlabelled(data_dir=tmp_path).download_and_prepare()
    images, labels = load_arrays("keras_gans_tiny_unlabelled", data_dir=tmp_path, image_size=12)
    assert images.shape == (3, 12, 12, 1) and images.dtype == np.uint8
    assert np.all(images == 90)
    np.testing.assert_array_equal(labels, [0, 0, 0])
    assert describe("keras_gans_tiny_unlabelled", data_dir=tmp_path).num_classes == 1


# --- the tf.data pipeline ------------------------------------------------------


@pytest.fixture
def indexed_idx_dir(tmp_path):
    """100 examples; image i has pixels 25 * label, label = i % 10."""
    write_idx_dataset(tmp_path, np.arange(100) % 10, np.arange(10), gz=False)
    return tmp_path


def test_labels_stay_aligned_with_images_after_shuffling(indexed_idx_dir):
    dataset = load_dataset(indexed_idx_dir, batch_size=7, labels=True, shuffle=True, seed=3)
    all_labels = []
    for images, labels in dataset:
        expected_pixels = normalize((labels.numpy() * PIXEL_STEP).astype(np.uint8))
        np.testing.assert_array_equal(images[:, 5, 5, 0], expected_pixels)
        np.testing.assert_array_equal(tf.reduce_max(images, axis=[1, 2, 3]), expected_pixels)
        all_labels.append(labels.numpy())
    all_labels = np.concatenate(all_labels)
    assert np.bincount(all_labels).tolist() == [10] * 10
    assert not np.array_equal(all_labels, np.arange(100) % 10), "examples were not shuffled"


def test_shuffle_seed_reproducible_and_reshuffled_each_epoch(indexed_idx_dir):
    def two_epochs(seed):
        dataset = load_dataset(indexed_idx_dir, batch_size=10, labels=True, seed=seed)
        return epoch_labels(dataset), epoch_labels(dataset)

    first, second = two_epochs(seed=7)
    again_first, again_second = two_epochs(seed=7)
    np.testing.assert_array_equal(first, again_first)
    np.testing.assert_array_equal(second, again_second)
    assert not np.array_equal(first, second), "same order in two epochs"
    assert not np.array_equal(first, two_epochs(seed=8)[0]), "seed has no effect"


def test_unshuffled_keeps_file_order_and_drop_remainder(indexed_idx_dir):
    dataset = load_dataset(indexed_idx_dir, batch_size=16, labels=True, shuffle=False)
    assert [len(labels) for _, labels in dataset] == [16] * 6 + [4]
    np.testing.assert_array_equal(epoch_labels(dataset), np.arange(100) % 10)
    dropped = load_dataset(indexed_idx_dir, batch_size=16, drop_remainder=True, cache=False)
    assert [len(images) for images in dropped] == [16] * 6
    assert dropped.element_spec.shape.as_list() == [16, 28, 28, 1]


def test_one_hot_labels(indexed_idx_dir):
    images, one_hot = next(iter(load_dataset(indexed_idx_dir, batch_size=32, labels=True, one_hot=True)))
    assert one_hot.dtype == tf.float32 and one_hot.shape == (32, 10)
    np.testing.assert_array_equal(tf.reduce_sum(one_hot, axis=1), np.ones(32))
    labels_from_pixels = np.round(to_uint8(images)[:, 0, 0, 0].numpy() / PIXEL_STEP)
    np.testing.assert_array_equal(tf.argmax(one_hot, axis=1), labels_from_pixels)


def test_images_only_by_default(indexed_idx_dir):
    dataset = load_dataset(indexed_idx_dir, batch_size=8)
    assert dataset.element_spec == tf.TensorSpec((None, 28, 28, 1), tf.float32)


# --- pixel conversions ---------------------------------------------------------


def test_normalize_and_to_uint8_round_trip_numpy_and_tensor():
    pixels = np.arange(256, dtype=np.uint8)
    normalized = normalize(pixels)
    assert normalized.dtype == np.float32
    assert normalized[0] == -1.0 and normalized[255] == 1.0
    np.testing.assert_array_equal(to_uint8(normalized), pixels)
    tensor_pixels = to_uint8(normalize(tf.constant(pixels)))
    assert tensor_pixels.dtype == tf.uint8
    np.testing.assert_array_equal(tensor_pixels, pixels)


def test_denormalize_and_to_uint8_clip_out_of_range_values():
    values = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 1.5], np.float32)
    np.testing.assert_allclose(denormalize(values), [0.0, 0.0, 0.5, 0.75, 1.0, 1.0])
    np.testing.assert_allclose(denormalize(tf.constant(values)), [0.0, 0.0, 0.5, 0.75, 1.0, 1.0])
    # 0 -> 127.5 rounds half to even: 128.
    np.testing.assert_array_equal(to_uint8(values), [0, 0, 128, 191, 255, 255])
    assert to_uint8(values).dtype == np.uint8


# --- offline TFDS ---------------------------------------------------------------


def test_tfds_download_fails_fast_and_explains_offline_options(tmp_path, monkeypatch):
    # A proxy on a closed local port makes the download host unreachable
    # whether or not this machine has network access.
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(variable, f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(ConnectionError, match=r"'fashion_mnist' is not prepared in data_dir=") as error:
        load_dataset("fashion_mnist", data_dir=tmp_path)
    message = str(error.value)
    assert DATA_DIR_ENV in message and "train-images-idx3-ubyte.gz" in message


def test_connection_probe():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert tfds_source._can_connect("127.0.0.1", server.getsockname()[1], timeout=3)
    assert not tfds_source._can_connect("127.0.0.1", _closed_port(), timeout=3)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- bad input -------------------------------------------------------------------


def test_unknown_dataset_name_lists_accepted_names():
    with pytest.raises(ValueError, match=r"Unknown dataset name='mnsit'.*Did you mean 'mnist'.*\.npz"):
        load_arrays("mnsit")


def test_missing_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_arrays(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="No such file or directory.*nowhere"):
        load_dataset(str(tmp_path / "nowhere"))
    write_idx_images(tmp_path / "train-images-idx3-ubyte", labelled_images([1, 2]))
    with pytest.raises(FileNotFoundError, match=r"train-labels-idx1-ubyte\[\.gz\].*not found"):
        load_arrays(tmp_path)


def test_truncated_idx_files(tmp_path):
    write_idx_dataset(tmp_path, [1, 2, 3], [1], gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: file truncated.*3 images of 28x28"):
        load_arrays(tmp_path)
    path.write_bytes(path.read_bytes()[:10])
    with pytest.raises(ValueError, match="shorter than the 16-byte header"):
        load_arrays(tmp_path)

    gz_dir = tmp_path / "gz"
    write_idx_dataset(gz_dir, [1, 2, 3], [1], gz=True)
    gz_path = gz_dir / "t10k-labels-idx1-ubyte.gz"
    gz_path.write_bytes(gz_path.read_bytes()[:-6])
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz: not a valid gzip file"):
        load_arrays(gz_dir, "test")


def test_wrong_idx_magic_number(tmp_path):
    write_idx_dataset(tmp_path, [1, 2], [1], gz=False)
    write_idx_images(tmp_path / "train-images-idx3-ubyte", labelled_images([1, 2]), magic=2049)
    with pytest.raises(ValueError, match="wrong IDX magic number 2049, expected 2051"):
        load_arrays(tmp_path)


def test_image_label_count_mismatch(tmp_path):
    write_idx_dataset(tmp_path, [1, 2, 3], [1], gz=True)
    write_idx_labels(tmp_path / "train-labels-idx1-ubyte.gz", np.array([1, 2]))
    with pytest.raises(ValueError, match="count mismatch.*3 images.*2 labels"):
        load_arrays(tmp_path)
    npz_path = tmp_path / "data.npz"
    np.savez(npz_path, images=labelled_images([1, 2, 3]), labels=np.array([1, 2]))
    with pytest.raises(ValueError, match="data.npz: image/label count mismatch"):
        load_arrays(npz_path)


def test_bad_npz_files(tmp_path):
    mixed = np.empty(2, dtype=object)
    mixed[0], mixed[1] = np.zeros((28, 28), np.uint8), np.zeros((32, 32), np.uint8)
    path = tmp_path / "mixed.npz"
    np.savez(path, images=mixed, labels=np.array([0, 1]))
    with pytest.raises(ValueError, match="mixed.npz: .*images of mixed sizes"):
        load_arrays(path)

    path = tmp_path / "keys.npz"
    np.savez(path, pictures=labelled_images([1]), classes=np.array([1]))
    with pytest.raises(ValueError, match=r"keys.npz: unrecognized keys \['classes', 'pictures'\]"):
        load_arrays(path)

    path = tmp_path / "float.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.float32), labels=np.array([0, 1]))
    with pytest.raises(ValueError, match="images must be integer pixels 0-255.*float32"):
        load_arrays(path)

    path = tmp_path / "single.npz"
    np.savez(path, images=labelled_images([1]), labels=np.array([1]))
    with pytest.raises(ValueError, match="single split.*received split='test'"):
        load_arrays(path, "test")


def test_flat_image_folder_is_an_unlabeled_dataset(tmp_path):
    for index, size in enumerate([(28, 28), (56, 40), (28, 28)]):
        _save_image(tmp_path / f"{index}.png", size, 60 * index, "L")
    (tmp_path / "notes.txt").write_text("not an image")
    images, labels = load_arrays(tmp_path)
    assert images.shape == (3, 28, 28, 1) and images.dtype == np.uint8
    assert labels.tolist() == [-1, -1, -1]
    assert [int(images[i].mean()) for i in range(3)] == [0, 60, 120]
    dataset, info = load_dataset(tmp_path, batch_size=3, with_info=True, shuffle=False)
    assert not info.labeled and info.num_classes == 0
    assert "3 images of 28x28x1, unlabeled" in str(info)
    assert next(iter(dataset)).shape == (3, 28, 28, 1)
    with pytest.raises(ValueError, match="has no labels .*flat image folder.*one sub-folder per class"):
        load_dataset(tmp_path, batch_size=3, labels=True)


def test_bad_image_folders(tmp_path):
    with pytest.raises(ValueError, match="no images .* and no class sub-folders"):
        load_arrays(tmp_path)
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match=r"no images \(.png.*\['cats'\]"):
        load_arrays(tmp_path)
    (tmp_path / "cats" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png: cannot decode image"):
        load_arrays(tmp_path)
    with pytest.raises(ValueError, match="without split sub-folders.*received split='test'"):
        load_arrays(tmp_path, "test")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"split": "validation"}, r"split must be one of \['train', 'test'\] for mnist, received split='validation'"),
        ({"batch_size": 0}, "batch_size must be an integer > 0, received batch_size=0"),
        ({"batch_size": -4}, "batch_size must be an integer > 0, received batch_size=-4"),
        ({"image_size": 0}, "image_size must be an integer > 0, received image_size=0"),
        ({"limit": 0}, "limit must be an integer > 0, received limit=0"),
        ({"one_hot": True}, "one_hot=True needs labels=True"),
        ({"limit": 10, "batch_size": 11, "drop_remainder": True}, "yields no batch from the 10 examples"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("mnist", **kwargs)
