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

__version__ = "0.1.0"
