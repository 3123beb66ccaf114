"""Tests for keras_gans.losses: hand-computed values, gradient directions, WGAN-GP."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import losses

LOG2 = math.log(2.0)  # 0.693147


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype="float64")))


# ---------------------------------------------------------------- cross-entropy


def test_bce_discriminator_loss_at_zero_logits_is_two_log_two():
    # D = sigmoid(0) = 0.5 everywhere: -log 0.5 - log(1 - 0.5) = 2 log 2 = 1.386294.
    loss = losses.bce_discriminator_loss(tf.zeros((4, 1)), tf.zeros((4, 1)))
    assert loss.shape == ()
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(float(loss), 2 * LOG2, rtol=1e-6)


def test_bce_discriminator_loss_hand_computed():
    # real logits 2, -1: -log sigmoid(l) = softplus(-l)
    #   softplus(-2) = log(1 + e^-2) = 0.126928, softplus(1) = log(1 + e) = 1.313262
    #   mean = 0.720095
    # fake logits 0, 3: -log(1 - sigmoid(l)) = softplus(l)
    #   softplus(0) = 0.693147, softplus(3) = log(1 + e^3) = 3.048587
    #   mean = 1.870867
    # total = 2.590962
    loss = losses.bce_discriminator_loss([[2.0], [-1.0]], [[0.0], [3.0]])
    np.testing.assert_allclose(float(loss), 2.590962, rtol=1e-5)


def test_bce_discriminator_loss_accepts_rank_one_inputs():
    rank_two = losses.bce_discriminator_loss([[2.0], [-1.0]], [[0.0], [3.0]])
    rank_one = losses.bce_discriminator_loss([2.0, -1.0], [0.0, 3.0])
    np.testing.assert_allclose(float(rank_one), float(rank_two), rtol=1e-6)


def test_one_sided_label_smoothing_value_and_optimum():
    # Real logit log 9 -> D(x) = 0.9, fake logit -30 -> fake term ~ 1e-13.
    # Without smoothing: -log 0.9 = 0.105361.
    # With s = 0.1 (target 0.9): -(0.9 log 0.9 + 0.1 log 0.1) = 0.094824 + 0.230259 = 0.325083.
    real = tf.constant([[math.log(9.0)]])
    fake = tf.constant([[-30.0]])
    plain = losses.bce_discriminator_loss(real, fake)
    smoothed = losses.bce_discriminator_loss(real, fake, label_smoothing=0.1)
    np.testing.assert_allclose(float(plain), 0.105361, rtol=1e-4)
    np.testing.assert_allclose(float(smoothed), 0.325083, rtol=1e-4)
    # The smoothed loss is minimal where D(x) = 0.9: d/dl = sigmoid(l) - 0.9 = 0.
    with tf.GradientTape() as tape:
        tape.watch(real)
        loss = losses.bce_discriminator_loss(real, fake, label_smoothing=0.1)
    np.testing.assert_allclose(float(tape.gradient(loss, real)[0, 0]), 0.0, atol=1e-6)


def test_label_smoothing_only_touches_real_targets():
    # Real logit 30 (D ~ 1): smoothing makes the real term grow to ~0.1 * 30 = 3;
    # fake logit 0 keeps log 2 in both cases.
    real, fake = [[30.0]], [[0.0]]
    smoothed = losses.bce_discriminator_loss(real, fake, label_smoothing=0.1)
    # real term: softplus(30) - 0.9 * 30 = 30 - 27 = 3 (softplus(30) = 30 + 1e-13)
    np.testing.assert_allclose(float(smoothed), 3.0 + LOG2, rtol=1e-5)


def test_non_saturating_generator_loss_hand_computed():
    # logits 0, log 3 -> D = 0.5, 0.75 -> -log D = 0.693147, 0.287682 -> mean 0.490415
    loss = losses.non_saturating_generator_loss([[0.0], [math.log(3.0)]])
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(float(loss), 0.490415, rtol=1e-5)


def test_minimax_generator_loss_hand_computed():
    # logits 0, log 3 -> D = 0.5, 0.75 -> log(1 - D) = -0.693147, -1.386294 -> mean -1.039721
    loss = losses.minimax_generator_loss([[0.0], [math.log(3.0)]])
    np.testing.assert_allclose(float(loss), -1.039721, rtol=1e-5)


def test_cross_entropy_losses_are_finite_for_extreme_logits():
    # log(1 - sigmoid(100)) = -softplus(100) = -100, computed without log(0).
    np.testing.assert_allclose(float(losses.minimax_generator_loss([[100.0]])), -100.0, rtol=1e-6)
    np.testing.assert_allclose(float(losses.non_saturating_generator_loss([[-100.0]])), 100.0, rtol=1e-6)
    d_loss = losses.bce_discriminator_loss([[-100.0]], [[100.0]])
    np.testing.assert_allclose(float(d_loss), 200.0, rtol=1e-6)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_logits_and_probabilities_agree(label_smoothing):
    real_logits = np.array([[2.0], [-1.0], [0.5]], dtype="float32")
    fake_logits = np.array([[0.0], [3.0], [-2.5]], dtype="float32")
    real_probs = sigmoid(real_logits).astype("float32")
    fake_probs = sigmoid(fake_logits).astype("float32")
    pairs = [
        (
            losses.bce_discriminator_loss(real_logits, fake_logits, label_smoothing=label_smoothing),
            losses.bce_discriminator_loss(real_probs, fake_probs, from_logits=False, label_smoothing=label_smoothing),
        ),
        (
            losses.non_saturating_generator_loss(fake_logits),
            losses.non_saturating_generator_loss(fake_probs, from_logits=False),
        ),
        (
            losses.minimax_generator_loss(fake_logits),
            losses.minimax_generator_loss(fake_probs, from_logits=False),
        ),
    ]
    for from_logits, from_probs in pairs:
        np.testing.assert_allclose(float(from_probs), float(from_logits), rtol=1e-4)


def test_probabilities_are_clipped_like_keras():
    # p = 0 and p = 1 would give log(0); clipping to [1e-7, 1 - 1e-7] caps each
    # term: -log(1e-7) = 16.118 for the real p = 0, and for the fake p = 1
    # -log(1 - (1 - 1e-7)) where float32 rounds 1 - 1e-7 to 1 - 1.19e-7: 15.942.
    d_loss = losses.bce_discriminator_loss([[0.0]], [[1.0]], from_logits=False)
    assert np.isfinite(float(d_loss))
    np.testing.assert_allclose(float(d_loss), 16.118 + 15.942, rtol=1e-4)
    g_loss = losses.non_saturating_generator_loss([[0.0]], from_logits=False)
    np.testing.assert_allclose(float(g_loss), -math.log(1e-7), rtol=1e-3)


def test_float64_inputs_give_float32_scalars():
    values = np.array([[0.3], [-0.2]], dtype="float64")
    for loss in (
        losses.bce_discriminator_loss(values, values),
        losses.least_squares_discriminator_loss(values, values),
        losses.wasserstein_generator_loss(values),
        losses.hinge_discriminator_loss(values, values),
    ):
        assert loss.dtype == tf.float32
        assert loss.shape == ()


def test_cross_entropy_argument_checks():
    with pytest.raises(ValueError, match="label_smoothing=1.0"):
        losses.bce_discriminator_loss([[0.0]], [[0.0]], label_smoothing=1.0)
    with pytest.raises(ValueError, match="label_smoothing=-0.1"):
        losses.bce_discriminator_loss([[0.0]], [[0.0]], label_smoothing=-0.1)
    with pytest.raises(ValueError, match="from_logits='yes'"):
        losses.non_saturating_generator_loss([[0.0]], from_logits="yes")


# ---------------------------------------------------------------- other objectives


def test_least_squares_losses_hand_computed():
    # D: ½ mean((1 - 1)², (0.5 - 1)²) + ½ mean((0 - 0)², (-1 - 0)²)
    #  = ½ · 0.125 + ½ · 0.5 = 0.0625 + 0.25 = 0.3125
    d_loss = losses.least_squares_discriminator_loss([[1.0], [0.5]], [[0.0], [-1.0]])
    np.testing.assert_allclose(float(d_loss), 0.3125, rtol=1e-6)
    # G: ½ mean((0 - 1)², (-1 - 1)²) = ½ · 2.5 = 1.25
    g_loss = losses.least_squares_generator_loss([[0.0], [-1.0]])
    np.testing.assert_allclose(float(g_loss), 1.25, rtol=1e-6)


def test_least_squares_custom_targets():
    # a = -1, b = 1 (the -1/1/0 coding): real 1 -> 0; fake -1 -> 0; G with c = 0 on
    # fake -1: ½ · 1 = 0.5.
    d_loss = losses.least_squares_discriminator_loss([[1.0]], [[-1.0]], a=-1.0, b=1.0)
    np.testing.assert_allclose(float(d_loss), 0.0, atol=1e-7)
    g_loss = losses.least_squares_generator_loss([[-1.0]], c=0.0)
    np.testing.assert_allclose(float(g_loss), 0.5, rtol=1e-6)


def test_wasserstein_losses_hand_computed():
    # D: mean(fake) - mean(real) = mean(-2, 0) - mean(1, 3) = -1 - 2 = -3
    d_loss = losses.wasserstein_discriminator_loss([[1.0], [3.0]], [[-2.0], [0.0]])
    np.testing.assert_allclose(float(d_loss), -3.0, rtol=1e-6)
    # G: -mean(fake) = 1
    np.testing.assert_allclose(float(losses.wasserstein_generator_loss([[-2.0], [0.0]])), 1.0)


def test_hinge_losses_hand_computed():
    # real 2, 0.5: relu(1 - 2) = 0, relu(1 - 0.5) = 0.5 -> mean 0.25
    # fake -3, 0.5: relu(1 - 3) = 0, relu(1 + 0.5) = 1.5 -> mean 0.75
    # total 1.0
    d_loss = losses.hinge_discriminator_loss([[2.0], [0.5]], [[-3.0], [0.5]])
    np.testing.assert_allclose(float(d_loss), 1.0, rtol=1e-6)
    # all scores 0: 1 + 1 = 2
    np.testing.assert_allclose(float(losses.hinge_discriminator_loss(tf.zeros((3, 1)), tf.zeros((3, 1)))), 2.0)
    # G: -mean(-3, 0.5) = 1.25
    np.testing.assert_allclose(float(losses.hinge_generator_loss([[-3.0], [0.5]])), 1.25)


@pytest.mark.parametrize("objective", losses.OBJECTIVES)
def test_losses_move_the_right_way(objective):
    """Raising D(x) helps D; raising D(G(z)) hurts D and helps G."""
    d_loss_fn, g_loss_fn = losses.get_loss_pair(objective)
    # Scores where every objective is active: real below the hinge margin 1 and
    # the LS target b = 1, fake above -1 (hinge) and between LS targets a = 0, c = 1.
    real = tf.constant([[0.3], [-0.4]])
    fake = tf.constant([[0.2], [0.1]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([real, fake])
        d_loss = d_loss_fn(real, fake)
        g_loss = g_loss_fn(fake)
    assert np.all(tape.gradient(d_loss, real).numpy() < 0)
    assert np.all(tape.gradient(d_loss, fake).numpy() > 0)
    assert np.all(tape.gradient(g_loss, fake).numpy() < 0)


# ---------------------------------------------------------------- registry


def test_get_loss_pair_names_and_aliases():
    assert losses.get_loss_pair("non_saturating") == (
        losses.bce_discriminator_loss,
        losses.non_saturating_generator_loss,
    )
    assert losses.get_loss_pair("minimax")[1] is losses.minimax_generator_loss
    assert losses.get_loss_pair("least_squares") == (
        losses.least_squares_discriminator_loss,
        losses.least_squares_generator_loss,
    )
    assert losses.get_loss_pair("wasserstein") == (
        losses.wasserstein_discriminator_loss,
        losses.wasserstein_generator_loss,
    )
    assert losses.get_loss_pair("hinge") == (
        losses.hinge_discriminator_loss,
        losses.hinge_generator_loss,
    )
    assert losses.get_loss_pair("bce") == losses.get_loss_pair("non_saturating")
    assert losses.get_loss_pair("vanilla") == losses.get_loss_pair("non_saturating")
    assert losses.get_loss_pair("lsgan") == losses.get_loss_pair("least_squares")
    assert losses.get_loss_pair("Least-Squares") == losses.get_loss_pair("least_squares")


def test_get_loss_pair_unknown_name_lists_accepted_names():
    with pytest.raises(ValueError, match="'wgan_gp'.*non_saturating, minimax, least_squares"):
        losses.get_loss_pair("wgan_gp")


def test_get_loss_pair_for_probabilities():
    d_loss_fn, g_loss_fn = losses.get_loss_pair("non_saturating", from_logits=False)
    # D = 0.5 everywhere: 2 log 2 and log 2, as for logits 0.
    half = tf.fill((2, 1), 0.5)
    np.testing.assert_allclose(float(d_loss_fn(half, half)), 2 * LOG2, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss_fn(half)), LOG2, rtol=1e-5)
    with pytest.raises(ValueError, match="'wasserstein'.*from_logits=False"):
        losses.get_loss_pair("wasserstein", from_logits=False)


def test_get_loss_pair_binds_label_smoothing_into_the_cross_entropy_losses():
    # Real logit 0 (D = 0.5) costs log 2 whatever the target; a real logit of
    # 10 costs about 0.1 · 10 = 1 with target 0.9 and about 0 with target 1.
    real, fake = tf.constant([[10.0]]), tf.constant([[0.0]])
    for objective in ("non_saturating", "minimax"):
        d_loss_fn, _ = losses.get_loss_pair(objective, label_smoothing=0.1)
        np.testing.assert_allclose(float(d_loss_fn(real, fake)), 0.1 * 10.0 + LOG2, rtol=1e-3)
    d_loss_fn, _ = losses.get_loss_pair("non_saturating")
    np.testing.assert_allclose(float(d_loss_fn(real, fake)), LOG2, rtol=1e-3)
    with pytest.raises(ValueError, match="label_smoothing=0.1 with objective 'least_squares'"):
        losses.get_loss_pair("lsgan", label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\), received label_smoothing=1.5"):
        losses.get_loss_pair("non_saturating", label_smoothing=1.5)


# ---------------------------------------------------------------- gradient penalty


def linear_critic(w):
    """D(x) = sum(w · x) per sample: ∇D = w everywhere, so ‖∇D‖ = ‖w‖."""
    w = tf.constant(w, dtype="float32")
    rank = len(w.shape) + 1
    return lambda x: tf.reduce_sum(x * w, axis=list(range(1, rank)))[:, None]


def test_gradient_penalty_linear_critic_rank_two():
    # w = (3, 4): ‖w‖ = 5 -> 10 · (5 - 1)² = 160
    real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    fake = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    penalty = losses.gradient_penalty(linear_critic([3.0, 4.0]), real, fake, seed=0)
    assert penalty.shape == ()
    assert penalty.dtype == tf.float32
    np.testing.assert_allclose(float(penalty), 160.0, rtol=1e-5)


def test_gradient_penalty_linear_critic_rank_four():
    # w = 0.75 on a (4, 4, 1) image: ‖w‖ = sqrt(16 · 0.5625) = 3 -> 10 · (3 - 1)² = 40;
    # with weight 2.5: 2.5 · 4 = 10.
    rng = np.random.default_rng(2)
    real = rng.uniform(-1, 1, size=(5, 4, 4, 1)).astype("float32")
    fake = rng.uniform(-1, 1, size=(5, 4, 4, 1)).astype("float32")
    critic = linear_critic(np.full((4, 4, 1), 0.75))
    np.testing.assert_allclose(float(losses.gradient_penalty(critic, real, fake)), 40.0, rtol=1e-5)
    np.testing.assert_allclose(float(losses.gradient_penalty(critic, real, fake, weight=2.5)), 10.0, rtol=1e-5)


def test_gradient_penalty_is_zero_for_unit_gradient_critics():
    rng = np.random.default_rng(3)
    real = rng.uniform(-1, 1, size=(6, 28, 28, 1)).astype("float32")
    fake = rng.uniform(-1, 1, size=(6, 28, 28, 1)).astype("float32")
    # Linear with ‖w‖ = 1: w = 1/28 on 784 pixels -> sqrt(784 / 784) = 1.
    unit_linear = linear_critic(np.full((28, 28, 1), 1.0 / 28.0))
    assert float(losses.gradient_penalty(unit_linear, real, fake, seed=1)) < 1e-8
    # D(x) = ‖x‖₂ has gradient x / ‖x‖, of norm 1 away from the origin; real and
    # fake in [1, 2] keep every interpolate far from it.
    positive_real, positive_fake = 1.5 + 0.5 * real, 1.5 + 0.5 * fake

    def euclidean_norm(x):
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=[1, 2, 3]))

    penalty = losses.gradient_penalty(euclidean_norm, positive_real, positive_fake, seed=1)
    assert float(penalty) < 1e-8


def test_gradient_penalty_epsilon_is_uniform_and_one_per_sample():
    seen = []

    def recording_critic(x):
        seen.append(x)
        return tf.reduce_sum(x, axis=[1, 2, 3])

    rng = np.random.default_rng(4)
    real = rng.normal(size=(64, 6, 6, 1)).astype("float32")
    fake = rng.normal(size=(64, 6, 6, 1)).astype("float32")
    losses.gradient_penalty(recording_critic, real, fake, seed=5)
    interpolates = seen[0].numpy().astype("float64").reshape(64, -1)
    real, fake = real.reshape(64, -1), fake.reshape(64, -1)
    # x̂ - x̃ = ε (x - x̃): project each sample on its segment direction to get its
    # ε, then check that this single ε reproduces every pixel (x̂ is on the segment).
    direction = real - fake
    eps = np.sum((interpolates - fake) * direction, axis=1) / np.sum(direction**2, axis=1)
    np.testing.assert_allclose(interpolates, fake + eps[:, None] * direction, atol=1e-5)
    assert np.all(eps >= -1e-6) and np.all(eps < 1.0)
    # Uniform, not normal: 64 draws spread over [0, 1) with a mean near 0.5.
    assert len(np.unique(np.round(eps, 6))) == 64
    assert 0.3 < eps.mean() < 0.7
    assert eps.min() < 0.2 and eps.max() > 0.8


def test_gradient_penalty_quadratic_critic_matches_recovered_epsilon():
    # D(x) = ½ ‖x‖² has ∇D(x̂) = x̂. With real = 0 and fake = 1 on d = 9 pixels,
    # x̂ = 1 - ε, so ‖∇D‖ = (1 - ε) · 3 and the penalty is 10 · mean(((1 - ε)·3 - 1)²).
    seen = []

    def quadratic_critic(x):
        seen.append(x)
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    real = np.zeros((16, 3, 3, 1), dtype="float32")
    fake = np.ones((16, 3, 3, 1), dtype="float32")
    penalty = losses.gradient_penalty(quadratic_critic, real, fake, seed=7)
    one_minus_eps = seen[0].numpy()[:, 0, 0, 0]
    expected = 10.0 * np.mean((one_minus_eps * 3.0 - 1.0) ** 2)
    np.testing.assert_allclose(float(penalty), expected, rtol=1e-5)


def test_gradient_penalty_seeds():
    def critic(x):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    real = np.zeros((8, 3, 3, 1), dtype="float32")
    fake = np.ones((8, 3, 3, 1), dtype="float32")
    # The same int seed draws the same ε.
    first = losses.gradient_penalty(critic, real, fake, seed=11)
    again = losses.gradient_penalty(critic, real, fake, seed=11)
    np.testing.assert_allclose(float(first), float(again))
    # A SeedGenerator advances: a new ε on every call, reproducible from its seed.
    generator_a = keras.random.SeedGenerator(3)
    generator_b = keras.random.SeedGenerator(3)
    a1 = float(losses.gradient_penalty(critic, real, fake, seed=generator_a))
    a2 = float(losses.gradient_penalty(critic, real, fake, seed=generator_a))
    b1 = float(losses.gradient_penalty(critic, real, fake, seed=generator_b))
    assert a1 != a2
    assert a1 == b1


def test_gradient_penalty_is_differentiable_wrt_critic_weights():
    # Dense critic D(x) = x·k + b with k = (3, 4): penalty = λ (‖k‖ - 1)², so
    # ∂/∂k = 2λ (‖k‖ - 1) k / ‖k‖ = 2 · 10 · 4 · (0.6, 0.8) = (48, 64).
    critic = keras.layers.Dense(1)
    critic.build((None, 2))
    critic.kernel.assign([[3.0], [4.0]])
    rng = np.random.default_rng(5)
    real = rng.normal(size=(4, 2)).astype("float32")
    fake = rng.normal(size=(4, 2)).astype("float32")
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, real, fake)
    kernel_grad, bias_grad = tape.gradient(penalty, [critic.kernel, critic.bias])
    np.testing.assert_allclose(kernel_grad.numpy()[:, 0], [48.0, 64.0], rtol=1e-4)
    assert bias_grad is None or float(tf.reduce_sum(tf.abs(bias_grad))) == 0.0


def test_gradient_penalty_no_nan_with_zero_gradient_and_real_equal_fake():
    # Zero kernel: ∇D = 0, norm = sqrt(0 + 1e-10) = 1e-5, penalty = 10 (1e-5 - 1)² ≈ 10.
    # Without the 1e-10 the gradient w.r.t. the kernel would be 0/0 = NaN.
    critic = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    images = np.random.default_rng(6).uniform(-1, 1, size=(3, 4, 4, 1)).astype("float32")
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, images, images)
    gradients = tape.gradient(penalty, critic.trainable_weights)
    np.testing.assert_allclose(float(penalty), 10.0 * (1e-5 - 1.0) ** 2, rtol=1e-5)
    for gradient in gradients:
        if gradient is not None:
            assert np.all(np.isfinite(gradient.numpy()))

    # A critic that ignores its input altogether is handled too (no None gradient).
    def constant_critic(x):
        return tf.ones((tf.shape(x)[0], 1))

    assert np.isfinite(float(losses.gradient_penalty(constant_critic, images, images)))


def test_gradient_penalty_in_tf_function_with_unknown_batch():
    critic = linear_critic(np.full((4, 4, 1), 0.75))
    seed = keras.random.SeedGenerator(0)

    @tf.function(input_signature=[tf.TensorSpec((None, 4, 4, 1))] * 2)
    def penalty_fn(real, fake):
        return losses.gradient_penalty(critic, real, fake, seed=seed)

    real = np.zeros((3, 4, 4, 1), dtype="float32")
    np.testing.assert_allclose(float(penalty_fn(real, real + 1.0)), 40.0, rtol=1e-5)


def test_gradient_penalty_argument_checks():
    critic = linear_critic([1.0, 0.0])
    with pytest.raises(ValueError, match=r"real.shape=\(4, 2\) and fake.shape=\(3, 2\)"):
        losses.gradient_penalty(critic, np.zeros((4, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="weight=-1.0"):
        losses.gradient_penalty(critic, np.zeros((4, 2)), np.zeros((4, 2)), weight=-1.0)
    with pytest.raises(ValueError, match="rank >= 2"):
        losses.gradient_penalty(critic, np.zeros(4), np.zeros(4))


# ---------------------------------------------------------------- R1 penalty


def test_r1_penalty_linear_critic():
    # w = 0.75 on a (4, 4, 1) image: ‖w‖² = 16 · 0.5625 = 9 -> γ/2 · 9 = 4.5 at γ = 1, 18 at γ = 4.
    real = np.random.default_rng(7).uniform(-1, 1, size=(5, 4, 4, 1)).astype("float32")
    critic = linear_critic(np.full((4, 4, 1), 0.75))
    penalty = losses.r1_penalty(critic, real)
    assert penalty.shape == () and penalty.dtype == tf.float32
    np.testing.assert_allclose(float(penalty), 4.5, rtol=1e-6)
    np.testing.assert_allclose(float(losses.r1_penalty(critic, real, weight=4.0)), 18.0, rtol=1e-6)


def test_r1_penalty_quadratic_critic_averages_per_sample_norms():
    # D(x) = ½ ‖x‖² has ∇D(x) = x: the penalty is γ/2 · mean over samples of ‖x‖².
    # Two samples of 4 pixels: all 1 (‖x‖² = 4) and all 2 (‖x‖² = 16) -> ½ · 10 = 5.
    real = np.stack([np.full((2, 2, 1), 1.0), np.full((2, 2, 1), 2.0)]).astype("float32")

    def quadratic_critic(x):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]

    np.testing.assert_allclose(float(losses.r1_penalty(quadratic_critic, real)), 5.0, rtol=1e-6)


def test_r1_penalty_is_differentiable_wrt_critic_weights():
    # Dense critic D(x) = x·k + b with k = (3, 4): penalty = γ/2 ‖k‖², so ∂/∂k = γ k = (6, 8) at γ = 2.
    critic = keras.layers.Dense(1)
    critic.build((None, 2))
    critic.kernel.assign([[3.0], [4.0]])
    real = np.random.default_rng(8).normal(size=(4, 2)).astype("float32")
    with tf.GradientTape() as tape:
        penalty = losses.r1_penalty(critic, real, weight=2.0)
    kernel_grad = tape.gradient(penalty, critic.kernel)
    np.testing.assert_allclose(float(penalty), 25.0, rtol=1e-6)
    np.testing.assert_allclose(kernel_grad.numpy()[:, 0], [6.0, 8.0], rtol=1e-5)


def test_r1_penalty_rejects_bad_arguments():
    critic = linear_critic([1.0, 1.0])
    with pytest.raises(ValueError, match="weight must be >= 0, received weight=-1"):
        losses.r1_penalty(critic, np.zeros((2, 2), "float32"), weight=-1.0)
    with pytest.raises(ValueError, match=r"received real.shape=\(3,\)"):
        losses.r1_penalty(critic, np.zeros(3, "float32"))
