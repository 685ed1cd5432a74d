"""Weights between numpy_impl and Keras files, bitwise; determinism on both sides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
import parity


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_numpy_params_to_keras_weights_file(tmp_path: Path, dtype: str) -> None:
    net = ni.NeuralNetwork((6, 5, 3, 1), "tanh", keep_probs=0.8, seed=4, dtype=dtype)
    net.fit(np.random.default_rng(0).standard_normal((6, 20)).astype(dtype),
            (np.arange(20) % 2).reshape(1, 20), epochs=2, batch_size=8)
    path = parity.save_keras_weights(net, tmp_path / "net.weights.h5")
    model = ki.build_model((6, 5, 3, 1), "tanh", keep_probs=0.8, dtype=dtype)
    model.load_weights(path)  # plain Keras reads it
    weights = ki.get_weights(model)
    for layer in range(1, 4):
        np.testing.assert_array_equal(weights[2 * layer - 2], net.params[f"W{layer}"].T)
        np.testing.assert_array_equal(weights[2 * layer - 1], net.params[f"b{layer}"].ravel())
    assert [p.name for p in tmp_path.iterdir()] == ["net.weights.h5"]  # no temporary left


def test_keras_weights_into_a_network(tmp_path: Path) -> None:
    arch = parity.ZOO["image_4layer"]
    model = parity.build_keras(arch, seed=7)  # Keras' own He initialisation
    model.save_weights(tmp_path / "k.weights.h5")
    params = parity.load_keras_weights(tmp_path / "k.weights.h5", arch)
    net = parity.network_from_keras(model, arch)
    for (kernel, bias), layer in zip(zip(*[iter(ki.get_weights(model))] * 2, strict=True),
                                     range(1, 5), strict=True):
        np.testing.assert_array_equal(params[f"W{layer}"], kernel.T)
        np.testing.assert_array_equal(net.params[f"W{layer}"], kernel.T)
        np.testing.assert_array_equal(net.params[f"b{layer}"], bias.reshape(-1, 1))
    X = np.random.default_rng(1).standard_normal((64, 10))
    np.testing.assert_allclose(net.predict_proba(X), ki.forward(model, X.T)[-1].numpy().T,
                               rtol=1e-12)


def test_weights_file_errors(tmp_path: Path) -> None:
    arch = parity.ZOO["shallow_relu"]
    params = parity.initial_params(arch)
    with pytest.raises(ValueError, match="must end with '.weights.h5'"):
        parity.save_keras_weights(params, tmp_path / "w.h5", arch)
    path = parity.save_keras_weights(params, tmp_path / "w.weights.h5", arch)
    with pytest.raises(ValueError, match="is not a weights file of image_4layer"):
        parity.load_keras_weights(path, parity.ZOO["image_4layer"])
    (tmp_path / "junk.weights.h5").write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="cannot load"):
        parity.load_keras_weights(tmp_path / "junk.weights.h5", arch)
    with pytest.raises(ValueError, match="does not exist"):
        parity.load_keras_weights(tmp_path / "none.weights.h5", arch)


def _user_file(tmp_path: Path, layers: list, dtype: str = "float32") -> Path:
    """A weights file of a user's Keras model: 4 inputs, then ``layers``."""
    import keras

    model = keras.Sequential([keras.Input((4,), dtype=dtype), *layers])
    path = tmp_path / "user.weights.h5"
    model.save_weights(path)
    return path


@pytest.mark.parametrize("case,expected", [
    ("deeper", r"has layers/dense_2/vars/0 \(1, 1\) float32, which the architecture has not"),
    ("batchnorm", r"has layers/batch_normalization/vars/0 \(5,\) float32"),
    ("shallower", r"lacks layers/dense_1/vars/0 \(5, 1\) float32"),
    ("float64", r"layers/dense/vars/0 is \(4, 5\) float64, expected \(4, 5\) float32"),
])
def test_weights_of_another_model_are_refused(tmp_path: Path, case: str, expected: str) -> None:
    """Keras itself would load the leading layers of a deeper file, skip a
    BatchNormalization's arrays and round float64 to float32: each is refused instead."""
    import keras

    dense = keras.layers.Dense
    layers = {"deeper": [dense(5, "relu"), dense(1, "relu"), dense(1, "sigmoid")],
              "batchnorm": [dense(5), keras.layers.BatchNormalization(), keras.layers.ReLU(),
                            dense(1, "sigmoid")],
              "shallower": [dense(5, "sigmoid")],
              "float64": [dense(5, "relu", dtype="float64"), dense(1, "sigmoid", dtype="float64")],
              }[case]
    path = _user_file(tmp_path, layers)
    arch = parity.Architecture(layer_dims=(4, 5, 1), dtype="float32")
    with pytest.raises(ValueError, match=expected):
        parity.load_keras_weights(path, arch)


def test_lockstep_keras_training_is_repeatable() -> None:
    """No Keras randomness is involved (weights copied, masks injected): two runs match
    bitwise, as the numpy side does."""
    arch = parity.ZOO["regularized_dropout"]
    X, Y = parity.make_data(arch, 40, 2)
    runs = [parity.train_side_by_side(arch, X, Y, optimizer="adam", learning_rate=0.01,
                                      epochs=3, batch_size=16, seed=3) for _ in range(2)]
    for backend in ("numpy", "keras"):
        assert runs[0].runs[backend].costs == runs[1].runs[backend].costs


DETERMINISM = """
import numpy as np, keras, tensorflow as tf
import keras_impl as ki
keras.utils.set_random_seed(1)
tf.config.experimental.enable_op_determinism()
def run():
    keras.utils.set_random_seed(1)
    model = ki.build_model((8, 16, 1), keep_probs=0.7, dropout="keras", seed=5)
    X = np.random.default_rng(0).standard_normal((64, 8)).astype("float32")
    Y = (X[:, :1] > 0).astype("float32")
    ki.fit(model, ki.make_optimizer("adam", 0.01), X, Y, epochs=3, batch_size=16,
           method="keras")
    return ki.get_weights(model)
a, b = run(), run()
assert all(np.array_equal(x, y) for x, y in zip(a, b)), "not repeatable"
print("repeatable")
"""


def start_determinism_check() -> subprocess.Popen[str]:
    """The DETERMINISM script in a fresh process, started when collection ends (it
    imports TensorFlow, which takes seconds: it runs beside the rest of the suite)."""
    return subprocess.Popen([sys.executable, "-c", DETERMINISM], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.early.with_args(start_determinism_check)
def test_keras_is_deterministic_with_op_determinism_on(early: subprocess.Popen[str]) -> None:
    """Documented guarantee: with keras.utils.set_random_seed and TF op determinism on,
    model.fit with Keras' own Dropout repeats bitwise (run in a fresh process, since op
    determinism is global state)."""
    stdout, stderr = early.communicate(timeout=300)
    assert early.returncode == 0, stderr[-2000:]
    assert "repeatable" in stdout
