"""Training configuration: one typed dataclass, and the named recipes.

A *recipe* is what `python -m keras_gans train MODEL` means by MODEL: an
architecture preset (`keras_gans.models`), the GAN class that trains it
(`keras_gans.gans`) and that objective's defaults; or the energy-based model
(`keras_gans.ebm`). `TrainConfig` holds every
choice of a run; its `None` fields fall back to the recipe.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping

from keras_gans.checks import check_choice


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A trainable model: architecture, objective and their defaults."""

    preset: str | None  # name in keras_gans.models.PRESETS; None for the EBM
    gan_class: str | None  # class name in keras_gans.gans; None for the EBM
    loss: str | None  # objective for compile(), a name of keras_gans.losses; None for the EBM
    epochs: int  # default length of a run
    description: str
    lr: float | None = None  # learning rate of both networks; None: the class's paper default
    beta_1: float | None = None  # Adam's β1 (momentum) for both networks; None: the class's paper default
    ema_decay: float | None = None  # EMA of the generator's weights for sampling; None: off
    batch_size: int = 64  # real images per discriminator update
    max_steps_per_epoch: int | None = None  # epochs end after at most this many steps; None: one pass
    r1_weight: float = 0.0  # γ of the R1 penalty on real images (losses.r1_penalty); 0: off
    r1_samples: int | None = None  # real images per batch the R1 penalty is estimated on; None: all
    r1_interval: int = 1  # R1 on every N-th discriminator update only, weighted N·γ (lazy regularization)
    n_critic: int | None = None  # critic updates per generator update; None: the GAN class's default
    # Keyword arguments only one GAN class takes, e.g. WGANGP's gp_samples or WGAN's clip_value.
    gan_options: Mapping[str, object] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}), hash=False
    )
    # Builder arguments of `preset` that the recipe changes (`models.build_preset`'s overrides), e.g.
    # `discriminator_minibatch_stddev=8`; they do not apply when `--preset` picks another architecture.
    preset_options: Mapping[str, object] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}), hash=False
    )
    label_smoothing: float = 0.0  # one-sided: D's target for real images is 1 - this (BCE objectives); 0: off
    # XLA speeds up the MLPs' steps but slowed the DCGAN's (transposed convolutions) on a 2-core CPU.
    # Measurements: benchmarks/recipe_log.md, "XLA".
    jit_compile: bool = True


# What the cross-entropy and least-squares DCGAN recipes (vanilla, lsgan, dcgan, cgan) train with, as the
# dcgan recipe's runs chose: 2 epochs of batch 128 at twice the assignment's Adam(1e-3) and with β1 = 0
# instead of its 0.5 (lsgan at the assignment's rate, dcgan since at batch 64), sampled from a warmed-up EMA
# generator, XLA off. Measurements: benchmarks/recipe_log.md, "Shared DCGAN training settings".
_DCGAN_TRAINING = types.MappingProxyType(
    dict(epochs=2, lr=2e-3, beta_1=0.0, ema_decay=0.999, batch_size=128, jit_compile=False)
)
# The same in epochs of at most 400 steps instead of a full pass (469), which
# brought cgan under the 5 minutes of wall time.
_DCGAN_TRAINING_400_STEP_EPOCHS = types.MappingProxyType(dict(_DCGAN_TRAINING, max_steps_per_epoch=400))
# vanilla's R1 penalty: γ = 1, estimated on 32 of the 128 real images of each step.
_R1_ON_32_IMAGES = types.MappingProxyType(dict(r1_weight=1.0, r1_samples=32))
# lsgan's and wgan's: γ = 10 on the same 32 images (see benchmarks/recipe_log.md).
_R1_GAMMA_10_ON_32_IMAGES = types.MappingProxyType(dict(_R1_ON_32_IMAGES, r1_weight=10.0))

