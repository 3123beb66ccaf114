"""GAN objectives as plain functions of discriminator outputs.

Names follow TF-GAN: each objective comes as a `*_discriminator_loss` and a
`*_generator_loss`. Every loss takes the discriminator's outputs on a batch,
shaped `(batch, 1)` or `(batch,)`, and returns a float32 scalar: the mean
over the batch. Scaling for distributed training is the GAN class's job.

`from_logits=True` (the default) means the outputs are raw scores in
(-inf, inf); `from_logits=False` means probabilities in (0, 1) from a
sigmoid output layer, clipped to `[eps, 1 - eps]` with `eps =
keras.config.epsilon()` before taking logs, as `keras.losses.BinaryCrossentropy`
does.

`gradient_penalty` is the WGAN-GP regulariser, `r1_penalty` the R1
regulariser of real images; `get_loss_pair` maps an
objective name to its `(discriminator_loss, generator_loss)` pair.
"""

import functools
import numbers
from collections.abc import Callable

import keras
import tensorflow as tf
from keras import ops

LossFn = Callable[..., tf.Tensor]


def _as_float32(x) -> tf.Tensor:
    return ops.cast(ops.convert_to_tensor(x), "float32")


def _check_from_logits(from_logits) -> None:
    if not isinstance(from_logits, bool):
        raise ValueError(f"from_logits must be True or False, received from_logits={from_logits!r}")


def _log_prob(outputs: tf.Tensor, from_logits: bool) -> tf.Tensor:
    """log D for raw scores (log sigmoid(l) = -softplus(-l)) or probabilities."""
    if from_logits:
        return -ops.softplus(-outputs)
    eps = keras.config.epsilon()
    return ops.log(ops.clip(outputs, eps, 1.0 - eps))


def _log_one_minus_prob(outputs: tf.Tensor, from_logits: bool) -> tf.Tensor:
    """log(1 - D) for raw scores (log(1 - sigmoid(l)) = -softplus(l)) or probabilities."""
    if from_logits:
        return -ops.softplus(outputs)
    eps = keras.config.epsilon()
    return ops.log(1.0 - ops.clip(outputs, eps, 1.0 - eps))


def bce_discriminator_loss(
    real_logits,
    fake_logits,
    from_logits: bool = True,
    label_smoothing: float = 0.0,
) -> tf.Tensor:
    """Binary cross-entropy discriminator loss of the original GAN.

    `loss = -E[t log D(x) + (1 - t) log(1 - D(x))] - E[log(1 - D(G(z)))]`
    with real target `t = 1 - label_smoothing` (one-sided label smoothing,
    Salimans et al. 2016, "Improved Techniques for Training GANs"; fake
    targets stay 0). With `label_smoothing=0` this is
    `-E[log D(x)] - E[log(1 - D(G(z)))]` (Goodfellow et al. 2014,
    "Generative Adversarial Nets").

    Args:
        real_logits: discriminator outputs on real images, `(batch, 1)` or
            `(batch,)`.
        fake_logits: discriminator outputs on generated images, same layout.
        from_logits: True for raw scores, False for probabilities in (0, 1).
        label_smoothing: `s` in [0, 1); the real target becomes `1 - s`.

    Returns:
        float32 scalar, >= 0 (at logits 0 on both sides it is `2 log 2`).
    """
    _check_from_logits(from_logits)
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), received label_smoothing={label_smoothing!r}")
    real = _as_float32(real_logits)
    fake = _as_float32(fake_logits)
    real_target = 1.0 - label_smoothing
    real_loss = -(
        real_target * _log_prob(real, from_logits) + (1.0 - real_target) * _log_one_minus_prob(real, from_logits)
    )
    fake_loss = -_log_one_minus_prob(fake, from_logits)
    return ops.mean(real_loss) + ops.mean(fake_loss)


def non_saturating_generator_loss(fake_logits, from_logits: bool = True) -> tf.Tensor:
    """Non-saturating generator loss: `-E[log D(G(z))]`.

    The heuristic of Goodfellow et al. 2014 ("Generative Adversarial Nets",
    section 3): same fixed point as the minimax loss, but strong gradients
    when the discriminator confidently rejects the samples.

    Args:
        fake_logits: discriminator outputs on generated images, `(batch, 1)`
            or `(batch,)`.
        from_logits: True for raw scores, False for probabilities in (0, 1).

    Returns:
        float32 scalar, >= 0.
    """
    _check_from_logits(from_logits)
    return ops.mean(-_log_prob(_as_float32(fake_logits), from_logits))


