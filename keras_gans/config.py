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
    label_smoothing: float = 0.0  # one-sided: D's target for real images is 1 - this (BCE objectives); 0: off
    # XLA compiles the MLPs into faster steps, but on a 2-core CPU it made
    # the DCGAN's steps slower (2.26 against 2.40 steps/s; half as fast for a
    # generator without its Dense 1024 layer): transposed convolutions. With
    # the R1 penalty, one epoch of `train dcgan --xla` took 1.31 times the
    # CPU seconds of `--no-xla` (whole process, 2 runs each, in turn).
    jit_compile: bool = True


# What the cross-entropy and least-squares DCGAN recipes (vanilla, lsgan,
# dcgan, cgan) train with, as the dcgan recipe's measurements below chose:
# 2 epochs of batch 128 at twice the assignment's Adam(1e-3) and with β1 = 0
# instead of its 0.5 (lsgan at the assignment's rate), sampled from a
# warmed-up EMA generator, XLA off.
_DCGAN_TRAINING = types.MappingProxyType(
    dict(epochs=2, lr=2e-3, beta_1=0.0, ema_decay=0.999, batch_size=128, jit_compile=False)
)
# The same in epochs of at most 400 steps instead of a full pass (469), which
# brought dcgan and cgan under the 5 minutes of wall time.
_DCGAN_TRAINING_400_STEP_EPOCHS = types.MappingProxyType(dict(_DCGAN_TRAINING, max_steps_per_epoch=400))
# The dcgan recipe's R1 penalty: γ = 1, estimated on 32 of the 128 real images of each step.
_R1_ON_32_IMAGES = types.MappingProxyType(dict(r1_weight=1.0, r1_samples=32))
# lsgan's and wgan's: γ = 10 on the same 32 images (see their measurements below).
_R1_GAMMA_10_ON_32_IMAGES = types.MappingProxyType(dict(_R1_ON_32_IMAGES, r1_weight=10.0))

