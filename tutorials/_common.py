"""The little the numbered tutorials share: command line, output folder, metrics classifier.

Import it before Keras: it quiets TensorFlow's C++ start-up logs and
imports keras_gans first, which picks the TensorFlow backend and turns on
oneDNN's CPU kernels (keras_gans/__init__.py).
"""

import argparse
import ast
import inspect
import os
import textwrap
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
_STARTED = time.perf_counter()

import keras_gans  # noqa: E402, F401, I001  (before Keras: its backend and oneDNN settings)
import keras  # noqa: E402

SAVED_MODELS = Path(__file__).resolve().parents[1] / "saved_models"


def parser(script: str, epochs: int) -> argparse.ArgumentParser:
    """`--quick`, `--epochs`, `--out`, `--seed`; a tutorial may add its own flags."""
    name = Path(script).stem
    parser = argparse.ArgumentParser(description=f"keras_gans tutorial {name}")
    parser.add_argument("--quick", action="store_true", help="a tiny run of a few seconds")
    parser.add_argument("--epochs", type=int, help=f"training epochs (default {epochs}, 1 with --quick)")
    parser.add_argument("--out", type=Path, default=Path("tutorial_outputs") / name, help="output folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(full_epochs=epochs)
    return parser


def start(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parses the flags, seeds every random generator, creates the output folder."""
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = 1 if args.quick else args.full_epochs
    if args.epochs < 1:
        parser.error(f"--epochs must be >= 1, received {args.epochs}")
    keras.utils.set_random_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Writing to {args.out}/" + ("  (--quick: a tiny run, numbers mean little)" if args.quick else ""))
    return args


def finish(args: argparse.Namespace, files: list) -> None:
    """Checks and lists the files the tutorial promised (paths inside `args.out`)."""
    missing = [str(name) for name in files if not (args.out / name).exists()]
    if missing:
        raise FileNotFoundError(f"the tutorial did not write {missing} in {args.out}")
    print(f"\nDone in {time.perf_counter() - _STARTED:.0f} s (imports included). Files in {args.out}/:")
    for name in files:
        print(f"  {name}")


def show_source(function) -> None:
    """Prints a function's code without its docstring."""
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    first = ast.parse("\n".join(lines)).body[0].body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        del lines[first.lineno - 1 : first.end_lineno]
    print("\n".join(lines) + "\n")


def metrics_classifier(quick: bool, dataset: str = "mnist") -> keras.Model:
    """The classifier behind the sample-quality metrics.

    Normally the package's pinned MNIST classifier (for other datasets the
    cached `saved_models/classifier_<dataset>.keras`, trained on first use in
    2-3 minutes). With `--quick` a tiny one trained for
    seconds on 2,000 images: enough to run the code, not to trust the numbers.
    """
    from keras_gans import metrics

    if quick:
        tiny = metrics.build_classifier(filters=(8, 16), feature_dim=32)
        return metrics.train_classifier(dataset, epochs=1, limit=2000, out_dir=None, classifier=tiny, verbose=0)
    return metrics.load_classifier(dataset)
