"""Generator and discriminator builders for 28x28 greyscale images.

Every builder returns a functional `keras.Model` with named layers.
Generators map latent codes `z` of shape `(batch, latent_dim)` to images of
shape `(batch, 28, 28, 1)` in [-1, 1] (tanh output). Discriminators map
images `(batch, 28, 28, 1)` to scores `(batch, 1)`: raw logits, or
probabilities in (0, 1) when built with a sigmoid output.

Conditional models (built with `num_classes`) take a second input,
"labels", holding one-hot class vectors `(batch, num_classes)`.

`build_preset` builds the named architectures of `PRESETS`, a table of
builders and their arguments; `parameter_table` reports their sizes layer by
layer (with `keras_gans.parameters`).
"""

import dataclasses
import inspect
import math
import numbers
import types
from collections.abc import Callable, Mapping, Sequence

import keras
from keras import layers

from keras_gans.checks import (
    check_fraction,
    check_image_shape,
    check_positive_int,
    check_positive_ints,
    is_int,
)

# ParameterRow, ParameterTable and count_parameters lived here until they moved
# to keras_gans.parameters; they stay importable from keras_gans.models for one
# release (the "as" form marks them as re-exported).
from keras_gans.parameters import ParameterRow as ParameterRow
from keras_gans.parameters import ParameterTable, tabulate_parameters
from keras_gans.parameters import count_parameters as count_parameters

DEFAULT_IMAGE_SHAPE = (28, 28, 1)


# --------------------------------------------------------------------------
# Argument checks (errors show the value received)
# --------------------------------------------------------------------------


def _check_num_classes(value) -> int | None:
    if value is None:
        return None
    if not is_int(value) or value < 2:
        raise ValueError(f"num_classes must be None or an integer >= 2, received num_classes={value!r}")
    return int(value)


def _check_output_activation(value) -> str | None:
    if value not in (None, "sigmoid"):
        raise ValueError(
            "output_activation must be None (logits) or 'sigmoid' (probabilities), "
            f"received output_activation={value!r}"
        )
    return value


def _activation_layer(activation: str | float, name: str) -> layers.Layer:
    """ReLU for "relu", LeakyReLU with that negative slope for a number."""
    if activation == "relu":
        return layers.ReLU(name=name)
    return layers.LeakyReLU(negative_slope=activation, name=name)


def _check_activation(value) -> str | float:
    if value == "relu":
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and 0.0 <= value < 1.0:
        return float(value)
    raise ValueError(
        f"activation must be 'relu' or a LeakyReLU negative slope in [0, 1), received activation={value!r}"
    )


def _generator_inputs(latent_dim: int, num_classes: int | None):
    """Returns (model inputs, tensor fed to the first layer)."""
    z = keras.Input(shape=(latent_dim,), name="z")
    if num_classes is None:
        return z, z
    labels = keras.Input(shape=(num_classes,), name="labels")
    # (batch, latent_dim) ++ (batch, num_classes) -> (batch, latent_dim + num_classes)
    z_and_labels = layers.Concatenate(name="z_and_labels")([z, labels])
    return [z, labels], z_and_labels


# --------------------------------------------------------------------------
# Generic builders
# --------------------------------------------------------------------------


