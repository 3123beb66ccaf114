"""k-nearest-neighbour fidelity and diversity metrics in feature space.

Fréchet and kernel distances mix "samples look wrong" and "samples miss
part of the data" into one number. These metrics separate them by estimating
each distribution's support as the union of balls around its samples, each
ball reaching the sample's k-th nearest neighbour:

- precision / density: how much of the generated set falls on the real
  manifold (fidelity),
- recall / coverage: how much of the real manifold the generated set reaches
  (diversity).

Pairwise distances are computed in row chunks so that 10,000 × 10,000
comparisons need tens of MB rather than a full 800 MB matrix.
"""

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from keras_gans.metrics.distances import check_features

_CHUNK_SIZE = 1024
# Two computations of one distance (the k-NN radius, then the ball test) go
# through different matrix products and may differ in the last bits, with
# the BLAS kernel, the chunk, the thread count. A sample exactly on a ball's
# boundary (the k-th neighbour itself, or a copy of it) must count as
# inside on every machine, so the test allows this relative slack, far above
# float64 round-off and far below any real gap between distances.
_BOUNDARY_TOLERANCE = 1e-9


def _pairwise_distance_chunks(
    queries: np.ndarray, references: np.ndarray, chunk_size: int = _CHUNK_SIZE
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield `(rows, distances)`: Euclidean distances of `queries[rows]` to all references."""
    reference_norms = np.sum(references**2, axis=1)
    for start in range(0, queries.shape[0], chunk_size):
        rows = slice(start, min(start + chunk_size, queries.shape[0]))
        chunk = queries[rows]
        # ‖q − r‖² = ‖q‖² + ‖r‖² − 2 qᵀr; clip the round-off below zero.
        squared = np.sum(chunk**2, axis=1)[:, None] + reference_norms[None, :] - 2.0 * chunk @ references.T
        yield rows, np.sqrt(np.maximum(squared, 0.0))


def nearest_neighbours(queries: np.ndarray, references: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest references of every query (Euclidean), closest first.

    Args:
        queries: array `(num_queries, dim)`; images may be passed flattened.
        references: array `(num_references, dim)`.
        k: number of neighbours, 1 <= k <= num_references.

    Returns:
        `(indices, distances)`, both of shape `(num_queries, k)`: int64 indices
        into `references` and float64 distances, sorted ascending per row.
    """
    queries = check_features(queries, "queries")
    references = check_features(references, "references")
    if queries.shape[1] != references.shape[1]:
        raise ValueError(
            f"queries and references must have the same dim, received {queries.shape[1]} and {references.shape[1]}"
        )
    if not 1 <= k <= references.shape[0]:
        raise ValueError(f"k must be in [1, {references.shape[0]}] (num_references), received k={k}")
    indices = np.empty((queries.shape[0], k), dtype=np.int64)
    distances = np.empty((queries.shape[0], k))
    for rows, chunk in _pairwise_distance_chunks(queries, references):
        nearest = np.argpartition(chunk, k - 1, axis=1)[:, :k]
        nearest_distances = np.take_along_axis(chunk, nearest, axis=1)
        order = np.argsort(nearest_distances, axis=1)
        indices[rows] = np.take_along_axis(nearest, order, axis=1)
        distances[rows] = np.take_along_axis(nearest_distances, order, axis=1)
    return indices, distances


def knn_radii(features: np.ndarray, k: int) -> np.ndarray:
    """Distance from every sample to its k-th nearest other sample in the same set.

    Args:
        features: array `(num_samples, feature_dim)` with num_samples > k.
        k: which neighbour defines the radius, k >= 1.

    Returns:
        float64 array `(num_samples,)`.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, received k={k}")
    if features.shape[0] <= k:
        raise ValueError(f"k-NN radii need more than k={k} samples, received {features.shape[0]}")
    radii = np.empty(features.shape[0])
    for rows, chunk in _pairwise_distance_chunks(features, features):
        # Each sample is its own nearest neighbour at distance 0, so the k-th
        # other sample is the (k+1)-th smallest distance (index k).
        radii[rows] = np.partition(chunk, k, axis=1)[:, k]
    return radii


def _inside(distances: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """`distances <= radii`, boundary included despite round-off (broadcasts)."""
    return distances <= radii * (1.0 + _BOUNDARY_TOLERANCE)


def _check_pair(
    real_features: np.ndarray, fake_features: np.ndarray, k: int, fake_min_samples: int
) -> tuple[np.ndarray, np.ndarray]:
    if k < 1:
        raise ValueError(f"k must be >= 1, received k={k}")
    real_features = check_features(real_features, "real_features", min_samples=k + 1)
    fake_features = check_features(fake_features, "fake_features", min_samples=fake_min_samples)
    if real_features.shape[1] != fake_features.shape[1]:
        raise ValueError(
            "real_features and fake_features must have the same feature_dim, received "
            f"{real_features.shape[1]} and {fake_features.shape[1]}"
        )
    return real_features, fake_features


def _fraction_inside_balls(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> float:
    """Fraction of queries inside at least one ball B(centres[i], radii[i])."""
    inside = np.zeros(queries.shape[0], dtype=bool)
    for rows, chunk in _pairwise_distance_chunks(queries, centres):
        inside[rows] = np.any(_inside(chunk, radii[None, :]), axis=1)
    return float(inside.mean())


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


def precision_recall(real_features: np.ndarray, fake_features: np.ndarray, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    With manifold(S) = ∪_{s∈S} B(s, ‖s − NN_k(s)‖):

        precision = fraction of fake samples inside manifold(real)
        recall    = fraction of real samples inside manifold(fake)

    Both lie in [0, 1]; identical sets give 1 and 1.

    Args:
        real_features: array `(num_real, feature_dim)`, num_real > k.
        fake_features: array `(num_fake, feature_dim)`, num_fake > k.
        k: neighbour that sets each ball's radius (the paper uses 3).

    Returns:
        `PrecisionRecall(precision, recall)`.
    """
    real_features, fake_features = _check_pair(real_features, fake_features, k, fake_min_samples=k + 1)
    precision = _fraction_inside_balls(fake_features, real_features, knn_radii(real_features, k))
    recall = _fraction_inside_balls(real_features, fake_features, knn_radii(fake_features, k))
    return PrecisionRecall(precision=precision, recall=recall)


class DensityCoverage(NamedTuple):
    density: float
    coverage: float


def density_coverage(real_features: np.ndarray, fake_features: np.ndarray, k: int = 5) -> DensityCoverage:
    """Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics").

    With r_i = ‖X_i − NN_k(X_i)‖ the k-NN radius of real sample X_i, N real
    and M fake samples Y_j:

        density  = 1/(kM) Σ_j Σ_i 1[Y_j ∈ B(X_i, r_i)]
        coverage = 1/N Σ_i 1[∃ j: Y_j ∈ B(X_i, r_i)]

    Both use only real-sample balls, which makes them robust to fake outliers.
    Density is unbounded (≈ 1 when both sets come from one distribution,
    (k+1)/k for two identical sets); coverage lies in [0, 1].

    Args:
        real_features: array `(num_real, feature_dim)`, num_real > k.
        fake_features: array `(num_fake, feature_dim)`.
        k: neighbour that sets each ball's radius (the paper uses 5).

    Returns:
        `DensityCoverage(density, coverage)`.
    """
    real_features, fake_features = _check_pair(real_features, fake_features, k, fake_min_samples=1)
    radii = knn_radii(real_features, k)

    balls_containing_fake = 0
    for _, chunk in _pairwise_distance_chunks(fake_features, real_features):
        balls_containing_fake += int(np.sum(_inside(chunk, radii[None, :])))
    density = balls_containing_fake / (k * fake_features.shape[0])

    covered = np.zeros(real_features.shape[0], dtype=bool)
    for rows, chunk in _pairwise_distance_chunks(real_features, fake_features):
        covered[rows] = _inside(chunk.min(axis=1), radii[rows])
    return DensityCoverage(density=float(density), coverage=float(covered.mean()))
