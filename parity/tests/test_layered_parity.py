"""Networks of layers: numpy_impl's LayeredNetwork and keras_impl's layered models agree
(forward in both modes, gradients three-way, training with moving statistics), and the
comparison fails for a planted mistake."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
import numpy_impl.layered as layered
from parity import (
    LAYERED_ZOO,
    LayerArchitecture,
    assert_parity,
    compare_layered_forward,
    compare_layered_gradients,
    compare_layered_training,
    layered_data,
    layered_params_from_keras,
    layered_params_to_keras,
    layered_report,
    paired_layered,
)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(LAYERED_ZOO))
def test_layered_zoo_agrees(name: str, dtype: str) -> None:
    report = layered_report(LAYERED_ZOO[name].replace(dtype=dtype), m=8, steps=2)
    assert_parity(report)
    groups = report.groups()
    assert {"forward", "cost", "gradients", "training"} <= set(groups)
    if dtype == "float64":
        assert groups["numerical"], "the three-way check ran"
    if any(s.kind == "batchnorm" for s in LAYERED_ZOO[name].layers):
        assert any(c.quantity.startswith("moving_var") for c in groups["training"])


def test_weights_round_trip_bitwise() -> None:
    arch = LAYERED_ZOO["conv_batchnorm"]
    net, model = paired_layered(arch, seed=3)
    back = layered_params_from_keras(ki.get_layered_weights(model),
                                     {**arch.param_shapes(), **arch.state_shapes()})
    for key, value in net.get_params().items():
        np.testing.assert_array_equal(back[key], value)
    assert set(layered_params_to_keras(net.get_params())) == set(ki.get_layered_weights(model))


def test_moving_statistics_are_compared_after_every_step() -> None:
    arch = LAYERED_ZOO["dense_batchnorm"]
    X, Y = layered_data(arch, 12)
    report = compare_layered_training(arch, X, Y, "momentum", steps=3, batch_size=5,
                                      learning_rate=0.1)
    assert_parity(report)
    assert {c.quantity.split(" ")[0] for c in report.checks} >= {"moving_mean", "moving_var",
                                                                 "gamma", "beta", "W", "b"}


def test_zero_steps_is_an_error() -> None:
    arch = LAYERED_ZOO["conv_digits"]
    X, Y = layered_data(arch, 4)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        compare_layered_training(arch, X, Y, steps=0)


def _flipped(A_prev, W, b, stride=1, padding="valid"):  # noqa: ANN001, ANN202
    return ni.conv_forward(A_prev, W[::-1, ::-1].copy(), b, stride, padding)


def _no_mask(dA, cache, ties="keras"):  # noqa: ANN001, ANN202
    return ni.pool_backward(dA, cache._replace(mode="average"), ties) * np.prod(
        cache.pool_size)


def _wrong_momentum(X, gamma, beta, mean, var, training, momentum=0.99, *args, **kwargs):
    # noqa: ANN001, ANN202
    return ni.batchnorm_forward(X, gamma, beta, mean, var, training, 1.0 - momentum, *args,
                                **kwargs)


@pytest.mark.parametrize("name, attr, replacement, arch_name, group", [
    ("flipped kernel", "conv_forward", _flipped, "conv_digits", "forward"),
    ("max-pool gradient to the whole window", "pool_backward", _no_mask, "conv_digits",
     "gradients"),
    ("moving statistics with 1 - momentum", "batchnorm_forward", _wrong_momentum,
     "dense_batchnorm", "training"),
])
@pytest.mark.parametrize("m", [8, 1])
def test_planted_layer_mistakes_fail(monkeypatch: pytest.MonkeyPatch, name: str, attr: str,
                                     replacement: object, arch_name: str, group: str,
                                     m: int) -> None:
    """Also with one example (report --m 1), which used to be all zeros: 0 against 0."""
    arch = LAYERED_ZOO[arch_name]
    X, Y = layered_data(arch, m)
    monkeypatch.setattr(layered, attr, replacement)
    net = ni.LayeredNetwork(arch)
    reports = [compare_layered_forward(arch, X, net.get_params()),
               compare_layered_gradients(arch, X, Y, net.get_params(), numerical=False),
               compare_layered_training(arch, X, Y, "gd", 2, 4, 0.1, net.get_params())]
    failed = {c.group for r in reports for c in r.failures()}
    assert group in failed, (name, failed)


def test_architecture_is_named_and_serialisable() -> None:
    arch = LAYERED_ZOO["signs_like"]
    again = LayerArchitecture.from_dict(arch.to_dict())
    assert again == arch and again.name == "signs_like"
    assert arch.label().startswith("signs_like 32x32x3 conv4x4x8same,relu maxpool8")
