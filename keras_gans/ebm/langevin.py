"""Langevin dynamics: noisy gradient ascent on a score, the EBM's sampler."""

from __future__ import annotations

import os
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.checks import check_positive_int
from keras_gans.hardware import usable_cores

# Independent Langevin loops an `EnergyBasedModel` splits its chains into:
# one per core of the 2-core CPU the package is tuned on. A fixed number
# (not the machine's core count) keeps a seed's samples the same everywhere.
DEFAULT_CHAIN_GROUPS = 2


def check_langevin_parameters(step_size: float, noise_std: float, grad_clip: float | None) -> None:
    """Checks the Langevin options shared by the sampler and `EnergyBasedModel`.

    Raises:
        ValueError: naming the value, unless step_size > 0, noise_std >= 0
            and grad_clip is None or > 0.
    """
    if step_size <= 0:
        raise ValueError(f"step_size must be > 0, received step_size={step_size}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, received noise_std={noise_std}")
    if grad_clip is not None and grad_clip <= 0:
        raise ValueError(f"grad_clip must be > 0 or None, received grad_clip={grad_clip}")


def set_threads_for_chain_groups(chain_groups: int = DEFAULT_CHAIN_GROUPS) -> bool:
    """Gives each TensorFlow op a share of the cores, so `chain_groups` Langevin loops run side by side.

    A Langevin step is many small convolutions that two threads run hardly
    faster than one, so on 2 cores two loops of one thread each beat one
    loop of two. TensorFlow sizes its thread pools once, before its first
    op runs: call this at the start of a process (the CLI does for
    `train ebm`). The intra-op pool gets cores // chain_groups threads
    (at least 1).

    Returns:
        True if the pool has that size; False if TensorFlow had already
        started with another, or `TF_NUM_INTRAOP_THREADS` is set (an
        explicit choice wins).
    """
    chain_groups = check_positive_int("chain_groups", chain_groups)
    if "TF_NUM_INTRAOP_THREADS" in os.environ:
        return False
    try:
        tf.config.threading.set_intra_op_parallelism_threads(max(1, usable_cores() // chain_groups))
    except RuntimeError:  # "cannot be modified after initialization"
        return False
    return True


def langevin_dynamics(
    score_fn: Callable[[tf.Tensor], tf.Tensor],
    initial_samples,
    steps,
    step_size: float,
    noise_std: float,
    seed: keras.random.SeedGenerator | int | None = None,
    grad_clip: float | None = None,
    value_range: tuple[float, float] | None = (-1.0, 1.0),
    chain_groups: int = 1,
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

    Chains do not interact, so they can be split into `chain_groups`
    groups, each with a loop of its own. The loops share no state (each
    group's noise comes from its own stateless seed), so under
    `tf.function` TensorFlow's executor runs them side by side: on a CPU
    whose cores one small convolution cannot keep busy, two groups with
    one thread per op each (`set_threads_for_chain_groups`) run faster
    than one loop (the README's speed section has the figures).
    Splitting changes which normal numbers each chain draws, not the
    dynamics.

    Args:
        score_fn: maps samples (batch, ...) to scores (batch,), each score
            depending on its own sample only (no batch normalisation), so
            the gradient of the summed scores is the per-sample gradient.
        initial_samples: float32 tensor (batch, ...), the chains' start.
        steps: number of steps, >= 0 (a Python int or an int tensor).
        step_size: ε > 0; the gradient step is ε/2 · ∇ₓ s(x).
        noise_std: σ >= 0, standard deviation of the Gaussian noise per step.
        seed: a `keras.random.SeedGenerator` (advanced once per call), an
            int or None, for the noise.
        grad_clip: if set, clip each gradient entry to [−grad_clip, grad_clip]
            so one steep region cannot throw a chain far away.
        value_range: (low, high) to clip the samples to after every step, or
            None for no clipping.
        chain_groups: number of independent loops the chains are split
            into (as evenly as possible), >= 1.

    Returns:
        Float32 tensor with the shape of `initial_samples`: the final samples.
    """
    if isinstance(steps, (int, np.integer)) and steps < 0:
        raise ValueError(f"steps must be >= 0, received steps={steps}")
    check_langevin_parameters(step_size, noise_std, grad_clip)
    chain_groups = check_positive_int("chain_groups", chain_groups)
    # One draw from `seed` per call; every group and step derives its own
    # seed from it (stateless), so the loops need no shared generator.
    call_seed = keras.random.randint((2,), 0, np.iinfo(np.int32).max, seed=seed)

    def run_group(samples, group_seed):
        def step(i, samples):
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(samples)
                total_score = ops.sum(score_fn(samples))
            grad = tape.gradient(total_score, samples)
            if grad_clip is not None:
                grad = ops.clip(grad, -grad_clip, grad_clip)
            step_seed = tf.random.experimental.stateless_fold_in(group_seed, i)
            noise = noise_std * tf.random.stateless_normal(ops.shape(samples), seed=step_seed)
            samples = samples + 0.5 * step_size * grad + noise
            if value_range is not None:
                samples = ops.clip(samples, value_range[0], value_range[1])
            return samples

        return ops.fori_loop(0, steps, step, samples)

    initial_samples = ops.convert_to_tensor(initial_samples, dtype="float32")
    num_chains = ops.shape(initial_samples)[0]
    # Group g holds chains [g · n // groups, (g + 1) · n // groups).
    bounds = [(g * num_chains) // chain_groups for g in range(chain_groups + 1)]
    groups = [
        run_group(initial_samples[bounds[g] : bounds[g + 1]], tf.random.experimental.stateless_fold_in(call_seed, g))
        for g in range(chain_groups)
    ]
    return groups[0] if chain_groups == 1 else ops.concatenate(groups, axis=0)
