"""Tests for keras_gans.metrics: hand-computed metric values, a tiny real classifier, figures."""

import json
import math

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans import metrics
from keras_gans.data import load_arrays, normalize

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def classifier_dir(tmp_path_factory):
    """A tiny classifier (≈ 94 % test accuracy) trained for a few seconds and saved."""
    directory = tmp_path_factory.mktemp("classifier")
    metrics.train_classifier(
        epochs=2,
        batch_size=32,
        limit=5000,
        classifier=metrics.build_classifier(filters=(16, 32), feature_dim=64),
        out_dir=str(directory),
        verbose=0,
    )
    return directory


@pytest.fixture(scope="session")
def extractor(classifier_dir):
    return metrics.FeatureExtractor(metrics.load_classifier(directory=str(classifier_dir), train_if_missing=False))


@pytest.fixture(scope="session")
def test_images():
    images, labels = load_arrays("mnist", split="test", limit=4000)
    return normalize(images), labels


def tiny_generator(latent_dim=8, num_classes=None):
    """An untrained dense generator z (and one-hot labels) -> tanh images (n, 28, 28, 1)."""
    z = keras.Input((latent_dim,))
    inputs = [z]
    x = z
    if num_classes is not None:
        labels = keras.Input((num_classes,))
        inputs.append(labels)
        x = keras.layers.Concatenate()([z, labels])
    x = keras.layers.Dense(28 * 28, activation="tanh")(x)
    images = keras.layers.Reshape((28, 28, 1))(x)
    return keras.Model(inputs if num_classes else z, images)


def png_size(path):
    with Image.open(path) as image:
        return image.size


# ---------------------------------------------------------------- Fréchet distance


def test_frechet_distance_of_identical_sets_is_zero():
    features = np.random.default_rng(0).normal(size=(500, 32))
    assert abs(metrics.frechet_distance(features, features)) < 1e-6


def test_frechet_distance_diagonal_gaussians_closed_form():
    # Diagonal covariances commute: Tr(Σa + Σb - 2(ΣaΣb)^½) = Σ (√a - √b)².
    # ‖μa - μb‖² = 1 + 4 + 9 = 14; Σ(√a - √b)² = (1-2)² + (2-1)² + (3-4)² = 3.
    mu_a, mu_b = np.zeros(3), np.array([1.0, 2.0, 3.0])
    sigma_a, sigma_b = np.diag([1.0, 4.0, 9.0]), np.diag([4.0, 1.0, 16.0])
    assert metrics.frechet_distance_from_statistics(mu_a, sigma_a, mu_b, sigma_b) == pytest.approx(17.0, abs=1e-9)
    # A common rotation of both Gaussians changes nothing but makes Σ non-diagonal.
    rotation, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))
    rotated = metrics.frechet_distance_from_statistics(
        rotation @ mu_a, rotation @ sigma_a @ rotation.T, rotation @ mu_b, rotation @ sigma_b @ rotation.T
    )
    assert rotated == pytest.approx(17.0, abs=1e-6)


def test_frechet_distance_from_samples_approaches_closed_form_and_is_symmetric():
    rng = np.random.default_rng(2)
    # N(0, I) vs N(1, 4 I) in 4-D: 4·1² + 4·(1 - 2)² = 8.
    a = rng.normal(size=(20000, 4))
    b = 1.0 + 2.0 * rng.normal(size=(20000, 4))
    distance = metrics.frechet_distance(a, b)
    assert distance == pytest.approx(8.0, rel=0.03)
    assert metrics.frechet_distance(b, a) == pytest.approx(distance, rel=1e-9)


def test_frechet_distance_handles_rank_deficient_covariances():
    rng = np.random.default_rng(3)
    # Fewer samples than dimensions: both covariances are singular.
    distance = metrics.frechet_distance(rng.normal(size=(10, 64)), rng.normal(size=(10, 64)))
    assert np.isfinite(distance) and distance > 0
    # Constant (dead) features: zero rows and columns in Σ.
    features = rng.normal(size=(300, 16))
    features[:, :4] = 0.0
    # The matrix square root of a singular covariance is exact only to about
    # sqrt(machine epsilon) times its scale: the bound scales with the trace.
    assert abs(metrics.frechet_distance(features, features)) < 1e-6 * np.trace(np.cov(features, rowvar=False))
    shifted = features + np.r_[np.zeros(4), np.ones(12)]
    # Only the mean moves, by 1 in 12 coordinates: d² = 12 (+ O(eps) from the ridge).
    assert metrics.frechet_distance(features, shifted) == pytest.approx(12.0, abs=1e-4)


