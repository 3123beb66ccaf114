"""
Title: Evaluating GANs: numbers you can trust, pictures that explain them
Author: keras_gans
Description: Sample-quality metrics, mode collapse and memorisation checks for generators of digits.

What you will learn:

- what each sample-quality metric of `keras_gans.metrics` measures, checked
  first on toy data where the answer is known;
- why every table needs a real-data reference row;
- what mode collapse does to the numbers and to the class histogram, with a
  deliberately collapsed generator;
- why no distribution metric can catch a generator that copies its training
  set, and the nearest-neighbour check that can;
- how to compare generators trained here and runs exported by
  `python -m keras_gans train`.

How to run:

    python tutorials/09_evaluating_gans.py [--quick] [--epochs 4] [--n 5000] [--runs-dir DIR] [--out DIR]

Trains two small GANs for 4 epochs each (about 2 minutes on 2 CPU cores)
and evaluates them with `--n` samples each (about 1 minute). Exported generators found in
`--runs-dir` (default `saved_models/`, i.e. `saved_models/*/generator`) are
added to the table.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

from pathlib import Path

import keras
import numpy as np

from keras_gans import callbacks, data, gans, grids, metrics, models

parser = _common.parser(__file__, epochs=4)
parser.add_argument("--n", type=int, help="samples per evaluation (default 5000, 200 with --quick)")
parser.add_argument(
    "--runs-dir",
    type=Path,
    help="folder of runs with exported generators (default saved_models/; not searched with --quick unless given)",
)
args = _common.start(parser)
n = args.n or (200 if args.quick else 5000)
# KID averages over random subsets; 10 are plenty for a --quick run.
evaluation = dict(n=n, seed=args.seed, kid_subsets=10 if args.quick else 100)
files = []

"""
## The classifier behind the metrics

Published FID and Inception Score use Inception-v3, a network for 299x299
colour photographs. For 28x28 digits keras_gans uses a small CNN trained on
MNIST itself (>= 99 % test accuracy): its 128 "features" separate digit
shapes and its softmax says which digit an image is. The consequence: these
numbers compare with each other (same classifier, same n), not with papers.
"""

classifier = _common.metrics_classifier(args.quick)
extractor = metrics.FeatureExtractor(classifier)
if not args.quick:
    report = metrics.classifier_report("mnist")
    print(f"metrics classifier: test accuracy {report['test_accuracy']:.2%}")
print(f"features: {extractor.feature_dim} numbers per image, probabilities over {extractor.num_classes} classes")

"""
## The metrics on toy data

All distances compare two sets of feature vectors. On Gaussian clouds the
answers are known: two unit Gaussians whose means differ by 0.5 in each of 16
dimensions have a Fréchet distance of ||mu_a - mu_b||^2 = 16 x 0.25 = 4.
Two samples of the *same* distribution have true distance 0, but the Fréchet
estimate is biased upwards at finite n, while the kernel distance (KID) is
unbiased, so it hovers around 0.
"""

rng = np.random.default_rng(args.seed)
cloud_a = rng.standard_normal((2000, 16))
cloud_b = rng.standard_normal((2000, 16))
shifted = rng.standard_normal((2000, 16)) + 0.5
print(
    f"Fréchet distance: same distribution {metrics.frechet_distance(cloud_a, cloud_b):.3f}, "
    f"shifted by 0.5 {metrics.frechet_distance(cloud_a, shifted):.3f} (exact: 0 and 4)"
)
same_kid = metrics.kernel_distance(cloud_a, cloud_b, num_subsets=20, subset_size=500)
print(f"KID, same distribution: {same_kid.mean:+.4f} +- {same_kid.std:.4f}")
pr = metrics.precision_recall(cloud_a, shifted)
dc = metrics.density_coverage(cloud_a, shifted)
print(
    f"shifted cloud vs cloud: precision {pr.precision:.2f}, recall {pr.recall:.2f}, "
    f"density {dc.density:.2f}, coverage {dc.coverage:.2f} (1, 1, ~1, 1 for identical distributions)"
)

"""
What each metric answers, on classifier features of generated vs real test
images:

| metric | question | best |
| --- | --- | --- |
| `frechet_distance` | do features have the mean and covariance of real data? | 0 (see the reference row) |
| `kid` | the same with a kernel, unbiased; comparable across n | 0 |
| `classifier_score` | is each sample a clear digit, and are digits varied? (Inception Score formula) | 10 |
| `classes_covered`, `class_kl` | are all digits generated, in equal shares? | 10, 0 |
| `precision` | do samples fall where real data lives? (quality) | 1 |
| `recall` | do samples reach everywhere real data lives? (diversity) | 1 |
| `density`, `coverage` | the same two, robust to outliers | ~1, 1 |

## The reference row

Real training digits scored against the test set: what a perfect generator
would get at this n. Every other row should be read against it.
"""

test_images, _ = data.load_arrays("mnist", split="test")
train_images, _ = data.load_arrays("mnist", split="train")
rows = {"real (train vs test)": metrics.reference_metrics(extractor, **evaluation)}

"""
## Two generators trained in this lesson

