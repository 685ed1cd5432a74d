"""Keras 3 behaviours that a float64 parity check has to work around. Each test pins one
down, so that if Keras changes, this suite says which workaround is no longer needed."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import ops

import keras_impl as ki
from parity import ZOO, copy_to_keras, initial_params, make_data, params_from_keras
from parity.convert import to_keras_data


def test_ops_cast_of_a_python_float_goes_through_float32() -> None:
    assert float(ops.cast(0.9, "float64")) == float(np.float32(0.9)) != 0.9
    assert float(ops.cast(np.float64(0.9), "float64")) == 0.9
    assert float(ops.convert_to_tensor(0.9, dtype="float64")) == 0.9


def test_plain_sgd_rounds_the_learning_rate_to_float32() -> None:
    var = keras.Variable(np.zeros(1), dtype="float64")
    keras.optimizers.SGD(learning_rate=0.1).apply_gradients([(np.ones(1), var)])
    assert float(var.numpy()[0]) == -float(np.float32(0.1))
    exact = keras.Variable(np.zeros(1), dtype="float64")
    ki.make_optimizer("gd", 0.1).apply_gradients([(np.ones(1), exact)])
    assert float(exact.numpy()[0]) == -0.1


def test_losses_compute_in_floatx_unless_told() -> None:
    assert keras.losses.BinaryCrossentropy().dtype == "float32"
    assert keras.losses.BinaryCrossentropy(dtype="float64").dtype == "float64"


def test_model_fit_casts_float64_numpy_inputs() -> None:
    """model.fit on NumPy float64 arrays rounds the data to float32; keras_impl.fit feeds a
    float64 tf.data pipeline instead and stays exact."""
    arch = ZOO["shallow_tanh"]
    X, Y = make_data(arch, 16, 0)
    X = X + 1e-9  # digits below float32 resolution
    params = initial_params(arch, 0)
    results = []
    for use_numpy in (True, False):
        model = ki.build_model(arch.layer_dims, arch.hidden_activation, dtype="float64")
        copy_to_keras(params, model)
        if use_numpy:
            model.compile(optimizer=ki.make_optimizer("gd", 0.5),
                          loss=keras.losses.BinaryCrossentropy(dtype="float64"))
            model.fit(to_keras_data(X), to_keras_data(Y), batch_size=16, shuffle=False,
                      verbose=0)
        else:
            ki.fit(model, ki.make_optimizer("gd", 0.5), to_keras_data(X), to_keras_data(Y),
                   method="keras")
        results.append(params_from_keras(model)["W1"])
    exact = ki.build_model(arch.layer_dims, arch.hidden_activation, dtype="float64")
    copy_to_keras(params, exact)
    ki.fit(exact, ki.make_optimizer("gd", 0.5), to_keras_data(X), to_keras_data(Y),
           method="loop", compiled=False)
    np.testing.assert_allclose(results[1], params_from_keras(exact)["W1"], rtol=1e-13)
    assert np.max(np.abs(results[0] - results[1])) > 1e-12


def test_sigmoid_output_carries_its_logits_on_tensorflow() -> None:
    out = keras.activations.sigmoid(ops.convert_to_tensor([[40.0]], dtype="float64"))
    assert hasattr(out, "_keras_logits")
    loss = keras.losses.binary_crossentropy(np.zeros((1, 1)), out)
    assert float(ops.mean(loss)) == pytest.approx(40.0, rel=1e-15)


def test_tensorflow_leaky_relu_slope_is_float32() -> None:
    x = ops.convert_to_tensor([-1.0], dtype="float64")
    assert float(keras.activations.leaky_relu(x, negative_slope=0.01)[0]) == -float(
        np.float32(0.01))
    assert float(ki.model.leaky_relu(x)[0]) == -0.01
