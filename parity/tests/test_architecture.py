"""Architecture: validation, dict round trip, the zoo, parsing."""

from __future__ import annotations

import pytest

from parity import (
    ZOO,
    Architecture,
    build_numpy,
    evaluate,
    get_architecture,
    initial_params,
    make_data,
    paired_models,
)


def test_defaults_are_normalised() -> None:
    arch = Architecture([4, 3, 2, 1], keep_probs=0.8)
    assert arch.layer_dims == (4, 3, 2, 1)
    assert arch.keep_probs == (0.8, 0.8) and arch.uses_dropout
    assert arch.loss == "bce" and arch.L == 3
    assert Architecture((3, 5), output_activation="softmax").loss == "cce"


@pytest.mark.parametrize("name", sorted(ZOO))
def test_dict_round_trip(name: str) -> None:
    arch = ZOO[name]
    back = Architecture.from_dict(arch.to_dict())
    assert back == arch and back.name == arch.name


def test_zoo_holds_the_seed_architectures() -> None:
    assert ZOO["digits_400_25_15_1"].layer_dims == (400, 25, 15, 1)
    assert ZOO["digits_400_25_15_1"].hidden_activation == "sigmoid"
    assert ZOO["image_4layer"].layer_dims[1:4] == (8, 8, 8)
    assert ZOO["image_4layer"].initializer == "he"
    assert ZOO["logistic_regression"].L == 1
    assert ZOO["softmax_multiclass"].output_activation == "softmax"
    assert {ZOO["shallow_tanh"].hidden_activation, ZOO["shallow_relu"].hidden_activation} == {
        "tanh", "relu"}


def test_get_architecture() -> None:
    assert get_architecture("digits_400_25_15_1") is ZOO["digits_400_25_15_1"]
    assert get_architecture("400,25,15,1").layer_dims == (400, 25, 15, 1)
    assert get_architecture("image_4layer", dtype="float32").dtype == "float32"
    with pytest.raises(ValueError, match="unknown architecture 'resnet'"):
        get_architecture("resnet")


@pytest.mark.parametrize("kwargs,message", [
    ({"layer_dims": (4,)}, "at least 2 entries"),
    ({"layer_dims": (4, 0, 1)}, r"layer_dims\[1\] must be >= 1"),
    ({"layer_dims": (4, 1), "hidden_activation": "gelu"}, "hidden_activation must be one of"),
    ({"layer_dims": (4, 1), "output_activation": "relu"}, "output_activation must be one of"),
    ({"layer_dims": (4, 1), "initializer": "orthogonal"}, "initializer must be one of"),
    ({"layer_dims": (4, 1), "dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
    ({"layer_dims": (4, 3, 1), "keep_probs": (1.5,)}, r"keep_probs\[0\] must be in \(0, 1\]"),
    ({"layer_dims": (4, 1), "output_activation": "softmax"}, "softmax output needs >= 2"),
    ({"layer_dims": (4, 1), "lambd": -1.0}, "lambd must be a finite number >= 0"),
    ({"layer_dims": (4, 2), "output_activation": "softmax", "loss": "bce"},
     "does not go with"),
])
def test_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Architecture(**kwargs)


def test_from_dict_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match=r"unknown Architecture field\(s\) \['width'\]"):
        Architecture.from_dict({"layer_dims": [3, 1], "width": 4})


def test_architecture_is_a_named_network_config() -> None:
    arch = ZOO["regularized_dropout"]
    net = build_numpy(arch, seed=0, optimizer="adam")
    assert net.network.network_fields() == arch.network_fields()
    assert net.optimizer.name == "adam"
    back = Architecture.from_network(net, name="copy")
    assert back == arch and back.name == "copy" and back.layers == arch.layers
    with pytest.raises(TypeError, match="net must be a numpy_impl.NeuralNetwork"):
        Architecture.from_network(arch)


@pytest.mark.parametrize("output,loss,n_y", [("sigmoid", None, 1), ("softmax", None, 3),
                                              ("linear", "bce", 1), ("linear", "cce", 3)])
def test_cost_and_accuracy_agree_between_backends(output: str, loss: str | None,
                                                  n_y: int) -> None:
    arch = Architecture(layer_dims=(5, 4, n_y), output_activation=output, loss=loss,
                        lambd=0.3)
    X, Y = make_data(arch, 40, 2)
    params = {k: v * 3 for k, v in initial_params(arch, 1).items()}  # spread the outputs
    ours = evaluate(arch, params, X, Y)
    theirs = evaluate(arch, params, X, Y, paired_models(arch, params)[1])
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    assert ours[1] == theirs[1] and 0.0 < ours[1] < 1.0
