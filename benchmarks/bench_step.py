"""One training step (forward, backward, gradient-descent update) of the 400-25-15-1
sigmoid net at m = 1000: numpy_impl against Keras eager (GradientTape) and Keras compiled
(tf.function), in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
from benchmarks.common import DIGIT_DIMS, digit_data, numpy_step

M = 1000


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_step_numpy(benchmark, dtype: str) -> None:
    X, Y = digit_data(M, dtype)
    benchmark.group = f"step 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="step", impl="numpy", dtype=dtype)
    cost = benchmark(numpy_step(DIGIT_DIMS, X, Y))
    assert np.isfinite(cost)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "tf.function"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_step_keras(benchmark, dtype: str, compiled: bool) -> None:
    X, Y = digit_data(M, dtype)
    model = ki.build_model(DIGIT_DIMS, hidden_activation="sigmoid", output_activation="sigmoid",
                           initializer="glorot", dtype=dtype, seed=0)
    step = ki.make_train_step(model, ki.make_optimizer("gd", 0.1), compiled=compiled)
    Xk, Yk = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)
    step(Xk, Yk)  # build the optimizer (and trace) outside the timing
    benchmark.group = f"step 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="step", impl="tf.function" if compiled else "eager",
                                dtype=dtype)
    cost = benchmark(step, Xk, Yk)
    assert np.isfinite(float(cost))
