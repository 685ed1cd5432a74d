"""Numerical extremes: finite costs and gradients, and no RuntimeWarning (warnings are
errors here), for logits up to +-1e4 in float64 and +-100 in float32."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
import parity

LIMITS = {"float64": 1e4, "float32": 100.0}


def saturated(output: str, dtype: str, hidden: str = "tanh"):
    """A 4-3-C net whose output logits are about +-LIMIT, and hidden units saturated."""
    big = LIMITS[dtype]
    n_out = 3 if output == "softmax" else 1
    params = {"W1": np.full((3, 4), 50.0), "b1": np.zeros((3, 1)),
              "W2": np.full((n_out, 3), big / 3), "b2": np.zeros((n_out, 1))}
    if n_out == 3:
        params["W2"][1:] *= -1
    params = {k: v.astype(dtype) for k, v in params.items()}
    X = np.array([[1, -1, 1, -1], [1, -1, 1, -1], [1, -1, 1, -1], [1, -1, 1, -1]],
                 dtype=dtype)
    Y = (np.eye(3)[:, [1, 0, 2, 0]] if n_out == 3 else np.array([[0, 1, 1, 0]])).astype(dtype)
    return params, X, Y


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_numpy_forward_backward_cost_finite(output: str, dtype: str, hidden: str) -> None:
    params, X, Y = saturated(output, dtype, hidden)
    loss = "bce" if output == "linear" else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AL, caches = ni.model_forward(X, params, hidden, output)
        ZL = caches[-1].Z
        assert np.abs(ZL).max() >= 0.9 * LIMITS[dtype]  # really saturated
        grads = ni.model_backward(AL, Y, caches, hidden, output, loss, lambd=0.5)
        resolved = ni.resolve_loss(output, loss)
        costs = [ni.compute_cost(ZL, Y, resolved, from_logits=True, params=params, lambd=0.5)]
        if output != "linear":
            costs.append(ni.compute_cost(AL, Y, resolved, clip=ni.KERAS_EPSILON))
    assert all(np.isfinite(c) for c in costs)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert costs[0] > LIMITS[dtype] / 10  # wrong and confident: a large, exact cost


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("form", ["probabilities", "clipped"])
def test_keras_gradients_finite(dtype: str, form: str) -> None:
    params, X, Y = saturated("sigmoid", dtype)
    model = ki.build_model((4, 3, 1), "tanh", "sigmoid", dtype=dtype)
    parity.copy_to_keras(params, model)
    grads = ki.gradients(model, X.T, Y.T, form=form, lambd=0.5)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_training_through_saturation_stays_finite() -> None:
    params, X, Y = saturated("sigmoid", "float64")
    net = ni.NeuralNetwork((4, 3, 1), "tanh", optimizer="adam", seed=0)
    net.set_params(params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        costs = net.fit(X, Y, epochs=20, learning_rate=0.1)
    assert all(np.isfinite(costs)) and costs[-1] < costs[0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_parity_holds_at_saturation(dtype: str) -> None:
    arch = parity.Architecture((4, 3, 1), "tanh", dtype=dtype)
    params, X, Y = saturated("sigmoid", dtype)
    parity.assert_parity(parity.compare_cost(arch, X, Y, params))
    parity.assert_parity(parity.compare_gradients(arch, X, Y, params, numerical=False))
