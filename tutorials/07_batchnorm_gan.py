"""
Title: A batch-norm MLP GAN with hand-set optimizers, and how to spot mode collapse
Author: keras_gans
Description: Batch normalization in the generator, separate Adam settings per network, and a diversity check.

What you will learn:

- what batch normalization changes in a generator (and why the critic of
  tutorial 05 must not have it);
- how to give each network its own optimizer: learning rates, Adam's
  epsilon, decoupled weight decay (`keras.optimizers.AdamW`);
- how to watch sample quality and diversity *during* training with the
  `SampleQuality` callback;
- how to diagnose mode collapse with a classifier: class histogram, number
  of classes covered, KL divergence to the uniform distribution.

How to run:

    python tutorials/07_batchnorm_gan.py [--quick] [--epochs 8] [--data-dir DIR] [--out DIR]

Trains on Fashion-MNIST when it can be loaded (download, or IDX files in
`--data-dir`), else on MNIST. The default 8 epochs take 2-3 minutes on 2
CPU cores.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import keras
import numpy as np
from scipy.spatial.distance import pdist

from keras_gans import callbacks, data, gans, metrics, models

parser = _common.parser(__file__, epochs=8)
parser.add_argument("--data-dir", help="TFDS data dir or folder of Fashion-MNIST IDX files")
args = _common.start(parser)
files = []

"""
## The data: Fashion-MNIST, or MNIST offline

Fashion-MNIST has the shape of MNIST (28x28 grey, 10 classes, 60,000 + 10,000
images) but pictures clothes, which are harder to generate: textures, large
filled areas, classes (shirt, T-shirt, pullover, coat) that resemble each
other. Without network access, `load_dataset` raises `ConnectionError` within
seconds and we fall back to MNIST.
"""

batch_size = 64
limit = 512 if args.quick else None
try:
    dataset, info = data.load_dataset(
        "fashion_mnist",
        batch_size=batch_size,
        drop_remainder=True,
        limit=limit,
        data_dir=args.data_dir,
        with_info=True,
    )
    dataset_name = "fashion_mnist"
except ConnectionError as error:
    print(f"Fashion-MNIST is not available ({str(error).splitlines()[0]})\n-> training on MNIST instead")
    dataset_name = "mnist"
    dataset, info = data.load_dataset("mnist", batch_size=batch_size, drop_remainder=True, limit=limit, with_info=True)
print(info)
class_names = info.class_names

"""
## The models

The `batchnorm_mlp` preset: the generator is the WGAN-GP MLP with a
`BatchNormalization` between every Dense layer and its LeakyReLU. Batch norm
re-centres and re-scales each unit over the batch, which keeps the
activations of a deep generator in a healthy range and speeds up early
training. The generator's Dense layers drop their bias: batch norm's own
offset replaces it. Batch norm also keeps moving averages of the batch
statistics, non-trainable weights used when sampling (`training=False`).

The discriminator ends in a sigmoid and outputs probabilities. `compile`
notices and computes the cross-entropy from probabilities
(`from_logits=False`).
"""

print(models.get_preset("batchnorm_mlp").description)
generator, discriminator = models.build_preset("batchnorm_mlp")
generator.summary()

"""
## One optimizer per network

The two networks need not train alike. Here:

- generator: Adam, learning rate 2e-4, beta_1 = 0.5 (DCGAN's momentum, which
  reacts faster to a moving target than the default 0.9);
- discriminator: half the learning rate, 1e-4, so it does not overpower the
  generator early on, and `AdamW` with decoupled weight decay 1e-2 (each step
  also does `w -= learning_rate * 1e-2 * w`), a gentle pull towards small
  weights;
- both: epsilon = 1e-6 instead of Keras' 1e-7. Adam divides by
  `sqrt(v) + epsilon`; a larger epsilon caps the step of parameters whose
  gradients are tiny and noisy.

The batch size is 64 real images per discriminator step.
"""

g_optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5, epsilon=1e-6)
d_optimizer = keras.optimizers.AdamW(learning_rate=1e-4, beta_1=0.5, epsilon=1e-6, weight_decay=1e-2)
gan = gans.GAN(generator, discriminator, seed=args.seed)
gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
print(f"discriminator outputs probabilities, so from_logits = {gan.from_logits}")

"""
## Training, with quality and diversity logged every epoch

