"""The energy network: a small Swish CNN scoring images, s(x) = −E(x)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf
from keras import ops

from keras_gans.checks import check_image_shape, check_positive_int, check_positive_ints


@keras.saving.register_keras_serializable(package="keras_gans")
def swish(x: tf.Tensor) -> tf.Tensor:
    """Swish, x · sigmoid(x) (Ramachandran et al. 2017), with a cheaper gradient.

    The same values as `keras.activations.swish`. Its derivative,
    sigmoid(x) + y · (1 − sigmoid(x)) with y = x · sigmoid(x), is computed
    from the forward pass's sigmoid and output; TensorFlow's own swish
    recomputes the sigmoid in the backward pass to save memory (and
    differentiates with respect to a constant β). Every Langevin step runs
    that backward pass over every activation: a 60-step Langevin loop of
    the default energy network over 128 chains took 643 ms with this
    gradient and 754 ms with TensorFlow's, both with the block
    convolution (medians, 2 CPU cores, 2026-12-02).

    Args:
        x: float tensor of any shape.

    Returns:
        A tensor of x's shape and dtype.
    """
    return _swish_with_saved_sigmoid(x)


@tf.custom_gradient
def _swish_with_saved_sigmoid(x):
    sigmoid = tf.sigmoid(x)
    y = x * sigmoid

    def gradient(upstream):
        return upstream * (sigmoid + y * (1.0 - sigmoid))

    return y, gradient


def _block_layout(size: int) -> tuple[int, int]:
    """For a kernel `size` pixels long, stride 2, "same" padding: its length in 2-pixel blocks.

    Output pixel i reads input pixels 2i − p … 2i − p + size − 1, where
    p = ⌊max(size − 2, 0) / 2⌋ is the "same" padding before pixel 0. Those lie in
    blocks i − before … i + after, so the kernel spans before + after + 1
    blocks, and `size` pixels sit in them after `zeros` unused ones.

    Returns:
        (blocks, zeros).
    """
    padding_before = max(size - 2, 0) // 2
    before = -(-padding_before // 2)  # ⌈padding_before / 2⌉
    after = (size - 1 - padding_before) // 2
    return before + after + 1, 2 * before - padding_before


def block_kernel(kernel: tf.Tensor) -> tf.Tensor:
    """Rewrites a stride-2 convolution's kernel for 2x2 blocks of pixels.

    A convolution with `kernel` (kh, kw, c, f), stride 2 and "same" padding
    of an image with an even height and width is the same function as a
    stride-1 "same" convolution of `tf.nn.space_to_depth(image, 2)` (each
    2x2 block of pixels as 4c channels) with the returned kernel
    (bh, bw, 4c, f): `kernel` at the offsets where its rows and columns fall
    in the blocks (`_block_layout`), zeros where a block's row or column
    lies outside the original kernel. ("same" pads a stride-1 kernel of b blocks by
    ⌊(b − 1) / 2⌋ blocks before, which equals `_block_layout`'s `before`
    for every size: the tests check sizes 1 to 7.)

    Args:
        kernel: (kh, kw, c, f) float tensor.

    Returns:
        (bh, bw, 4c, f) tensor of the same dtype, 3x3 blocks for a 5x5 kernel.
    """
    height, width, in_channels, filters = kernel.shape
    block_rows, zero_rows = _block_layout(height)
    block_columns, zero_columns = _block_layout(width)
    padded = ops.pad(
        kernel,
        [
            [zero_rows, 2 * block_rows - height - zero_rows],
            [zero_columns, 2 * block_columns - width - zero_columns],
            [0, 0],
            [0, 0],
        ],
    )
    # (2bh, 2bw, c, f) -> (block row, row in block, block column, column in block, c, f), then
    # the row and column within a block move next to the channels, in space_to_depth's order.
    padded = ops.reshape(padded, (block_rows, 2, block_columns, 2, in_channels, filters))
    padded = ops.transpose(padded, (0, 2, 1, 3, 4, 5))
    return ops.reshape(padded, (block_rows, block_columns, 4 * in_channels, filters))


@keras.saving.register_keras_serializable(package="keras_gans")
class SpaceToDepthConv2D(keras.layers.Conv2D):
    """`Conv2D(filters, kernel_size, strides=2, padding="same")`, computed on 2x2 pixel blocks.

    The same weights and the same outputs as that `Conv2D` (to float
    rounding), for inputs of even height and width. It stacks each 2x2 block
    of pixels into channels (`tf.nn.space_to_depth`) and convolves the
    result with stride 1 (`block_kernel`). Why: TensorFlow's CPU kernels for
    a strided convolution of a one-channel image, and above all for its
    gradient with respect to the image, are slow, and every Langevin step
    pays for that gradient. A 60-step Langevin loop of the default energy
    network over 128 chains took 754 ms with this first layer and 879 ms
    with the plain `Conv2D`, both with TensorFlow's swish (medians, 2 CPU
    cores, 2026-12-02). On the 16-channel input of the second layer it was
    slower (60 steps of that layer alone: 297 against 258 ms of CPU), so
    only the first layer uses it.

    Takes `Conv2D`'s arguments except `strides`, `padding`, `dilation_rate`,
    `groups` and `data_format`, which are 2, "same", 1, 1 and
    "channels_last".
    """

    # Fixed by the block trick, so neither taken nor saved.
    FIXED = {"strides": 2, "padding": "same", "dilation_rate": 1, "groups": 1, "data_format": "channels_last"}

    def __init__(self, filters: int, kernel_size: int | tuple[int, int], **kwargs):
        fixed_but_given = sorted(self.FIXED.keys() & kwargs.keys())
        if fixed_but_given:
            name = fixed_but_given[0]
            raise ValueError(
                f"SpaceToDepthConv2D always uses {name}={self.FIXED[name]!r}, received {name}={kwargs[name]!r}"
            )
        super().__init__(filters, kernel_size, **self.FIXED, **kwargs)

    def get_config(self):
        config = super().get_config()
        for name in self.FIXED:
            config.pop(name)
        return config

    def build(self, input_shape):
        height, width = input_shape[1], input_shape[2]
        if (height is not None and height % 2) or (width is not None and width % 2):
            raise ValueError(
                f"SpaceToDepthConv2D needs an even height and width, received input shape {tuple(input_shape)}"
            )
        super().build(input_shape)

    def call(self, inputs):
        blocks = tf.nn.space_to_depth(inputs, 2)
        outputs = tf.nn.conv2d(blocks, block_kernel(ops.convert_to_tensor(self.kernel)), strides=1, padding="SAME")
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, ops.convert_to_tensor(self.bias))
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


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
    training step. For images of even height and width the first layer is
    therefore a `SpaceToDepthConv2D`: the same convolution, computed faster.
    A 3x3 first convolution is cheaper still but, with 40 instead of 60
    Langevin steps per training step, gave visibly worse samples
    (`benchmarks/train_ebm.py`, see the README's speed section). Swish
    activations (`swish`, Keras's with a cheaper gradient) are smooth, so
    ∇ₓ s(x), what Langevin sampling follows, is smooth too; ReLU networks
    give piecewise-constant input gradients.
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
        if index == 0 and image_shape[0] % 2 == 0 and image_shape[1] % 2 == 0:
            # The same convolution, computed faster (measured for one input channel).
            x = SpaceToDepthConv2D(num_filters, kernel_size=first_kernel_size, activation=swish, name="conv_0")(x)
            continue
        x = keras.layers.Conv2D(
            num_filters,
            kernel_size=first_kernel_size if index == 0 else 3,
            strides=2,
            padding="same",
            activation=swish,
            name=f"conv_{index}",
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(hidden_units, activation=swish, name="hidden")(x)
    x = keras.layers.Dense(1, name="score")(x)
    # (batch, 1) -> (batch,): one scalar per image.
    scores = keras.layers.Reshape((), name="squeeze")(x)
    return keras.Model(images, scores, name=name)
