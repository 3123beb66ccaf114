"""Tests of the training callbacks: image grids, GIF, loss curves, NaN guard."""

import csv
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import fake_mnist, tiny_networks
from PIL import Image

from keras_gans import callbacks, gans

LATENT_DIM = 8
BATCH = 8
STEPS = 4  # batches per epoch of `fake_mnist(STEPS * BATCH)`


def tiny_gan(conditional=False, gan_class=gans.GAN, learning_rate=1e-3, steps_per_execution=1, **kwargs):
    gan = gan_class(*tiny_networks(conditional, latent_dim=LATENT_DIM), seed=0, **kwargs)
    gan.compile(
        d_optimizer=keras.optimizers.SGD(learning_rate),
        g_optimizer=keras.optimizers.SGD(learning_rate),
        steps_per_execution=steps_per_execution,
    )
    return gan


def fit(gan, callback_list, epochs=2, initial_epoch=0):
    images, labels = fake_mnist(STEPS * BATCH * gan.n_critic)
    return gan.fit(
        images,
        labels if gan.conditional else None,
        batch_size=BATCH * gan.n_critic,
        epochs=epochs,
        initial_epoch=initial_epoch,
        shuffle=False,
        callbacks=callback_list,
        verbose=0,
    )


def read_csv(path):
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    return rows


def pixels(path):
    return np.asarray(Image.open(path))


# --------------------------------------------------------------------------
# save_image_grid
# --------------------------------------------------------------------------


def test_grid_shape_defaults_to_nearly_square():
    assert callbacks.grid_shape(64) == (8, 8)
    assert callbacks.grid_shape(10) == (3, 4)
    assert callbacks.grid_shape(10, nrows=2) == (2, 5)
    assert callbacks.grid_shape(10, ncols=3) == (4, 3)
    with pytest.raises(ValueError, match="holds 4 images, received 5"):
        callbacks.grid_shape(5, nrows=2, ncols=2)


def test_save_image_grid_pixel_size_and_values(tmp_path):
    # Three images: all black (-1), all white (+1), one mid value; 2x2 grid.
    images = np.stack([np.full((28, 28, 1), v, np.float32) for v in (-1.0, 1.0, 0.2)])
    path = callbacks.save_image_grid(images, tmp_path / "sub" / "grid.png", nrows=2, padding=3, scale=2)
    picture = Image.open(path)
    # width = 2 * 28 * 2 + 3 * 3 = 121, height the same.
    assert picture.size == (121, 121)
    assert picture.mode == "L"
    grid = np.asarray(picture)
    tile = 56
    assert np.all(grid[3 : 3 + tile, 3 : 3 + tile] == 0)
    assert np.all(grid[3 : 3 + tile, 62 : 62 + tile] == 255)
    assert np.all(grid[62 : 62 + tile, 3 : 3 + tile] == round(1.2 * 127.5))  # 153
    # Padding and the empty fourth cell are mid-grey: round(127.5) = 128.
    assert np.all(grid[:3] == 128)
    assert np.all(grid[62 : 62 + tile, 62 : 62 + tile] == 128)


def test_save_image_grid_matches_formula_for_default_arguments(tmp_path):
    images = np.zeros((100, 28, 28, 1), np.uint8)
    path = callbacks.save_image_grid(images, tmp_path / "grid.png")
    height, width = callbacks.grid_pixel_size((28, 28), 10, 10)
    assert (height, width) == (582, 582)
    assert Image.open(path).size == (width, height)


