"""Trains the energy-based model on MNIST on the CPU, then looks at it and measures it.

Writes to --out (default ./runs/ebm):

- `mcmc_steps.png`: the same chains after 0, 64, 256, 512 and 1024 Langevin
  steps from uniform noise (one row per step count): how many steps a digit
  needs to appear;
- `samples_1024_steps.png`: 100 samples after 1024 steps;
- `buffer_samples.png`: 100 random chains of the replay buffer (what the
  model trained against);
- `history.csv`: the per-epoch metrics;
- `ood_table.txt`: mean score and AUROC of real test digits vs each OOD probe;
- `quality.txt`: Fréchet distance, mean confidence, coverage and the class
  histogram of `--quality-chains` samples (512 Langevin steps from noise,
  `generate`'s default) against as many test digits, scored with the
  package's pinned classifier as `evaluate` scores a GAN;
- `ebm.keras`: the trained model (energy network + replay buffer); load it
  with `keras.models.load_model` after `import keras_gans.ebm`.

and prints the timings and the OOD table.

    python benchmarks/train_ebm.py [--epochs 3] [--limit 60000] [--out runs/ebm]

One epoch of the 60,000 training digits is 468 steps of a batch of 128,
each with 60 Langevin steps; the README's speed section has this script's
timings, with their date and machine. `--negative-samples 64 --buffer-size
4096` advances half as many chains per step, `--chain-groups 1` runs them
in one loop instead of the model's two (see the same section).
"""

import argparse
import csv
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import data, ebm, metrics  # noqa: E402

MCMC_STEPS = (0, 64, 256, 512, 1024)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="training digits (default: all)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--langevin-steps", type=int, default=None, help="default: the model's")
    parser.add_argument(
        "--first-kernel-size",
        type=int,
        default=None,
        help="kernel size of the energy network's first convolution; default: energy_network's",
    )
    parser.add_argument(
        "--negative-samples", type=int, default=None, help="buffer chains per step; default: the model's"
    )
    parser.add_argument("--buffer-size", type=int, default=None, help="replay-buffer chains; default: the model's")
    parser.add_argument(
        "--chain-groups",
        type=int,
        default=ebm.DEFAULT_CHAIN_GROUPS,
        help="independent Langevin loops per step, each op then gets cores // this many threads; default: the model's",
    )
    parser.add_argument("--quality-chains", type=int, default=1000, help="samples scored for quality.txt")
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--test-images", type=int, default=2000, help="test digits for the OOD table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/ebm"))
    return parser.parse_args()


def save_grid(rows: list[np.ndarray], row_labels: list[str], path: Path, title: str) -> None:
    """Saves images in [-1, 1] as a grid, one row per entry of `rows`."""
    columns = max(len(images) for images in rows)
    figure, axes = plt.subplots(
        len(rows),
        columns,
        figsize=(columns * 0.8 + 0.8, len(rows) * 0.8 + 0.5),
        squeeze=False,
    )
    for row, (images, label) in enumerate(zip(rows, row_labels)):
        for column in range(columns):
            axis = axes[row, column]
            axis.set_xticks([])
            axis.set_yticks([])
            for spine in axis.spines.values():
                spine.set_visible(False)
            if column < len(images):
                axis.imshow(images[column, :, :, 0], cmap="gray", vmin=-1.0, vmax=1.0)
        if label:
            axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def save_square_grid(images: np.ndarray, path: Path, title: str, side: int = 10) -> None:
    # (side², 28, 28, 1) -> side rows of side images.
    rows = [images[i * side : (i + 1) * side] for i in range(side)]
    save_grid(rows, [""] * side, path, title)


def sample_quality(model: ebm.EnergyBasedModel, n: int, seed: int) -> str:
    """Scores n samples (512 Langevin steps from noise) as `evaluate` scores a GAN's."""
    samples = model.generate(n, steps=512)
    test_images = data.load_arrays("mnist", split="test", limit=n)[0]
    extractor = metrics.FeatureExtractor(metrics.pinned_classifier())
    # One classifier pass per image set serves both the scores and the histogram.
    fake_features, fake_probabilities = extractor(samples)
    scores = metrics.evaluate_features(*extractor(test_images), fake_features, fake_probabilities, seed=seed)
    histogram = np.bincount(np.argmax(fake_probabilities, axis=1), minlength=10) / n
    return (
        f"{n} samples: Fréchet distance {scores['frechet_distance']:.1f}, "
        f"mean confidence {scores['mean_confidence']:.3f}, coverage {scores['coverage']:.2f}\n"
        "classes (%): " + ", ".join(f"{digit}: {100 * share:.1f}" for digit, share in enumerate(histogram))
    )


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        metrics = ", ".join(f"{name} {value:.4f}" for name, value in logs.items())
        print(f"epoch {epoch + 1}: {seconds:.0f} s; {metrics}", flush=True)


