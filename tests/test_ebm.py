"""Tests for keras_gans.ebm: Langevin sampling, replay buffer, training, OOD tools."""

import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import data, ebm
from keras_gans.hardware import usable_cores

METRIC_NAMES = ("loss", "cd_loss", "reg_loss", "real_energy", "fake_energy")


def tiny_model(**kwargs) -> ebm.EnergyBasedModel:
    network = ebm.energy_network(filters=(8, 16, 32), hidden_units=32)
    options = dict(langevin_steps=10, buffer_size=512, seed=0)
    options.update(kwargs)
    return ebm.EnergyBasedModel(network, **options)


def real_test_images(n: int = 500) -> np.ndarray:
    images, _ = data.load_arrays("mnist", split="test", limit=n)
    return data.normalize(images)


@pytest.fixture(scope="module")
def trained():
    """A tiny EBM fitted for 200 steps of batch 64 on 2000 MNIST digits."""
    keras.utils.set_random_seed(0)
    model = tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, clipnorm=0.1))
    train = data.load_dataset("mnist", split="train", batch_size=64, limit=2000, seed=0, drop_remainder=True).repeat()
    history = model.fit(train, steps_per_epoch=200, epochs=1, verbose=0)
    return model, history


# --------------------------------------------------------------------------
# Energy network
# --------------------------------------------------------------------------


def test_energy_network_gives_one_score_per_image():
    network = ebm.energy_network()
    scores = network(np.zeros((5, 28, 28, 1), np.float32))
    assert tuple(scores.shape) == (5,)
    assert scores.dtype == "float32"


def test_energy_network_first_kernel_size_sets_only_the_first_convolution():
    network = ebm.energy_network(first_kernel_size=3)
    assert [network.get_layer(f"conv_{index}").kernel_size for index in range(3)] == [(3, 3)] * 3
    assert ebm.energy_network().get_layer("conv_0").kernel_size == (5, 5)


def test_swish_has_the_values_and_the_derivative_of_x_sigmoid_x():
    x = tf.constant([-3.0, 0.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ebm.energy.swish(x)
    gradient = tape.gradient(y, x)
    sigmoid = 1.0 / (1.0 + np.exp(-x.numpy()))
    np.testing.assert_allclose(y, x.numpy() * sigmoid, rtol=1e-6)
    # d/dx x·σ(x) = σ(x) + x·σ(x)·(1 − σ(x)): 0.5 at 0.
    np.testing.assert_allclose(gradient, sigmoid + x.numpy() * sigmoid * (1 - sigmoid), rtol=1e-6)
    assert float(gradient[1]) == 0.5


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 5, 6, 7, (3, 5), (4, 1)])
@pytest.mark.parametrize("image_shape", [(28, 28, 1), (8, 12, 3)])
def test_space_to_depth_conv2d_computes_the_strided_convolution(kernel_size, image_shape):
    # Same weights, same outputs and same input gradients as the Conv2D it replaces.
    images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (4, *image_shape)), tf.float32)
    blocked = ebm.SpaceToDepthConv2D(5, kernel_size, activation="swish")
    plain = keras.layers.Conv2D(5, kernel_size, strides=2, padding="same", activation="swish")
    blocked.build(images.shape)
    plain.build(images.shape)
    plain.set_weights([np.random.default_rng(0).normal(size=w.shape) for w in plain.get_weights()])
    blocked.set_weights(plain.get_weights())
    gradients = []
    for layer in (blocked, plain):
        with tf.GradientTape() as tape:
            tape.watch(images)
            outputs = layer(images)
            total = tf.reduce_sum(outputs * outputs)
        gradients.append(tape.gradient(total, images))
        assert tuple(outputs.shape) == (4, image_shape[0] // 2, image_shape[1] // 2, 5)
    np.testing.assert_allclose(blocked(images), plain(images), atol=1e-5)
    np.testing.assert_allclose(gradients[0], gradients[1], rtol=1e-4, atol=1e-4)


def test_space_to_depth_conv2d_rejects_what_it_cannot_compute():
    with pytest.raises(ValueError, match="strides=1"):
        ebm.SpaceToDepthConv2D(4, 3, strides=1)
    with pytest.raises(ValueError, match=r"even height and width, received input shape \(1, 7, 8, 1\)"):
        ebm.SpaceToDepthConv2D(4, 3)(np.zeros((1, 7, 8, 1), np.float32))


def test_energy_network_uses_the_block_convolution_only_for_even_images(tmp_path):
    network = ebm.energy_network()
    assert isinstance(network.get_layer("conv_0"), ebm.SpaceToDepthConv2D)
    path = tmp_path / "energy.keras"
    network.save(path)
    restored = keras.models.load_model(path)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_array_equal(restored(images), network(images))
    odd = ebm.energy_network(image_shape=(27, 27, 1))
    assert type(odd.get_layer("conv_0")) is keras.layers.Conv2D


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_shape": (28, 28)}, "image_shape"),
        ({"filters": ()}, "filters"),
        ({"hidden_units": 0}, "hidden_units=0"),
        ({"first_kernel_size": 0}, "first_kernel_size=0"),
    ],
)
def test_energy_network_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ebm.energy_network(**kwargs)


