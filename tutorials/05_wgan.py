"""
Title: Wasserstein GANs: weight clipping vs gradient penalty
Author: keras_gans
Description: WGAN (Arjovsky et al. 2017) and WGAN-GP (Gulrajani et al. 2017) with the same MLPs.

What you will learn:

- the Wasserstein objective: a critic that scores instead of classifying;
- why the critic must be 1-Lipschitz, and the two ways of enforcing it:
  clipping every weight (WGAN) or penalising gradient norms (WGAN-GP),
  checked by hand on a linear critic;
- how to read critic scores and loss curves of a Wasserstein GAN;
- what each method does to the trained critic (weights piled up at the
  clipping bounds vs gradient norms close to 1).

How to run:

    python tutorials/05_wgan.py [--quick] [--epochs 5] [--out DIR]

The default 5 epochs per model (935 generator steps, each after 5 critic
steps) take 1-4 minutes on 2 CPU cores, depending on what else runs there.
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
## The Wasserstein objective

The critic D outputs an unbounded score. It maximises the gap between the
mean score of real and of generated images, the generator minimises it:

    L_D = E[D(G(z))] - E[D(x)]        L_G = -E[D(G(z))]

If D ranges over 1-Lipschitz functions (|D(a) - D(b)| <= ||a - b||), the
best gap equals the Wasserstein-1 ("earth mover") distance between the real
and the generated distribution: a distance that shrinks smoothly as the
generator improves, even when the two distributions do not overlap.
"""

_common.show_source(losses.wasserstein_discriminator_loss)
_common.show_source(losses.wasserstein_generator_loss)

"""
## Keeping the critic Lipschitz

**Weight clipping** (WGAN) clips every critic weight into [-c, c] after each
update, c = 0.01. That bounds the Lipschitz constant, but by some K that
depends on the architecture, not by 1.

**Gradient penalty** (WGAN-GP) adds `lambda * E[(||grad D(x_hat)||_2 - 1)^2]`
to the critic loss, on random points x_hat between real and fake images
(lambda = 10): a soft constraint aimed at exactly 1.

A linear critic D(x) = <w, x> makes both concrete: its gradient is w
everywhere, so the penalty must be exactly 10 (||w|| - 1)^2.
"""

_common.show_source(losses.gradient_penalty)

rng = np.random.default_rng(args.seed)
real = data.normalize(data.load_arrays("mnist", limit=64)[0])
fake = rng.uniform(-1, 1, size=real.shape).astype("float32")
direction = rng.standard_normal((28, 28, 1)).astype("float32")
print(f"{'||w||':>6}  {'gradient_penalty':>16}  {'10 (||w|| - 1)^2':>16}")
for norm in (0.5, 1.0, 2.0, 3.0):
    w = tf.constant(direction / np.linalg.norm(direction) * norm)

    def linear_critic(images, w=w):
        return tf.reduce_sum(images * w, axis=[1, 2, 3])[:, None]

    penalty = float(losses.gradient_penalty(linear_critic, real, fake, weight=10.0, seed=args.seed))
    print(f"{norm:6.1f}  {penalty:16.4f}  {10 * (norm - 1) ** 2:16.4f}")

clip = 0.01
print(
    f"\nWith clipping at c = {clip}, a linear critic on 784 pixels has ||w|| <= c * sqrt(784) = "
    f"{clip * np.sqrt(784):.2f}: it is Lipschitz, but with a constant set by c and the layer sizes."
)

"""
## The models

Both GANs use the MLP of the WGAN-GP paper's MNIST experiments, as the
`wgan_gp` preset: no batch norm anywhere (a batch-norm critic would make one
image's gradient depend on the others, which the penalty forbids), and no
sigmoid at the end of the critic.
"""

print(models.get_preset("wgan_gp").description)
generator, critic = models.build_preset("wgan_gp")
generator.summary()
critic.summary()

"""
## Training both

Each generator step follows `n_critic = 5` critic steps on 5 *different*
real batches, so each `fit` step consumes 5 x 64 = 320 images. The defaults
follow each paper: WGAN uses RMSprop(5e-5); WGAN-GP Adam(1e-4, beta_1=0.5,
beta_2=0.9).
"""

