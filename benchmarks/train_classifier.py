"""Train the metrics classifier and time the metrics on 10,000 real images.

Trains `keras_gans.metrics.train_classifier` (saved to
saved_models/classifier_<dataset>.keras with a JSON accuracy report), prints
its test accuracy and wall time, then computes the reference row (random
training images vs the test split) and prints the seconds each metric takes
at that size.

    python benchmarks/train_classifier.py [--dataset mnist] [--epochs 5] [--n 10000]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import metrics  # noqa: E402
from keras_gans.data import load_arrays  # noqa: E402


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out-dir", default="saved_models")
    parser.add_argument("--n", type=int, default=10000, help="images per set for the metric timings")
    args = parser.parse_args()
    print(describe_machine(), flush=True)

    start = time.perf_counter()
    classifier = metrics.train_classifier(dataset=args.dataset, epochs=args.epochs, out_dir=args.out_dir)
    train_seconds = time.perf_counter() - start
    path = metrics.classifier_path(args.dataset, args.out_dir)
    with open(os.path.splitext(path)[0] + ".json") as file:
        print(f"\n{path}: {file.read()}")
    print(f"train_classifier wall time: {train_seconds:.1f} s\n")

    print(f"metric timings, {args.n:,} training vs {args.n:,} test images:")
    extractor = metrics.FeatureExtractor(classifier)
    train_images, _ = load_arrays(args.dataset, split="train", limit=args.n)
    test_images, _ = load_arrays(args.dataset, split="test", limit=args.n)
    real_features, real_probabilities = timed("features of the test images", extractor, test_images)
    fake_features, fake_probabilities = timed("features of the training images", extractor, train_images)
    timed("frechet_distance", metrics.frechet_distance, real_features, fake_features)
    timed("kernel_distance (100 × 1000)", metrics.kernel_distance, real_features, fake_features)
    timed("classifier_score", metrics.classifier_score, fake_probabilities)
    timed("precision_recall (k=3)", metrics.precision_recall, real_features, fake_features)
    timed("density_coverage (k=5)", metrics.density_coverage, real_features, fake_features)
    reference = timed(
        "reference_metrics (all of them)", metrics.reference_metrics, extractor, dataset=args.dataset, n=args.n
    )
    print()
    print(metrics.format_metrics_table({"real (train vs test)": reference}))


if __name__ == "__main__":
    main()
