"""Shared test set-up: quiet TensorFlow, headless Matplotlib, TF backend."""

import functools
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# Before any test module imports TensorFlow: keras_gans picks the backend and
# turns on oneDNN's CPU kernels, as it does for a user who imports it first.
import keras_gans  # noqa: E402, F401


@pytest.fixture
def short_langevin_grids(monkeypatch):
    """EBM image grids drawn with 8 Langevin steps instead of `generate`'s 512.

    A run's two grids (64 and 100 chains) cost far more than a test's few
    training steps; tests that use this check the files, not the pixels.
    """
    from keras_gans import ebm

    eight_steps = functools.partialmethod(ebm.EnergyBasedModel.generate, steps=8)
    monkeypatch.setattr(ebm.EnergyBasedModel, "generate", eight_steps)