# --------------------------------------------------------------------------
# Langevin dynamics on a known energy
# --------------------------------------------------------------------------


def quadratic_score(mu):
    """s(x) = −E(x) with E(x) = ‖x − μ‖² / 2, so ∇ₓ s(x) = μ − x."""
    mu = tf.constant(mu, tf.float32)
    return lambda x: -0.5 * tf.reduce_sum((x - mu) ** 2, axis=-1)


@pytest.mark.parametrize("chain_groups", [1, 2])
@pytest.mark.parametrize(
    "step_size, noise_std, expected_variance",
    [
        # Proper Langevin (σ² = ε): var = ε / (1 − (1 − ε/2)²) = 0.1 / 0.0975.
        (0.1, np.sqrt(0.1), 1.0256410),
        # Any σ: var = σ² / (1 − (1 − ε/2)²) = 0.09 / (1 − 0.75²).
        (0.5, 0.3, 0.2057143),
    ],
)
def test_langevin_reaches_the_stationary_distribution_of_a_quadratic_energy(
    step_size, noise_std, expected_variance, chain_groups
):
    mu = np.array([1.0, -2.0, 0.5], np.float32)
    start = np.full((4000, 3), 6.0, np.float32)  # far from μ
    samples = ebm.langevin_dynamics(
        quadratic_score(mu),
        start,
        steps=200,
        step_size=step_size,
        noise_std=noise_std,
        seed=keras.random.SeedGenerator(1),
        value_range=None,
        chain_groups=chain_groups,
    ).numpy()
    # 12,000 draws: the standard error of the mean is ~0.01·σ and that of the
    # variance ~1.3 % of it.
    np.testing.assert_allclose(samples.mean(axis=0), mu, atol=0.05)
    assert samples.var(axis=0).mean() == pytest.approx(expected_variance, rel=0.06)


def climb_towards_ten(start, **options):
    """Five noiseless Langevin steps up s(x) = −‖x − 10‖² / 2 with gradients clipped to 0.1.

    Each step moves a coordinate below 9.9 by (ε/2)·clip(10 − x) = 0.5 · 0.1 = 0.05.
    """
    return ebm.langevin_dynamics(
        quadratic_score([10.0, 10.0]), start, 5, step_size=1.0, noise_std=0.0, grad_clip=0.1, **options
    )


def test_langevin_clips_gradients_and_values():
    start = np.full((2, 2), 0.9, np.float32)
    # 0.9 → 1.15 after 5 steps...
    np.testing.assert_allclose(climb_towards_ten(start, value_range=None), 1.15, atol=1e-5)
    # ...unless values are clipped to [-1, 1].
    np.testing.assert_allclose(climb_towards_ten(start), 1.0)


@pytest.mark.parametrize("num_chains, chain_groups", [(5, 2), (7, 3), (2, 4)])
def test_langevin_chain_groups_split_the_chains_without_changing_their_dynamics(num_chains, chain_groups):
    # Every chain moves by 5 · 0.05 = 0.25 and stays in its row, whichever
    # loop it runs in (groups of 2 and 3 chains, of 2, 2 and 3, and of 0, 1,
    # 0 and 1 chains); distinct starts would show a chain put back elsewhere.
    start = np.linspace(-0.5, 0.5, 2 * num_chains, dtype=np.float32).reshape(num_chains, 2)
    moved = climb_towards_ten(start, value_range=None, chain_groups=chain_groups)
    assert moved.shape == (num_chains, 2)
    np.testing.assert_allclose(moved, start + 0.25, atol=1e-5)