def minimax_generator_loss(fake_logits, from_logits: bool = True) -> tf.Tensor:
    """Original (saturating) minimax generator loss: `E[log(1 - D(G(z)))]`.

    Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1. With raw
    scores it is computed as `-softplus(l)`, stable for any `l`. Its gradient
    vanishes when D rejects the samples, which is why the non-saturating
    loss is the usual choice.

    Args:
        fake_logits: discriminator outputs on generated images, `(batch, 1)`
            or `(batch,)`.
        from_logits: True for raw scores, False for probabilities in (0, 1).

    Returns:
        float32 scalar, <= 0.
    """
    _check_from_logits(from_logits)
    return ops.mean(_log_one_minus_prob(_as_float32(fake_logits), from_logits))


def least_squares_discriminator_loss(
    discriminator_real_outputs, discriminator_gen_outputs, a: float = 0.0, b: float = 1.0
) -> tf.Tensor:
    """LSGAN discriminator loss: `½ E[(D(x) - b)²] + ½ E[(D(G(z)) - a)²]`.

    Mao et al. 2017, "Least Squares Generative Adversarial Networks", with
    the 0-1 coding `a=0` (fake target), `b=1` (real target). D's output is
    used as is (a linear output layer, no sigmoid).

    Returns:
        float32 scalar, >= 0.
    """
    real = _as_float32(discriminator_real_outputs)
    fake = _as_float32(discriminator_gen_outputs)
    return 0.5 * ops.mean(ops.square(real - b)) + 0.5 * ops.mean(ops.square(fake - a))


def least_squares_generator_loss(discriminator_gen_outputs, c: float = 1.0) -> tf.Tensor:
    """LSGAN generator loss: `½ E[(D(G(z)) - c)²]`, `c=1` (Mao et al. 2017).

    Returns:
        float32 scalar, >= 0.
    """
    return 0.5 * ops.mean(ops.square(_as_float32(discriminator_gen_outputs) - c))


def wasserstein_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs) -> tf.Tensor:
    """WGAN critic loss: `E[D(G(z))] - E[D(x)]`.

    Minimising it maximises the critic's estimate of the Wasserstein-1
    distance (Arjovsky et al. 2017, "Wasserstein GAN"). The critic must be
    kept ~1-Lipschitz, here with `gradient_penalty`.

    Returns:
        float32 scalar of any sign.
    """
    return ops.mean(_as_float32(discriminator_gen_outputs)) - ops.mean(_as_float32(discriminator_real_outputs))


def wasserstein_generator_loss(discriminator_gen_outputs) -> tf.Tensor:
    """WGAN generator loss: `-E[D(G(z))]` (Arjovsky et al. 2017).

    Returns:
        float32 scalar of any sign.
    """
    return -ops.mean(_as_float32(discriminator_gen_outputs))


def hinge_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs) -> tf.Tensor:
    """Hinge discriminator loss: `E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`.

    Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, "Spectral
    Normalization for Generative Adversarial Networks".

    Returns:
        float32 scalar, >= 0 (exactly 2 when all scores are 0).
    """
    real = _as_float32(discriminator_real_outputs)
    fake = _as_float32(discriminator_gen_outputs)
    return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))


def hinge_generator_loss(discriminator_gen_outputs) -> tf.Tensor:
    """Hinge generator loss: `-E[D(G(z))]` (Lim & Ye 2017; Miyato et al. 2018).

    The same function as `wasserstein_generator_loss`: the hinge objective
    changes only the discriminator's loss.

    Returns:
        float32 scalar of any sign.
    """
    return wasserstein_generator_loss(discriminator_gen_outputs)