RECIPES: dict[str, Recipe] = {
    # Every GAN recipe must beat the CS231n DCGAN baseline at equal CPU time (`benchmarks/quality_table.py`).
    # The course MLPs could not on their own objectives, so these recipes train the DCGAN; the MLPs stay a
    # `--preset` away (with the recipe's other settings) and are what tutorials 02, 03 and 05 build.
    # Measurements: benchmarks/recipe_log.md, "Why the recipes train the DCGAN rather than the course MLPs".
    # vanilla: the dcgan recipe with one-sided label smoothing (Salimans et al. 2016), the stabiliser of the
    # original objective's era. Without R1 its rarest digit stayed behind the baseline's; R1 (γ = 1 on 32
    # real images) lifted it past 8 %, and β1 = 0 (see dcgan) its coverage.
    # Measurements: benchmarks/recipe_log.md, "vanilla".
    "vanilla": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="GAN",
        loss="non_saturating",
        description=(
            "CS231n DCGAN, non-saturating BCE (Goodfellow et al. 2014) with one-sided label smoothing, "
            "minibatch stddev, R1 penalty, EMA generator"
        ),
        label_smoothing=0.1,
        **_DCGAN_TRAINING,
        **_R1_ON_32_IMAGES,
    ),
    # lsgan: the dcgan recipe with the least-squares loss. With β1 = 0 the assignment's lr 1e-3 beat 2e-3;
    # R1 at γ = 10 instead of 1 lifted the rarest digit past the baseline's, and a third epoch the confidence,
    # which at 2 epochs was still behind the baseline's at equal CPU time.
    # Measurements: benchmarks/recipe_log.md, "lsgan".
    "lsgan": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="LSGAN",
        loss="least_squares",
        description="CS231n DCGAN, least-squares loss (Mao et al. 2017), minibatch stddev, R1 penalty, EMA generator",
        **dict(_DCGAN_TRAINING, lr=1e-3, epochs=3),
        **_R1_GAMMA_10_ON_32_IMAGES,
    ),
    # The CS231n GAN assignment's DCGAN with a warmed-up EMA generator, which lets it train at twice the
    # assignment's Adam(1e-3). β1 = 0 instead of 0.5 lifted coverage over 0.8. An R1 penalty estimated on a
    # quarter of each step's real images cut the Fréchet distance from 13.6 to 5.7, and a minibatch standard
    # deviation in D, in groups of 8, lifted the rarest digit. At batch 128 that digit straddled 8 % from run to
    # run; batch 64 with R1 at γ = 4 (on 16 images) lifted it to 8.7 % on average over six runs, in no more CPU
    # time. For the 5 minutes of wall time, R1 is lazy (every 4th update, at 4 γ) and the 2 epochs end
    # after 700 steps. `benchmarks/quality_table.py` compares it with the assignment's plain loop at equal time.
    # Measurements: benchmarks/recipe_log.md, "dcgan".
    "dcgan": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="GAN",
        loss="non_saturating",
        description="CS231n DCGAN, BCE (Radford et al. 2016), minibatch stddev in D, lazy R1 penalty, EMA generator",
        **dict(_DCGAN_TRAINING, batch_size=64, max_steps_per_epoch=700),
        r1_weight=4.0,
        r1_samples=16,
        r1_interval=4,
        preset_options=types.MappingProxyType(dict(discriminator_minibatch_stddev=8)),
    ),
    # wgan: weight clipping on the dcgan recipe's networks, RMSprop(1e-3), one critic update per generator
    # update. The paper's one bound of 0.01 for every weight throttled the layers with few inputs, so each layer
    # is clipped at c · sqrt(3 / fan_in); R1 at γ = 10 on 32 real images holds the critic's gradients on real
    # digits down, which let the bound loosen to c = 2 (Fréchet distance 5.3, against 23.8 at c = 0.5 without R1).
    # Measurements: benchmarks/recipe_log.md, "wgan".
    "wgan": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="WGAN",
        loss="wasserstein",
        description=(
            "CS231n DCGAN, Wasserstein loss with weight clipping (Arjovsky et al. 2017) scaled by each "
            "layer's fan-in, minibatch stddev, R1 penalty, EMA generator"
        ),
        epochs=2,
        lr=1e-3,
        ema_decay=0.999,
        n_critic=1,
        **_R1_GAMMA_10_ON_32_IMAGES,
        jit_compile=False,
        gan_options=types.MappingProxyType(dict(clip_value=2.0, clip_by_fan_in=True)),
    ),
    # wgan-gp: the dcgan recipe's networks (the paper's MNIST critic is convolutional too), 2 critic updates per
    # generator update, and Adam(2e-3) with β1 = 0 instead of the paper's 0.5 (Fréchet distance 7.4 against
    # 13.4). After 2 epochs its confidence stayed near the baseline's whatever the penalty; 4 epochs lifted it
    # clear, and estimating the penalty on 16 of each critic batch's 64 pairs pays for part of the extra time.
    # Measurements: benchmarks/recipe_log.md, "wgan-gp".
    "wgan-gp": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="WGANGP",
        loss="wasserstein",
        description="CS231n DCGAN, gradient penalty (Gulrajani et al. 2017), minibatch stddev, EMA generator",
        epochs=4,
        lr=2e-3,
        beta_1=0.0,
        ema_decay=0.999,
        n_critic=2,
        jit_compile=False,
        gan_options=types.MappingProxyType(dict(gp_samples=16)),
    ),
    # The dcgan recipe as it trained at batch 128, conditional (no R1), with β1 = 0 as the other DCGAN recipes.
    # Epochs of 400 steps: full epochs took longer than the 5 minutes of wall time.
    # Measurements: benchmarks/recipe_log.md, "cgan".
    "cgan": Recipe(
        preset="conditional_dcgan",
        gan_class="GAN",
        loss="non_saturating",
        description="conditional CS231n DCGAN, one-hot label joined to z and to D's features (Mirza & Osindero 2014)",
        **_DCGAN_TRAINING_400_STEP_EPOCHS,
    ),
    # batchnorm-mlp: the course MLP with batch norm in G, at Adam(1e-3) and batch 128, with an EMA generator and
    # R1 (γ = 1) on all 128 real images, cheap for an MLP. 24 epochs: its confidence was still climbing at 12;
    # β1 = 0, as the DCGAN recipes train, beat 0.5 on Fréchet distance, confidence and rarest digit.
    # Measurements: benchmarks/recipe_log.md, "batchnorm-mlp".
    "batchnorm-mlp": Recipe(
        preset="batchnorm_mlp",
        gan_class="GAN",
        loss="non_saturating",
        epochs=24,
        description="MLP with BatchNorm in G and a sigmoid D, BCE on probabilities, R1 penalty, EMA generator",
        lr=1e-3,
        beta_1=0.0,
        ema_decay=0.999,
        batch_size=128,
        r1_weight=1.0,
    ),
    "ebm": Recipe(
        preset=None,
        gan_class=None,
        loss=None,
        epochs=2,
        description="energy-based model: Swish CNN, Langevin sampling, contrastive divergence (Du & Mordatch 2019)",
        # XLA made the Langevin loop 5 times slower on a 2-core CPU.
        jit_compile=False,
    ),
}

