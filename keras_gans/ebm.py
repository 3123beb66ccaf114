"""Energy-based model of images, trained by contrastive divergence with Langevin sampling.

An energy-based model (EBM) defines an unnormalised density over images,
p(x) ∝ exp(−E(x)), with a single network and no generator. Training lowers the
energy of real images and raises the energy of samples drawn from the model
itself by Langevin dynamics (Du & Mordatch, "Implicit Generation and Modeling
with Energy-Based Models", 2019, arXiv:1903.08689; the recipe follows the UvA
Deep Learning tutorial 8, "Deep Energy-Based Generative Models").

Sign convention: the network outputs a *score* s(x) = −E(x), so higher means
more likely (more like the training data). `EnergyBasedModel.score` returns
s(x), which doubles as an out-of-distribution (OOD) score: in-distribution
images should score higher than anything else. The module also holds OOD
probes (image transforms), `auroc` and `ood_table` to measure exactly that.

Images are float32 in [-1, 1] with shape (batch, 28, 28, 1), like everywhere
in keras_gans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import keras
import numpy as np
import scipy.ndimage
import tensorflow as tf
from keras import ops

# --------------------------------------------------------------------------
# Energy network
# --------------------------------------------------------------------------


def energy_network(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    filters: Sequence[int] = (16, 32, 64),
    hidden_units: int = 64,
    name: str = "energy_network",
) -> keras.Model:
    """Builds the CNN that scores images: s(x) = −E(x), higher = more likely.

    Strided 3x3 convolutions (5x5 for the first) halve the resolution at each
    layer: 28x28 → 14x14 → 7x7 → 4x4 for the default three layers. Swish
    activations are smooth, so ∇ₓ s(x) (what Langevin sampling follows) is
    smooth too; ReLU networks give piecewise-constant input gradients.
    There is no batch normalisation: it would couple the images of a batch,
    and every image's score must depend on that image alone.

    Args:
        image_shape: (height, width, channels) of the input images.
        filters: number of filters of each strided convolution.
        hidden_units: width of the dense layer before the scalar output.
        name: name of the returned model.

    Returns:
        A functional `keras.Model` mapping float32 images (batch, *image_shape)
        in [-1, 1] to scores of shape (batch,).
    """
    if len(image_shape) != 3 or any(int(d) <= 0 for d in image_shape):
        raise ValueError(
            "image_shape must be (height, width, channels) with positive "
            f"sizes, received image_shape={image_shape}"
        )
    if len(filters) == 0 or any(int(f) <= 0 for f in filters):
        raise ValueError(
            "filters must be a non-empty sequence of positive integers, "
            f"received filters={filters}"
        )
    if hidden_units <= 0:
        raise ValueError(
            f"hidden_units must be > 0, received hidden_units={hidden_units}"
        )
    images = keras.Input(shape=tuple(image_shape), name="images")
    x = images
    for index, num_filters in enumerate(filters):
        x = keras.layers.Conv2D(
            num_filters,
            kernel_size=5 if index == 0 else 3,
            strides=2,
            padding="same",
            activation="swish",
            name=f"conv_{index}",
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(hidden_units, activation="swish", name="hidden")(x)
    x = keras.layers.Dense(1, name="score")(x)
    # (batch, 1) -> (batch,): one scalar per image.
    scores = keras.layers.Reshape((), name="squeeze")(x)
    return keras.Model(images, scores, name=name)


# --------------------------------------------------------------------------
# Langevin dynamics
# --------------------------------------------------------------------------


def langevin_dynamics(
    score_fn: Callable[[tf.Tensor], tf.Tensor],
    initial_samples,
    steps,
    step_size: float,
    noise_std: float,
    seed: keras.random.SeedGenerator | int | None = None,
    grad_clip: float | None = None,
    value_range: tuple[float, float] | None = (-1.0, 1.0),
) -> tf.Tensor:
    """Runs Langevin dynamics that climb `score_fn` (= descend the energy).

    Each step computes

        x ← clip(x + (step_size / 2) · g + noise_std · ξ,  value_range),
        g = clip(∇ₓ s(x), −grad_clip, grad_clip),   ξ ~ N(0, I),

    which is x ← x − (ε/2)·∇ₓE(x) + noise with ε = step_size. With
    noise_std = sqrt(step_size) and no clipping this is the unadjusted
    Langevin algorithm, whose chain approaches p(x) ∝ exp(s(x)) as ε → 0.
    Image EBMs use a much smaller noise (noise_std ≈ 0.005, step_size ≈ 20,
    grad_clip ≈ 0.03): the chain is then mostly noisy gradient ascent, which
    finds sharp samples in tens of steps (Du & Mordatch 2019).

    For a quadratic energy E(x) = ‖x − μ‖²/2 the update is
    x − μ ← (1 − ε/2)(x − μ) + σξ, so the chain's stationary variance per
    dimension is σ² / (1 − (1 − ε/2)²) (the tests check this).

    Model weights are not differentiated (the tape watches only the samples),
    so calling this inside a train step leaves no weight gradients behind.
    The loop is a `keras.ops.fori_loop` (a `tf.while_loop` under
    `tf.function`), so the graph stays small for any number of steps.

    Args:
        score_fn: maps samples (batch, ...) to scores (batch,), each score
            depending on its own sample only (no batch normalisation), so
            the gradient of the summed scores is the per-sample gradient.
        initial_samples: float32 tensor (batch, ...), the chains' start.
        steps: number of steps, >= 0 (a Python int or an int tensor).
        step_size: ε > 0; the gradient step is ε/2 · ∇ₓ s(x).
        noise_std: σ >= 0, standard deviation of the Gaussian noise per step.
        seed: a `keras.random.SeedGenerator` (advanced every step), an int
            or None, for the noise.
        grad_clip: if set, clip each gradient entry to [−grad_clip, grad_clip]
            so one steep region cannot throw a chain far away.
        value_range: (low, high) to clip the samples to after every step, or
            None for no clipping.

    Returns:
        Float32 tensor with the shape of `initial_samples`: the final samples.
    """
    if isinstance(steps, (int, np.integer)) and steps < 0:
        raise ValueError(f"steps must be >= 0, received steps={steps}")
    if step_size <= 0:
        raise ValueError(f"step_size must be > 0, received step_size={step_size}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, received noise_std={noise_std}")
    if grad_clip is not None and grad_clip <= 0:
        raise ValueError(
            f"grad_clip must be > 0 or None, received grad_clip={grad_clip}"
        )
    if isinstance(seed, int):
        # An int seed would repeat the same noise at every step.
        seed = keras.random.SeedGenerator(seed)

    def step(_, samples):
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(samples)
            total_score = ops.sum(score_fn(samples))
        grad = tape.gradient(total_score, samples)
        if grad_clip is not None:
            grad = ops.clip(grad, -grad_clip, grad_clip)
        noise = keras.random.normal(ops.shape(samples), stddev=noise_std, seed=seed)
        samples = samples + 0.5 * step_size * grad + noise
        if value_range is not None:
            samples = ops.clip(samples, value_range[0], value_range[1])
        return samples

    initial_samples = ops.convert_to_tensor(initial_samples, dtype="float32")
    return ops.fori_loop(0, steps, step, initial_samples)


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="keras_gans")
class EnergyBasedModel(keras.Model):
    """An EBM over images trained with `compile()` + `fit()` on real images.

    `fit` takes a dataset of images (batch, 28, 28, 1) in [-1, 1] (or
    (images, labels) pairs; labels are ignored). Each train step:

    1. adds N(0, real_noise_std²) noise to the real images (clipped to
       [-1, 1]), so the energy surface is defined around the data and not
       only on it;
    2. draws `batch_size` distinct slots of the replay buffer, replaces
       exactly round(reinit_fraction · batch_size) of them (half to even)
       with fresh uniform noise, runs `langevin_steps` of Langevin dynamics
       from there and writes the results back to the same slots;
    3. minimises, with s = −E the network's score,

           cd_loss  = mean(E(x_real)) − mean(E(x_fake))
                    = mean(s(x_fake)) − mean(s(x_real))
           reg_loss = alpha · mean(E(x_real)² + E(x_fake)²)
           loss     = cd_loss + reg_loss

       i.e. pushes the energy of real images down and that of samples up;
       the regulariser keeps energies near zero so they cannot drift apart
       without bound.

    The replay buffer (persistent chains, Du & Mordatch 2019) is a
    non-trainable weight initialised with uniform noise in [-1, 1]; it is
    saved with the weights, so a restored model resumes with its chains.

    Reported metrics (epoch means): `loss`, `cd_loss`, `reg_loss`,
    `real_energy` (mean E of real images) and `fake_energy` (mean E of the
    samples). A healthy run has fake_energy slightly above real_energy.

    Args:
        energy_network: a model mapping images to scores (batch,) or
            (batch, 1), e.g. built by `energy_network()`.
        alpha: weight of the energy-magnitude regulariser, >= 0.
        langevin_steps: Langevin steps per train step, > 0.
        step_size: ε of `langevin_dynamics` (gradient step ε/2 · ∇ₓ s(x));
            the default 20 equals the UvA tutorial's step 10 on ∇ₓ s(x).
        noise_std: standard deviation of the Langevin noise per step.
        grad_clip: per-entry clip of ∇ₓ s(x) during sampling, or None.
        buffer_size: number of persistent chains in the replay buffer.
        reinit_fraction: fraction of each batch of chains restarted from
            uniform noise, in [0, 1].
        real_noise_std: standard deviation of the noise added to real images.
        seed: int seed for the buffer initialisation, slot choice and all
            noise, or None for a random one.
    """

    def __init__(
        self,
        energy_network: keras.Model,
        alpha: float = 0.1,
        langevin_steps: int = 60,
        step_size: float = 20.0,
        noise_std: float = 0.005,
        grad_clip: float | None = 0.03,
        buffer_size: int = 8192,
        reinit_fraction: float = 0.05,
        real_noise_std: float = 0.005,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, received alpha={alpha}")
        if langevin_steps <= 0:
            raise ValueError(
                f"langevin_steps must be > 0, received langevin_steps={langevin_steps}"
            )
        if step_size <= 0:
            raise ValueError(f"step_size must be > 0, received step_size={step_size}")
        if noise_std < 0:
            raise ValueError(f"noise_std must be >= 0, received noise_std={noise_std}")
        if grad_clip is not None and grad_clip <= 0:
            raise ValueError(
                f"grad_clip must be > 0 or None, received grad_clip={grad_clip}"
            )
        if buffer_size <= 0:
            raise ValueError(f"buffer_size must be > 0, received buffer_size={buffer_size}")
        if not 0.0 <= reinit_fraction <= 1.0:
            raise ValueError(
                "reinit_fraction must be in [0, 1], "
                f"received reinit_fraction={reinit_fraction}"
            )
        if real_noise_std < 0:
            raise ValueError(
                f"real_noise_std must be >= 0, received real_noise_std={real_noise_std}"
            )
        output_shape = tuple(energy_network.output_shape)
        if output_shape[1:] not in ((), (1,)):
            raise ValueError(
                "energy_network must output one score per image, shape (batch,) "
                f"or (batch, 1), received output shape {output_shape}"
            )
        self.energy_network = energy_network
        self.image_shape = tuple(int(d) for d in energy_network.input_shape[1:])
        self.alpha = float(alpha)
        self.langevin_steps = int(langevin_steps)
        self.step_size = float(step_size)
        self.noise_std = float(noise_std)
        self.grad_clip = None if grad_clip is None else float(grad_clip)
        self.buffer_size = int(buffer_size)
        self.reinit_fraction = float(reinit_fraction)
        self.real_noise_std = float(real_noise_std)
        self.seed = seed

        self.seed_generator = keras.random.SeedGenerator(seed)
        self.replay_buffer = self.add_weight(
            shape=(self.buffer_size, *self.image_shape),
            initializer=keras.initializers.RandomUniform(-1.0, 1.0, seed=seed),
            trainable=False,
            name="replay_buffer",
        )
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.cd_loss_tracker = keras.metrics.Mean(name="cd_loss")
        self.reg_loss_tracker = keras.metrics.Mean(name="reg_loss")
        self.real_energy_tracker = keras.metrics.Mean(name="real_energy")
        self.fake_energy_tracker = keras.metrics.Mean(name="fake_energy")
        # Compiled once; `steps` is passed as a tensor so every segment length
        # of `generate` reuses the same graph.
        self._compiled_langevin = tf.function(self._langevin, reduce_retracing=True)
        # Every variable exists now (the energy network arrives built), so the
        # model can be saved or have weights loaded before its first call.
        self.built = True

    # -- Keras plumbing ---------------------------------------------------

    def call(self, images, training: bool = False):
        """Scores s(x) = −E(x) of images (batch, 28, 28, 1) → (batch,)."""
        scores = self.energy_network(images, training=training)
        return ops.reshape(scores, (-1,))

    def compile(self, optimizer=None, jit_compile: bool = False, **kwargs):
        """Configures training; the defaults follow the UvA tutorial recipe.

        Args:
            optimizer: defaults to Adam(1e-4, beta_1=0.0, clipnorm=0.1): no
                momentum, because the sample distribution (the target of the
                negative phase) moves every step; clipnorm bounds the update
                when a sample with an extreme energy appears. A custom
                optimizer should clip its gradients too.
            jit_compile: XLA compilation; off by default: with XLA a train
                step (Langevin loop included) ran ~4x slower on CPU.
            **kwargs: passed to `keras.Model.compile`.
        """
        if optimizer is None:
            optimizer = keras.optimizers.Adam(
                learning_rate=1e-4, beta_1=0.0, clipnorm=0.1
            )
        super().compile(optimizer=optimizer, jit_compile=jit_compile, **kwargs)

    @property
    def metrics(self):
        return [
            self.loss_tracker,
            self.cd_loss_tracker,
            self.reg_loss_tracker,
            self.real_energy_tracker,
            self.fake_energy_tracker,
        ]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "energy_network": keras.saving.serialize_keras_object(
                    self.energy_network
                ),
                "alpha": self.alpha,
                "langevin_steps": self.langevin_steps,
                "step_size": self.step_size,
                "noise_std": self.noise_std,
                "grad_clip": self.grad_clip,
                "buffer_size": self.buffer_size,
                "reinit_fraction": self.reinit_fraction,
                "real_noise_std": self.real_noise_std,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["energy_network"] = keras.saving.deserialize_keras_object(
            config["energy_network"]
        )
        return cls(**config)

    # -- Sampling ---------------------------------------------------------

    def _score_for_sampling(self, images):
        return self(images, training=False)

    def _langevin(self, images, steps, step_size, noise_std):
        return langevin_dynamics(
            self._score_for_sampling,
            images,
            steps=steps,
            step_size=step_size,
            noise_std=noise_std,
            seed=self.seed_generator,
            grad_clip=self.grad_clip,
        )

    def sample_replay_buffer(self, batch_size):
        """Draws starting points for a batch of Langevin chains.

        Picks `batch_size` distinct buffer slots uniformly at random; the
        chains in the first round(reinit_fraction · batch_size) of them (a
        deterministic count, rounded half to even) restart from fresh uniform
        noise in [-1, 1], the others continue from the buffer.

        Args:
            batch_size: number of chains, 1 <= batch_size <= buffer_size.

        Returns:
            (start, slots, is_fresh): start images (batch_size, 28, 28, 1),
            the int32 buffer slots they belong to (batch_size,), and a bool
            mask (batch_size,) of the chains restarted from noise.
        """
        if isinstance(batch_size, (int, np.integer)) and not (
            0 < batch_size <= self.buffer_size
        ):
            raise ValueError(
                f"batch_size must be in [1, buffer_size={self.buffer_size}], "
                f"received batch_size={batch_size}"
            )
        # A random permutation's first entries: distinct slots, so each chain
        # is written back to its own slot.
        slots = keras.random.shuffle(
            ops.arange(self.buffer_size, dtype="int32"), seed=self.seed_generator
        )[:batch_size]
        continued = ops.take(self.replay_buffer, slots, axis=0)
        fresh = keras.random.uniform(
            ops.shape(continued), minval=-1.0, maxval=1.0, seed=self.seed_generator
        )
        num_fresh = ops.round(self.reinit_fraction * ops.cast(batch_size, "float32"))
        is_fresh = ops.cast(ops.arange(batch_size), "float32") < num_fresh
        # (batch,) -> (batch, 1, 1, 1) to select whole images.
        start = ops.where(is_fresh[:, None, None, None], fresh, continued)
        return start, slots, is_fresh

    def sample_for_training(self, batch_size):
        """Negative samples: buffer chains advanced by Langevin, written back.

        Returns:
            Float32 images (batch_size, 28, 28, 1) in [-1, 1], without
            gradient to anything.
        """
        start, slots, _ = self.sample_replay_buffer(batch_size)
        samples = ops.stop_gradient(
            self._langevin(start, self.langevin_steps, self.step_size, self.noise_std)
        )
        # slots (batch,) -> (batch, 1): one index per updated buffer row.
        self.replay_buffer.assign(
            ops.scatter_update(self.replay_buffer, slots[:, None], samples)
        )
        return samples

    def generate(
        self,
        n: int,
        steps: int = 256,
        step_size: float | None = None,
        noise_std: float | None = None,
        return_steps: Sequence[int] | None = None,
    ):
        """Samples new images by Langevin dynamics from uniform noise.

        Args:
            n: number of images, > 0.
            steps: Langevin steps, > 0. More steps than in training usually
                give cleaner digits (the buffer chains had many steps).
            step_size: defaults to the model's `step_size`.
            noise_std: defaults to the model's `noise_std`.
            return_steps: step counts (each in [0, steps]) at which to also
                return the intermediate images; 0 is the initial noise.

        Returns:
            Float32 numpy images (n, 28, 28, 1) in [-1, 1]; if `return_steps`
            is given, a tuple (images, {step: images at that step}).
        """
        if n <= 0:
            raise ValueError(f"n must be > 0, received n={n}")
        if steps <= 0:
            raise ValueError(f"steps must be > 0, received steps={steps}")
        requested = sorted(set(return_steps or ()))
        if any(not 0 <= s <= steps for s in requested):
            raise ValueError(
                f"return_steps must be in [0, steps={steps}], "
                f"received return_steps={return_steps}"
            )
        step_size = self.step_size if step_size is None else float(step_size)
        noise_std = self.noise_std if noise_std is None else float(noise_std)
        images = keras.random.uniform(
            (n, *self.image_shape), minval=-1.0, maxval=1.0, seed=self.seed_generator
        )
        intermediates = {}
        done = 0
        for target in [*requested, steps]:
            if target > done:
                images = self._compiled_langevin(
                    images, tf.constant(target - done), step_size, noise_std
                )
                done = target
            if target in requested:
                intermediates[target] = ops.convert_to_numpy(images)
        images = ops.convert_to_numpy(images)
        if return_steps is None:
            return images
        return images, intermediates

    # -- Training ---------------------------------------------------------

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        real = ops.cast(real, "float32")
        batch_size = ops.shape(real)[0]
        real = ops.clip(
            real
            + keras.random.normal(
                ops.shape(real), stddev=self.real_noise_std, seed=self.seed_generator
            ),
            -1.0,
            1.0,
        )
        fake = self.sample_for_training(batch_size)

        with tf.GradientTape() as tape:
            # One pass over real and fake: (2 * batch, 28, 28, 1) -> (2 * batch,).
            scores = self(ops.concatenate([real, fake], axis=0), training=True)
            real_score, fake_score = scores[:batch_size], scores[batch_size:]
            cd_loss = ops.mean(fake_score) - ops.mean(real_score)
            reg_loss = self.alpha * ops.mean(real_score**2 + fake_score**2)
            loss = cd_loss + reg_loss
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(gradients, self.trainable_weights)

        self.loss_tracker.update_state(loss)
        self.cd_loss_tracker.update_state(cd_loss)
        self.reg_loss_tracker.update_state(reg_loss)
        self.real_energy_tracker.update_state(-ops.mean(real_score))
        self.fake_energy_tracker.update_state(-ops.mean(fake_score))
        return {m.name: m.result() for m in self.metrics}

    # -- Scoring ----------------------------------------------------------

    def score(self, images, batch_size: int = 256) -> np.ndarray:
        """Per-image score s(x) = −E(x): higher = more in-distribution.

        Use it as an OOD/anomaly score: images unlike the training data
        should score lower (see `ood_table`).

        Args:
            images: float images in [-1, 1], shape (N, 28, 28, 1) or a single
                (28, 28, 1) image.
            batch_size: images per forward pass.

        Returns:
            Float32 numpy array (N,) (N = 1 for a single image).

        Raises:
            ValueError: wrong shape, a non-float dtype, values outside
                [-1, 1] (e.g. uint8 pixels 0-255) or non-finite values.
            FloatingPointError: the network returned a non-finite score,
                i.e. the model has diverged.
        """
        images = validate_images(images, self.image_shape)
        scores = np.asarray(
            self.predict(images, batch_size=batch_size, verbose=0), dtype=np.float32
        ).reshape(-1)
        bad = ~np.isfinite(scores)
        if bad.any():
            raise FloatingPointError(
                f"The energy network returned non-finite scores for {bad.sum()} "
                f"of {scores.size} images (e.g. {scores[bad][0]}); the model "
                "has diverged, retrain it (see DivergenceGuard)."
            )
        return scores


# --------------------------------------------------------------------------
# Divergence guard
# --------------------------------------------------------------------------


class TrainingDivergedError(RuntimeError):
    """Raised by `DivergenceGuard` when EBM training diverges."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stops EBM training as soon as its losses or energies blow up.

    EBM training can diverge suddenly: the energies of real and fake images
    run apart, or become NaN, and the model never recovers. After every
    batch this callback checks the metrics Keras reports (`loss`, `cd_loss`,
    `reg_loss`, `real_energy`, `fake_energy`, epoch running means). If one
    is non-finite, or |real_energy| or |fake_energy| exceeds
    `max_abs_energy`, it

    1. restores (if `restore_weights`) all model weights (energy network,
       replay buffer, seed state) and the optimizer variables from the last
       snapshot taken while the metrics were healthy (at the start of `fit`
       and then every `snapshot_every` batches, kept in memory), so training
       can resume from there (a divergence before the first snapshot with
       optimizer slots restores the weights only);
    2. sets `model.stop_training = True` and records the failure in
       `diverged_at` (a dict with epoch, batch, global step, metrics);
    3. raises `TrainingDivergedError` naming the step and the values, unless
       `raise_error=False` (then `fit` returns normally after the batch).

    Args:
        max_abs_energy: energy magnitude treated as divergence, > 0.
        restore_weights: restore the last healthy snapshot on divergence.
        snapshot_every: batches between snapshots, > 0. Snapshots copy the
            replay buffer too (25 MB by default), so not every batch.
        raise_error: raise `TrainingDivergedError` (else only stop).
    """

    def __init__(
        self,
        max_abs_energy: float = 1000.0,
        restore_weights: bool = True,
        snapshot_every: int = 50,
        raise_error: bool = True,
    ):
        super().__init__()
        if max_abs_energy <= 0:
            raise ValueError(
                f"max_abs_energy must be > 0, received max_abs_energy={max_abs_energy}"
            )
        if snapshot_every <= 0:
            raise ValueError(
                f"snapshot_every must be > 0, received snapshot_every={snapshot_every}"
            )
        self.max_abs_energy = float(max_abs_energy)
        self.restore_weights = restore_weights
        self.snapshot_every = int(snapshot_every)
        self.raise_error = raise_error
        self.diverged_at = None
        self._epoch = 0
        self._global_step = 0
        self._snapshot = None
        self._snapshot_step = None

    def on_train_begin(self, logs=None):
        self.diverged_at = None
        self._global_step = 0
        if self.restore_weights:
            self._take_snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._global_step += 1
        values = {
            name: float(np.asarray(value))
            for name, value in (logs or {}).items()
            if name in ("loss", "cd_loss", "reg_loss", "real_energy", "fake_energy")
        }
        problems = [
            f"{name}={value:.6g}" for name, value in values.items() if not np.isfinite(value)
        ]
        problems += [
            f"|{name}|={abs(value):.6g} > max_abs_energy={self.max_abs_energy:g}"
            for name, value in values.items()
            if name.endswith("_energy")
            and np.isfinite(value)
            and abs(value) > self.max_abs_energy
        ]
        if not problems:
            if self.restore_weights and self._global_step % self.snapshot_every == 0:
                self._take_snapshot()
            return

        message = (
            f"EBM training diverged at epoch {self._epoch + 1}, batch {batch} "
            f"(global step {self._global_step}): {', '.join(problems)}."
        )
        if self.restore_weights and self._snapshot is not None:
            weights, optimizer_variables = self._snapshot
            self.model.set_weights(weights)
            # The optimizer creates its slots on the first update, so a
            # snapshot from before it has fewer variables: keep the current ones.
            if len(optimizer_variables) == len(self.model.optimizer.variables):
                for variable, value in zip(self.model.optimizer.variables, optimizer_variables):
                    variable.assign(value)
            message += (
                f" Restored the weights of global step {self._snapshot_step}."
            )
        message += (
            " Try a lower learning rate, a larger alpha, a smaller step_size "
            "or more gradient clipping."
        )
        self.diverged_at = {
            "epoch": self._epoch,
            "batch": batch,
            "global_step": self._global_step,
            "metrics": values,
        }
        self.model.stop_training = True
        if self.raise_error:
            raise TrainingDivergedError(message)

    def _take_snapshot(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer_variables = (
            [v.numpy() for v in optimizer.variables] if optimizer is not None else []
        )
        self._snapshot = (self.model.get_weights(), optimizer_variables)
        self._snapshot_step = self._global_step


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------


def validate_images(images, image_shape: tuple[int, int, int] = (28, 28, 1)) -> np.ndarray:
    """Checks that `images` are float images in [-1, 1] and returns a batch.

    Args:
        images: array-like (N, *image_shape) or a single image `image_shape`.
        image_shape: expected (height, width, channels).

    Returns:
        Float32 numpy array (N, *image_shape).

    Raises:
        ValueError: naming the shape, dtype or value range received.
    """
    array = np.asarray(images)
    image_shape = tuple(image_shape)
    if array.shape == image_shape:
        # A single image (28, 28, 1) -> a batch of one (1, 28, 28, 1).
        array = array[None]
    if array.ndim != len(image_shape) + 1 or array.shape[1:] != image_shape:
        raise ValueError(
            f"images must have shape (N, {', '.join(map(str, image_shape))}) or "
            f"{image_shape}, received shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError("images must contain at least one image, received 0")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            "images must be floats in [-1, 1], received dtype "
            f"{array.dtype} with values in [{array.min()}, {array.max()}] "
            "(convert uint8 pixels with images / 127.5 - 1)"
        )
    if not np.isfinite(array).all():
        raise ValueError(
            f"images must be finite, received {np.size(array) - np.isfinite(array).sum()} "
            "NaN or infinite values"
        )
    low, high = float(array.min()), float(array.max())
    if low < -1.0 or high > 1.0:
        raise ValueError(
            f"images must be in [-1, 1], received values in [{low:g}, {high:g}]"
            + (" (uint8 pixels? convert with images / 127.5 - 1)" if high > 1.5 else "")
        )
    return array.astype(np.float32, copy=False)


# --------------------------------------------------------------------------
# Out-of-distribution probes: (N, 28, 28, 1) in [-1, 1] -> same shape/range
# --------------------------------------------------------------------------


def uniform_noise_images(
    n: int, image_shape: tuple[int, int, int] = (28, 28, 1), seed: int = 0
) -> np.ndarray:
    """n images of i.i.d. uniform noise in [-1, 1], float32 (n, *image_shape)."""
    if n <= 0:
        raise ValueError(f"n must be > 0, received n={n}")
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, *image_shape)).astype(np.float32)


def flip_horizontal(images) -> np.ndarray:
    """Mirrors images left-right (width axis)."""
    return validate_images(images)[:, :, ::-1, :].copy()


def flip_vertical(images) -> np.ndarray:
    """Mirrors images upside down (height axis)."""
    return validate_images(images)[:, ::-1, :, :].copy()


def rotate(images, degrees: float = 90.0) -> np.ndarray:
    """Rotates images counter-clockwise by `degrees` about their centre.

    Multiples of 90° are exact (pixel permutations); other angles use
    bilinear interpolation with the background value −1 outside the image.
    """
    images = validate_images(images)
    if float(degrees) % 90 == 0:
        return np.rot90(images, k=int(degrees // 90), axes=(1, 2)).copy()
    rotated = scipy.ndimage.rotate(
        images, degrees, axes=(2, 1), reshape=False, order=1, mode="constant", cval=-1.0
    )
    return np.clip(rotated, -1.0, 1.0).astype(np.float32)


def invert(images) -> np.ndarray:
    """Negates images (x → −x): white background, black strokes."""
    return -validate_images(images)


def shift(images, rows: int = 4, cols: int = 4) -> np.ndarray:
    """Translates images by (rows down, cols right) pixels; negative = up/left.

    Pixels moved in from outside are background (−1); pixels moved out are
    lost (no wrap-around, unlike np.roll).
    """
    images = validate_images(images)
    height, width = images.shape[1:3]
    if abs(rows) >= height or abs(cols) >= width:
        raise ValueError(
            f"shift must be smaller than the image ({height}x{width}), "
            f"received rows={rows}, cols={cols}"
        )
    shifted = np.full_like(images, -1.0)
    shifted[
        :, max(rows, 0) : height + min(rows, 0), max(cols, 0) : width + min(cols, 0)
    ] = images[
        :, max(-rows, 0) : height + min(-rows, 0), max(-cols, 0) : width + min(-cols, 0)
    ]
    return shifted


def add_gaussian_noise(images, std: float = 0.3, seed: int = 0) -> np.ndarray:
    """Adds N(0, std²) noise per pixel, clipped back to [-1, 1]."""
    if std < 0:
        raise ValueError(f"std must be >= 0, received std={std}")
    images = validate_images(images)
    rng = np.random.default_rng(seed)
    noisy = images + rng.normal(0.0, std, size=images.shape)
    return np.clip(noisy, -1.0, 1.0).astype(np.float32)


def overlay(images, mode: str = "max", seed: int = 0) -> np.ndarray:
    """Superimposes each image with another one of the batch (random pairing).

    Args:
        images: (N, 28, 28, 1) in [-1, 1], N >= 2.
        mode: "max" (union of the strokes, as if drawn on the same paper) or
            "mean" (50/50 blend: fainter strokes).
        seed: seed of the pairing.
    """
    images = validate_images(images)
    if mode not in ("max", "mean"):
        raise ValueError(f"mode must be 'max' or 'mean', received mode={mode!r}")
    n = images.shape[0]
    if n < 2:
        raise ValueError(f"overlay needs at least 2 images, received {n}")
    # A random permutation shifted by a non-zero offset pairs every image
    # with a different one.
    order = np.random.default_rng(seed).permutation(n)
    partner = np.empty(n, dtype=np.int64)
    partner[order] = np.roll(order, 1)
    if mode == "max":
        return np.maximum(images, images[partner])
    return (0.5 * (images + images[partner])).astype(np.float32)


# --------------------------------------------------------------------------
# AUROC and the OOD table
# --------------------------------------------------------------------------


def auroc(in_scores, out_scores) -> float:
    """Area under the ROC curve for separating in- from out-of-distribution.

    Equals P(s_in > s_out) + ½·P(s_in = s_out) for a random pair, computed
    with the Mann–Whitney U statistic on average ranks (ties get the mean
    of the ranks they span):

        AUROC = (R_in − n_in (n_in + 1) / 2) / (n_in · n_out),

    R_in being the sum of the ranks of the in-distribution scores in the
    pooled sample. 1.0: every in-score is higher; 0.5: no separation;
    0.0: every in-score is lower.

    Args:
        in_scores: 1-D scores of in-distribution samples (higher = more "in").
        out_scores: 1-D scores of out-of-distribution samples.

    Returns:
        AUROC in [0, 1] as a Python float.
    """
    in_scores = np.asarray(in_scores, dtype=np.float64)
    out_scores = np.asarray(out_scores, dtype=np.float64)
    for name, scores in (("in_scores", in_scores), ("out_scores", out_scores)):
        if scores.ndim != 1 or scores.size == 0:
            raise ValueError(
                f"{name} must be a non-empty 1-D array, received shape {scores.shape}"
            )
        if not np.isfinite(scores).all():
            raise ValueError(f"{name} must be finite, received NaN or infinite scores")
    pooled = np.concatenate([in_scores, out_scores])
    _, group, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    # Tie group k spans ranks last_k − count_k + 1 ... last_k (1-based);
    # their mean is last_k − (count_k − 1) / 2.
    last_rank = np.cumsum(counts)
    ranks = (last_rank - (counts - 1) / 2.0)[group]
    n_in, n_out = in_scores.size, out_scores.size
    u_statistic = ranks[:n_in].sum() - n_in * (n_in + 1) / 2.0
    return float(u_statistic / (n_in * n_out))


class OODRow(NamedTuple):
    """One row of `ood_table`: a probe, its mean score and AUROC vs real."""

    probe: str
    mean_score: float
    auroc: float


def ood_table(
    model: EnergyBasedModel, real_images, seed: int = 0, batch_size: int = 256
) -> list[OODRow]:
    """Scores real images and transformed/noise probes; AUROC of real vs each.

    AUROC here is `auroc(real_scores, probe_scores)`: 1.0 means the model
    ranks every real image above every probe image (perfect OOD detection),
    0.5 chance. The real row has AUROC NaN (nothing to compare with).

    Args:
        model: a trained `EnergyBasedModel` (anything with `score(images)`).
        real_images: in-distribution test images (N, 28, 28, 1) in [-1, 1],
            N >= 2.
        seed: seed for the noise probes and the overlay pairing.
        batch_size: images per forward pass.

    Returns:
        A list of `OODRow`, the real images first.
    """
    real_images = validate_images(real_images)
    n = real_images.shape[0]
    probes = [
        ("uniform noise", uniform_noise_images(n, real_images.shape[1:], seed=seed)),
        ("gaussian noise (std 0.3)", add_gaussian_noise(real_images, 0.3, seed=seed)),
        ("flip left-right", flip_horizontal(real_images)),
        ("flip upside-down", flip_vertical(real_images)),
        ("rotate 90°", rotate(real_images, 90)),
        ("rotate 30°", rotate(real_images, 30)),
        ("shift 4 px", shift(real_images, 4, 4)),
        ("invert (−x)", invert(real_images)),
        ("overlay two (max)", overlay(real_images, "max", seed=seed)),
        ("overlay two (mean)", overlay(real_images, "mean", seed=seed)),
    ]
    real_scores = model.score(real_images, batch_size=batch_size)
    rows = [OODRow("real (test)", float(real_scores.mean()), float("nan"))]
    for name, probe_images in probes:
        scores = model.score(probe_images, batch_size=batch_size)
        rows.append(OODRow(name, float(scores.mean()), auroc(real_scores, scores)))
    return rows


def format_ood_table(rows: Sequence[OODRow]) -> str:
    """Formats `ood_table` rows as an aligned plain-text table."""
    width = max([len("probe"), *(len(row.probe) for row in rows)])
    lines = [
        f"{'probe':<{width}}  {'mean score':>10}  {'AUROC vs real':>13}",
        f"{'-' * width}  {'-' * 10}  {'-' * 13}",
    ]
    for row in rows:
        auroc_text = "-" if np.isnan(row.auroc) else f"{row.auroc:.3f}"
        lines.append(f"{row.probe:<{width}}  {row.mean_score:>10.3f}  {auroc_text:>13}")
    return "\n".join(lines)
