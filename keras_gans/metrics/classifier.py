"""The digit classifier whose features and predictions the metrics use.

Why not Inception-v3, as in the published FID / Inception Score? Its features
are trained on 299×299 colour photographs of ImageNet objects; 28×28
greyscale digits would have to be upscaled and tripled into RGB, far outside
what the network has seen, and its 1000 classes say nothing about digits. A
small CNN trained on the dataset itself (≥ 99 % MNIST test accuracy) gives
features that separate digit shapes and a p(y|x) over the ten digits, which is
what the class-coverage metrics need.

The price: numbers computed here are not comparable with FID/IS values in
papers (other datasets, other networks). They are only comparable with each
other when computed with the same classifier and the same sample sizes. So,
like every FID implementation pins its Inception weights, the package ships
the MNIST classifier's weights (`pinned/`, 3.6 MB, SHA-256 checked at load):
every machine scores with the same network, and no one waits for training.
`benchmarks/train_classifier.py` rebuilds them.
"""

import hashlib
import json
import os
import re
import time
from pathlib import Path

import keras
import numpy as np

from keras_gans.data import describe, load_dataset, normalize

_IMAGE_SHAPE = (28, 28, 1)
PINNED_DIRECTORY = Path(__file__).with_name("pinned")
# SHA-256 of the shipped weights of `build_classifier()` per dataset
# (test accuracy and training settings in pinned/classifier_<dataset>.json).
PINNED_SHA256 = {
    "mnist": "7a834d7209b91787ae01d3ca5bf5d1def7a3c727f430ebe46b2fb8f2a170fd5a",
}