RECIPES: dict[str, Recipe] = {
    # Every GAN recipe must beat the CS231n DCGAN baseline at equal CPU time
    # (`benchmarks/quality_table.py`). The course MLPs cannot on their own
    # objectives: `train vanilla --preset vanilla --lr 1e-3 --batch-size 128
    # --ema 0.999 --r1 1 --epochs 12` reached Fréchet distance 46.1 and
    # confidence 0.919 in 165 s wall, where the baseline had 32.8 and 0.935
    # after 120 s of training (10,000 samples, 2026-12-01); the same for
    # lsgan: 43.6 and 0.925; wgan-gp below. So these recipes train the DCGAN;
    # the MLPs stay a `--preset` away (with the recipe's other settings) and
    # are what tutorials 02, 03 and 05 build.
    # vanilla: the dcgan recipe with one-sided label smoothing (Salimans et
    # al. 2016), the stabiliser of the original objective's era. Without R1
    # the rarest digit stayed behind the baseline's (2 epochs, 10,000
    # samples, 2026-12-01): 5.9 % plain, 6.6 % with label smoothing 0.1
    # (Fréchet distance 9.8, confidence 0.964, coverage 0.80), 6.7 % with
    # 0.2, 6.5 % with the minibatch standard deviation over groups of 16;
    # without the minibatch standard deviation, 5.1 %. Label smoothing 0.1
    # with R1: 6.4, 0.961, 0.78, 8.2 % in 381 CPU seconds (211 s wall).
    # With Adam's β1 = 0 (see dcgan): 4.7, 0.963, 0.84, 8.4 % (2026-12-02).
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
    # lsgan: the dcgan recipe with the least-squares loss; 2 epochs: 13.2,
    # 0.953, coverage 0.76, rarest digit 7.5 % in 210 s. With the minibatch
    # standard deviation its confidence stayed at 0.949-0.957 over runs at
    # lr 1e-3 or 2e-3 (10,000 samples, 2026-12-01). Some of those runs set
    # an EMA decay of 0.998 instead of 0.999, which changes nothing here: the
    # warm-up min(decay, (1 + n) / (10 + n)) stays below 0.998 until update
    # 4,490, and 2 epochs are 928 updates, so the spread is noise between
    # runs. A linear decay of both learning rates to 0 over the run made
    # wgan-gp (11.7, 0.945) and lsgan (31.9, 0.929) worse, and so did the
    # coding of the paper's Pearson χ² variant, targets -1 and 1 for D and
    # 0 for G: 46.5, 0.935, coverage 0.65 (2026-12-02). Seeds 1 and 2 of
    # this recipe (`--seed`): 8.6, 0.956, 0.80, 8.1 % and 11.7, 0.953,
    # 0.73, 6.9 % in 412 and 509 CPU seconds (2026-12-02): confidence
    # above and within the baseline's at equal time (0.944 to 0.954).
    # Those runs had Adam's β1 = 0.5. With β1 = 0 (see dcgan): 12.6, 0.957,
    # 0.79, 6.0 % at lr 2e-3; 10.9, 0.955, 0.80, 7.3 % at lr 1e-3, which
    # the recipe takes (one run each, 2026-12-02). Neither a lower rate nor
    # a longer run lifted the rarest digit (one run each, AMD EPYC, same
    # day): lr 5e-4, 17.4, 0.946, 0.77, 7.3 %; 3 epochs, 8.1, 0.968, 0.85,
    # 6.7 %. A stronger R1 penalty did (`--r1`, one run each, whole process
    # alone, Intel Xeon with AMX, 2026-12-02): γ = 1, 12.7, 0.955, 0.80,
    # 6.6 % in 421 CPU seconds; γ = 5, 8.8, 0.955, 0.79, 7.9 % (seed 1:
    # 8.0, 0.958, 0.80, 7.5 %); γ = 10, 7.8, 0.954, 0.79, 8.6 %, which the
    # recipe takes. `quality_table.py --recipes lsgan wgan-gp` on that
    # machine scored γ = 10 at 8.1, 0.954, 0.79, 8.8 % against the
    # baseline's 22.7, 0.956, 0.74, 5.9 % after as many CPU seconds (484):
    # now behind on confidence only. A third epoch, as at γ = 1 above, lifted
    # the confidence: 4.5, 0.964, 0.83, 8.7 % in 716 CPU seconds, against
    # the baseline's 21.1, 0.957, 0.75, 7.5 % after as many (same machine,
    # 2026-12-02 20:32), ahead on all four; so the recipe trains 3 epochs.
    # Seed 1 of it: 4.8, 0.962, 0.83, 8.7 % in 714 CPU seconds (same machine, 21:08).
    "lsgan": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="LSGAN",
        loss="least_squares",
        description="CS231n DCGAN, least-squares loss (Mao et al. 2017), minibatch stddev, R1 penalty, EMA generator",
        **dict(_DCGAN_TRAINING, lr=1e-3, epochs=3),
        **_R1_GAMMA_10_ON_32_IMAGES,
    ),
    # The CS231n GAN assignment's DCGAN and batch 128, with a warmed-up EMA
    # generator, which lets it train at twice the assignment's Adam(1e-3).
    # Measured on the bundled MNIST (5,000 samples of the EMA generator after
    # 1 / 1.5 / 2 epochs): Fréchet distance 38.8 / 19.9 / 16.4 at lr 1e-3,
    # 27.4 / 17.6 / 15.7 at lr 2e-3; batch 64 at lr 5e-4 was behind (49.2
    # after one epoch).
    # The R1 penalty (γ = 1) then took 2 epochs from Fréchet distance 13.6,
    # coverage 0.78 and a rarest digit of 6.7 % to 7.0, 0.78 and 7.8 %
    # (10,000 samples); estimated on 32 of the 128 real images per step it
    # reached 5.7, 0.80 and 7.7 %, where all 128 made a 120-step run 1.64
    # times as long (whole process, timed in turn). Dropout
    # 0.3 in D made it worse (19.4). A minibatch standard deviation in D
    # (the dcgan_minibatch_stddev preset) then lifted the rarest digit
    # from 7.7 % to 8.6 % (an ad-hoc in-process probe, indicative only: its
    # first version, with segment sums, cost 410 against 407 ms of CPU per
    # step; the matrix-product version that XLA can compile, 412-453 against
    # 405-429 ms, two pairs in turn): 2 epochs reached Fréchet distance 5.5, confidence
    # 0.961, coverage 0.77 (2026-12-01; γ = 2 gave 6.5, 0.957, 0.77, 8.6 %).
    # After 1.5 epochs, 8.0, 0.957, 0.75, 8.2 % with it and 10.3, 0.954,
    # 0.73, 7.8 % without. At β1 = 0.5 its coverage was under the 0.8 asked
    # for (0.798 and 0.797 in the quality tables of 2026-12-01 and of
    # 2026-12-02 02:56, rarest
    # digit 8.3 % and 7.8 %): γ = 0.5 reached 6.1, 0.962, 0.81 but a rarest
    # digit of 7.7 %; groups of 8 in the minibatch standard deviation, 6.3,
    # 0.962, 0.80, 8.3 % (2026-12-02). Seeds 1 and 2 (`--seed`, the
    # table's runs are seed 0): 6.0, 0.958, 0.77, 8.2 % and 6.4, 0.960,
    # 0.80 (0.797), 7.7 % in 423 and 397 CPU seconds (2026-12-02), so the
    # recipe's coverage sits under 0.8 for every seed tried, and its
    # confidence and rarest digit straddle 0.96 and 8 %. Adam's β1 = 0
    # instead of the assignment's 0.5 (as the wgan-gp recipe below, and
    # StyleGAN2 with its R1 penalty) then closed the gap: 4.0, 0.968, 0.85,
    # 8.8 % (seed 0) and 6.1, 0.965, 0.83, 8.1 % (seed 1) in 425 and 535 CPU
    # seconds, the second on a slow spell of the machine (284-323 ms per
    # step against 233-239; 2026-12-02). Other changes to the β1 = 0.5
    # recipe that did not help (seed 0, same day): LeakyReLU slope 0.2 in D
    # instead of 0.01, 6.4, 0.956, 0.76, 8.4 %; Adam's β2 = 0.99, 7.3,
    # 0.961, 0.78, 7.3 %; no Dense 1024 layer in G (steps about a fifth shorter),
    # 31.8, 0.933, 0.70, 5.8 %. Recomputing the EMA generator's batch-norm
    # statistics from 8,192 of its own samples moved the slope-0.2 run from
    # 6.4, 0.956, 0.76 to 5.8, 0.955, 0.76: not worth a step of its own.
    # For the 5 minutes of wall time (6.0 in the quality table of
    # 2026-12-03 07:07, Intel Xeon with AMX): R1 on 16 real images per step
    # instead of 32 made a 150-step run 0.94 times as long (whole process,
    # 2 pairs in turn) and scored 5.7, 0.966, 0.85, 7.9 % in 578 CPU
    # seconds and 5.3 minutes (one run, same machine and day): its rarest
    # digit under the 8 % asked for. The R1 penalty on every fourth update
    # only, at 4 γ (lazy regularization, `r1_interval`), made a 150-step run
    # 0.96 times the CPU seconds (whole process, 2 pairs in turn, same day;
    # its wall time moved with the host, 1.04 times); with it, epochs of 400
    # steps instead of a full pass (469) scored 6.9, 0.961, 0.82, 8.5 % in
    # 438 CPU seconds and 4.6 minutes (one run, same machine and day),
    # which the recipe takes. Its rarest digit straddles 8 % from run to
    # run (8.5, 8.2 and 7.5 % in three runs that day, 8.4 % in the quality
    # table of 13:47: 7.0, 0.962, 0.82 in 455 CPU seconds and 4.3 minutes,
    # against the baseline's 24.6, 0.946, 0.65, 7.7 %; 7.8 % in the table of
    # 15:57: 7.3, 0.961, 0.82 in 462 CPU seconds and 4.6 minutes, against
    # the baseline's 25.0, 0.956, 0.74, 6.5 %); two changes that did
    # not lift it clear (one run each, same machine, 2026-12-03 13:00, alone): the
    # lazy penalty on 64 real images instead of 32, 8.3, 0.962, 0.80, 8.2 %
    # in 459 CPU seconds; γ = 10 as lsgan and wgan train, 6.8, 0.952, 0.77,
    # 8.5 % in about 474, its confidence and coverage under the targets;
    # both rates decaying linearly to 0 over the run (keras.optimizers.
    # schedules.PolynomialDecay), 12.2, 0.950, 0.81, 8.1 % in 476 CPU
    # seconds (one run, same machine, 2026-12-03 17:36, alone).
    # `benchmarks/quality_table.py` compares the recipe with the
    # assignment's plain loop at equal time.
    "dcgan": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="GAN",
        loss="non_saturating",
        description="CS231n DCGAN, BCE (Radford et al. 2016), minibatch stddev in D, lazy R1 penalty, EMA generator",
        **_DCGAN_TRAINING_400_STEP_EPOCHS,
        **dict(_R1_ON_32_IMAGES, r1_interval=4),
    ),
    # wgan: on the exercise's MLP (`--preset wgan-gp`), clipped at the
    # paper's 0.01 for every weight, the paper's RMSprop(5e-5) reached
    # Fréchet distance 567 / 496 / 466 / 450 / 437 and never more than 7 of
    # the 10 digits; lr 5e-4 with an EMA generator
    # reached 437 / 321 / 236 / 213 / 206 with all ten (epochs 4 to 20), and
    # 236.3, confidence 0.812, coverage 0.13 after 20 epochs (2.5 min wall).
    # On the dcgan
    # recipe's networks, 2 epochs with 2 critic updates per generator update
    # (10,000 samples, 2026-12-01): 114.3, 0.878, 0.30 at RMSprop(5e-4);
    # 87.3, 0.888, 0.32 at RMSprop(1e-3) in 404 CPU seconds (273 s wall); clipping at
    # 0.02 instead of the paper's 0.01, 84.0, 0.899, 0.37, but its rarest
    # digit had 4.6 % of the samples; RMSprop(2e-3): 142.7; batch norm in
    # the critic (as in the paper's DCGAN critic): 221.3. One critic update
    # per generator update, with the critic's fakes reused for the
    # generator, reached 59.5, 0.905, 0.44, 7.4 % in 472 CPU seconds.
    # Clipping each layer at c · sqrt(3 / fan_in) instead of one bound for
    # all (WGAN's clip_by_fan_in) then reached, for c = 0.25 / 0.5 / 1 / 2:
    # 39.7, 0.920, 0.52, 7.9 % / 23.8, 0.938, 0.61, 7.3 % / 27.4, 0.938, 0.56,
    # 7.9 % / 25.8, 0.939, 0.58, 7.1 %, in 460-490 CPU seconds (2026-12-02).
    # `benchmarks/quality_table.py --recipes wgan` then scored c = 0.5 at
    # 23.8, 0.938, 0.61, 7.3 % against the baseline's 28.8, 0.952, 0.72,
    # 6.0 % after 480 CPU seconds, whose saves around that time range from
    # 16.2 to 28.8: weight clipping trains slowly, as the WGAN-GP paper
    # found, and this recipe is still behind the baseline on confidence and
    # coverage. Changes to c = 0.5 that did not close the gap (2026-12-02):
    # batch 128, 27.2, 0.934, 0.58; 2 critic updates, 61.9, 0.906, 0.44;
    # Adam(1e-3, β1 = 0.5, β2 = 0.9), 126.6; the critic at 2e-3 and the
    # generator at 1e-3, 39.5, 0.924, 0.53; an EMA warm-up averaging the last
    # half or roughly the last thirtieth of training instead of the last tenth, 29.6 and
    # 24.7, 0.937; 3 epochs, 18.3, 0.941, 0.64 in 815 CPU seconds; the
    # dcgan preset, without the minibatch standard deviation, 23.7, 0.938, 0.61.
    # Adam(1e-3, β1 = 0) for both networks instead of RMSprop(1e-3), as the
    # other DCGAN recipes train (one run, Intel Xeon with AMX, 2026-12-02):
    # 33.1, 0.925, 0.56, 7.8 % in 580 CPU seconds.
    # The R1 penalty on 32 real images per step, as the BCE recipes train
    # (one run each, Intel Xeon with AMX, 2026-12-03, alone): γ = 1, 14.0,
    # 0.945, 0.68, 7.7 % in 656 CPU seconds; γ = 10, 10.2, 0.946, 0.73,
    # 8.6 % in 626, ahead of the recipe without it on all four, which the
    # recipe takes. With it, Adam(2e-3, β1 = 0) instead of RMSprop(1e-3)
    # scored 24.2, 0.933, 0.60, 7.4 %; R1 (γ = 1) added to wgan-gp's
    # gradient penalty, 6.5, 0.953, 0.77, 8.6 % in 658 CPU seconds, no
    # higher confidence than without. With R1 at γ = 10 bounding the
    # critic's gradients on real images, the clipping can be looser (one run
    # each, same machine, 2026-12-03): c = 1, 6.0, 0.955, 0.79, 8.7 % in
    # 616 CPU seconds; c = 2, 5.3, 0.962, 0.81, 9.0 % in 723, which the
    # recipe takes; c = 4, 5.4, 0.958, 0.81, 9.0 % (not timed alone). At
    # c = 0.5, γ = 30 scored 8.2, 0.947, 0.76, 8.9 % and RMSprop(2e-3) 28.2, 0.928.
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
    # wgan-gp: the dcgan recipe's networks (the WGAN-GP paper's MNIST critic
    # is convolutional too) with 2 critic updates per generator update, the
    # penalty estimated on 32 of each critic batch's 64 pairs, and Adam with
    # β1 = 0 instead of the paper's 0.5 (2 epochs, 10,000 samples,
    # 2026-12-01): β1 = 0.5 reached Fréchet distance 17.4, confidence 0.933,
    # coverage 0.63 at lr 1e-3 and 13.4, 0.942, 0.67 at lr 2e-3; β1 = 0
    # reached 7.6, 0.949, 0.75 at lr 1e-3 and 7.4, 0.952, 0.75 at lr 2e-3
    # (426 CPU seconds; the dcgan recipe took 369). One critic update per
    # generator update was far behind (51.1 at lr 2e-3, 59.9 at 1e-3).
    # The minibatch standard deviation couples the images of a group of 4,
    # so the penalty's gradients hold a small term from the others in the
    # group; Karras et al. 2018 trained WGAN-GP with it the same way.
    # The exercise's exact MLP (`--preset wgan-gp`) plateaued near 50: with
    # n_critic 2 at Adam(5e-4), 54.8 and 0.909 in 141 s.
    # After 2 epochs its confidence stayed level with the baseline's at
    # equal time in every quality table (0.954 against 0.954 on 2026-12-02).
    # A third epoch took it to 4.3, 0.961, 0.81, 8.8 % (one run, AMD EPYC,
    # 2026-12-02), but the baseline gains as much from the extra time:
    # `quality_table.py --recipes dcgan wgan-gp` on that machine the same
    # day scored 3 epochs at 4.8, 0.959, 0.81, 8.8 % in 1411 CPU seconds,
    # against the baseline's 15.5, 0.961, 0.80, 6.1 % after as many, still
    # not ahead on confidence; so it stays at 2, the cheaper run.
    # On an Intel Xeon with AMX (one run each, 2026-12-02): the recipe,
    # 7.3, 0.952, 0.76, 8.1 % in 457 CPU seconds; gp_weight 2 instead of
    # 10, 7.3, 0.952, 0.78, 8.4 %; the dcgan preset (no minibatch standard
    # deviation), 7.6, 0.953, 0.76, 8.1 %: confidence unmoved. R1 at
    # γ = 10 on 32 real images beside the gradient penalty, which lifted
    # wgan: 12.2, 0.943, 0.68, 8.4 % in 776 CPU seconds (one run, same
    # machine, 2026-12-03). Other penalties and settings that left the
    # confidence where it was (one run each, same machine, 2026-12-03
    # 13:10 to 13:45, alone): Adam's β2 = 0.999 instead of the paper's 0.9,
    # 8.5, 0.950, 0.73, 7.4 % in 592 CPU seconds; the penalty centred at 0
    # instead of 1 (Thanh-Tung et al. 2019), 15.9, 0.939, 0.66, 7.6 % in
    # 567; one-sided, max(0, ‖∇D(x̂)‖ - 1)² (Petzka et al. 2018), 7.0,
    # 0.952, 0.77, 8.3 % in 592; ProGAN's drift term 0.001·E[D(x)²]
    # (Karras et al. 2018), 6.9, 0.952, 0.76, 8.6 % in 682; the penalty on
    # all 64 pairs of a critic batch, as in the paper, 6.4, 0.954, 0.77,
    # 8.3 % in 667. In the quality table of 2026-12-03 13:47 the recipe
    # scored 7.6, 0.952, 0.76, 8.3 % in 554 CPU seconds, ahead of the
    # baseline's 39.4, 0.944, 0.66, 6.1 % after as many: the baseline's
    # save fell in a trough (0.940 to 0.961 between 455 and 806 seconds).
    # In the table of 15:57 it scored 7.4, 0.950, 0.76, 8.0 % in 574 CPU
    # seconds, behind the baseline's 12.0, 0.963, 0.78, 7.1 % on confidence
    # and coverage. After it (one run each, same machine, alone): both
    # rates decaying linearly to 0 over the run, 11.2, 0.945, 0.76, 8.2 %
    # in 613 CPU seconds; the generator at twice the critic's rate (4e-3),
    # 6.7, 0.956, 0.77, 7.9 % in 605; batch 32 (twice the generator
    # updates, the penalty on 16 of each critic batch's 32 pairs), 6.2,
    # 0.956, 0.79, 8.2 % in 801 CPU seconds and 8.7 minutes, over the
    # issue's 5; the baseline's confidence between 783 and 842 CPU seconds
    # was 0.954 to 0.961 in that day's two tables.
    "wgan-gp": Recipe(
        preset="dcgan_minibatch_stddev",
        gan_class="WGANGP",
        loss="wasserstein",
        description="CS231n DCGAN, gradient penalty (Gulrajani et al. 2017), minibatch stddev, EMA generator",
        epochs=2,
        lr=2e-3,
        beta_1=0.0,
        ema_decay=0.999,
        n_critic=2,
        jit_compile=False,
        gan_options=types.MappingProxyType(dict(gp_samples=32)),
    ),
    # The dcgan recipe, conditional. Label accuracy of the EMA generator
    # (5,000 samples) after 0.5 / 1 / 1.5 epochs: 0.15 / 0.96 / 0.99 at
    # lr 1e-3; 0.83 after half an epoch at lr 2e-3. 2 epochs at β1 = 0.5:
    # Fréchet distance 6.8, confidence 0.996, coverage 0.87, label accuracy
    # 0.994; at β1 = 0, as the other DCGAN recipes: 7.8, 0.997, 0.87, 0.995
    # (2026-12-02). Full epochs took 5.6 minutes of wall time (8.4 of CPU) in
    # the quality table of 2026-12-03 13:47, over the 5; epochs of
    # 400 steps, as dcgan trains, scored 8.0, 0.998, 0.85, 9.9 %, label
    # accuracy 0.997, in 417 CPU seconds and 3.8 minutes (one run, Intel
    # Xeon with AMX, 2026-12-03 15:03, alone), which the recipe takes; in
    # the quality table of 15:57, 8.0, 0.998, 0.85, 9.9 %, label accuracy
    # 0.997, in 405 CPU seconds and 4.5 minutes.
    "cgan": Recipe(
        preset="conditional_dcgan",
        gan_class="GAN",
        loss="non_saturating",
        description="conditional CS231n DCGAN, one-hot label joined to z and to D's features (Mirza & Osindero 2014)",
        **_DCGAN_TRAINING_400_STEP_EPOCHS,
    ),
    # batchnorm-mlp, measured with `--evaluate-every 3` (2,000 samples after
    # epochs 3 / 6 / 9 / 12). Adam(2e-4), batch 64, no EMA, 20 epochs: 39.1,
    # 0.935 in 4.4 min (10,000 samples). Adam(1e-3), batch 128, EMA and R1
    # (γ = 1, on all 128: it is cheap for an MLP): 127 / 50 / 34 / 26, and
    # 20.3, 0.941, coverage 0.81, rarest digit 8.3 % in 144 s, behind the
    # baseline's confidence at equal time (0.942). A fresh run with
    # `--epochs 24 --evaluate-every 4` (2,000 samples after epochs 4 to 24):
    # 86.3 / 37.0 / 25.9 / 20.1 / 17.6 / 16.1, confidence 0.886 / 0.929 /
    # 0.940 / 0.951 / 0.954 / 0.961; after 24 epochs, 7.7, 0.960, coverage
    # 0.85, rarest digit 8.0 % (10,000 samples) in 494 CPU seconds with the
    # evaluations (330 s wall, 2026-12-02). Adam's β1 = 0 instead of 0.5, as
    # the DCGAN recipes train: 5.3, 0.965, 0.84, 8.8 % in 736 CPU seconds
    # against the recipe's 857 (one run, Intel Xeon with AMX, 2026-12-03,
    # alone), which the recipe takes.
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
