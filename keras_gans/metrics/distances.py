"""Distances between two sets of feature vectors (real vs generated samples).

All functions take plain NumPy arrays of shape `(num_samples, feature_dim)`
(the classifier features of `FeatureExtractor`) and compute in float64.
"""

import warnings
from typing import NamedTuple

import numpy as np
import scipy.linalg


def check_features(features: np.ndarray, name: str = "features", min_samples: int = 1) -> np.ndarray:
    """Validate a feature matrix and return it as float64.

    Args:
        features: array of shape `(num_samples, feature_dim)`.
        name: how to call the array in error messages.
        min_samples: the least number of rows the caller needs.

    Returns:
        The features as a float64 array of the same shape.

    Raises:
        ValueError: not 2-D, too few rows, or non-finite values.
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"{name} must have shape (num_samples, feature_dim), received shape {features.shape}")
    if features.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples, received {features.shape[0]}")
    if not np.all(np.isfinite(features)):
        num_bad = int(np.sum(~np.isfinite(features)))
        raise ValueError(f"{name} contains {num_bad} NaN or infinite values")
    return features


def _check_same_dim(features_a: np.ndarray, features_b: np.ndarray) -> None:
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            "Both feature sets must have the same feature_dim, received "
            f"{features_a.shape[1]} and {features_b.shape[1]}"
        )


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a feature set, the Gaussian fitted by FID.

    Args:
        features: array of shape `(num_samples, feature_dim)`, num_samples >= 2.

    Returns:
        `(mu, sigma)`: float64 arrays of shapes `(feature_dim,)` and
        `(feature_dim, feature_dim)` (unbiased covariance, ddof=1).
    """
    features = check_features(features, min_samples=2)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _covariance_term(sigma_a: np.ndarray, sigma_b: np.ndarray, eps: float) -> float:
    """Tr(Σa + Σb − 2 (Σa Σb)^{1/2}), on Σ + eps·I if the product is singular."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(sigma_a @ sigma_b)
    singular = any(issubclass(warning.category, scipy.linalg.LinAlgWarning) for warning in caught)
    if singular or not np.all(np.isfinite(covmean)):
        # Rank-deficient covariances (fewer samples than dimensions, dead ReLU
        # units) make the Schur square root inaccurate or infinite. The ridge
        # goes into the traces too, so this is the exact distance between the
        # regularised Gaussians: still 0 for identical inputs, O(eps) off.
        offset = eps * np.eye(sigma_a.shape[0])
        sigma_a, sigma_b = sigma_a + offset, sigma_b + offset
        covmean = scipy.linalg.sqrtm(sigma_a @ sigma_b)
    if np.iscomplexobj(covmean):
        # The product of two PSD matrices has real non-negative eigenvalues;
        # imaginary parts are round-off unless they are large.
        max_imaginary = float(np.max(np.abs(np.diagonal(covmean).imag)))
        scale = max(1.0, float(np.max(np.abs(np.diagonal(covmean).real))))
        if max_imaginary > 1e-3 * scale:
            raise ValueError(
                "Matrix square root has a large imaginary component "
                f"({max_imaginary:.3g}); are both covariances positive semi-definite?"
            )
        covmean = covmean.real
    return float(np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * np.trace(covmean))


def frechet_distance_from_statistics(
    mu_a: np.ndarray,
    sigma_a: np.ndarray,
    mu_b: np.ndarray,
    sigma_b: np.ndarray,
    eps: float = 1e-6,
) -> float:
    """Fréchet (2-Wasserstein) distance between two Gaussians.

    d² = ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^{1/2})

    Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge
    to a Local Nash Equilibrium" (the FID), computed in float64.

    Args:
        mu_a, mu_b: means, shape `(feature_dim,)`.
        sigma_a, sigma_b: covariances, shape `(feature_dim, feature_dim)`.
        eps: ridge added to both covariances when their product is
            singular (its square root is then inaccurate or infinite).

    Returns:
        The squared distance d² (≥ 0 up to round-off), as the FID reports it.
    """
    mu_a, mu_b = np.atleast_1d(np.asarray(mu_a, np.float64)), np.atleast_1d(np.asarray(mu_b, np.float64))
    sigma_a, sigma_b = np.atleast_2d(np.asarray(sigma_a, np.float64)), np.atleast_2d(np.asarray(sigma_b, np.float64))
    dim = mu_a.shape[0]
    for name, value, shape in (
        ("mu_b", mu_b, (dim,)),
        ("sigma_a", sigma_a, (dim, dim)),
        ("sigma_b", sigma_b, (dim, dim)),
    ):
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape} to match mu_a, received {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or infinite values")
    if not np.all(np.isfinite(mu_a)):
        raise ValueError("mu_a contains NaN or infinite values")

    diff = mu_a - mu_b
    return float(diff @ diff) + _covariance_term(sigma_a, sigma_b, eps)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (FID).

    d² = ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^{1/2}), with μ, Σ the sample mean
    and covariance of each set (Heusel et al. 2017). 0 for identical sets,
    symmetric, biased upwards for small sample sizes, so compare values only
    at the same number of samples (10,000 is customary).

    Args:
        features_a, features_b: arrays `(num_samples, feature_dim)` with the
            same feature_dim and at least 2 samples each.
        eps: see `frechet_distance_from_statistics`.

    Returns:
        The Fréchet distance as a Python float.
    """
    features_a = check_features(features_a, "features_a", min_samples=2)
    features_b = check_features(features_b, "features_b", min_samples=2)
    _check_same_dim(features_a, features_b)
    return frechet_distance_from_statistics(*feature_statistics(features_a), *feature_statistics(features_b), eps=eps)


