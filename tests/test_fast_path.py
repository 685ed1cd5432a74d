"""The public path's cheap checks (issue 13): X's finiteness is checked on the first
layer's product instead of a scan of X, with the same errors in the same order; the
input gradient only when asked; the backward from a layer's output equals the backward
from its Z bitwise."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import numpy_impl as ni
from numpy_impl.activations import ACTIVATIONS, backward_from_output

NOT_FINITE = "X must be finite, got 1 NaN or infinite value"


def data(dtype: str = "float64") -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 9)).astype(dtype)
    Y = (rng.random((1, 9)) < 0.5).astype(dtype)
    net = ni.NeuralNetwork((6, 4, 3, 1), hidden_activation="sigmoid", seed=1, dtype=dtype)
    return X, Y, net.get_params()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("zero_w1", [False, True], ids=["W1", "W1=0"])
def test_non_finite_X_is_caught_by_the_first_product(bad: float, zero_w1: bool) -> None:
    """A NaN or infinity reaches Z1 even through a zero column (0 * inf is NaN), and
    saturating activations (sigmoid(inf) = 1) cannot hide it."""
    X, _, params = data()
    if zero_w1:
        params["W1"][:] = 0.0
    X[2, 5] = bad
    with pytest.raises(ValueError, match=NOT_FINITE):
        ni.model_forward(X, params, "sigmoid", "sigmoid")


def test_a_finite_X_whose_product_overflows_is_not_refused() -> None:
    X, _, params = data("float32")
    X[0] = 3e38
    params["W1"][:] = 10.0
    with np.errstate(over="ignore", invalid="ignore"):
        AL, caches = ni.model_forward(X, params, "relu", "sigmoid")
    assert not np.all(np.isfinite(caches[0].Z)) and AL.shape == (1, 9)
    with pytest.warns(RuntimeWarning):  # warns as the unchecked product does
        ni.model_forward(X, params, "relu", "sigmoid")


def test_the_X_error_still_comes_first() -> None:
    X, _, params = data()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match=NOT_FINITE):
        ni.model_forward(X, params, "sigmoid", "nope")
    with pytest.raises(ValueError, match=NOT_FINITE):
        ni.model_forward(X, params, keep_probs=0.5)  # no rng: reported after X


@pytest.mark.parametrize("keep", [1.0, 0.5])
def test_a_refused_step_leaves_the_network_as_it_was(keep: float) -> None:
    X, Y, _ = data()
    net = ni.NeuralNetwork((6, 4, 3, 1), keep_probs=keep, seed=2)
    before = (copy.deepcopy(net.params), net._rng.bit_generator.state)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match=NOT_FINITE):
        net.step(X, Y, 0.1)
    with pytest.raises(ValueError, match=NOT_FINITE):  # X before Y, as before
        net.step(X, Y[:, :4], 0.1)
    with pytest.raises(ValueError, match=NOT_FINITE):  # X before the learning rate
        net.step(X, Y, -1.0)
    assert all(np.array_equal(net.params[k], v) for k, v in before[0].items())
    assert net._rng.bit_generator.state == before[1] and net.opt_state["t"] == 0


def test_a_float64_X_is_scanned_before_its_conversion() -> None:
    X, Y, _ = data()
    net = ni.NeuralNetwork((6, 4, 3, 1), seed=2, dtype="float32")
    X[0, 0] = 1e300  # finite in float64, inf once converted: a divergence, as before
    with np.errstate(over="ignore"), pytest.raises(ni.DivergenceError, match="cost is nan"):
        net.step(X, Y, 0.1)


def test_input_gradient_only_when_asked() -> None:
    X, Y, params = data()
    AL, caches = ni.model_forward(X, params, "sigmoid", "sigmoid")
    full = ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid")
    lean = ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid", input_gradient=False)
    assert set(full) - set(lean) == {"dA0"}
    assert all(np.array_equal(full[k], v) for k, v in lean.items())
    with pytest.raises(TypeError, match="input_gradient must be a bool, got str"):
        ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid", input_gradient="no")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_backward_from_the_output_is_bitwise_the_backward(name: str, dtype: str) -> None:
    rng = np.random.default_rng(3)
    Z = (rng.standard_normal((5, 40)) * 6).astype(dtype)
    dA = rng.standard_normal((5, 40)).astype(dtype)
    g = ACTIVATIONS[name]
    dZ = backward_from_output(g)(dA, g.forward(Z))
    assert dZ.dtype == Z.dtype and np.array_equal(dZ, g.backward(dA, Z))
    assert backward_from_output(g._replace(backward=lambda dA, Z: dA)) is None
    assert backward_from_output(ACTIVATIONS["relu"]) is None


def test_a_finite_Z_whose_sum_overflows_passes_without_a_warning() -> None:
    X, _, params = data("float32")
    X[:] = 5e37
    params["W1"][:] = 1.0
    params["b1"][:] = 0.0
    AL, caches = ni.model_forward(X, params, "sigmoid", "sigmoid")  # RuntimeWarning = error
    with np.errstate(over="ignore"):
        assert np.all(np.isfinite(caches[0].Z)) and not np.isfinite(np.sum(caches[0].Z))


def test_caches_holding_a_list_are_refused_naming_the_field() -> None:
    """The cheap check on caches (shapes and types, never the values) still names what is
    wrong: a list where model_forward put an array."""
    X, Y, params = data()
    AL, caches = ni.model_forward(X, params, "sigmoid", "sigmoid")
    caches[1] = caches[1]._replace(Z=caches[1].Z.tolist())
    with pytest.raises(TypeError, match=r"caches\[1\]\.Z must be a numpy array .*got list"):
        ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid")
    caches[1] = caches[1]._replace(Z=np.asarray(caches[1].Z, dtype=np.int64))
    with pytest.raises(TypeError, match=r"caches\[1\]\.Z must have dtype float32 or float64"):
        ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid")


@pytest.mark.parametrize("loss", ["bce", "cce", "mse"])
@pytest.mark.parametrize("method", ["step", "fit", "cost"])
def test_label_errors_keep_their_order(loss: str, method: str) -> None:
    """Labels are scanned for NaN and infinity only when their own check fails (0/1 and
    one-hot labels are finite): a NaN is still reported as such, before a shape or label
    error, and a finite wrong label as a label error."""
    rng = np.random.default_rng(3)
    out = {"bce": (1, "sigmoid"), "cce": (3, "softmax"), "mse": (2, "linear")}[loss]
    net = ni.NeuralNetwork((4, 5, out[0]), output_activation=out[1], loss=loss, seed=0)
    X = rng.standard_normal((4, 6))
    Y = np.eye(out[0])[:, rng.integers(0, out[0], 6)] if loss == "cce" else (
        (rng.random((out[0], 6)) < 0.5).astype(float))
    call = {"step": lambda y: net.step(X, y, 0.1), "fit": lambda y: net.fit(X, y, 1),
            "cost": lambda y: net.cost(X, y)}[method]
    call(Y)  # valid labels pass
    for bad in (np.nan, np.inf):
        wrong = Y.copy()
        wrong[0, 2] = bad
        with pytest.raises(ValueError, match="Y must be finite, got 1 NaN or infinite"):
            call(wrong)
        with pytest.raises(ValueError, match="Y must be finite"):  # before the shape error
            call(wrong[:, :5])
    if loss != "mse":
        wrong = Y.copy()
        wrong[0, 2] = 2.0
        with pytest.raises(ValueError, match="only 0 and 1" if loss == "bce" else "one-hot"):
            call(wrong)
