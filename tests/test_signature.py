"""Tests for keras_gans.signature: one reading of a generator, one way to draw its inputs."""

import dataclasses

import numpy as np
import pytest

from keras_gans import models
from keras_gans.signature import GeneratorSignature


def test_read_from_a_generator_and_from_its_metadata_agree():
    unconditional = GeneratorSignature.from_generator(models.mlp_generator(latent_dim=5, hidden_units=(4,)))
    assert unconditional == GeneratorSignature(5, None, (28, 28, 1))
    assert not unconditional.conditional
    conditional = GeneratorSignature.from_generator(
        models.mlp_generator(latent_dim=5, hidden_units=(4,), num_classes=3)
    )
    assert conditional == GeneratorSignature(5, 3, (28, 28, 1)) and conditional.conditional
    for signature in (unconditional, conditional):
        assert GeneratorSignature.from_metadata(signature.to_metadata()) == signature
    with pytest.raises(dataclasses.FrozenInstanceError):
        conditional.latent_dim = 2


def test_bad_facts_and_bad_metadata_are_named():
    with pytest.raises(ValueError, match="received latent_dim=0"):
        GeneratorSignature(0, None, (28, 28, 1))
    with pytest.raises(ValueError, match=r"received image_shape=\(28, 28\)"):
        GeneratorSignature(4, None, (28, 28))
    with pytest.raises(ValueError, match=r"received keys \['latent_dim'\]"):
        GeneratorSignature.from_metadata({"latent_dim": 4})


def test_draw_inputs_is_the_default_rng_convention():
    signature = GeneratorSignature(4, 3, (28, 28, 1))
    inputs = signature.draw_inputs(7, seed=11)
    expected = np.random.default_rng(11).standard_normal((7, 4)).astype(np.float32)
    np.testing.assert_array_equal(inputs.z, expected)
    assert inputs.z.dtype == np.float32
    np.testing.assert_array_equal(inputs.labels, [0, 1, 2, 0, 1, 2, 0])
    np.testing.assert_array_equal(inputs.one_hot, np.eye(3, dtype=np.float32)[inputs.labels])
    assert inputs.network_inputs[0] is inputs.z and inputs.network_inputs[1] is inputs.one_hot
    # The float64 draw holds the very numbers the float32 one rounds.
    np.testing.assert_array_equal(signature.draw_z(7, 11, dtype=np.float64).astype(np.float32), expected)

    unconditional = GeneratorSignature(4, None, (28, 28, 1)).draw_inputs(7, seed=11)
    assert unconditional.labels is None and unconditional.one_hot is None
    assert unconditional.network_inputs is unconditional.z


def test_labels_are_checked_and_errors_name_what_was_received():
    signature = GeneratorSignature(4, 10, (28, 28, 1))
    np.testing.assert_array_equal(signature.labels(3, 7), [7, 7, 7])
    np.testing.assert_array_equal(signature.labels(2, [3, 4]), [3, 4])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), received \[3, 10\]"):
        signature.labels(2, [3, 10])
    with pytest.raises(ValueError, match=r"label must be in \[0, 10\), received \[-1\]"):
        signature.labels(2, -1, name="label")
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\), received shape \(3,\)"):
        signature.labels(2, [1, 2, 3])
    with pytest.raises(ValueError, match="labels must be integer classes, received dtype float64"):
        signature.labels(2, [1.0, 2.0])
    with pytest.raises(ValueError, match="unconditional; received label=1"):
        GeneratorSignature(4, None, (28, 28, 1)).labels(2, 1, name="label")
    with pytest.raises(ValueError, match=r"z must have shape \(n, 4\), received shape \(2, 3\)"):
        signature.inputs(np.zeros((2, 3)))