def test_langevin_noise_is_reproducible_and_differs_between_chains_and_groups():
    def run(seed):
        # A flat score: the chains move by their noise alone.
        return ebm.langevin_dynamics(
            lambda x: 0.0 * tf.reduce_sum(x, axis=-1),
            np.zeros((4, 3), np.float32),
            2,
            step_size=1.0,
            noise_std=1.0,
            seed=seed,
            value_range=None,
            chain_groups=2,
        ).numpy()

    first = run(keras.random.SeedGenerator(5))
    np.testing.assert_array_equal(first, run(keras.random.SeedGenerator(5)))
    # All 12 entries distinct: no chain or group repeats another's noise.
    assert len(np.unique(first)) == first.size
    # A generator advances, so the next call draws new noise.
    generator = keras.random.SeedGenerator(5)
    assert not np.array_equal(run(generator), run(generator))


THREADS_PROBE = """
import tensorflow as tf
from keras_gans import ebm

first = ebm.set_threads_for_chain_groups(2)
threads = tf.config.threading.get_intra_op_parallelism_threads()
tf.constant(1.0) + 1.0  # TensorFlow has started: its pools are fixed now
late = ebm.set_threads_for_chain_groups(1)
print(first, threads, late)
"""


def test_set_threads_for_chain_groups_shares_the_cores_before_tensorflow_starts(monkeypatch):
    # A process of its own: in this one TensorFlow has long started.
    env = {name: value for name, value in os.environ.items() if name != "TF_NUM_INTRAOP_THREADS"}
    probe = [sys.executable, "-c", THREADS_PROBE]
    printed = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=300, check=True).stdout
    cores = usable_cores()
    # Two groups: half the cores per op. Later, only the same size is accepted.
    assert printed.split() == ["True", str(max(1, cores // 2)), str(cores == 1)]
    # An explicit choice wins: the pool is then left alone.
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    resized = []
    monkeypatch.setattr(tf.config.threading, "set_intra_op_parallelism_threads", resized.append)
    assert ebm.set_threads_for_chain_groups(2) is False
    assert resized == []
    with pytest.raises(ValueError, match="chain_groups=0"):
        ebm.set_threads_for_chain_groups(0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": -1}, "steps=-1"),
        ({"step_size": 0.0}, "step_size=0.0"),
        ({"noise_std": -0.1}, "noise_std=-0.1"),
        ({"grad_clip": 0.0}, "grad_clip=0.0"),
        ({"chain_groups": 0}, "chain_groups=0"),
        ({"chain_groups": 1.5}, "chain_groups=1.5"),
    ],
)
def test_langevin_rejects_bad_arguments(kwargs, match):
    options = dict(steps=3, step_size=0.1, noise_std=0.1)
    options.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ebm.langevin_dynamics(quadratic_score([0.0]), np.zeros((2, 1)), **options)


# --------------------------------------------------------------------------
# Replay buffer
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reinit_fraction, batch_size, expected_fresh",
    [(0.25, 64, 16), (0.05, 64, 3), (0.0, 32, 0), (1.0, 32, 32)],
)
def test_buffer_mixes_old_chains_and_fresh_noise_in_the_promised_proportion(
    reinit_fraction, batch_size, expected_fresh
):
    model = tiny_model(buffer_size=256, reinit_fraction=reinit_fraction)
    # A constant buffer tells old chains (exactly 0.5) from fresh noise.
    model.replay_buffer.assign(np.full((256, 28, 28, 1), 0.5, np.float32))
    start, slots, is_fresh = (np.asarray(t) for t in model.sample_replay_buffer(batch_size))

    assert start.shape == (batch_size, 28, 28, 1)
    assert len(np.unique(slots)) == batch_size
    assert slots.min() >= 0 and slots.max() < 256
    from_buffer = np.all(start == 0.5, axis=(1, 2, 3))
    assert is_fresh.sum() == expected_fresh
    np.testing.assert_array_equal(from_buffer, ~is_fresh)
    fresh = start[is_fresh]
    if expected_fresh:
        assert fresh.min() >= -1.0 and fresh.max() <= 1.0
        assert fresh.std() == pytest.approx(1 / np.sqrt(3), rel=0.1)  # uniform [-1, 1]


def test_buffer_slots_are_random_between_draws():
    model = tiny_model(buffer_size=256)
    _, first, _ = model.sample_replay_buffer(32)
    _, second, _ = model.sample_replay_buffer(32)
    assert not np.array_equal(first, second)


def test_buffer_rejects_a_batch_larger_than_the_buffer():
    with pytest.raises(ValueError, match="batch_size=65"):
        tiny_model(buffer_size=64).sample_replay_buffer(65)


@pytest.mark.parametrize("negative_samples, expected_changed", [(None, 16), (6, 6)])
def test_train_step_writes_the_chains_back_to_their_slots(negative_samples, expected_changed):
    model = tiny_model(buffer_size=64, reinit_fraction=0.0, negative_samples=negative_samples)
    model.compile()
    model.replay_buffer.assign(np.full((64, 28, 28, 1), 0.5, np.float32))
    real = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype(np.float32)
    history = model.fit(real, batch_size=16, epochs=1, verbose=0)

    buffer = model.replay_buffer.numpy()
    changed = ~np.all(buffer == 0.5, axis=(1, 2, 3))
    # One batch of chains (as many as real images unless negative_samples
    # says otherwise), each written to its own slot.
    assert changed.sum() == expected_changed
    logs = {name: values[-1] for name, values in history.history.items()}
    assert logs["loss"] == pytest.approx(logs["cd_loss"] + logs["reg_loss"], abs=1e-5)
    assert buffer.min() >= -1.0 and buffer.max() <= 1.0


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------


def test_tiny_ebm_scores_real_digits_above_uniform_noise(trained):
    model, history = trained
    real_scores = model.score(real_test_images())
    noise_scores = model.score(ebm.uniform_noise_images(500, seed=1))
    # A flipped sign in the contrastive-divergence loss gives ~0 here.
    assert ebm.auroc(real_scores, noise_scores) >= 0.95


def test_training_reports_finite_metrics(trained):
    model, history = trained
    assert set(METRIC_NAMES) <= set(history.history)
    for name in METRIC_NAMES:
        assert np.isfinite(history.history[name]).all(), name
    assert [m.name for m in model.metrics] == list(METRIC_NAMES)
    last = {name: history.history[name][-1] for name in METRIC_NAMES}
    assert last["loss"] == pytest.approx(last["cd_loss"] + last["reg_loss"], abs=1e-4)
    assert last["reg_loss"] >= 0.0


def test_default_compile_uses_the_recipe_optimizer():
    model = tiny_model()
    model.compile()
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.beta_1) == 0.0
    assert model.optimizer.clipnorm == pytest.approx(0.1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": -1.0}, "alpha=-1.0"),
        ({"langevin_steps": 0}, "langevin_steps=0"),
        ({"step_size": -1.0}, "step_size=-1.0"),
        ({"buffer_size": 0}, "buffer_size=0"),
        ({"buffer_size": 64, "negative_samples": 65}, "negative_samples=65"),
        ({"negative_samples": 0}, "negative_samples=0"),
        ({"negative_samples": 64.5}, "negative_samples=64.5"),
        ({"reinit_fraction": 1.5}, "reinit_fraction=1.5"),
        ({"real_noise_std": -0.1}, "real_noise_std=-0.1"),
        ({"chain_groups": 0}, "chain_groups=0"),
        ({"sample_steps": 0}, "sample_steps must be an integer > 0, received sample_steps=0"),
    ],
)
def test_model_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_model(**kwargs)


