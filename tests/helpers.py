"""Small fixtures shared by the test files: fake digits, tiny networks, stopping subprocesses."""

import subprocess

import numpy as np

from keras_gans import models


def fake_mnist(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` uniform-noise images (n, 28, 28, 1) in [-1, 1] and int32 labels 0..9."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, size=(n, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, size=n).astype("int32")
    return images, labels


def tiny_networks(conditional=False, sigmoid=False, latent_dim=8):
    """A small MLP generator and discriminator, fast enough for many one-step tests."""
    num_classes = 10 if conditional else None
    generator = models.mlp_generator(latent_dim=latent_dim, hidden_units=(16,), num_classes=num_classes)
    discriminator = models.mlp_discriminator(
        hidden_units=(16,), output_activation="sigmoid" if sigmoid else None, num_classes=num_classes
    )
    return generator, discriminator


def stop(process: subprocess.Popen) -> None:
    """Kills `process` if it is still running and reaps it, so that no test leaves one behind."""
    if process.poll() is None:
        process.kill()
        process.communicate()
