"""GANs that train with `compile` + `fit`.

`GAN` holds the one training loop of the package. Each `train_step` makes
`n_critic` discriminator (critic) updates on consecutive slices of the batch
it receives, then one generator update, each with its own `tf.GradientTape`.
The objectives differ only in small hooks:

| class    | objective (losses)          | extra                                   |
| -------- | --------------------------- | --------------------------------------- |
| `GAN`    | non-saturating BCE (any)    | --                                      |
| `LSGAN`  | least squares               | --                                      |
| `WGAN`   | Wasserstein                 | weight clipping after each critic step  |
| `WGANGP` | Wasserstein                 | gradient penalty added to the critic    |

Conditioning is not a separate class: when the generator takes `[z, labels]`
(and the discriminator `[images, labels]`), every objective trains on
`(images, labels)` batches.

Feeding n_critic real batches: the WGAN papers update the critic on
`n_critic` *different* real batches per generator step. Here `fit` feeds
batches of `n_critic * batch_size` images and `train_step` splits them, so one
Keras step is one generator step and no real batch is used twice.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from keras_gans import distribution, losses
from keras_gans.checks import check_positive_int
from keras_gans.signature import GeneratorSignature


def _replica_seed(seed_generator: keras.random.SeedGenerator) -> tf.Tensor:
    """Draws a stateless seed, distinct on every replica of a strategy.

    A `SeedGenerator`'s state is mirrored across replicas, so on its own it
    hands every replica the same seed and they would all draw the same noise.
    Folding in the replica id keeps one reproducible stream per replica.
    """
    seed = tf.cast(seed_generator.next(), tf.int32)
    context = tf.distribute.get_replica_context()
    replica_id = 0 if context is None else context.replica_id_in_sync_group
    return tf.random.experimental.stateless_fold_in(seed, replica_id)


def _ends_in_sigmoid(model: keras.Model) -> bool:
    activation = getattr(model.layers[-1], "activation", None)
    return activation is keras.activations.sigmoid


@keras.saving.register_keras_serializable(package="keras_gans")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other.

    Args:
        generator: maps `z` of shape `(batch, latent_dim)` (and, if
            conditional, one-hot `labels` of shape `(batch, num_classes)`)
            to images in [-1, 1].
        discriminator: maps images (and labels) to one score per image,
            shape `(batch, 1)`.
        latent_dim: size of z; read from the generator when omitted.
        n_critic: discriminator updates per generator update. Each step
            expects a batch of `n_critic * batch_size` real images.
        ema_decay: if set (e.g. 0.999), keeps an exponential moving average
            of the generator's weights (`ema_generator`), used by
            `generate`/`call` and by export. Averaging smooths the
            oscillation of adversarial training and usually gives cleaner
            samples. The decay warms up from 0.18 at the first step (see
            `ema_decay_at`), so short runs average recent weights, not the
            random initial ones.
        r1_weight: γ of the R1 penalty `γ/2 · E‖∇D(x)‖²` on real images
            (`losses.r1_penalty`), >= 0; 0 turns it off. It keeps the
            discriminator flat on the data, which steadies training at a
            high learning rate and spreads the samples over more of the
            data's modes; it costs a second backward pass through D.
        r1_samples: estimate the R1 penalty on only the first `r1_samples`
            real images of each batch (the batches are shuffled, so they are
            a random subset): an unbiased estimate of the same expectation
            at a fraction of the second backward pass. `None`: all of them.
        r1_interval: >= 1; add the R1 penalty on every `r1_interval`-th
            discriminator update only (1: every update; counted by
            `d_optimizer.iterations`, so `n_critic` per step, continuing
            across a resumed checkpoint), weighted `r1_interval · γ` so that
            its average pull stays that of γ on every update ("lazy
            regularization", Karras et al. 2020, "Analyzing and Improving
            the Image Quality of StyleGAN", section 4 and appendix B). The
            penalty changes slowly, so skipping it between updates costs
            little; its second backward pass runs that much less often.
            The logged `r1_penalty` is the term added, 0 between.
        track_health: also report the critic gap (`real_score -
            fake_score`) and the global gradient norms of both networks.
        seed: seed of the model's own noise stream; `None` draws it from
            `keras.utils.set_random_seed`'s global state.

    Call `compile(d_optimizer, g_optimizer, loss=...)`, then `fit` on a
    dataset of images, or `(images, labels)` for a conditional GAN.
    """

    default_loss = "non_saturating"
    default_n_critic = 1

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int | None = None,
        n_critic: int | None = None,
        ema_decay: float | None = None,
        r1_weight: float = 0.0,
        r1_samples: int | None = None,
        r1_interval: int = 1,
        track_health: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        # What the generator takes and makes: z size, classes, image shape.
        self.signature = GeneratorSignature.from_generator(generator)
        self._check_networks(latent_dim)

        n_critic = self.default_n_critic if n_critic is None else n_critic
        self.n_critic = check_positive_int("n_critic", n_critic)

        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) or None, received ema_decay={ema_decay}")
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())

        if not r1_weight >= 0.0:  # also refuses NaN
            raise ValueError(f"r1_weight must be >= 0, received r1_weight={r1_weight}")
        self.r1_weight = float(r1_weight)
        self.r1_samples = None if r1_samples is None else check_positive_int("r1_samples", r1_samples)
        self.r1_interval = check_positive_int("r1_interval", r1_interval)

        self.track_health = track_health
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Both networks arrive built, so the GAN is too. Keras must not try to
        # build it by calling it on the training data (images, not z).
        self.built = True

    def _check_networks(self, latent_dim: int | None) -> None:
        """Checks that the two networks fit together and match `latent_dim` if given."""
        generator, discriminator = self.generator, self.discriminator
        if len(discriminator.inputs) != len(generator.inputs):
            raise ValueError(
                "generator and discriminator must both be conditional (two "
                "inputs: data and labels) or both unconditional; received a "
                f"generator with {len(generator.inputs)} input(s) and a "
                f"discriminator with {len(discriminator.inputs)}"
            )
        accepted_shape = tuple(discriminator.inputs[0].shape[1:])
        if self.image_shape != accepted_shape:
            raise ValueError(
                f"the generator makes images of shape {self.image_shape} but the "
                f"discriminator accepts images of shape {accepted_shape}"
            )
        if self.conditional:
            d_classes = discriminator.inputs[1].shape[-1]
            if self.num_classes != d_classes:
                raise ValueError(
                    f"the generator takes {self.num_classes} classes but the discriminator takes {d_classes}"
                )
        if latent_dim is None:
            return
        latent_dim = check_positive_int("latent_dim", latent_dim)
        if latent_dim != self.latent_dim:
            raise ValueError(f"latent_dim={latent_dim} does not match the generator's input size {self.latent_dim}")

    @property
    def latent_dim(self) -> int:
        """Size of z, read from the generator."""
        return self.signature.latent_dim

    @property
    def conditional(self) -> bool:
        """Whether the generator takes `[z, labels]` (and the discriminator `[images, labels]`)."""
        return self.signature.conditional

    @property
    def num_classes(self) -> int | None:
        """Classes of a conditional GAN, else None."""
        return self.signature.num_classes

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """`(height, width, channels)` of the generated images."""
        return self.signature.image_shape

    # ------------------------------------------------------------------
    # Compilation
    # ------------------------------------------------------------------

    def default_optimizers(self) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
        """Adam(2e-4, beta_1=0.5) for both networks (Radford et al. 2016)."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
        )

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        loss: str | None = None,
        from_logits: bool | None = None,
        label_smoothing: float = 0.0,
        **kwargs,
    ) -> None:
        """Configures the model for training.

        Args:
            d_optimizer, g_optimizer: one optimizer per network; the class
                defaults (`default_optimizers`) when omitted.
            loss: objective name for `keras_gans.losses.get_loss_pair`
                (`"non_saturating"`, `"minimax"`, `"least_squares"`,
                `"wasserstein"`, `"hinge"`); the class default when omitted.
            from_logits: whether the discriminator outputs logits. When
                omitted it is read from the discriminator: a final sigmoid
                means probabilities. Only the BCE losses use it.
            label_smoothing: one-sided label smoothing for the BCE losses
                (Salimans et al. 2016): the discriminator's target for real
                images becomes `1 - label_smoothing`, so it is never pushed
                to infinite confidence. 0 (the default) turns it off;
                another objective with label smoothing raises `ValueError`.
            **kwargs: passed to `keras.Model.compile`, e.g.
                `steps_per_execution` or `jit_compile`.
        """
        # No optimizer for Keras: the GAN's two are its own, and a third
        # would be built, saved and logged for nothing.
        super().compile(optimizer=None, **kwargs)
        default_d, default_g = self.default_optimizers()
        self.d_optimizer = d_optimizer or default_d
        self.g_optimizer = g_optimizer or default_g
        self.loss_name = loss or self.default_loss

        if from_logits is None:
            from_logits = not _ends_in_sigmoid(self.discriminator)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        # Binds from_logits and label smoothing into the BCE losses; refuses
        # probabilities, or targets to smooth, for objectives that need an
        # unbounded critic.
        self.d_loss_fn, self.g_loss_fn = losses.get_loss_pair(
            self.loss_name, from_logits=from_logits, label_smoothing=label_smoothing
        )

        # Build the optimizers now, inside the caller's strategy scope, so
        # their slot variables are mirrored like the weights they update.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_score_tracker = keras.metrics.Mean(name="real_score")
        self.fake_score_tracker = keras.metrics.Mean(name="fake_score")
        self.extra_trackers = {name: keras.metrics.Mean(name=name) for name in self.extra_metric_names()}

    def get_compile_config(self) -> dict:
        """What `compile` was given, so `keras.models.load_model` compiles the GAN again.

        The optimizers (with their settings; their state is saved with the
        weights), the objective and the `keras.Model.compile` options a
        GAN uses. Empty before `compile`.
        """
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss": self.loss_name,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            # As applied: Keras turns XLA off for a model that cannot use it.
            "steps_per_execution": self.steps_per_execution,
            "jit_compile": self.jit_compile,
            "run_eagerly": self.run_eagerly,
        }

    def compile_from_config(self, config: dict) -> None:
        """Calls `compile` with what `get_compile_config` returned.

        Raises:
            ValueError: for a file saved before GANs recorded their
                optimizers; load it with `compile=False` and call `compile`.
        """
        if "d_optimizer" not in config:
            raise ValueError(
                f"this file's compile settings predate the GAN's two optimizers (found {sorted(config)}): "
                "load it with keras.models.load_model(path, compile=False), then call compile()"
            )
        config = dict(config)
        for name in ("d_optimizer", "g_optimizer"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        self.compile(**config)

    def extra_metric_names(self) -> list[str]:
        """Names of the metrics a subclass, the R1 penalty or the health view adds."""
        names = ["r1_penalty"] if self.r1_weight else []
        if self.track_health:
            names += ["critic_gap", "d_grad_norm", "g_grad_norm"]
        return names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # Listing the trackers here lets Keras reset them at every epoch.
        if not hasattr(self, "d_loss_tracker"):
            return []
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_score_tracker,
            self.fake_score_tracker,
            *self.extra_trackers.values(),
        ]

    # ------------------------------------------------------------------
    # Sampling
    # ------------------------------------------------------------------

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for samples and export (the EMA one if kept)."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, inputs, training: bool = False):
        """Maps `z` (or `[z, one_hot_labels]`) to float32 images in [-1, 1]."""
        # float32 even from a bfloat16 generator: grids, metrics and exports expect it.
        return tf.cast(self.sampling_generator(inputs, training=training), tf.float32)

    def sample_latent(self, n: int) -> tf.Tensor:
        """z ~ N(0, 1), shape `(n, latent_dim)`, from the model's own seed stream."""
        seed = _replica_seed(self.seed_generator)
        return tf.random.stateless_normal((n, self.latent_dim), seed=seed)

    def generate(self, n: int, labels=None) -> tf.Tensor:
        """Draws `n` images, shape `(n, *image_shape)`, values in [-1, 1].

        For a conditional GAN, `labels` are `n` integer classes or one class
        for all; when omitted, classes cycle 0, 1, ..., num_classes - 1.
        z comes from `sample_latent`, the model's own seed stream.
        """
        if n <= 0:
            raise ValueError(f"n must be > 0, received n={n}")
        labels = self.signature.labels(n, labels)
        z = self.sample_latent(n)
        if labels is None:
            return self(z)
        return self([z, self.signature.one_hot(labels)])

    # ------------------------------------------------------------------
    # Hooks the objectives override
    # ------------------------------------------------------------------

    def critic_penalties(self, critic, real_images, fake_images) -> dict[str, tf.Tensor]:
        """Extra terms of the discriminator loss, by metric name; `{}` for none.

        `critic` maps images to scores (labels already bound for
        conditional GANs). The base class adds `r1_penalty` when
        `r1_weight > 0`; subclasses add their own terms to its dict. Each
        term is added to the loss and logged under its name. A lazy R1
        penalty (`r1_interval > 1`) reads the update count of the compiled
        `d_optimizer`.
        """
        if not self.r1_weight:
            return {}
        if self.r1_samples is not None:
            real_images = real_images[: self.r1_samples]

        def penalty():
            return losses.r1_penalty(critic, real_images, weight=self.r1_weight * self.r1_interval)

        if self.r1_interval == 1:
            return {"r1_penalty": penalty()}
        # The update about to be made is number `iterations` (from 0).
        due = tf.equal(self.d_optimizer.iterations % self.r1_interval, 0)
        return {"r1_penalty": tf.cond(due, penalty, lambda: tf.zeros((), tf.float32))}

    def after_critic_update(self) -> None:
        """Runs after every discriminator update (e.g. weight clipping)."""

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------

    def _unpack(self, data):
        """Returns `(images, one_hot_labels or None)` from a batch."""
        # Accepts fit(images, labels), fit(dataset of (images, labels)) and
        # fit((images, labels)).
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(images, (tuple, list)):
            images, labels = images
        if not self.conditional:
            return images, None
        if labels is None:
            raise ValueError(
                "this GAN is conditional (its generator takes [z, labels]), "
                "so fit it on (images, labels) batches, e.g. "
                "load_dataset(..., labels=True); received images only"
            )
        if labels.shape.rank == 1:
            labels = tf.one_hot(tf.cast(labels, tf.int32), self.num_classes)
        return images, tf.cast(labels, self.compute_dtype)

    def _network_inputs(self, data, labels):
        return data if labels is None else [data, labels]

    def _critic(self, labels):
        """The discriminator as a function of images only.

        The labels follow the images' batch: a penalty estimated on the
        first `r1_samples` images scores them with their own labels.
        """

        def critic(images):
            image_labels = None if labels is None else labels[: tf.shape(images)[0]]
            return self.discriminator(self._network_inputs(images, image_labels), training=True)

        return critic

    def train_step(self, data):
        real_images, labels = self._unpack(data)
        # One Keras step sees n_critic real batches: split them. A final
        # partial batch is split the same way (its remainder is dropped).
        batch_size = tf.shape(real_images)[0] // self.n_critic

        def critic_slice(tensor, i):
            return None if tensor is None else tensor[i * batch_size : (i + 1) * batch_size]

        # The generator does not change during the critic updates, so one
        # forward pass makes the fakes for all of them.
        n_fakes = self.n_critic * batch_size
        all_labels = None if labels is None else labels[:n_fakes]
        z = self.sample_latent(n_fakes)
        if self.n_critic == 1:
            # As in Goodfellow et al.'s Algorithm 1 with k = 1, the same
            # fakes train both networks: recording this pass for the
            # generator update spares a second one, the largest cost of a
            # convolutional generator.
            g_tape, all_fakes = self._recorded_fakes(z, all_labels)
            g_fakes = all_fakes
        else:
            # Recording n_critic batches to use one would waste memory: the
            # generator update draws a fresh batch below instead.
            all_fakes = self.generator(self._network_inputs(z, all_labels), training=True)
            g_tape = g_fakes = None

        d_stats = [
            self._discriminator_step(
                critic_slice(real_images, i),
                critic_slice(all_fakes, i),
                critic_slice(labels, i),
            )
            for i in range(self.n_critic)
        ]
        g_labels = critic_slice(labels, self.n_critic - 1)
        if g_tape is None:
            g_tape, g_fakes = self._recorded_fakes(self.sample_latent(batch_size), g_labels)
        g_stats = self._generator_step(g_tape, g_fakes, g_labels)
        if self.ema_generator is not None:
            self._update_ema()
        return self._update_metrics(d_stats, g_stats)

    def _discriminator_step(self, real_images, fake_images, labels) -> dict:
        critic = self._critic(labels)
        with tf.GradientTape() as tape:
            real_scores = critic(real_images)
            fake_scores = critic(fake_images)
            penalties = self.critic_penalties(critic, real_images, fake_images)
            d_loss = self.d_loss_fn(real_scores, fake_scores) + sum(penalties.values())
            scaled_loss = distribution.scale_for_replicas(d_loss)
        weights = self.discriminator.trainable_variables
        grads = tape.gradient(scaled_loss, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights))
        self.after_critic_update()
        stats = {
            "d_loss": d_loss,
            "real_score": tf.reduce_mean(real_scores),
            "fake_score": tf.reduce_mean(fake_scores),
            "d_grad_norm": tf.linalg.global_norm(grads),
            **penalties,
        }
        return stats

    def _recorded_fakes(self, z, labels) -> tuple[tf.GradientTape, tf.Tensor]:
        """Generates fakes on a tape that `_generator_step` continues."""
        tape = tf.GradientTape()
        with tape:
            fakes = self.generator(self._network_inputs(z, labels), training=True)
        return tape, fakes

    def _generator_step(self, tape: tf.GradientTape, fake_images, labels) -> dict:
        """Updates the generator; `tape` recorded the pass that made `fake_images`."""
        with tape:  # goes on recording: the critic's response to the fakes
            fake_scores = self._critic(labels)(fake_images)
            g_loss = self.g_loss_fn(fake_scores)
            scaled_loss = distribution.scale_for_replicas(g_loss)
        weights = self.generator.trainable_variables
        grads = tape.gradient(scaled_loss, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights))
        return {"g_loss": g_loss, "g_grad_norm": tf.linalg.global_norm(grads)}

    def ema_decay_at(self, num_updates) -> tf.Tensor:
        """The EMA decay after `num_updates` generator updates (>= 1).

        `min(ema_decay, (1 + n) / (10 + n))`, the warm-up of
        `tf.train.ExponentialMovingAverage(num_updates=...)`. Without it the
        average starts from the random initial weights and forgets them
        slowly: after 187 steps at decay 0.999 it still holds 83 % of them.
        With it the average covers roughly the last tenth of training until
        that window reaches the `1 / (1 - ema_decay)` steps of the set decay.
        """
        n = tf.cast(num_updates, tf.float32)
        return tf.minimum(tf.constant(self.ema_decay, tf.float32), (1.0 + n) / (10.0 + n))

    def _update_ema(self) -> None:
        # The generator optimizer has just applied this step's update, so its
        # iteration count is the number of generator updates so far.
        decay = self.ema_decay_at(self.g_optimizer.iterations)
        # Non-trainable weights (BatchNorm statistics) are averaged too, so
        # the EMA generator normalizes with statistics that match its kernels.
        for ema_weight, weight in zip(self.ema_generator.weights, self.generator.weights):
            ema_weight.assign_sub((1.0 - decay) * (ema_weight - weight))

    def _update_metrics(self, d_stats: list[dict], g_stats: dict) -> dict:
        def critic_mean(key):
            return tf.add_n([stats[key] for stats in d_stats]) / len(d_stats)

        self.d_loss_tracker.update_state(critic_mean("d_loss"))
        self.g_loss_tracker.update_state(g_stats["g_loss"])
        real_score = critic_mean("real_score")
        fake_score = critic_mean("fake_score")
        self.real_score_tracker.update_state(real_score)
        self.fake_score_tracker.update_state(fake_score)
        values = {
            "critic_gap": real_score - fake_score,
            "d_grad_norm": critic_mean("d_grad_norm"),
            "g_grad_norm": g_stats["g_grad_norm"],
        }
        for name in ("r1_penalty", "gradient_penalty"):
            if name in d_stats[0]:
                values[name] = critic_mean(name)
        for name, tracker in self.extra_trackers.items():
            tracker.update_state(values[name])
        return distribution.step_logs({metric.name: metric.result() for metric in self.metrics})

    # ------------------------------------------------------------------
    # Serialization
    # ------------------------------------------------------------------

    def get_config(self) -> dict:
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "n_critic": self.n_critic,
            "ema_decay": self.ema_decay,
            "r1_weight": self.r1_weight,
            "r1_samples": self.r1_samples,
            "r1_interval": self.r1_interval,
            "track_health": self.track_health,
            "seed": self.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class LSGAN(GAN):
    """Least-squares GAN (Mao et al. 2017): the BCE losses become squared errors."""

    default_loss = "least_squares"


