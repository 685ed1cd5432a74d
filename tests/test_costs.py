"""Costs: hand values, both BCE forms, clipping, categorical, MSE, L2, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import numpy_impl as ni


def test_bce_by_hand() -> None:
    AL = np.array([[0.8, 0.9, 0.4]])
    Y = np.array([[1, 1, 0]])
    expected = -(math.log(0.8) + math.log(0.9) + math.log(0.6)) / 3
    assert ni.compute_cost(AL, Y) == pytest.approx(expected, rel=1e-14)


def test_bce_logits_equals_probability_form(rng: np.random.Generator) -> None:
    Z = rng.standard_normal((1, 50)) * 3
    Y = (rng.random((1, 50)) < 0.5).astype(float)
    from_probs = ni.compute_cost(ni.sigmoid(Z), Y)
    from_logits = ni.compute_cost(Z, Y, from_logits=True)
    assert from_logits == pytest.approx(from_probs, rel=1e-12)


def test_bce_saturated_logits_exact_and_finite() -> None:
    Z = np.array([[40.0, -40.0]])
    Y = np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = ni.compute_cost(Z, Y, from_logits=True)
        big = ni.compute_cost(np.array([[1e4, -1e4]]), Y, from_logits=True)
    assert cost == pytest.approx(40.0 + math.log1p(math.exp(-40.0)), rel=1e-15)
    assert big == pytest.approx(1e4, rel=1e-15)


def test_bce_clipping_float64_and_float32() -> None:
    AL = np.array([[1.0, 0.0]])
    Y = np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        unclipped = ni.compute_cost(AL, Y)
        c64 = ni.compute_cost(AL, Y, clip=ni.KERAS_EPSILON)
        c32 = ni.compute_cost(AL.astype(np.float32), Y, clip=ni.KERAS_EPSILON)
    assert unclipped == math.inf
    assert c64 == pytest.approx(-math.log(1e-7), rel=1e-9)  # 16.118...
    # In float32, 1 - 1e-7 rounds to 1 - 2^-23 (0.99999988), so log(1 - p) floors near -15.94.
    p = float(np.float32(1) - np.float32(1e-7))
    expected32 = -(math.log(1 - p) + math.log(float(np.float32(1e-7)))) / 2
    assert c32 == pytest.approx(expected32, rel=1e-6)
    assert -math.log(1 - p) == pytest.approx(15.94, abs=0.01)


def test_cce_by_hand_and_logits_form(rng: np.random.Generator) -> None:
    AL = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])
    Y = np.array([[1, 0], [0, 0], [0, 1]])
    assert ni.compute_cost(AL, Y, loss="cce") == pytest.approx(
        -(math.log(0.7) + math.log(0.6)) / 2, rel=1e-14)
    Z = rng.standard_normal((4, 9))
    Y = np.eye(4)[:, rng.integers(0, 4, 9)]
    assert ni.compute_cost(Z, Y, loss="cce", from_logits=True) == pytest.approx(
        ni.compute_cost(ni.softmax(Z), Y, loss="cce"), rel=1e-12)


def test_mse_is_mean_over_outputs_and_examples() -> None:
    AL = np.array([[1.0, 2.0], [3.0, 5.0]])
    Y = np.array([[0.0, 2.0], [3.0, 3.0]])
    assert ni.compute_cost(AL, Y, loss="mse") == pytest.approx((1 + 0 + 0 + 4) / 4)


def test_l2_term() -> None:
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[5.0]]),
              "W2": np.array([[3.0]]), "b2": np.array([[7.0]])}
    AL = np.array([[0.5, 0.5]])
    Y = np.array([[1, 0]])
    base = ni.compute_cost(AL, Y)
    with_l2 = ni.compute_cost(AL, Y, params=params, lambd=0.4)
    assert with_l2 - base == pytest.approx(0.4 / (2 * 2) * (1 + 4 + 9), rel=1e-14)
    with pytest.raises(ValueError, match="params are required"):
        ni.compute_cost(AL, Y, lambd=0.1)


def test_cost_shape_and_value_errors() -> None:
    AL = np.full((1, 4), 0.5)
    with pytest.raises(ValueError, match=r"AL has shape \(1, 4\) but Y has shape \(1, 3\)"):
        ni.compute_cost(AL, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"Y must have shape \(1, m\).*\(4,\)"):
        ni.compute_cost(AL, np.zeros(4))
    with pytest.raises(ValueError, match=r"only 0 and 1.*\[2\.\]"):
        ni.compute_cost(AL, np.array([[0, 1, 2, 1]]))
    with pytest.raises(ValueError, match="loss must be one of"):
        ni.compute_cost(AL, np.zeros((1, 4)), loss="hinge")
    with pytest.raises(ValueError, match="AL must be finite"):
        ni.compute_cost(np.array([[np.nan, 0.5, 0.5, 0.5]]), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="one-hot"):
        ni.compute_cost(np.full((2, 2), 0.5), np.ones((2, 2)), loss="cce")


def test_output_delta_sigmoid_bce_is_al_minus_y() -> None:
    Z = np.array([[0.3, -1.2]])
    Y = np.array([[1.0, 0.0]])
    A = ni.sigmoid(Z)
    np.testing.assert_array_equal(ni.output_delta(A, Z, Y, "sigmoid", "bce"), A - Y)
    np.testing.assert_allclose(ni.output_delta(Z, Z, Y, "linear", "bce"), A - Y, rtol=1e-15)


def test_resolve_loss() -> None:
    assert ni.resolve_loss("softmax", None) == "cce"
    assert ni.resolve_loss("linear", "bce") == "bce"
    with pytest.raises(ValueError, match="'bce' does not go with output_activation 'softmax'"):
        ni.resolve_loss("softmax", "bce")


def test_cce_with_an_exact_zero_probability_off_the_true_class() -> None:
    """0 * log(0) must not turn into nan where the class is not the true one."""
    AL = np.array([[1.0, 0.5], [0.0, 0.5]])
    Y = np.array([[1, 0], [0, 1]])
    assert ni.compute_cost(AL, Y, loss="cce") == pytest.approx(-math.log(0.5) / 2, rel=1e-15)


def test_mse_gradient_scales_by_the_number_of_outputs() -> None:
    AL = np.array([[1.0], [3.0]])
    Y = np.zeros((2, 1))
    # cost = mean over 2 outputs of (a - y)^2 -> dZ = 2 (a - y) / 2 for a linear output
    np.testing.assert_array_equal(ni.output_delta(AL, AL, Y, "linear", "mse"), [[1.0], [3.0]])


def test_l2_term_with_lambd_one() -> None:
    params = {"W1": np.array([[3.0, 4.0]]), "b1": np.zeros((1, 1))}
    assert ni.l2_cost(params, 1.0, 5) == pytest.approx(25.0 / 10.0, rel=1e-15)
    assert ni.l2_cost(params, 0.0, 5) == 0.0