batch_size = 64
limit = 640 if args.quick else None
trained, histories = {}, {}
for name, gan_class in (("wgan", gans.WGAN), ("wgan_gp", gans.WGANGP)):
    print(f"\n--- {gan_class.__name__} ---")
    keras.utils.set_random_seed(args.seed)
    generator, critic = models.build_preset("wgan_gp")
    gan = gan_class(generator, critic, seed=args.seed)
    gan.compile()
    dataset = data.load_dataset(
        "mnist", batch_size=gan.n_critic * batch_size, drop_remainder=True, limit=limit, seed=args.seed
    )
    history = gan.fit(
        dataset,
        epochs=args.epochs,
        verbose=2,
        callbacks=[
            callbacks.StopOnNonFinite(),
            callbacks.ImageGrid(args.out / name / "progress"),
            callbacks.LossCurves(args.out / name),
            callbacks.SampleGrid(args.out / name),
        ],
    )
    trained[name], histories[name] = gan, history.history
    files += [f"{name}/samples_10x10.png", f"{name}/loss_curves.png", f"{name}/loss_curves.csv"]

"""
## Critic scores

`real_score` and `fake_score` are the critic's mean outputs. Their level
means nothing (the losses do not change if a constant is added to every
score); their difference, the critic gap, is the critic's estimate of the
Wasserstein distance, scaled by its Lipschitz constant. It should fall as the
generator improves. For WGAN-GP the penalty term shrinks once the critic's
gradients have norm ~1. The clipped critic's gap stays small: its Lipschitz
constant is held far below 1, so its distance estimate is scaled down and
the generator gets a weak signal.
"""

for name, history in histories.items():
    penalty_header = "  gradient_penalty" if name == "wgan_gp" else ""
    print(f"\n{name}: epoch  real_score  fake_score  gap (W estimate){penalty_header}")
    for epoch in range(len(history["d_loss"])):
        real_score, fake_score = history["real_score"][epoch], history["fake_score"][epoch]
        line = f"{epoch + 1:>13}  {real_score:10.4f}  {fake_score:10.4f}  {real_score - fake_score:16.4f}"
        if name == "wgan_gp":
            line += f"  {history['gradient_penalty'][epoch]:16.4f}"
        print(line)

figure = Figure(figsize=(10, 3.4), layout="constrained")
for axes, key, title in zip(
    figure.subplots(1, 3),
    ("d_loss", "g_loss", None),
    ("critic loss", "generator loss", "critic gap E[D(x)] - E[D(G(z))]"),
):
    for name, history in histories.items():
        epochs = np.arange(1, len(history["d_loss"]) + 1)
        values = history[key] if key else np.subtract(history["real_score"], history["fake_score"])
        axes.plot(epochs, values, marker="o", label=name)
    axes.set(title=title, xlabel="epoch")
    axes.legend(fontsize=8)
figure.savefig(args.out / "wgan_vs_wgangp_curves.png", dpi=100)
files.append("wgan_vs_wgangp_curves.png")

"""
## What each constraint did to its critic

Two measurements on the trained critics:

- where the weights are: most Glorot-initialised weights exceed c = 0.01,
  so the first clipping flattens them to +-c; Gulrajani et al. found that
  clipped critics keep many weights piled up at the bounds, a near-binary
  network that wastes capacity. We count how many are still there. The
  penalised critic's weights are free;
- the gradient norm ||grad D(x_hat)|| on points between real and generated
  images: the penalty aims at 1, clipping keeps it much smaller.
"""

real_batch = data.normalize(data.load_arrays("mnist", split="test", limit=256)[0])
for name, gan in trained.items():
    kernels = [w.numpy().ravel() for w in gan.discriminator.trainable_weights if w.ndim == 2]
    kernels = np.abs(np.concatenate(kernels))
    fakes = gan.generate(len(real_batch))
    epsilon = tf.random.uniform((len(real_batch), 1, 1, 1), seed=args.seed)
    interpolates = epsilon * real_batch + (1 - epsilon) * fakes
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = gan.discriminator(interpolates)
    norms = tf.norm(tf.reshape(tape.gradient(scores, interpolates), (len(real_batch), -1)), axis=1).numpy()
    weights = (
        f"{np.mean(kernels >= clip * 0.999):.1%} of the kernel weights at |w| = {clip}"
        if name == "wgan"
        else f"kernel weights up to |w| = {kernels.max():.3f}"
    )
    print(f"{name:8}: {weights}; gradient norm at interpolates {norms.mean():.3f} +- {norms.std():.3f}")

"""
The final grids are `wgan/samples_10x10.png` and `wgan_gp/samples_10x10.png`
(100 samples each). With the same budget WGAN-GP is usually much further
along: clipping with RMSprop(5e-5) learns slowly, which is what the gradient
penalty was invented to fix.
"""

_common.finish(args, files)