def test_frechet_distance_rejects_bad_input():
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="same feature_dim, received 8 and 9"):
        metrics.frechet_distance(rng.normal(size=(10, 8)), rng.normal(size=(10, 9)))
    with pytest.raises(ValueError, match="at least 2 samples, received 1"):
        metrics.frechet_distance(rng.normal(size=(1, 8)), rng.normal(size=(10, 8)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.frechet_distance(np.full((10, 8), np.nan), rng.normal(size=(10, 8)))
    with pytest.raises(ValueError, match=r"shape \(num_samples, feature_dim\)"):
        metrics.frechet_distance(rng.normal(size=(10,)), rng.normal(size=(10, 8)))
    with pytest.raises(ValueError, match="sigma_b must have shape"):
        metrics.frechet_distance_from_statistics(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))


# ---------------------------------------------------------------- kernel distance


def test_kernel_distance_unbiased_near_zero_for_one_distribution():
    rng = np.random.default_rng(5)
    kid = metrics.kernel_distance(rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16)), 50, 500, seed=0)
    assert kid.std > 0
    assert abs(kid.mean) < 3 * kid.std


def test_kernel_distance_positive_for_shifted_distribution():
    rng = np.random.default_rng(6)
    kid = metrics.kernel_distance(rng.normal(size=(2000, 16)), 0.5 + rng.normal(size=(2000, 16)), 50, 500)
    assert kid.mean > 10 * kid.std


def test_kernel_distance_hand_computed_single_subset():
    # d = 1, subset = whole sets x = {0, 1}, y = {2, 2}; k(a, b) = (ab + 1)³.
    # within x: 2·k(0, 1) / 2 = 1; within y: k(2, 2) = 125;
    # cross: mean of k(0, 2), k(0, 2), k(1, 2), k(1, 2) = (1 + 1 + 27 + 27) / 4 = 14.
    # MMD² = 1 + 125 - 28 = 98.
    kid = metrics.kernel_distance([[0.0], [1.0]], [[2.0], [2.0]], num_subsets=1, subset_size=2)
    assert kid.mean == pytest.approx(98.0)
    assert kid.std == 0.0


def test_kernel_distance_rejects_bad_arguments():
    features = np.zeros((10, 4))
    with pytest.raises(ValueError, match="subset_size must be >= 2, received subset_size=1"):
        metrics.kernel_distance(features, features, subset_size=1)
    with pytest.raises(ValueError, match="num_subsets must be >= 1"):
        metrics.kernel_distance(features, features, num_subsets=0)


# ---------------------------------------------------------------- classifier score


def test_classifier_score_confident_and_balanced_is_num_classes():
    probabilities = np.eye(10)[np.arange(1000) % 10]
    assert metrics.classifier_score(probabilities, splits=1).mean == pytest.approx(10.0)
    score = metrics.classifier_score(probabilities, splits=10)
    assert score.mean == pytest.approx(10.0)
    assert score.std == pytest.approx(0.0, abs=1e-9)


def test_classifier_score_identical_predictions_is_one():
    probabilities = np.tile([0.1, 0.6, 0.3], (50, 1))
    assert metrics.classifier_score(probabilities, splits=5).mean == pytest.approx(1.0)


def test_classifier_score_hand_computed():
    # Half the samples [1, 0], half [0.5, 0.5]: p(y) = [0.75, 0.25].
    # KL([1, 0] ‖ p) = log(4/3) = 0.287682
    # KL([.5, .5] ‖ p) = 0.5 log(2/3) + 0.5 log 2 = 0.143841
    # score = exp((0.287682 + 0.143841) / 2) = exp(0.215762) = 1.2408064788
    probabilities = np.array([[1.0, 0.0], [0.5, 0.5]] * 4)
    assert metrics.classifier_score(probabilities, splits=1).mean == pytest.approx(1.2408064788, rel=1e-6)


