"""Diverging or empty comparisons are errors, never passing or NaN-filled reports."""

from __future__ import annotations

import json

import numpy as np
import pytest

import numpy_impl as ni
from parity import ZOO, Architecture, compare_training, make_data, train_side_by_side

ARCH = ZOO["shallow_relu"]


def test_zero_steps_is_an_error_not_a_passing_report() -> None:
    X, Y = make_data(ARCH, 8)
    with pytest.raises(ValueError, match=r"steps must be a positive int .* got 0"):
        compare_training(ARCH, X, Y, steps=0)


def test_empty_data_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(2, 0\); expected at least one"):
        compare_training(ARCH, np.zeros((2, 0)), np.zeros((1, 0)))


@pytest.mark.parametrize("lambd, lr", [(1e300, 0.01), (0.0, 1e300)])
def test_side_by_side_divergence_names_epoch_and_step_and_keeps_what_it_has(
        lambd: float, lr: float) -> None:
    arch = Architecture(layer_dims=(2, 4, 1), lambd=lambd)
    X, Y = make_data(arch, 16)
    with pytest.raises(ni.DivergenceError, match=r"training diverged at epoch \d+, step \d+: "
                       r"the (numpy|keras) ") as info:
        train_side_by_side(arch, X, Y, optimizer="gd", learning_rate=lr, epochs=3,
                           batch_size=8)
    partial = info.value.partial
    assert partial.diverged == str(info.value)
    text = json.dumps(partial.to_dict(), allow_nan=False)  # no NaN/Infinity tokens
    assert "diverged" in text
    for run in partial.runs.values():
        assert all(np.isfinite(run.costs)) and run.final_cost is None
    assert "stopped: training diverged" in partial.table()


def test_a_finite_blow_up_is_said_not_passed() -> None:
    """A run that ends finite but has blown up (``numpy_impl.blow_up``, fit's
    DivergenceWarning) keeps its results and says so in ``diverged``."""
    arch = Architecture(layer_dims=(2, 8, 1))
    X, Y = make_data(arch, 16)
    result = train_side_by_side(arch, X, Y, optimizer="gd", learning_rate=100.0, epochs=5,
                                batch_size=8, backends=("numpy",))
    costs = result.runs["numpy"].costs
    assert all(np.isfinite(costs)) and result.runs["numpy"].final_cost is not None
    assert result.diverged.startswith("the numpy cost grew from ")
    assert f"(before training) to {costs[-1]:.4g} (epoch 5)" in result.diverged
    assert f"diverging: {result.diverged}" in result.table()
    json.dumps(result.to_dict(), allow_nan=False)
    calm = train_side_by_side(arch, X, Y, optimizer="gd", learning_rate=0.1, epochs=5,
                              batch_size=8, backends=("numpy",))
    assert calm.diverged is None and "diverging" not in calm.table()


def test_blow_up_threshold() -> None:
    assert ni.blow_up([0.5, ni.EXPLOSION_FACTOR]) is None  # max(first, 1) = 1
    assert ni.blow_up([0.5, ni.EXPLOSION_FACTOR * 1.01]) == (
        "the cost grew from 0.5 (epoch 1) to 1010 (epoch 2): training is diverging; try a "
        "smaller learning_rate")
    assert ni.blow_up([10.0, 9e3]) is None and ni.blow_up([10.0, 1.1e4]) is not None
    assert ni.blow_up([]) is None
    # found by review: a rate so large that the first epoch's mean had blown up already
    # was never flagged; the cost before the first update is the baseline when known
    assert ni.blow_up([3e299, 4.9e299]) is None
    assert ni.blow_up([3e299, 4.9e299], start=0.69) == (
        "the cost grew from 0.69 (before training) to 4.9e+299 (epoch 2): training is "
        "diverging; try a smaller learning_rate")
    assert ni.blow_up([0.7, 2.0], start=0.69) is None


def test_fit_warns_when_its_first_epoch_already_blew_up() -> None:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 64))
    Y = (X[:1] > 0).astype(float)
    net = ni.NeuralNetwork((2, 1), seed=0)
    with pytest.warns(ni.DivergenceWarning, match=r"\(before training\) to "):
        costs = net.fit(X, Y, epochs=2, batch_size=8, learning_rate=1e6)
    assert costs[0] > ni.EXPLOSION_FACTOR  # the first epoch's mean: blown up already


def test_train_command_exits_1_on_a_finite_blow_up(capsys, tmp_path, monkeypatch) -> None:
    """--lr's help promises that a diverging run is reported with exit status 1: a finite
    blow-up too, after writing its files; a huge cost is printed in e-notation."""
    from parity import cli

    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)  # numpy only
    rng = np.random.default_rng(3)
    x = rng.standard_normal(200)
    y = rng.standard_normal(200) * 40
    rows = [f"{a:.4f},{b:.4f},{int(a > 0)}" for a, b in zip(x, y, strict=True)]
    (tmp_path / "d.csv").write_text("x,y,target\n" + "\n".join(rows) + "\n")
    out_dir = tmp_path / "out"
    status = cli.main(["train", "--data", f"csv:{tmp_path / 'd.csv'}:target", "--backend",
                       "numpy", "--optimizer", "gd", "--lr", "1e6", "--epochs", "5", "--arch",
                       "2,8,1", "--quiet", "--out", str(out_dir)])
    out, err = capsys.readouterr()
    record = json.loads((out_dir / "training.json").read_text(),
                        parse_constant=lambda token: pytest.fail(token))
    assert status == 1
    assert err.strip().splitlines() == [f"error: {record['diverged']}"]
    assert record["diverged"].startswith("the numpy cost grew from ")
    row = next(line for line in out.splitlines() if line.startswith("numpy "))
    assert "e+" in row.split()[1] and len(row) < 80