def main() -> None:
    args = parse_args()
    # Before TensorFlow's first op, as `train ebm` does.
    ebm.set_threads_for_chain_groups(args.chain_groups)
    print(describe_machine(), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(args.seed)

    train = data.load_dataset(
        "mnist",
        split="train",
        batch_size=args.batch_size,
        limit=args.limit,
        seed=args.seed,
        drop_remainder=True,
    )
    network_options = {} if args.first_kernel_size is None else {"first_kernel_size": args.first_kernel_size}
    model_options = {
        name: value
        for name, value in (
            ("langevin_steps", args.langevin_steps),
            ("negative_samples", args.negative_samples),
            ("buffer_size", args.buffer_size),
            ("chain_groups", args.chain_groups),
        )
        if value is not None
    }
    model = ebm.EnergyBasedModel(ebm.energy_network(**network_options), seed=args.seed, **model_options)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate, beta_1=0.0, clipnorm=0.1))
    steps_per_epoch = int(train.cardinality())
    print(
        f"training {args.epochs} epoch(s) x {steps_per_epoch} steps, batch "
        f"{args.batch_size}, {model.negative_samples or args.batch_size} of "
        f"{model.buffer_size} buffer chains x {model.langevin_steps} Langevin steps per batch "
        f"in {model.chain_groups} loop(s), "
        f"first convolution {model.energy_network.get_layer('conv_0').kernel_size}",
        flush=True,
    )

    start = time.perf_counter()
    history = model.fit(
        train,
        epochs=args.epochs,
        verbose=0,
        callbacks=[ebm.DivergenceGuard(), EpochTimer()],
    )
    train_seconds = time.perf_counter() - start
    model.save(args.out / "ebm.keras")
    with open(args.out / "history.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["epoch", *history.history])
        for epoch, values in enumerate(zip(*history.history.values()), start=1):
            writer.writerow([epoch, *values])

    start = time.perf_counter()
    final, by_step = model.generate(100, steps=MCMC_STEPS[-1], return_steps=MCMC_STEPS)
    generate_seconds = time.perf_counter() - start
    save_grid(
        [by_step[steps][:12] for steps in MCMC_STEPS],
        [f"{steps} steps" for steps in MCMC_STEPS],
        args.out / "mcmc_steps.png",
        "Langevin chains from uniform noise",
    )
    save_square_grid(
        final, args.out / f"samples_{MCMC_STEPS[-1]}_steps.png", f"100 samples, {MCMC_STEPS[-1]} Langevin steps"
    )
    rng = np.random.default_rng(args.seed)
    buffer = model.replay_buffer.numpy()
    save_square_grid(
        buffer[rng.choice(len(buffer), 100, replace=False)],
        args.out / "buffer_samples.png",
        "100 random replay-buffer chains",
    )

    test_images = data.normalize(data.load_arrays("mnist", split="test", limit=args.test_images)[0])
    start = time.perf_counter()
    table = ebm.format_ood_table(ebm.ood_table(model, test_images, seed=args.seed))
    ood_seconds = time.perf_counter() - start
    (args.out / "ood_table.txt").write_text(table + "\n")

    start = time.perf_counter()
    quality = sample_quality(model, args.quality_chains, args.seed)
    quality_seconds = time.perf_counter() - start
    (args.out / "quality.txt").write_text(quality + "\n")

    total_steps = args.epochs * steps_per_epoch
    print(
        f"\ntraining: {train_seconds:.0f} s for {total_steps} steps "
        f"({train_seconds / total_steps:.2f} s/step, "
        f"{total_steps * args.batch_size / train_seconds:.0f} real images/s)"
    )
    print(f"generate(100, steps={MCMC_STEPS[-1]}): {generate_seconds:.1f} s")
    print(f"OOD table ({len(test_images)} test digits, 11 rows): {ood_seconds:.1f} s\n")
    print(f"quality of {args.quality_chains} samples: {quality_seconds:.1f} s\n")
    print(table)
    print(f"\n{quality}")
    print(f"\nwrote {args.out}/")


if __name__ == "__main__":
    main()
