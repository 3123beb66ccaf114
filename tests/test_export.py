"""Tests of the SavedModel export of generators, and of reloading it."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import callbacks, export, gans, models

LATENT_DIM = 8


def trained_gan(conditional=False, ema_decay=0.5):
    """A tiny GAN after two train steps, so the EMA generator differs from G."""
    num_classes = 10 if conditional else None
    generator = models.mlp_generator(latent_dim=LATENT_DIM, hidden_units=(16,), num_classes=num_classes)
    discriminator = models.mlp_discriminator(hidden_units=(16,), num_classes=num_classes)
    gan = gans.GAN(generator, discriminator, ema_decay=ema_decay, seed=0)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, size=(16, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, size=16).astype("int32")
    gan.fit(images, labels if conditional else None, batch_size=8, epochs=1, verbose=0)
    return gan


def latent(n, seed=1):
    return np.random.default_rng(seed).standard_normal((n, LATENT_DIM)).astype("float32")


def in_memory(gan, z, labels=None):
    inputs = tf.constant(z) if labels is None else [tf.constant(z), tf.one_hot(labels, 10)]
    return gan.sampling_generator(inputs, training=False).numpy()


def quantize(images):
    return np.round((np.clip(images, -1, 1) + 1) * 127.5).astype(np.uint8)


@pytest.fixture(scope="module")
def unconditional(tmp_path_factory):
    gan = trained_gan()
    path = callbacks.export_generator(
        gan, tmp_path_factory.mktemp("export") / "generator", metadata={"dataset": "mnist", "epoch": 7}
    )
    return gan, path


@pytest.fixture(scope="module")
def conditional(tmp_path_factory):
    gan = trained_gan(conditional=True)
    return gan, callbacks.export_generator(gan, tmp_path_factory.mktemp("export") / "cgenerator")


# --------------------------------------------------------------------------
# Files, signatures, metadata
# --------------------------------------------------------------------------


def test_export_writes_saved_model_and_metadata(unconditional):
    gan, path = unconditional
    assert (path / "saved_model.pb").is_file()
    metadata = json.loads((path / "generator.json").read_text())
    assert metadata["latent_dim"] == LATENT_DIM
    assert metadata["image_shape"] == [28, 28, 1]
    assert metadata["conditional"] is False and metadata["num_classes"] is None
    assert metadata["objective"] == "non_saturating"
    assert metadata["ema"] is True
    assert (metadata["dataset"], metadata["epoch"]) == ("mnist", 7)
    assert metadata["keras_gans_version"]


def shapes_and_dtypes(specs):
    return {name: (tuple(spec.shape), spec.dtype) for name, spec in specs.items()}


def test_signatures_have_the_documented_inputs_and_outputs(unconditional, conditional):
    for (_gan, path), extra_serving, extra_sample in (
        (unconditional, {}, {}),
        (conditional, {"labels": ((None,), tf.int32)}, {"label": ((), tf.int32)}),
    ):
        saved_model = tf.saved_model.load(str(path))
        assert set(saved_model.signatures) == {"serving_default", "sample"}

        def specs(signature, saved_model=saved_model):
            _, inputs = saved_model.signatures[signature].structured_input_signature
            outputs = saved_model.signatures[signature].structured_outputs
            return shapes_and_dtypes(inputs), shapes_and_dtypes(outputs)

        assert specs("serving_default") == (
            {"z": ((None, LATENT_DIM), tf.float32), **extra_serving},
            {"images": ((None, 28, 28, 1), tf.float32)},
        )
        assert specs("sample") == (
            {"n": ((), tf.int32), "seed": ((), tf.int64), **extra_sample},
            {"images": ((None, 28, 28, 1), tf.uint8)},
        )


# --------------------------------------------------------------------------
# Reloading reproduces the generator
# --------------------------------------------------------------------------

RELOAD_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf

    plain, conditional, inputs, outputs = sys.argv[1:]
    data = np.load(inputs)
    plain = tf.saved_model.load(plain)
    conditional = tf.saved_model.load(conditional)
    seed = tf.constant(3, tf.int64)
    np.savez(
        outputs,
        plain=plain.signatures["serving_default"](z=tf.constant(data["z"]))["images"].numpy(),
        conditional=conditional.signatures["serving_default"](
            z=tf.constant(data["z"]), labels=tf.constant(data["labels"])
        )["images"].numpy(),
        sample=plain.signatures["sample"](n=tf.constant(5), seed=seed)["images"].numpy(),
        keras_gans_imported=np.array("keras_gans" in sys.modules),
    )
    """
)


