"""Tests of the GAN training loop: every objective, conditioning, n_critic, EMA."""

import json
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import fake_mnist, tiny_networks

from keras_gans import gans, models
from keras_gans import precision as precision_policy

BATCH = 8


def weights_of(model):
    return [w.numpy().copy() for w in model.trainable_variables]


def changed(before, model):
    return any(not np.allclose(b, w.numpy()) for b, w in zip(before, model.trainable_variables))


# One generator step of every preset with each objective that makes sense for it.
PRESET_OBJECTIVES = [
    ("vanilla", gans.GAN, "non_saturating"),
    ("vanilla", gans.GAN, "minimax"),
    ("vanilla", gans.LSGAN, None),
    ("vanilla", gans.GAN, "hinge"),
    ("wgan_gp", gans.WGANGP, None),
    ("wgan_gp", gans.WGAN, None),
    ("batchnorm_mlp", gans.GAN, None),
    ("batchnorm_mlp", gans.GAN, "minimax"),
    ("dcgan", gans.GAN, None),
    ("dcgan", gans.LSGAN, None),
    ("dcgan", gans.WGANGP, None),
    ("dcgan_minibatch_stddev", gans.GAN, None),
    ("dcgan_minibatch_stddev", gans.WGANGP, None),
    ("dcgan_minibatch_stddev", gans.WGAN, None),
    ("conditional_mlp", gans.GAN, None),
    ("conditional_mlp", gans.LSGAN, None),
    ("conditional_mlp", gans.WGAN, None),
    ("conditional_mlp", gans.WGANGP, None),
]


@pytest.mark.parametrize("preset,gan_class,loss", PRESET_OBJECTIVES)
def test_one_fit_step_per_preset_and_objective(preset, gan_class, loss):
    generator, discriminator = models.build_preset(preset)
    gan = gan_class(generator, discriminator, n_critic=2, track_health=True)
    gan.compile(loss=loss, jit_compile=False)
    images, labels = fake_mnist(2 * BATCH)
    g_before, d_before = weights_of(generator), weights_of(discriminator)

    history = gan.fit(images, labels, batch_size=2 * BATCH, epochs=1, verbose=0, shuffle=False)

    expected = {"d_loss", "g_loss", "real_score", "fake_score", "critic_gap", "d_grad_norm", "g_grad_norm"}
    if gan_class is gans.WGANGP:
        expected.add("gradient_penalty")
    assert set(history.history) == expected
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert changed(g_before, generator)
    assert changed(d_before, discriminator)
    samples = gan.generate(3).numpy()
    assert samples.shape == (3, 28, 28, 1)
    assert samples.min() >= -1.0 and samples.max() <= 1.0


