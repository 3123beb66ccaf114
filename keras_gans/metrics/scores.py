"""Metrics on the class predictions of generated samples.

They answer "does each sample look like one clear digit?" (classifier score,
confidence) and "are all ten digits generated, evenly?" (class histogram),
which is how mode collapse shows on MNIST.
"""

from typing import NamedTuple

import numpy as np


def check_probabilities(probabilities: np.ndarray, name: str = "probabilities") -> np.ndarray:
    """Validate class probabilities `(num_samples, num_classes)` and return them as float64.

    Raises:
        ValueError: wrong rank, no samples, NaN, negative entries or rows not
            summing to 1 (within 1e-3).
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or probabilities.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (num_samples, num_classes) with num_samples > 0, "
            f"received shape {probabilities.shape}"
        )
    if not np.all(np.isfinite(probabilities)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(probabilities < 0.0):
        raise ValueError(f"{name} must be non-negative, received minimum {probabilities.min():.3g}")
    row_sums = probabilities.sum(axis=1)
    worst = int(np.argmax(np.abs(row_sums - 1.0)))
    if abs(row_sums[worst] - 1.0) > 1e-3:
        raise ValueError(
            f"{name} rows must sum to 1 (softmax outputs, not logits), received a row summing to {row_sums[worst]:.4g}"
        )
    return probabilities


class ClassifierScore(NamedTuple):
    mean: float
    std: float


def classifier_score(probabilities: np.ndarray, splits: int = 10) -> ClassifierScore:
    """The Inception Score computed with an MNIST classifier.

        score = exp( E_x KL( p(y|x) ‖ p(y) ) ),   p(y) = E_x p(y|x)

    (Salimans et al. 2016, "Improved Techniques for Training GANs"), evaluated
    on each of `splits` equal parts of the samples. It lies in [1, num_classes]:
    high when every prediction is confident (low entropy p(y|x)) and the
    predicted classes are spread evenly (high entropy p(y)). Real MNIST test
    digits score close to 10 under an accurate classifier.

    Args:
        probabilities: softmax outputs `(num_samples, num_classes)`.
        splits: number of parts, 1 <= splits <= num_samples.

    Returns:
        `ClassifierScore(mean, std)` over the splits.
    """
    probabilities = check_probabilities(probabilities)
    if not 1 <= splits <= probabilities.shape[0]:
        raise ValueError(f"splits must be in [1, num_samples={probabilities.shape[0]}], received splits={splits}")
    scores = []
    for part in np.array_split(probabilities, splits):
        marginal = part.mean(axis=0, keepdims=True)
        # 0·log 0 = 0: zero-probability classes contribute nothing to the KL.
        ratio = np.divide(part, marginal, out=np.ones_like(part), where=part > 0)
        kl = np.sum(part * np.log(ratio), axis=1)
        scores.append(np.exp(kl.mean()))
    return ClassifierScore(mean=float(np.mean(scores)), std=float(np.std(scores)))


class ClassHistogram(NamedTuple):
    """Predicted-class statistics of a set of samples (see `class_histogram`)."""

    counts: np.ndarray
    fractions: np.ndarray
    classes_covered: int
    kl_to_uniform: float
    mean_confidence: float


def class_histogram(
    predictions: np.ndarray, num_classes: int = 10, min_fraction: float | None = None
) -> ClassHistogram:
    """Histogram of predicted classes, with mode-collapse summaries.

    Args:
        predictions: either class probabilities `(num_samples, num_classes)`
            (the predicted class is the argmax) or integer labels
            `(num_samples,)` in [0, num_classes).
        num_classes: number of classes.
        min_fraction: a class counts as covered when at least this fraction of
            the samples is predicted as it. Defaults to 0.1 / num_classes
            (1 % for digits): a tenth of the uniform share, so that a few stray
            samples of an otherwise missing digit do not count as a mode.

    Returns:
        `ClassHistogram` with
        - counts: int64 `(num_classes,)`,
        - fractions: counts / num_samples,
        - classes_covered: number of classes with fraction >= min_fraction,
        - kl_to_uniform: KL(fractions ‖ uniform) = Σ f_c log(f_c · num_classes)
          in nats; 0 for perfectly balanced classes, log(num_classes) when a
          single class is generated,
        - mean_confidence: mean of the max probability per sample (NaN when
          labels were given).
    """
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, received num_classes={num_classes}")
    if min_fraction is None:
        min_fraction = 0.1 / num_classes
    if not 0.0 < min_fraction <= 1.0:
        raise ValueError(f"min_fraction must be in (0, 1], received min_fraction={min_fraction}")

    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        probabilities = check_probabilities(predictions, "predictions")
        if probabilities.shape[1] != num_classes:
            raise ValueError(f"predictions have {probabilities.shape[1]} classes, expected num_classes={num_classes}")
        labels = np.argmax(probabilities, axis=1)
        mean_confidence = float(probabilities.max(axis=1).mean())
    elif predictions.ndim == 1 and predictions.shape[0] > 0:
        if not np.issubdtype(predictions.dtype, np.integer):
            raise ValueError(f"1-D predictions must be integer labels, received dtype {predictions.dtype}")
        if predictions.min() < 0 or predictions.max() >= num_classes:
            raise ValueError(
                f"labels must be in [0, {num_classes}), received range [{predictions.min()}, {predictions.max()}]"
            )
        labels = predictions
        mean_confidence = float("nan")
    else:
        raise ValueError(
            "predictions must be probabilities (num_samples, num_classes) or labels (num_samples,), "
            f"received shape {predictions.shape}"
        )

    counts = np.bincount(labels, minlength=num_classes).astype(np.int64)
    fractions = counts / counts.sum()
    nonzero = fractions > 0
    kl_to_uniform = float(np.sum(fractions[nonzero] * np.log(fractions[nonzero] * num_classes)))
    return ClassHistogram(
        counts=counts,
        fractions=fractions,
        classes_covered=int(np.sum(fractions >= min_fraction)),
        kl_to_uniform=kl_to_uniform,
        mean_confidence=mean_confidence,
    )
