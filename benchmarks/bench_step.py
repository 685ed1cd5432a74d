"""One training step (forward, backward, gradient-descent update) of the 400-25-15-1
sigmoid net at m = 1000: numpy_impl against Keras eager (GradientTape), Keras compiled
(tf.function) and the lean hand-written TensorFlow step (the yardstick), in float32 and
float64; and the gradients alone: the public ``model_forward`` + ``model_backward``
against the lean step's gradient-only variant (same tape, no update). The numpy benchmarks
also time their function in alternating rounds with the lean step (see
``benchmarks.common.paired``); the summary reports that ratio."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from benchmarks.common import DIGIT_DIMS, digit_data, lean_tf_step, numpy_step, paired

M = 1000


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_step_numpy(benchmark, dtype: str) -> None:
    """Timed alone, and in alternating rounds with the lean step (``paired``: the ratio
    the summary reports)."""
    X, Y = digit_data(M, dtype)
    step = numpy_step(DIGIT_DIMS, X, Y)
    benchmark.group = f"step 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="step", impl="numpy", dtype=dtype)
    if not benchmark.disabled:
        lean = lean_tf_step(DIGIT_DIMS, np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T))
        benchmark.extra_info["paired"] = {"lean tf": paired(step, lean)}
    assert np.isfinite(benchmark(step))


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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_step_lean_tf(benchmark, dtype: str) -> None:
    X, Y = digit_data(M, dtype)
    step = lean_tf_step(DIGIT_DIMS, np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T))
    benchmark.group = f"step 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="step", impl="lean tf", dtype=dtype)
    assert np.isfinite(float(benchmark(step)))


@pytest.mark.parametrize("input_gradient", [False, True], ids=["params", "dA0"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_grads_numpy(benchmark, dtype: str, input_gradient: bool) -> None:
    """The public functional path, validation included: ``model_forward`` then
    ``model_backward`` (parameter gradients only, or with the input gradient dA0)."""
    X, Y = digit_data(M, dtype)
    net = ni.NeuralNetwork(DIGIT_DIMS, hidden_activation="sigmoid", initializer="glorot",
                           seed=0, dtype=dtype)
    params = net.get_params()

    def grads() -> dict[str, np.ndarray]:
        AL, caches = ni.model_forward(X, params, "sigmoid", "sigmoid")
        return ni.model_backward(AL, Y, caches, "sigmoid", "sigmoid",
                                 input_gradient=input_gradient)

    benchmark.group = f"gradients 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="grads", impl="numpy dA0" if input_gradient else "numpy",
                                dtype=dtype)
    if not benchmark.disabled:
        lean = lean_tf_step(DIGIT_DIMS, np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T),
                            update=False)
        benchmark.extra_info["paired"] = {"lean tf": paired(grads, lean)}
    assert ("dA0" in benchmark(grads)) == input_gradient


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def bench_grads_lean_tf(benchmark, dtype: str) -> None:
    X, Y = digit_data(M, dtype)
    step = lean_tf_step(DIGIT_DIMS, np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T),
                        update=False)
    benchmark.group = f"gradients 400-25-15-1 m={M} {dtype}"
    benchmark.extra_info.update(kind="grads", impl="lean tf", dtype=dtype)
    loss, grads = benchmark(step)
    assert np.isfinite(float(loss)) and len(grads) == 2 * (len(DIGIT_DIMS) - 1)
