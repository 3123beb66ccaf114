"""The baseline every recipe must beat: the CS231n DCGAN as a plain loop.

This is the convolutional GAN of the public CS231n GAN assignment, written as
a plain `tf.function` training step with no Keras `fit`, no EMA and no tuning,
the way a student would write it:

- G: z(96) -> Dense 1024 ReLU -> BatchNorm -> Dense 7*7*128 ReLU -> BatchNorm
  -> reshape (7, 7, 128) -> Conv2DTranspose(64, 4, stride 2) ReLU -> BatchNorm
  -> Conv2DTranspose(1, 4, stride 2) tanh -> (28, 28, 1)
- D: Conv2D(32, 5) LeakyReLU(0.01) -> MaxPool 2 -> Conv2D(64, 5)
  LeakyReLU(0.01) -> MaxPool 2 -> Dense 1024 LeakyReLU(0.01) -> Dense 1 logit
- batch 128, Adam(1e-3, beta_1=0.5) for both, non-saturating BCE on logits.

It trains on the bundled MNIST and saves the generator (`.keras`) after the
epochs given by `--save-at` and whenever one of `--seconds` of training
have passed (the times the recipes took, for comparisons at equal time),
and prints the training time of each save. That time is CPU time: the
process's user and system seconds, on all cores, during the training steps:
a comparison per CPU-minute rests on it, and it stretches less than wall
time when a shared host takes the cores away for a while.
`benchmarks/quality_table.py` scores the saved generators with the same
metrics as the recipes.

    python benchmarks/cs231n_dcgan.py --save-at 1 2 --out /tmp/baseline
    python benchmarks/cs231n_dcgan.py --save-at 1 2 --seconds 240 300 --out /tmp/baseline
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gans  # noqa: E402, F401, I001  (first: its backend and oneDNN settings, keras_gans/__init__.py)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

from keras_gans import data  # noqa: E402

LATENT_DIM = 96
BATCH_SIZE = 128


def build_generator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((LATENT_DIM,)),
            layers.Dense(1024, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(7 * 7 * 128, activation="relu"),
            layers.BatchNormalization(),
            layers.Reshape((7, 7, 128)),
            layers.Conv2DTranspose(64, 4, strides=2, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="cs231n_dcgan_generator",
    )


def build_discriminator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 5),
            layers.LeakyReLU(0.01),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 5),
            layers.LeakyReLU(0.01),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(1024),
            layers.LeakyReLU(0.01),
            layers.Dense(1),
        ],
        name="cs231n_dcgan_discriminator",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-at", type=int, nargs="*", default=[], help="epochs after which to save G")
    parser.add_argument("--seconds", type=float, nargs="*", default=[], help="save after these CPU seconds of training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="folder for the saved generators")
    args = parser.parse_args()
    if not args.save_at and not args.seconds:
        parser.error("give --save-at EPOCH ... or --seconds S")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    keras.utils.set_random_seed(args.seed)
    images, _ = data.load_arrays("mnist", split="train")
    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .shuffle(len(images), seed=args.seed)
        .batch(BATCH_SIZE, drop_remainder=True)
        .map(lambda batch: tf.cast(batch, tf.float32) / 127.5 - 1.0)
        .prefetch(tf.data.AUTOTUNE)
    )
    generator, discriminator = build_generator(), build_discriminator()
    g_optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5)
    d_optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(real):
        z = tf.random.normal((BATCH_SIZE, LATENT_DIM))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator(z, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return d_loss, g_loss

    trained = 0.0  # CPU seconds spent in training steps, saves excluded
    trained_wall = 0.0  # the same steps' wall-clock seconds, for the record
    budgets = sorted(set(args.seconds))  # the time budgets not reached yet
    last_epoch = max(args.save_at, default=0)
    epoch = 0
    while budgets or epoch < last_epoch:
        epoch += 1
        for real in dataset:
            start, start_wall = time.process_time(), time.perf_counter()
            d_loss, g_loss = train_step(real)
            d_loss = float(d_loss)  # waits for the step to finish
            trained += time.process_time() - start
            trained_wall += time.perf_counter() - start_wall
            while budgets and trained >= budgets[0]:
                save(generator, out / f"generator_{budgets.pop(0):g}s.keras", trained, trained_wall)
            if not budgets and epoch > last_epoch:  # nothing left to save
                return
        print(f"epoch {epoch}: {trained:.1f} CPU s of training, d_loss {d_loss:.3f}, g_loss {float(g_loss):.3f}")
        if epoch in args.save_at:
            save(generator, out / f"generator_epoch_{epoch}.keras", trained, trained_wall)


def save(generator: keras.Model, path: Path, trained: float, trained_wall: float) -> None:
    generator.save(path)
    # quality_table.py reads this line.
    print(f"saved {path} after {trained:.1f} CPU s, {trained_wall:.1f} s wall")


if __name__ == "__main__":
    main()