def test_model_rejects_a_network_with_several_outputs_per_image():
    classifier = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match=r"received output shape \(None, 10\)"):
        ebm.EnergyBasedModel(classifier)


# --------------------------------------------------------------------------
# Generation and scoring
# --------------------------------------------------------------------------


def test_generate_returns_final_and_intermediate_images(trained):
    model, _ = trained
    images, intermediate = model.generate(6, steps=20, return_steps=(0, 10, 20))
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.float32
    assert sorted(intermediate) == [0, 10, 20]
    np.testing.assert_array_equal(intermediate[20], images)
    for step_images in intermediate.values():
        assert step_images.shape == (6, 28, 28, 1)
        assert step_images.min() >= -1.0 and step_images.max() <= 1.0
    # Step 0 is the uniform starting noise; sampling raises the score.
    assert intermediate[0].std() == pytest.approx(1 / np.sqrt(3), rel=0.1)
    assert model.score(images).mean() > model.score(intermediate[0]).mean()
    assert model.generate(3, steps=5).shape == (3, 28, 28, 1)


def test_generate_runs_the_models_sample_steps_unless_told(monkeypatch):
    model = tiny_model(sample_steps=7)
    lengths = []
    run_segment = model._compiled_langevin

    def record_segment(images, steps, *args):
        lengths.append(int(steps))
        return run_segment(images, steps, *args)

    monkeypatch.setattr(model, "_compiled_langevin", record_segment)
    model.generate(2)
    model.generate(2, steps=3)
    model.generate(2, return_steps=(2,))
    assert lengths == [7, 3, 2, 5]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n=0"),
        ({"n": 2, "steps": 0}, "steps=0"),
        ({"n": 2, "steps": 5, "return_steps": (6,)}, r"return_steps=\(6,\)"),
    ],
)
def test_generate_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_model().generate(**kwargs)