def test_xla_and_steps_per_execution_train_the_wgan_gp_preset():
    generator, discriminator = models.build_preset("wgan_gp")
    gan = gans.WGANGP(generator, discriminator)
    gan.compile(jit_compile=True, steps_per_execution=2)
    images, _ = fake_mnist(4 * 5 * BATCH)
    history = gan.fit(images, batch_size=5 * BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert history.history["gradient_penalty"][-1] >= 0


# XLA in float32 (it has no kernel for TensorFlow's sorted segment ops, which
# the layer must therefore avoid) and bfloat16 without XLA (XLA has no
# bfloat16 MaxPoolGradGrad, which R1 needs through this discriminator).
# The lazy penalty (r1_interval 2) puts the second-order gradient inside a
# tf.cond, which XLA compiles here; 2 steps, the first with R1.
@pytest.mark.parametrize("precision,jit_compile,r1_interval", [("float32", True, 2), ("mixed_bfloat16", False, 1)])
def test_minibatch_stddev_trains_with_r1(precision, jit_compile, r1_interval):
    # The layer sits in the R1 penalty's second-order gradient.
    with precision_policy.dtype_policy(precision):
        generator, discriminator = models.build_preset("dcgan_minibatch_stddev", base_filters=8, hidden_units=(32,))
    gan = gans.GAN(generator, discriminator, r1_weight=1.0, r1_samples=6, r1_interval=r1_interval)
    gan.compile(jit_compile=jit_compile)
    images, _ = fake_mnist(2 * BATCH)
    d_before = weights_of(discriminator)
    history = gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert history.history["r1_penalty"][-1] > 0
    assert changed(d_before, discriminator)


def test_discriminator_step_leaves_generator_alone_and_vice_versa():
    gan = gans.GAN(*tiny_networks())
    gan.compile()
    images, _ = fake_mnist(BATCH)
    fakes = gan.generator(gan.sample_latent(BATCH))

    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    gan._discriminator_step(images, fakes, None)
    assert changed(d_before, gan.discriminator)
    assert not changed(g_before, gan.generator)

    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    tape, fakes = gan._recorded_fakes(gan.sample_latent(BATCH), None)
    gan._generator_step(tape, fakes, None)
    assert changed(g_before, gan.generator)
    assert not changed(d_before, gan.discriminator)


class RecordingWGANGP(gans.WGANGP):
    """Remembers the real batch each critic update saw (eager mode only)."""

    def _discriminator_step(self, real_images, fake_images, labels):
        self.seen_real.append(real_images.numpy())
        self.seen_fake_shapes.append(tuple(fake_images.shape))
        return super()._discriminator_step(real_images, fake_images, labels)


def test_n_critic_consumes_n_critic_distinct_real_batches():
    gan = RecordingWGANGP(*tiny_networks(), n_critic=3)
    gan.seen_real, gan.seen_fake_shapes = [], []
    gan.compile(run_eagerly=True)
    # Image i is filled with the value i / 100, so every batch is identifiable.
    images = np.repeat(np.arange(3 * BATCH, dtype="float32") / 100, 784).reshape(-1, 28, 28, 1)

    gan.fit(images, batch_size=3 * BATCH, epochs=1, verbose=0, shuffle=False)

    assert len(gan.seen_real) == 3
    seen_ids = [np.round(batch[:, 0, 0, 0] * 100).astype(int) for batch in gan.seen_real]
    for step, ids in enumerate(seen_ids):
        np.testing.assert_array_equal(ids, np.arange(step * BATCH, (step + 1) * BATCH))
    assert gan.seen_fake_shapes == [(BATCH, 28, 28, 1)] * 3


def test_wgan_clips_critic_weights():
    gan = gans.WGAN(*tiny_networks(), clip_value=0.01, n_critic=1)
    gan.compile(d_optimizer=keras.optimizers.SGD(1.0))
    images, _ = fake_mnist(BATCH)
    gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    for weight in gan.discriminator.trainable_variables:
        assert np.abs(weight.numpy()).max() <= 0.01 + 1e-7


def test_wgan_clips_each_layer_by_its_fan_in():
    generator, discriminator = tiny_networks()  # Dense 784 -> 16 -> 1
    gan = gans.WGAN(generator, discriminator, clip_value=1.0, clip_by_fan_in=True)
    for weight in discriminator.trainable_variables:
        weight.assign(np.full(weight.shape, 10.0, np.float32))
    gan.after_critic_update()
    dense = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Dense)]
    # sqrt(3 / 784) and sqrt(3 / 16), for each kernel and its bias.
    for layer, bound in zip(dense, (0.0618590, 0.4330127), strict=True):
        for weight in layer.trainable_weights:
            np.testing.assert_allclose(weight.numpy(), bound, rtol=1e-5)

    plain = gans.WGAN(generator, discriminator, clip_value=0.01)
    plain.after_critic_update()
    for weight in discriminator.trainable_variables:
        np.testing.assert_allclose(weight.numpy(), 0.01, rtol=1e-6)
    assert gans.WGAN.from_config(gan.get_config()).clip_by_fan_in


def test_wgan_clips_convolutions_by_their_fan_in():
    generator, critic = models.build_preset("dcgan_minibatch_stddev")
    gan = gans.WGAN(generator, critic, clip_value=0.5, clip_by_fan_in=True)
    for weight in critic.trainable_variables:
        weight.assign(np.full(weight.shape, -10.0, np.float32))
    gan.after_critic_update()
    # The first convolution: 5x5 kernels over one channel, fan-in 25.
    first = critic.get_layer("conv_1")
    np.testing.assert_allclose(first.kernel.numpy(), -0.5 * np.sqrt(3 / 25), rtol=1e-5)
    np.testing.assert_allclose(first.bias.numpy(), -0.5 * np.sqrt(3 / 25), rtol=1e-5)
    clipped = sum(np.all(weight.numpy() > -10.0) for weight in critic.trainable_variables)
    assert clipped == len(critic.trainable_variables)


