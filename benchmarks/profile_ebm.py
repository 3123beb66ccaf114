"""Where a training step of the energy-based model spends its time.

Times, for one batch of 128 real images and after tracing, a whole
`EnergyBasedModel.train_step` and each of its parts: the Langevin loop (its
chains in the model's two groups, and in one loop), the same loop compiled
with XLA and with the energy network in bfloat16, the replay-buffer draw and
the contrastive-divergence update. TensorFlow's pools are set as `train ebm`
sets them (`ebm.set_threads_for_chain_groups`). The whole step
and the loop are timed for the model's default, one buffer chain advanced
per real image (128), and for 64 chains from a buffer half as big
(`negative_samples=64, buffer_size=4096`), which `train_ebm.py` found to
give worse samples (a higher Fréchet distance with two seeds out of two).
Each figure is the fastest of `--repeats` calls, so a moment when the
machine is slow does not count.

    python benchmarks/profile_ebm.py [--repeats 5]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import ebm, precision  # noqa: E402
from keras_gans.ebm.langevin import langevin_dynamics  # noqa: E402

BATCH_SIZE = 128


def fastest_ms(function, repeats: int) -> float:
    """Milliseconds of the fastest of `repeats` calls, after two untimed ones."""
    function()
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def langevin_loop(model: ebm.EnergyBasedModel, jit_compile: bool, chain_groups: int | None = None):
    """The model's training Langevin loop as one compiled function of the start images.

    `chain_groups=None` splits the chains as the model does.
    """
    seed = keras.random.SeedGenerator(1)

    def run(images):
        return langevin_dynamics(
            model._score_for_sampling,
            images,
            steps=model.langevin_steps,
            step_size=model.step_size,
            noise_std=model.noise_std,
            seed=seed,
            grad_clip=model.grad_clip,
            chain_groups=model.chain_groups if chain_groups is None else chain_groups,
        )

    return tf.function(run, jit_compile=jit_compile)


# Half as many chains per step, from a buffer half as big, so each chain is
# still visited every 64 steps.
FEWER_CHAINS = 64
FEWER_CHAINS_BUFFER_SIZE = 4096


def settings_name(model: ebm.EnergyBasedModel) -> str:
    """E.g. "64 of 4096 buffer chains x 60 Langevin steps"."""
    chains = model.negative_samples or BATCH_SIZE
    return f"{chains} of {model.buffer_size} buffer chains x {model.langevin_steps} Langevin steps"


def training_step(model: ebm.EnergyBasedModel, real_images: tf.Tensor):
    """One compiled `train_step` (Langevin loop, buffer write-back, CD update) on a fixed batch."""
    return tf.function(lambda: model.train_step(real_images))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per part; the fastest counts")
    args = parser.parse_args()
    # Before TensorFlow's first op, as `train ebm` does: one thread per op on 2 cores.
    ebm.set_threads_for_chain_groups()
    print(describe_machine(), flush=True)

    model = ebm.EnergyBasedModel(ebm.energy_network(), seed=0)
    model.compile()
    fewer_chains = ebm.EnergyBasedModel(
        ebm.energy_network(), negative_samples=FEWER_CHAINS, buffer_size=FEWER_CHAINS_BUFFER_SIZE, seed=0
    )
    fewer_chains.compile()
    with precision.dtype_policy("mixed_bfloat16"):
        bfloat16_network = ebm.energy_network()
    bfloat16_model = ebm.EnergyBasedModel(bfloat16_network, seed=0)
    images = tf.random.uniform((BATCH_SIZE, 28, 28, 1), -1.0, 1.0, seed=0)
    chains = images[:FEWER_CHAINS]

    @tf.function
    def contrastive_divergence_update(real, fake):
        with tf.GradientTape() as tape:
            scores = model(tf.concat([real, fake], axis=0), training=True)
            real_scores, fake_scores = scores[:BATCH_SIZE], scores[BATCH_SIZE:]
            loss = tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)
            loss += model.alpha * (tf.reduce_mean(real_scores**2) + tf.reduce_mean(fake_scores**2))
        weights = model.trainable_weights
        model.optimizer.apply(tape.gradient(loss, weights), weights)

    draw = tf.function(lambda: model.sample_replay_buffer(BATCH_SIZE))
    plain, xla = langevin_loop(model, False), langevin_loop(model, True)
    one_loop = langevin_loop(model, False, chain_groups=1)
    bfloat16 = langevin_loop(bfloat16_model, False)
    step, fewer_chains_step = training_step(model, images), training_step(fewer_chains, images)
    parts = [
        (f"whole training step ({settings_name(model)})", step),
        (f"whole training step, fewer chains ({settings_name(fewer_chains)})", fewer_chains_step),
        (f"Langevin loop, {BATCH_SIZE} chains in {model.chain_groups} groups", lambda: plain(images)),
        (f"Langevin loop, {BATCH_SIZE} chains in one loop", lambda: one_loop(images)),
        (f"Langevin loop, {FEWER_CHAINS} chains in {model.chain_groups} groups", lambda: plain(chains)),
        (f"Langevin loop, {BATCH_SIZE} chains, XLA", lambda: xla(images)),
        (f"Langevin loop, {BATCH_SIZE} chains, bfloat16 network", lambda: bfloat16(images)),
        ("replay-buffer draw", draw),
        ("contrastive-divergence update", lambda: contrastive_divergence_update(images, images)),
    ]
    print(
        f"\nbatch of {BATCH_SIZE} real images, {model.langevin_steps} Langevin steps, fastest of {args.repeats} calls\n"
    )
    print("| part of a training step | ms |")
    print("| --- | --- |")
    for name, function in parts:
        print(f"| {name} | {fastest_ms(function, args.repeats):.1f} |", flush=True)


if __name__ == "__main__":
    main()