def gradient_penalty(
    discriminator: Callable[[tf.Tensor], tf.Tensor],
    real,
    fake,
    weight: float = 10.0,
    seed=None,
    norm_epsilon: float = 1e-10,
) -> tf.Tensor:
    """WGAN-GP gradient penalty: `weight · E[(‖∇D(x̂)‖₂ - 1)²]`.

    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", eq. 3.
    `x̂ = ε·x + (1 - ε)·G(z)` with one `ε ~ Uniform[0, 1)` per sample, so each
    `x̂` lies on the segment between a real and a generated sample. The
    gradient is taken with an inner `tf.GradientTape`; called inside the
    train step's tape, the penalty stays differentiable w.r.t. the critic's
    weights. The norm is `sqrt(sum(g²) + norm_epsilon)` over all non-batch axes, so
    neither it nor its gradient is NaN when the critic's gradient is zero.

    The per-sample gradient assumes samples do not interact inside the
    critic (no batch normalisation in training mode, as the paper advises).

    Args:
        discriminator: callable mapping a batch of images to scores, e.g. a
            `keras.Model`, `lambda x: critic(x, training=True)` or, for a
            conditional critic, `lambda x: critic([x, labels])`.
        real: real images, `(batch, ...)` of rank >= 2.
        fake: generated images, same shape as `real`.
        weight: penalty coefficient λ >= 0 (the paper uses 10).
        seed: a `keras.random.SeedGenerator` (owned by the model), an int or
            None, passed to `keras.random.uniform` to draw ε.
        norm_epsilon: added under the square root of the norm; small enough not
            to bias the penalty (its square root, 1e-5, is far below 1) and
            large enough to keep the gradient of a zero norm finite.

    Returns:
        float32 scalar, >= 0.

    Raises:
        ValueError: if `real` and `fake` shapes differ, their rank is < 2, or
            `weight < 0`.
    """
    if isinstance(weight, numbers.Real) and weight < 0:
        raise ValueError(f"weight must be >= 0, received weight={weight!r}")
    real = _as_float32(real)
    fake = _as_float32(fake)
    if not real.shape.is_compatible_with(fake.shape):
        raise ValueError(
            "real and fake must have the same shape, "
            f"received real.shape={tuple(real.shape)} and fake.shape={tuple(fake.shape)}"
        )
    rank = len(real.shape)
    if rank < 2:
        raise ValueError(
            f"real and fake must be batches of rank >= 2, shaped (batch, ...), received real.shape={tuple(real.shape)}"
        )

    batch_size = ops.shape(real)[0]
    # One ε per sample, broadcast over every other axis: (batch, 1, ..., 1).
    epsilon = keras.random.uniform((batch_size,) + (1,) * (rank - 1), seed=seed)
    interpolates = epsilon * real + (1.0 - epsilon) * fake

    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = discriminator(interpolates)
    # Samples are independent, so the gradient of the summed scores holds each
    # sample's own gradient. A critic that ignores its input gives zeros, not None.
    gradients = tape.gradient(scores, interpolates, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    squared_norms = ops.sum(ops.square(gradients), axis=tuple(range(1, rank)))
    norms = ops.sqrt(squared_norms + norm_epsilon)
    return weight * ops.mean(ops.square(norms - 1.0))


def r1_penalty(discriminator: Callable[[tf.Tensor], tf.Tensor], real, weight: float = 1.0) -> tf.Tensor:
    """R1 regulariser: `weight / 2 · E[‖∇D(x)‖₂²]` over real images x.

    Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do
    actually Converge?", eq. 9. It penalises the discriminator's gradient on
    the data, zero-centred (unlike WGAN-GP's, centred at 1 on interpolates):
    near the data the discriminator stays flat, so it cannot push the
    generator past the real images, and training converges instead of
    circling. The gradient is taken with an inner `tf.GradientTape`, so the
    penalty stays differentiable w.r.t. the discriminator's weights when
    called inside the train step's tape.

    Args:
        discriminator: callable mapping a batch of images to scores, e.g.
            `lambda x: critic([x, labels], training=True)`.
        real: real images, `(batch, ...)` of rank >= 2.
        weight: γ >= 0 (the paper uses 10 for 128x128 images; smaller
            images need less).

    Returns:
        float32 scalar, >= 0.

    Raises:
        ValueError: if `weight < 0` or `real` has rank < 2.
    """
    if isinstance(weight, numbers.Real) and weight < 0:
        raise ValueError(f"weight must be >= 0, received weight={weight!r}")
    real = _as_float32(real)
    rank = len(real.shape)
    if rank < 2:
        raise ValueError(
            f"real must be a batch of rank >= 2, shaped (batch, ...), received real.shape={tuple(real.shape)}"
        )
    with tf.GradientTape() as tape:
        tape.watch(real)
        scores = discriminator(real)
    # Samples are independent, so the gradient of the summed scores holds
    # each sample's own gradient. A minibatch standard deviation in the
    # discriminator couples the samples of a group; the gradient of the sum
    # then also carries each sample's effect on the others' scores, which is
    # the form StyleGAN2 uses with that layer too.
    gradients = tape.gradient(scores, real, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    squared_norms = ops.sum(ops.square(gradients), axis=tuple(range(1, rank)))
    return 0.5 * weight * ops.mean(squared_norms)


_LOSS_PAIRS: dict[str, tuple[LossFn, LossFn]] = {
    "non_saturating": (bce_discriminator_loss, non_saturating_generator_loss),
    "minimax": (bce_discriminator_loss, minimax_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
}
_ALIASES = {
    "bce": "non_saturating",
    "vanilla": "non_saturating",
    "lsgan": "least_squares",
    "wgan": "wasserstein",
}
# Only the cross-entropy objectives are defined on probabilities; the others
# need the unbounded output of a linear last layer.
_PROBABILITY_OBJECTIVES = ("non_saturating", "minimax")

OBJECTIVES: tuple[str, ...] = tuple(_LOSS_PAIRS)
"""Canonical objective names accepted by `get_loss_pair`."""


def get_loss_pair(name: str, from_logits: bool = True, label_smoothing: float = 0.0) -> tuple[LossFn, LossFn]:
    """Returns `(discriminator_loss, generator_loss)` for an objective name.

    Args:
        name: one of `OBJECTIVES` ("non_saturating", "minimax",
            "least_squares", "wasserstein", "hinge"), or an alias: "bce" and
            "vanilla" (non_saturating), "lsgan" (least_squares), "wgan"
            (wasserstein). Hyphens are read as underscores, case is ignored.
        from_logits: whether the discriminator outputs raw scores. False (a
            sigmoid discriminator) is only accepted for "non_saturating" and
            "minimax"; both returned functions then read probabilities.
        label_smoothing: one-sided label smoothing of the real targets
            (`bce_discriminator_loss`), in [0, 1); only the cross-entropy
            objectives, "non_saturating" and "minimax", have targets to
            smooth.

    Returns:
        Two callables: `d_loss(real_logits, fake_logits)` and
        `g_loss(fake_logits)`, each returning a float32 scalar.

    Raises:
        ValueError: for an unknown name, `from_logits=False` with an
            objective that needs raw scores, or label smoothing with an
            objective that has no targets.
    """
    _check_from_logits(from_logits)
    key = str(name).strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _LOSS_PAIRS:
        accepted = ", ".join(OBJECTIVES + tuple(_ALIASES))
        raise ValueError(f"Unknown GAN objective {name!r}; accepted names: {accepted}")
    d_loss, g_loss = _LOSS_PAIRS[key]
    if not from_logits and key not in _PROBABILITY_OBJECTIVES:
        raise ValueError(
            f"Objective {key!r} needs raw discriminator scores (a linear output "
            "layer), received from_logits=False; only "
            f"{', '.join(_PROBABILITY_OBJECTIVES)} accept probabilities"
        )
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), received label_smoothing={label_smoothing!r}")
    if label_smoothing and key not in _PROBABILITY_OBJECTIVES:
        raise ValueError(
            f"label_smoothing applies to the cross-entropy objectives ({', '.join(_PROBABILITY_OBJECTIVES)}), "
            f"received label_smoothing={label_smoothing!r} with objective {key!r}"
        )
    if label_smoothing:
        d_loss = functools.partial(d_loss, label_smoothing=label_smoothing)
    if from_logits:
        return d_loss, g_loss
    return (
        functools.partial(d_loss, from_logits=False),
        functools.partial(g_loss, from_logits=False),
    )