def test_score_accepts_a_batch_or_a_single_image():
    model = tiny_model()
    assert model.score(np.zeros((3, 28, 28, 1), np.float32)).shape == (3,)
    assert model.score(np.zeros((28, 28, 1), np.float32)).shape == (1,)


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((3, 28, 28), np.float32), r"received shape \(3, 28, 28\)"),
        (np.zeros((3, 32, 32, 1), np.float32), r"received shape \(3, 32, 32, 1\)"),
        (np.full((2, 28, 28, 1), 255, np.uint8), "received dtype uint8"),
        (np.full((2, 28, 28, 1), 255.0, np.float32), r"received values in \[255, 255\]"),
        (np.full((2, 28, 28, 1), np.nan, np.float32), "NaN"),
    ],
)
def test_score_rejects_bad_images(images, match):
    with pytest.raises(ValueError, match=match):
        tiny_model().score(images)


def test_score_reports_a_diverged_network():
    model = tiny_model()
    model.energy_network.get_layer("score").kernel.assign(np.full((32, 1), np.nan, np.float32))
    with pytest.raises(FloatingPointError, match="diverged"):
        model.score(np.zeros((2, 28, 28, 1), np.float32))


# --------------------------------------------------------------------------
# Divergence guard
# --------------------------------------------------------------------------


def test_divergence_guard_stops_at_the_failing_step_and_restores_weights():
    model = tiny_model(buffer_size=64)
    model.compile()
    batches = np.random.default_rng(0).uniform(-1, 1, (5, 8, 28, 28, 1)).astype(np.float32)
    batches[3, 0, 0, 0, 0] = np.nan  # batch 3 makes every weight NaN
    guard = ebm.DivergenceGuard(snapshot_every=2)
    with pytest.raises(ebm.TrainingDivergedError, match=r"epoch 1, batch 3 \(global step 4\)"):
        model.fit(tf.data.Dataset.from_tensor_slices(batches), epochs=1, verbose=0, callbacks=[guard])
    assert guard.diverged_at["global_step"] == 4
    assert model.stop_training
    for weight in model.weights + model.optimizer.variables:
        assert np.isfinite(np.asarray(weight)).all(), weight.path


def test_divergence_guard_catches_exploding_energies_without_raising():
    model = tiny_model(buffer_size=64)
    model.compile()
    # Huge weights give |energy| far above the threshold from the first step.
    model.energy_network.get_layer("score").bias.assign([5000.0])
    real = np.zeros((32, 28, 28, 1), np.float32)
    guard = ebm.DivergenceGuard(max_abs_energy=1000.0, raise_error=False)
    history = model.fit(real, batch_size=8, epochs=3, verbose=0, callbacks=[guard])
    assert guard.diverged_at["global_step"] == 1
    assert len(history.history["loss"]) == 1  # stopped in the first epoch
    assert float(model.energy_network.get_layer("score").bias[0]) == 5000.0  # restored


def test_divergence_guard_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_abs_energy=0"):
        ebm.DivergenceGuard(max_abs_energy=0)


