"""
Title: A vanilla GAN: noise in, digits out
Author: keras_gans
Description: The original GAN of Goodfellow et al. (2014) with two MLPs, trained on MNIST.

What you will learn:

- what a generator and a discriminator are, and how noise becomes an image;
- the two generator losses of the original paper, and why everybody uses the
  "non-saturating" one (we look at their gradients);
- how to train with `GAN.compile` + `fit`, and watch it with callbacks that
  save image grids and loss curves;
- where the parameters of the models are, and which layer grows with the
  size of the noise vector.

How to run:

    python tutorials/02_vanilla_gan.py [--quick] [--epochs 5] [--out DIR]

The default 5 epochs (2,340 generator steps) take 1-2 minutes on 2 CPU cores.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from keras_gans import callbacks, data, gans, losses, models

args = _common.start(_common.parser(__file__, epochs=5))
files = []

"""
## Noise

A generator is a function from a simple distribution to images. keras_gans
draws latent codes z from a standard normal distribution, one vector of
`latent_dim` numbers per image. A `GAN` draws them from its own seeded stream
(`gan.sample_latent(n)`), so a run is reproducible.
"""

latent_dim = 96
z = keras.random.normal((1024, latent_dim), seed=args.seed)
print(f"z: shape {tuple(z.shape)}, mean {float(tf.reduce_mean(z)):+.3f}, std {float(tf.math.reduce_std(z)):.3f}")

"""
## The models

The "vanilla" preset is the fully connected GAN of the Stanford CS231n
assignment: a generator with two hidden layers of 1024 ReLU units ending in a
784-unit `tanh` layer reshaped to 28x28x1, and a discriminator with two
layers of 256 LeakyReLU units ending in one raw score (a logit: D(x) =
sigmoid(score) is the probability that x is real).
"""

print(models.get_preset("vanilla").description)
generator, discriminator = models.build_preset("vanilla", latent_dim=latent_dim)
generator.summary()
discriminator.summary()

"""
## Losses: minimax vs non-saturating

The discriminator minimises the binary cross-entropy of telling real (1) from
fake (0):

    L_D = -E[log D(x)] - E[log(1 - D(G(z)))]

In the original minimax game the generator minimises `E[log(1 - D(G(z)))]`.
Early in training the discriminator easily rejects the fakes, D(G(z)) ~ 0,
and there this loss is flat: the generator gets almost no gradient. The
non-saturating loss `-E[log D(G(z))]` has the same fixed point but a strong
gradient exactly there. keras_gans computes both from logits l, stably:
log D = log sigmoid(l) = -softplus(-l) and log(1 - D) = -softplus(l).
"""

_common.show_source(losses.bce_discriminator_loss)
_common.show_source(losses.minimax_generator_loss)
_common.show_source(losses.non_saturating_generator_loss)

"""
Their gradients with respect to the discriminator's logit l, where D(G(z)) =
sigmoid(l): d/dl log(1 - sigmoid(l)) = -D and d/dl -log sigmoid(l) = -(1 - D).
`tf.GradientTape` confirms it:
"""

probabilities = np.array([1e-4, 1e-3, 1e-2, 0.1, 0.5, 0.9], dtype="float32")
logits = tf.Variable(np.log(probabilities / (1 - probabilities)))
with tf.GradientTape(persistent=True) as tape:
    # Summed, not averaged, so each entry's gradient is its own.
    minimax = len(probabilities) * losses.minimax_generator_loss(logits)
    non_saturating = len(probabilities) * losses.non_saturating_generator_loss(logits)
minimax_grad = tape.gradient(minimax, logits).numpy()
non_saturating_grad = tape.gradient(non_saturating, logits).numpy()
print(f"{'D(G(z))':>9}  {'minimax grad':>12}  {'non-saturating grad':>19}")
for p, g_mm, g_ns in zip(probabilities, minimax_grad, non_saturating_grad):
    print(f"{p:9.4f}  {g_mm:12.5f}  {g_ns:19.5f}")
print(
    "At D(G(z)) = 0.001 the minimax gradient is "
    f"{abs(non_saturating_grad[1] / minimax_grad[1]):.0f}x weaker than the non-saturating one."
)

d_of_g = np.linspace(1e-3, 1 - 1e-3, 400)
figure = Figure(figsize=(8, 3.2), layout="constrained")
loss_axes, grad_axes = figure.subplots(1, 2)
loss_axes.plot(d_of_g, np.log(1 - d_of_g), label="minimax: log(1 - D)")
loss_axes.plot(d_of_g, -np.log(d_of_g), label="non-saturating: -log D")
loss_axes.set(xlabel="D(G(z))", ylabel="generator loss", title="loss")
grad_axes.plot(d_of_g, d_of_g, label="minimax: |dL/dlogit| = D")
grad_axes.plot(d_of_g, 1 - d_of_g, label="non-saturating: 1 - D")
grad_axes.set(xlabel="D(G(z))", ylabel="|gradient| w.r.t. the logit", title="gradient")
for axes in (loss_axes, grad_axes):
    axes.axvspan(0, 0.1, color="tab:red", alpha=0.1)
    axes.legend(fontsize=8)
figure.savefig(args.out / "generator_loss_gradients.png", dpi=100)
files.append("generator_loss_gradients.png")

"""
## Training