class KernelDistance(NamedTuple):
    """KID estimate: mean over subsets and the spread of the subset estimates."""

    mean: float
    std: float


def _polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    m = x.shape[0]
    k_xx = _polynomial_kernel(x, x)
    k_yy = _polynomial_kernel(y, y)
    k_xy = _polynomial_kernel(x, y)
    # Dropping the diagonals (k(x_i, x_i)) is what makes the estimator unbiased.
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def kernel_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> KernelDistance:
    """Kernel Inception Distance (KID): unbiased MMD² with a cubic kernel.

    k(x, y) = (xᵀy / d + 1)³, d = feature_dim, and for subsets X, Y of size m

        MMD² = Σ_{i≠j} k(x_i, x_j) / (m(m−1)) + Σ_{i≠j} k(y_i, y_j) / (m(m−1))
               − 2 Σ_{i,j} k(x_i, y_j) / m²

    averaged over `num_subsets` random subsets (Bińkowski et al. 2018,
    "Demystifying MMD GANs"). Unlike the Fréchet distance the estimator is
    unbiased: its expectation is 0 when both sets come from one distribution,
    so small negative values happen.

    Args:
        features_a, features_b: arrays `(num_samples, feature_dim)` with the
            same feature_dim.
        num_subsets: number of random subsets to average over.
        subset_size: samples per subset m, capped at the smaller set's size
            (must leave m >= 2).
        seed: seed of the subset sampling.

    Returns:
        `KernelDistance(mean, std)`: the mean MMD² over subsets and the
        standard deviation of the subset estimates, i.e. the standard error
        of one estimate from m samples.
    """
    features_a = check_features(features_a, "features_a", min_samples=2)
    features_b = check_features(features_b, "features_b", min_samples=2)
    _check_same_dim(features_a, features_b)
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be >= 1, received num_subsets={num_subsets}")
    if subset_size < 2:
        raise ValueError(f"subset_size must be >= 2, received subset_size={subset_size}")
    subset_size = min(subset_size, features_a.shape[0], features_b.shape[0])

    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets)
    for index in range(num_subsets):
        x = features_a[rng.choice(features_a.shape[0], subset_size, replace=False)]
        y = features_b[rng.choice(features_b.shape[0], subset_size, replace=False)]
        estimates[index] = _unbiased_mmd2(x, y)
    std = float(estimates.std(ddof=1)) if num_subsets > 1 else 0.0
    return KernelDistance(mean=float(estimates.mean()), std=std)