# --------------------------------------------------------------------------
# Serialization
# --------------------------------------------------------------------------


def test_config_round_trip_and_weights_with_the_buffer(tmp_path):
    model = tiny_model(
        alpha=0.3,
        langevin_steps=7,
        buffer_size=128,
        negative_samples=32,
        reinit_fraction=0.1,
        chain_groups=3,
        sample_steps=40,
    )
    config = model.get_config()
    clone = ebm.EnergyBasedModel.from_config(config)
    for key in (
        "alpha",
        "langevin_steps",
        "step_size",
        "noise_std",
        "grad_clip",
        "buffer_size",
        "negative_samples",
        "reinit_fraction",
        "real_noise_std",
        "chain_groups",
        "sample_steps",
        "seed",
    ):
        assert getattr(clone, key) == getattr(model, key), key

    path = tmp_path / "ebm.weights.h5"
    model.save_weights(path)
    clone.replay_buffer.assign(np.zeros((128, 28, 28, 1), np.float32))
    clone.load_weights(path)
    np.testing.assert_array_equal(clone.replay_buffer.numpy(), model.replay_buffer.numpy())
    images = np.zeros((2, 28, 28, 1), np.float32)
    np.testing.assert_allclose(clone.score(images), model.score(images), rtol=1e-6)


def test_saved_model_file_loads_back(tmp_path):
    model = tiny_model(buffer_size=32)
    model.compile(optimizer=keras.optimizers.Adam(3e-4, beta_1=0.0, clipnorm=0.2))
    model.fit(real_test_images(64), batch_size=32, epochs=1, verbose=0)
    path = tmp_path / "ebm.keras"
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when it cannot compile a loaded model
        loaded = keras.models.load_model(path)
    assert isinstance(loaded, ebm.EnergyBasedModel)
    images = np.zeros((2, 28, 28, 1), np.float32)
    np.testing.assert_allclose(loaded.score(images), model.score(images), rtol=1e-6)
    # Compiled as it was saved, with the optimizer's state of its 2 steps.
    optimizer = loaded.optimizer
    assert (optimizer.clipnorm, int(optimizer.iterations.numpy())) == (0.2, 2)
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 3e-4)
    for saved, restored in zip(model.optimizer.variables, optimizer.variables, strict=True):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())


# --------------------------------------------------------------------------
# AUROC
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "in_scores, out_scores, expected",
    [
        ([3, 4], [1, 2], 1.0),
        ([1, 2], [3, 4], 0.0),
        ([1, 3], [2, 4], 0.25),  # only 3 > 2 of the 4 pairs
        ([2, 2], [2, 2], 0.5),  # all ties count ½
        ([1, 2, 3], [2], 0.5),  # (0 + ½ + 1) / 3
        ([2, 3], [1, 2, 2], 5 / 6),  # 2: 1 + ½ + ½, 3: 3 → 5 of 6 pairs
    ],
)
def test_auroc_on_hand_computed_examples(in_scores, out_scores, expected):
    assert ebm.auroc(in_scores, out_scores) == pytest.approx(expected)


def test_auroc_matches_pairwise_counting():
    rng = np.random.default_rng(0)
    in_scores = rng.integers(0, 10, 50).astype(float)  # many ties
    out_scores = rng.integers(0, 8, 40).astype(float)
    diff = in_scores[:, None] - out_scores[None, :]
    expected = ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size
    assert ebm.auroc(in_scores, out_scores) == pytest.approx(expected)


@pytest.mark.parametrize(
    "in_scores, out_scores, match",
    [
        ([], [1.0], r"in_scores .* shape \(0,\)"),
        ([1.0], [[1.0]], r"out_scores .* shape \(1, 1\)"),
        ([np.nan], [1.0], "in_scores must be finite"),
    ],
)
def test_auroc_rejects_bad_input(in_scores, out_scores, match):
    with pytest.raises(ValueError, match=match):
        ebm.auroc(in_scores, out_scores)


# --------------------------------------------------------------------------
# OOD probes and table
# --------------------------------------------------------------------------


def probe_images():
    images = np.full((4, 28, 28, 1), -1.0, np.float32)
    images[:, 2, 5, 0] = 1.0  # one bright pixel at row 2, column 5
    images[1, 10, 10, 0] = 0.5
    return images


