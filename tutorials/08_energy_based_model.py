"""
Title: An energy-based model: one network, Langevin sampling, out-of-distribution scores
Author: keras_gans
Description: Learn p(x) ∝ exp(-E(x)) with a Swish CNN, sample it by Langevin MCMC, use E(x) to flag odd inputs.

What you will learn:

- what an energy-based model (EBM) is, and how it generates without a
  generator network;
- Langevin dynamics, checked on a toy energy whose answer we know;
- contrastive divergence with a replay buffer of persistent chains, and the
  regulariser that keeps energies finite (Du & Mordatch 2019);
- how many MCMC steps a digit needs to emerge from noise;
- how the learned score flags out-of-distribution inputs: noise, flipped,
  rotated, inverted digits (AUROC table).

How to run:

    python tutorials/08_energy_based_model.py [--quick] [--epochs 3] [--limit N] [--out DIR]

The default 3 passes over the 60,000 training digits (3 x 468 steps of 128
images, each with 60 Langevin steps) take about a quarter of an hour on 2
CPU cores: an EBM needs more compute than the GANs of the other tutorials.
Samples are then digit strokes after 512 Langevin steps from noise.
`--epochs 1` (about 5 minutes) gives blobs with digit-like outlines.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import keras
import numpy as np
import tensorflow as tf

from keras_gans import callbacks, data, ebm, grids, metrics

# Before TensorFlow runs its first op: one thread per op, so the sampler's two
# groups of chains (see "Training" below) each get a core of a 2-core CPU.
ebm.set_threads_for_chain_groups()
parser = _common.parser(__file__, epochs=3)
parser.add_argument("--limit", type=int, help="training digits (default all 60,000; 256 with --quick)")
parser.add_argument("--batch-size", type=int, default=128)
args = _common.start(parser)
limit = args.limit or (256 if args.quick else None)
batch_size = 64 if args.quick else args.batch_size
files = []

"""
## An energy instead of a generator

An EBM assigns every image x an energy E(x) and defines the density
p(x) = exp(-E(x)) / Z. Z, the sum over all possible images, is intractable,
but nothing below needs it: training only compares energies, and sampling
only needs the gradient of E with respect to the image.

keras_gans' network outputs the *score* s(x) = -E(x) (higher = more like the
data). It is a small CNN with Swish activations: smooth, so the input
gradient that sampling follows is smooth too, and no batch norm, so each
image's score depends on that image alone.
"""

network = ebm.energy_network()
network.summary()

"""
## Langevin dynamics

To sample from exp(s(x)), start anywhere and repeat

    x <- x + (step_size / 2) * grad_x s(x) + noise_std * N(0, I)

With noise_std = sqrt(step_size) and small steps the chain's distribution
approaches exp(s(x)). A toy check with a known answer: s(x) = -||x - mu||^2 / 2
is the log-density of N(mu, I), so chains started from uniform noise must end
with mean mu and standard deviation ~1 (slightly more for a finite step: the
stationary variance is sigma^2 / (1 - (1 - step_size/2)^2)).
"""

mu = tf.constant([2.0, -1.0])


def toy_score(points):
    return -0.5 * tf.reduce_sum(tf.square(points - mu), axis=1)


start = tf.random.uniform((4000, 2), -5.0, 5.0, seed=args.seed)
step_size = 0.1
chains = ebm.langevin_dynamics(
    toy_score, start, steps=300, step_size=step_size, noise_std=np.sqrt(step_size), seed=args.seed, value_range=None
)
expected_std = np.sqrt(step_size / (1 - (1 - step_size / 2) ** 2))
print(
    f"toy chains: mean {np.round(chains.numpy().mean(axis=0), 2)} (mu = {mu.numpy()}), "
    f"std {np.round(chains.numpy().std(axis=0), 3)} (expected {expected_std:.3f})"
)

"""
Image EBMs use a different regime (Du & Mordatch 2019): a large gradient step
(step_size 20), gradients clipped to +-0.03 per pixel, tiny noise (0.005),
and pixels clipped to [-1, 1]. That is mostly noisy gradient *ascent* of the
score: it finds sharp samples in tens of steps instead of thousands, at the
price of not being an exact sampler.