def test_classifier_score_rejects_logits_and_bad_splits():
    with pytest.raises(ValueError, match="sum to 1"):
        metrics.classifier_score(np.array([[2.0, 3.0]]), splits=1)
    with pytest.raises(ValueError, match="splits must be in"):
        metrics.classifier_score(np.eye(3), splits=4)


# ---------------------------------------------------------------- class histogram


def test_class_histogram_single_class_is_total_collapse():
    histogram = metrics.class_histogram(np.ones(200, dtype=int))
    assert histogram.classes_covered == 1
    assert histogram.kl_to_uniform == pytest.approx(math.log(10))
    np.testing.assert_array_equal(histogram.counts, [0, 200, 0, 0, 0, 0, 0, 0, 0, 0])
    assert math.isnan(histogram.mean_confidence)


def test_class_histogram_uniform_predictions():
    probabilities = np.full((1000, 10), 0.02)
    probabilities[np.arange(1000), np.arange(1000) % 10] = 0.82
    histogram = metrics.class_histogram(probabilities)
    assert histogram.classes_covered == 10
    assert histogram.kl_to_uniform == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(histogram.fractions, 0.1)
    assert histogram.mean_confidence == pytest.approx(0.82)


def test_class_histogram_ignores_stray_samples_below_min_fraction():
    # 995 "3"s and 5 "7"s: 0.5 % < the default 1 % threshold.
    labels = np.array([3] * 995 + [7] * 5)
    assert metrics.class_histogram(labels).classes_covered == 1
    assert metrics.class_histogram(labels, min_fraction=0.005).classes_covered == 2


def test_class_histogram_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), received range \[0, 12\]"):
        metrics.class_histogram(np.array([0, 12]))
    with pytest.raises(ValueError, match="integer labels"):
        metrics.class_histogram(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="expected num_classes=10"):
        metrics.class_histogram(np.eye(3))


# ---------------------------------------------------------------- k-NN metrics


def test_nearest_neighbours_matches_brute_force():
    rng = np.random.default_rng(7)
    queries, references = rng.normal(size=(30, 5)), rng.normal(size=(200, 5))
    indices, distances = metrics.nearest_neighbours(queries, references, k=4)
    brute = np.linalg.norm(queries[:, None] - references[None], axis=2)
    np.testing.assert_array_equal(indices, np.argsort(brute, axis=1)[:, :4])
    np.testing.assert_allclose(distances, np.sort(brute, axis=1)[:, :4], atol=1e-9)


def test_manifold_metrics_identical_sets():
    features = np.random.default_rng(8).normal(size=(500, 8))
    precision, recall = metrics.precision_recall(features, features, k=3)
    assert (precision, recall) == (1.0, 1.0)
    density, coverage = metrics.density_coverage(features, features, k=5)
    assert coverage == 1.0
    # Each real ball holds its centre and its k neighbours: (k + 1) / k.
    assert density == pytest.approx(6 / 5)


def test_ball_boundary_counts_as_inside_despite_round_off():
    # k = 1 radii of 0, 1, 3 on a line: 1, 1, 2. A fake at 1 + 1e-12 lies
    # (up to round-off, as a second matrix product might compute it) on the
    # boundary of the first ball, inside the second, on the boundary of the
    # third: all three balls hold it. A fake at 1.001 is clearly outside the first.
    real = np.array([[0.0], [1.0], [3.0]])
    density, coverage = metrics.density_coverage(real, np.array([[1.0 + 1e-12]]), k=1)
    assert (density, coverage) == (3.0, 1.0)
    density, coverage = metrics.density_coverage(real, np.array([[1.001]]), k=1)
    assert density == 2.0 and coverage == pytest.approx(2 / 3)


def test_manifold_metrics_disjoint_sets_are_zero():
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(300, 8)), 100.0 + rng.normal(size=(300, 8))
    assert tuple(metrics.precision_recall(real, fake)) == (0.0, 0.0)
    assert tuple(metrics.density_coverage(real, fake)) == (0.0, 0.0)


