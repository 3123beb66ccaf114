"""All sample-quality metrics of a generator in one call, and a table to compare them.

Typical use:

    classifier = load_classifier("mnist")
    test_images, _ = load_arrays("mnist", split="test")
    rows = {
        "real (train vs test)": reference_metrics(classifier),
        "dcgan": evaluate_generator(dcgan.generator, test_images, classifier),
    }
    print(format_metrics_table(rows))

The reference row (real training digits against the test set) is the best
score a generator can hope for at this sample size; the Fréchet distance is
biased upwards at finite n, so always compare rows with the same n.
"""

from collections.abc import Mapping, Sequence

import keras
import numpy as np

from keras_gans import export
from keras_gans.data import load_arrays
from keras_gans.metrics.classifier import FeatureExtractor, as_feature_extractor, check_images
from keras_gans.metrics.distances import check_features, frechet_distance, kernel_distance
from keras_gans.metrics.manifold import density_coverage, precision_recall
from keras_gans.metrics.scores import check_probabilities, class_histogram, classifier_score
from keras_gans.signature import GeneratorSignature


def generate_samples(
    generator: keras.Model,
    num_samples: int,
    seed: int = 0,
    batch_size: int = 500,
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Draw images from a generator with z ~ N(0, I).

    Args:
        generator: maps z `(n, latent_dim)` to images `(n, 28, 28, 1)` in
            [-1, 1]; a conditional generator (two inputs) maps
            `[z, one_hot_labels]`.
        num_samples: number of images.
        seed: seed of z (and nothing else: the same seed gives the same z),
            drawn by `GeneratorSignature.draw_inputs`.
        batch_size: images per forward pass.
        labels: int labels `(num_samples,)` for a conditional generator, or
            one class for all; default cycles through the classes so all are
            equally frequent.

    Returns:
        `(images, labels)`: float32 `(num_samples, 28, 28, 1)` and the int
        labels used (None for an unconditional generator).
    """
    if num_samples < 1:
        raise ValueError(f"num_samples must be >= 1, received num_samples={num_samples}")
    inputs = GeneratorSignature.from_generator(generator).draw_inputs(num_samples, seed, labels)
    images = generator.predict(inputs.network_inputs, batch_size=batch_size, verbose=0)
    return check_images(images, "generated images"), inputs.labels


def evaluate_features(
    real_features: np.ndarray,
    real_probabilities: np.ndarray,
    fake_features: np.ndarray,
    fake_probabilities: np.ndarray,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    score_splits: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """All metrics from precomputed classifier outputs (see `evaluate_generator`).

    Useful to extract the real set's features once and compare many
    generators against them.
    """
    real_features = check_features(real_features, "real_features", min_samples=2)
    fake_features = check_features(fake_features, "fake_features", min_samples=2)
    real_probabilities = check_probabilities(real_probabilities, "real_probabilities")
    fake_probabilities = check_probabilities(fake_probabilities, "fake_probabilities")
    for name, features, probabilities in (
        ("real", real_features, real_probabilities),
        ("fake", fake_features, fake_probabilities),
    ):
        if features.shape[0] != probabilities.shape[0]:
            raise ValueError(
                f"{name} features and probabilities must have the same number of samples, "
                f"received {features.shape[0]} and {probabilities.shape[0]}"
            )

    kid = kernel_distance(real_features, fake_features, kid_subsets, kid_subset_size, seed)
    score = classifier_score(fake_probabilities, min(score_splits, fake_probabilities.shape[0]))
    histogram = class_histogram(fake_probabilities, num_classes=fake_probabilities.shape[1])
    precision, recall = precision_recall(real_features, fake_features)
    density, coverage = density_coverage(real_features, fake_features)
    return {
        "num_samples": fake_features.shape[0],
        "frechet_distance": frechet_distance(real_features, fake_features),
        "kid": kid.mean,
        "kid_std": kid.std,
        "classifier_score": score.mean,
        "classifier_score_std": score.std,
        "classes_covered": histogram.classes_covered,
        "min_class_fraction": float(np.min(histogram.fractions)),
        "class_kl": histogram.kl_to_uniform,
        "mean_confidence": histogram.mean_confidence,
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
    }


def evaluate_generator(
    generator_or_samples: "keras.Model | np.ndarray",
    real_images: np.ndarray,
    classifier: "keras.Model | FeatureExtractor",
    n: int = 10000,
    seed: int = 0,
    batch_size: int = 500,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    score_splits: int = 10,
) -> dict[str, float]:
    """Every sample-quality metric of a generator against real images.

    Args:
        generator_or_samples: a generator model (see `generate_samples`) or
            generated images `(num_images, 28, 28, 1)` in [-1, 1].
        real_images: real images `(num_images, 28, 28, 1)`, uint8 or float
            in [-1, 1] (typically the test split).
        classifier: the metrics classifier (`load_classifier()`) or a
            `FeatureExtractor` around it.
        n: number of generated and of real images used (the first n given).
        seed: seed of z and of the KID subsets.
        batch_size: images per forward pass.
        kid_subsets, kid_subset_size: see `kernel_distance`.
        score_splits: see `classifier_score`.

    Returns:
        A dict with
        - num_samples: generated images evaluated,
        - frechet_distance: `frechet_distance` of classifier features,
        - kid, kid_std: `kernel_distance` mean and subset spread,
        - classifier_score, classifier_score_std: `classifier_score`,
        - classes_covered, class_kl, mean_confidence: `class_histogram`,
        - min_class_fraction: share of the rarest class (1/num_classes when
          balanced, 0 for a dropped mode),
        - precision, recall: `precision_recall` (k=3),
        - density, coverage: `density_coverage` (k=5),
        - label_accuracy (conditional generators only): fraction of samples
          the classifier assigns to the label they were generated for.
    """
    if n < 2:
        raise ValueError(f"n must be >= 2, received n={n}")
    extractor = as_feature_extractor(classifier)
    labels = None
    if isinstance(generator_or_samples, keras.Model):
        fake_images, labels = generate_samples(generator_or_samples, n, seed=seed, batch_size=batch_size)
    else:
        fake_images = check_images(generator_or_samples, "generated images")[:n]
    real_images = check_images(real_images, "real_images")[:n]

    real_features, real_probabilities = extractor(real_images)
    fake_features, fake_probabilities = extractor(fake_images)
    metrics = evaluate_features(
        real_features,
        real_probabilities,
        fake_features,
        fake_probabilities,
        kid_subsets=kid_subsets,
        kid_subset_size=kid_subset_size,
        score_splits=score_splits,
        seed=seed,
    )
    if labels is not None:
        metrics["label_accuracy"] = float(np.mean(np.argmax(fake_probabilities, axis=1) == labels))
    return metrics


def reference_metrics(
    classifier: "keras.Model | FeatureExtractor",
    dataset: str = "mnist",
    n: int = 10000,
    seed: int = 0,
    **evaluate_kwargs,
) -> dict[str, float]:
    """The metrics of real data: n random training images scored against the test split.

    This is the "perfect generator" row of a comparison table: a generator
    that memorised nothing but matched the data distribution would score
    about this well at the same n.

    Args:
        classifier: as for `evaluate_generator`.
        dataset: name understood by `keras_gans.data.load_arrays`.
        n: images per set.
        seed: seed choosing the training images (and the KID subsets).
        **evaluate_kwargs: passed to `evaluate_generator`.
    """
    train_images, _ = load_arrays(name=dataset, split="train")
    test_images, _ = load_arrays(name=dataset, split="test", limit=n)
    chosen = np.random.default_rng(seed).choice(len(train_images), min(n, len(train_images)), replace=False)
    return evaluate_generator(train_images[chosen], test_images, classifier, n=n, seed=seed, **evaluate_kwargs)


def _format_value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


def format_metrics_table(
    rows: Mapping[str, Mapping[str, object]], columns: Sequence[str] | None = None, name_header: str = "model"
) -> str:
    """Render metric dicts as a plain-text table with aligned columns.

    Args:
        rows: row name -> metrics dict (e.g. from `evaluate_generator`).
        columns: metric keys to show, in order; default all keys in order of
            first appearance. Missing values print as "-".
        name_header: header of the row-name column.

    Returns:
        The table as one string (header, rule, one line per row), numbers
        right-aligned with 4 significant digits.
    """
    if not rows:
        raise ValueError("rows is empty: nothing to tabulate")
    if columns is None:
        columns = list(dict.fromkeys(key for metrics in rows.values() for key in metrics))
    cells = [[name_header, *columns]]
    for name, metrics in rows.items():
        cells.append([str(name), *(_format_value(metrics.get(column)) for column in columns)])
    widths = [max(len(row[index]) for row in cells) for index in range(len(cells[0]))]

    def render(row: list[str]) -> str:
        # Names read best left-aligned, numbers right-aligned.
        parts = [row[0].ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        return "  ".join(parts).rstrip()

    lines = [render(cells[0]), "  ".join("-" * width for width in widths)]
    lines += [render(row) for row in cells[1:]]
    return "\n".join(lines)


def evaluate_exported_generator(
    path: str,
    classifier: "keras.Model | FeatureExtractor",
    real_images: np.ndarray,
    n: int = 10000,
    seed: int = 0,
    **evaluate_kwargs,
) -> dict[str, float]:
    """`evaluate_generator` for a SavedModel written by `export_generator`.

    Samples through the export's own `sample` signature, so it measures
    exactly what a service would serve. Conditional exports draw the classes
    in turn (0, 1, ..., 9, 0, ...) and also report `label_accuracy`.
    """
    images, metadata = export.sample_exported_generator(path, n=n, seed=seed)
    results = evaluate_generator(images, real_images, classifier, n=n, seed=seed, **evaluate_kwargs)
    requested = GeneratorSignature.from_metadata(metadata).labels(n)  # what `sample` drew, or None
    if requested is not None:
        _, probabilities = as_feature_extractor(classifier)(images)
        results["label_accuracy"] = float(np.mean(probabilities.argmax(axis=1) == requested))
    return results
