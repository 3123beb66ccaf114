"""Shared test set-up: quiet TensorFlow, headless Matplotlib, TF backend."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# Before any test module imports TensorFlow: keras_gans picks the backend and
# turns on oneDNN's CPU kernels, as it does for a user who imports it first.
import keras_gans  # noqa: E402, F401
