"""Backprop against centred differences for every activation pair, L2 on/off, depth 1-4."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import numpy_impl as ni
import numpy_impl.model as model_module

CASES = list(itertools.product(ni.HIDDEN_ACTIVATIONS, ni.OUTPUT_ACTIVATIONS, [0.0, 0.7],
                               [1, 2, 3, 4]))


def make_problem(hidden: str, output: str, depth: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_out = 3 if output == "softmax" else 1
    dims = [4] + [5, 3, 4][: depth - 1] + [n_out]
    params = ni.initialize_parameters(dims, "xavier", seed=rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    X = rng.standard_normal((4, 6))
    if output == "softmax":
        Y = np.eye(3)[:, rng.integers(0, 3, 6)]
    elif output == "sigmoid":
        Y = (rng.random((1, 6)) < 0.5).astype(float)
    else:
        Y = rng.standard_normal((1, 6))
    return params, X, Y


@pytest.mark.parametrize("hidden,output,lambd,depth", CASES)
def test_gradient_check_passes(hidden: str, output: str, lambd: float, depth: int) -> None:
    params, X, Y = make_problem(hidden, output, depth)
    result = ni.gradient_check(params, X, Y, hidden, output, lambd=lambd)
    assert result.difference < 1e-7, result.per_parameter


def test_gradient_check_logits_output() -> None:
    params, X, Y = make_problem("tanh", "sigmoid", 3)
    assert ni.gradient_check(params, X, Y, "tanh", "linear", loss="bce").difference < 1e-7


def test_gradient_check_catches_missing_one_over_m(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(dZ, cache, need_dA_prev=True):
        A_prev, W, _ = cache
        return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)

    monkeypatch.setattr(model_module, "linear_backward", broken)
    params, X, Y = make_problem("relu", "sigmoid", 2)
    result = ni.gradient_check(params, X, Y, "relu", "sigmoid")
    assert result.difference > 0.5


def test_gradient_check_names_the_broken_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ni.ACTIVATIONS["tanh"]
    broken = original._replace(backward=lambda dA, Z: dA * (1 - np.tanh(Z)))
    monkeypatch.setitem(ni.ACTIVATIONS, "tanh", broken)
    params, X, Y = make_problem("tanh", "sigmoid", 2)
    result = ni.gradient_check(params, X, Y, "tanh", "sigmoid")
    assert result.difference > 1e-3
    assert result.per_parameter["W2"] < 1e-7  # the output layer is untouched
    assert result.worst()[0] in ("W1", "b1")


def test_params_vector_round_trip() -> None:
    params = ni.initialize_parameters([3, 4, 2], "he", seed=0)
    theta, layout = ni.params_to_vector(params)
    assert theta.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    back = ni.vector_to_params(theta, layout)
    for k, v in params.items():
        np.testing.assert_array_equal(back[k], v)
    with pytest.raises(ValueError, match=r"theta has shape \(5,\); expected \(26,\)"):
        ni.vector_to_params(theta[:5], layout)
