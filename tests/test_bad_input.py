"""Every public entry point refuses bad input before any work, with a ValueError or
TypeError naming the argument, what it got and what it expected."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
import parity

rng = np.random.default_rng(0)
P = ni.initialize_parameters([3, 4, 1], "he", seed=0)
X = rng.standard_normal((3, 5))
Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
AL, CACHES = ni.model_forward(X, P)
GRADS = ni.model_backward(AL, Y, CACHES)
NET = ni.NeuralNetwork((3, 4, 1), seed=0)
MODEL = ki.build_model((3, 4, 1), dtype="float64")
ARCH = parity.ZOO["shallow_relu"]


def nan_X() -> np.ndarray:
    bad = X.copy()
    bad[1, 2] = np.nan
    return bad


CASES = [
    # shapes that do not match the architecture
    ("model_forward X rows", lambda: ni.model_forward(X[:2], P), ValueError,
     r"X has shape \(2, 5\); expected \(3, m\)"),
    ("fit X rows", lambda: NET.fit(X[:2], Y), ValueError, r"X has shape \(2, 5\)"),
    ("predict X rows", lambda: NET.predict(np.zeros((4, 2))), ValueError,
     r"X has shape \(4, 2\); expected \(3, m\)"),
    ("keras gradients X", lambda: ki.gradients(MODEL, np.zeros((5, 2)), np.zeros((5, 1))),
     ValueError, r"X has shape \(5, 2\); expected \(m, 3\)"),
    ("compare_forward X", lambda: parity.compare_forward(ARCH, np.zeros((3, 4))), ValueError,
     r"X has shape \(3, 4\); expected \(2, m\)"),
    # Y not (1, m) or not 0/1 for a binary cost
    ("cost Y shape", lambda: ni.compute_cost(AL, Y.ravel()), ValueError,
     r"Y must have shape \(1, m\) for a binary cost, got \(5,\)"),
    ("cost Y values", lambda: ni.compute_cost(AL, Y * 3), ValueError, "only 0 and 1"),
    ("backward Y values", lambda: ni.model_backward(AL, Y - 0.5, CACHES), ValueError,
     "only 0 and 1"),
    ("fit Y values", lambda: NET.fit(X, Y + 1), ValueError, "only 0 and 1"),
    ("fit Y shape", lambda: NET.fit(X, np.ones((2, 5))), ValueError,
     r"Y has shape \(2, 5\); expected \(1, 5\)"),
    ("keras Y values", lambda: ki.gradients(MODEL, X.T, (Y * 2).T), ValueError,
     "only 0 and 1"),
    ("cce not one-hot", lambda: ni.compute_cost(np.full((3, 2), 1 / 3), np.ones((3, 2)),
                                                loss="cce"), ValueError, "one-hot"),
    # NaN or infinite inputs
    ("model_forward NaN", lambda: ni.model_forward(nan_X(), P), ValueError,
     r"X must be finite, got 1 NaN"),
    ("cost inf", lambda: ni.compute_cost(np.array([[np.inf, 0.5]]), np.ones((1, 2))),
     ValueError, "AL must be finite"),
    ("fit NaN", lambda: NET.fit(nan_X(), Y), ValueError, "X must be finite"),
    ("update NaN grads", lambda: ni.update_parameters(P, {**GRADS, "dW1": GRADS["dW1"] * np.nan},
                                                      0.1), ValueError,
     r"grads\['dW1'\] must be finite"),
    ("keras NaN", lambda: ki.gradients(MODEL, nan_X().T, Y.T), ValueError, "X must be finite"),
    ("standardizer NaN", lambda: ni.Standardizer.fit(nan_X()), ValueError, "X must be finite"),
    # empty batches
    ("model_forward empty", lambda: ni.model_forward(np.zeros((3, 0)), P), ValueError,
     r"at least one example"),
    ("cost empty", lambda: ni.compute_cost(np.zeros((1, 0)), np.zeros((1, 0))), ValueError,
     "at least one example"),
    ("mini-batches empty", lambda: ni.random_mini_batches(np.zeros((3, 0)), np.zeros((1, 0))),
     ValueError, "at least one example"),
    ("keras empty", lambda: ki.gradients(MODEL, np.zeros((0, 3)), np.zeros((0, 1))),
     ValueError, "at least one example"),
    # integer or object arrays where floats are needed
    ("int X", lambda: ni.model_forward(X.astype(int), P), TypeError,
     "X must have dtype float32 or float64, got int64"),
    ("object X", lambda: NET.predict(X.astype(object)), TypeError, "got object"),
    ("int params", lambda: ni.model_forward(X, {**P, "W1": P["W1"].astype(int)}), TypeError,
     r"params\['W1'\] must have dtype float32 or float64"),
    ("int dense", lambda: ni.my_dense_v(np.ones((2, 3), int), np.ones((3, 2)), np.ones(2),
                                        ni.relu), TypeError, "A_in must have dtype"),
    ("int gradient_check X", lambda: ni.gradient_check(P, X.astype(int), Y), TypeError,
     "X must have dtype"),
    ("keras int X", lambda: ki.gradients(MODEL, X.T.astype(int), Y.T), TypeError,
     "X must be float32 or float64, got dtype int64"),
    ("object Y", lambda: ni.compute_cost(AL, Y.astype(object)), TypeError,
     "Y must be a numeric array, got dtype object"),
    # keep_prob outside (0, 1]
    ("keep 0", lambda: ni.model_forward(X, P, keep_probs=0.0, rng=0), ValueError,
     r"keep_probs must be in \(0, 1\], got 0.0"),
    ("keep 1.5", lambda: ni.NeuralNetwork((3, 4, 1), keep_probs=[1.5]), ValueError,
     r"keep_probs\[0\] must be in \(0, 1\], got 1.5"),
    ("keras keep", lambda: ki.build_model((3, 4, 1), keep_probs=-0.2), ValueError,
     r"keep_probs\[0\] must be in \(0, 1\]"),
    ("dropout mask keep", lambda: ni.dropout_mask((2, 2), 2.0, rng), ValueError,
     r"keep_prob must be in \(0, 1\]"),
    ("arch keep", lambda: parity.Architecture((3, 4, 1), keep_probs=(0.0,)), ValueError,
     r"keep_probs\[0\] must be in \(0, 1\]"),
    # non-positive learning rate or batch size
    ("fit lr", lambda: NET.fit(X, Y, learning_rate=-1.0), ValueError,
     "learning_rate must be a finite number > 0, got -1.0"),
    ("fit batch", lambda: NET.fit(X, Y, batch_size=0), ValueError, "batch_size must be >= 1"),
    ("adam lr", lambda: ni.Adam().update(P, GRADS, ni.Adam().init_state(P), 0.0), ValueError,
     "learning_rate must be a finite number > 0, got 0.0"),
    ("keras lr", lambda: ki.make_optimizer("adam", 0.0), ValueError, "learning_rate must be > 0"),
    ("keras fit batch", lambda: ki.fit(MODEL, ki.make_optimizer("gd", 0.1), X.T, Y.T,
                                       batch_size=0), ValueError, "batch_size must be an int"),
    ("mini-batch size", lambda: ni.random_mini_batches(X, Y, -3), ValueError,
     "batch_size must be >= 1, got -3"),
    ("train epochs", lambda: NET.fit(X, Y, epochs=0), ValueError, "epochs must be >= 1, got 0"),
    # unknown activation or initialiser names
    ("hidden name", lambda: ni.model_forward(X, P, hidden_activation="swish"), ValueError,
     r"hidden_activation must be one of .* got 'swish'"),
    ("output name", lambda: ni.NeuralNetwork((3, 1), output_activation="relu"), ValueError,
     "output_activation must be one of"),
    ("init name", lambda: ni.initialize_parameters([3, 1], "kaiming"), ValueError,
     "method must be one of .* got 'kaiming'"),
    ("keras init", lambda: ki.build_model((3, 1), initializer="kaiming"), ValueError,
     "initializer must be one of"),
    ("keras hidden", lambda: ki.build_model((3, 2, 1), hidden_activation="swish"), ValueError,
     "hidden_activation must be one of"),
    ("arch init", lambda: parity.Architecture((3, 1), initializer="kaiming"), ValueError,
     "initializer must be one of"),
    ("optimizer name", lambda: ni.NeuralNetwork((3, 1), optimizer="lion"), ValueError,
     "optimizer must be one of"),
    # params dict with a missing, extra or mis-shaped key
    ("params missing", lambda: ni.model_forward(X, {k: v for k, v in P.items() if k != "b1"}),
     ValueError, r"missing \['b1'\], extra \[\]"),
    ("params extra", lambda: ni.model_forward(X, {**P, "W9": P["W1"]}), ValueError,
     r"extra \['W9'\]|missing"),
    ("params shape", lambda: ni.model_forward(X, {**P, "b2": np.zeros((2, 1))}), ValueError,
     r"params\['b2'\] has shape \(2, 1\); expected \(1, 1\)"),
    ("set_params", lambda: NET.set_params({**P, "W2": np.zeros((1, 3))}), ValueError,
     r"params\['W2'\] has shape \(1, 3\); expected \(1, 4\)"),
    ("grads missing", lambda: ni.update_parameters(P, {"dW1": GRADS["dW1"]}, 0.1), ValueError,
     "grads is missing 'db1'"),
    # weights from a different architecture handed to convert
    ("convert arch", lambda: parity.params_to_keras(P, parity.ZOO["image_4layer"]), ValueError,
     r"params have layer dims \(3, 4, 1\); expected \(64, 8, 8, 8, 1\)"),
    ("copy to keras", lambda: parity.copy_to_keras(P, ki.build_model((3, 5, 1))), ValueError,
     r"kernel for dense_1 has shape \(3, 4\); expected \(3, 5\)"),
    ("keras_to_params arch", lambda: parity.keras_to_params(parity.params_to_keras(P),
                                                            parity.ZOO["shallow_tanh"]),
     ValueError, r"weights have layer dims \(3, 4, 1\); expected \(2, 4, 1\)"),
    ("keras masks", lambda: ki.forward(ki.build_model((3, 4, 1), keep_probs=0.5), X.T,
                                       {1: np.ones((2, 2))}), ValueError,
     r"masks\[1\] has shape \(2, 2\); expected \(5, 4\)"),
    ("numpy masks", lambda: ni.model_forward(X, P, keep_probs=0.5, masks={1: np.ones((2, 2))}),
     ValueError, r"masks\[1\] has shape \(2, 2\); expected \(4, 5\)"),
]


@pytest.mark.parametrize("name,call,error,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name: str, call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_bad_input_does_not_touch_state() -> None:
    before = NET.get_params()
    with pytest.raises(ValueError):
        NET.fit(X, Y, learning_rate=-1.0)
    for k, v in before.items():
        np.testing.assert_array_equal(NET.params[k], v)
    assert NET.history == []