def mlp_generator(
    latent_dim: int = 96,
    hidden_units: Sequence[int] = (1024, 1024),
    activation: str | float = "relu",
    batch_norm: bool = False,
    image_shape: Sequence[int] = DEFAULT_IMAGE_SHAPE,
    num_classes: int | None = None,
    name: str = "mlp_generator",
) -> keras.Model:
    """Fully connected generator: z -> hidden Dense blocks -> tanh image.

    Each hidden block is `Dense -> [BatchNormalization] -> activation`; with
    batch norm the Dense layer has no bias (BN's offset replaces it). The
    output layer is `Dense(prod(image_shape), tanh)` reshaped to the image.

    Args:
        latent_dim: size of z, > 0.
        hidden_units: widths of the hidden Dense layers.
        activation: "relu", or a number: the negative slope of LeakyReLU.
        batch_norm: put BatchNormalization between each Dense and activation.
        image_shape: (height, width, channels) of the output.
        num_classes: if set, the model is conditional: inputs
            `[z, labels]` with one-hot labels `(batch, num_classes)`,
            concatenated to z.
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, latent_dim)` (and labels) to
        `(batch, *image_shape)` images in [-1, 1].
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    hidden_units = check_positive_ints("hidden_units", hidden_units)
    activation = _check_activation(activation)
    image_shape = check_image_shape(image_shape)
    num_classes = _check_num_classes(num_classes)

    inputs, x = _generator_inputs(latent_dim, num_classes)
    for index, units in enumerate(hidden_units, start=1):
        x = layers.Dense(units, use_bias=not batch_norm, name=f"dense_{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        x = _activation_layer(activation, name=f"activation_{index}")(x)
    x = layers.Dense(math.prod(image_shape), activation="tanh", name="to_pixels")(x)
    # (batch, height * width * channels) -> (batch, height, width, channels)
    images = layers.Reshape(image_shape, name="to_image")(x)
    return keras.Model(inputs, images, name=name)


def mlp_discriminator(
    hidden_units: Sequence[int] = (256, 256),
    leaky_relu_slope: float = 0.01,
    output_activation: str | None = None,
    image_shape: Sequence[int] = DEFAULT_IMAGE_SHAPE,
    num_classes: int | None = None,
    name: str = "mlp_discriminator",
) -> keras.Model:
    """Fully connected discriminator: flattened image -> hidden Dense -> score.

    Args:
        hidden_units: widths of the hidden Dense layers, each followed by
            LeakyReLU.
        leaky_relu_slope: negative slope of the LeakyReLUs, in [0, 1).
        output_activation: None for a logit, "sigmoid" for a probability.
        image_shape: (height, width, channels) of the input images.
        num_classes: if set, the model is conditional: inputs
            `[images, labels]`, one-hot labels concatenated to the
            flattened image.
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, *image_shape)` (and labels) to
        `(batch, 1)` logits, or probabilities in (0, 1) with "sigmoid".
    """
    hidden_units = check_positive_ints("hidden_units", hidden_units)
    leaky_relu_slope = check_fraction("leaky_relu_slope", leaky_relu_slope)
    output_activation = _check_output_activation(output_activation)
    image_shape = check_image_shape(image_shape)
    num_classes = _check_num_classes(num_classes)

    images = keras.Input(shape=image_shape, name="images")
    # (batch, height, width, channels) -> (batch, height * width * channels)
    pixels = layers.Flatten(name="flatten")(images)
    return _scoring_head(
        images,
        pixels,
        "pixels",
        hidden_units,
        leaky_relu_slope,
        num_classes,
        first_index=1,
        output_activation=output_activation,
        name=name,
    )


def _scoring_head(
    images,
    features,
    features_name: str,
    hidden_units: tuple[int, ...],
    leaky_relu_slope: float,
    num_classes: int | None,
    first_index: int,
    output_activation: str | None = None,
    name: str = "",
) -> keras.Model:
    """The end of a discriminator: `features (batch, n)` -> `(batch, 1)` scores.

    A conditional model (`num_classes` set) gets a "labels" input whose
    one-hot rows are joined to the features; then each of `hidden_units` is
    a Dense layer and a LeakyReLU (numbered from `first_index`), and a Dense
    layer of one unit makes the score.
    """
    inputs = images
    if num_classes is not None:
        labels = keras.Input(shape=(num_classes,), name="labels")
        # (batch, n) ++ (batch, num_classes) -> (batch, n + num_classes)
        features = layers.Concatenate(name=f"{features_name}_and_labels")([features, labels])
        inputs = [images, labels]
    x = features
    for index, units in enumerate(hidden_units, start=first_index):
        x = layers.Dense(units, name=f"dense_{index}")(x)
        x = layers.LeakyReLU(negative_slope=leaky_relu_slope, name=f"activation_{index}")(x)
    scores = layers.Dense(1, activation=output_activation, name="score")(x)
    return keras.Model(inputs, scores, name=name)


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStddev(layers.Layer):
    """Appends how much a batch varies as one more feature (Karras et al. 2018).

    Input `(batch, n)` features, output `(batch, n + 1)`. The batch is cut
    into groups of `group_size` consecutive samples (the last one may be
    smaller); for each group the standard deviation of every feature across
    the group is averaged over the features, and that one number is
    appended to each sample of the group. A generator that collapses onto a
    few modes makes batches that vary less than real ones, which the
    discriminator can then see, so the generator is pushed to spread its
    samples ("minibatch standard deviation", ProGAN section 3; its code
    uses groups of 4).

    The statistics are computed in float32 (also under a bfloat16 policy)
    with matrix products only, so the layer runs the same with or without
    XLA.

    Args:
        group_size: samples per group, > 0. Any batch size works; a group of
            one sample gets sqrt(1e-8) = 1e-4, the small constant that keeps
            the square root's gradient finite.
    """

    def __init__(self, group_size: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = check_positive_int("group_size", group_size)

    def call(self, features):
        ops = keras.ops
        x = ops.cast(features, "float32")
        # Group of each sample, 0, 0, 0, 0, 1, 1, ...: (batch,)
        group = ops.floor_divide(ops.arange(ops.shape(x)[0]), self.group_size)
        # averaging[i, j] = 1 / |group of i| if j is in i's group, else 0:
        # (batch, batch). averaging @ x puts each group's mean on its samples.
        same_group = ops.cast(ops.equal(group[:, None], group[None, :]), "float32")
        averaging = same_group / ops.sum(same_group, axis=1, keepdims=True)
        deviation = x - ops.matmul(averaging, x)
        # Per sample and feature, the standard deviation of its group: (batch, n)
        stddev = ops.sqrt(ops.matmul(averaging, ops.square(deviation)) + 1e-8)
        # Averaged over the features: (batch, 1)
        group_stddev = ops.mean(stddev, axis=-1, keepdims=True)
        return ops.concatenate([features, ops.cast(group_stddev, features.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] + 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "group_size": self.group_size}


def dcgan_generator(
    latent_dim: int = 96,
    hidden_units: Sequence[int] = (1024,),
    base_filters: int = 64,
    kernel_size: int = 4,
    activation: str | float = "relu",
    image_shape: Sequence[int] = DEFAULT_IMAGE_SHAPE,
    num_classes: int | None = None,
    name: str = "dcgan_generator",
) -> keras.Model:
    """Convolutional generator in the style of DCGAN (Radford et al. 2016).

    `z -> [Dense(units) -> act -> BN] per hidden_units
    -> Dense(h/4 · w/4 · 2F) -> act -> BN -> reshape (h/4, w/4, 2F)
    -> Conv2DTranspose(F, stride 2) -> act -> BN -> (h/2, w/2, F)
    -> Conv2DTranspose(channels, stride 2, tanh) -> (h, w, channels)`,
    with `F = base_filters`. The defaults are the generator of the CS231n
    GAN assignment: z(96) -> 1024 -> 7x7x128 -> 14x14x64 -> 28x28x1, ReLU,
    batch norm after each activation (its order).

    Args:
        latent_dim: size of z, > 0.
        hidden_units: widths of Dense layers between z and the feature map;
            empty for none.
        base_filters: F above, > 0.
        kernel_size: transposed-convolution kernel size; 4 is divisible by
            the stride, which avoids checkerboard artefacts.
        activation: "relu", or a number: the negative slope of LeakyReLU.
        image_shape: (height, width, channels); height and width must be
            divisible by 4.
        num_classes: if set, the model is conditional: inputs `[z, labels]`
            with one-hot labels `(batch, num_classes)`, concatenated to z.
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, latent_dim)` (and labels) to
        `(batch, *image_shape)` images in [-1, 1].
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    hidden_units = check_positive_ints("hidden_units", hidden_units)
    base_filters = check_positive_int("base_filters", base_filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    activation = _check_activation(activation)
    height, width, channels = _check_downsamplable_image_shape(image_shape)
    num_classes = _check_num_classes(num_classes)

    def activate_and_normalize(x, index):
        x = _activation_layer(activation, name=f"activation_{index}")(x)
        return layers.BatchNormalization(name=f"batch_norm_{index}")(x)

    inputs, x = _generator_inputs(latent_dim, num_classes)
    for index, units in enumerate(hidden_units, start=1):
        x = activate_and_normalize(layers.Dense(units, name=f"dense_{index}")(x), index)
    seed_shape = (height // 4, width // 4, 2 * base_filters)
    x = layers.Dense(math.prod(seed_shape), name="to_features")(x)
    x = activate_and_normalize(x, len(hidden_units) + 1)
    # (batch, h/4 * w/4 * 2F) -> (batch, h/4, w/4, 2F)
    x = layers.Reshape(seed_shape, name="to_feature_map")(x)
    # (batch, h/4, w/4, 2F) -> (batch, h/2, w/2, F)
    x = layers.Conv2DTranspose(base_filters, kernel_size, strides=2, padding="same", name="upsample_1")(x)
    x = activate_and_normalize(x, len(hidden_units) + 2)
    # (batch, h/2, w/2, F) -> (batch, h, w, channels)
    images = layers.Conv2DTranspose(
        channels, kernel_size, strides=2, padding="same", activation="tanh", name="upsample_2"
    )(x)
    return keras.Model(inputs, images, name=name)


def dcgan_discriminator(
    base_filters: int = 32,
    kernel_size: int = 5,
    hidden_units: Sequence[int] = (1024,),
    leaky_relu_slope: float = 0.01,
    dropout_rate: float = 0.0,
    minibatch_stddev: int = 0,
    image_shape: Sequence[int] = DEFAULT_IMAGE_SHAPE,
    num_classes: int | None = None,
    name: str = "dcgan_discriminator",
) -> keras.Model:
    """Convolutional discriminator: two conv-pool blocks, then Dense layers.

    `image (h, w, c) -> Conv2D(F, k, valid) -> LeakyReLU -> MaxPool 2
    -> Conv2D(2F, k, valid) -> LeakyReLU -> MaxPool 2 -> flatten
    [-> MinibatchStddev] -> [Dense(units) -> LeakyReLU] per hidden_units
    -> Dense(1)` logit,
    `F = base_filters`, optional Dropout after each block. The defaults are
    the discriminator of the CS231n GAN assignment: 28x28 -> 24x24x32 ->
    12x12x32 -> 8x8x64 -> 4x4x64 -> 1024 -> 1. No batch norm, so it also
    suits a gradient penalty.

    Args:
        base_filters: F above, > 0.
        kernel_size: convolution kernel size (no padding: each convolution
            trims `kernel_size - 1` pixels).
        hidden_units: widths of the Dense layers after the convolutions.
        leaky_relu_slope: negative slope of the LeakyReLUs, in [0, 1).
        dropout_rate: dropout after each convolution block, in [0, 1); 0
            leaves the Dropout layers out.
        minibatch_stddev: if > 0, a `MinibatchStddev` layer with groups of
            this many images joins one feature, how much the group varies,
            to the flattened convolution features; 0 leaves it out. (It
            couples the images of a batch, as ProGAN's critic does under
            its gradient penalty.)
        image_shape: (height, width, channels), large enough for both
            blocks (28x28 with the defaults).
        num_classes: if set, the model is conditional: inputs
            `[images, labels]`, one-hot labels joined to the flattened
            convolution features.
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, *image_shape)` (and labels) to
        `(batch, 1)` logits.
    """
    base_filters = check_positive_int("base_filters", base_filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    hidden_units = check_positive_ints("hidden_units", hidden_units)
    leaky_relu_slope = check_fraction("leaky_relu_slope", leaky_relu_slope)
    dropout_rate = check_fraction("dropout_rate", dropout_rate)
    if not is_int(minibatch_stddev) or minibatch_stddev < 0:
        raise ValueError(
            f"minibatch_stddev must be an integer >= 0 (0: off), received minibatch_stddev={minibatch_stddev!r}"
        )
    image_shape = check_image_shape(image_shape)
    num_classes = _check_num_classes(num_classes)
    size = min(image_shape[:2])
    for _ in range(2):
        size = (size - kernel_size + 1) // 2
    if size < 1:
        raise ValueError(
            f"image_shape={image_shape!r} is too small for two blocks of a {kernel_size}x{kernel_size} "
            "convolution and 2x2 pooling"
        )

    images = keras.Input(shape=image_shape, name="images")
    x = images
    for index, filters in enumerate((base_filters, 2 * base_filters), start=1):
        # (h, w) -> (h - k + 1, w - k + 1) -> halved by the pooling
        x = layers.Conv2D(filters, kernel_size, name=f"conv_{index}")(x)
        x = layers.LeakyReLU(negative_slope=leaky_relu_slope, name=f"activation_{index}")(x)
        x = layers.MaxPooling2D(2, name=f"pool_{index}")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name=f"dropout_{index}")(x)
    # (batch, h', w', 2F) -> (batch, h' * w' * 2F)
    features = layers.Flatten(name="flatten")(x)
    if minibatch_stddev:
        features = MinibatchStddev(minibatch_stddev, name="minibatch_stddev")(features)
    # Layers 1 and 2 are the convolution blocks: the Dense layers go on from 3.
    return _scoring_head(
        images, features, "features", hidden_units, leaky_relu_slope, num_classes, first_index=3, name=name
    )


def _check_downsamplable_image_shape(value) -> tuple[int, int, int]:
    height, width, channels = check_image_shape(value)
    if height % 4 or width % 4:
        raise ValueError(
            "image height and width must be divisible by 4 for the two stride-2 "
            f"layers, received image_shape={tuple(value)!r}"
        )
    return height, width, channels


# --------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------


def _arguments(**kwargs) -> Mapping[str, object]:
    """Read-only builder arguments: a preset's table cannot be changed by a caller."""
    return types.MappingProxyType(kwargs)


@dataclasses.dataclass(frozen=True)
class PresetSpec:
    """A named generator/discriminator pair, as data.

    Attributes:
        name: preset name, as passed to `build_preset`.
        latent_dim: default size of z.
        description: one-line summary of the architecture.
        generator, discriminator: the builders of the two networks.
        generator_kwargs, discriminator_kwargs: their arguments, besides
            `latent_dim`, `num_classes` and `name` that `build_preset` adds.
        default_objective: objective name for `keras_gans.losses.get_loss_pair`
            the architecture was designed for.
        num_classes: number of label classes of a conditional preset, else
            None.
    """

    name: str
    latent_dim: int
    description: str
    generator: Callable[..., keras.Model]
    generator_kwargs: Mapping[str, object] = dataclasses.field(hash=False)
    discriminator: Callable[..., keras.Model]
    discriminator_kwargs: Mapping[str, object] = dataclasses.field(hash=False)
    default_objective: str = "non_saturating"
    num_classes: int | None = None

    @property
    def conditional(self) -> bool:
        """Whether both models take one-hot "labels" as a second input."""
        return self.num_classes is not None

    @property
    def from_logits(self) -> bool:
        """False when the discriminator ends in a sigmoid and outputs probabilities."""
        return self.discriminator_kwargs.get("output_activation") != "sigmoid"


PRESETS: dict[str, PresetSpec] = {
    spec.name: spec
    for spec in (
        PresetSpec(
            name="vanilla",
            latent_dim=96,
            description=(
                "CS231n-style MLP GAN. G: z(96) -> 1024 ReLU -> 1024 ReLU -> 784 "
                "tanh. D: 784 -> 256 LeakyReLU(0.01) -> 256 LeakyReLU(0.01) -> 1 logit."
            ),
            generator=mlp_generator,
            generator_kwargs=_arguments(hidden_units=(1024, 1024), activation="relu"),
            discriminator=mlp_discriminator,
            discriminator_kwargs=_arguments(hidden_units=(256, 256), leaky_relu_slope=0.01),
        ),
        PresetSpec(
            name="wgan_gp",
            latent_dim=100,
            description=(
                "MLP WGAN-GP. G: z(100) -> 256 -> 512 -> 1024 -> 784 tanh, "
                "LeakyReLU(0.2). D (critic): 784 -> 512 -> 256 -> 1, LeakyReLU(0.2), "
                "no output activation."
            ),
            generator=mlp_generator,
            generator_kwargs=_arguments(hidden_units=(256, 512, 1024), activation=0.2),
            discriminator=mlp_discriminator,
            discriminator_kwargs=_arguments(hidden_units=(512, 256), leaky_relu_slope=0.2),
            default_objective="wasserstein",
        ),
        PresetSpec(
            name="batchnorm_mlp",
            latent_dim=100,
            description=(
                "MLP GAN with batch norm. G: z(100) -> [Dense -> BatchNorm -> "
                "LeakyReLU(0.2)] x (256, 512, 1024) -> 784 tanh. D: 784 -> 512 -> 256 "
                "-> 1, LeakyReLU(0.2), sigmoid output (probabilities)."
            ),
            generator=mlp_generator,
            generator_kwargs=_arguments(hidden_units=(256, 512, 1024), activation=0.2, batch_norm=True),
            discriminator=mlp_discriminator,
            discriminator_kwargs=_arguments(hidden_units=(512, 256), leaky_relu_slope=0.2, output_activation="sigmoid"),
        ),
        PresetSpec(
            name="dcgan",
            latent_dim=96,
            description=(
                "DCGAN of the CS231n GAN assignment. G: z(96) -> 1024 -> 7x7x128 -> ConvT "
                "14x14x64 -> ConvT 28x28x1 tanh, ReLU then BatchNorm. D: Conv 5x5 32 -> "
                "pool -> Conv 5x5 64 -> pool -> 1024 -> 1 logit, LeakyReLU(0.01)."
            ),
            generator=dcgan_generator,
            generator_kwargs=_arguments(),
            discriminator=dcgan_discriminator,
            discriminator_kwargs=_arguments(),
        ),
        PresetSpec(
            name="dcgan_minibatch_stddev",
            latent_dim=96,
            description=(
                "The dcgan preset whose D also sees how much its batch varies: a minibatch "
                "standard deviation (groups of 4) joined to the convolution features."
            ),
            generator=dcgan_generator,
            generator_kwargs=_arguments(),
            discriminator=dcgan_discriminator,
            discriminator_kwargs=_arguments(minibatch_stddev=4),
        ),
        PresetSpec(
            name="conditional_dcgan",
            latent_dim=96,
            description=(
                "The dcgan preset, conditional: one-hot label(10) joined to z in G and to "
                "the convolution features in D."
            ),
            generator=dcgan_generator,
            generator_kwargs=_arguments(),
            discriminator=dcgan_discriminator,
            discriminator_kwargs=_arguments(),
            num_classes=10,
        ),
        PresetSpec(
            name="conditional_mlp",
            latent_dim=100,
            description=(
                "Conditional MLP GAN. G: [z(100), one-hot label(10)] -> 110 -> 256 -> "
                "512 -> 1024 LeakyReLU(0.2) -> 784 tanh. D: [784 pixels, label(10)] "
                "-> 794 -> 512 -> 256 -> 1 logit, LeakyReLU(0.2)."
            ),
            generator=mlp_generator,
            generator_kwargs=_arguments(hidden_units=(256, 512, 1024), activation=0.2),
            discriminator=mlp_discriminator,
            discriminator_kwargs=_arguments(hidden_units=(512, 256), leaky_relu_slope=0.2),
            num_classes=10,
        ),
    )
}
"""Named architectures accepted by `build_preset`."""


def get_preset(name: str) -> PresetSpec:
    """Returns the `PresetSpec` for `name`; hyphens are read as underscores.

    Raises:
        ValueError: for an unknown preset name, listing the known ones.
    """
    key = str(name).strip().lower().replace("-", "_")
    if key not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; known presets: {', '.join(PRESETS)}")
    return PRESETS[key]


def build_preset(name: str, latent_dim: int | None = None, **overrides) -> tuple[keras.Model, keras.Model]:
    """Builds the generator and discriminator of a preset.

    Args:
        name: a key of `PRESETS`: "vanilla", "wgan_gp", "batchnorm_mlp",
            "dcgan", "dcgan_minibatch_stddev", "conditional_mlp" or
            "conditional_dcgan" (hyphens accepted: "wgan-gp").
        latent_dim: size of z; None uses the preset's default.
        **overrides: builder arguments replacing the preset's. A key
            prefixed "generator_" or "discriminator_" goes to that model's
            builder only (e.g. `discriminator_dropout_rate=0.3`,
            `generator_hidden_units=(512, 512)`); an unprefixed key goes to
            every builder of the preset that accepts it (e.g.
            `base_filters=16`, `image_shape=...`).

    Returns:
        `(generator, discriminator)`, named "<preset>_generator" and
        "<preset>_discriminator".

    Raises:
        ValueError: for an unknown preset, a bad latent_dim, or an override
            that no builder of the preset accepts.
    """
    spec = get_preset(name)
    latent_dim = spec.latent_dim if latent_dim is None else latent_dim
    latent_dim = check_positive_int("latent_dim", latent_dim)
    g_builder, d_builder = spec.generator, spec.discriminator
    g_kwargs = {**spec.generator_kwargs, "latent_dim": latent_dim, "name": f"{spec.name}_generator"}
    d_kwargs = {**spec.discriminator_kwargs, "name": f"{spec.name}_discriminator"}
    if spec.conditional:
        g_kwargs["num_classes"] = d_kwargs["num_classes"] = spec.num_classes

    # latent_dim has its own argument; num_classes would make an unconditional
    # preset conditional, contradicting its PresetSpec.
    fixed = {"latent_dim", "name"} if spec.conditional else {"latent_dim", "name", "num_classes"}
    g_accepts = set(inspect.signature(g_builder).parameters) - fixed
    d_accepts = set(inspect.signature(d_builder).parameters) - fixed
    for key, value in overrides.items():
        if key.startswith("generator_") and key[len("generator_") :] in g_accepts:
            g_kwargs[key[len("generator_") :]] = value
        elif key.startswith("discriminator_") and key[len("discriminator_") :] in d_accepts:
            d_kwargs[key[len("discriminator_") :]] = value
        elif key in g_accepts or key in d_accepts:
            if key in g_accepts:
                g_kwargs[key] = value
            if key in d_accepts:
                d_kwargs[key] = value
        else:
            accepted = sorted(
                {f"generator_{k}" for k in g_accepts}
                | {f"discriminator_{k}" for k in d_accepts}
                | g_accepts
                | d_accepts
            )
            raise ValueError(
                f"Unknown override {key}={value!r} for preset {spec.name!r}; accepted: {', '.join(accepted)}"
            )
    return g_builder(**g_kwargs), d_builder(**d_kwargs)


# --------------------------------------------------------------------------
# Parameter table of a preset
# --------------------------------------------------------------------------


def parameter_table(preset: str, latent_dims: Sequence[int] = (96, 192, 256), **overrides) -> ParameterTable:
    """Counts each layer's trainable parameters of a preset for several latent_dims.

    Only the first Dense layer of the generator depends on latent_dim: it
    grows by its number of units per extra latent dimension (1024 for
    "vanilla", so 96 -> 192 adds 98,304 parameters).

    Args:
        preset: a preset name (see `PRESETS`).
        latent_dims: the latent sizes to compare, at least one.
        **overrides: passed to `build_preset`.

    Returns:
        A `ParameterTable` (`keras_gans.parameters`); print it for a text table.
    """
    latent_dims = check_positive_ints("latent_dims", latent_dims)
    if not latent_dims:
        raise ValueError(f"latent_dims must not be empty, received latent_dims={latent_dims!r}")
    pairs = [build_preset(preset, latent_dim=latent_dim, **overrides) for latent_dim in latent_dims]
    return tabulate_parameters(get_preset(preset).name, latent_dims, pairs)
