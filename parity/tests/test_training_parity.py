"""Training trajectories step by step, and NeuralNetwork.fit vs the Keras loop vs model.fit."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
from parity import (
    ZOO,
    Lockstep,
    assert_parity,
    compare_fit,
    compare_training,
    initial_params,
    make_data,
    train_side_by_side,
)

OPTIMIZERS = [ni.GradientDescent(), ni.Momentum(0.9), ni.Adam(form="keras"),
              ni.Adam(form="textbook")]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.name + getattr(o, "form", ""))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_trajectory_with_minibatches_l2_and_dropout(optimizer, dtype: str) -> None:
    arch = ZOO["regularized_dropout"].replace(dtype=dtype)
    X, Y = make_data(arch, 50, 3)
    report = compare_training(arch, X, Y, optimizer, steps=8, batch_size=16,
                              learning_rate=0.05, params=initial_params(arch, 1))
    assert_parity(report)
    assert sum(1 for c in report.checks if c.quantity.startswith("W ")) == arch.L


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.name + getattr(o, "form", ""))
def test_fit_three_ways(optimizer) -> None:
    arch = ZOO["tabular_2layer"]
    X, Y = make_data(arch, 30, 0)
    report = compare_fit(arch, X, Y, optimizer, epochs=3, batch_size=10, learning_rate=0.02)
    assert_parity(report)
    sides = {c.sides[1] for c in report.checks}
    assert sides == {"keras loop", "model.fit"}


def test_fit_full_batch_softmax() -> None:
    arch = ZOO["softmax_multiclass"]
    X, Y = make_data(arch, 20, 0)
    assert_parity(compare_fit(arch, X, Y, "adam", epochs=2, learning_rate=0.01))


def test_ragged_batch_breaks_model_fit_l2_mapping() -> None:
    """docs/design.md: L2(l2 = lambd/(2m)) has no fixed m when the last batch is ragged; the
    custom loop stays exact, model.fit does not, and the report says why."""
    arch = ZOO["tabular_2layer"]
    X, Y = make_data(arch, 30, 0)
    report = compare_fit(arch, X, Y, "gd", epochs=2, batch_size=8, learning_rate=0.1)
    loop = [c for c in report.checks if c.sides[1] == "keras loop"]
    fit = [c for c in report.checks if c.sides[1] == "model.fit" and c.quantity != "epoch costs"]
    assert all(c.passed for c in loop)
    assert not all(c.passed for c in fit)
    assert all("ragged last batch" in c.note for c in fit)


def test_dropout_fit_is_refused() -> None:
    arch = ZOO["regularized_dropout"]
    X, Y = make_data(arch, 10, 0)
    with pytest.raises(ValueError, match="without dropout"):
        compare_fit(arch, X, Y)


def test_lockstep_trains_the_network_users_train(monkeypatch: pytest.MonkeyPatch) -> None:
    """The NumPy side of every lockstep run is ``NeuralNetwork.step``, with the masks Keras
    receives; and a broken step is a failed trajectory, so the proof is about that class."""
    calls = []
    original = ni.NeuralNetwork.step

    def spy(self, X, Y, learning_rate=0.01, masks=None):
        calls.append((X.shape[1], sorted(masks or {}), learning_rate))
        return original(self, X, Y, learning_rate, masks=masks)

    monkeypatch.setattr(ni.NeuralNetwork, "step", spy)
    arch = ZOO["regularized_dropout"]
    X, Y = make_data(arch, 10, 0)
    assert_parity(compare_training(arch, X, Y, "adam", steps=4, batch_size=4,
                                   learning_rate=0.05))
    assert calls == [(4, [1, 2], 0.05), (4, [1, 2], 0.05), (2, [1, 2], 0.05),
                     (4, [1, 2], 0.05)]
    calls.clear()
    result = train_side_by_side(arch, X, Y, epochs=2, batch_size=5)
    assert [c[0] for c in calls] == [5, 5, 5, 5] and result.max_param_diff < 1e-12

    def skipped_update(self, X, Y, learning_rate=0.01, masks=None):
        return original(self, X, Y, 1e-300, masks=masks)  # costs right, parameters frozen

    monkeypatch.setattr(ni.NeuralNetwork, "step", skipped_update)
    report = compare_training(arch, X, Y, "gd", steps=2, learning_rate=0.05)
    assert not report.passed
    assert {c.group for c in report.failures()} == {"training"}
    assert any(c.quantity.startswith("W [") for c in report.failures())


def test_lockstep_step_without_masks_shares_the_networks_draws() -> None:
    arch = ZOO["regularized_dropout"]
    X, Y = make_data(arch, 12, 0)
    run = Lockstep(arch, ni.GradientDescent(), 0.05, initial_params(arch, 0))
    costs = run.step(X, Y)  # masks drawn by the network, replayed in Keras
    assert costs["numpy"] == pytest.approx(costs["keras"], rel=1e-12)
    finals = run.final_params()
    assert all(np.max(np.abs(finals["numpy"][k] - finals["keras"][k])) < 1e-12
               for k in finals["numpy"])
    with pytest.raises(ValueError, match=r"one mask for each dropout layer \[1, 2\]"):
        run.step(X, Y, {1: run.draw_masks(12)[1]})