@pytest.mark.parametrize(
    "probe",
    [
        ebm.flip_horizontal,
        ebm.flip_vertical,
        ebm.rotate,
        lambda x: ebm.rotate(x, 30),
        ebm.invert,
        ebm.shift,
        ebm.add_gaussian_noise,
        ebm.overlay,
        lambda x: ebm.overlay(x, mode="mean"),
    ],
)
def test_probes_keep_shape_dtype_and_range(probe):
    out = probe(real_test_images(16))
    assert out.shape == (16, 28, 28, 1) and out.dtype == np.float32
    assert out.min() >= -1.0 and out.max() <= 1.0


def test_probes_move_pixels_where_expected():
    images = probe_images()
    assert ebm.flip_horizontal(images)[0, 2, 22, 0] == 1.0
    assert ebm.flip_vertical(images)[0, 25, 5, 0] == 1.0
    np.testing.assert_array_equal(ebm.rotate(images, 90), np.rot90(images, 1, axes=(1, 2)))
    # Counter-clockwise: the pixel at (row 2, col 5) goes to (row 22, col 2).
    assert ebm.rotate(images, 90)[0, 22, 2, 0] == 1.0
    np.testing.assert_array_equal(ebm.invert(images), -images)
    shifted = ebm.shift(images, rows=3, cols=-2)
    assert shifted[0, 5, 3, 0] == 1.0 and (shifted == 1.0).sum() == 4  # no wrap-around
    assert ebm.shift(images, rows=0, cols=-6).max(axis=(1, 2, 3)).tolist() == [-1, 0.5, -1, -1]


def test_rotation_by_an_arbitrary_angle_is_close_to_the_exact_one():
    digits = real_test_images(8)
    # 89.999° interpolates; it must agree with the exact 90° permutation.
    np.testing.assert_allclose(ebm.rotate(digits, 89.999), ebm.rotate(digits, 90), atol=1e-3)


def test_overlay_pairs_every_image_with_another_one():
    images = np.stack([np.full((28, 28, 1), v, np.float32) for v in (-1.0, -0.5, 0.0, 0.5)])
    combined = ebm.overlay(images, mode="max")
    assert np.all(combined >= images)
    mean = ebm.overlay(images, mode="mean")[:, 0, 0, 0]
    partner = 2 * mean - images[:, 0, 0, 0]
    assert np.all(partner != images[:, 0, 0, 0])
    assert sorted(partner.tolist()) == sorted(images[:, 0, 0, 0].tolist())  # a permutation


def test_uniform_noise_images_cover_the_range():
    noise = ebm.uniform_noise_images(10, seed=3)
    assert noise.shape == (10, 28, 28, 1) and noise.dtype == np.float32
    assert noise.min() >= -1.0 and noise.max() <= 1.0
    np.testing.assert_array_equal(noise, ebm.uniform_noise_images(10, seed=3))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ebm.flip_horizontal(np.zeros((2, 28, 28, 1), np.uint8)), "dtype uint8"),
        (lambda: ebm.shift(probe_images(), rows=28), "rows=28"),
        (lambda: ebm.overlay(probe_images(), mode="sum"), "mode='sum'"),
        (lambda: ebm.overlay(probe_images()[:1]), "at least 2"),
        (lambda: ebm.add_gaussian_noise(probe_images(), std=-1), "std=-1"),
        (lambda: ebm.uniform_noise_images(0), "n=0"),
    ],
)
def test_probes_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ood_table_ranks_real_digits_above_noise_and_inversion(trained):
    model, _ = trained
    rows = ebm.ood_table(model, real_test_images(300), seed=0)
    by_name = {row.probe: row for row in rows}
    assert rows[0].probe == "real (test)" and np.isnan(rows[0].auroc)
    assert len(rows) == 11
    assert by_name["uniform noise"].auroc >= 0.95
    assert by_name["uniform noise"].mean_score < rows[0].mean_score
    for row in rows[1:]:
        assert 0.0 <= row.auroc <= 1.0 and np.isfinite(row.mean_score)
    text = ebm.format_ood_table(rows)
    assert text.splitlines()[0].split() == ["probe", "mean", "score", "AUROC", "vs", "real"]
    assert len(text.splitlines()) == 13
