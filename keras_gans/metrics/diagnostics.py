"""Figures for looking at generated samples, and latent-space interpolation.

Numbers hide what went wrong; these pictures show it: real digits next to
generated ones, which digits are generated how often (mode collapse), whether
samples are copies of training images (memorisation), and whether the latent
space is smooth (interpolation).

Every plotting function writes a PNG and returns its path. Figures are
built as `matplotlib.figure.Figure` objects, not through pyplot, so they
never open windows, touch the user's backend or pile up in pyplot's state.

Image grids are drawn at an exact pixel size: each 28×28 image becomes a
tile of 28·scale pixels, tiles are separated by 2·scale-pixel grey borders,
and titled figures get a 24-pixel title band on top.
"""

import os
from typing import NamedTuple

import keras
import numpy as np
from matplotlib.figure import Figure

from keras_gans.grids import make_image_grid
from keras_gans.metrics.classifier import FeatureExtractor, as_feature_extractor, check_images
from keras_gans.metrics.manifold import nearest_neighbours
from keras_gans.metrics.scores import ClassHistogram, class_histogram
from keras_gans.signature import GeneratorSignature

_TILE = 28
_BORDER = 2
_TITLE_BAND = 24
_DPI = 100


def lerp(z0: np.ndarray, z1: np.ndarray, t: "float | np.ndarray") -> np.ndarray:
    """Linear interpolation (1 − t)·z0 + t·z1.

    Args:
        z0, z1: latent vectors `(latent_dim,)`.
        t: a scalar or 1-D array of positions, 0 at z0 and 1 at z1.

    Returns:
        `(latent_dim,)` for scalar t, `(len(t), latent_dim)` otherwise.
    """
    z0, z1, t_column, scalar = _check_interpolation(z0, z1, t)
    points = (1.0 - t_column) * z0 + t_column * z1
    return points[0] if scalar else points


def slerp(z0: np.ndarray, z1: np.ndarray, t: "float | np.ndarray") -> np.ndarray:
    """Spherical linear interpolation along the great circle from z0 to z1.

        slerp(z0, z1; t) = sin((1 − t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1,
        cos Ω = z0·z1 / (‖z0‖ ‖z1‖)

    (Shoemake 1985; recommended for GAN latents by White 2016, "Sampling
    Generative Networks"). Gaussian latents concentrate near a sphere of
    radius √latent_dim; linear interpolation cuts through its inside, where
    the generator saw no training z, while slerp keeps the norm (equal-norm
    endpoints keep that norm all the way). Falls back to `lerp` for parallel
    vectors.

    Args:
        z0, z1: latent vectors `(latent_dim,)`, not opposite.
        t: a scalar or 1-D array of positions, 0 at z0 and 1 at z1.

    Returns:
        `(latent_dim,)` for scalar t, `(len(t), latent_dim)` otherwise.
    """
    z0, z1, t_column, scalar = _check_interpolation(z0, z1, t)
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    if norms == 0.0:
        raise ValueError("slerp needs non-zero z0 and z1 (the angle to a zero vector is undefined)")
    omega = np.arccos(np.clip(z0 @ z1 / norms, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        if omega > 1.0:
            raise ValueError("z0 and z1 point in opposite directions: the great circle between them is not unique")
        return lerp(z0, z1, t)
    points = (np.sin((1.0 - t_column) * omega) * z0 + np.sin(t_column * omega) * z1) / np.sin(omega)
    return points[0] if scalar else points


def _check_interpolation(z0, z1, t) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must be vectors of the same shape, received {z0.shape} and {z1.shape}")
    t = np.asarray(t, np.float64)
    if t.ndim > 1:
        raise ValueError(f"t must be a scalar or 1-D array, received shape {t.shape}")
    # Shape (num_points, 1) so that it broadcasts against (latent_dim,).
    return z0, z1, np.atleast_1d(t)[:, None], t.ndim == 0


def _tile_grid(images: np.ndarray, columns: int) -> np.ndarray:
    """Images (n, 28, 28, 1) in [-1, 1] -> one greyscale canvas in [0, 1] with grey borders."""
    grid = make_image_grid(images, ncols=columns, padding=_BORDER, scale=1, pad_value=0.0)
    return grid[..., 0] / np.float32(255.0)


def _show_canvas(canvas: np.ndarray, scale: int, titles: list[tuple[float, str]] | None = None) -> tuple[Figure, int]:
    """Figure showing `canvas` at `scale` pixels per canvas pixel, with optional titles.

    Returns the open figure (for extra annotations) and the title band height
    in pixels; the caller saves it with `_finish`.
    """
    if scale < 1:
        raise ValueError(f"scale must be an integer >= 1, received scale={scale}")
    band = _TITLE_BAND if titles else 0
    width, height = canvas.shape[1] * scale, canvas.shape[0] * scale + band
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0 - band / height))
    axes.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto")
    axes.set_axis_off()
    for x_fraction, text in titles or []:
        figure.text(x_fraction, 1.0 - band / 2 / height, text, ha="center", va="center", fontsize=10)
    return figure, band