def test_density_is_near_one_for_one_distribution():
    rng = np.random.default_rng(10)
    density, coverage = metrics.density_coverage(rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4)))
    assert density == pytest.approx(1.0, abs=0.15)
    assert coverage > 0.9


def test_manifold_metrics_reject_too_few_samples():
    with pytest.raises(ValueError, match="at least 6 samples, received 5"):
        metrics.density_coverage(np.zeros((5, 2)), np.zeros((5, 2)), k=5)


# ---------------------------------------------------------------- interpolation


def test_lerp_endpoints_and_midpoint():
    z0, z1 = np.array([0.0, 2.0]), np.array([4.0, -2.0])
    path = metrics.lerp(z0, z1, np.linspace(0, 1, 5))
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path[0], z0)
    np.testing.assert_allclose(path[-1], z1)
    np.testing.assert_allclose(metrics.lerp(z0, z1, 0.5), [2.0, 0.0])


def test_slerp_endpoints_keeps_norm_and_follows_great_circle():
    rng = np.random.default_rng(11)
    z0 = rng.normal(size=64)
    z1 = rng.normal(size=64)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
    path = metrics.slerp(z0, z1, np.linspace(0, 1, 7))
    np.testing.assert_allclose(path[0], z0, atol=1e-12)
    np.testing.assert_allclose(path[-1], z1, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0))
    # Between orthogonal unit vectors the midpoint is (e1 + e2) / √2.
    np.testing.assert_allclose(metrics.slerp([1.0, 0.0], [0.0, 1.0], 0.5), [2**-0.5, 2**-0.5])
    # Linear interpolation cuts inside the sphere.
    assert np.linalg.norm(metrics.lerp(z0, z1, 0.5)) < np.linalg.norm(z0)


def test_slerp_rejects_opposite_vectors():
    with pytest.raises(ValueError, match="opposite directions"):
        metrics.slerp([1.0, 0.0], [-1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="same shape"):
        metrics.slerp([1.0, 0.0], [1.0, 0.0, 0.0], 0.5)


# ---------------------------------------------------------------- classifier and real features


def test_trained_classifier_saved_with_accuracy_report(classifier_dir):
    assert (classifier_dir / "classifier_mnist.keras").exists()
    report = metrics.classifier_report(directory=str(classifier_dir))
    assert report == json.loads((classifier_dir / "classifier_mnist.json").read_text())
    assert report["dataset"] == "mnist" and report["train_images_limit"] == 5000
    # A few seconds of training on 5,000 digits: far above chance (0.1).
    assert report["test_accuracy"] > 0.85


def test_classifier_path_names_datasets_and_paths():
    assert metrics.classifier_path("mnist", "models") == "models/classifier_mnist.keras"
    assert metrics.classifier_path("/data/my digits.npz", "models") == "models/classifier_my_digits.keras"


def test_load_classifier_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="classifier_mnist.keras"):
        metrics.load_classifier(directory=str(tmp_path), train_if_missing=False)


def test_pinned_classifier_is_the_default_and_reads_digits(test_images):
    images, labels = test_images
    classifier = metrics.load_classifier("mnist")
    predicted = classifier.predict(images[:2000], verbose=0).argmax(axis=1)
    # The shipped weights reach 0.9932 on the whole test split.
    assert np.mean(predicted == labels[:2000]) >= 0.99


def test_pinned_classifier_report_is_the_default(tmp_path, monkeypatch):
    # Tutorial 09 printed the accuracy of a classifier in saved_models/, which a
    # fresh clone does not have, while its metrics used the pinned one.
    monkeypatch.chdir(tmp_path)
    report = metrics.classifier_report("mnist")
    assert report["dataset"] == "mnist" and report["test_accuracy"] > 0.99
    with pytest.raises(FileNotFoundError, match="No classifier report at saved_models/classifier_digits.json"):
        metrics.classifier_report("digits")


