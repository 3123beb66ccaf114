"""Tests of a whole training run: run folders, checkpoints and resume."""

import json
import shutil
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import distribution, training
from keras_gans.config import TrainConfig


def quick_config(out, **overrides):
    """A run of a few steps on a few hundred bundled MNIST digits.

    By default the vanilla objective on the CS231n MLP, XLA-compiled: small,
    quick, and reproducible to the bit across a resume.
    """
    options = dict(out=str(out), limit=256, batch_size=32, steps_per_epoch=4, epochs=1, verbose=0, export=False)
    if overrides.get("model", "vanilla") == "vanilla":
        options.update(model="vanilla", preset="vanilla", jit_compile=True)
    options.update(overrides)
    return TrainConfig(**options)


def generator_weights(run_dir, tmp_path, name):
    """Weights of the generator saved in a run's last checkpoint."""
    from keras_gans import callbacks

    restore_config = quick_config(tmp_path / name)
    gan = training.build_gan(restore_config)
    epochs = callbacks.restore_latest(gan, run_dir / "checkpoints")
    return epochs, [w.numpy() for w in gan.generator.weights]


# Trained once per module and copied by the tests that change or resume a
# run: the checkpoints name their files relative to their folder.
@pytest.fixture(scope="module")
def trained_runs(tmp_path_factory):
    """`quick_config` runs of 1, 2 and 3 epochs: {epochs: TrainResult}."""
    folder = tmp_path_factory.mktemp("trained")
    return {epochs: training.train(quick_config(folder / f"epochs_{epochs}", epochs=epochs)) for epochs in (1, 2, 3)}


def copy_run(trained_runs, epochs, destination) -> Path:
    """A copy of the trained run of `epochs` epochs at `destination`, for a test to change."""
    return Path(shutil.copytree(trained_runs[epochs].run_dir, destination))