def test_save_image_grid_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"received shape \(28, 28\)"):
        callbacks.save_image_grid(np.zeros((28, 28)), tmp_path / "a.png")
    images = np.zeros((2, 28, 28, 1), np.float32)
    images[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        callbacks.save_image_grid(images, tmp_path / "b.png")
    with pytest.raises(ValueError, match="scale must be an integer >= 1, received scale=0"):
        callbacks.save_image_grid(np.zeros((2, 28, 28, 1)), tmp_path / "c.png", scale=0)


# --------------------------------------------------------------------------
# ImageGrid, SampleGrid, TensorBoardImages
# --------------------------------------------------------------------------


def test_image_grid_writes_a_grid_per_epoch_and_a_gif(tmp_path):
    gan = tiny_gan(learning_rate=1.0)  # a step large enough to change many pixels
    grid = callbacks.ImageGrid(tmp_path / "images", num_samples=16, gif=True)
    fit(gan, [grid], epochs=2)
    paths = [tmp_path / "images" / "epoch_001.png", tmp_path / "images" / "epoch_002.png"]
    assert grid.saved_paths == paths
    height, width = callbacks.grid_pixel_size((28, 28), 4, 4)  # 4 * 56 + 5 * 2 = 234
    for path in paths:
        assert Image.open(path).size == (width, height) == (234, 234)
    # Training changed the weights, so the two frames differ and both stay.
    assert not np.array_equal(pixels(paths[0]), pixels(paths[1]))
    gif = Image.open(tmp_path / "images" / "progress.gif")
    assert gif.n_frames == 2
    # The last grid shows the final generator on the fixed noise.
    expected = callbacks.make_image_grid(gan.sampling_generator(grid.noise.z).numpy(), 4, 4)
    np.testing.assert_array_equal(pixels(paths[1]), expected[..., 0])


def test_image_grid_uses_fixed_noise(tmp_path):
    # With a learning rate of 0 the weights never change: the grids of both
    # epochs (and of a second fit) must be identical.
    gan = tiny_gan(learning_rate=0.0)
    fit(gan, [callbacks.ImageGrid(tmp_path / "a")], epochs=2)
    fit(gan, [callbacks.ImageGrid(tmp_path / "b")], epochs=1)
    first = pixels(tmp_path / "a" / "epoch_001.png")
    np.testing.assert_array_equal(first, pixels(tmp_path / "a" / "epoch_002.png"))
    np.testing.assert_array_equal(first, pixels(tmp_path / "b" / "epoch_001.png"))
    # Another seed draws other noise.
    fit(gan, [callbacks.ImageGrid(tmp_path / "c", seed=5)], epochs=1)
    assert not np.array_equal(first, pixels(tmp_path / "c" / "epoch_001.png"))


class NegateEmaOutput(keras.callbacks.Callback):
    """Sets the EMA generator to the raw one with its output layer negated.

    tanh is odd, so the averaged generator then draws exactly the negatives
    of the raw generator's images: the two differ by a known, large amount
    whatever training did (a short run's average follows recent weights and
    can agree with them on most pixels).
    """

    def on_epoch_end(self, epoch, logs=None):
        self.model.ema_generator.set_weights(self.model.generator.get_weights())
        output_layer = self.model.ema_generator.get_layer("to_pixels")
        output_layer.set_weights([-weight for weight in output_layer.get_weights()])


def test_image_grid_uses_the_ema_generator(tmp_path):
    gan = tiny_gan(ema_decay=0.99)
    grid = callbacks.ImageGrid(tmp_path, num_samples=4)
    fit(gan, [NegateEmaOutput(), grid], epochs=1)  # callbacks run in list order
    raw_images = gan.generator(grid.noise.z).numpy()
    ema_images = gan.ema_generator(grid.noise.z).numpy()
    np.testing.assert_allclose(ema_images, -raw_images, atol=1e-6)
    ema_grid = callbacks.make_image_grid(ema_images, 2, 2)
    raw_grid = callbacks.make_image_grid(raw_images, 2, 2)
    assert np.mean(ema_grid != raw_grid) > 0.5
    np.testing.assert_array_equal(pixels(tmp_path / "epoch_001.png"), ema_grid[..., 0])


def test_image_grid_every_n_epochs_keeps_the_last_epoch(tmp_path):
    gan = tiny_gan()
    grid = callbacks.ImageGrid(tmp_path, every_n_epochs=2, num_samples=4, gif=True, filename="e{epoch}.png")
    fit(gan, [grid], epochs=3)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["e2.png", "e3.png"]
    assert Image.open(tmp_path / "progress.gif").n_frames == 2


def test_conditional_grids_have_one_row_per_class(tmp_path):
    gan = tiny_gan(conditional=True)
    grid = callbacks.ImageGrid(tmp_path / "images", num_samples=30)
    final = callbacks.SampleGrid(tmp_path)
    fit(gan, [grid, final], epochs=1)
    assert (grid.noise.nrows, grid.noise.ncols) == (10, 3)
    np.testing.assert_array_equal(grid.noise.labels, np.repeat(np.arange(10), 3))
    height, width = callbacks.grid_pixel_size((28, 28), 10, 3)
    assert Image.open(tmp_path / "images" / "epoch_001.png").size == (width, height)
    # Row r of the picture is class r: compare with the generator's own images.
    one_hot = tf.one_hot(grid.noise.labels, 10)
    images = gan.sampling_generator([tf.constant(grid.noise.z), one_hot]).numpy()
    expected = callbacks.make_image_grid(images, 10, 3)
    np.testing.assert_array_equal(pixels(tmp_path / "images" / "epoch_001.png"), expected[..., 0])
    assert Image.open(final.path).size == (582, 582)
    assert final.path == tmp_path / "samples_10x10.png"


def test_sample_grid_writes_10x10_at_train_end(tmp_path):
    gan = tiny_gan()
    fit(gan, [callbacks.SampleGrid(tmp_path)], epochs=1)
    picture = Image.open(tmp_path / "samples_10x10.png")
    assert picture.size == (582, 582)
    # 100 different latent points: the 100 tiles are not all the same.
    grid = np.asarray(picture)
    assert not np.array_equal(grid[2:58, 2:58], grid[2:58, 60:116])


def test_grid_noise_falls_back_to_generate_without_latent_dim():
    class NoLatentModel:
        """Stands in for the energy-based model: only `generate(n)`."""

        def generate(self, n):
            return np.full((n, 28, 28, 1), 0.5, np.float32)

    noise = callbacks.GridNoise.draw(NoLatentModel(), num_samples=6, seed=0)
    assert (noise.nrows, noise.ncols, noise.z, noise.labels) == (2, 3, None, None)
    assert noise.generate(NoLatentModel()).shape == (6, 28, 28, 1)


def test_tensorboard_images_logs_one_image_per_epoch(tmp_path):
    gan = tiny_gan()
    fit(gan, [callbacks.TensorBoardImages(tmp_path, num_samples=4)], epochs=2)
    steps = []
    for event_file in (tmp_path / "samples").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                assert (value.tag, value.metadata.plugin_data.plugin_name) == ("samples", "images")
                width, height, png = value.tensor.string_val
                picture = tf.io.decode_png(png).numpy()
                assert picture.shape == (int(height), int(width), 1) == (2 * 28 + 3 * 2,) * 2 + (1,)
                steps.append(event.step)
    assert sorted(steps) == [1, 2]


# --------------------------------------------------------------------------
# LossCurves
# --------------------------------------------------------------------------


def test_loss_curves_csv_matches_history(tmp_path):
    gan = tiny_gan(gan_class=gans.WGANGP, n_critic=2)
    history = fit(gan, [callbacks.LossCurves(tmp_path)], epochs=2)
    rows = read_csv(tmp_path / "loss_curves.csv")
    assert list(rows[0]) == ["epoch", "d_loss", "g_loss", "real_score", "fake_score", "gradient_penalty"]
    assert [row["epoch"] for row in rows] == ["1", "2"]
    for name, values in history.history.items():
        logged = [float(row[name]) for row in rows]
        assert all(math.isfinite(v) for v in logged)
        np.testing.assert_allclose(logged, values, rtol=1e-6)
    assert Image.open(tmp_path / "loss_curves.png").size[0] > 100
    curves = callbacks.read_loss_curves(tmp_path / "loss_curves.csv")
    assert curves["epoch"] == [1.0, 2.0]


def test_loss_curves_per_step_with_steps_per_execution(tmp_path):
    # Same seeds, same data: steps_per_execution only changes how often the
    # hooks fire, so the 2-step rows must average the 1-step rows.
    runs = {}
    for steps_per_execution in (1, 2):
        keras.utils.set_random_seed(0)
        gan = tiny_gan(steps_per_execution=steps_per_execution)
        out_dir = tmp_path / f"spe{steps_per_execution}"
        history = fit(gan, [callbacks.LossCurves(out_dir, per_step=True, smoothing=0.5)], epochs=2)
        runs[steps_per_execution] = (read_csv(out_dir / "loss_curves_steps.csv"), history.history)

    single, single_history = runs[1]
    paired, paired_history = runs[2]
    assert [int(float(row["step"])) for row in single] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [int(float(row["step"])) for row in paired] == [2, 4, 6, 8]
    assert [int(float(row["epoch"])) for row in paired] == [1, 1, 2, 2]
    d_single = np.array([float(row["d_loss"]) for row in single])
    d_paired = np.array([float(row["d_loss"]) for row in paired])
    np.testing.assert_allclose(d_paired, d_single.reshape(4, 2).mean(axis=1), rtol=1e-4)
    # Per-step values average to the epoch means that Keras reports.
    np.testing.assert_allclose(d_paired.reshape(2, 2).mean(axis=1), paired_history["d_loss"], rtol=1e-4)
    # Bias-corrected EMA with smoothing 0.5, feeding each value once per step:
    # after steps 1-2 with values x1, x2: (0.25 x1 + 0.5 x2) / (1 - 0.25).
    x1, x2 = d_single[:2]
    np.testing.assert_allclose(float(single[1]["d_loss_smooth"]), (0.25 * x1 + 0.5 * x2) / 0.75, rtol=1e-6)
    # Rows of 2 steps feed their mean m twice: s <- 0.25 s + 0.75 m. After
    # steps 1-2 the bias correction gives back m1 exactly; after steps 3-4
    # (0.25 * 0.75 m1 + 0.75 m2) / (1 - 0.5 ** 4).
    m1, m2 = d_paired[:2]
    np.testing.assert_allclose(float(paired[0]["d_loss_smooth"]), m1, rtol=1e-6)
    np.testing.assert_allclose(float(paired[1]["d_loss_smooth"]), (0.1875 * m1 + 0.75 * m2) / 0.9375, rtol=1e-6)


def test_loss_curves_resume_appends_new_rows_only(tmp_path):
    gan = tiny_gan()
    fit(gan, [callbacks.LossCurves(tmp_path, per_step=True)], epochs=2)
    before = read_csv(tmp_path / "loss_curves.csv")
    steps_before = read_csv(tmp_path / "loss_curves_steps.csv")
    fit(gan, [callbacks.LossCurves(tmp_path, per_step=True)], epochs=3, initial_epoch=2)
    after = read_csv(tmp_path / "loss_curves.csv")
    assert [float(row["epoch"]) for row in after] == [1, 2, 3]
    assert after[:2] == before
    steps_after = read_csv(tmp_path / "loss_curves_steps.csv")
    assert steps_after[: len(steps_before)] == steps_before
    assert [float(row["step"]) for row in steps_after[-STEPS:]] == [9, 10, 11, 12]
    # A fresh run (initial_epoch 0) starts the file again.
    fit(gan, [callbacks.LossCurves(tmp_path)], epochs=1)
    assert [float(row["epoch"]) for row in read_csv(tmp_path / "loss_curves.csv")] == [1]


def test_loss_curves_resume_drops_rows_past_the_checkpoint(tmp_path):
    # A crashed run logged epochs 1-3 but its last checkpoint is epoch 2.
    gan = tiny_gan()
    fit(gan, [callbacks.LossCurves(tmp_path)], epochs=3)
    fit(gan, [callbacks.LossCurves(tmp_path)], epochs=4, initial_epoch=2)
    assert [float(row["epoch"]) for row in read_csv(tmp_path / "loss_curves.csv")] == [1, 2, 3, 4]


def test_loss_curves_records_metrics_added_by_earlier_callbacks(tmp_path):
    class AddScore(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                logs["frechet_distance"] = 12.5

    gan = tiny_gan()
    fit(gan, [AddScore(), callbacks.LossCurves(tmp_path)], epochs=2)
    rows = read_csv(tmp_path / "loss_curves.csv")
    assert rows[0]["frechet_distance"] == ""
    assert float(rows[1]["frechet_distance"]) == 12.5


def test_loss_curves_rejects_bad_smoothing(tmp_path):
    with pytest.raises(ValueError, match="received smoothing=1.0"):
        callbacks.LossCurves(tmp_path, smoothing=1.0)


# --------------------------------------------------------------------------
# StopOnNonFinite
# --------------------------------------------------------------------------


class PoisonDiscriminator(keras.callbacks.Callback):
    """Sets the discriminator's weights to NaN before one batch."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch = epoch, batch
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self._current_epoch, batch) == (self.epoch, self.batch):
            for weight in self.model.discriminator.weights:
                weight.assign(tf.fill(weight.shape, float("nan")))


def test_stop_on_non_finite_names_metric_epoch_and_batch(tmp_path):
    gan = tiny_gan()
    export = callbacks.ExportGenerator(tmp_path / "generator")
    guard_and_curves = [
        callbacks.StopOnNonFinite(),
        PoisonDiscriminator(epoch=1, batch=2),
        callbacks.LossCurves(tmp_path),
        export,
    ]
    with pytest.raises(callbacks.NonFiniteLossError, match=r"d_loss became nan at epoch 2, batch 3; "):
        fit(gan, guard_and_curves, epochs=3)
    assert issubclass(callbacks.NonFiniteLossError, FloatingPointError)
    # The finished epoch is on disk; nothing was exported.
    assert [float(row["epoch"]) for row in read_csv(tmp_path / "loss_curves.csv")] == [1]
    assert not (tmp_path / "generator").exists()


def test_stop_on_non_finite_with_steps_per_execution():
    gan = tiny_gan(steps_per_execution=2)
    guard = [callbacks.StopOnNonFinite(monitor=["g_loss"]), PoisonDiscriminator(epoch=0, batch=2)]
    with pytest.raises(FloatingPointError, match=r"g_loss became nan at epoch 1, batches 3-4"):
        fit(gan, guard, epochs=1)


def test_stop_on_non_finite_lets_finite_training_finish():
    gan = tiny_gan()
    history = fit(gan, [callbacks.StopOnNonFinite()], epochs=2)
    assert len(history.history["d_loss"]) == 2


# --------------------------------------------------------------------------
# SampleQuality
# --------------------------------------------------------------------------


def test_sample_quality_logs_metrics_into_history_and_csv(tmp_path):
    from keras_gans import metrics

    # An untrained classifier gives arbitrary but well-defined features.
    classifier = metrics.build_classifier()
    real_images, _ = fake_mnist(64, seed=1)
    quality = callbacks.SampleQuality(classifier, real_images, every_n_epochs=2, num_samples=32)
    gan = tiny_gan(conditional=True)
    history = fit(gan, [quality, callbacks.LossCurves(tmp_path)], epochs=3)

    # Evaluated after epoch 2 and after the last epoch (3).
    assert sorted(quality.results) == [2, 3]
    for values in quality.results.values():
        assert set(values) == {
            "frechet_distance",
            "classes_covered",
            "min_class_fraction",
            "class_kl",
            "mean_confidence",
            "label_accuracy",
        }
        assert all(math.isfinite(v) for v in values.values())
        assert 0.0 <= values["label_accuracy"] <= 1.0
    assert history.history["frechet_distance"] == [
        quality.results[2]["frechet_distance"],
        quality.results[3]["frechet_distance"],
    ]
    rows = read_csv(tmp_path / "loss_curves.csv")
    assert [row["frechet_distance"] != "" for row in rows] == [False, True, True]


def test_sample_quality_rejects_bad_arguments():
    from keras_gans import metrics

    classifier = metrics.build_classifier()
    real_images, _ = fake_mnist(8)
    with pytest.raises(ValueError, match="received every_n_epochs=0"):
        callbacks.SampleQuality(classifier, real_images, every_n_epochs=0)
    with pytest.raises(ValueError, match="received num_samples=1"):
        callbacks.SampleQuality(classifier, real_images, num_samples=1)
