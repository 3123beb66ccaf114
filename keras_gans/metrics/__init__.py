"""Sample-quality metrics and diagnostics for generators of 28×28 digits.

- `classifier`: the MNIST classifier whose features/probabilities all metrics
  use (and why it replaces Inception-v3), `FeatureExtractor`.
- `distances`: Fréchet distance (FID formula) and kernel distance (KID).
- `scores`: classifier score (Inception Score formula), class histogram.
- `manifold`: precision/recall and density/coverage from k-NN balls.
- `evaluation`: everything at once, the real-data reference row, a table.
- `diagnostics`: comparison grids, class histogram, nearest training
  neighbours, latent interpolation (`slerp`, `lerp`).
"""

from keras_gans.metrics.classifier import (
    FeatureExtractor,
    as_feature_extractor,
    build_classifier,
    check_images,
    classifier_path,
    classifier_report,
    load_classifier,
    pinned_classifier,
    train_classifier,
)
from keras_gans.metrics.diagnostics import (
    NeighbourFigure,
    lerp,
    plot_class_histogram,
    plot_latent_interpolation,
    plot_nearest_neighbours,
    plot_real_vs_fake,
    slerp,
)
from keras_gans.metrics.distances import (
    KernelDistance,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    kernel_distance,
)
from keras_gans.metrics.evaluation import (
    evaluate_exported_generator,
    evaluate_features,
    evaluate_generator,
    format_metrics_table,
    generate_samples,
    reference_metrics,
)
from keras_gans.metrics.manifold import (
    DensityCoverage,
    PrecisionRecall,
    density_coverage,
    nearest_neighbours,
    precision_recall,
)
from keras_gans.metrics.scores import ClassHistogram, ClassifierScore, class_histogram, classifier_score

__all__ = [
    "ClassHistogram",
    "ClassifierScore",
    "DensityCoverage",
    "FeatureExtractor",
    "as_feature_extractor",
    "KernelDistance",
    "NeighbourFigure",
    "PrecisionRecall",
    "build_classifier",
    "check_images",
    "class_histogram",
    "classifier_path",
    "classifier_report",
    "classifier_score",
    "density_coverage",
    "evaluate_features",
    "evaluate_exported_generator",
    "evaluate_generator",
    "feature_statistics",
    "format_metrics_table",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "generate_samples",
    "kernel_distance",
    "lerp",
    "load_classifier",
    "pinned_classifier",
    "nearest_neighbours",
    "plot_class_histogram",
    "plot_latent_interpolation",
    "plot_nearest_neighbours",
    "plot_real_vs_fake",
    "precision_recall",
    "reference_metrics",
    "slerp",
    "train_classifier",
]
