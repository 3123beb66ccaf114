"""The energy network: a small Swish CNN scoring images, s(x) = −E(x)."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from keras_gans.checks import check_image_shape, check_positive_int, check_positive_ints


def energy_network(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    filters: Sequence[int] = (16, 32, 64),
    hidden_units: int = 64,
    first_kernel_size: int = 5,
    name: str = "energy_network",
) -> keras.Model:
    """Builds the CNN that scores images: s(x) = −E(x), higher = more likely.

    Strided 3x3 convolutions (5x5 for the first) halve the resolution at each
    layer: 28x28 → 14x14 → 7x7 → 4x4 for the default three layers. Every
    Langevin step differentiates the score with respect to the pixels, so
    the first convolution's input gradient is paid for tens of times per
    training step; a 3x3 one is cheaper but, with 40 instead of 60 Langevin
    steps per training step, gave visibly worse samples
    (`benchmarks/train_ebm.py`, see the README's speed section). Swish
    activations are smooth, so ∇ₓ s(x) (what Langevin sampling follows) is
    smooth too; ReLU networks give piecewise-constant input gradients.
    There is no batch normalisation: it would couple the images of a batch,
    and every image's score must depend on that image alone.

    Args:
        image_shape: (height, width, channels) of the input images.
        filters: number of filters of each strided convolution.
        hidden_units: width of the dense layer before the scalar output.
        first_kernel_size: kernel size of the first convolution, the one
            that sees the pixels, > 0 (the others are 3x3).
        name: name of the returned model.

    Returns:
        A functional `keras.Model` mapping float32 images (batch, *image_shape)
        in [-1, 1] to scores of shape (batch,).
    """
    image_shape = check_image_shape(image_shape)
    filters = check_positive_ints("filters", filters)
    if not filters:
        raise ValueError(f"filters must not be empty, received filters={filters!r}")
    hidden_units = check_positive_int("hidden_units", hidden_units)
    first_kernel_size = check_positive_int("first_kernel_size", first_kernel_size)
    images = keras.Input(shape=image_shape, name="images")
    x = images
    for index, num_filters in enumerate(filters):
        x = keras.layers.Conv2D(
            num_filters,
            kernel_size=first_kernel_size if index == 0 else 3,
            strides=2,
            padding="same",
            activation="swish",
            name=f"conv_{index}",
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(hidden_units, activation="swish", name="hidden")(x)
    x = keras.layers.Dense(1, name="score")(x)
    # (batch, 1) -> (batch,): one scalar per image.
    scores = keras.layers.Reshape((), name="squeeze")(x)
    return keras.Model(images, scores, name=name)
