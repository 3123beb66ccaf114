"""
Title: Conditional GAN: choose the digit
Author: keras_gans
Description: A GAN whose generator and discriminator both see the class label (Mirza & Osindero 2014).

What you will learn:

- how one-hot labels condition both networks, and how keras_gans trains a
  conditional GAN with the same `GAN` class (it notices the second input);
- how to check that the generator obeys the label, with a digit classifier;
- what happens between classes: interpolating the one-hot label with z fixed;
- that z now carries the *style* (thickness, slant) and can be edited by
  latent arithmetic: a "bold" direction found from the samples themselves.

How to run:

    python tutorials/06_conditional_gan.py [--quick] [--epochs 8] [--out DIR]

The default 8 epochs take 1-2 minutes on 2 CPU cores.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import keras
import numpy as np
import tensorflow as tf

from keras_gans import callbacks, data, gans, grids, metrics, models

args = _common.start(_common.parser(__file__, epochs=8))
files = []

"""
## One-hot conditioning

A label y in {0, ..., 9} becomes a one-hot vector of 10 numbers. The
generator concatenates it to z, the discriminator to the flattened image, so
the discriminator judges "is this a real *seven*?" and the generator must
make the digit it was asked for.
"""

print("one_hot([3, 7]) =\n", tf.one_hot([3, 7], 10).numpy())
print(models.get_preset("conditional_mlp").description)
generator, discriminator = models.build_preset("conditional_mlp")
for model, layer_name in ((generator, "z_and_labels"), (discriminator, "pixels_and_labels")):
    layer = model.get_layer(layer_name)
    inputs = ", ".join(str(tuple(tensor.shape)) for tensor in layer.input)
    print(f"{model.name}: {layer_name} joins {inputs} -> {tuple(layer.output.shape)}")

"""
## Training

The only change from an unconditional GAN is the data: `labels=True` makes
the pipeline yield `(images, labels)` batches. `GAN` sees that the generator
takes two inputs, one-hot encodes the integer labels, and feeds them to both
networks. The fake images of each step are generated for the labels of the
real batch, so the generator learns the digits in their data proportions.

`ImageGrid` and `SampleGrid` notice the conditioning too: their grids have
one row per class.
"""

batch_size = 64 if args.quick else 128
limit = 512 if args.quick else None
dataset = data.load_dataset("mnist", batch_size=batch_size, labels=True, drop_remainder=True, limit=limit)
gan = gans.GAN(generator, discriminator, seed=args.seed)
# Tutorial 02's Adam(1e-3, beta_1=0.5): with the default 2e-4 this MLP needs
# several times more epochs to draw the requested digits reliably.
gan.compile(
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
)
print(f"conditional: {gan.conditional}, num_classes: {gan.num_classes}")
gan.fit(
    dataset,
    epochs=args.epochs,
    verbose=2,
    callbacks=[
        callbacks.StopOnNonFinite(),
        callbacks.ImageGrid(args.out / "progress", num_samples=100),
        callbacks.LossCurves(args.out),
        callbacks.SampleGrid(args.out),
    ],
)
files += ["samples_10x10.png", "loss_curves.png", f"progress/epoch_{args.epochs:03d}.png"]

"""
`samples_10x10.png` has one row per digit, 0 at the top.

## Does it obey the label?

The metrics classifier reads each sample; `label_accuracy` is the fraction
classified as the digit that was asked for.
"""

classifier = _common.metrics_classifier(args.quick)
extractor = metrics.FeatureExtractor(classifier)
n = 200 if args.quick else 2000
eye = np.eye(10, dtype="float32")
sample_z = np.random.default_rng(args.seed).standard_normal((n, gan.latent_dim)).astype("float32")
requested = np.arange(n) % 10
samples = gan.generator.predict([sample_z, eye[requested]], verbose=0)
predicted = extractor.predict_classes(samples)
print(f"label accuracy over {n} samples: {np.mean(predicted == requested):.1%}")
print("per digit: " + ", ".join(f"{d}: {np.mean(predicted[requested == d] == d):.0%}" for d in range(10)))

"""
## Between two classes