STRATEGIES = ("default", "mirrored", "multi-worker")
# "float32" everywhere, or bfloat16 compute with float32 weights (keras_gans.precision).
PRECISIONS = ("float32", "mixed_bfloat16")


def get_recipe(model: str) -> Recipe:
    """Returns the recipe named `model`; the error lists the known names."""
    if model not in RECIPES:
        raise ValueError(f"unknown model {model!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[model]


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs. `None` means "the recipe's default"."""

    model: str = "dcgan"  # a key of RECIPES
    preset: str | None = None  # architecture, a key of keras_gans.models.PRESETS; None: the recipe's
    dataset: str = "mnist"  # bundled MNIST, "fashion_mnist", a TFDS name or a path
    epochs: int | None = None  # None: the recipe's epochs
    batch_size: int | None = None  # real images per discriminator update; None: the recipe's
    latent_dim: int | None = None  # None: the preset's latent_dim
    lr: float | None = None  # learning rate of both optimizers; None: the recipe's
    n_critic: int | None = None  # critic updates per generator update; None: the recipe's
    r1_weight: float | None = None  # γ of the R1 penalty on real images; 0: off; None: the recipe's
    ema_decay: float | None = None  # EMA generator for sampling, e.g. 0.999; 0: off; None: the recipe's
    jit_compile: bool | None = None  # XLA-compile the train step; None: the recipe's choice
    sample_steps: int | None = None  # EBM only: Langevin steps of its grids and, saved, of generate; None: 512
    precision: str = "float32"  # or "mixed_bfloat16": bfloat16 compute, float32 weights
    seed: int = 0  # seeds weights, noise and data order
    out: str | None = None  # run folder; None: saved_models/<model>
    export: bool = True  # write the SavedModel generator at the end
    resume: bool = False  # continue the run in `out` from its last checkpoint
    overwrite: bool = False  # replace an existing run folder instead of numbering a new one
    limit: int | None = None  # use only the first N training images (quick runs)
    steps_per_epoch: int | None = None  # None: one pass over the data
    steps_per_execution: int = 8  # train steps per compiled call (fewer Python round trips)
    strategy: str = "default"  # "default", "mirrored" or "multi-worker" (reads TF_CONFIG)
    tensorboard: str | None = None  # folder for TensorBoard logs and sample images
    evaluate_every: int = 0  # log sample-quality metrics every N epochs; 0: never
    verbose: int = 1  # Keras progress bar: 0 silent, 1 bar, 2 one line per epoch

    def __post_init__(self) -> None:
        get_recipe(self.model)
        if self.preset is not None:
            self._check_preset()
        if self.sample_steps is not None and self.is_gan:
            raise ValueError(
                f"sample_steps is the energy-based model's; the {self.model} model samples without Langevin "
                f"steps, received sample_steps={self.sample_steps}"
            )
        for name in (
            "epochs",
            "batch_size",
            "latent_dim",
            "n_critic",
            "limit",
            "steps_per_epoch",
            "steps_per_execution",
            "sample_steps",
        ):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0, received {name}={value}")
        if self.lr is not None and self.lr <= 0:
            raise ValueError(f"lr must be > 0, received lr={self.lr}")
        if self.r1_weight is not None and self.r1_weight < 0:
            raise ValueError(f"r1_weight must be >= 0, received r1_weight={self.r1_weight}")
        if self.ema_decay is not None and not 0 <= self.ema_decay < 1:
            raise ValueError(f"ema_decay must be in [0, 1), received ema_decay={self.ema_decay}")
        check_choice("precision", self.precision, PRECISIONS)
        check_choice("strategy", self.strategy, STRATEGIES)
        if self.evaluate_every < 0:
            raise ValueError(f"evaluate_every must be >= 0, received evaluate_every={self.evaluate_every}")
        if self.resume and self.overwrite:
            raise ValueError("resume and overwrite exclude each other: choose one")

    def _check_preset(self) -> None:
        if not self.is_gan:
            raise ValueError(f"the {self.model} model has no architecture preset; received preset={self.preset!r}")
        # Imported here: the architectures need Keras, the configuration does not.
        from keras_gans import losses, models

        spec = models.get_preset(self.preset)
        # The canonical name ("wgan-gp" -> "wgan_gp"), as config.json records it.
        self.preset = next(name for name, known in models.PRESETS.items() if known is spec)
        # A sigmoid discriminator cannot serve an objective that needs raw
        # scores: say so now, before any data is loaded or folder made.
        losses.get_loss_pair(self.recipe.loss, from_logits=spec.from_logits)

    @property
    def recipe(self) -> Recipe:
        return get_recipe(self.model)

    @property
    def is_gan(self) -> bool:
        return self.recipe.gan_class is not None

    @property
    def architecture(self) -> str | None:
        """The preset to build: `preset`, else the recipe's; None for the EBM."""
        return self.preset if self.preset is not None else self.recipe.preset

    @property
    def architecture_options(self) -> dict[str, object]:
        """The recipe's `preset_options` when it trains its own preset, else `{}`."""
        if self.architecture != self.recipe.preset:
            return {}
        return dict(self.recipe.preset_options)

    @property
    def total_epochs(self) -> int:
        return self.epochs if self.epochs is not None else self.recipe.epochs

    @property
    def real_batch_size(self) -> int:
        """Real images per discriminator update."""
        return self.batch_size if self.batch_size is not None else self.recipe.batch_size

    @property
    def learning_rate(self) -> float | None:
        return self.lr if self.lr is not None else self.recipe.lr

    @property
    def critic_updates(self) -> int | None:
        """Critic updates per generator update: `n_critic`, else the recipe's (None: the class's)."""
        return self.n_critic if self.n_critic is not None else self.recipe.n_critic

    @property
    def r1_penalty_weight(self) -> float:
        """γ of the R1 penalty to train with; 0 for none."""
        return self.r1_weight if self.r1_weight is not None else self.recipe.r1_weight

    @property
    def use_xla(self) -> bool:
        """Whether to XLA-compile the train step: `jit_compile`, else the recipe's choice."""
        return self.jit_compile if self.jit_compile is not None else self.recipe.jit_compile

    @property
    def generator_ema(self) -> float | None:
        """The EMA decay to train with, or None for no EMA generator."""
        decay = self.ema_decay if self.ema_decay is not None else self.recipe.ema_decay
        return decay or None
