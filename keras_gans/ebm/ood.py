"""Measuring OOD detection: AUROC and a table of scores per probe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from keras_gans.ebm.model import EnergyBasedModel
from keras_gans.ebm.probes import (
    add_gaussian_noise,
    flip_horizontal,
    flip_vertical,
    invert,
    overlay,
    rotate,
    shift,
    uniform_noise_images,
)
from keras_gans.ebm.validation import validate_images


def auroc(in_scores, out_scores) -> float:
    """Area under the ROC curve for separating in- from out-of-distribution.

    Equals P(s_in > s_out) + ½·P(s_in = s_out) for a random pair, computed
    with the Mann–Whitney U statistic on average ranks (ties get the mean
    of the ranks they span):

        AUROC = (R_in − n_in (n_in + 1) / 2) / (n_in · n_out),

    R_in being the sum of the ranks of the in-distribution scores in the
    pooled sample. 1.0: every in-score is higher; 0.5: no separation;
    0.0: every in-score is lower.

    Args:
        in_scores: 1-D scores of in-distribution samples (higher = more "in").
        out_scores: 1-D scores of out-of-distribution samples.

    Returns:
        AUROC in [0, 1] as a Python float.
    """
    in_scores = np.asarray(in_scores, dtype=np.float64)
    out_scores = np.asarray(out_scores, dtype=np.float64)
    for name, scores in (("in_scores", in_scores), ("out_scores", out_scores)):
        if scores.ndim != 1 or scores.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, received shape {scores.shape}")
        if not np.isfinite(scores).all():
            raise ValueError(f"{name} must be finite, received NaN or infinite scores")
    pooled = np.concatenate([in_scores, out_scores])
    _, group, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    # Tie group k spans ranks last_k − count_k + 1 ... last_k (1-based);
    # their mean is last_k − (count_k − 1) / 2.
    last_rank = np.cumsum(counts)
    ranks = (last_rank - (counts - 1) / 2.0)[group]
    n_in, n_out = in_scores.size, out_scores.size
    u_statistic = ranks[:n_in].sum() - n_in * (n_in + 1) / 2.0
    return float(u_statistic / (n_in * n_out))


class OODRow(NamedTuple):
    """One row of `ood_table`: a probe, its mean score and AUROC vs real."""

    probe: str
    mean_score: float
    auroc: float


def ood_table(model: EnergyBasedModel, real_images, seed: int = 0, batch_size: int = 256) -> list[OODRow]:
    """Scores real images and transformed/noise probes; AUROC of real vs each.

    AUROC here is `auroc(real_scores, probe_scores)`: 1.0 means the model
    ranks every real image above every probe image (perfect OOD detection),
    0.5 chance. The real row has AUROC NaN (nothing to compare with).

    Args:
        model: a trained `EnergyBasedModel` (anything with `score(images)`).
        real_images: in-distribution test images (N, 28, 28, 1) in [-1, 1],
            N >= 2.
        seed: seed for the noise probes and the overlay pairing.
        batch_size: images per forward pass.

    Returns:
        A list of `OODRow`, the real images first.
    """
    real_images = validate_images(real_images)
    n = real_images.shape[0]
    probes = [
        ("uniform noise", uniform_noise_images(n, real_images.shape[1:], seed=seed)),
        ("gaussian noise (std 0.3)", add_gaussian_noise(real_images, 0.3, seed=seed)),
        ("flip left-right", flip_horizontal(real_images)),
        ("flip upside-down", flip_vertical(real_images)),
        ("rotate 90°", rotate(real_images, 90)),
        ("rotate 30°", rotate(real_images, 30)),
        ("shift 4 px", shift(real_images, 4, 4)),
        ("invert (−x)", invert(real_images)),
        ("overlay two (max)", overlay(real_images, "max", seed=seed)),
        ("overlay two (mean)", overlay(real_images, "mean", seed=seed)),
    ]
    real_scores = model.score(real_images, batch_size=batch_size)
    rows = [OODRow("real (test)", float(real_scores.mean()), float("nan"))]
    for name, probe_images in probes:
        scores = model.score(probe_images, batch_size=batch_size)
        rows.append(OODRow(name, float(scores.mean()), auroc(real_scores, scores)))
    return rows


def format_ood_table(rows: Sequence[OODRow]) -> str:
    """Formats `ood_table` rows as an aligned plain-text table."""
    width = max([len("probe"), *(len(row.probe) for row in rows)])
    lines = [
        f"{'probe':<{width}}  {'mean score':>10}  {'AUROC vs real':>13}",
        f"{'-' * width}  {'-' * 10}  {'-' * 13}",
    ]
    for row in rows:
        auroc_text = "-" if np.isnan(row.auroc) else f"{row.auroc:.3f}"
        lines.append(f"{row.probe:<{width}}  {row.mean_score:>10.3f}  {auroc_text:>13}")
    return "\n".join(lines)