`SampleQuality` draws samples after each epoch, runs the metrics classifier
on them and adds the Fréchet distance, `classes_covered`, `class_kl` and
`mean_confidence` to the epoch logs. Placed before `LossCurves`, its numbers
land in `loss_curves.csv` and in the plot, next to the losses: a collapse
shows up as `classes_covered` dropping and `class_kl` rising.
"""

classifier = _common.metrics_classifier(args.quick, dataset=dataset_name)
test_images, test_labels = data.load_arrays(dataset_name, split="test", data_dir=args.data_dir)
n = 200 if args.quick else 5000
history = gan.fit(
    dataset,
    epochs=args.epochs,
    verbose=2,
    callbacks=[
        callbacks.StopOnNonFinite(),
        callbacks.ImageGrid(args.out / "progress"),
        callbacks.SampleQuality(classifier, test_images, every_n_epochs=1, num_samples=min(n, 2000)),
        callbacks.LossCurves(args.out),
        callbacks.SampleGrid(args.out),
    ],
)
files += ["samples_10x10.png", "loss_curves.png", "loss_curves.csv"]
print("\nepoch  frechet_distance  classes_covered  class_kl")
for epoch, (fd, covered, kl) in enumerate(
    zip(*(history.history[key] for key in ("frechet_distance", "classes_covered", "class_kl"))), start=1
):
    print(f"{epoch:5d}  {fd:16.2f}  {covered:15.0f}  {kl:8.3f}")

"""
Read the table from the top. Early in training a generator often draws only a
few kinds of images (few classes covered, a large KL) and spreads out over
the following epochs; a collapse that persists, or appears late, is the
warning sign, and it can hide behind a falling Fréchet distance.

## Mode collapse: what the classifier sees

A generator that has collapsed makes a few kinds of images well and ignores
the rest. The class histogram of many samples shows it directly; the real
test images give the reference (their histogram is almost uniform, and a
classifier is never perfect, so theirs is the best a generator can hope for).

- `classes_covered`: classes predicted for at least 1 % of the samples;
- `class_kl`: KL(histogram || uniform) in nats, 0 for perfect balance,
  log 10 = 2.30 when a single class is generated;
- `mean_confidence`: how clearly each sample belongs to one class.
"""

extractor = metrics.FeatureExtractor(classifier)
samples, _ = metrics.generate_samples(gan.generator, n, seed=args.seed)
fake_features, fake_probabilities = extractor(samples)
real_features, real_probabilities = extractor(test_images[:n])
fake_histogram = metrics.class_histogram(fake_probabilities)
real_histogram = metrics.class_histogram(real_probabilities)
metrics.plot_class_histogram(
    fake_histogram, str(args.out / "class_histogram_generated.png"), title=f"{dataset_name}: {n} generated samples"
)
metrics.plot_class_histogram(
    real_histogram, str(args.out / "class_histogram_real.png"), title=f"{dataset_name}: {n} real test images"
)
files += ["class_histogram_generated.png", "class_histogram_real.png"]

print(f"\n{'class':<12} {'real':>6} {'generated':>9}")
for index, name in enumerate(class_names):
    print(f"{name:<12} {real_histogram.fractions[index]:6.1%} {fake_histogram.fractions[index]:9.1%}")
for label, histogram in (("real", real_histogram), ("generated", fake_histogram)):
    print(
        f"{label:>9}: {histogram.classes_covered}/10 classes covered, KL to uniform "
        f"{histogram.kl_to_uniform:.3f} nats, mean confidence {histogram.mean_confidence:.2f}"
    )
under = [class_names[i] for i in np.flatnonzero(fake_histogram.fractions < 0.5 * real_histogram.fractions)]
over = [class_names[i] for i in np.flatnonzero(fake_histogram.fractions > 1.5 * real_histogram.fractions)]
print(f"under-represented (< half their real share): {under or 'none'}")
print(f"over-represented (> 1.5x their real share): {over or 'none'}")

"""
Diversity *within* classes matters too: a generator could cover all ten
classes with one image each. The mean pairwise distance between classifier
features of the samples, compared with the same number of real images, is a
quick check: clearly lower means the samples are too alike.
"""

spread = {"real": pdist(real_features[:1000]).mean(), "generated": pdist(fake_features[:1000]).mean()}
print(
    f"mean pairwise feature distance: real {spread['real']:.2f}, generated {spread['generated']:.2f} "
    f"(ratio {spread['generated'] / spread['real']:.2f})"
)

_common.finish(args, files)
