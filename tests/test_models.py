"""Tests for keras_gans.models: shapes, ranges, exact architectures and sizes."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import losses, models

BATCH = 3


def random_inputs(spec: models.PresetSpec, latent_dim: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(BATCH, latent_dim)).astype("float32")
    images = rng.uniform(-1, 1, size=(BATCH, 28, 28, 1)).astype("float32")
    if not spec.conditional:
        return z, images
    labels = keras.utils.to_categorical([0, 3, 9], spec.num_classes).astype("float32")
    return [z, labels], [images, labels]


def layer_summary(model: keras.Model) -> list[tuple]:
    """(type, units or slope or activation) for every layer after the inputs."""
    summary = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            summary.append(("Dense", layer.units, layer.activation.__name__))
        elif isinstance(layer, keras.layers.LeakyReLU):
            summary.append(("LeakyReLU", pytest.approx(layer.negative_slope)))
        elif not isinstance(layer, keras.layers.InputLayer):
            summary.append((type(layer).__name__,))
    return summary


# ---------------------------------------------------------------- every preset


@pytest.mark.parametrize("name", list(models.PRESETS))
def test_preset_shapes_and_ranges(name):
    spec = models.PRESETS[name]
    generator, discriminator = models.build_preset(name)
    assert generator.name == f"{name}_generator"
    assert discriminator.name == f"{name}_discriminator"
    g_inputs, d_inputs = random_inputs(spec, spec.latent_dim)

    images = generator(g_inputs, training=False)
    assert images.shape == (BATCH, 28, 28, 1)
    assert images.dtype == tf.float32
    assert np.all(np.abs(images.numpy()) <= 1.0)

    scores = discriminator(d_inputs, training=False)
    assert scores.shape == (BATCH, 1)
    assert np.all(np.isfinite(scores.numpy()))


@pytest.mark.parametrize("name", list(models.PRESETS))
def test_preset_latent_dim_override_and_config_round_trip(name):
    spec = models.PRESETS[name]
    generator, _ = models.build_preset(name, latent_dim=7)
    z_input = generator.inputs[0]
    assert z_input.shape == (None, 7)
    rebuilt = keras.Model.from_config(generator.get_config())
    rebuilt.set_weights(generator.get_weights())
    g_inputs, _ = random_inputs(spec, 7)
    np.testing.assert_allclose(
        rebuilt(g_inputs, training=False).numpy(),
        generator(g_inputs, training=False).numpy(),
        atol=1e-6,
    )


def test_preset_specs():
    assert set(models.PRESETS) == {
        "vanilla",
        "wgan_gp",
        "batchnorm_mlp",
        "dcgan",
        "dcgan_minibatch_stddev",
        "conditional_dcgan",
        "conditional_mlp",
    }
    for name, spec in models.PRESETS.items():
        assert spec.name == name
        losses.get_loss_pair(spec.default_objective, from_logits=spec.from_logits)
        assert spec.conditional == (spec.num_classes is not None)
    assert models.PRESETS["vanilla"].latent_dim == 96
    assert models.PRESETS["wgan_gp"].default_objective == "wasserstein"
    assert models.PRESETS["batchnorm_mlp"].from_logits is False
    assert models.PRESETS["conditional_mlp"].conditional
    with pytest.raises(dataclasses.FrozenInstanceError):
        models.PRESETS["vanilla"].latent_dim = 3


# ------------------------------------------------------ minibatch standard deviation


def test_minibatch_stddev_by_hand():
    features = np.array([[0, 0], [2, 4], [1, 1], [3, 1], [5, 5]], "float32")
    # Groups of 2: rows {0, 1}, {2, 3}, {4}. Per-feature population standard
    # deviations: (1, 2) -> mean 1.5; (1, 0) -> 0.5; a lone row -> 0.
    out = models.MinibatchStddev(group_size=2)(features).numpy()
    np.testing.assert_allclose(out[:, :2], features)
    np.testing.assert_allclose(out[:, 2], [1.5, 1.5, 0.5, 0.5, 0.0], atol=1e-3)


def test_minibatch_stddev_rejects_bad_group_size_and_round_trips():
    with pytest.raises(ValueError, match="group_size must be an integer > 0, received group_size=0"):
        models.MinibatchStddev(group_size=0)
    with pytest.raises(ValueError, match="minibatch_stddev must be an integer >= 0 .* received minibatch_stddev=-1"):
        models.dcgan_discriminator(minibatch_stddev=-1)
    layer = models.MinibatchStddev(group_size=3)
    assert models.MinibatchStddev.from_config(layer.get_config()).group_size == 3


def test_minibatch_stddev_discriminator_sees_batch_spread():
    _, discriminator = models.build_preset("dcgan_minibatch_stddev")
    assert discriminator.get_layer("minibatch_stddev").group_size == 4
    spread = discriminator.get_layer("minibatch_stddev").output
    probe = keras.Model(discriminator.inputs, spread)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    # Four copies of one image vary by nothing; four different images do.
    same = probe(np.repeat(images[:1], 4, axis=0)).numpy()[:, -1]
    different = probe(images[:4]).numpy()[:, -1]
    assert np.all(same < 1e-3)
    assert np.all(different > 1e-2)
    # Saved and reloaded, the discriminator gives the same scores.
    rebuilt = keras.Model.from_config(discriminator.get_config())
    rebuilt.set_weights(discriminator.get_weights())
    np.testing.assert_allclose(rebuilt(images).numpy(), discriminator(images).numpy(), atol=1e-5)


def test_hyphen_spellings():
    assert models.get_preset("wgan-gp") is models.PRESETS["wgan_gp"]
    assert models.get_preset("batchnorm-mlp") is models.PRESETS["batchnorm_mlp"]
    generator, _ = models.build_preset("wgan-gp")
    assert generator.name == "wgan_gp_generator"


# ---------------------------------------------------------------- exact architectures


def test_vanilla_parameter_counts_hand_computed():
    generator, discriminator = models.build_preset("vanilla")
    # G, latent 96: 96*1024 + 1024     =    99,328
    #               1024*1024 + 1024   = 1,049,600
    #               1024*784 + 784     =   803,600
    #                                    1,952,528
    assert models.count_parameters(generator) == 1_952_528
    # D: 784*256 + 256 = 200,960; 256*256 + 256 = 65,792; 256*1 + 1 = 257 -> 267,009
    assert models.count_parameters(discriminator) == 267_009


def test_vanilla_layers():
    generator, discriminator = models.build_preset("vanilla")
    assert layer_summary(generator) == [
        ("Dense", 1024, "linear"),
        ("ReLU",),
        ("Dense", 1024, "linear"),
        ("ReLU",),
        ("Dense", 784, "tanh"),
        ("Reshape",),
    ]
    assert layer_summary(discriminator) == [
        ("Flatten",),
        ("Dense", 256, "linear"),
        ("LeakyReLU", 0.01),
        ("Dense", 256, "linear"),
        ("LeakyReLU", 0.01),
        ("Dense", 1, "linear"),
    ]


def test_wgan_gp_parameter_counts_hand_computed():
    generator, discriminator = models.build_preset("wgan_gp")
    # G: 100*256 + 256 = 25,856; 256*512 + 512 = 131,584; 512*1024 + 1024 = 525,312;
    #    1024*784 + 784 = 803,600 -> 1,486,352
    assert models.count_parameters(generator) == 1_486_352
    # D: 784*512 + 512 = 401,920; 512*256 + 256 = 131,328; 257 -> 533,505
    assert models.count_parameters(discriminator) == 533_505


def test_wgan_gp_layers_exactly():
    generator, discriminator = models.build_preset("wgan_gp")
    assert generator.inputs[0].shape == (None, 100)
    assert layer_summary(generator) == [
        ("Dense", 256, "linear"),
        ("LeakyReLU", 0.2),
        ("Dense", 512, "linear"),
        ("LeakyReLU", 0.2),
        ("Dense", 1024, "linear"),
        ("LeakyReLU", 0.2),
        ("Dense", 784, "tanh"),
        ("Reshape",),
    ]
    assert layer_summary(discriminator) == [
        ("Flatten",),
        ("Dense", 512, "linear"),
        ("LeakyReLU", 0.2),
        ("Dense", 256, "linear"),
        ("LeakyReLU", 0.2),
        ("Dense", 1, "linear"),
    ]


def test_batchnorm_mlp_architecture_and_probabilities():
    generator, discriminator = models.build_preset("batchnorm_mlp")
    assert layer_summary(generator) == [
        ("Dense", 256, "linear"),
        ("BatchNormalization",),
        ("LeakyReLU", 0.2),
        ("Dense", 512, "linear"),
        ("BatchNormalization",),
        ("LeakyReLU", 0.2),
        ("Dense", 1024, "linear"),
        ("BatchNormalization",),
        ("LeakyReLU", 0.2),
        ("Dense", 784, "tanh"),
        ("Reshape",),
    ]
    # Dense before BN has no bias; BN adds gamma and beta (its moving mean and
    # variance are not trainable):
    # 100*256 + 2*256 = 26,112; 256*512 + 2*512 = 132,096; 512*1024 + 2*1024 = 526,336;
    # 1024*784 + 784 = 803,600 -> 1,488,144
    assert models.count_parameters(generator) == 1_488_144
    assert discriminator.layers[-1].activation.__name__ == "sigmoid"
    # Extreme inputs still give probabilities strictly inside (0, 1).
    images = np.concatenate([np.ones((2, 28, 28, 1)), -np.ones((2, 28, 28, 1))]).astype("float32")
    probabilities = discriminator(images * 50.0).numpy()
    assert probabilities.shape == (4, 1)
    assert np.all((probabilities >= 0.0) & (probabilities <= 1.0))
    probabilities = discriminator(images).numpy()
    assert np.all((probabilities > 0.0) & (probabilities < 1.0))


def test_dcgan_is_the_cs231n_architecture_and_configurable():
    generator, discriminator = models.build_preset("dcgan")
    assert generator.get_layer("to_feature_map").output.shape == (None, 7, 7, 128)
    assert generator.get_layer("upsample_1").output.shape == (None, 14, 14, 64)
    assert generator.get_layer("upsample_2").output.shape == (None, 28, 28, 1)
    assert generator.get_layer("upsample_2").activation.__name__ == "tanh"
    assert discriminator.get_layer("conv_1").output.shape == (None, 24, 24, 32)
    assert discriminator.get_layer("pool_2").output.shape == (None, 4, 4, 64)
    # Dense 96*1024 + 1024 = 99,328; BN 2*1024 = 2,048; Dense 1024*6272 + 6272
    # = 6,428,800; BN 2*6272 = 12,544; ConvT 4*4*128*64 + 64 = 131,136; BN 2*64
    # = 128; ConvT 4*4*64*1 + 1 = 1,025 -> 6,675,009
    assert models.count_parameters(generator) == 6_675_009
    # Conv 5*5*1*32 + 32 = 832; Conv 5*5*32*64 + 64 = 51,264;
    # Dense 1024*1024 + 1024 = 1,049,600; Dense 1024 + 1 = 1,025 -> 1,102,721
    assert models.count_parameters(discriminator) == 1_102_721

    small_g, small_d = models.build_preset("dcgan", base_filters=8, hidden_units=(), discriminator_dropout_rate=0.3)
    assert small_g.get_layer("to_feature_map").output.shape == (None, 7, 7, 16)
    assert small_d.get_layer("pool_2").output.shape == (None, 4, 4, 16)
    assert small_d.get_layer("dropout_1").rate == pytest.approx(0.3)
    assert models.count_parameters(small_g) < models.count_parameters(generator)


def test_conditional_dcgan_joins_labels_to_z_and_to_the_features():
    generator, discriminator = models.build_preset("conditional_dcgan")
    assert [t.name for t in generator.inputs] == ["z", "labels"]
    # (batch, 96) ++ (batch, 10) -> (batch, 106); (batch, 4*4*64) ++ (batch, 10) -> (batch, 1034)
    assert generator.get_layer("z_and_labels").output.shape == (None, 106)
    assert discriminator.get_layer("features_and_labels").output.shape == (None, 1034)
    z = np.random.default_rng(0).normal(size=(2, 96)).astype("float32")
    images_0 = generator([z, keras.utils.to_categorical([0, 0], 10)]).numpy()
    images_7 = generator([z, keras.utils.to_categorical([7, 7], 10)]).numpy()
    assert np.max(np.abs(images_0 - images_7)) > 1e-4


def test_conditional_mlp_inputs_and_label_dependence():
    generator, discriminator = models.build_preset("conditional_mlp")
    assert [t.name for t in generator.inputs] == ["z", "labels"]
    assert [t.name for t in discriminator.inputs] == ["images", "labels"]
    # (batch, 100) ++ (batch, 10) -> (batch, 110); (batch, 784) ++ (batch, 10) -> (batch, 794)
    assert generator.get_layer("z_and_labels").output.shape == (None, 110)
    assert discriminator.get_layer("pixels_and_labels").output.shape == (None, 794)
    assert [layer.units for layer in generator.layers if isinstance(layer, keras.layers.Dense)] == [
        256,
        512,
        1024,
        784,
    ]

    z = np.random.default_rng(0).normal(size=(2, 100)).astype("float32")
    label_0 = keras.utils.to_categorical([0, 0], 10)
    label_7 = keras.utils.to_categorical([7, 7], 10)
    images_0 = generator([z, label_0]).numpy()
    images_7 = generator([z, label_7]).numpy()
    assert np.max(np.abs(images_0 - images_7)) > 1e-4
    scores_0 = discriminator([images_0, label_0]).numpy()
    scores_7 = discriminator([images_0, label_7]).numpy()
    assert np.max(np.abs(scores_0 - scores_7)) > 1e-6


# ---------------------------------------------------------------- generic builders


def test_generic_builders():
    generator = models.mlp_generator(latent_dim=4, hidden_units=(8,), activation=0.1, image_shape=(6, 5, 2))
    assert generator(np.zeros((2, 4), "float32")).shape == (2, 6, 5, 2)
    assert layer_summary(generator)[1] == ("LeakyReLU", 0.1)
    discriminator = models.mlp_discriminator(hidden_units=(8, 4), output_activation="sigmoid", image_shape=(6, 5, 2))
    assert discriminator(np.zeros((2, 6, 5, 2), "float32")).shape == (2, 1)
    conv_generator = models.dcgan_generator(latent_dim=5, hidden_units=(8,), base_filters=4, image_shape=(8, 12, 3))
    assert conv_generator(np.zeros((2, 5), "float32")).shape == (2, 8, 12, 3)
    conv_discriminator = models.dcgan_discriminator(
        base_filters=4, kernel_size=3, hidden_units=(8,), image_shape=(12, 16, 3)
    )
    assert conv_discriminator(np.zeros((2, 12, 16, 3), "float32")).shape == (2, 1)


def test_tiny_discriminator_learns_with_bce_loss():
    # Separate all-(+0.5) images from all-(-0.5) images: the loss starts near
    # 2 log 2 = 1.386 and must drop well below it. Seeded: the test must not
    # depend on the initial weights that the tests before it left.
    keras.utils.set_random_seed(0)
    discriminator = models.mlp_discriminator(hidden_units=(8,), image_shape=(4, 4, 1))
    optimizer = keras.optimizers.Adam(0.05)
    real = np.full((8, 4, 4, 1), 0.5, "float32")
    fake = -real
    history = []
    for _ in range(30):
        with tf.GradientTape() as tape:
            loss = losses.bce_discriminator_loss(discriminator(real), discriminator(fake))
        gradients = tape.gradient(loss, discriminator.trainable_weights)
        optimizer.apply_gradients(zip(gradients, discriminator.trainable_weights))
        history.append(float(loss))
    assert history[-1] < 0.1 < history[0]


# ---------------------------------------------------------------- parameter counts


def test_parameter_table_growth_only_in_first_dense():
    table = models.parameter_table("vanilla", latent_dims=(96, 192, 256))
    assert table.latent_dims == (96, 192, 256)
    growing = [row for row in table.rows if any(row.growth)]
    assert [(row.model, row.layer) for row in growing] == [("generator", "dense_1")]
    # (192 - 96) * 1024 = 98,304 and (256 - 96) * 1024 = 163,840
    assert growing[0].growth == (0, 98_304, 163_840)
    assert growing[0].counts == (99_328, 197_632, 263_168)
    assert table.total("generator") == (1_952_528, 2_050_832, 2_116_368)
    assert table.total("discriminator") == (267_009,) * 3
    text = str(table)
    assert "+98,304" in text and "+163,840" in text
    assert "latent_dim=192" in text and "dense_1" in text


def test_parameter_table_matches_count_parameters():
    table = models.parameter_table("batchnorm_mlp", latent_dims=(100,))
    generator, discriminator = models.build_preset("batchnorm_mlp")
    assert table.total("generator") == (models.count_parameters(generator),)
    assert table.total("discriminator") == (models.count_parameters(discriminator),)


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        (models.mlp_generator, {"latent_dim": -3}, "latent_dim=-3"),
        (models.mlp_generator, {"latent_dim": 0}, "latent_dim=0"),
        (models.mlp_generator, {"latent_dim": 2.5}, "latent_dim=2.5"),
        (models.mlp_generator, {"hidden_units": (256, 0)}, r"hidden_units=\(256, 0\)"),
        (models.mlp_generator, {"hidden_units": 256}, "hidden_units=256"),
        (models.mlp_generator, {"activation": "tanh"}, "activation='tanh'"),
        (models.mlp_generator, {"image_shape": (28, 28)}, r"image_shape=\(28, 28\)"),
        (models.mlp_generator, {"num_classes": 1}, "num_classes=1"),
        (models.mlp_discriminator, {"leaky_relu_slope": -0.2}, "leaky_relu_slope=-0.2"),
        (models.mlp_discriminator, {"output_activation": "softmax"}, "output_activation='softmax'"),
        (models.dcgan_generator, {"base_filters": 0}, "base_filters=0"),
        (models.dcgan_generator, {"image_shape": (30, 30, 1)}, r"image_shape=\(30, 30, 1\)"),
        (models.dcgan_discriminator, {"dropout_rate": 1.0}, "dropout_rate=1.0"),
        (models.dcgan_discriminator, {"image_shape": (12, 12, 1)}, r"image_shape=\(12, 12, 1\) is too small"),
    ],
)
def test_builders_reject_bad_arguments(builder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        builder(**kwargs)


def test_build_preset_rejects_bad_arguments():
    known = "vanilla, wgan_gp, batchnorm_mlp, dcgan, dcgan_minibatch_stddev, conditional_dcgan, conditional_mlp"
    with pytest.raises(ValueError, match=f"'gan9'.*{known}"):
        models.build_preset("gan9")
    with pytest.raises(ValueError, match="latent_dim=-3"):
        models.build_preset("vanilla", latent_dim=-3)
    with pytest.raises(ValueError, match="Unknown override base_filters=8 for preset 'vanilla'"):
        models.build_preset("vanilla", base_filters=8)
    # An unconditional preset cannot be made conditional through an override.
    with pytest.raises(ValueError, match="num_classes=10"):
        models.build_preset("wgan_gp", num_classes=10)
    with pytest.raises(ValueError, match="latent_dims=\\(96, -1\\)"):
        models.parameter_table("vanilla", latent_dims=(96, -1))