def test_fresh_process_without_keras_gans_reproduces_outputs(unconditional, conditional, tmp_path):
    z = latent(6)
    labels = np.array([0, 1, 2, 7, 8, 9], np.int32)
    np.savez(tmp_path / "inputs.npz", z=z, labels=labels)
    script = tmp_path / "reload.py"
    script.write_text(RELOAD_SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(
        [
            sys.executable,
            str(script),
            str(unconditional[1]),
            str(conditional[1]),
            str(tmp_path / "inputs.npz"),
            str(tmp_path / "outputs.npz"),
        ],
        check=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
    )
    outputs = np.load(tmp_path / "outputs.npz")
    assert not outputs["keras_gans_imported"]
    np.testing.assert_allclose(outputs["plain"], in_memory(unconditional[0], z), atol=1e-5)
    np.testing.assert_allclose(outputs["conditional"], in_memory(conditional[0], z, labels), atol=1e-5)
    in_process = callbacks.sample_exported_generator(unconditional[1], n=5, seed=3)[0]
    np.testing.assert_array_equal(outputs["sample"], in_process)


def test_export_uses_the_ema_generator(unconditional):
    gan, path = unconditional
    z = latent(4)
    generate, _ = callbacks.load_exported_generator(path)
    np.testing.assert_allclose(generate(z), gan.ema_generator(z).numpy(), atol=1e-5)
    assert np.abs(generate(z) - gan.generator(z).numpy()).max() > 1e-3


def test_one_loaded_export_serves_both_signatures(conditional):
    gan, path = conditional
    exported = export.ExportedGenerator(path)
    assert exported.signature.conditional and exported.metadata["num_classes"] == 10
    z, labels = latent(3), np.array([7, 0, 2])
    np.testing.assert_allclose(exported.generate(z, labels), in_memory(gan, z, labels), atol=1e-5)
    signature = tf.saved_model.load(str(path)).signatures["sample"]
    sampled = signature(n=tf.constant(4), seed=tf.constant(9, tf.int64), label=tf.constant(7))["images"]
    np.testing.assert_array_equal(exported.sample(4, seed=9, label=7), sampled.numpy())
    with pytest.raises(ValueError, match="n must be >= 1, received n=0"):
        exported.sample(0)


def test_tfsm_layer_reloads_both_exports(unconditional, conditional):
    z = latent(3)
    layer = keras.layers.TFSMLayer(str(unconditional[1]), call_endpoint="serving_default")
    np.testing.assert_allclose(layer(z)["images"].numpy(), in_memory(unconditional[0], z), atol=1e-5)
    labels = np.array([4, 5, 6], np.int32)
    layer = keras.layers.TFSMLayer(str(conditional[1]), call_endpoint="serving_default")
    np.testing.assert_allclose(
        layer(z, labels=labels)["images"].numpy(), in_memory(conditional[0], z, labels), atol=1e-5
    )


# --------------------------------------------------------------------------
# The `sample` signature
# --------------------------------------------------------------------------


def test_sample_is_deterministic_uint8_from_stateless_noise(unconditional):
    gan, path = unconditional
    images, metadata = callbacks.sample_exported_generator(path, n=6, seed=11)
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.uint8
    assert metadata["latent_dim"] == LATENT_DIM
    np.testing.assert_array_equal(images, callbacks.sample_exported_generator(path, n=6, seed=11)[0])
    assert not np.array_equal(images, callbacks.sample_exported_generator(path, n=6, seed=12)[0])
    # Documented noise: z = stateless_normal((n, latent_dim), seed=[seed, 0]).
    z = tf.random.stateless_normal((6, LATENT_DIM), seed=tf.constant([11, 0], tf.int64)).numpy()
    expected = quantize(in_memory(gan, z))
    assert np.abs(images.astype(int) - expected.astype(int)).max() <= 1


def test_conditional_export_honours_labels(conditional):
    gan, path = conditional
    generate, metadata = callbacks.load_exported_generator(path)
    assert (metadata["conditional"], metadata["num_classes"]) == (True, 10)
    z = np.repeat(latent(1), 10, axis=0)  # the same z for every class
    images = generate(z, np.arange(10))
    np.testing.assert_allclose(images, in_memory(gan, z, np.arange(10)), atol=1e-5)
    assert np.abs(images[0] - images[1]).max() > 1e-3

    threes, _ = callbacks.sample_exported_generator(path, n=4, seed=5, label=3)
    z = tf.random.stateless_normal((4, LATENT_DIM), seed=tf.constant([5, 0], tf.int64)).numpy()
    assert np.abs(threes.astype(int) - quantize(in_memory(gan, z, np.full(4, 3))).astype(int)).max() <= 1
    # Without a label the classes cycle 0, 1, 2, 3.
    cycled, _ = callbacks.sample_exported_generator(path, n=4, seed=5)
    assert np.abs(cycled.astype(int) - quantize(in_memory(gan, z, np.arange(4))).astype(int)).max() <= 1


def test_bad_labels_are_rejected(unconditional, conditional):
    generate, _ = callbacks.load_exported_generator(conditional[1])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), received \[3, 10\]"):
        generate(latent(2), [3, 10])
    with pytest.raises(ValueError, match="conditional: pass labels"):
        generate(latent(2))
    with pytest.raises(ValueError, match=r"label must be in \[0, 10\)"):
        callbacks.sample_exported_generator(conditional[1], n=2, label=12)
    with pytest.raises(ValueError, match="unconditional; received label=1"):
        callbacks.sample_exported_generator(unconditional[1], n=2, label=1)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 8\), received shape \(2, 3\)"):
        callbacks.load_exported_generator(unconditional[1])[0](np.zeros((2, 3)))
    # The SavedModel checks labels itself, for callers without keras_gans.
    serve = tf.saved_model.load(str(conditional[1])).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be < 10"):
        serve(z=tf.constant(latent(1)), labels=tf.constant([10]))