def test_pinned_classifier_refuses_a_damaged_file(tmp_path, monkeypatch):
    from keras_gans.metrics import classifier as classifier_module

    shipped = classifier_module.PINNED_DIRECTORY / "classifier_mnist.weights.h5"
    damaged = bytearray(shipped.read_bytes())
    damaged[-1] ^= 0xFF
    (tmp_path / "classifier_mnist.weights.h5").write_bytes(bytes(damaged))
    monkeypatch.setattr(classifier_module, "PINNED_DIRECTORY", tmp_path)
    with pytest.raises(ValueError, match="has SHA-256 [0-9a-f]{64}, expected 7a834d72"):
        metrics.pinned_classifier("mnist")
    with pytest.raises(ValueError, match="no pinned classifier for dataset='fashion_mnist'; pinned: mnist"):
        metrics.pinned_classifier("fashion_mnist")


def test_build_classifier_shapes_and_feature_layer():
    model = metrics.build_classifier()
    assert model.output_shape == (None, 10)
    assert model.get_layer("features").output.shape[-1] == 128
    with pytest.raises(ValueError, match="feature_dim must be >= 1, received feature_dim=0"):
        metrics.build_classifier(feature_dim=0)


def test_feature_extractor_shapes_and_uint8_input(extractor):
    images, _ = load_arrays("mnist", split="test", limit=50)
    features, probabilities = extractor(images)
    assert features.shape == (50, 64) and probabilities.shape == (50, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(extractor(normalize(images))[0], features, atol=1e-5)
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\]"):
        extractor(normalize(images) * 3.0)
    with pytest.raises(ValueError, match=r"shape \(num_images, 28, 28, 1\)"):
        extractor(np.zeros((4, 28, 28)))
    with pytest.raises(ValueError, match="no layer named 'pool9'"):
        metrics.FeatureExtractor(extractor.classifier, feature_layer="pool9")


def test_real_test_set_covers_all_classes(extractor, test_images):
    histogram = metrics.class_histogram(extractor(test_images[0])[1])
    assert histogram.classes_covered == 10
    assert histogram.kl_to_uniform < 0.05
    assert metrics.classifier_score(extractor(test_images[0])[1]).mean > 7.0


def test_metrics_rank_real_below_noised_below_noise(extractor, test_images):
    images = test_images[0]
    reference, other_real = images[:2000], images[2000:]
    rng = np.random.default_rng(12)
    noised = np.clip(other_real + rng.normal(0.0, 0.3, other_real.shape), -1.0, 1.0).astype(np.float32)
    noise = rng.uniform(-1.0, 1.0, other_real.shape).astype(np.float32)

    reference_features = extractor(reference)[0]
    # Classifier features can have dead ReLU units (singular covariance): still 0.
    scale = max(1.0, np.trace(np.cov(reference_features, rowvar=False)))
    assert abs(metrics.frechet_distance(reference_features, reference_features)) < 1e-6 * scale
    distances, kids = [], []
    for candidate in (other_real, noised, noise):
        features = extractor(candidate)[0]
        distances.append(metrics.frechet_distance(reference_features, features))
        kids.append(metrics.kernel_distance(reference_features, features, num_subsets=20, subset_size=500).mean)
    assert distances[0] < distances[1] < distances[2]
    assert kids[0] < kids[1] < kids[2]


def test_evaluate_generator_and_reference_row(extractor, test_images):
    real = test_images[0][:400]
    options = dict(n=400, kid_subsets=5, kid_subset_size=200, score_splits=2)
    reference = metrics.reference_metrics(extractor, n=400, kid_subsets=5, kid_subset_size=200, score_splits=2)
    untrained = metrics.evaluate_generator(tiny_generator(), real, extractor, **options)
    conditional = metrics.evaluate_generator(tiny_generator(num_classes=10), real, extractor, **options)

    expected_keys = {
        "num_samples",
        "frechet_distance",
        "kid",
        "kid_std",
        "classifier_score",
        "classifier_score_std",
        "classes_covered",
        "min_class_fraction",
        "class_kl",
        "mean_confidence",
        "precision",
        "recall",
        "density",
        "coverage",
    }
    assert set(reference) == set(untrained) == expected_keys
    assert set(conditional) == expected_keys | {"label_accuracy"}
    assert 0.0 <= conditional["label_accuracy"] <= 1.0
    assert untrained["num_samples"] == 400
    assert reference["classes_covered"] == 10
    # 400 real digits: every class near its 10 % share.
    assert 0.05 < reference["min_class_fraction"] <= 0.1
    assert reference["frechet_distance"] < untrained["frechet_distance"]
    assert reference["kid"] < untrained["kid"]
    assert reference["coverage"] > untrained["coverage"]

    table = metrics.format_metrics_table({"real": reference, "untrained": untrained}, ["frechet_distance", "kid"])
    lines = table.splitlines()
    assert lines[0].split() == ["model", "frechet_distance", "kid"]
    assert len({len(line) for line in lines}) == 1  # aligned: every line equally long
    assert lines[2].startswith("real ") and f"{reference['frechet_distance']:.4g}" in lines[2]


