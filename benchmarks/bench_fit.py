"""Training: NeuralNetwork.fit against Keras model.fit on the same data, epochs and batch
size (full batch, and mini-batches of 64); time per call of EPOCHS epochs. The numpy
benchmark also times both in alternating rounds (``benchmarks.common.paired``): the ratio the
summary reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from benchmarks.common import DIGIT_DIMS, digit_data, paired

M, EPOCHS = 1000, 5
NETS = {"digits_400_25_15_1": (DIGIT_DIMS, "sigmoid"), "tabular_30_8_1": ((30, 8, 1), "relu")}


def data(dims: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    X, Y = digit_data(M, "float32")
    return X[: dims[0]], Y


@pytest.mark.parametrize("batch", [None, 64], ids=["full", "b64"])
@pytest.mark.parametrize("net", sorted(NETS))
def bench_fit_numpy(benchmark, net: str, batch: int | None) -> None:
    dims, hidden = NETS[net]
    X, Y = data(dims)
    model = ni.NeuralNetwork(dims, hidden_activation=hidden, initializer="glorot", seed=0,
                             dtype="float32")
    benchmark.group = f"fit {net} batch={batch or 'full'} {EPOCHS} epochs"
    benchmark.extra_info.update(kind="fit", impl="numpy", net=net, batch=batch or M,
                                epochs=EPOCHS)
    if not benchmark.disabled:  # Keras' model.fit in alternating rounds: the summary's ratio
        keras_fit = keras_fitter(dims, hidden, X, Y, batch)
        benchmark.extra_info["paired"] = {"keras": paired(
            lambda: model.fit(X, Y, EPOCHS, batch, 0.1), keras_fit, rounds=15, round_time=0.2)}
    costs = benchmark.pedantic(model.fit, args=(X, Y, EPOCHS, batch, 0.1), rounds=5,
                               warmup_rounds=1)
    assert len(costs) == EPOCHS


def keras_fitter(dims: tuple[int, ...], hidden: str, X: np.ndarray, Y: np.ndarray,
                 batch: int | None) -> Callable[[], Any]:
    """A compiled Keras model of ``dims`` and a call of its ``model.fit`` on ``X``, ``Y``
    (course layout, transposed here) for EPOCHS epochs."""
    model = ki.build_model(dims, hidden_activation=hidden, output_activation="sigmoid",
                           initializer="glorot", dtype="float32", seed=0)
    model.compile(optimizer=ki.make_optimizer("gd", 0.1), loss="binary_crossentropy")
    Xk, Yk = X.T.copy(), Y.T.copy()
    return lambda: model.fit(Xk, Yk, epochs=EPOCHS, batch_size=batch or M, verbose=0)


@pytest.mark.parametrize("batch", [None, 64], ids=["full", "b64"])
@pytest.mark.parametrize("net", sorted(NETS))
def bench_fit_keras(benchmark, net: str, batch: int | None) -> None:
    dims, hidden = NETS[net]
    X, Y = data(dims)
    benchmark.group = f"fit {net} batch={batch or 'full'} {EPOCHS} epochs"
    benchmark.extra_info.update(kind="fit", impl="keras", net=net, batch=batch or M,
                                epochs=EPOCHS)
    history = benchmark.pedantic(keras_fitter(dims, hidden, X, Y, batch), rounds=5,
                                 warmup_rounds=1)
    assert len(history.history["loss"]) == EPOCHS