def test_resume_gives_the_weights_of_an_uninterrupted_run(tmp_path, trained_runs):
    straight = trained_runs[3]
    copy_run(trained_runs, 2, tmp_path / "resumed")
    resumed = training.train(quick_config(tmp_path / "resumed", epochs=3, resume=True))

    assert resumed.run_dir == tmp_path / "resumed"
    epochs_a, weights_a = generator_weights(straight.run_dir, tmp_path, "a")
    epochs_b, weights_b = generator_weights(resumed.run_dir, tmp_path, "b")
    assert epochs_a == epochs_b == 3
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(straight.history["d_loss"][-1], resumed.history["d_loss"][-1], rtol=1e-5)
    # The resumed run appended its epoch to the loss table instead of starting over.
    rows = (resumed.run_dir / "loss_curves.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 3
    # config.json records the resume and keeps how the run was started.
    record = json.loads((resumed.run_dir / "config.json").read_text())
    assert (record["epochs"], record["resume"]) == (3, True)
    assert [(earlier["epochs"], earlier["resume"]) for earlier in record["earlier_invocations"]] == [(2, False)]


def test_resume_falls_back_past_a_truncated_checkpoint(tmp_path, trained_runs):
    straight = trained_runs[3]
    copy_run(trained_runs, 2, tmp_path / "broken")
    # What a crash during a copy, or a full disk, leaves: half a data file.
    data_file = tmp_path / "broken" / "checkpoints" / "ckpt-2.data-00000-of-00001"
    data_file.write_bytes(data_file.read_bytes()[: data_file.stat().st_size // 2])

    with pytest.warns(UserWarning, match="ckpt-2 is unreadable"):
        resumed = training.train(quick_config(tmp_path / "broken", epochs=3, resume=True))
    # Epochs 2 and 3 were trained again from ckpt-1: the same weights as
    # the uninterrupted run, and the broken ckpt-2 was replaced.
    _, weights_a = generator_weights(straight.run_dir, tmp_path, "a")
    epochs_b, weights_b = generator_weights(resumed.run_dir, tmp_path, "b")
    assert epochs_b == 3
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_resume_with_only_unreadable_checkpoints_names_them(tmp_path, trained_runs):
    copy_run(trained_runs, 1, tmp_path / "broken")
    data_file = tmp_path / "broken" / "checkpoints" / "ckpt-1.data-00000-of-00001"
    data_file.write_bytes(b"")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match=r"no readable checkpoint in .*: ckpt-1 \("):
        training.train(quick_config(tmp_path / "broken", epochs=2, resume=True))


def test_recipe_defaults_and_overrides():
    tuned = TrainConfig(model="wgan-gp")
    assert (tuned.learning_rate, tuned.generator_ema, tuned.critic_updates) == (2e-3, 0.999, 2)
    plain = TrainConfig(model="wgan-gp", lr=1e-4, ema_decay=0)
    assert (plain.learning_rate, plain.generator_ema) == (1e-4, None)
    gan = training.build_gan(plain)
    assert gan.ema_generator is None
    assert np.isclose(float(gan.g_optimizer.learning_rate), 1e-4)
    # The recipe's options for its GAN class and its Adam β1 reach the model.
    assert gan.gp_samples == 16
    assert gan.d_optimizer.get_config()["beta_1"] == gan.g_optimizer.get_config()["beta_1"] == 0.0
    assert (TrainConfig(model="wgan").learning_rate, TrainConfig(model="wgan").generator_ema) == (1e-3, 0.999)
    assert TrainConfig(model="cgan").r1_penalty_weight == 0
    assert TrainConfig(model="wgan", n_critic=3).critic_updates == 3


def test_a_recipe_changes_its_own_preset_only():
    # dcgan's discriminator groups 8 samples in its minibatch standard deviation; the preset itself groups 4.
    assert TrainConfig(model="dcgan").architecture_options == {"discriminator_minibatch_stddev": 8}
    for model, group_size in (("dcgan", 8), ("lsgan", 4)):
        discriminator = training.build_gan(TrainConfig(model=model)).discriminator
        assert discriminator.get_layer("minibatch_stddev").group_size == group_size
    # Another architecture does not take the recipe's options for its own.
    assert TrainConfig(model="dcgan", preset="dcgan").architecture_options == {}
    assert training.build_gan(TrainConfig(model="dcgan", preset="vanilla")).discriminator is not None


def test_batch_size_and_xla_come_from_the_recipe_unless_set():
    main_job = TrainConfig()
    assert (main_job.model, main_job.real_batch_size) == ("dcgan", 64)
    assert TrainConfig(model="cgan").real_batch_size == 128
    assert TrainConfig(batch_size=32).real_batch_size == 32
    assert TrainConfig(model="wgan").real_batch_size == 64
    # The DCGAN recipes turn XLA off (slow transposed convolutions on CPU).
    assert training.build_gan(TrainConfig()).jit_compile is False
    assert training.build_gan(TrainConfig(model="batchnorm-mlp")).jit_compile is True


def test_xla_and_the_architecture_can_be_chosen_per_run():
    assert training.build_gan(TrainConfig(jit_compile=True)).jit_compile is True
    assert training.build_gan(TrainConfig(model="batchnorm-mlp", jit_compile=False)).jit_compile is False
    # Any objective on any architecture: least squares on the course MLP.
    lsgan = training.build_gan(TrainConfig(model="lsgan", preset="vanilla"))
    assert type(lsgan).__name__ == "LSGAN"
    assert lsgan.discriminator.name == "vanilla_discriminator"
    assert TrainConfig(model="lsgan").architecture == "dcgan_minibatch_stddev"
    with pytest.raises(ValueError, match="the ebm model has no architecture preset; received preset='dcgan'"):
        TrainConfig(model="ebm", preset="dcgan")
    assert TrainConfig(model="wgan", preset="WGAN-GP").preset == "wgan_gp"
    # The Wasserstein critic must be unbounded: a sigmoid discriminator is
    # refused by the configuration, before any data or folder.
    with pytest.raises(ValueError, match="'wasserstein' needs raw discriminator scores"):
        TrainConfig(model="wgan-gp", preset="batchnorm_mlp")


def test_the_vanilla_recipe_smooths_the_real_targets():
    # A real logit of 10 costs about 0.1 · 10 with target 0.9, about 0 with
    # target 1; a fake logit of 0 costs log 2 either way.
    real, fake = np.array([[10.0]], "float32"), np.array([[0.0]], "float32")
    vanilla = training.build_gan(TrainConfig(model="vanilla", preset="vanilla"))
    assert vanilla.label_smoothing == 0.1
    np.testing.assert_allclose(float(vanilla.d_loss_fn(real, fake)), 1.0 + np.log(2), rtol=1e-3)
    dcgan = training.build_gan(TrainConfig(model="dcgan", preset="vanilla"))
    np.testing.assert_allclose(float(dcgan.d_loss_fn(real, fake)), np.log(2), rtol=1e-3)


def test_recipe_optimizers_change_only_the_rate_and_beta_1():
    wgan_gp = training.build_gan(TrainConfig(model="wgan-gp", preset="vanilla"))
    assert training.recipe_optimizers(wgan_gp, None, None) == (None, None)
    d_optimizer, g_optimizer = training.recipe_optimizers(wgan_gp, 2e-3, 0.0)
    for optimizer in (d_optimizer, g_optimizer):
        settings = optimizer.get_config()
        # The class's Adam(1e-4, 0.5, 0.9) with the new rate and β1; β2 kept.
        assert type(optimizer).__name__ == "Adam"
        np.testing.assert_allclose(
            [settings["learning_rate"], settings["beta_1"], settings["beta_2"]], [2e-3, 0.0, 0.9]
        )
    wgan = training.build_gan(TrainConfig(model="wgan", preset="vanilla"))
    assert type(training.recipe_optimizers(wgan, 1e-3, None)[0]).__name__ == "RMSprop"
    with pytest.raises(
        ValueError, match="beta_1 needs an Adam-like optimizer; WGAN trains with RMSprop, received beta_1=0.0"
    ):
        training.recipe_optimizers(wgan, None, 0.0)


def test_a_conditional_architecture_trains_under_an_unconditional_recipe(tmp_path):
    # dcgan's R1 penalty is estimated on 16 of the 64 real images: their
    # labels must be cut to match.
    result = training.train(
        quick_config(tmp_path / "run", model="dcgan", preset="conditional_dcgan", batch_size=64, steps_per_epoch=2)
    )
    assert result.model.conditional and np.isfinite(result.history["r1_penalty"][-1])


def test_resume_refuses_another_architecture_or_precision(tmp_path, trained_runs):
    copy_run(trained_runs, 1, tmp_path / "run")
    with pytest.raises(ValueError, match=r"precision 'float32' -> 'mixed_bfloat16'\)"):
        training.train(quick_config(tmp_path / "run", epochs=2, resume=True, precision="mixed_bfloat16"))
    with pytest.raises(ValueError, match=r"architecture 'vanilla' -> 'dcgan'"):
        training.train(quick_config(tmp_path / "run", epochs=2, resume=True, preset="dcgan"))


def test_resume_refuses_another_critic_schedule_and_a_checkpoint_of_other_networks(tmp_path, trained_runs):
    run = copy_run(trained_runs, 1, tmp_path / "run")
    saved = json.loads((run / "config.json").read_text())
    resolved = saved["resolved"]
    assert {key: resolved[key] for key in ("architecture", "n_critic", "batch_size")} == {
        "architecture": "vanilla",
        "n_critic": 1,
        "batch_size": 32,
    }
    # What only the recipe sets is recorded too: the run folder says what it trained.
    assert (resolved["label_smoothing"], resolved["r1_samples"], resolved["gan_options"]) == (0.1, 32, {})
    assert resolved["r1_interval"] == 1
    with pytest.raises(ValueError, match=r"\(n_critic 1 -> 2\)"):
        training.train(quick_config(run, epochs=2, resume=True, n_critic=2))
    # A vanilla run recorded before the recipe smoothed its labels trained
    # without: resuming it under today's recipe would change its objective.
    older = {**saved, "resolved": {key: value for key, value in resolved.items() if key != "label_smoothing"}}
    (run / "config.json").write_text(json.dumps(older))
    with pytest.raises(ValueError, match=r"\(label_smoothing 0.0 -> 0.1\)"):
        training.train(quick_config(run, epochs=2, resume=True))
    # A run that added its R1 penalty on every fourth update only.
    lazier = {**saved, "resolved": {**resolved, "r1_interval": 4}}
    (run / "config.json").write_text(json.dumps(lazier))
    with pytest.raises(ValueError, match=r"\(r1_interval 4 -> 1\)"):
        training.train(quick_config(run, epochs=2, resume=True))
    # A run whose recipe changed its preset's builder arguments.
    regrouped = {**saved, "resolved": {**resolved, "architecture_options": {"discriminator_minibatch_stddev": 8}}}
    (run / "config.json").write_text(json.dumps(regrouped))
    with pytest.raises(ValueError, match=r"\(architecture_options \{'discriminator_minibatch_stddev': 8\} -> \{\}\)"):
        training.train(quick_config(run, epochs=2, resume=True))
    # A run folder whose config.json names today's recipe settings but whose
    # checkpoint holds other networks (the course MLP, not the recipe's
    # DCGAN): the checkpoint fails to fit, in one line.
    saved["preset"] = None
    saved["resolved"] = {**resolved, "architecture": "dcgan_minibatch_stddev"}
    (run / "config.json").write_text(json.dumps(saved))
    with pytest.raises(
        ValueError, match=r"ckpt-1 does not fit the model being resumed \(.*\); resume with the options"
    ):
        training.train(quick_config(run, epochs=2, resume=True, preset=None, batch_size=32))


def test_the_ebm_takes_its_sample_steps_from_the_config():
    assert training.build_ebm(TrainConfig(model="ebm", sample_steps=24)).sample_steps == 24
    assert training.build_ebm(TrainConfig(model="ebm")).sample_steps == 512
    with pytest.raises(ValueError, match="sample_steps must be > 0, received sample_steps=0"):
        TrainConfig(model="ebm", sample_steps=0)


def test_an_epoch_is_one_pass_or_the_recipes_shorter_one():
    cgan = TrainConfig(model="cgan")  # batch 128, epochs of at most 400 steps
    assert cgan.recipe.max_steps_per_epoch == 400
    assert training.plan_steps(cgan, 60_000, n_critic=1) == (400, 8)
    # Fewer images: one pass, 10,000 // 128 = 78 steps, down to whole executions of 8.
    assert training.plan_steps(cgan, 10_000, n_critic=1) == (72, 8)
    # dcgan: batch 64, at most 700 steps, down to whole executions of 8.
    assert training.plan_steps(TrainConfig(model="dcgan"), 60_000, n_critic=1) == (696, 8)
    # Without a cap: 60,000 // 128 = 468 steps, down to 464.
    assert training.plan_steps(TrainConfig(model="vanilla"), 60_000, n_critic=1) == (464, 8)
    # An explicit steps_per_epoch wins, with executions of a divisor of it.
    assert training.plan_steps(TrainConfig(model="dcgan", steps_per_epoch=450), 60_000, n_critic=1) == (450, 6)


def test_existing_run_folders_are_never_overwritten(tmp_path, trained_runs):
    first = copy_run(trained_runs, 1, tmp_path / "run")
    marker = first / "my_notes.txt"
    marker.write_text("keep me")
    # Without XLA, whose compile takes longer than these few steps.
    second = training.train(quick_config(tmp_path / "run", jit_compile=False))
    third = training.train(quick_config(tmp_path / "run", jit_compile=False))
    assert (second.run_dir, third.run_dir) == (tmp_path / "run-2", tmp_path / "run-3")
    assert marker.read_text() == "keep me"

    replaced = training.train(quick_config(tmp_path / "run", overwrite=True, jit_compile=False))
    assert replaced.run_dir == tmp_path / "run"
    assert not marker.exists()


def test_resume_names_a_config_json_that_is_not_json(tmp_path, trained_runs):
    run = copy_run(trained_runs, 1, tmp_path / "run")
    (run / "config.json").write_text('{"model": "vanilla",')
    with pytest.raises(ValueError, match=r"config.json is not valid JSON \(.*\); repair it, or move it away"):
        training.train(quick_config(run, epochs=2, resume=True))
    (run / "config.json").write_text("null")
    with pytest.raises(ValueError, match=r"config.json holds the JSON value null, not an object of settings"):
        training.train(quick_config(run, epochs=2, resume=True))
    # Moved away, the run resumes and writes a new record.
    (run / "config.json").rename(run / "config.broken.json")
    assert training.train(quick_config(run, epochs=2, resume=True)).epochs_done == 2
    assert "earlier_invocations" not in json.loads((run / "config.json").read_text())


def test_resume_without_checkpoints_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        training.train(quick_config(tmp_path / "empty", resume=True))


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("model", "stylegan", "unknown model 'stylegan'"),
        ("epochs", 0, "epochs must be > 0, received epochs=0"),
        ("lr", -1.0, "lr must be > 0, received lr=-1.0"),
        ("strategy", "tpu", "received strategy='tpu'"),
        ("ema_decay", 1.0, "received ema_decay=1.0"),
        ("ema_decay", -0.5, "received ema_decay=-0.5"),
        ("preset", "stylegan", "Unknown preset 'stylegan'; known presets: vanilla, "),
        ("sample_steps", 16, "the vanilla model samples without Langevin steps, received sample_steps=16"),
    ],
)
def test_bad_config_values_raise(tmp_path, field, value, message):
    with pytest.raises(ValueError, match=message):
        quick_config(tmp_path, **{field: value})


