"""`SampleQuality`: sample-quality metrics logged during training."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from keras_gans import metrics
from keras_gans.checks import check_positive_int

DEFAULT_METRICS = (
    "frechet_distance",
    "classes_covered",
    "min_class_fraction",
    "class_kl",
    "mean_confidence",
)


class SampleQuality(keras.callbacks.Callback):
    """Scores generated samples every few epochs and adds them to the logs.

    The values land in `History` and, when this callback comes before
    `LossCurves`, in the loss-curve CSV, so quality and mode collapse can be
    watched next to the losses. Epochs without an evaluation log nothing.

    Args:
        classifier: the metrics classifier (`metrics.load_classifier()`) or
            a `metrics.FeatureExtractor`.
        real_images: real images `(n, 28, 28, 1)`, uint8 or in [-1, 1],
            typically the test split; their features are computed once.
        every_n_epochs: evaluate after every N-th epoch (and the last).
        num_samples: generated images per evaluation (2,000 keeps it at a
            few seconds on a CPU; Fréchet distances are only comparable at
            equal sample sizes).
        metric_names: keys of `metrics.evaluate_features` to log, plus
            `label_accuracy` for conditional GANs.
        seed: seed of the evaluation noise, the same at every evaluation.

    Example:

    ```python
    classifier = metrics.load_classifier()
    test_images, _ = data.load_arrays("mnist", split="test")
    quality = SampleQuality(classifier, test_images, every_n_epochs=2)
    history = gan.fit(dataset, epochs=10, callbacks=[quality])
    history.history["frechet_distance"]
    ```
    """

    def __init__(
        self,
        classifier,
        real_images: np.ndarray,
        every_n_epochs: int = 5,
        num_samples: int = 2000,
        metric_names: Sequence[str] = DEFAULT_METRICS,
        seed: int = 0,
    ):
        super().__init__()
        self.every_n_epochs = check_positive_int("every_n_epochs", every_n_epochs)
        if num_samples < 2:
            raise ValueError(f"num_samples must be >= 2, received num_samples={num_samples}")
        self.extractor = metrics.as_feature_extractor(classifier)
        self.real_images = real_images[:num_samples]
        self.num_samples = num_samples
        self.metric_names = tuple(metric_names)
        self.seed = seed

    def on_train_begin(self, logs=None):
        self._real_features, self._real_probabilities = self.extractor(self.real_images)
        self.results: dict[int, dict[str, float]] = {}

    def on_epoch_end(self, epoch, logs=None):
        last_epoch = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every_n_epochs and not last_epoch:
            return
        images, labels = metrics.generate_samples(self.model.sampling_generator, self.num_samples, seed=self.seed)
        fake_features, fake_probabilities = self.extractor(images)
        values = metrics.evaluate_features(
            self._real_features,
            self._real_probabilities,
            fake_features,
            fake_probabilities,
            kid_subsets=10,
            kid_subset_size=min(1000, self.num_samples),
            seed=self.seed,
        )
        selected = {name: float(values[name]) for name in self.metric_names if name in values}
        if labels is not None:
            selected["label_accuracy"] = float(np.mean(fake_probabilities.argmax(axis=1) == labels))
        self.results[epoch + 1] = selected
        if logs is not None:
            logs.update(selected)
