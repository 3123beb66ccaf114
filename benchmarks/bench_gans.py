"""Training throughput of the GAN presets on this machine.

Prints generator steps/s and real images/s of `fit` on the bundled MNIST
pipeline for the `wgan_gp` preset (batch 64, n_critic 5: 320 real images per
generator step) and for `dcgan`, next to a plain `tf.function` loop of the
same WGAN-GP math, timed in the same run.

    python benchmarks/bench_gans.py [--steps 400]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import data, gans, losses, models  # noqa: E402


def time_fit(gan, dataset, steps, **compile_kwargs):
    gan.compile(**compile_kwargs)
    # Keras runs whole executions: time a multiple of steps_per_execution.
    per_call = compile_kwargs.get("steps_per_execution", 1)
    steps -= steps % per_call
    gan.fit(dataset, steps_per_epoch=min(steps, 48), epochs=1, verbose=0, shuffle=False)  # trace, warm up
    start = time.perf_counter()
    gan.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return steps / (time.perf_counter() - start)


def time_plain_loop(dataset, steps, batch_size, n_critic):
    """The WGAN-GP step written as a plain tf.function, no Keras fit."""
    generator, critic = models.build_preset("wgan_gp")
    d_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
    g_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
    seed = keras.random.SeedGenerator(0)

    @tf.function
    def step(real_batches):
        for i in range(n_critic):
            real = real_batches[i * batch_size : (i + 1) * batch_size]
            z = keras.random.normal((batch_size, 100), seed=seed)
            with tf.GradientTape() as tape:
                fake = generator(z, training=True)
                d_loss = losses.wasserstein_discriminator_loss(critic(real), critic(fake))
                d_loss += losses.gradient_penalty(critic, real, fake, seed=seed)
            grads = tape.gradient(d_loss, critic.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, critic.trainable_variables))
        z = keras.random.normal((batch_size, 100), seed=seed)
        with tf.GradientTape() as tape:
            g_loss = losses.wasserstein_generator_loss(critic(generator(z, training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))

    iterator = iter(dataset)
    for _ in range(20):
        step(next(iterator))
    start = time.perf_counter()
    for _ in range(steps):
        step(next(iterator))
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=384, help="generator steps timed per setting")
    args = parser.parse_args()
    print(describe_machine(), flush=True)
    batch_size, n_critic = 64, 5
    wgan_data = data.load_dataset("mnist", batch_size=batch_size * n_critic, drop_remainder=True).repeat()
    dcgan_data = data.load_dataset("mnist", batch_size=batch_size, drop_remainder=True).repeat()

    print(f"{'setting':<48} {'G steps/s':>10} {'real img/s':>11}")

    def report(name, steps_per_second, images_per_step):
        print(f"{name:<48} {steps_per_second:>10.1f} {steps_per_second * images_per_step:>11.0f}")

    rate = time_plain_loop(wgan_data, args.steps, batch_size, n_critic)
    report("wgan_gp plain tf.function loop", rate, batch_size * n_critic)
    for jit, per_call in ((False, 1), (True, 1), (True, 8), (True, 32)):
        gan = gans.WGANGP(*models.build_preset("wgan_gp"), n_critic=n_critic)
        rate = time_fit(gan, wgan_data, args.steps, jit_compile=jit, steps_per_execution=per_call)
        report(f"wgan_gp fit jit_compile={jit} steps_per_execution={per_call}", rate, batch_size * n_critic)
    gan = gans.GAN(*models.build_preset("dcgan"))
    rate = time_fit(gan, dcgan_data, args.steps // 4, jit_compile=True, steps_per_execution=8)
    report("dcgan fit jit_compile=True steps_per_execution=8", rate, batch_size)


if __name__ == "__main__":
    main()
