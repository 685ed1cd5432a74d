"""The parity checks go red, and name the right layer and quantity, when numpy_impl's
maths is broken: each test plants one classic from-scratch mistake."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
import numpy_impl.model as model_module
from parity import ZOO, compare_forward, compare_gradients, compare_training, make_data


def failing(report) -> set[tuple[str, str]]:
    return {(c.quantity, c.layer) for c in report.failures() if c.sides[1] == "keras"}


def gradients_report(name: str, m: int = 16, **overrides):
    arch = ZOO[name].replace(**overrides) if overrides else ZOO[name]
    X, Y = make_data(arch, m, 0)
    return compare_gradients(arch, X, Y, numerical=False)


def test_correct_code_passes() -> None:
    assert gradients_report("image_4layer").passed


def test_missing_one_over_m(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_mean(dZ, cache, need_dA_prev=True):
        A_prev, W, _ = cache
        return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True) / A_prev.shape[1]

    monkeypatch.setattr(model_module, "linear_backward", no_mean)
    assert failing(gradients_report("shallow_relu")) == {("dW", "1"), ("dW", "2")}


def test_db_summed_over_the_wrong_axis(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong_axis(dZ, cache, need_dA_prev=True):
        A_prev, W, _ = cache
        m = A_prev.shape[1]
        return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=0, keepdims=True)[:, :1] / m

    monkeypatch.setattr(model_module, "linear_backward", wrong_axis)
    assert {q for q, _ in failing(gradients_report("shallow_relu"))} == {"db"}


def test_relu_derivative_inverted(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = ni.ACTIVATIONS["relu"]._replace(backward=lambda dA, Z: np.where(Z > 0, 0.0, dA))
    monkeypatch.setitem(ni.ACTIVATIONS, "relu", bad)
    assert failing(gradients_report("shallow_relu")) == {("dW", "1"), ("db", "1"),
                                                         ("dA0 (input)", "0")}


def test_relu_derivative_inverted_with_one_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """report --m 1: the one example is random (it used to be the all-zero one, where
    every Z is 0 and a relu mistake compares 0 with 0)."""
    bad = ni.ACTIVATIONS["relu"]._replace(backward=lambda dA, Z: np.where(Z > 0, 0.0, dA))
    monkeypatch.setitem(ni.ACTIVATIONS, "relu", bad)
    assert ("dW", "1") in failing(gradients_report("shallow_relu", m=1))


def test_wrong_transpose(monkeypatch: pytest.MonkeyPatch) -> None:
    def transposed(dZ, cache, need_dA_prev=True):
        A_prev, W, _ = cache
        m = A_prev.shape[1]
        dW = dZ @ A_prev.T / m
        return W.T @ dZ, (dW.T if dW.shape[0] == dW.shape[1] else dW), np.sum(
            dZ, axis=1, keepdims=True) / m

    monkeypatch.setattr(model_module, "linear_backward", transposed)
    assert failing(gradients_report("image_4layer")) == {("dW", "2"), ("dW", "3")}


def test_sign_error_in_output_delta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "output_delta", lambda AL, Z, Y, o, loss: Y - AL)
    assert len(failing(gradients_report("shallow_tanh"))) == 5


def test_l2_gradient_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "l2_gradient", lambda W, lambd, m: 0 * W)
    assert failing(gradients_report("tabular_2layer")) == {("dW", "1"), ("dW", "2")}


def test_dropout_not_rescaled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "apply_dropout", lambda A, D, keep: A * D)
    arch = ZOO["regularized_dropout"]
    X, _ = make_data(arch, 12, 0)
    from parity import draw_masks
    masks = draw_masks(arch, 12, np.random.default_rng(0))
    assert ("forward A", "1") in failing(compare_forward(arch, X, masks=masks))


def test_softmax_forward_wrong_axis(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = ni.ACTIVATIONS["softmax"]._replace(forward=lambda Z: ni.softmax(Z, axis=1))
    monkeypatch.setitem(ni.ACTIVATIONS, "softmax", bad)
    arch = ZOO["softmax_multiclass"]
    X, _ = make_data(arch, 12, 0)
    assert failing(compare_forward(arch, X)) == {("forward A", "2")}


class SignFlippedMomentum(ni.Momentum):
    """v = beta v - (1 - beta) dW: the classic momentum sign slip."""

    def step(self, params, grads, state, lr):
        flipped = {k: -g for k, g in grads.items()}
        return super().step(params, flipped, state, lr)


class NoBiasCorrectionAdam(ni.Adam):
    """Adam with t stuck at a huge value, i.e. no bias correction."""

    def step(self, params, grads, state, lr):
        new, st = super().step(params, grads, {**state, "t": 10**6}, lr)
        return new, {**st, "t": state["t"] + 1}


@pytest.mark.parametrize("optimizer", [SignFlippedMomentum(0.9),
                                       NoBiasCorrectionAdam(form="textbook")])
def test_optimizer_mistakes_are_caught(optimizer) -> None:
    arch = ZOO["shallow_relu"]
    X, Y = make_data(arch, 20, 0)
    report = compare_training(arch, X, Y, optimizer, steps=2, learning_rate=0.1)
    assert not report.passed
    assert any(c.quantity.startswith("W [") for c in report.failures())


def test_relu_derivative_off_at_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """make_data's all-zero first example puts Z exactly at relu's kink."""
    bad = ni.ACTIVATIONS["relu"]._replace(backward=lambda dA, Z: np.where(Z >= 0, dA, 0.0))
    monkeypatch.setitem(ni.ACTIVATIONS, "relu", bad)
    assert ("db", "1") in failing(gradients_report("shallow_relu"))
