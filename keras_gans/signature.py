"""What a generator takes and makes, read once, and one way to draw its inputs.

Every generator of this package maps latent codes `z` of shape
`(n, latent_dim)`, plus one-hot labels `(n, num_classes)` when it is
conditional, to images `(n, *image_shape)` in [-1, 1]. `GeneratorSignature`
holds those three facts, read from a Keras generator (`from_generator`) or
from an export's `generator.json` (`from_metadata`), and draws inputs for a
seed with NumPy (`draw_inputs`):

    z = np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)

with classes cycling 0, 1, ..., num_classes - 1 unless they are given. The
metrics' `generate_samples`, the callbacks' grids and the interpolation
figure all draw this way, so one seed means one z everywhere.

Two places draw z with TensorFlow instead, because they run inside graphs:
`GAN.sample_latent` (training steps, from the model's `SeedGenerator`) and
the export's `sample` signature (`tf.random.stateless_normal` with seed
`[seed, 0]`, so a SavedModel reproduces it without keras_gans). They take
only the facts and the labels from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import NamedTuple

import keras
import numpy as np

from keras_gans.checks import check_image_shape, check_positive_int


class GeneratorInputs(NamedTuple):
    """Inputs for `n` images of a generator.

    Attributes:
        z: float32 `(n, latent_dim)` latent codes.
        labels: integer classes `(n,)` in [0, num_classes), or `None` for an
            unconditional generator.
        one_hot: float32 `(n, num_classes)` one-hot rows of `labels`, or `None`.
    """

    z: np.ndarray
    labels: np.ndarray | None
    one_hot: np.ndarray | None

    @property
    def network_inputs(self) -> np.ndarray | list[np.ndarray]:
        """What the Keras generator is called on: `z` or `[z, one_hot]`."""
        return self.z if self.one_hot is None else [self.z, self.one_hot]


@dataclasses.dataclass(frozen=True)
class GeneratorSignature:
    """The inputs and outputs of a generator.

    Attributes:
        latent_dim: size of z, > 0.
        num_classes: number of classes of a conditional generator (its second
            input takes one-hot rows of this size), else `None`.
        image_shape: `(height, width, channels)` of the generated images.
    """

    latent_dim: int
    num_classes: int | None
    image_shape: tuple[int, int, int]

    def __post_init__(self) -> None:
        # The fields arrive as read from Keras shapes or JSON (lists, numpy
        # ints); keep them as plain ints and tuples so signatures compare equal.
        object.__setattr__(self, "latent_dim", check_positive_int("latent_dim", self.latent_dim))
        if self.num_classes is not None:
            object.__setattr__(self, "num_classes", check_positive_int("num_classes", self.num_classes))
        object.__setattr__(self, "image_shape", check_image_shape(self.image_shape))

    @property
    def conditional(self) -> bool:
        """Whether the generator takes labels beside z."""
        return self.num_classes is not None

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    @classmethod
    def from_generator(cls, generator: keras.Model) -> GeneratorSignature:
        """Reads a generator `keras.Model` with inputs `z` or `[z, one_hot_labels]`.

        Raises:
            ValueError: the model has no inputs, or more than two, or its
                sizes are not known.
        """
        inputs = getattr(generator, "inputs", None) or ()
        if len(inputs) not in (1, 2):
            raise ValueError(
                "a generator takes z or [z, one_hot_labels], received "
                f"{type(generator).__name__} {getattr(generator, 'name', '')!r} with {len(inputs)} inputs"
            )
        return cls(
            latent_dim=inputs[0].shape[-1],
            num_classes=inputs[1].shape[-1] if len(inputs) == 2 else None,
            image_shape=tuple(generator.outputs[0].shape[1:]),
        )

    @classmethod
    def from_metadata(cls, metadata: Mapping) -> GeneratorSignature:
        """Reads the `generator.json` dict of an export (`read_export_metadata`)."""
        try:
            num_classes = metadata["num_classes"] if metadata["conditional"] else None
            return cls(metadata["latent_dim"], num_classes, tuple(metadata["image_shape"]))
        except KeyError as error:
            raise ValueError(
                f"generator.json must hold latent_dim, image_shape, conditional and num_classes, "
                f"received keys {sorted(metadata)}"
            ) from error

    def to_metadata(self) -> dict:
        """The entries of `generator.json` that `from_metadata` reads."""
        return {
            "latent_dim": self.latent_dim,
            "image_shape": list(self.image_shape),
            "conditional": self.conditional,
            "num_classes": self.num_classes,
        }

    # ------------------------------------------------------------------
    # Inputs
    # ------------------------------------------------------------------

    def labels(self, n: int, labels=None, name: str = "labels") -> np.ndarray | None:
        """The class of each of `n` images, checked; `None` for an unconditional generator.

        Args:
            n: number of images, >= 0.
            labels: `None` cycles through the classes (0, 1, ...,
                num_classes - 1, 0, ...), so all are equally frequent; one
                integer gives every image that class; else `n` integers in
                [0, num_classes).
            name: what the caller calls `labels`, for the error messages.

        Returns:
            Integer `(n,)` classes (the given ones, as an array), or `None`.

        Raises:
            ValueError: labels for an unconditional generator, or labels of
                the wrong shape, type or range, naming what was received.
        """
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"this generator is unconditional; received {name}={labels!r}")
            return None
        if labels is None:
            return np.arange(n) % self.num_classes
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},), received shape {labels.shape}")
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"{name} must be integer classes, received dtype {labels.dtype}")
        if np.any((labels < 0) | (labels >= self.num_classes)):
            raise ValueError(f"{name} must be in [0, {self.num_classes}), received {np.unique(labels).tolist()}")
        return labels

    def one_hot(self, labels: np.ndarray) -> np.ndarray:
        """float32 `(n, num_classes)` one-hot rows of integer classes `(n,)`."""
        return np.eye(self.num_classes, dtype=np.float32)[labels]

    def draw_z(self, n: int, seed: int | None, dtype=np.float32) -> np.ndarray:
        """z ~ N(0, I), shape `(n, latent_dim)`, from `np.random.default_rng(seed)`.

        Drawn in float64 and then cast, so a float64 caller (the
        interpolation figure) gets the very numbers a float32 one rounds.
        """
        n = check_positive_int("n", n)
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(dtype)

    def inputs(self, z, labels=None) -> GeneratorInputs:
        """Checked inputs for given latent codes `z` `(n, latent_dim)`.

        `labels` as in `labels` (default: cycling classes).
        """
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), received shape {z.shape}")
        labels = self.labels(len(z), labels)
        return GeneratorInputs(z, labels, None if labels is None else self.one_hot(labels))

    def draw_inputs(self, n: int, seed: int | None, labels=None) -> GeneratorInputs:
        """Inputs for `n` images: `draw_z(n, seed)` and `labels` as in `labels`."""
        return self.inputs(self.draw_z(n, seed), labels)