## Training: contrastive divergence with a replay buffer

Each train step

1. takes a batch of real digits (plus a little noise, so the energy is
   defined around the data and not only on it);
2. takes as many chains from the **replay buffer** (8,192 persistent chains,
   initialised with uniform noise), restarts 5 % of them from fresh noise,
   runs 60 Langevin steps and writes them back. Chains therefore accumulate
   many steps over training, far more than one train step could afford.
   The chains do not interact, so they run as two groups, each its own loop
   with its own noise, which TensorFlow runs side by side on two cores;
3. minimises the **contrastive divergence** `mean(E(real)) - mean(E(fake))`
   (real energies down, sample energies up) plus `alpha * (mean(E(real)^2)
   + mean(E(fake)^2))`, a **regulariser** that keeps energies near 0 so
   that they cannot run away (alpha = 0.1).

The whole step, from `EnergyBasedModel`:
"""

_common.show_source(ebm.EnergyBasedModel.train_step)

"""
`DivergenceGuard` watches the energies: if they blow up (EBM training can
diverge suddenly) it restores the last healthy weights and stops with an
error naming the step, instead of training on garbage. `LossCurves` records
the losses and the mean energies of real and sampled images.
"""

model = ebm.EnergyBasedModel(
    network,
    buffer_size=256 if args.quick else 8192,
    langevin_steps=10 if args.quick else 60,
    seed=args.seed,
)
model.compile()
dataset = data.load_dataset("mnist", batch_size=batch_size, drop_remainder=True, limit=limit, seed=args.seed)
history = model.fit(
    dataset,
    epochs=args.epochs,
    verbose=2,
    callbacks=[ebm.DivergenceGuard(), callbacks.LossCurves(args.out)],
)
files += ["loss_curves.png", "loss_curves.csv"]
print(
    f"last epoch: real energy {history.history['real_energy'][-1]:+.3f}, "
    f"sampled energy {history.history['fake_energy'][-1]:+.3f} (samples should sit slightly above)"
)

buffer = keras.ops.convert_to_numpy(model.replay_buffer)
chosen = np.random.default_rng(args.seed).choice(len(buffer), 100, replace=False)
grids.save_image_grid(buffer[chosen], args.out / "buffer_samples.png", nrows=10, ncols=10)
files.append("buffer_samples.png")

"""
`buffer_samples.png` shows 100 random chains of the replay buffer: what the
model was trained against. Chains restarted recently are still noisy.

## How many MCMC steps does a digit need?

