"""keras_impl on its own: model structure, masked dropout, Keras dropout statistics,
the textbook Adam, the optimizer mapping and argument errors."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

import keras_impl as ki


def test_build_model_structure_and_dtype() -> None:
    model = ki.build_model((4, 6, 5, 1), "tanh", "sigmoid", keep_probs=[0.5, 1.0],
                           dtype="float64", seed=0, lambd=0.2, l2_batch_size=10)
    assert [layer.name for layer in model.layers] == [
        "dense_1", "masked_dropout_1", "dense_2", "dense_3"]
    assert ki.model_dtype(model) == "float64"
    assert all(d.kernel_regularizer.l2 == 0.2 / 20 for d in ki.dense_layers(model))
    assert not hasattr(model, "lambd") and not hasattr(model, "keep_probs")  # no hidden state
    with pytest.raises(ValueError, match="lambd > 0 needs l2_batch_size"):
        ki.build_model((4, 6, 1), lambd=0.2)
    assert [w.shape for w in ki.get_weights(model)] == [(4, 6), (6,), (6, 5), (5,), (5, 1), (1,)]
    keras_dropout = ki.build_model((4, 6, 1), keep_probs=0.8, dropout="keras")
    assert isinstance(keras_dropout.layers[1], keras.layers.Dropout)
    assert keras_dropout.layers[1].rate == pytest.approx(0.2)


def test_digit_model() -> None:
    model = ki.digit_model()
    dense = ki.dense_layers(model)
    assert [d.units for d in dense] == [25, 15, 1]
    assert all(d.activation is keras.activations.sigmoid for d in dense)
    assert ki.model_dtype(model) == "float32"


def test_masked_dropout_applies_the_given_mask() -> None:
    layer = ki.MaskedDropout(0.5, dtype="float64")
    x = np.arange(1.0, 7.0).reshape(2, 3)
    mask = np.array([[1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(layer(x, keep_mask=mask).numpy(), x * mask / 0.5)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with pytest.raises(ValueError, match=r"keep_prob must be in \(0, 1\], got 0"):
        ki.MaskedDropout(0.0)


def test_keras_dropout_distribution_matches_the_textbook() -> None:
    """The RNG streams differ, so compare the distribution: keep fraction and scaling."""
    keep = 0.7
    model = ki.build_model((50, 200, 1), "linear", keep_probs=keep, dropout="keras",
                           dtype="float64", seed=3)
    ki.set_weights(model, [np.eye(50, 200), np.ones(200), np.zeros((200, 1)), np.zeros(1)])
    X = np.zeros((100, 50))
    A = ki.forward(model, X, training=True)[0].numpy()
    kept = A != 0
    assert set(np.unique(A)) <= {0.0, 1 / keep}
    assert kept.mean() == pytest.approx(keep, abs=4 * math.sqrt(keep * (1 - keep) / A.size))
    np.testing.assert_array_equal(ki.forward(model, X)[0].numpy(), 1.0)  # inference: identity


def test_textbook_adam_one_step_by_hand() -> None:
    var = keras.Variable(np.array([1.0, -2.0]), dtype="float64")
    opt = ki.make_optimizer("adam", 0.1, form="textbook")
    opt.apply_gradients([(np.array([0.5, -1.0]), var)])
    expected = [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 1.0 / (1.0 + 1e-8)]
    np.testing.assert_allclose(var.numpy(), expected, rtol=1e-15)


def test_keras_adam_one_step_by_hand() -> None:
    var = keras.Variable(np.array([1.0]), dtype="float64")
    ki.make_optimizer("adam", 0.1, form="keras").apply_gradients([(np.array([0.5]), var)])
    expected = 1.0 - math.sqrt(0.001) * 0.05 / (math.sqrt(0.00025) + 1e-7)
    assert float(var.numpy()[0]) == pytest.approx(expected, rel=1e-15)


def test_momentum_mapping_two_steps() -> None:
    var = keras.Variable(np.array([1.0]), dtype="float64")
    opt = ki.make_optimizer("momentum", 0.1, beta=0.9)
    for _ in range(2):
        opt.apply_gradients([(np.array([0.5]), var)])
    assert float(var.numpy()[0]) == pytest.approx(0.9855, rel=1e-14)  # as the textbook


def test_gradients_layout() -> None:
    model = ki.build_model((3, 4, 1), dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    g = ki.gradients(model, rng.standard_normal((5, 3)), np.ones((5, 1)))
    assert g["kernel1"].shape == (3, 4) and g["bias2"].shape == (1,)
    assert g["input"].shape == (5, 3) and g["loss"].shape == ()


@pytest.mark.parametrize("call,message", [
    (lambda: ki.build_model((3,)), "layer_dims must be >= 2"),
    (lambda: ki.build_model((3, 1), hidden_activation="gelu"), "hidden_activation"),
    (lambda: ki.build_model((3, 1), dtype="float16"), "dtype must be"),
    (lambda: ki.build_model((3, 2, 1), keep_probs=[0.5, 0.5]), "one value per hidden"),
    (lambda: ki.make_initializer("orthogonal", 0), "initializer must be one of"),
    (lambda: ki.make_optimizer("rmsprop", 0.1), "optimizer must be one of"),
    (lambda: ki.make_optimizer("gd", -0.1), "learning_rate must be > 0"),
    (lambda: ki.gradients(ki.build_model((3, 1)), np.ones((2, 4)), np.ones((2, 1))),
     r"X has shape \(2, 4\); expected \(m, 3\)"),
    (lambda: ki.gradients(ki.build_model((3, 1)), np.ones((2, 3)), np.ones((2, 2))),
     r"Y has shape \(2, 2\); expected \(2, 1\)"),
    (lambda: ki.data_loss(np.ones((2, 1)), np.ones((2, 1)), form="raw"), "form must be one of"),
])
def test_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_lambd_is_checked_and_never_dropped_silently() -> None:
    X, Y = np.ones((5, 3)), np.ones((5, 1))
    fit_model = ki.build_model((3, 4, 1), dtype="float64", lambd=0.7, l2_batch_size=5)
    with pytest.raises(ValueError, match="has L2 kernel regularizers"):
        ki.batch_loss(fit_model, X, Y)
    with pytest.raises(ValueError, match="has L2 kernel regularizers"):
        ki.make_train_step(fit_model, ki.make_optimizer("gd", 0.1))
    plain = ki.build_model((3, 4, 1), dtype="float64")
    ki.set_weights(plain, ki.get_weights(fit_model))
    penalty = 0.7 / (2 * 5) * sum(float(np.sum(w ** 2)) for w in ki.get_weights(plain)[::2])
    assert float(ki.batch_loss(fit_model, X, Y, lambd=0.7)) == pytest.approx(
        float(ki.batch_loss(plain, X, Y)) + penalty, rel=1e-12)
    with pytest.raises(ValueError, match="lambd must be a finite number >= 0, got -1"):
        ki.gradients(fit_model, X, Y, lambd=-1.0)
    with pytest.raises(TypeError, match="lambd must be a number, got NoneType"):
        ki.batch_loss(fit_model, X, Y, lambd=None)
