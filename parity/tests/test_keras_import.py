"""Importing users' own Keras models: each supported layer kind comes across as the same
function (architecture read, outputs compared); each unsupported kind is refused with the
layer's index, name and the reason."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from parity import Architecture, build_keras, import_keras, network_from_keras

L = keras.layers


def seq(*layers: keras.layers.Layer, n_x: int = 5, dtype: str = "float64",
        name: str = "user_model") -> keras.Sequential:
    return keras.Sequential([keras.Input((n_x,), dtype=dtype), *layers], name=name)


def outputs(model: keras.Model, net: ni.NeuralNetwork, X: np.ndarray) -> tuple:
    """The model's output and the network's raw output layer on ``X (n_x, m)``."""
    AL, _ = ni.model_forward(X, net.params, net.hidden_activation, net.output_activation)
    return np.asarray(model(X.T, training=False)), AL.T


SUPPORTED: dict[str, tuple[Callable[[], keras.Sequential], dict]] = {
    "tanh hidden as argument": (
        lambda: seq(L.Dense(4, activation="tanh", dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        {"layer_dims": (5, 4, 1), "hidden_activation": "tanh",
         "output_activation": "sigmoid", "loss": "bce"}),
    "softmax output": (
        lambda: seq(L.Dense(6, activation="relu", dtype="float64"),
                    L.Dense(3, activation="softmax", dtype="float64")),
        {"layer_dims": (5, 6, 3), "output_activation": "softmax", "loss": "cce"}),
    "activations as layers": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Activation("tanh", dtype="float64"),
                    L.Dense(3, dtype="float64"), L.Softmax(dtype="float64")),
        {"hidden_activation": "tanh", "output_activation": "softmax"}),
    "ReLU layer": (
        lambda: seq(L.Dense(4, dtype="float64"), L.ReLU(dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        {"hidden_activation": "relu"}),
    "use_bias=False": (
        lambda: seq(L.Dense(4, activation="relu", use_bias=False, dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        {"layer_dims": (5, 4, 1)}),
    "linear output (regression)": (
        lambda: seq(L.Dense(4, activation="sigmoid", dtype="float64"),
                    L.Dense(2, dtype="float64")),
        {"output_activation": "linear", "loss": "mse", "hidden_activation": "sigmoid"}),
    "dropout becomes keep_probs": (
        lambda: seq(L.Dense(4, activation="relu", dtype="float64"),
                    L.Dropout(0.25, dtype="float64"),
                    L.Dense(3, activation="relu", dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        {"keep_probs": (0.75, 1.0)}),
    "keras_impl leaky relu in float64": (
        lambda: seq(L.Dense(4, activation=ki.leaky_relu, dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        {"hidden_activation": "leaky_relu"}),
    "LeakyReLU(0.01) in float32": (
        lambda: seq(L.Dense(4, dtype="float32"), L.LeakyReLU(0.01, dtype="float32"),
                    L.Dense(1, activation="sigmoid", dtype="float32"), dtype="float32"),
        {"hidden_activation": "leaky_relu", "dtype": "float32"}),
    "logistic regression": (
        lambda: seq(L.Dense(1, activation="sigmoid", dtype="float64")),
        {"layer_dims": (5, 1)}),
    "float32 model": (
        lambda: seq(L.Dense(7, activation="relu"), L.Dense(1, activation="sigmoid"),
                    dtype="float32"),
        {"dtype": "float32"}),
}


@pytest.mark.parametrize("name", list(SUPPORTED))
def test_supported_models_import_as_the_same_function(name: str) -> None:
    build, expected = SUPPORTED[name]
    model = build()
    result = import_keras(model)
    assert result.passed, result.report.to_text()
    for field, value in expected.items():
        assert getattr(result.architecture, field) == value, field
    X = np.random.default_rng(1).standard_normal((5, 9)).astype(result.architecture.dtype)
    theirs, ours = outputs(model, result.network, X)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5 if "32" in name else 1e-12,
                               atol=1e-6 if "32" in name else 1e-14)


def test_weights_come_across_bitwise_and_missing_bias_is_zero() -> None:
    model = seq(L.Dense(4, activation="relu", use_bias=False, dtype="float64"),
                L.Dense(1, activation="sigmoid", dtype="float64"))
    result = import_keras(model)
    np.testing.assert_array_equal(result.network.params["W1"], model.layers[0].kernel.numpy().T)
    np.testing.assert_array_equal(result.network.params["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(result.network.params["b2"],
                                  model.layers[1].bias.numpy().reshape(-1, 1))
    assert any("use_bias=False" in note for note in result.notes)


def test_compiled_loss_is_read() -> None:
    model = seq(L.Dense(4, activation="relu", dtype="float64"), L.Dense(1, dtype="float64"))
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))
    assert import_keras(model).architecture.loss == "bce"
    model.compile(loss="mse")
    assert import_keras(model).architecture.loss == "mse"


def test_l2_needs_lambd_and_then_imports_it() -> None:
    def build() -> keras.Sequential:
        return seq(L.Dense(4, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01),
                           dtype="float64"),
                   L.Dense(1, activation="sigmoid",
                           kernel_regularizer=keras.regularizers.L2(0.01), dtype="float64"))

    with pytest.raises(ValueError, match=r"L2\(l2=0.01\).*pass lambd=2 \* m \* 0.01"):
        import_keras(build())
    assert import_keras(build(), lambd=0.64).architecture.lambd == 0.64


def test_zoo_models_round_trip_through_network_from_keras() -> None:
    for arch in (Architecture(layer_dims=(4, 6, 3), output_activation="softmax"),
                 Architecture(layer_dims=(3, 5, 5, 1), hidden_activation="tanh",
                              keep_probs=(0.8, 0.9))):
        net = network_from_keras(build_keras(arch), arch)
        assert Architecture.from_network(net) == arch


def test_network_from_keras_refuses_a_different_architecture() -> None:
    arch = Architecture(layer_dims=(5, 4, 1), hidden_activation="relu")
    model = seq(L.Dense(4, activation="tanh", dtype="float64"),
                L.Dense(1, activation="sigmoid", dtype="float64"))
    with pytest.raises(ValueError, match="hidden_activation: model 'tanh', arch 'relu'"):
        network_from_keras(model, arch)


class Doubler(L.Layer):
    def call(self, x):  # noqa: D102
        return 2 * x


REFUSED: dict[str, tuple[Callable[[], keras.Model], str]] = {
    "BatchNormalization": (
        lambda: seq(L.Dense(4, activation="relu", dtype="float64"),
                    L.BatchNormalization(dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        r"layer 1 'batch_normalization\w*' \(BatchNormalization\) is not supported"),
    "Normalization": (
        lambda: seq(L.Normalization(mean=0.5, variance=2.0, dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        r"layer 0 'normalization\w*' \(Normalization\) is not supported"),
    "Conv2D": (
        lambda: keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(2, 3), L.Flatten(),
                                  L.Dense(1)], name="conv"),
        r"layer 0 'conv2d\w*' \(Conv2D\) is not supported"),
    "Flatten on flat input": (
        lambda: seq(L.Flatten(dtype="float64"), L.Dense(1, dtype="float64")),
        r"layer 0 'flatten\w*' \(Flatten\) is not supported"),
    "custom layer": (
        lambda: seq(L.Dense(4, dtype="float64"), Doubler(dtype="float64"),
                    L.Dense(1, dtype="float64")),
        r"layer 1 'doubler\w*' \(Doubler\) is not supported"),
    "functional model": (
        lambda: (lambda i: keras.Model(i, L.Dense(1, activation="sigmoid")(i),
                                       name="func"))(keras.Input((3,))),
        r"model 'func' is a Functional; only keras.Sequential"),
    "unbuilt model": (
        lambda: keras.Sequential([L.Dense(1)], name="unbuilt"),
        r"model 'unbuilt' has not been built"),
    "elu activation": (
        lambda: seq(L.Dense(4, activation="elu", dtype="float64"), L.Dense(1, dtype="float64")),
        r"layer 0 'dense\w*' \(Dense\): activation 'elu' is not supported"),
    "gelu activation layer": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Activation("gelu", dtype="float64"),
                    L.Dense(1, dtype="float64")),
        r"layer 1 'activation\w*' \(Activation\): activation 'gelu' is not supported"),
    "Keras leaky_relu slope 0.2": (
        lambda: seq(L.Dense(4, activation="leaky_relu", dtype="float64"),
                    L.Dense(1, dtype="float64")),
        r"Keras' leaky_relu has slope 0.2"),
    "LeakyReLU(0.01) in float64": (
        lambda: seq(L.Dense(4, dtype="float64"), L.LeakyReLU(0.01, dtype="float64"),
                    L.Dense(1, dtype="float64")),
        r"layer 1 .*float64 model TensorFlow computes this slope in float32"),
    "LeakyReLU(0.3)": (
        lambda: seq(L.Dense(4), L.LeakyReLU(0.3), L.Dense(1), dtype="float32"),
        r"negative slope 0.3 is not supported"),
    "relu6": (
        lambda: seq(L.Dense(4), L.ReLU(max_value=6.0), L.Dense(1), dtype="float32"),
        r"max_value=6.0"),
    "two activations in a row": (
        lambda: seq(L.Dense(4, activation="relu", dtype="float64"),
                    L.Activation("tanh", dtype="float64"), L.Dense(1, dtype="float64")),
        r"layer 1 .*a second activation after relu"),
    "mixed hidden activations": (
        lambda: seq(L.Dense(4, activation="relu", dtype="float64"),
                    L.Dense(4, activation="tanh", dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        r"hidden layers use relu, tanh"),
    "softmax hidden": (
        lambda: seq(L.Dense(4, activation="softmax", dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        r"hidden layer 1 uses softmax"),
    "tanh output": (
        lambda: seq(L.Dense(1, activation="tanh", dtype="float64")),
        r"output activation 'tanh' is not supported"),
    "input dropout": (
        lambda: seq(L.Dropout(0.2, dtype="float64"), L.Dense(1, dtype="float64")),
        r"layer 0 'dropout\w*' \(Dropout\): dropout on the inputs"),
    "output dropout": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Dense(1, dtype="float64"),
                    L.Dropout(0.2, dtype="float64")),
        r"dropout after the output layer \(layer 2\)"),
    "activation after dropout": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Dropout(0.2, dtype="float64"),
                    L.Activation("relu", dtype="float64"), L.Dense(1, dtype="float64")),
        r"an activation after dropout"),
    "GaussianDropout": (
        lambda: seq(L.Dense(4, dtype="float64"), L.GaussianDropout(0.2, dtype="float64"),
                    L.Dense(1, dtype="float64")),
        r"\(GaussianDropout\) is not supported"),
    "bias regularizer": (
        lambda: seq(L.Dense(1, bias_regularizer="l2", dtype="float64")),
        r"layer 0 .*bias_regularizer is not supported"),
    "kernel constraint": (
        lambda: seq(L.Dense(1, kernel_constraint=keras.constraints.MaxNorm(2.0),
                            dtype="float64")),
        r"kernel_constraint is not supported"),
    "L1 regularizer": (
        lambda: seq(L.Dense(1, kernel_regularizer=keras.regularizers.L1(0.1),
                            dtype="float64")),
        r"kernel_regularizer L1.* only an L2 penalty"),
    "mixed precision": (
        lambda: seq(L.Dense(4, dtype="mixed_float16"), L.Dense(1, dtype="float32"),
                    dtype="float32"),
        r"dtype policy 'mixed_float16' is not supported"),
    "mixed dtypes": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Dense(1, dtype="float32")),
        r"layer 1 .*dtype float32 differs from the earlier layers' float64"),
    "float32 dropout in a float64 model": (
        lambda: seq(L.Dense(4, dtype="float64"), L.Dropout(0.2), L.Dense(1, dtype="float64")),
        r"layer 1 'dropout\w*' \(Dropout\): dtype float32 differs .* casts the activations"),
    "image input": (
        lambda: keras.Sequential([keras.Input((4, 3)), L.Dense(1)], name="seq3d"),
        r"takes inputs of shape \(None, 4, 3\)"),
    "sparse categorical loss": (
        lambda: (lambda m: (m.compile(loss="sparse_categorical_crossentropy"), m)[1])(
            seq(L.Dense(3, activation="softmax", dtype="float64"))),
        r"compiled with loss 'sparse_categorical_crossentropy'"),
    "from_logits mismatch": (
        lambda: (lambda m: (m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True)),
                            m)[1])(seq(L.Dense(1, activation="sigmoid", dtype="float64"))),
        r"from_logits=True does not match the sigmoid output"),
    "label smoothing": (
        lambda: (lambda m: (m.compile(loss=keras.losses.CategoricalCrossentropy(
            label_smoothing=0.1)), m)[1])(seq(L.Dense(3, activation="softmax",
                                                     dtype="float64"))),
        r"label_smoothing=0.1 is not supported"),
    # found by review: these were imported as the plain mean loss and per-example dropout
    "summed loss": (
        lambda: (lambda m: (m.compile(loss=keras.losses.BinaryCrossentropy(reduction="sum")),
                            m)[1])(seq(L.Dense(1, activation="sigmoid", dtype="float64"))),
        r"reduction='sum' is not supported; numpy_impl's cost is the mean over the batch"),
    "unreduced loss": (
        lambda: (lambda m: (m.compile(loss=keras.losses.BinaryCrossentropy(reduction=None)),
                            m)[1])(seq(L.Dense(1, activation="sigmoid", dtype="float64"))),
        r"reduction=None is not supported"),
    "loss over the batch axis": (
        lambda: (lambda m: (m.compile(loss=keras.losses.BinaryCrossentropy(axis=0)),
                            m)[1])(seq(L.Dense(1, activation="sigmoid", dtype="float64"))),
        r"axis=0 is not supported; expected the feature axis"),
    "dropout with a noise shape": (
        lambda: seq(L.Dense(4, activation="relu", dtype="float64"),
                    L.Dropout(0.3, noise_shape=(1, 4), dtype="float64"),
                    L.Dense(1, activation="sigmoid", dtype="float64")),
        r"layer 1 'dropout\w*' \(Dropout\): noise_shape=\(1, 4\) .* is not supported"),
    "different L2 per layer": (
        lambda: seq(L.Dense(4, kernel_regularizer=keras.regularizers.L2(0.1), dtype="float64"),
                    L.Dense(1, kernel_regularizer=keras.regularizers.L2(0.2), dtype="float64")),
        r"kernel_regularizer differs between layers"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_unsupported_models_are_refused_with_layer_and_reason(name: str) -> None:
    build, message = REFUSED[name]
    model = build()
    with pytest.raises(ValueError, match=message):
        import_keras(model, lambd=0.5 if "L2" in name else None)
    with pytest.raises(ValueError):
        network_from_keras(model)


def test_a_failed_comparison_is_reported_not_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the forward comparison failed (here: a planted wrong numpy forward pass), the
    import says so and network_from_keras refuses."""
    import parity.importer as importer

    model = seq(L.Dense(4, activation="tanh", dtype="float64"),
                L.Dense(1, activation="sigmoid", dtype="float64"))
    real = ni.model_forward

    def wrong(X, params, hidden="relu", output="sigmoid", *args, **kwargs):
        return real(X, params, "relu", output, *args, **kwargs)

    monkeypatch.setattr(importer.ni, "model_forward", wrong)
    result = import_keras(model)
    assert not result.passed
    with pytest.raises(ValueError, match="does not compute model 'user_model'"):
        network_from_keras(model)