Keep z fixed and slide the label from one one-hot vector to another:
y(t) = (1 - t) e_a + t e_b. The network was only trained on the corners, but
it is a continuous function of y, and in between it usually morphs one digit
into the other with the same style.
"""

pairs = [(0, 6), (1, 7), (3, 8), (4, 9), (5, 2)]
steps = 10
t = np.linspace(0, 1, steps, dtype="float32")[:, None]
z_rows = np.random.default_rng(args.seed).standard_normal((len(pairs), gan.latent_dim)).astype("float32")
# (pairs, steps, latent_dim) -> (pairs * steps, latent_dim), and the same for labels.
z = np.repeat(z_rows, steps, axis=0)
labels = np.concatenate([(1 - t) * eye[a] + t * eye[b] for a, b in pairs])
interpolation = gan.generator.predict([z, labels], verbose=0)
grids.save_image_grid(interpolation, args.out / "class_interpolation.png", nrows=len(pairs), ncols=steps)
files.append("class_interpolation.png")
predicted_along = extractor.predict_classes(interpolation).reshape(len(pairs), steps)
for (a, b), row in zip(pairs, predicted_along):
    print(f"{a} -> {b}: classifier reads {row.tolist()}")

"""
## z is the style

With the label doing the class, z is free to encode everything else. Render
the same z for all ten labels: each row keeps its thickness and slant across
the digits.
"""

style_z = np.random.default_rng(args.seed + 1).standard_normal((6, gan.latent_dim)).astype("float32")
style_images = gan.generator.predict([np.repeat(style_z, 10, axis=0), np.tile(eye, (len(style_z), 1))], verbose=0)
grids.save_image_grid(style_images, args.out / "style_grid.png", nrows=len(style_z), ncols=10)
files.append("style_grid.png")

"""
## Latent arithmetic: a "bold" direction

Latent arithmetic (Radford et al. 2016) finds directions in z that change one
attribute. We measure each sample's ink (mean brightness) relative to the
average of its digit, then take the mean z of the boldest 10 % minus the mean
z of the thinnest 10 %. Adding multiples of that vector to any z should
thicken every digit, and subtracting it thin them.
"""

ink = (samples.reshape(n, -1) + 1).mean(axis=1) / 2
digit_means = np.array([ink[requested == d].mean() for d in range(10)])
relative_ink = ink - digit_means[requested]
order = np.argsort(relative_ink)
tenth = max(n // 10, 1)
bold = (sample_z[order[-tenth:]].mean(axis=0) - sample_z[order[:tenth]].mean(axis=0)).astype("float32")
print(f"bold direction: norm {np.linalg.norm(bold):.2f} (a random z has norm ~{np.sqrt(gan.latent_dim):.0f})")

alphas = np.linspace(-2, 2, 7, dtype="float32")
base_z = np.random.default_rng(args.seed + 2).standard_normal((10, gan.latent_dim)).astype("float32")
# Row d: digit d with one fixed z, moved along the bold direction.
edited_z = (base_z[:, None, :] + alphas[None, :, None] * bold).reshape(-1, gan.latent_dim)
edited = gan.generator.predict([edited_z, np.repeat(eye, len(alphas), axis=0)], verbose=0)
grids.save_image_grid(edited, args.out / "latent_arithmetic.png", nrows=10, ncols=len(alphas))
files.append("latent_arithmetic.png")
mean_ink = ((edited.reshape(10, len(alphas), -1) + 1) / 2).mean(axis=(0, 2))
print("mean ink along z + alpha * bold: " + ", ".join(f"{a:+.1f}: {v:.3f}" for a, v in zip(alphas, mean_ink)))

_common.finish(args, files)