def test_generate_samples_balanced_labels_and_range():
    images, labels = metrics.generate_samples(tiny_generator(num_classes=10), 30, seed=1)
    assert images.shape == (30, 28, 28, 1) and images.dtype == np.float32
    assert -1.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(labels), [3] * 10)
    again, _ = metrics.generate_samples(tiny_generator(num_classes=10), 30, seed=1)
    assert again.shape == images.shape


def test_format_metrics_table_missing_values_and_empty():
    table = metrics.format_metrics_table({"a": {"x": 1.0}, "b": {"y": 2}})
    assert table.splitlines()[2].split() == ["a", "1", "-"]
    with pytest.raises(ValueError, match="rows is empty"):
        metrics.format_metrics_table({})


# ---------------------------------------------------------------- figures


def test_plot_real_vs_fake_pixel_size(tmp_path, test_images):
    real = test_images[0][:8]
    fake = np.random.default_rng(13).uniform(-1, 1, real.shape).astype(np.float32)
    path = metrics.plot_real_vs_fake(real, fake, str(tmp_path / "figures" / "grid.png"), num_images=8, columns=4)
    # Each side 4 × 2 tiles: G_w = 30·4 + 2 = 122, G_h = 30·2 + 2 = 62; scale 2, 24-px title band.
    assert png_size(path) == ((2 * 122 + 8) * 2, 62 * 2 + 24)


def test_plot_class_histogram_pixel_size(tmp_path):
    path = metrics.plot_class_histogram(np.arange(100) % 10, str(tmp_path / "hist.png"), figsize=(5.0, 3.0))
    assert png_size(path) == (500, 300)


def test_plot_nearest_neighbours_finds_copies(tmp_path, test_images):
    train = test_images[0][:300]
    copies = train[[5, 17, 250]]
    figure = metrics.plot_nearest_neighbours(copies, train, str(tmp_path / "nn.png"), k=3, scale=1)
    np.testing.assert_array_equal(figure.indices[:, 0], [5, 17, 250])
    np.testing.assert_allclose(figure.distances[:, 0], 0.0, atol=1e-3)
    assert figure.distances.shape == (3, 3) and np.all(np.diff(figure.distances, axis=1) >= 0)
    # 4 tile columns + gap: 30·4 + 10 = 130 wide; 3 rows: 30·3 + 2 = 92 high + 24 title band.
    assert png_size(figure.path) == (130, 92 + 24)
    with pytest.raises(ValueError, match='space must be "pixel" or "feature"'):
        metrics.plot_nearest_neighbours(copies, train, str(tmp_path / "bad.png"), space="latent")


def test_plot_nearest_neighbours_in_feature_space(tmp_path, extractor, test_images):
    train = test_images[0][:300]
    figure = metrics.plot_nearest_neighbours(
        train[:2], train, str(tmp_path / "nn_feat.png"), k=2, space="feature", classifier=extractor
    )
    np.testing.assert_array_equal(figure.indices[:, 0], [0, 1])


def test_plot_latent_interpolation_pixel_size(tmp_path):
    path = metrics.plot_latent_interpolation(
        tiny_generator(num_classes=10), str(tmp_path / "interp.png"), num_rows=2, steps=5, scale=1
    )
    assert png_size(path) == (30 * 5 + 2, 30 * 2 + 2 + 24)
    with pytest.raises(ValueError, match="method must be"):
        metrics.plot_latent_interpolation(tiny_generator(), str(tmp_path / "x.png"), method="cubic")