def test_a_full_disk_during_a_checkpoint_is_one_line_and_loses_nothing(tmp_path, monkeypatch, capsys):
    import tensorflow as tf

    from keras_gans import cli

    save = tf.train.CheckpointManager.save

    def save_until_the_disk_is_full(manager, checkpoint_number=None, **kwargs):
        if checkpoint_number == 1:
            return save(manager, checkpoint_number=checkpoint_number, **kwargs)
        # What TensorFlow leaves when a write fails half-way.
        (Path(manager.directory) / f"ckpt-{checkpoint_number}_temp").mkdir()
        raise tf.errors.ResourceExhaustedError(None, None, "ckpt-2_temp/part-00000: No space left on device")

    monkeypatch.setattr(tf.train.CheckpointManager, "save", save_until_the_disk_is_full)
    out = tmp_path / "run"
    status = cli.main(["train", *TINY_RUN, "--epochs", "2", "--out", str(out)])
    error = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert error[-1] == (
        f"error: cannot write checkpoint 2 to {out / 'checkpoints'} (ckpt-2_temp/part-00000: No space "
        "left on device); the checkpoints before it are intact"
    )
    assert sorted(path.name for path in (out / "checkpoints").iterdir()) == [
        "checkpoint",
        "ckpt-1.data-00000-of-00001",
        "ckpt-1.index",
    ]
    # Once there is space again, the run resumes from epoch 1 and finishes.
    monkeypatch.undo()
    status = cli.main(["train", *TINY_RUN, "--epochs", "2", "--out", str(out), "--resume"])
    assert status == 0
    assert (out / "checkpoints" / "ckpt-2.index").is_file()
    assert (out / "generator" / "saved_model.pb").is_file()


