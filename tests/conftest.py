"""Shared test set-up: quiet TensorFlow, headless Matplotlib, TF backend."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# As `import keras_gans` does, for the tests that import TensorFlow first.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