# --------------------------------------------------------------------------
# Never silently overwrite
# --------------------------------------------------------------------------


def test_existing_export_dir_raises_unless_overwrite(unconditional, tmp_path):
    gan, _ = unconditional
    target = callbacks.export_generator(gan, tmp_path / "g", metadata={"epoch": 1})
    with pytest.raises(FileExistsError, match=f"{target}.*overwrite=True"):
        callbacks.export_generator(gan, target, metadata={"epoch": 2})
    assert json.loads((target / "generator.json").read_text())["epoch"] == 1
    callbacks.export_generator(gan, target, metadata={"epoch": 2}, overwrite=True)
    assert json.loads((target / "generator.json").read_text())["epoch"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]  # no staging folder left


def test_overwrite_never_deletes_a_folder_that_is_not_an_export(unconditional, tmp_path):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="not a SavedModel export"):
        callbacks.export_generator(unconditional[0], tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "precious"
    # An existing empty folder is fine.
    (tmp_path / "empty").mkdir()
    assert (callbacks.export_generator(unconditional[0], tmp_path / "empty") / "saved_model.pb").is_file()


def test_export_generator_callback_numbers_siblings(tmp_path):
    gan = trained_gan(ema_decay=None)
    images = np.zeros((8, 28, 28, 1), np.float32)
    first = callbacks.ExportGenerator(tmp_path / "generator", metadata={"dataset": "mnist"})
    gan.fit(images, batch_size=8, epochs=2, verbose=0, callbacks=[first])
    assert first.export_path == tmp_path / "generator"
    metadata = callbacks.read_export_metadata(first.export_path)
    assert (metadata["epoch"], metadata["dataset"], metadata["ema"]) == (2, "mnist", False)
    second = callbacks.ExportGenerator(tmp_path / "generator")
    gan.fit(images, batch_size=8, epochs=1, verbose=0, callbacks=[second])
    assert second.export_path == tmp_path / "generator-2"
    replacing = callbacks.ExportGenerator(tmp_path / "generator", overwrite=True)
    gan.fit(images, batch_size=8, epochs=1, verbose=0, callbacks=[replacing])
    assert replacing.export_path == tmp_path / "generator"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generator", "generator-2"]


# --------------------------------------------------------------------------
# Other inputs
# --------------------------------------------------------------------------


def test_a_bare_generator_model_can_be_exported(tmp_path):
    generator = models.mlp_generator(latent_dim=LATENT_DIM, hidden_units=(16,))
    path = callbacks.export_generator(generator, tmp_path / "g")
    generate, metadata = callbacks.load_exported_generator(path)
    z = latent(2)
    np.testing.assert_allclose(generate(z), generator(z).numpy(), atol=1e-5)
    assert (metadata["model_class"], metadata["objective"], metadata["ema"]) == ("Functional", None, False)


def test_refuses_non_finite_weights_and_models_without_latent_input(tmp_path):
    generator = models.mlp_generator(latent_dim=LATENT_DIM, hidden_units=(16,))
    generator.get_layer("to_pixels").kernel.assign(tf.fill(generator.get_layer("to_pixels").kernel.shape, float("nan")))
    with pytest.raises(ValueError, match="non-finite weights: .*to_pixels"):
        callbacks.export_generator(generator, tmp_path / "nan")
    assert not (tmp_path / "nan").exists()

    class EnergyModel(keras.Model):
        def generate(self, n):
            return tf.zeros((n, 28, 28, 1))

    with pytest.raises(ValueError, match="received EnergyModel, which has no latent input"):
        callbacks.export_generator(EnergyModel(), tmp_path / "ebm")


def test_loading_a_missing_export_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no exported generator"):
        callbacks.load_exported_generator(tmp_path / "nothing")