`gans.GAN` holds the training step: one discriminator update on a real batch
and a batch of fakes, then one generator update, each with its own
optimizer. Without arguments `compile` uses Adam(2e-4, beta_1=0.5), the
DCGAN setting; this MLP learns much faster with the CS231n assignment's
Adam(1e-3, beta_1=0.5), which makes 5 epochs enough for recognisable digits.
`compile` picks the loss by name: `"non_saturating"` is the default,
`"minimax"` the original.

Callbacks make training visible:
- `ImageGrid` saves a grid from the *same* fixed noise after every epoch, so
  the only thing that changes between grids is the generator;
- `LossCurves` writes the logged numbers to `loss_curves.csv` and plots them;
- `SampleGrid` saves 100 fresh samples at the end;
- `StopOnNonFinite` stops at the first NaN instead of training garbage.
"""

batch_size = 64 if args.quick else 128
limit = 512 if args.quick else None
dataset = data.load_dataset("mnist", batch_size=batch_size, drop_remainder=True, limit=limit, seed=args.seed)

gan = gans.GAN(generator, discriminator, seed=args.seed)
gan.compile(
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    loss="non_saturating",
)
history = gan.fit(
    dataset,
    epochs=args.epochs,
    verbose=2,
    callbacks=[
        callbacks.StopOnNonFinite(),
        callbacks.ImageGrid(args.out / "progress", gif=True),
        callbacks.LossCurves(args.out),
        callbacks.SampleGrid(args.out),
    ],
)
files += [
    f"progress/epoch_{args.epochs:03d}.png",
    "progress/progress.gif",
    "loss_curves.csv",
    "loss_curves.png",
    "samples_10x10.png",
]

"""
The logged scores are mean logits: sigmoid(real_score) is the average
probability D gives real digits, sigmoid(fake_score) the one it gives fakes.
A discriminator that wins outright would push them to 1 and 0; in a healthy
run they stay apart but finite, and the losses hover instead of going to 0.
"""

for epoch, (d_loss, g_loss, real, fake) in enumerate(
    zip(*(history.history[key] for key in ("d_loss", "g_loss", "real_score", "fake_score"))), start=1
):
    print(
        f"epoch {epoch}: d_loss {d_loss:.3f}  g_loss {g_loss:.3f}  "
        f"D(x) ~ {1 / (1 + np.exp(-real)):.2f}  D(G(z)) ~ {1 / (1 + np.exp(-fake)):.2f}"
    )

"""
## Where the parameters are

`parameter_table` builds a preset for several latent sizes and counts each
layer's trainable parameters. Only the generator's first Dense layer sees z,
so only it grows: by its 1024 units for every extra latent dimension.
"""

table = models.parameter_table("vanilla", latent_dims=(96, 192, 256))
print(table)
for row in table.rows:
    if any(row.growth):
        print(
            f"only {row.model} layer {row.layer!r} grows: +{row.growth[1]:,} parameters from 96 to 192 "
            f"(= 96 x 1024), +{row.growth[2]:,} from 96 to 256"
        )
g_total, d_total = table.total("generator")[0], table.total("discriminator")[0]
print(
    f"at latent_dim 96 the generator has {g_total:,} parameters, the discriminator {d_total:,} "
    f"({g_total / d_total:.1f}x smaller)"
)

_common.finish(args, files)