def test_wgan_gp_defaults_follow_the_paper():
    gan = gans.WGANGP(*tiny_networks())
    gan.compile()
    assert gan.n_critic == 5
    assert gan.gp_weight == 10.0
    config = gan.d_optimizer.get_config()
    assert np.isclose(config["learning_rate"], 1e-4)
    assert np.isclose(config["beta_1"], 0.5) and np.isclose(config["beta_2"], 0.9)


def recording_half_sum_critic() -> tuple[list[int], object]:
    """D(x) = 0.5 · sum(x), so ∇D = 0.5 on every pixel; records each batch size it scores."""
    seen = []

    def critic(images):
        seen.append(int(images.shape[0]))
        return tf.reduce_sum(0.5 * images, axis=[1, 2, 3])[:, None]

    return seen, critic


def test_r1_penalty_is_estimated_on_r1_samples_real_images_and_logged():
    seen, recording_critic = recording_half_sum_critic()
    real, _ = fake_mnist(BATCH)
    fake, _ = fake_mnist(BATCH, seed=1)
    gan = gans.GAN(*tiny_networks(), r1_weight=2.0, r1_samples=3)
    penalties = gan.critic_penalties(recording_critic, tf.constant(real), tf.constant(fake))
    # ∇D = 0.5 on 784 pixels: ‖∇D‖² = 196, so γ/2 · 196 = 196 at γ = 2.
    assert seen == [3]
    np.testing.assert_allclose(float(penalties["r1_penalty"]), 196.0, rtol=1e-6)
    assert gans.GAN(*tiny_networks()).critic_penalties(recording_critic, real, fake) == {}
    # WGAN-GP adds its own term beside R1; fit logs both.
    gan = gans.WGANGP(*tiny_networks(), n_critic=1, r1_weight=1.0)
    gan.compile()
    history = gan.fit(real, batch_size=BATCH, epochs=1, verbose=0).history
    assert history["r1_penalty"][0] > 0 and history["gradient_penalty"][0] > 0
    with pytest.raises(ValueError, match="r1_weight must be >= 0, received r1_weight=-1"):
        gans.GAN(*tiny_networks(), r1_weight=-1)


def test_lazy_r1_adds_the_penalty_every_r1_interval_updates_weighted_by_the_interval():
    seen, recording_critic = recording_half_sum_critic()
    real, _ = fake_mnist(BATCH)
    gan = gans.GAN(*tiny_networks(), r1_weight=2.0, r1_samples=3, r1_interval=3)
    gan.compile()
    terms, critic_calls = [], []
    for update in range(4):
        gan.d_optimizer.iterations.assign(update)
        penalties = gan.critic_penalties(recording_critic, tf.constant(real), tf.constant(real))
        terms.append(float(penalties["r1_penalty"]))
        critic_calls.append(len(seen))
    # 3 · γ/2 · ‖∇D‖² = 3 · 196 = 588 on updates 0 and 3, nothing between;
    # and between, the critic is not even called (the saving).
    np.testing.assert_allclose(terms, [588.0, 0.0, 0.0, 588.0], rtol=1e-6)
    assert critic_calls == [1, 1, 1, 2]
    with pytest.raises(ValueError, match="r1_interval must be an integer > 0, received r1_interval=0"):
        gans.GAN(*tiny_networks(), r1_weight=1.0, r1_interval=0)


def twin_gans(*options_of_each):
    """GANs with the same initial networks, one per dict of GAN options."""
    generator, discriminator = tiny_networks()
    twins = []
    for options in options_of_each:
        networks = []
        for network in (generator, discriminator):
            copy = keras.models.clone_model(network)
            copy.set_weights(network.get_weights())
            networks.append(copy)
        gan = gans.GAN(*networks, seed=0, **options)
        # SGD moves the weights in proportion to the gradient (a first Adam
        # step is about lr · sign(g), blind to the penalty's weight).
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        twins.append(gan)
    return twins


