"""The command line: `python -m keras_gans COMMAND ...`.

Thin by design: each command parses its flags, builds a config and calls the
package. Errors a user can fix (unknown model, missing data, bad values)
print one line and exit with status 2; nothing prints a traceback for them.

    python -m keras_gans train [MODEL] [--epochs N] [--dataset NAME] ...
    python -m keras_gans sample SAVED_MODEL --n 100 --out grid.png [--label 7]
    python -m keras_gans params MODEL --latent-dim 96 192 256
    python -m keras_gans data [--dataset NAME]
    python -m keras_gans train-classifier [--dataset mnist]
    python -m keras_gans evaluate SAVED_MODEL [--n 10000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from keras_gans.config import PRECISIONS, RECIPES, STRATEGIES, TrainConfig


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, received {value}")
    return value


# A grid of 10,000 digits is a 2,800 x 2,800 PNG; far larger requests
# would exhaust memory before anything is drawn.
MAX_GRID_SAMPLES = 10_000


def _grid_size(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_GRID_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be <= {MAX_GRID_SAMPLES:,} for one grid, received {value:,}")
    return value


def _add_train_parser(commands) -> None:
    # Every default and every value check lives in TrainConfig: a flag that
    # is not given is left out (SUPPRESS), and TrainConfig fills it in.
    defaults = TrainConfig()
    parser = commands.add_parser(
        "train",
        help=f"train a GAN; with no arguments, the {defaults.model} recipe on the bundled MNIST",
        description="Train a model and write grids, loss curves, checkpoints and the exported generator.",
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument(
        "model",
        nargs="?",
        # argparse checks an optional positional's default against its
        # choices, so this one default is given (read from TrainConfig).
        default=defaults.model,
        choices=list(RECIPES),
        help=f"model and objective, or the energy-based model (default: {defaults.model})",
    )
    parser.add_argument(
        "--dataset",
        help=f"{defaults.dataset} (bundled; the default), fashion_mnist, a TFDS name, an IDX folder, an .npz file "
        "or an image folder",
    )
    parser.add_argument(
        "--preset",
        help="architecture to train the model's objective on, e.g. dcgan or wgan_gp (default: the recipe's)",
    )
    parser.add_argument("--epochs", type=int, help="default: the model's recipe")
    parser.add_argument("--batch-size", type=int, help="real images per discriminator update (default: the recipe's)")
    parser.add_argument("--latent-dim", type=int, help="size of z (default: the preset's)")
    parser.add_argument("--lr", type=float, help="learning rate of both networks (default: the recipe's)")
    recipe_n_critic = ", ".join(f"{name}: {recipe.n_critic}" for name, recipe in RECIPES.items() if recipe.n_critic)
    parser.add_argument(
        "--n-critic", type=int, help=f"critic updates per generator update (default: the recipe's; {recipe_n_critic})"
    )
    parser.add_argument(
        "--r1",
        type=float,
        dest="r1_weight",
        metavar="GAMMA",
        help="weight of the R1 penalty on real images; 0 turns the recipe's off",
    )
    parser.add_argument(
        "--xla",
        action=argparse.BooleanOptionalAction,
        dest="jit_compile",
        help="XLA-compile the train step (default: the recipe's choice)",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help=f"mixed_bfloat16 computes in bfloat16 and keeps float32 weights (default: {defaults.precision})",
    )
    parser.add_argument(
        "--sample-steps",
        type=int,
        metavar="N",
        help="ebm only: Langevin steps of its grids, saved in ebm.keras as generate's default "
        "(default: 512; fewer are faster and rougher)",
    )
    parser.add_argument(
        "--ema", type=float, dest="ema_decay", help="sample from an EMA generator, e.g. 0.999; 0 turns the recipe's off"
    )
    parser.add_argument("--seed", type=int, help=f"seeds weights, noise and data order (default: {defaults.seed})")
    parser.add_argument("--out", help="run folder (default: saved_models/MODEL, numbered if it exists)")
    parser.add_argument(
        "--no-export", dest="export", action="store_false", help="do not write the SavedModel generator"
    )
    parser.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the run folder instead of numbering a new one"
    )
    parser.add_argument("--limit", type=int, help="use only the first N training images")
    parser.add_argument("--steps-per-epoch", type=int, help="default: one pass over the data")
    parser.add_argument("--strategy", choices=STRATEGIES, help=f"default: {defaults.strategy}")
    parser.add_argument("--tensorboard", metavar="DIR", help="also log metrics and sample grids for TensorBoard")
    parser.add_argument(
        "--evaluate-every",
        type=int,
        metavar="N",
        help="log sample-quality metrics every N epochs (with the shipped MNIST classifier; "
        f"for other datasets trains one once if missing; default: {defaults.evaluate_every}, never)",
    )
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), help=f"default: {defaults.verbose}")
    parser.set_defaults(run=_run_train)


def _add_sample_parser(commands) -> None:
    parser = commands.add_parser("sample", help="draw a grid of images from an exported generator")
    parser.add_argument("saved_model", help="folder written by train (RUN/generator)")
    parser.add_argument(
        "--n", type=_grid_size, default=100, help=f"number of images, at most {MAX_GRID_SAMPLES:,} (default: 100)"
    )
    parser.add_argument("--out", default="samples.png", help="PNG to write (default: samples.png)")
    parser.add_argument("--label", type=int, help="class to draw, for conditional generators")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(run=_run_sample)


def _add_params_parser(commands) -> None:
    parser = commands.add_parser("params", help="parameter counts of a model per layer, for several latent sizes")
    parser.add_argument("model", choices=[name for name, recipe in RECIPES.items() if recipe.preset])
    parser.add_argument(
        "--preset", help="count this architecture instead of the model's, e.g. vanilla (the CS231n MLP)"
    )
    parser.add_argument("--latent-dim", type=_positive_int, nargs="+", default=None)
    parser.set_defaults(run=_run_params)


def _add_data_parser(commands) -> None:
    parser = commands.add_parser("data", help="describe a dataset the loaders accept")
    parser.add_argument("--dataset", default="mnist")
    parser.set_defaults(run=_run_data)


def _add_classifier_parser(commands) -> None:
    parser = commands.add_parser("train-classifier", help="train the classifier behind the sample-quality metrics")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--epochs", type=_positive_int, default=5)
    parser.add_argument(
        "--out", default="saved_models", help="folder of classifier_DATASET.keras (default: saved_models)"
    )
    parser.set_defaults(run=_run_train_classifier)


def _add_evaluate_parser(commands) -> None:
    parser = commands.add_parser("evaluate", help="sample-quality metrics of an exported generator")
    parser.add_argument("saved_model", help="folder written by train (RUN/generator)")
    parser.add_argument("--n", type=_positive_int, default=10000, help="samples to score (default: 10000)")
    parser.add_argument("--dataset", default="mnist", help="real data and classifier to compare with")
    parser.add_argument(
        "--classifiers",
        metavar="DIR",
        help="folder of your own classifier_DATASET.keras (default: the shipped MNIST "
        "weights; for other datasets saved_models, trained on first use)",
    )
    parser.add_argument("--json", help="where to write the results (default: SAVED_MODEL/../evaluation.json)")
    parser.add_argument(
        "--no-reference", dest="reference", action="store_false", help="skip the real-data reference row"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(run=_run_evaluate)


def _add_serve_parser(commands) -> None:
    parser = commands.add_parser("serve", help="a local web page that draws from an exported generator")
    parser.add_argument("saved_model", help="folder written by train (RUN/generator)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 lets anyone who can reach "
        "this machine use the generator)",
    )
    parser.add_argument("--port", type=int, default=8000, help="default: 8000; 0 picks a free port")
    parser.set_defaults(run=_run_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_gans",
        description="Train, sample and inspect GANs of small images with Keras 3.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train_parser(commands)
    _add_sample_parser(commands)
    _add_params_parser(commands)
    _add_data_parser(commands)
    _add_classifier_parser(commands)
    _add_evaluate_parser(commands)
    _add_serve_parser(commands)
    return parser


def _run_train(args: argparse.Namespace) -> None:
    from keras_gans import data, ebm, training

    options = {k: v for k, v in vars(args).items() if k not in ("command", "run")}
    config = TrainConfig(**options)
    if not config.is_gan:
        # Before TensorFlow's first op: the Langevin loops of the chain groups then share the cores.
        ebm.set_threads_for_chain_groups()
    print(data.describe(config.dataset, split="train", limit=config.limit))
    result = training.train(config)
    ood_rows = None
    if not config.is_gan:
        # Scoring runs under the training strategy: in a cluster every
        # worker must take part, not only the chief that prints.
        test_images, _ = data.load_arrays(config.dataset, split="test", limit=2000)
        ood_rows = ebm.ood_table(result.model, data.normalize(test_images), seed=config.seed)
    if result.run_dir is None:
        print(f"\nTrained {config.model} for {result.epochs_done} epochs as a worker; the chief wrote the run folder.")
        return
    print(f"\nTrained {config.model} for {result.epochs_done} epochs. Wrote into {result.run_dir}/:")
    for what, path in result.files.items():
        print(f"  {what:<12} {path}")
    if ood_rows is not None:
        print("\nOut-of-distribution scores (higher = more like the training data):")
        print(ebm.format_ood_table(ood_rows))


def _run_sample(args: argparse.Namespace) -> None:
    from keras_gans import export, grids

    images, metadata = export.sample_exported_generator(args.saved_model, n=args.n, seed=args.seed, label=args.label)
    path = grids.save_image_grid(images, args.out)
    print(f"Wrote {args.n} samples of {metadata.get('objective', 'a generator')} to {path}")


def _run_params(args: argparse.Namespace) -> None:
    from keras_gans import models

    preset = args.preset or RECIPES[args.model].preset
    latent_dims = args.latent_dim or (models.get_preset(preset).latent_dim,)
    print(models.parameter_table(preset, latent_dims=tuple(latent_dims)))


def _run_data(args: argparse.Namespace) -> None:
    from keras_gans import data

    print(data.describe(args.dataset, split="train"))
    try:
        print(data.describe(args.dataset, split="test"))
    except data.MissingSplitError as error:
        print(f"no test split: {error}")


def _run_train_classifier(args: argparse.Namespace) -> None:
    from keras_gans import metrics

    metrics.train_classifier(dataset=args.dataset, epochs=args.epochs, out_dir=args.out)
    report = metrics.classifier_report(args.dataset, args.out)
    print(f"Test accuracy {report['test_accuracy']:.4f}; saved to {metrics.classifier_path(args.dataset, args.out)}")


def _run_evaluate(args: argparse.Namespace) -> None:
    from keras_gans import data, export, metrics

    export.read_export_metadata(args.saved_model)  # fails before any slow work
    classifier = metrics.load_classifier(args.dataset, directory=args.classifiers)
    test_images, _ = data.load_arrays(args.dataset, split="test", limit=args.n)
    rows = {}
    if args.reference:
        rows["real train vs test"] = metrics.reference_metrics(
            classifier, dataset=args.dataset, n=args.n, seed=args.seed
        )
    rows[args.saved_model] = metrics.evaluate_exported_generator(
        args.saved_model, classifier, test_images, n=args.n, seed=args.seed
    )
    print(metrics.format_metrics_table(rows))
    json_path = Path(args.json) if args.json else Path(args.saved_model).resolve().parent / "evaluation.json"
    json_path.write_text(json.dumps(rows, indent=2, default=float))
    print(f"Wrote {json_path}")


def _run_serve(args: argparse.Namespace) -> None:
    from keras_gans import export, serve

    export.read_export_metadata(args.saved_model)  # fails before loading TensorFlow's graph
    server = serve.make_server(serve.GeneratorService(args.saved_model), args.host, args.port)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach this machine can use the generator")
    print(f"Serving {args.saved_model} at {serve.server_url(server)} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()


def _is_tensorflow_error(error: Exception) -> bool:
    tensorflow = sys.modules.get("tensorflow")  # imported by then if it raised
    return tensorflow is not None and isinstance(error, tensorflow.errors.OpError)


def _fail(message: str) -> None:
    """Prints `message` as the last line of the run, then returns.

    TensorFlow logs warnings when objects of a failed run are deleted at exit
    (e.g. "... is being deleted with unrestored values" after a refused
    resume); they would follow the error and bury it, so they are silenced.
    """
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    # OSError covers files and folders that cannot be read or written
    # (FileNotFoundError, PermissionError, a full disk, ...).
    except (ValueError, OSError, FloatingPointError) as error:
        _fail(f"error: {error}")
        return 2
    except Exception as error:
        if not _is_tensorflow_error(error):
            raise
        # An operation failed inside TensorFlow (out of memory, a full disk,
        # a broken file): its first line names the problem.
        _fail(f"error: {type(error).__name__}: {error.message.splitlines()[0]}")
        return 2
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    return 0
