"""Backprop against centred differences for every activation pair, L2 on/off, depth 1-4."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import numpy_impl as ni
import numpy_impl.model as model_module
from numpy_impl.costs import output_cost
from numpy_impl.regularization import l2_penalty

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


def test_gradient_check_multi_output_mse() -> None:
    rng = np.random.default_rng(5)
    params = ni.initialize_parameters([4, 5, 3], "xavier", seed=rng)
    X, Y = rng.standard_normal((4, 6)), rng.standard_normal((3, 6))
    assert ni.gradient_check(params, X, Y, "tanh", "linear", lambd=0.3).difference < 1e-7


def test_gradient_check_defaults_and_roundoff_floor() -> None:
    params, X, Y = make_problem("tanh", "sigmoid", 2)
    result = ni.gradient_check(params, X, Y, "tanh", "sigmoid")
    assert result.epsilon == 1e-7
    AL, caches = ni.model_forward(X, params, "tanh", "sigmoid")
    assert result.cost == pytest.approx(ni.compute_cost(caches[-1].Z, Y, from_logits=True),
                                        rel=1e-15)  # no L2 by default
    eps = np.finfo(np.float64).eps
    assert result.cost < 1
    assert result.roundoff_floor() == pytest.approx(10 * eps * 1.0 / 1e-7, rel=1e-15)
    big = ni.gradient_check(params, X, Y, "tanh", "sigmoid", lambd=50.0)
    assert big.cost > 1
    assert big.roundoff_floor() == pytest.approx(10 * eps * big.cost / 1e-7, rel=1e-15)


def test_per_parameter_differences_use_each_parameter_slice() -> None:
    params, X, Y = make_problem("tanh", "sigmoid", 2)
    result = ni.gradient_check(params, X, Y, "tanh", "sigmoid")
    _, layout = ni.params_to_vector(params)
    start = 0
    for key, shape in layout:
        size = int(np.prod(shape))
        g, a = result.grad[start:start + size], result.grad_approx[start:start + size]
        expected = np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a))
        assert result.per_parameter[key] == expected, key
        start += size


def test_zero_gradients_have_zero_difference() -> None:
    """Dead relu units: dW1 and db1 are exactly zero on both sides, difference 0."""
    params, X, Y = make_problem("relu", "sigmoid", 2)
    params["b1"] = np.full_like(params["b1"], -100.0)
    result = ni.gradient_check(params, X, Y, "relu", "sigmoid")
    assert result.per_parameter["W1"] == 0.0 and result.per_parameter["b1"] == 0.0


@pytest.mark.parametrize("hidden,output,lambd,depth",
                         [("relu", "sigmoid", 0.0, 3), ("tanh", "softmax", 0.7, 2),
                          ("sigmoid", "linear", 0.3, 1)])
def test_centred_differences_are_the_public_paths(hidden: str, output: str, lambd: float,
                                                  depth: int) -> None:
    """gradient_check nudges one vector in place and runs the forward loop alone; each
    entry of its grad_approx must be, bit for bit, the centred difference of costs
    computed through the public functions on fresh copies of the nudged vector."""
    params, X, Y = make_problem(hidden, output, depth)
    loss = ni.resolve_loss(output, None)
    result = ni.gradient_check(params, X, Y, hidden, output, lambd=lambd)
    theta, layout = ni.params_to_vector(params)

    def cost(vector: np.ndarray) -> float:
        p = ni.vector_to_params(vector, layout)
        AL, caches = ni.model_forward(X, p, hidden, output)
        return output_cost(AL, caches[-1].Z, Y, loss) + l2_penalty(p, lambd, X.shape[1])

    expected = np.empty_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += result.epsilon
        minus[i] -= result.epsilon
        expected[i] = (cost(plus) - cost(minus)) / (2 * result.epsilon)
    np.testing.assert_array_equal(result.grad_approx, expected)
    assert result.cost == cost(theta)