def test_lazy_r1_trains_as_its_weighted_penalty_when_due_and_as_none_between():
    # (XLA compiles the same step in test_minibatch_stddev_trains_with_r1.)
    images, _ = fake_mnist(BATCH)
    for update, equivalent in ((0, {"r1_weight": 2.0}), (1, {})):
        lazy, reference = twin_gans({"r1_weight": 1.0, "r1_interval": 2}, equivalent)
        for gan in (lazy, reference):
            gan.d_optimizer.iterations.assign(update)
            gan.fit(images, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        for lazy_weight, weight in zip(lazy.discriminator.weights, reference.discriminator.weights):
            np.testing.assert_allclose(lazy_weight.numpy(), weight.numpy(), rtol=1e-5, atol=1e-7)


def test_gradient_penalty_is_estimated_on_gp_samples_pairs():
    seen, recording_critic = recording_half_sum_critic()
    real, _ = fake_mnist(BATCH)
    fake, _ = fake_mnist(BATCH, seed=1)
    gan = gans.WGANGP(*tiny_networks(), gp_samples=3)
    penalties = gan.critic_penalties(recording_critic, tf.constant(real), tf.constant(fake))
    # ∇D = 0.5 on 784 pixels at every interpolate: ‖∇D‖ = 14, so λ · (14 - 1)² = 1690 at λ = 10.
    assert seen == [3]
    np.testing.assert_allclose(float(penalties["gradient_penalty"]), 1690.0, rtol=1e-6)
    seen.clear()
    gans.WGANGP(*tiny_networks()).critic_penalties(recording_critic, tf.constant(real), tf.constant(fake))
    assert seen == [BATCH]
    with pytest.raises(ValueError, match="gp_samples must be an integer > 0, received gp_samples=0"):
        gans.WGANGP(*tiny_networks(), gp_samples=0)


def test_gradient_penalty_on_fewer_pairs_of_a_conditional_critic():
    # The labels are cut with the images, so each pair keeps its own label.
    gan = gans.WGANGP(*models.build_preset("conditional_mlp"), n_critic=1, gp_samples=3)
    gan.compile(jit_compile=False)
    images, labels = fake_mnist(BATCH)
    history = gan.fit(images, labels, batch_size=BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["gradient_penalty"][-1]) and history.history["gradient_penalty"][-1] > 0


def test_sigmoid_discriminator_switches_bce_to_probabilities():
    gan = gans.GAN(*tiny_networks(sigmoid=True))
    gan.compile()
    assert gan.from_logits is False
    with pytest.raises(ValueError, match="wasserstein"):
        gans.WGANGP(*tiny_networks(sigmoid=True)).compile()


def test_conditional_generation_honours_labels():
    gan = gans.GAN(*tiny_networks(conditional=True))
    gan.compile()
    images, labels = fake_mnist(2 * BATCH)
    history = gan.fit(images, labels, batch_size=BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])
    z = gan.sample_latent(2)
    same_z = tf.concat([z[:1], z[:1]], axis=0)
    two_labels = tf.one_hot([3, 7], 10)
    images = gan([same_z, two_labels]).numpy()
    assert not np.allclose(images[0], images[1])


def test_conditional_gan_fed_unlabeled_data_raises():
    gan = gans.GAN(*tiny_networks(conditional=True))
    gan.compile(run_eagerly=True)
    images, _ = fake_mnist(BATCH)
    with pytest.raises(ValueError, match=r"fit it on \(images, labels\)"):
        gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)


def test_mismatched_networks_raise_clear_errors():
    generator, _ = tiny_networks()
    small_critic = models.mlp_discriminator(hidden_units=(8,), image_shape=(14, 14, 1))
    with pytest.raises(ValueError, match=r"shape \(28, 28, 1\).*\(14, 14, 1\)"):
        gans.GAN(generator, small_critic)
    _, conditional_critic = tiny_networks(conditional=True)
    with pytest.raises(ValueError, match="both be conditional"):
        gans.GAN(generator, conditional_critic)
    with pytest.raises(ValueError, match="latent_dim=5 does not match"):
        gans.GAN(*tiny_networks(), latent_dim=5)
    with pytest.raises(ValueError, match="received n_critic=0"):
        gans.GAN(*tiny_networks(), n_critic=0)
    with pytest.raises(ValueError, match="received ema_decay=1.5"):
        gans.GAN(*tiny_networks(), ema_decay=1.5)


