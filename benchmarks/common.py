"""Shared set-up for the benchmarks: digit-shaped data and paired numpy/Keras steps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import numpy_impl as ni

DIGIT_DIMS = (400, 25, 15, 1)


def digit_data(m: int, dtype: str = "float32", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``X (400, m)`` in [0, 1) and binary ``Y (1, m)``, course layout."""
    rng = np.random.default_rng(seed)
    X = rng.random((400, m)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return X, Y


def numpy_step(dims: tuple[int, ...], X: np.ndarray, Y: np.ndarray, hidden: str = "sigmoid",
               learning_rate: float = 0.1) -> Callable[[], float]:
    """One numpy_impl training step (forward, backward, gradient-descent update) through the
    public ``NeuralNetwork.step``, input validation included."""
    net = ni.NeuralNetwork(dims, hidden_activation=hidden, output_activation="sigmoid",
                           initializer="glorot", seed=0, dtype=X.dtype.name)
    return lambda: net.step(X, Y, learning_rate)


def step_gemms(dims: tuple[int, ...]) -> list[tuple[int, int, bool]]:
    """Per layer ``(n_in, n_out, needs dA_prev)``: a training step does Z = W A and
    dW = dZ A^T in every layer, and dA_prev = W^T dZ in every layer but the first."""
    return [(a, b, i > 0) for i, (a, b) in enumerate(zip(dims[:-1], dims[1:], strict=True))]


def step_flops(dims: tuple[int, ...], m: int) -> float:
    """Floating-point operations of the matmuls of one training step (2 n_in n_out m each)."""
    return sum(2.0 * a * b * m * (3 if back else 2) for a, b, back in step_gemms(dims))


def lean_tf_step(dims: tuple[int, ...], X: np.ndarray, Y: np.ndarray,
                 learning_rate: float = 0.1, update: bool = True) -> Callable[..., Any]:
    """The lean TensorFlow yardstick: what a TensorFlow expert writes by hand for the
    ``dims`` sigmoid net. One ``tf.function`` holding a ``GradientTape`` over the dense
    layers (``x @ W + b``, sigmoid hidden layers, the output's cost from its logits), then
    an ``assign_sub`` update per variable (``update=False``: the gradients are returned,
    nothing is updated). Takes Keras-layout ``X (m, n_x)``, ``Y (m, 1)`` as tensors;
    weights Glorot-uniform in ``X``'s dtype. Returns the step, traced once already."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    dtype = X.dtype
    variables = []
    for n_in, n_out in zip(dims[:-1], dims[1:], strict=True):
        limit = np.sqrt(6.0 / (n_in + n_out))
        variables.append(tf.Variable(rng.uniform(-limit, limit, (n_in, n_out)).astype(dtype)))
        variables.append(tf.Variable(np.zeros(n_out, dtype)))
    lr = tf.constant(learning_rate, dtype=dtype)

    @tf.function
    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            a = x
            for i in range(0, len(variables) - 2, 2):
                a = tf.sigmoid(a @ variables[i] + variables[i + 1])
            z = a @ variables[-2] + variables[-1]
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))
        grads = tape.gradient(loss, variables)
        if not update:
            return loss, grads
        for v, g in zip(variables, grads, strict=True):
            v.assign_sub(lr * g)
        return loss

    x, y = tf.constant(X), tf.constant(Y)
    step(x, y)  # trace outside the timing
    return lambda: step(x, y)


def paired(subject: Callable[[], Any], yardstick: Callable[[], Any], rounds: int = 21,
           round_time: float = 0.05) -> dict[str, float]:
    """``time(subject) / time(yardstick)`` measured in alternating rounds (subject, yardstick,
    subject, ...): the median over rounds of each round's ratio, with its quartiles.

    On a shared machine the speed drifts by tens of percent over seconds; two medians timed
    one after the other inherit that drift, a ratio of neighbouring rounds does not. Each
    round calls its function n times, n calibrated so that a round lasts about
    ``round_time`` seconds (at least once). Returns ``{"ratio", "q1", "q3", "rounds"}``.
    """
    def calls(fn: Callable[[], Any]) -> int:
        fn()  # warm
        start = time.perf_counter()
        fn()
        return max(1, int(round_time / max(time.perf_counter() - start, 1e-9)))

    def timed(fn: Callable[[], Any], n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n

    n_a, n_b = calls(subject), calls(yardstick)
    ratios = [timed(subject, n_a) / timed(yardstick, n_b) for _ in range(rounds)]
    q1, median, q3 = np.percentile(ratios, [25, 50, 75])
    return {"ratio": float(median), "q1": float(q1), "q3": float(q3), "rounds": rounds}
