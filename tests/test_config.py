"""NetworkConfig: one validated description, its layer specifications, its dict form."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni


def test_fields_are_normalised_once() -> None:
    cfg = ni.NetworkConfig(layer_dims=[4, 3, 2, 1], keep_probs=0.8, dtype=np.float32)
    assert cfg.layer_dims == (4, 3, 2, 1) and cfg.keep_probs == (0.8, 0.8)
    assert cfg.dtype == "float32" and cfg.loss == "bce" and cfg.L == 3 and cfg.uses_dropout
    assert ni.NetworkConfig(layer_dims=(3, 5), output_activation="softmax").loss == "cce"


def test_layers_describe_the_network() -> None:
    cfg = ni.NetworkConfig(layer_dims=(4, 6, 5, 2), hidden_activation="tanh",
                           output_activation="softmax", keep_probs=(0.5, 1.0))
    assert cfg.layers == (ni.dense_layer(6, "tanh"), ni.dropout_layer(0.5),
                          ni.dense_layer(5, "tanh"), ni.dense_layer(2, "softmax"))
    back = ni.NetworkConfig.from_layers(4, cfg.layers, initializer=cfg.initializer)
    assert back == cfg


@pytest.mark.parametrize("layers,message", [
    ([ni.dense_layer(3, "relu"), ni.dense_layer(2, "tanh"), ni.dense_layer(1, "sigmoid")],
     "hidden layers with different activations"),
    ([ni.dropout_layer(0.5), ni.dense_layer(1, "sigmoid")], "dropout must follow a dense"),
    ([ni.dense_layer(3, "relu"), ni.dropout_layer(0.5), ni.dropout_layer(0.5),
      ni.dense_layer(1, "sigmoid")], "dropout must follow a dense layer, once"),
    ([ni.dense_layer(1, "sigmoid"), ni.dropout_layer(0.5)], "after the output layer"),
    ([], "at least one dense layer"),
])
def test_from_layers_refuses_what_it_cannot_express(layers: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ni.NetworkConfig.from_layers(4, layers)


@pytest.mark.parametrize("kwargs,error,message", [
    ({"kind": "convolution"}, ValueError, "kind must be one of"),
    ({"kind": "conv", "filters": 2}, TypeError, "kernel_size must be an int"),
    ({"kind": "conv", "filters": 2, "kernel_size": 3, "padding": "full"}, ValueError,
     "padding must be one of"),
    ({"kind": "maxpool", "pool_size": 0}, ValueError, "pool_size must be >= 1"),
    ({"kind": "batchnorm", "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
    ({"kind": "flatten", "units": 3}, ValueError, "takes only nothing"),
    ({"kind": "dense", "units": 0, "activation": "relu"}, ValueError, "units must be >= 1"),
    ({"kind": "dense", "units": 3, "activation": "gelu"}, ValueError, "activation must be"),
    ({"kind": "dropout", "keep_prob": 0.0}, ValueError, r"keep_prob must be in \(0, 1\]"),
    ({"kind": "dropout", "keep_prob": 0.5, "units": 3}, ValueError,
     r"takes only \['keep_prob'\], got \['units'\]"),
    ({"kind": "dense", "units": 3, "activation": "relu", "keep_prob": 0.5}, ValueError,
     r"takes only \['activation', 'units'\], got \['keep_prob'\]"),
])
def test_layer_spec_validation(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ni.LayerSpec(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"layer_dims": (4,)}, "at least 2 entries"),
    ({"layer_dims": (4, 1), "dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
    ({"layer_dims": (4, 1), "dtype": "not a dtype"}, "dtype must be 'float32' or 'float64'"),
    ({"layer_dims": (4, 1), "output_activation": "softmax"}, "softmax output needs >= 2"),
    ({"layer_dims": (4, 3)}, r"binary cross-entropy output \(sigmoid, loss 'bce'\) has 1 "
                             r"unit, got 3"),
    ({"layer_dims": (4, 3, 1), "keep_probs": (0.5, 0.5)}, "one value per hidden layer"),
])
def test_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ni.NetworkConfig(**kwargs)


def test_dict_round_trip_and_unknown_fields() -> None:
    cfg = ni.NetworkConfig(layer_dims=(5, 4, 1), lambd=0.3, keep_probs=0.9)
    assert ni.NetworkConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.replace(dtype="float32").dtype == "float32"
    with pytest.raises(ValueError, match=r"unknown NetworkConfig field\(s\) \['width'\]"):
        ni.NetworkConfig.from_dict({"layer_dims": [3, 1], "width": 4})
    with pytest.raises(ValueError, match="has no 'layer_dims'"):
        ni.NetworkConfig.from_dict({"lambd": 0.1})
    with pytest.raises(TypeError, match="must be a dict"):
        ni.NetworkConfig.from_dict([3, 1])


def test_from_layers_edge_cases() -> None:
    dense, drop = ni.dense_layer, ni.dropout_layer
    with pytest.raises(ValueError, match="dropout must follow a dense layer, once"):
        ni.NetworkConfig.from_layers(3, [dense(4, "relu"), drop(1.0), drop(0.5),
                                         dense(1, "sigmoid")])
    specs = (s for s in [dense(4, "relu"), dense(1, "sigmoid")])  # a generator, read once
    assert ni.NetworkConfig.from_layers(3, specs).layer_dims == (3, 4, 1)
    logistic = ni.NetworkConfig(layer_dims=(3, 1), hidden_activation="tanh")
    assert ni.NetworkConfig.from_layers(3, logistic.layers, hidden_activation="tanh") == logistic
    with pytest.raises(ValueError, match="contradicts the hidden layers' 'relu'"):
        ni.NetworkConfig.from_layers(3, [dense(4, "relu"), dense(1, "sigmoid")],
                                     hidden_activation="tanh")


def test_dropout_after_a_later_hidden_layer() -> None:
    dense, drop = ni.dense_layer, ni.dropout_layer
    cfg = ni.NetworkConfig.from_layers(3, [dense(4, "relu"), dense(5, "relu"), drop(0.6),
                                           dense(1, "sigmoid")])
    assert cfg.keep_probs == (1.0, 0.6)
    assert cfg.layers[2] == drop(0.6) and cfg.layers[1] == dense(5, "relu")


def test_a_multi_unit_sigmoid_output_is_still_fine_with_mse() -> None:
    """mse averages over units and its gradient says so (2/n_out): only bce is refused."""
    assert ni.NetworkConfig(layer_dims=(4, 3), loss="mse").loss == "mse"