@keras.saving.register_keras_serializable(package="keras_gans")
class WGAN(GAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    Clipping every critic weight to `[-clip_value, clip_value]` after each
    update keeps the critic (roughly) K-Lipschitz, as the Wasserstein dual
    requires. Defaults follow the paper: RMSprop(5e-5), n_critic=5, c=0.01.

    One bound for every layer shrinks their gains unequally: a layer's
    output scales with its weights times about sqrt(fan_in), so ±0.01 on a
    5x5 convolution of one channel (fan-in 25) passes far less signal than
    on a dense layer of fan-in 1024. `clip_by_fan_in=True` clips each
    layer's weights (kernel and bias) to ±clip_value · sqrt(3 / fan_in)
    instead, fan_in being the inputs of one output unit of its kernel:
    clip_value = 1 is then the bound of a uniform initialisation of variance
    1 / fan_in, and every layer keeps about the same gain. Weights of layers
    without a `kernel` keep the plain ±clip_value.

    Args:
        clip_value: the bound c, > 0.
        clip_by_fan_in: scale the bound per layer as above.
    """

    default_loss = "wasserstein"
    default_n_critic = 5

    def __init__(self, generator, discriminator, clip_value: float = 0.01, clip_by_fan_in: bool = False, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if clip_value <= 0:
            raise ValueError(f"clip_value must be > 0, received clip_value={clip_value}")
        self.clip_value = clip_value
        self.clip_by_fan_in = bool(clip_by_fan_in)

    def default_optimizers(self):
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)

    def clip_bound(self, fan_in: int | None) -> float:
        """The bound for the weights of a layer whose kernel has `fan_in` inputs per unit (None: no kernel)."""
        if self.clip_by_fan_in and fan_in:
            return self.clip_value * math.sqrt(3.0 / fan_in)
        return self.clip_value

    def after_critic_update(self) -> None:
        # Looked up at every trace, so a layer frozen later is simply skipped.
        for weight, fan_in in _weights_with_fan_in(self.discriminator):
            bound = self.clip_bound(fan_in)
            weight.assign(tf.clip_by_value(weight, -bound, bound))

    def get_config(self) -> dict:
        return {**super().get_config(), "clip_value": self.clip_value, "clip_by_fan_in": self.clip_by_fan_in}


def _weights_with_fan_in(model: keras.Model) -> list[tuple[keras.Variable, int | None]]:
    """Each trainable weight of `model` with the fan-in of its layer's kernel (None: no kernel).

    Nested models are searched too. A Dense kernel (inputs, units) has
    fan-in `inputs`, a Conv2D kernel (height, width, channels, filters)
    `height · width · channels`. Layers whose weights are not a `kernel`
    (batch norm, or a custom layer holding other layers) get None; a
    transposed convolution's kernel (height, width, filters, channels) would
    be read wrongly, but critics do not use them.
    """
    pairs = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            pairs += _weights_with_fan_in(layer)
            continue
        kernel = getattr(layer, "kernel", None)
        fan_in = None if kernel is None else math.prod(kernel.shape[:-1])
        pairs += [(weight, fan_in) for weight in layer.trainable_weights]
    # Weights a subclassed model made itself belong to none of its layers.
    listed = {id(weight) for weight, _ in pairs}
    pairs += [(weight, None) for weight in model.trainable_variables if id(weight) not in listed]
    return pairs


@keras.saving.register_keras_serializable(package="keras_gans")
class WGANGP(GAN):
    """WGAN with gradient penalty (Gulrajani et al. 2017).

    The critic loss gains `gp_weight * E[(||grad D(x_hat)||_2 - 1)^2]` on
    random interpolates `x_hat` of real and fake images (see
    `keras_gans.losses.gradient_penalty`). Defaults follow the paper:
    n_critic=5, lambda=10, Adam(1e-4, beta_1=0.5, beta_2=0.9).

    `gp_samples` estimates the penalty on the first `gp_samples` pairs of
    each critic batch only (the batches are shuffled, so a random subset):
    the same expectation, estimated with fewer interpolates, at a fraction
    of the cost of its second backward pass. `None`: every pair, as in the
    paper.
    """

    default_loss = "wasserstein"
    default_n_critic = 5

    def __init__(self, generator, discriminator, gp_weight: float = 10.0, gp_samples: int | None = None, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if gp_weight < 0:
            raise ValueError(f"gp_weight must be >= 0, received gp_weight={gp_weight}")
        self.gp_weight = gp_weight
        self.gp_samples = None if gp_samples is None else check_positive_int("gp_samples", gp_samples)

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
        )

    def extra_metric_names(self) -> list[str]:
        return ["gradient_penalty", *super().extra_metric_names()]

    def critic_penalties(self, critic, real_images, fake_images) -> dict[str, tf.Tensor]:
        # [:None] keeps every pair.
        penalty = losses.gradient_penalty(
            critic,
            real_images[: self.gp_samples],
            fake_images[: self.gp_samples],
            weight=self.gp_weight,
            seed=self.seed_generator,
        )
        return {**super().critic_penalties(critic, real_images, fake_images), "gradient_penalty": penalty}

    def get_config(self) -> dict:
        return {**super().get_config(), "gp_weight": self.gp_weight, "gp_samples": self.gp_samples}