New samples start from uniform noise. `generate(..., return_steps=[...])`
returns the same chains at several step counts: `mcmc_steps.png` has one
row per step count (0, 16, 64, 128, 256, 512, 1024; 0 = the noise), the same
10 chains in every row, and `samples.png` 100 chains after 1024 steps.
"""

final_steps = 128 if args.quick else 1024
stride = 16  # record every 16th step, for the numbers below
step_counts = list(range(0, final_steps + 1, stride))
shown = [0, 16, 64, 128, 256, 512, 1024][: 4 if args.quick else 7]  # the rows of the figure
n_chains = 50 if args.quick else 200
final, intermediate = model.generate(n_chains, steps=final_steps, return_steps=step_counts[:-1])
intermediate[final_steps] = final
rows = np.concatenate([intermediate[steps][:10] for steps in shown])
grids.save_image_grid(rows, args.out / "mcmc_steps.png", nrows=len(shown), ncols=10)
grids.save_image_grid(final[:100], args.out / "samples.png", ncols=10)
files += ["mcmc_steps.png", "samples.png"]

"""
To put a number on it, follow the model's own score s(x) = -E(x) along each
chain: it climbs steeply while structure appears, then levels off. We count
the steps a chain needs to gain 90 % of its total score increase, and how
much the pixels still move between step counts. (Why not ask the metrics
classifier when a chain "becomes" a digit? It is confidently wrong on pure
noise, as its mean confidence at step 0 below shows: a classifier's
confidence says nothing about whether an input is a plausible image, which
is exactly what the EBM's score is for.)
"""

scores = np.stack([model.score(intermediate[steps]) for steps in step_counts])  # (counts, chains)
gain = scores - scores[0]
# Index of the first step count at which each chain has 90 % of its final gain.
first_reached = np.argmax(gain >= 0.9 * gain[-1], axis=0)
steps_needed = np.asarray(step_counts)[first_reached]
extractor = metrics.FeatureExtractor(_common.metrics_classifier(args.quick))
print(f"{'steps':>5}  {'mean score':>10}  {'pixel change per step':>21}  {'classifier confidence':>21}")
for steps in shown:
    index = step_counts.index(steps)
    change = 0.0
    if index > 0:
        change = np.abs(intermediate[steps] - intermediate[step_counts[index - 1]]).mean() / stride
    confidence = extractor(intermediate[steps])[1].max(axis=1).mean()
    print(f"{steps:>5}  {scores[index].mean():>10.3f}  {change:>21.5f}  {confidence:>21.2f}")
print(
    f"steps to 90 % of the score gain: median {np.median(steps_needed):.0f}, "
    f"90th percentile {np.percentile(steps_needed, 90):.0f}"
)

"""
Grouped by the digit the classifier reads in the final samples (more
trustworthy once they look like digits): do some digits need more steps than
others, and which digits does the sampler produce most?
"""

final_class = extractor.predict_classes(final)
print(f"{'digit':>5}  {'chains':>6}  {'median steps to 90 %':>20}")
for digit in range(10):
    chains = final_class == digit
    median = f"{np.median(steps_needed[chains]):.0f}" if chains.any() else "-"
    print(f"{digit:>5}  {int(chains.sum()):>6}  {median:>20}")

"""
Expect similar medians for all digits: the per-pixel gradient clip (+-0.03,
so at most 0.3 per pixel and step) makes every chain move at about the same
speed, so the number of steps depends more on the sampler's settings than on
the digit. The score and the pixels change fastest in the first ~100 steps,
but look at `mcmc_steps.png`: at 256 steps the digits are still speckled
blobs, and only by 512-1024 steps does the speckle clear into strokes. The
last pixels to settle are isolated specks, which move the score little. The
chains in the replay buffer, which the model trained against, had run about
a thousand steps each (60 per visit, ~20 visits), so that is the regime the
energy has learned; `generate` defaults to the model's `sample_steps`, 512.

## Out-of-distribution detection

The score s(x) = -E(x) says how much an image looks like the training data,
so it can flag inputs the model was never meant to see. `ood_table` scores
real test digits and transformed versions of them (probes) and reports the
AUROC of separating real from each probe: 1.0 means every real digit scores
higher than every probe image, 0.5 is chance. Noise and inverted digits are
easy; flips and rotations of digits, whose strokes are still digit strokes,
are harder, and are where the model's idea of "digit" shows.
"""

test_images = data.normalize(data.load_arrays("mnist", split="test", limit=200 if args.quick else 1000)[0])
table = ebm.format_ood_table(ebm.ood_table(model, test_images, seed=args.seed))
print(table)
(args.out / "ood_table.txt").write_text(table + "\n")
files.append("ood_table.txt")

probes = {
    "real": test_images[:8],
    "uniform noise": ebm.uniform_noise_images(8, test_images.shape[1:], seed=args.seed),
    "flip upside-down": ebm.flip_vertical(test_images[:8]),
    "rotate 90": ebm.rotate(test_images[:8], 90),
    "invert": ebm.invert(test_images[:8]),
    "overlay (max)": ebm.overlay(test_images[:16], "max", seed=args.seed)[:8],
}
grids.save_image_grid(np.concatenate(list(probes.values())), args.out / "ood_probes.png", nrows=len(probes), ncols=8)
files.append("ood_probes.png")
print(
    "rows of ood_probes.png, with their mean score: "
    + ", ".join(f"{name} {model.score(images).mean():+.3f}" for name, images in probes.items())
)

_common.finish(args, files)
