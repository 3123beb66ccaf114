"""`EnergyBasedModel`: contrastive-divergence training with a replay buffer."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import distribution
from keras_gans.checks import check_positive_int, is_int
from keras_gans.ebm.langevin import DEFAULT_CHAIN_GROUPS, check_langevin_parameters, langevin_dynamics
from keras_gans.ebm.validation import validate_images


@keras.saving.register_keras_serializable(package="keras_gans")
class EnergyBasedModel(keras.Model):
    """An EBM over images trained with `compile()` + `fit()` on real images.

    `fit` takes a dataset of images (batch, 28, 28, 1) in [-1, 1] (or
    (images, labels) pairs; labels are ignored). Each train step:

    1. adds N(0, real_noise_std²) noise to the real images (clipped to
       [-1, 1]), so the energy surface is defined around the data and not
       only on it;
    2. draws `negative_samples` (by default as many as real images)
       distinct slots of the replay buffer, replaces exactly
       round(reinit_fraction · negative_samples) of them (half to even)
       with fresh uniform noise, runs `langevin_steps` of Langevin dynamics
       from there and writes the results back to the same slots;
    3. minimises, with s = −E the network's score,

           cd_loss  = mean(E(x_real)) − mean(E(x_fake))
                    = mean(s(x_fake)) − mean(s(x_real))
           reg_loss = alpha · (mean(E(x_real)²) + mean(E(x_fake)²))
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
        negative_samples: buffer chains advanced per train step (per
            replica under a distribution strategy), in [1, buffer_size], or
            None for as many as real images in the batch. The Langevin loop
            is nearly all of a step's time, so fewer chains make steps
            cheaper (64 instead of 128 trained faster but with a worse
            Fréchet distance: the README's speed section has the runs); shrink
            `buffer_size` by the same factor to keep the number of Langevin
            steps each chain gets per epoch.
        reinit_fraction: fraction of each batch of chains restarted from
            uniform noise, in [0, 1].
        real_noise_std: standard deviation of the noise added to real images.
        chain_groups: independent Langevin loops the chains of a step (and
            of `generate`) are split into, >= 1; TensorFlow runs them side
            by side (see `langevin_dynamics`; call
            `set_threads_for_chain_groups` first to give each its cores).
        sample_steps: Langevin steps of `generate` when it is not given
            `steps` (so of the grids a training run draws), > 0. Chains need
            far more steps than the 60 of a train step: the buffer chains
            the model trained against had run about a thousand. After 3
            epochs on MNIST, 256 steps leave speckled blobs, 512 give digit
            strokes and 1024 cleaner ones.
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
        negative_samples: int | None = None,
        reinit_fraction: float = 0.05,
        real_noise_std: float = 0.005,
        chain_groups: int = DEFAULT_CHAIN_GROUPS,
        sample_steps: int = 512,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, received alpha={alpha}")
        if langevin_steps <= 0:
            raise ValueError(f"langevin_steps must be > 0, received langevin_steps={langevin_steps}")
        check_langevin_parameters(step_size, noise_std, grad_clip)
        if buffer_size <= 0:
            raise ValueError(f"buffer_size must be > 0, received buffer_size={buffer_size}")
        if negative_samples is not None and not (is_int(negative_samples) and 0 < negative_samples <= buffer_size):
            raise ValueError(
                f"negative_samples must be None or an integer in [1, buffer_size={buffer_size}], "
                f"received negative_samples={negative_samples}"
            )
        if not 0.0 <= reinit_fraction <= 1.0:
            raise ValueError(f"reinit_fraction must be in [0, 1], received reinit_fraction={reinit_fraction}")
        if real_noise_std < 0:
            raise ValueError(f"real_noise_std must be >= 0, received real_noise_std={real_noise_std}")
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
        self.negative_samples = None if negative_samples is None else int(negative_samples)
        self.reinit_fraction = float(reinit_fraction)
        self.real_noise_std = float(real_noise_std)
        self.chain_groups = check_positive_int("chain_groups", chain_groups)
        self.sample_steps = check_positive_int("sample_steps", sample_steps)
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
        # float32 even from a bfloat16 network: the loss subtracts scores.
        return ops.cast(ops.reshape(scores, (-1,)), "float32")

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
            optimizer = keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, clipnorm=0.1)
        super().compile(optimizer=optimizer, jit_compile=jit_compile, **kwargs)
        # Built now, inside the caller's strategy scope, and before a saved
        # optimizer state is loaded into it (`keras.models.load_model`).
        self.optimizer.build(self.trainable_variables)

    def compile_from_config(self, config: dict) -> None:
        """Compiles a loaded model as it was saved (`keras.models.load_model`).

        Keras's own version only warns for a model that overrides `compile`;
        `EnergyBasedModel.compile` takes `keras.Model.compile`'s arguments,
        so the saved ones are passed on.
        """
        self.compile(**keras.saving.deserialize_keras_object(config))

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
                "energy_network": keras.saving.serialize_keras_object(self.energy_network),
                "alpha": self.alpha,
                "langevin_steps": self.langevin_steps,
                "step_size": self.step_size,
                "noise_std": self.noise_std,
                "grad_clip": self.grad_clip,
                "buffer_size": self.buffer_size,
                "negative_samples": self.negative_samples,
                "reinit_fraction": self.reinit_fraction,
                "real_noise_std": self.real_noise_std,
                "chain_groups": self.chain_groups,
                "sample_steps": self.sample_steps,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["energy_network"] = keras.saving.deserialize_keras_object(config["energy_network"])
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
            chain_groups=self.chain_groups,
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
        if isinstance(batch_size, (int, np.integer)) and not (0 < batch_size <= self.buffer_size):
            raise ValueError(
                f"batch_size must be in [1, buffer_size={self.buffer_size}], received batch_size={batch_size}"
            )
        # A random permutation's first entries: distinct slots, so each chain
        # is written back to its own slot.
        slots = keras.random.shuffle(ops.arange(self.buffer_size, dtype="int32"), seed=self.seed_generator)[:batch_size]
        continued = ops.take(self.replay_buffer, slots, axis=0)
        fresh = keras.random.uniform(ops.shape(continued), minval=-1.0, maxval=1.0, seed=self.seed_generator)
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
        samples = ops.stop_gradient(self._langevin(start, self.langevin_steps, self.step_size, self.noise_std))
        # slots (batch,) -> (batch, 1): one index per updated buffer row.
        self.replay_buffer.assign(ops.scatter_update(self.replay_buffer, slots[:, None], samples))
        return samples

    def generate(
        self,
        n: int,
        steps: int | None = None,
        step_size: float | None = None,
        noise_std: float | None = None,
        return_steps: Sequence[int] | None = None,
    ):
        """Samples new images by Langevin dynamics from uniform noise.

        Args:
            n: number of images, > 0.
            steps: Langevin steps, > 0; defaults to the model's `sample_steps`.
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
        steps = self.sample_steps if steps is None else steps
        if steps <= 0:
            raise ValueError(f"steps must be > 0, received steps={steps}")
        requested = sorted(set(return_steps or ()))
        if any(not 0 <= s <= steps for s in requested):
            raise ValueError(f"return_steps must be in [0, steps={steps}], received return_steps={return_steps}")
        step_size = self.step_size if step_size is None else float(step_size)
        noise_std = self.noise_std if noise_std is None else float(noise_std)
        images = keras.random.uniform((n, *self.image_shape), minval=-1.0, maxval=1.0, seed=self.seed_generator)
        intermediates = {}
        done = 0
        for target in [*requested, steps]:
            if target > done:
                images = self._compiled_langevin(images, tf.constant(target - done), step_size, noise_std)
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
            real + keras.random.normal(ops.shape(real), stddev=self.real_noise_std, seed=self.seed_generator),
            -1.0,
            1.0,
        )
        fake = self.sample_for_training(batch_size if self.negative_samples is None else self.negative_samples)

        with tf.GradientTape() as tape:
            # One pass over real and fake: (batch + negatives, 28, 28, 1) -> (batch + negatives,).
            scores = self(ops.concatenate([real, fake], axis=0), training=True)
            real_score, fake_score = scores[:batch_size], scores[batch_size:]
            cd_loss = ops.mean(fake_score) - ops.mean(real_score)
            # Separate means: real and fake batches may differ in size.
            reg_loss = self.alpha * (ops.mean(real_score**2) + ops.mean(fake_score**2))
            loss = cd_loss + reg_loss
            scaled_loss = distribution.scale_for_replicas(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_weights)
        self.optimizer.apply(gradients, self.trainable_weights)

        self.loss_tracker.update_state(loss)
        self.cd_loss_tracker.update_state(cd_loss)
        self.reg_loss_tracker.update_state(reg_loss)
        self.real_energy_tracker.update_state(-ops.mean(real_score))
        self.fake_energy_tracker.update_state(-ops.mean(fake_score))
        return distribution.step_logs({m.name: m.result() for m in self.metrics})

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
        scores = np.asarray(self.predict(images, batch_size=batch_size, verbose=0), dtype=np.float32).reshape(-1)
        bad = ~np.isfinite(scores)
        if bad.any():
            raise FloatingPointError(
                f"The energy network returned non-finite scores for {bad.sum()} "
                f"of {scores.size} images (e.g. {scores[bad][0]}); the model "
                "has diverged, retrain it (see DivergenceGuard)."
            )
        return scores