# Without XLA, whose compile takes longer than these few steps.
TINY_RUN = [
    "vanilla",
    "--preset",
    "vanilla",
    "--no-xla",
    "--limit",
    "256",
    "--batch-size",
    "32",
    "--steps-per-epoch",
    "2",
    "--verbose",
    "0",
]


def test_a_full_disk_during_the_export_keeps_the_previous_one(tmp_path, monkeypatch, capsys):
    import tensorflow as tf

    from keras_gans import cli, export

    out = tmp_path / "run"
    assert cli.main(["train", *TINY_RUN, "--epochs", "1", "--out", str(out)]) == 0
    before = export.sample_exported_generator(out / "generator", n=4, seed=0)[0]

    def save_until_the_disk_is_full(obj, export_dir, *args, **kwargs):
        (Path(export_dir) / "variables").mkdir()  # what a write that fails half-way leaves
        raise tf.errors.ResourceExhaustedError(None, None, "saved_model.pb: No space left on device")

    # ExportArchive.write_out saves with tf.saved_model.save.
    monkeypatch.setattr(tf.saved_model, "save", save_until_the_disk_is_full)
    status = cli.main(["train", *TINY_RUN, "--epochs", "2", "--out", str(out), "--resume"])
    assert status == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"error: cannot write the generator export to {out / 'generator'} (saved_model.pb: No space left "
        "on device); the previous export is intact"
    )
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == []
    np.testing.assert_array_equal(export.sample_exported_generator(out / "generator", n=4, seed=0)[0], before)


