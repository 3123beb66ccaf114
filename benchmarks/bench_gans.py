"""Training speed of the recipes: float32 or bfloat16, with or without XLA.

For each recipe (`wgan-gp`: the WGAN-GP exercise's exact MLP, batch 64,
n_critic 5 and the penalty on every pair as in the paper, not the recipe's
DCGAN; `dcgan`; `cgan`; `ebm`) prints training steps/s of `fit` on the bundled MNIST
pipeline in every combination of `--precision` and XLA, all timed in this
one run, and for the unconditional GANs a plain `tf.function` loop of the
same step (the recipe's networks, losses and penalties, no Keras `fit`) as
the yardstick. A GAN step is one generator update; an EBM step is one
contrastive-divergence update with its Langevin steps (60 by default).

    python benchmarks/bench_gans.py [--recipes wgan-gp dcgan cgan ebm] [--seconds 40]

Each setting is traced and warmed up first, then timed for about
`--seconds` of whole `fit` calls. A setting that cannot run here (XLA has no
kernel for an operation in that precision) prints the reason instead.
"""

import argparse
import os
import re
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import config, gans, training  # noqa: E402

STEPS_PER_EXECUTION = 8


class Timer:
    """Wall seconds and this process's CPU seconds (all its threads) of a block.

    On a machine shared with other virtual machines the wall clock can halve
    when a core is taken away; the CPU seconds a step costs change less, so
    both are reported.
    """

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_fit(model: keras.Model, dataset: tf.data.Dataset, seconds: float) -> tuple[float, float]:
    """(steps/s, CPU seconds/step) of `fit` once traced: whole executions for about `seconds`."""
    model.fit(dataset, steps_per_epoch=STEPS_PER_EXECUTION, epochs=1, verbose=0)  # trace, warm up
    with Timer() as one_call:
        model.fit(dataset, steps_per_epoch=STEPS_PER_EXECUTION, epochs=1, verbose=0)
    steps = max(1, round(seconds / one_call.wall)) * STEPS_PER_EXECUTION
    with Timer() as timed:
        model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    return steps / timed.wall, timed.cpu / steps


def time_plain_loop(gan: gans.GAN, dataset: tf.data.Dataset, seconds: float) -> tuple[float, float]:
    """(steps/s, CPU seconds/step) of the GAN's step as a plain `tf.function`, one call per step.

    The objective of `GAN.train_step` for an unconditional GAN (n_critic
    critic updates on their own real batches and fresh fakes, penalties
    included, then one generator update), written the way a tutorial would.
    Unlike `fit` it draws fresh fakes for the generator update and keeps no
    EMA generator.
    """
    generator, critic = gan.generator, gan.discriminator
    n_critic, latent_dim = gan.n_critic, gan.latent_dim
    seed = keras.random.SeedGenerator(0)

    def critic_on(images):
        return critic(images, training=True)

    @tf.function
    def step(real_batches):
        batch_size = tf.shape(real_batches)[0] // n_critic
        for i in range(n_critic):
            real = real_batches[i * batch_size : (i + 1) * batch_size]
            z = keras.random.normal((batch_size, latent_dim), seed=seed)
            with tf.GradientTape() as tape:
                fake = generator(z, training=True)
                d_loss = gan.d_loss_fn(critic_on(real), critic_on(fake))
                d_loss += sum(gan.critic_penalties(critic_on, real, fake).values())
            grads = tape.gradient(d_loss, critic.trainable_variables)
            gan.d_optimizer.apply_gradients(zip(grads, critic.trainable_variables))
        z = keras.random.normal((batch_size, latent_dim), seed=seed)
        with tf.GradientTape() as tape:
            g_loss = gan.g_loss_fn(critic_on(generator(z, training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        gan.g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))

    iterator = iter(dataset)
    for _ in range(3):  # trace, warm up
        step(next(iterator))
    steps, start = 0, time.perf_counter()
    with Timer() as timed:
        while time.perf_counter() - start < seconds:
            step(next(iterator))
            steps += 1
    return steps / timed.wall, timed.cpu / steps


def build(recipe: str, precision: str, jit_compile: bool) -> tuple[keras.Model, tf.data.Dataset]:
    """The recipe's compiled model and its repeated training pipeline."""
    # wgan-gp is timed on the exercise's MLP with the paper's 5 critic updates
    # per generator update (its recipe now trains the DCGAN with 2), so the
    # figures stay comparable with the earlier ones.
    paper_setup = dict(preset="wgan_gp", n_critic=5) if recipe == "wgan-gp" else {}
    run = config.TrainConfig(model=recipe, precision=precision, **paper_setup)
    if run.is_gan:
        model = training.build_gan(run, steps_per_execution=STEPS_PER_EXECUTION, jit_compile=jit_compile)
        if paper_setup:
            # The paper estimates the penalty on every pair, not on the recipe's 32.
            model.gp_samples = None
        conditional, n_critic = model.conditional, model.n_critic
    else:
        model = training.build_ebm(run, steps_per_execution=STEPS_PER_EXECUTION, jit_compile=jit_compile)
        conditional, n_critic = False, 1
    dataset, _ = training.make_dataset(run, conditional, n_critic)
    return model, dataset.prefetch(tf.data.AUTOTUNE)


def main() -> None:
    recipes = ["wgan-gp", "dcgan", "cgan", "ebm"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=recipes, choices=recipes)
    parser.add_argument("--seconds", type=float, default=40.0, help="timed seconds per setting")
    args = parser.parse_args()
    print(describe_machine(), flush=True)
    print("\n| recipe | setting | steps/s | vs plain loop | CPU s/step |")
    print("| --- | --- | --- | --- | --- |")
    for recipe in args.recipes:
        plain_rate = None
        if recipe in ("wgan-gp", "dcgan"):
            gan, dataset = build(recipe, "float32", jit_compile=False)
            plain_rate, cpu = time_plain_loop(gan, dataset, args.seconds)
            print(f"| {recipe} | plain tf.function loop, float32 | {plain_rate:.2f} | 1.00 | {cpu:.3f} |", flush=True)
        for precision in config.PRECISIONS:
            for jit_compile in (False, True):
                setting = f"fit, {precision}, {'XLA' if jit_compile else 'no XLA'}"
                try:
                    model, dataset = build(recipe, precision, jit_compile)
                    rate, cpu = time_fit(model, dataset, args.seconds)
                except tf.errors.InvalidArgumentError as error:
                    # e.g. "... XLA_CPU_JIT: MaxPoolGradGrad (No registered 'MaxPoolGradGrad' OpKernel ..."
                    missing = re.search(r"No registered '(\w+)' OpKernel", str(error))
                    reason = f"XLA has no {missing.group(1)} kernel" if missing else str(error).splitlines()[0]
                    print(f"| {recipe} | {setting} | cannot run: {reason} | | |", flush=True)
                    continue
                ratio = f"{rate / plain_rate:.2f}" if plain_rate else ""
                print(f"| {recipe} | {setting} | {rate:.2f} | {ratio} | {cpu:.3f} |", flush=True)


if __name__ == "__main__":
    main()