def first_epoch_losses(seed):
    keras.utils.set_random_seed(seed)
    gan = gans.WGANGP(*tiny_networks(), n_critic=2)
    gan.compile(jit_compile=False)
    images, _ = fake_mnist(4 * BATCH)
    history = gan.fit(images, batch_size=2 * BATCH, epochs=1, verbose=0, shuffle=False)
    return history.history["d_loss"][0], history.history["g_loss"][0]


def test_same_global_seed_gives_same_first_epoch_losses():
    assert first_epoch_losses(7) == first_epoch_losses(7)
    assert first_epoch_losses(7) != first_epoch_losses(8)


def test_ema_generator_lags_behind_the_trained_generator():
    gan = gans.GAN(*tiny_networks(), ema_decay=0.5)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.5))
    start = weights_of(gan.generator)
    images, _ = fake_mnist(BATCH)
    gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    # After the first step the warm-up decay is (1 + 1) / (10 + 1) = 2/11,
    # below the set 0.5: the average sits 9/11 of the way to the new weights.
    for initial, ema, trained in zip(start, gan.ema_generator.trainable_variables, gan.generator.trainable_variables):
        np.testing.assert_allclose(ema.numpy(), 2 / 11 * initial + 9 / 11 * trained.numpy(), atol=1e-6)
    assert gan.sampling_generator is gan.ema_generator


def test_ema_decay_warms_up_to_the_set_decay():
    gan = gans.GAN(*tiny_networks(), ema_decay=0.5)
    # (1 + n) / (10 + n): 2/11, 3/12, ..., 9/18 = 0.5 at n = 8, then capped.
    decays = [float(gan.ema_decay_at(n)) for n in (1, 2, 7, 8, 9, 1000)]
    np.testing.assert_allclose(decays, [2 / 11, 3 / 12, 8 / 17, 0.5, 0.5, 0.5], rtol=1e-6)


def test_ema_generator_follows_a_short_run():
    # 20 SGD steps at decay 0.999: without warm-up the average would keep
    # 0.999**20 = 98 % of the initial weights; with it, it ends near the
    # trained ones.
    gan = gans.GAN(*tiny_networks(), ema_decay=0.999)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.5))
    start = weights_of(gan.generator)
    images, _ = fake_mnist(20 * BATCH)
    gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    for initial, ema, trained in zip(start, gan.ema_generator.trainable_variables, gan.generator.trainable_variables):
        distance_to_trained = np.linalg.norm(ema.numpy() - trained.numpy())
        distance_trained_to_initial = np.linalg.norm(trained.numpy() - initial)
        assert distance_to_trained < 0.5 * distance_trained_to_initial


def test_get_config_round_trip():
    gan = gans.WGANGP(
        *tiny_networks(),
        n_critic=3,
        gp_weight=5.0,
        gp_samples=6,
        ema_decay=0.9,
        r1_weight=0.5,
        r1_samples=4,
        r1_interval=4,
    )
    clone = gans.WGANGP.from_config(gan.get_config())
    assert (clone.n_critic, clone.gp_weight, clone.gp_samples, clone.ema_decay, clone.latent_dim) == (3, 5.0, 6, 0.9, 8)
    assert (clone.r1_weight, clone.r1_samples, clone.r1_interval) == (0.5, 4, 4)


