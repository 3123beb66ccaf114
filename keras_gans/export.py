"""Shipping a trained generator as a TensorFlow SavedModel.

`export_generator` writes the generator (the EMA one when the GAN keeps it)
with two signatures, usable from any TensorFlow program without keras_gans:

- `serving_default(z[, labels])`: `z` float32 `(None, latent_dim)` and, for
  a conditional generator, `labels` int32 `(None,)` class indices (one-hot
  encoded inside) -> `{"images": float32 (None, *image_shape) in [-1, 1]}`.
- `sample(n, seed[, label])`: `n` int32 scalar, `seed` int64 scalar and,
  for a conditional generator, `label` int32 scalar (-1 cycles through the
  classes 0, 1, ...) -> `{"images": uint8 (n, *image_shape) in [0, 255]}`.
  z is `tf.random.stateless_normal((n, latent_dim), seed=[seed, 0])`, so the
  same seed always gives the same images.

Beside `saved_model.pb` (inside the export folder) `generator.json` records
what a caller needs to know: latent_dim, image_shape, conditional,
num_classes, objective, architecture, precision, dataset, epoch, versions.

Reload with plain TensorFlow:

```python
generator = tf.saved_model.load("run/generator")
images = generator.signatures["serving_default"](z=tf.random.normal((16, 64)))["images"]
digits = generator.signatures["sample"](n=tf.constant(16), seed=tf.constant(0, tf.int64))
```

or in Keras with `keras.layers.TFSMLayer(path, call_endpoint="serving_default")`,
or with `ExportedGenerator` (both signatures, loaded once),
`load_exported_generator` / `sample_exported_generator` here.
`keras_gans.callbacks.ExportGenerator` calls `export_generator` when training
ends.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_gans import __version__
from keras_gans.data import to_uint8
from keras_gans.signature import GeneratorSignature

METADATA_FILENAME = "generator.json"


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def _describe_generator(gan_or_generator: keras.Model) -> tuple[keras.Model, GeneratorSignature, dict]:
    """Returns the network to export, its signature and the facts of `generator.json`."""
    model = gan_or_generator
    if hasattr(model, "sampling_generator"):
        generator = model.sampling_generator
        if getattr(model, "latent_dim", None) is None:
            raise ValueError(f"{type(model).__name__} has no latent_dim, received latent_dim=None")
    elif hasattr(model, "generate") and not hasattr(model, "latent_dim"):
        raise ValueError(
            "export_generator exports generators that map z to images; "
            f"received {type(model).__name__}, which has no latent input"
        )
    else:
        generator = model
    if not isinstance(generator, keras.Model):
        raise ValueError(
            "expected a GAN or a generator keras.Model with inputs z or [z, one_hot_labels], "
            f"received {type(generator).__name__}"
        )
    signature = GeneratorSignature.from_generator(generator)
    ema = getattr(model, "ema_generator", None) is not None
    loss_name = getattr(model, "loss_name", None)
    facts = {
        **signature.to_metadata(),
        "model_class": type(model).__name__,
        "objective": loss_name,
        "loss": loss_name,
        "ema": ema,
        "dataset": None,
        "epoch": None,
    }
    return generator, signature, facts


def _check_finite_weights(generator: keras.Model) -> None:
    for weight in generator.weights:
        if not np.all(np.isfinite(weight.numpy())):
            raise ValueError(
                f"refusing to export a generator with non-finite weights: {weight.path} "
                "holds NaN or inf (training diverged)"
            )


def _check_labels(labels: tf.Tensor, num_classes: int, name: str) -> list:
    return [
        tf.debugging.assert_greater_equal(labels, 0, message=f"{name} must be >= 0"),
        tf.debugging.assert_less(labels, num_classes, message=f"{name} must be < {num_classes}"),
    ]


def _endpoints(generator: keras.Model, signature: GeneratorSignature) -> dict:
    """`{name: (fn, input_signature)}` of the two exported signatures.

    They draw and check inside the SavedModel's graph, with TensorFlow ops, so
    that callers without keras_gans get the same images and errors.
    """
    latent_dim, num_classes = signature.latent_dim, signature.num_classes

    def images_of(z, labels=None):
        inputs = z if labels is None else [z, tf.one_hot(labels, num_classes)]
        return tf.cast(generator(inputs, training=False), tf.float32)

    def sample_z(n, seed):
        tf.debugging.assert_non_negative(n, message="n must be >= 0")
        # A stateless op: the same (n, seed) gives the same z on any machine.
        return tf.random.stateless_normal(tf.stack([n, latent_dim]), seed=tf.stack([seed, tf.zeros_like(seed)]))

    z_spec = tf.TensorSpec((None, latent_dim), tf.float32, name="z")
    n_spec = tf.TensorSpec((), tf.int32, name="n")
    seed_spec = tf.TensorSpec((), tf.int64, name="seed")
    if num_classes is None:

        def serve(z):
            return {"images": images_of(z)}

        def sample(n, seed):
            return {"images": to_uint8(images_of(sample_z(n, seed)))}

        return {"serving_default": (serve, [z_spec]), "sample": (sample, [n_spec, seed_spec])}

    def serve_conditional(z, labels):
        with tf.control_dependencies(_check_labels(labels, num_classes, "labels")):
            return {"images": images_of(z, labels)}

    def sample_conditional(n, seed, label):
        tf.debugging.assert_greater_equal(label, -1, message="label must be >= -1")
        tf.debugging.assert_less(label, num_classes, message=f"label must be < {num_classes}")
        labels = tf.where(label < 0, tf.range(n) % num_classes, tf.fill([n], label))
        return {"images": to_uint8(images_of(sample_z(n, seed), labels))}

    labels_spec = tf.TensorSpec((None,), tf.int32, name="labels")
    label_spec = tf.TensorSpec((), tf.int32, name="label")
    return {
        "serving_default": (serve_conditional, [z_spec, labels_spec]),
        "sample": (sample_conditional, [n_spec, seed_spec, label_spec]),
    }


def _is_export(path: Path) -> bool:
    return (path / "saved_model.pb").is_file()


def export_generator(
    gan_or_generator: keras.Model,
    export_dir: str | Path,
    metadata: Mapping | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes a generator as a SavedModel plus `generator.json`.

    Args:
        gan_or_generator: a `GAN` (its `sampling_generator`, the EMA
            generator when kept, is exported) or a generator `keras.Model`
            with inputs `z` or `[z, one_hot_labels]`.
        export_dir: folder to write (created with its parents).
        metadata: extra JSON-serializable entries for `generator.json`,
            e.g. `{"dataset": "mnist", "epoch": 20}`; they override the
            entries read from the model.
        overwrite: replace a previous export in `export_dir`. Without it an
            existing non-empty `export_dir` raises. Even with it, a folder
            that is not a SavedModel export is never deleted.

    Returns:
        The export folder.

    Raises:
        FileExistsError: `export_dir` exists and is not empty (without
            `overwrite`), or is not a previous export (with it).
        ValueError: the model is not a z -> image generator, or its weights
            are not finite.
    """
    export_dir = Path(export_dir)
    if export_dir.exists():
        if not export_dir.is_dir():
            raise FileExistsError(f"export_dir {export_dir} exists and is a file")
        if any(export_dir.iterdir()):
            if not overwrite:
                raise FileExistsError(
                    f"export_dir {export_dir} already exists and is not empty; "
                    "pass overwrite=True to replace it or choose another folder"
                )
            if not _is_export(export_dir):
                raise FileExistsError(
                    f"export_dir {export_dir} is not a SavedModel export (no saved_model.pb); "
                    "refusing to delete it even with overwrite=True"
                )

    generator, signature, facts = _describe_generator(gan_or_generator)
    _check_finite_weights(generator)
    facts.update(
        keras_gans_version=__version__,
        keras_version=keras.__version__,
        tensorflow_version=tf.__version__,
    )
    facts.update(metadata or {})
    try:
        metadata_text = json.dumps(facts, indent=2)
    except TypeError as error:
        raise TypeError(f"metadata must be JSON-serializable: {error}") from error

    archive = keras.export.ExportArchive()
    archive.track(generator)
    for name, (fn, input_signature) in _endpoints(generator, signature).items():
        archive.add_endpoint(name=name, fn=fn, input_signature=input_signature)

    # Write next to the target, then swap it in: a failed export never
    # destroys the previous one.
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{export_dir.name}-", dir=export_dir.parent))
    try:
        archive.write_out(str(staging), verbose=False)
        (staging / METADATA_FILENAME).write_text(metadata_text + "\n")
        if export_dir.exists():
            shutil.rmtree(export_dir)
        staging.rename(export_dir)
    except (OSError, tf.errors.OpError) as error:
        # A full disk fails half-way through the SavedModel (TensorFlow
        # raises an OpError) or the metadata (an OSError).
        reason = getattr(error, "message", None) or getattr(error, "strerror", None) or str(error)
        previous = "the previous export is intact" if _is_export(export_dir) else "nothing was exported"
        raise OSError(
            f"cannot write the generator export to {export_dir} ({reason.splitlines()[0]}); {previous}"
        ) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return export_dir