def test_a_full_disk_during_a_grid_is_one_line_and_leaves_no_partial_png(tmp_path, monkeypatch, capsys):
    import errno

    from PIL import Image

    from keras_gans import cli

    def save_until_the_disk_is_full(picture, path, *args, **kwargs):
        Path(path).write_bytes(b"\x89PNG")  # the first bytes made it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", save_until_the_disk_is_full)
    out = tmp_path / "run"
    assert cli.main(["train", *TINY_RUN, "--epochs", "1", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: cannot write the image grid ") and error.endswith(" (No space left on device)")
    assert [path.name for path in out.rglob("*") if path.suffix in (".png", ".partial")] == []


@pytest.mark.parametrize("model", ["dcgan", "ebm"])
def test_bfloat16_runs_compute_in_bfloat16_and_export_float32(tmp_path, model):
    import keras

    from keras_gans import export

    result = training.train(
        quick_config(
            tmp_path / model,
            model=model,
            precision="mixed_bfloat16",
            export=model != "ebm",
            steps_per_epoch=2,
            # The EBM's grids check files, not pixels: a few Langevin steps do.
            **({"sample_steps": 8} if model == "ebm" else {}),
        )
    )
    # Building under the policy left the process's own policy alone.
    assert keras.config.dtype_policy().name == "float32"
    network = result.model.generator if model == "dcgan" else result.model.energy_network
    assert network.dtype_policy.name == "mixed_bfloat16"
    if model == "dcgan":  # the EMA generator, which is sampled and exported, too
        assert result.model.ema_generator.layers[-1].dtype_policy.name == "mixed_bfloat16"
    # Weights (and so optimizer state and checkpoints) stay float32.
    assert {weight.dtype for weight in network.weights} == {"float32"}
    assert all(np.isfinite(values[-1]) for values in result.history.values())
    if model == "ebm":
        assert result.model(np.zeros((2, 28, 28, 1), "float32")).dtype == "float32"
        # Chains as long as a full grid's stay finite in bfloat16.
        assert np.all(np.isfinite(result.model.generate(4, steps=512)))
        return
    generate, metadata = export.load_exported_generator(result.files["generator"])
    images = generate(np.zeros((3, metadata["latent_dim"]), "float32"))
    assert images.dtype == np.float32 and images.shape == (3, 28, 28, 1)
    assert np.all(np.abs(images) <= 1.0)


def test_replicated_runs_step_once_per_call_and_say_when_xla_is_turned_off(monkeypatch):
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda device_type=None: [])  # CPUs only
    one_replica = types.SimpleNamespace(num_replicas_in_sync=1)
    two_replicas = types.SimpleNamespace(num_replicas_in_sync=2)
    assert distribution.supported_execution(one_replica, 8, True) == (8, True)
    with pytest.warns(UserWarning, match=r"XLA \(jit_compile=True\) is turned off: with 2 replicas on CPUs"):
        assert distribution.supported_execution(two_replicas, 8, True) == (1, False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert distribution.supported_execution(two_replicas, 8, False) == (1, False)