def build_classifier(
    num_classes: int = 10,
    filters: tuple[int, ...] = (32, 64, 128),
    feature_dim: int = 128,
    dropout: float = 0.3,
    seed: int = 0,
) -> keras.Model:
    """A small CNN classifier of 28×28×1 images in [-1, 1].

    3×3 ReLU convolutions, each but the last followed by 2×2 max-pooling,
    then a dense ReLU layer named "features" (the embedding used by the
    Fréchet / kernel / k-NN metrics) and a softmax layer named
    "probabilities". No batch normalisation: it was not needed for 99 %, and
    without moving statistics even a briefly trained model predicts well.

    Args:
        num_classes: number of output classes.
        filters: channels of each convolution (each but the last is followed
            by pooling, so 3 convolutions end at 7×7).
        feature_dim: size of the "features" layer.
        dropout: dropout rate before and after the feature layer.
        seed: seed of the weight initialisers and dropout masks.

    Returns:
        An uncompiled `keras.Model` mapping images `(batch, 28, 28, 1)` to
        probabilities `(batch, num_classes)`.
    """
    if num_classes < 2:
        raise ValueError(f"num_classes must be >= 2, received num_classes={num_classes}")
    if feature_dim < 1:
        raise ValueError(f"feature_dim must be >= 1, received feature_dim={feature_dim}")
    if not filters or min(filters) < 1 or len(filters) > 3:
        raise ValueError(f"filters must hold 1 to 3 positive channel counts, received filters={filters}")

    def initializer(index: int) -> keras.initializers.Initializer:
        # A distinct seed per layer: one seeded initializer shared by all
        # layers would give every layer of the same shape the same weights.
        return keras.initializers.HeNormal(seed=seed + index)

    images = keras.Input(shape=_IMAGE_SHAPE, name="images")
    x = images
    for index, channels in enumerate(filters):
        x = keras.layers.Conv2D(
            channels,
            3,
            padding="same",
            activation="relu",
            kernel_initializer=initializer(index),
            name=f"conv{index + 1}",
        )(x)
        if index < len(filters) - 1:
            x = keras.layers.MaxPooling2D(2, name=f"pool{index + 1}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dropout(dropout, seed=seed, name="dropout1")(x)
    features = keras.layers.Dense(
        feature_dim, activation="relu", kernel_initializer=initializer(len(filters)), name="features"
    )(x)
    x = keras.layers.Dropout(dropout, seed=seed + 1, name="dropout2")(features)
    probabilities = keras.layers.Dense(
        num_classes,
        activation="softmax",
        kernel_initializer=initializer(len(filters) + 1),
        name="probabilities",
    )(x)
    return keras.Model(images, probabilities, name="classifier")


def classifier_path(dataset: str = "mnist", directory: str = "saved_models") -> str:
    """Where `train_classifier` saves the classifier of `dataset`.

    `classifier_<tag>.keras` in `directory`, the tag being the dataset name,
    or for a path its file/folder name without extension ("digits.npz" ->
    "digits"), with characters other than letters, digits, "-", "_" as "_".
    """
    name = os.path.splitext(os.path.basename(os.path.normpath(str(dataset))))[0]
    return os.path.join(directory, f"classifier_{re.sub(r'[^A-Za-z0-9_-]', '_', name)}.keras")


def _classifier_directory(dataset: str, directory: str | None) -> str:
    """`directory`, or for `None` the folder of the weights the metrics use by default.

    That is the pinned folder when the package ships weights for `dataset`
    (MNIST), so numbers agree across machines; otherwise "saved_models", where
    `train_classifier` caches its own.
    """
    if directory is not None:
        return directory
    return str(PINNED_DIRECTORY) if dataset in PINNED_SHA256 else "saved_models"


def classifier_report(dataset: str = "mnist", directory: str | None = None) -> dict:
    """The JSON report `train_classifier` saved next to the classifier (test accuracy, ...).

    `directory` as in `load_classifier`.
    """
    directory = _classifier_directory(dataset, directory)
    path = os.path.splitext(classifier_path(dataset, directory))[0] + ".json"
    if not os.path.exists(path):
        raise FileNotFoundError(f"No classifier report at {path}; train the classifier first")
    with open(path) as file:
        return json.load(file)


def train_classifier(
    dataset: str = "mnist",
    epochs: int = 5,
    batch_size: int = 128,
    learning_rate: float = 2e-3,
    out_dir: str | None = "saved_models",
    limit: int | None = None,
    classifier: keras.Model | None = None,
    seed: int = 0,
    verbose: int | str = 2,
) -> keras.Model:
    """Train the metrics classifier and save it with its test accuracy.

    Adam with a cosine-decayed learning rate on the training split, then
    evaluation on the full test split. The defaults reach ≈ 99.3 % MNIST test
    accuracy in 2-3 minutes on two CPU cores; data augmentation was not
    needed for that.

    Args:
        dataset: name understood by `keras_gans.data.load_dataset`.
        epochs: passes over the training split.
        batch_size: training batch size.
        learning_rate: peak Adam learning rate.
        out_dir: directory receiving `classifier_<dataset>.keras` and
            `classifier_<dataset>.json` (test accuracy, training time); None
            to skip saving.
        limit: train on only the first `limit` training images (quick runs).
        classifier: an uncompiled model to train instead of
            `build_classifier(num_classes)`, num_classes read from the
            dataset (it needs a "features" layer to be usable by
            `FeatureExtractor`).
        seed: seed of shuffling, initialisation and dropout.
        verbose: passed to `Model.fit`.

    Returns:
        The trained, compiled classifier.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, received epochs={epochs}")
    if classifier is None:
        classifier = build_classifier(num_classes=describe(dataset, split="test").num_classes, seed=seed)

    train_data = load_dataset(
        name=dataset, split="train", batch_size=batch_size, labels=True, shuffle=True, seed=seed, limit=limit
    )
    test_data = load_dataset(name=dataset, split="test", batch_size=500, labels=True, shuffle=False)

    steps_per_epoch = int(train_data.cardinality())
    if steps_per_epoch > 0:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=epochs * steps_per_epoch)
    classifier.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )

    start = time.perf_counter()
    # The dataset is already shuffled; fit cannot shuffle a tf.data pipeline.
    classifier.fit(train_data, epochs=epochs, shuffle=False, verbose=verbose)
    train_seconds = time.perf_counter() - start
    results = classifier.evaluate(test_data, verbose=0, return_dict=True)

    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        path = classifier_path(dataset, out_dir)
        classifier.save(path)
        report = {
            "dataset": str(dataset),
            "test_accuracy": float(results["accuracy"]),
            "test_loss": float(results["loss"]),
            "epochs": epochs,
            "batch_size": batch_size,
            "train_images_limit": limit,
            "train_seconds": round(train_seconds, 1),
            "keras_version": keras.__version__,
        }
        with open(os.path.splitext(path)[0] + ".json", "w") as file:
            json.dump(report, file, indent=2)
    return classifier


def pinned_classifier(dataset: str = "mnist") -> keras.Model:
    """The shipped classifier of `dataset`, after checking its SHA-256.

    Raises:
        ValueError: no weights are shipped for `dataset`, or the file's
            SHA-256 differs from the pinned one (a damaged or replaced file).
    """
    if dataset not in PINNED_SHA256:
        raise ValueError(f"no pinned classifier for dataset={dataset!r}; pinned: {', '.join(PINNED_SHA256)}")
    path = PINNED_DIRECTORY / f"classifier_{dataset}.weights.h5"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PINNED_SHA256[dataset]:
        raise ValueError(
            f"{path} has SHA-256 {digest}, expected {PINNED_SHA256[dataset]}: the file is damaged "
            "or was replaced; restore it from the repository"
        )
    classifier = build_classifier()
    classifier.load_weights(path)
    return classifier


def load_classifier(
    dataset: str = "mnist", directory: str | None = None, train_if_missing: bool = True, **train_kwargs
) -> keras.Model:
    """The classifier the metrics of `dataset` use.

    Args:
        dataset: dataset name, as given to `train_classifier`.
        directory: folder of your own `classifier_<dataset>.keras` (from
            `train_classifier`). `None`: the pinned weights when the package
            ships them (MNIST), so numbers agree across machines; otherwise
            the one cached in "saved_models".
        train_if_missing: train one (a few minutes) when there is no file.
        **train_kwargs: passed to `train_classifier` when training.

    Raises:
        FileNotFoundError: no saved classifier and `train_if_missing=False`.
    """
    directory = _classifier_directory(dataset, directory)
    if directory == str(PINNED_DIRECTORY):
        return pinned_classifier(dataset)  # checks the weights' SHA-256
    path = classifier_path(dataset, directory)
    if os.path.exists(path):
        return keras.models.load_model(path)
    if not train_if_missing:
        raise FileNotFoundError(
            f"No classifier at {path}; train one with `python -m keras_gans train-classifier` "
            "or keras_gans.metrics.train_classifier()"
        )
    return train_classifier(dataset=dataset, out_dir=directory, **train_kwargs)


def check_images(images: np.ndarray, name: str = "images") -> np.ndarray:
    """Bring images to the package convention: float32 in [-1, 1], shape (n, 28, 28, 1).

    uint8 images (as from `keras_gans.data.load_arrays`) are rescaled from
    [0, 255]; float images must already lie in [-1, 1].

    Raises:
        ValueError: wrong shape, no images, NaN, or floats outside [-1, 1].
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != _IMAGE_SHAPE or images.shape[0] == 0:
        raise ValueError(f"{name} must have shape (num_images, 28, 28, 1), received shape {images.shape}")
    if images.dtype == np.uint8:
        return normalize(images)
    images = images.astype(np.float32)
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contains NaN or infinite values")
    low, high = float(images.min()), float(images.max())
    # A little slack for round-off of tanh outputs and rescaling.
    if low < -1.001 or high > 1.001:
        raise ValueError(f"{name} must lie in [-1, 1] (or be uint8), received range [{low:.3g}, {high:.3g}]")
    return images


class FeatureExtractor:
    """Classifier features and class probabilities of image batches.

    Args:
        classifier: a model like `build_classifier()`'s, trained.
        feature_layer: name of the layer whose output is the feature vector.
        batch_size: images per forward pass; bounds memory for large sets.

    Call it on images `(num_images, 28, 28, 1)` (float in [-1, 1] or uint8)
    to get `(features, probabilities)`: float64 arrays
    `(num_images, feature_dim)` and `(num_images, num_classes)`.
    """

    def __init__(self, classifier: keras.Model, feature_layer: str = "features", batch_size: int = 500):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, received batch_size={batch_size}")
        try:
            features = classifier.get_layer(feature_layer).output
        except ValueError as error:
            raise ValueError(
                f"classifier has no layer named {feature_layer!r}; "
                f"its layers are {[layer.name for layer in classifier.layers]}"
            ) from error
        self.classifier = classifier
        self.batch_size = batch_size
        self._model = keras.Model(classifier.inputs, [features, classifier.outputs[0]])

    @property
    def feature_dim(self) -> int:
        return int(self._model.outputs[0].shape[-1])

    @property
    def num_classes(self) -> int:
        return int(self._model.outputs[1].shape[-1])

    def __call__(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        images = check_images(images)
        features, probabilities = self._model.predict(images, batch_size=self.batch_size, verbose=0)
        return features.astype(np.float64), probabilities.astype(np.float64)

    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        """Predicted labels, int64 `(num_images,)`."""
        return np.argmax(self(images)[1], axis=1)


def as_feature_extractor(classifier: "keras.Model | FeatureExtractor") -> FeatureExtractor:
    """Wrap a classifier model, or pass a `FeatureExtractor` through."""
    if isinstance(classifier, FeatureExtractor):
        return classifier
    if isinstance(classifier, keras.Model):
        return FeatureExtractor(classifier)
    raise TypeError(f"classifier must be a keras.Model or FeatureExtractor, received {type(classifier).__name__}")