def next_free_dir(path: str | Path) -> Path:
    """`path` if it is missing or empty, else the first free `path-2`, `path-3`, ..."""
    path = Path(path)
    candidate, number = path, 2
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        candidate = path.with_name(f"{path.name}-{number}")
        number += 1
    return candidate


# --------------------------------------------------------------------------
# Reloading
# --------------------------------------------------------------------------


def read_export_metadata(path: str | Path) -> dict:
    """The `generator.json` of an export folder."""
    path = Path(path)
    if not _is_export(path):
        raise FileNotFoundError(f"no exported generator (saved_model.pb) in {path}")
    metadata_path = path / METADATA_FILENAME
    if not metadata_path.is_file():
        raise FileNotFoundError(f"{metadata_path} is missing; was {path} written by export_generator?")
    return json.loads(metadata_path.read_text())


class ExportedGenerator:
    """An export loaded once, for many calls of both its signatures.

    Args:
        path: export folder written by `export_generator`.

    Attributes:
        metadata: the `generator.json` dict.
        signature: the `GeneratorSignature` the metadata describes.
    """

    def __init__(self, path: str | Path) -> None:
        self.metadata = read_export_metadata(path)
        self.signature = GeneratorSignature.from_metadata(self.metadata)
        self._saved_model = tf.saved_model.load(str(path))

    def generate(self, z: np.ndarray, labels: np.ndarray | Sequence[int] | None = None) -> np.ndarray:
        """Images for given latents, through the `serving_default` signature.

        Args:
            z: float `(n, latent_dim)`.
            labels: `n` integer classes, for a conditional generator only.

        Returns:
            Float32 numpy images `(n, *image_shape)` in [-1, 1].
        """
        # serving_default has no default classes: a missing label is a mistake.
        if self.signature.conditional and labels is None:
            raise ValueError("this generator is conditional: pass labels, one class per z")
        checked = self.signature.inputs(z, labels)
        inputs = {"z": tf.constant(checked.z)}
        if checked.labels is not None:
            inputs["labels"] = tf.constant(checked.labels, tf.int32)
        return self._saved_model.signatures["serving_default"](**inputs)["images"].numpy()

    def sample(self, n: int = 100, seed: int = 0, label: int | None = None) -> np.ndarray:
        """`n` images drawn by the export's `sample` signature.

        Args:
            n: number of images, >= 1.
            seed: the same seed gives the same images.
            label: class of every image (conditional generators only);
                `None` cycles through the classes 0, 1, ...

        Returns:
            uint8 numpy images `(n, *image_shape)` in [0, 255].
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, received n={n}")
        if label is not None:
            self.signature.labels(n, label, name="label")  # fails for a class the generator lacks
        inputs = {"n": tf.constant(n, tf.int32), "seed": tf.constant(seed, tf.int64)}
        if self.signature.conditional:
            # -1 asks the signature to cycle through the classes itself.
            inputs["label"] = tf.constant(-1 if label is None else label, tf.int32)
        return self._saved_model.signatures["sample"](**inputs)["images"].numpy()


def load_exported_generator(path: str | Path) -> tuple[Callable[..., np.ndarray], dict]:
    """Loads an export; returns `(generate, metadata)`.

    `generate(z, labels=None)` is `ExportedGenerator.generate`: float `z`
    `(n, latent_dim)` (and, for a conditional generator, `n` integer
    `labels`) to float32 numpy images `(n, *image_shape)` in [-1, 1].
    `metadata` is the `generator.json` dict.
    """
    exported = ExportedGenerator(path)
    return exported.generate, exported.metadata


def load_exported_sampler(path: str | Path) -> tuple[Callable[..., np.ndarray], dict]:
    """Loads an export once; returns `(sample, metadata)`.

    `sample(n=100, seed=0, label=None)` is `ExportedGenerator.sample`: it
    draws through the export's `sample` signature, as
    `sample_exported_generator` does, without loading the SavedModel again.
    """
    exported = ExportedGenerator(path)
    return exported.sample, exported.metadata


def sample_exported_generator(
    path: str | Path, n: int = 100, seed: int = 0, label: int | None = None
) -> tuple[np.ndarray, dict]:
    """Draws `n` images with the export's `sample` signature.

    Args:
        path: export folder.
        n: number of images, >= 1.
        seed: the same seed gives the same images.
        label: class of every image (conditional generators only); `None`
            cycles through the classes 0, 1, ...

    Returns:
        `(images, metadata)`: uint8 images `(n, *image_shape)` in [0, 255]
        (`save_image_grid` takes them as they are) and the
        `generator.json` dict.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, received n={n}")
    sample, metadata = load_exported_sampler(path)
    return sample(n, seed, label), metadata