def _finish(figure: Figure, path: str) -> str:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    figure.savefig(path, dpi=_DPI)
    return path


def plot_real_vs_fake(
    real_images: np.ndarray, fake_images: np.ndarray, path: str, num_images: int = 32, columns: int = 8, scale: int = 2
) -> str:
    """Real digits (left) beside generated ones (right).

    Args:
        real_images, fake_images: `(n, 28, 28, 1)`, uint8 or float in [-1, 1];
            the first `num_images` of each are shown.
        path: PNG file to write.
        num_images: images per side.
        columns: tiles per row on each side.
        scale: screen pixels per image pixel.

    Returns:
        `path`. The PNG is (2·G_w + 8)·scale wide and G_h·scale + 24 high,
        with G_w = 30·columns + 2, G_h = 30·rows + 2, rows = ⌈num_images/columns⌉.
    """
    if num_images < 1 or columns < 1:
        raise ValueError(f"num_images and columns must be >= 1, received {num_images} and {columns}")
    real = _tile_grid(check_images(real_images, "real_images")[:num_images], columns)
    fake = _tile_grid(check_images(fake_images, "fake_images")[:num_images], columns)
    if real.shape != fake.shape:
        raise ValueError(
            f"need {num_images} real and {num_images} generated images, received "
            f"{len(real_images)} and {len(fake_images)}"
        )
    gap = np.ones((real.shape[0], 4 * _BORDER), dtype=np.float32)
    canvas = np.concatenate([real, gap, fake], axis=1)  # (G_h, 2·G_w + 8)
    half = real.shape[1] / canvas.shape[1]
    figure, _ = _show_canvas(canvas, scale, [(half / 2, "real"), (1.0 - half / 2, "generated")])
    return _finish(figure, path)


def plot_class_histogram(
    predictions: "np.ndarray | ClassHistogram",
    path: str,
    num_classes: int = 10,
    title: str = "Predicted classes of generated samples",
    figsize: tuple[float, float] = (6.0, 3.5),
) -> str:
    """Bar chart of the predicted-class fractions against the uniform share.

    Args:
        predictions: probabilities or labels (see `class_histogram`), or a
            `ClassHistogram` already computed.
        path: PNG file to write.
        num_classes: number of classes.
        title: figure title.
        figsize: inches at 100 dpi: the PNG is figsize·100 pixels.

    Returns:
        `path`.
    """
    histogram = predictions if isinstance(predictions, ClassHistogram) else class_histogram(predictions, num_classes)
    num_classes = len(histogram.counts)
    figure = Figure(figsize=figsize, dpi=_DPI)
    axes = figure.add_subplot()
    axes.bar(np.arange(num_classes), histogram.fractions, color="tab:blue")
    axes.axhline(1.0 / num_classes, color="black", linestyle="--", linewidth=1, label="uniform")
    axes.set_xticks(np.arange(num_classes))
    axes.set_xlabel("predicted class")
    axes.set_ylabel("fraction of samples")
    axes.set_title(
        f"{title}\n{histogram.classes_covered}/{num_classes} classes covered, "
        f"KL to uniform {histogram.kl_to_uniform:.3f} nats",
        fontsize=9,
    )
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return _finish(figure, path)


class NeighbourFigure(NamedTuple):
    """`plot_nearest_neighbours` result: the PNG and the neighbours it shows."""

    path: str
    indices: np.ndarray
    distances: np.ndarray


