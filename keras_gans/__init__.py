"""keras_gans: GANs and energy-based models of small images with Keras 3.

Train every classic GAN objective (and an energy-based model) with
`compile` + `fit`, look at the results (image grids, loss curves), measure
them (classifier-feature Fréchet distance, mode coverage) and ship the
generator as a TensorFlow SavedModel.
"""

import os

# keras_gans is written for the TensorFlow backend (tf.GradientTape train
# steps, tf.data pipelines, SavedModel export). Respect an explicit choice,
# but default to TensorFlow before Keras is first imported.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# TensorFlow turns its oneDNN CPU kernels (convolutions and their gradients)
# on by default only on CPUs with AVX-512 VNNI or newer features; on others,
# such as an AMD EPYC with AVX2, they are off. There they made a 100-step
# `train dcgan` take 0.82 times the CPU seconds (whole process, 3 runs each
# in turn, 2026-12-02) and `train ebm` 0.88 times. TensorFlow reads the
# variable when it is first imported, so this works when keras_gans comes
# first; TF_ENABLE_ONEDNN_OPTS=0 keeps them off.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"
