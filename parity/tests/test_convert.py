"""Layout conversion: bitwise round trips and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from parity import (
    ZOO,
    build_keras,
    copy_to_keras,
    initial_params,
    keras_grads_to_numpy,
    keras_to_params,
    params_from_keras,
    params_to_keras,
)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trips_are_bitwise(dtype: str) -> None:
    arch = ZOO["image_4layer"].replace(dtype=dtype)
    params = initial_params(arch, 3)
    params["b2"] = np.random.default_rng(0).standard_normal((8, 1)).astype(dtype)
    weights = params_to_keras(params, arch)
    assert weights[0].shape == (64, 8) and weights[1].shape == (8,)
    back = keras_to_params(weights, arch)
    model = build_keras(arch, seed=1)
    copy_to_keras(params, model)
    from_model = params_from_keras(model)
    for k, v in params.items():
        np.testing.assert_array_equal(back[k], v)
        np.testing.assert_array_equal(from_model[k], v)
        assert from_model[k].dtype == v.dtype
    np.testing.assert_array_equal(ki.get_weights(model)[2], params["W2"].T)


def test_conversion_does_not_alias() -> None:
    params = initial_params(ZOO["shallow_relu"], 0)
    weights = params_to_keras(params)
    weights[0][0, 0] = 123.0
    assert params["W1"][0, 0] != 123.0


def test_weights_from_another_architecture_are_refused() -> None:
    params = initial_params(ZOO["shallow_relu"], 0)
    with pytest.raises(ValueError, match=r"params have layer dims \(2, 4, 1\); expected "
                                         r"\(64, 8, 8, 8, 1\)"):
        params_to_keras(params, ZOO["image_4layer"])
    model = build_keras(ZOO["image_4layer"])
    with pytest.raises(ValueError, match="weights has 4 arrays; expected 8"):
        copy_to_keras(params, model)
    wrong = initial_params(ZOO["shallow_relu"].replace(layer_dims=(2, 5, 1)), 0)
    with pytest.raises(ValueError, match=r"kernel for dense_1 has shape \(2, 5\); "
                                         r"expected \(2, 4\)"):
        copy_to_keras(wrong, build_keras(ZOO["shallow_relu"]))
    with pytest.raises(ValueError, match="kernel/bias pairs"):
        keras_to_params([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"kernel shape \(2, 3\) and bias shape \(2,\)"):
        keras_to_params([np.zeros((2, 3)), np.zeros(2)])


def test_gradient_conversion() -> None:
    grads = {"kernel1": np.arange(6.0).reshape(2, 3), "bias1": np.arange(3.0),
             "input": np.ones((5, 2))}
    out = keras_grads_to_numpy(grads, m=5)
    np.testing.assert_array_equal(out["dW1"], grads["kernel1"].T)
    assert out["db1"].shape == (3, 1)
    np.testing.assert_array_equal(out["dA0"], np.full((2, 5), 5.0))
    assert set(out) == {"dW1", "db1", "dA0"}
    assert ni.model_backward  # numpy_impl names match: dW{l}, db{l}, dA0
