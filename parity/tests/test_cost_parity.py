"""Costs in every form, including saturated outputs, and the documented differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from parity import ZOO, assert_parity, compare_cost, initial_params, make_data, paired_models
from parity.convert import to_keras_data


def saturated(arch, scale: float, seed: int = 1):
    X, Y = make_data(arch, 20, seed)
    params = {k: (v * scale).astype(arch.dtype) for k, v in initial_params(arch, 0).items()}
    return X, Y, params


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["shallow_relu", "softmax_multiclass", "tabular_2layer"])
@pytest.mark.parametrize("scale", [1.0, 60.0])
def test_cost_forms_agree(name: str, dtype: str, scale: float) -> None:
    arch = ZOO[name].replace(dtype=dtype)
    X, Y, params = saturated(arch, scale)
    report = compare_cost(arch, X, Y, params)
    assert_parity(report)
    assert {c.quantity for c in report.checks} == {"cost[probabilities]", "cost[clipped]"}


def test_logits_output_cost() -> None:
    arch = ZOO["shallow_relu"].replace(output_activation="linear", loss="bce")
    X, Y, params = saturated(arch, 60.0)
    report = compare_cost(arch, X, Y, params)
    assert_parity(report)
    assert [c.quantity for c in report.checks] == ["cost[logits]"]


def test_saturation_really_happens_and_forms_differ() -> None:
    """At logits of +-40 the three forms give three different, documented numbers."""
    arch = ZOO["logistic_regression"]
    params = {"W1": np.zeros((1, 64)), "b1": np.array([[40.0]])}
    X = np.zeros((64, 2))
    Y = np.array([[0.0, 1.0]])
    AL, caches = ni.model_forward(X, params, output_activation="sigmoid")
    assert AL[0, 0] == 1.0  # sigmoid(40) rounds to 1 in float64
    exact = 0.5 * (40 + math.log1p(math.exp(-40)) + math.log1p(math.exp(-40)))
    assert ni.compute_cost(caches[-1].Z, Y, from_logits=True) == pytest.approx(exact, rel=1e-15)
    assert ni.compute_cost(AL, Y) == math.inf  # textbook, unclipped
    clipped = ni.compute_cost(AL, Y, clip=ni.KERAS_EPSILON)
    assert clipped == pytest.approx(0.5 * -math.log(1e-7), rel=1e-6)
    _, model = paired_models(arch, params)
    tracked = float(ki.batch_loss(model, to_keras_data(X), to_keras_data(Y), "bce",
                                  "probabilities"))
    keras_clipped = float(ki.batch_loss(model, to_keras_data(X), to_keras_data(Y), "bce",
                                        "clipped"))
    assert tracked == pytest.approx(exact, rel=1e-15)  # TF used the logits
    assert keras_clipped == pytest.approx(clipped, rel=1e-12)


def test_float32_clip_floor() -> None:
    """In float32, 1 - 1e-7 rounds to 1 - 2**-23: -log(1 - p) floors near 15.94."""
    arch = ZOO["logistic_regression"].replace(dtype="float32")
    params = {"W1": np.zeros((1, 64), np.float32), "b1": np.array([[40.0]], np.float32)}
    X = np.zeros((64, 1), np.float32)
    _, model = paired_models(arch, params)
    value = float(ki.batch_loss(model, to_keras_data(X), np.zeros((1, 1), np.float32), "bce",
                                "clipped"))
    assert value == pytest.approx(15.94, abs=0.01)
    ours = ni.compute_cost(np.ones((1, 1), np.float32), np.zeros((1, 1)), clip=ni.KERAS_EPSILON)
    assert ours == pytest.approx(value, rel=1e-6)