def plot_nearest_neighbours(
    samples: np.ndarray,
    train_images: np.ndarray,
    path: str,
    k: int = 5,
    num_samples: int = 8,
    space: str = "pixel",
    classifier: "keras.Model | FeatureExtractor | None" = None,
    scale: int = 2,
) -> NeighbourFigure:
    """Memorisation check: each generated sample beside its k nearest training images.

    A generator that copies its training set shows neighbours identical to
    the samples (pixel distance near 0); a healthy one shows similar but
    different digits. Distances are printed on the neighbour tiles.

    Args:
        samples: generated images `(n, 28, 28, 1)` in [-1, 1]; the first
            `num_samples` are shown.
        train_images: the training images `(N, 28, 28, 1)`, uint8 or [-1, 1].
        path: PNG file to write.
        k: neighbours per sample.
        num_samples: rows of the figure.
        space: "pixel" (Euclidean distance of [-1, 1] pixel vectors) or
            "feature" (Euclidean distance of classifier features; needs
            `classifier`).
        classifier: metrics classifier or `FeatureExtractor`, for "feature".
        scale: screen pixels per image pixel.

    Returns:
        `NeighbourFigure(path, indices, distances)`, indices into
        `train_images` and distances both `(num_samples, k)`, closest first.
        The PNG is (30·(k+1) + 10)·scale wide and (30·num_samples + 2)·scale + 24
        high.
    """
    samples = check_images(samples, "samples")[:num_samples]
    train_images = check_images(train_images, "train_images")
    if space == "pixel":
        indices, distances = nearest_neighbours(
            samples.reshape(len(samples), -1), train_images.reshape(len(train_images), -1), k
        )
    elif space == "feature":
        if classifier is None:
            raise ValueError('space="feature" needs a classifier')
        extractor = as_feature_extractor(classifier)
        indices, distances = nearest_neighbours(extractor(samples)[0], extractor(train_images)[0], k)
    else:
        raise ValueError(f'space must be "pixel" or "feature", received space={space!r}')

    rows = len(samples)
    # Row r holds sample r then its k neighbours: (rows, 1 + k) tiles.
    tiles = np.concatenate([samples[:, None], train_images[indices]], axis=1)
    grid = _tile_grid(tiles.reshape(-1, _TILE, _TILE, 1), columns=k + 1)
    sample_column_width = _TILE + 2 * _BORDER
    gap = np.ones((grid.shape[0], 4 * _BORDER), dtype=np.float32)
    # Insert a white gap after the sample column: (G_h, G_w + 8).
    canvas = np.concatenate([grid[:, :sample_column_width], gap, grid[:, sample_column_width:]], axis=1)

    left_fraction = sample_column_width / 2 / canvas.shape[1]
    right_fraction = (sample_column_width + gap.shape[1] + canvas.shape[1]) / 2 / canvas.shape[1]
    figure, band = _show_canvas(
        canvas, scale, [(left_fraction, "sample"), (right_fraction, f"nearest training images ({space})")]
    )
    width, height = canvas.shape[1] * scale, canvas.shape[0] * scale + band
    for row in range(rows):
        for neighbour in range(k):
            # Top-left corner of the neighbour's tile, in canvas pixels.
            left = sample_column_width + gap.shape[1] + neighbour * (_TILE + _BORDER)
            top = _BORDER + row * (_TILE + _BORDER)
            figure.text(
                (left * scale + 2) / width,
                1.0 - (band + top * scale + 2) / height,
                f"{distances[row, neighbour]:.1f}",
                color="yellow",
                fontsize=6,
                ha="left",
                va="top",
            )
    return NeighbourFigure(_finish(figure, path), indices, distances)


def plot_latent_interpolation(
    generator: keras.Model,
    path: str,
    num_rows: int = 4,
    steps: int = 10,
    method: str = "slerp",
    seed: int = 0,
    scale: int = 2,
) -> str:
    """Image strips decoding `steps` points between pairs of random z.

    Smooth morphing from one digit to another means the generator learned a
    continuous latent space; abrupt jumps or garbage in the middle do not.
    For a conditional generator (inputs `[z, one_hot]`) row r keeps the label
    r mod num_classes fixed, so only the style changes.

    Args:
        generator: maps z `(n, latent_dim)` (and one-hot labels) to images in
            [-1, 1].
        path: PNG file to write.
        num_rows: number of (z0, z1) pairs, one strip each.
        steps: images per strip, endpoints included (>= 2).
        method: "slerp" or "lerp".
        seed: seed of the endpoints z ~ N(0, I).
        scale: screen pixels per image pixel.

    Returns:
        `path`. The PNG is (30·steps + 2)·scale wide, (30·num_rows + 2)·scale + 24 high.
    """
    interpolations = {"slerp": slerp, "lerp": lerp}
    if method not in interpolations:
        raise ValueError(f'method must be "slerp" or "lerp", received method={method!r}')
    if steps < 2 or num_rows < 1:
        raise ValueError(f"need steps >= 2 and num_rows >= 1, received steps={steps}, num_rows={num_rows}")
    signature = GeneratorSignature.from_generator(generator)
    # Interpolating in float64 keeps slerp's norms exact; the pairs come
    # consecutively from the seed's stream: (2 · num_rows, d) -> (num_rows, 2, d).
    endpoints = signature.draw_z(2 * num_rows, seed, dtype=np.float64).reshape(num_rows, 2, -1)
    t = np.linspace(0.0, 1.0, steps)
    # (num_rows · steps, latent_dim), row-major: strip r is z[r·steps:(r+1)·steps].
    z = np.concatenate([interpolations[method](z0, z1, t) for z0, z1 in endpoints]).astype(np.float32)
    labels = None
    if signature.conditional:
        # Strip r keeps class r mod num_classes: (num_rows,) -> (num_rows · steps,).
        labels = np.repeat(signature.labels(num_rows), steps)
    images = generator.predict(signature.inputs(z, labels).network_inputs, verbose=0)
    canvas = _tile_grid(check_images(images, "generated images"), columns=steps)
    figure, _ = _show_canvas(canvas, scale, [(0.5, f"latent interpolation ({method})")])
    return _finish(figure, path)