def test_a_saved_gan_loads_compiled_as_it_was_trained(tmp_path):
    gan = gans.GAN(*tiny_networks(), ema_decay=0.9, r1_weight=0.5, seed=3)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.0),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
        loss="minimax",
        label_smoothing=0.1,
        steps_per_execution=2,
        jit_compile=False,
    )
    images, _ = fake_mnist(4 * BATCH)
    gan.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when it cannot compile a loaded model
        loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert (loaded.loss_name, loaded.label_smoothing, loaded.from_logits) == ("minimax", 0.1, True)
    assert (loaded.steps_per_execution, loaded.jit_compile) == (2, False)
    for name, rate in (("d_optimizer", 3e-3), ("g_optimizer", 1e-3)):
        optimizer, trained = getattr(loaded, name), getattr(gan, name)
        np.testing.assert_allclose([optimizer.learning_rate.numpy(), optimizer.beta_1], [rate, 0.0])
        # Their state came back with the weights: 4 steps, and Adam's moments.
        assert int(optimizer.iterations.numpy()) == int(trained.iterations.numpy()) == 4
        for saved, restored in zip(trained.variables, optimizer.variables, strict=True):
            np.testing.assert_array_equal(saved.numpy(), restored.numpy())
    z = tf.random.stateless_normal((5, loaded.latent_dim), seed=(1, 2))
    np.testing.assert_array_equal(gan.ema_generator(z).numpy(), loaded.ema_generator(z).numpy())
    # And it trains on.
    history = loaded.fit(images, batch_size=BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_learns_mnist_pixel_statistics():
    """A few hundred steps bring samples measurably closer to real digits.

    The statistic is the distance between the mean image of a generated batch
    and the mean real image: an untrained tanh generator draws grey noise
    around 0, MNIST is mostly black background (-1) with a bright centre. A
    flipped loss sign or swapped real/fake labels moves it the wrong way
    (measured: 0.74 -> 0.28 as written, 0.74 -> 1.23 with the generator
    loss negated).
    """
    from keras_gans.data import load_dataset

    keras.utils.set_random_seed(0)
    dataset = load_dataset("mnist", batch_size=64, limit=4096, seed=0, drop_remainder=True)
    real_mean = np.mean(np.concatenate([batch.numpy() for batch in dataset]), axis=0)
    generator = models.mlp_generator(latent_dim=32, hidden_units=(128,), activation=0.2)
    discriminator = models.mlp_discriminator(hidden_units=(128,), leaky_relu_slope=0.2)
    gan = gans.GAN(generator, discriminator)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=16,
    )

    def distance_to_real():
        return float(np.abs(gan.generate(512).numpy().mean(axis=0) - real_mean).mean())

    before = distance_to_real()
    gan.fit(dataset.repeat(), steps_per_epoch=320, epochs=1, verbose=0)
    after = distance_to_real()
    assert after < 0.5 * before, (before, after)


DISTRIBUTED_SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf, keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from keras_gans import gans, models

    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")

    def networks():
        keras.utils.set_random_seed(1)
        # A generator that ignores z (zero kernel) makes every loss
        # deterministic, so the runs must agree exactly, whatever the noise.
        generator = keras.Sequential([
            keras.Input((4,)),
            keras.layers.Dense(784, kernel_initializer="zeros", bias_initializer="glorot_uniform"),
            keras.layers.Reshape((28, 28, 1)),
        ])
        return generator, models.mlp_discriminator(hidden_units=(16,))

    def train(strategy):
        with strategy.scope():
            gan = gans.GAN(*networks())
            gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        dataset = tf.data.Dataset.from_tensor_slices(images).batch(16)
        history = gan.fit(dataset, epochs=1, verbose=0)
        return gan, history.history

    single, single_history = train(tf.distribute.get_strategy())
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    mirrored, mirrored_history = train(strategy)

    @tf.function
    def per_replica_noise():
        return strategy.run(lambda: mirrored.sample_latent(2))

    noise = [t.numpy() for t in strategy.experimental_local_results(per_replica_noise())]
    print(json.dumps({
        "replicas": strategy.num_replicas_in_sync,
        "d_loss": [single_history["d_loss"][0], mirrored_history["d_loss"][0]],
        "g_loss": [single_history["g_loss"][0], mirrored_history["g_loss"][0]],
        "d_weight_gap": max(float(np.abs(a - b).max()) for a, b in zip(
            single.discriminator.get_weights(), mirrored.discriminator.get_weights())),
        # The kernel's gradient is z-dependent; the bias's is not.
        "g_bias_gap": float(np.abs(
            single.generator.layers[0].bias.numpy() - mirrored.generator.layers[0].bias.numpy()).max()),
        "noise_equal_across_replicas": bool(np.allclose(noise[0], noise[1])),
    }))
    """
)


def test_mirrored_strategy_matches_single_device(tmp_path):
    """Two logical CPUs train like one device: same loss scale, same update."""
    script = tmp_path / "distributed.py"
    script.write_text(DISTRIBUTED_SCRIPT)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert np.isclose(*report["d_loss"], rtol=1e-4)
    assert np.isclose(*report["g_loss"], rtol=1e-4)
    # Unscaled per-replica losses would double the summed gradient.
    assert report["d_weight_gap"] < 1e-5
    assert report["g_bias_gap"] < 1e-5
    assert not report["noise_equal_across_replicas"]
