"""The L-layer forward and backward loop: hand checks, dropout replay, errors."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
from tests.conftest import binary_data


def two_layer(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return ni.initialize_parameters([3, 4, 1], "he", seed=rng)


def test_forward_by_hand(rng: np.random.Generator) -> None:
    p = two_layer(rng)
    p["b1"] = rng.standard_normal((4, 1))
    X = rng.standard_normal((3, 5))
    AL, caches = ni.model_forward(X, p, "tanh", "sigmoid")
    A1 = np.tanh(p["W1"] @ X + p["b1"])
    expected = 1 / (1 + np.exp(-(p["W2"] @ A1 + p["b2"])))
    np.testing.assert_allclose(AL, expected, rtol=1e-14)
    assert len(caches) == 2 and caches[1].A_prev is not None
    np.testing.assert_allclose(caches[1].A_prev, A1, rtol=1e-14)
    assert caches[0].D is None


def test_layer_functions_agree_with_model(rng: np.random.Generator) -> None:
    p = two_layer(rng)
    X = rng.standard_normal((3, 5))
    A1, c1 = ni.linear_activation_forward(X, p["W1"], p["b1"], "relu")
    A2, c2 = ni.linear_activation_forward(A1, p["W2"], p["b2"], "sigmoid")
    AL, _ = ni.model_forward(X, p)
    np.testing.assert_array_equal(A2, AL)
    Y = (rng.random((1, 5)) < 0.5).astype(float)
    grads = ni.model_backward(AL, Y, [c1, c2])
    dA1, dW2, db2 = ni.linear_backward(A2 - Y, c2.linear_cache)
    _, dW1, db1 = ni.linear_activation_backward(dA1, c1, "relu")
    np.testing.assert_array_equal(grads["dW2"], dW2)
    np.testing.assert_array_equal(grads["dW1"], dW1)
    np.testing.assert_array_equal(grads["db1"], db1)


def test_logistic_regression_backward_by_hand(rng: np.random.Generator) -> None:
    X, Y = binary_data(rng, 4, 10)
    p = {"W1": rng.standard_normal((1, 4)), "b1": np.array([[0.2]])}
    AL, caches = ni.model_forward(X, p, output_activation="sigmoid")
    g = ni.model_backward(AL, Y, caches, lambd=0.3)
    np.testing.assert_allclose(g["dW1"], (AL - Y) @ X.T / 10 + 0.3 / 10 * p["W1"], rtol=1e-13)
    np.testing.assert_allclose(g["db1"], np.sum(AL - Y, keepdims=True) / 10, rtol=1e-13)
    np.testing.assert_allclose(g["dA0"], p["W1"].T @ (AL - Y), rtol=1e-13)


def test_dropout_masks_kept_and_replayed(rng: np.random.Generator) -> None:
    p = ni.initialize_parameters([6, 8, 7, 1], "he", seed=2)
    X = rng.standard_normal((6, 30))
    AL, caches = ni.model_forward(X, p, keep_probs=[0.5, 0.8], rng=5)
    D1, D2 = caches[0].D, caches[1].D
    assert D1.shape == (8, 30) and D2.shape == (7, 30) and caches[2].D is None
    assert set(np.unique(D1)) <= {0.0, 1.0} and 0.3 < D1.mean() < 0.7
    A1 = ni.relu(p["W1"] @ X + p["b1"]) * D1 / 0.5
    np.testing.assert_allclose(caches[1].A_prev, A1, rtol=1e-14)
    replay, _ = ni.model_forward(X, p, keep_probs=[0.5, 0.8], masks={1: D1, 2: D2})
    np.testing.assert_array_equal(replay, AL)
    same_seed, _ = ni.model_forward(X, p, keep_probs=[0.5, 0.8], rng=5)
    np.testing.assert_array_equal(same_seed, AL)


def test_dropout_backward_masks_gradient(rng: np.random.Generator) -> None:
    p = ni.initialize_parameters([4, 6, 1], "he", seed=2)
    X, Y = binary_data(rng, 4, 12)
    AL, caches = ni.model_forward(X, p, keep_probs=0.5, rng=1)
    g = ni.model_backward(AL, Y, caches)
    D = caches[0].D
    # a dropped unit gets no gradient into W1's row for those examples
    dZ1 = ni.relu_backward(p["W2"].T @ (AL - Y) * D / 0.5, caches[0].Z)
    np.testing.assert_allclose(g["dW1"], dZ1 @ X.T / 12, rtol=1e-13)


def test_forward_does_not_mutate_inputs(rng: np.random.Generator) -> None:
    p = two_layer(rng)
    X = rng.standard_normal((3, 5))
    copies = {k: v.copy() for k, v in p.items()}, X.copy()
    AL, caches = ni.model_forward(X, p, keep_probs=None)
    ni.model_backward(AL, np.ones((1, 5)), caches, lambd=0.5)
    for k, v in copies[0].items():
        np.testing.assert_array_equal(p[k], v)
    np.testing.assert_array_equal(X, copies[1])


def test_float32_kept_end_to_end(rng: np.random.Generator) -> None:
    p = ni.initialize_parameters([3, 4, 2, 1], "he", seed=1, dtype="float32")
    X = rng.standard_normal((3, 5)).astype(np.float32)
    AL, caches = ni.model_forward(X, p, keep_probs=0.9, rng=0)
    grads = ni.model_backward(AL, np.ones((1, 5)), caches, lambd=0.1)
    assert AL.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_model_forward_shape_errors(rng: np.random.Generator) -> None:
    p = two_layer(rng)
    with pytest.raises(ValueError, match=r"X has shape \(4, 5\); expected \(3, m\)"):
        ni.model_forward(rng.standard_normal((4, 5)), p)
    bad = dict(p, W2=np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"params\['W2'\] has shape \(1, 5\); expected \(1, 4\)"):
        ni.model_forward(rng.standard_normal((3, 5)), bad)
    with pytest.raises(ValueError, match=r"missing \['b2'\]"):
        ni.model_forward(rng.standard_normal((3, 5)), {k: v for k, v in p.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"b1'\] has shape \(4,\); expected \(4, 1\)|2-D"):
        ni.model_forward(rng.standard_normal((3, 5)), dict(p, b1=np.zeros(4)))
    with pytest.raises(ValueError, match="rng .* is required for dropout"):
        ni.model_forward(rng.standard_normal((3, 5)), p, keep_probs=0.5)
    with pytest.raises(ValueError, match=r"keep_probs must be in \(0, 1\], got 0"):
        ni.model_forward(rng.standard_normal((3, 5)), p, keep_probs=0.0, rng=1)
    with pytest.raises(ValueError, match="hidden_activation must be one of"):
        ni.model_forward(rng.standard_normal((3, 5)), p, hidden_activation="softmax")
    with pytest.raises(TypeError, match="X has dtype float32 but params are float64"):
        ni.model_forward(rng.standard_normal((3, 5)).astype(np.float32), p)
    with pytest.raises(ValueError, match="X must be finite"):
        ni.model_forward(np.full((3, 5), np.inf), p)


def test_model_backward_shape_errors(rng: np.random.Generator) -> None:
    p = two_layer(rng)
    AL, caches = ni.model_forward(rng.standard_normal((3, 5)), p)
    with pytest.raises(ValueError, match=r"AL has shape \(1, 5\) but Y has shape \(1, 4\)"):
        ni.model_backward(AL, np.ones((1, 4)), caches)
    with pytest.raises(ValueError, match="caches is empty"):
        ni.model_backward(AL, np.ones((1, 5)), [])


def test_linear_forward_by_hand() -> None:
    W = np.array([[1.0, 2.0], [0.0, -1.0]])
    b = np.array([[0.5], [-2.0]])
    A = np.array([[1.0, 0.0, 2.0], [1.0, 3.0, -1.0]])
    Z, cache = ni.linear_forward(A, W, b)
    np.testing.assert_array_equal(Z, [[3.5, 6.5, 0.5], [-3.0, -5.0, -1.0]])
    assert cache[0] is A and cache[1] is W and cache[2] is b


def test_layer_cache_defaults() -> None:
    cache = ni.LayerCache(np.zeros((2, 1)), np.zeros((1, 2)), np.zeros((1, 1)), np.zeros((1, 1)))
    assert cache.D is None and cache.keep_prob == 1.0


def test_training_backward_skips_the_input_gradient(rng: np.random.Generator) -> None:
    """A training step never needs dA0; the core loop does not compute it when told."""
    p = ni.initialize_parameters([3, 4, 1], "he", seed=0)
    X, Y = binary_data(rng, 3, 6)
    AL, caches = ni.model_forward(X, p)
    relu = ni.get_activation("relu")
    grads = ni.backward_pass(AL, Y, caches, relu, "sigmoid", "bce", 0.0, input_gradient=False)
    assert "dA0" not in grads and "dA1" in grads
    full = ni.model_backward(AL, Y, caches)
    np.testing.assert_array_equal(grads["dW1"], full["dW1"])


def test_mask_keys_must_be_hidden_layers(rng: np.random.Generator) -> None:
    p = ni.initialize_parameters([3, 4, 1], "he", seed=0)
    message = r"masks keys must be hidden-layer numbers 1..1, got \[0\]"
    with pytest.raises(ValueError, match=message):
        ni.model_forward(rng.standard_normal((3, 5)), p, keep_probs=0.5,
                         masks={0: np.ones((3, 5))})