A vanilla MLP GAN (tutorial 02) and a conditional GAN (tutorial 06), a few
epochs each.
"""

batch_size = 64 if args.quick else 128
limit = 512 if args.quick else None
generators = {}
lesson_models = (("vanilla GAN", "vanilla", False), ("conditional GAN", "conditional_mlp", True))
for name, preset, conditional in lesson_models:
    print(f"\n--- {name}, {args.epochs} epoch(s) ---")
    keras.utils.set_random_seed(args.seed)
    generator, discriminator = models.build_preset(preset)
    gan = gans.GAN(generator, discriminator, seed=args.seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5)
    )
    dataset = data.load_dataset("mnist", batch_size=batch_size, labels=conditional, drop_remainder=True, limit=limit)
    gan.fit(dataset, epochs=args.epochs, verbose=2, callbacks=[callbacks.StopOnNonFinite()])
    generators[name] = gan.generator
    rows[f"{name} ({args.epochs} ep.)"] = metrics.evaluate_generator(
        gan.generator, test_images, extractor, **evaluation
    )

"""
## A deliberately collapsed generator

Mode collapse means the generator maps most z to a few outputs. We fake it
with the trained vanilla generator: every z is drawn close to one of three
fixed points, so it can only make three kinds of digits (with small
variations).
"""

vanilla = generators["vanilla GAN"]
centres = rng.standard_normal((3, vanilla.inputs[0].shape[-1]))
collapsed_z = centres[rng.integers(0, 3, size=n)] + 0.1 * rng.standard_normal((n, centres.shape[1]))
collapsed = vanilla.predict(collapsed_z.astype("float32"), verbose=0)
healthy, _ = metrics.generate_samples(vanilla, n, seed=args.seed)
rows["collapsed (3 modes)"] = metrics.evaluate_generator(collapsed, test_images, extractor, **evaluation)
grids.save_image_grid(collapsed[:64], args.out / "collapsed_samples.png", nrows=8, ncols=8)
grids.save_image_grid(healthy[:64], args.out / "healthy_samples.png", nrows=8, ncols=8)
for label, images in (("healthy", healthy), ("collapsed", collapsed)):
    metrics.plot_class_histogram(
        extractor(images)[1], str(args.out / f"class_histogram_{label}.png"), title=f"vanilla GAN, {label}: {n} samples"
    )
files += [
    "healthy_samples.png",
    "collapsed_samples.png",
    "class_histogram_healthy.png",
    "class_histogram_collapsed.png",
]

"""
## Runs exported by `python -m keras_gans train`

Each run folder holds its generator as a SavedModel (`generator/`).
`evaluate_exported_generator` samples through the export's own `sample`
signature, so it scores exactly what would be served.
"""

runs_dir = args.runs_dir or (None if args.quick else _common.SAVED_MODELS)
exports = sorted(runs_dir.glob("*/generator/saved_model.pb")) if runs_dir else []
for saved_model in exports:
    run = saved_model.parent.parent.name
    rows[f"export: {run}"] = metrics.evaluate_exported_generator(
        str(saved_model.parent), extractor, test_images, **evaluation
    )
if runs_dir:
    print(f"\n{len(exports)} exported run(s) found in {runs_dir}")
else:
    print("\nexported runs: not searched (--quick)")

"""
## The comparison table
"""

columns = [
    "frechet_distance",
    "kid",
    "classifier_score",
    "classes_covered",
    "class_kl",
    "precision",
    "recall",
    "density",
    "coverage",
    "label_accuracy",
]
table = metrics.format_metrics_table(rows, columns=columns)
print(f"\n{n} samples per row\n{table}")
(args.out / "metrics_table.txt").write_text(f"{n} samples per row\n{table}\n")
files.append("metrics_table.txt")

"""
How to read it:

- the collapsed generator covers only a few classes, its `class_kl` moves
  towards log(10/3) = 1.2 (three equally likely classes), and its `coverage`
  falls (so does `recall`, where the healthy generator had any), while its
  `precision` stays about as high as the healthy generator's: its few digits
  are as good as before. Quality and diversity are separate axes, which is
  why the table reports both;
- short runs have high precision but tiny recall and coverage: their samples
  land among real digits, but only in a small part of where real digits are;
- a short training run lands far from the reference row on the Fréchet
  distance even when its samples look like digits: the metric is sensitive to
  stroke statistics the eye forgives;
- `label_accuracy` exists only for conditional generators: does the digit
  match the requested label?

## Memorisation: the nearest-neighbour check

A generator that simply reproduced training images would score like the
reference row on *every* metric above, since the reference row *is* training
images. Only a direct comparison with the training set catches it: for each
sample, find its nearest training image. Copies sit at distance ~0; new
digits sit about as far from the training set as unseen test digits do.
"""

queries = min(n, 500)
# --quick searches the first 5,000 training digits only.
train_pool = train_images[:5000] if args.quick else train_images
flat_train = data.normalize(train_pool).reshape(len(train_pool), -1)
distances = {}
probes = {
    "generated": healthy[:queries],
    "test digits": data.normalize(test_images[:queries]),
    "copies of training digits": data.normalize(train_images[:queries]),
}
for label, images in probes.items():
    _, nearest = metrics.nearest_neighbours(images.reshape(len(images), -1), flat_train, k=1)
    distances[label] = float(np.median(nearest))
    print(f"median pixel distance to the nearest training image, {label:>25}: {distances[label]:.2f}")
metrics.plot_nearest_neighbours(healthy, train_pool, str(args.out / "nearest_neighbours.png"))
files.append("nearest_neighbours.png")

"""
`nearest_neighbours.png` shows 8 samples, each beside its 5 closest training
digits: similar digits, not the same images.

## Bonus: is the latent space smooth?

Decoding points along great circles between random z (spherical
interpolation, `slerp`) should morph one digit into another without garbage
in between.
"""

metrics.plot_latent_interpolation(vanilla, str(args.out / "latent_interpolation.png"), seed=args.seed)
files.append("latent_interpolation.png")

_common.finish(args, files)
