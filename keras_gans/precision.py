"""Numeric precision of a run: float32, or bfloat16 mixed precision.

Under Keras's `mixed_bfloat16` dtype policy every layer computes in
bfloat16 (8 bits of mantissa, the range of float32) and keeps its weights in
float32. CPUs with AVX-512 BF16 or AMX, and every recent GPU and TPU, run
bfloat16 matrix products natively. Unlike float16, bfloat16 needs no loss
scaling: its range is that of float32, so gradients do not underflow.

What stays in float32, and why:

- weights and optimizer state: Keras keeps the variables of a mixed policy
  in float32. An Adam update is about 1e-4 of a weight, below bfloat16's
  resolution of 2⁻⁸ ≈ 0.4 % of it, so it would round away;
- the EMA generator's weights, for the same reason: `(1 - 0.999)` times a
  difference of weights vanishes in bfloat16;
- losses: `keras_gans.losses` casts scores to float32 before the log-sigmoid
  and the batch mean;
- the R1 and gradient penalties: they are taken w.r.t. float32 images and
  sum 784 squared gradient entries in float32;
- BatchNorm statistics: Keras computes them in float32;
- the energy-based model's scores (`EnergyBasedModel.call` casts them), which
  its contrastive-divergence loss subtracts from each other;
- exports: float32 inputs and outputs, whatever precision the generator
  computes in (`keras_gans.export`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keras

from keras_gans.checks import check_choice
from keras_gans.config import PRECISIONS


@contextlib.contextmanager
def dtype_policy(precision: str) -> Iterator[None]:
    """Builds the layers made inside the block under the `precision` policy.

    Keras reads its global dtype policy when a layer is created, so networks
    built inside `with dtype_policy("mixed_bfloat16"):` compute in bfloat16
    for their whole life; the previous global policy is restored on exit, so
    nothing else of the process changes.

    Example:

    ```python
    with dtype_policy("mixed_bfloat16"):
        generator, discriminator = models.build_preset("dcgan")
    generator.dtype_policy.name  # "mixed_bfloat16"
    ```
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(check_choice("precision", precision, PRECISIONS))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
