"""Shared set-up for the benchmarks: digit-shaped data and paired numpy/Keras steps."""

from __future__ import annotations

from collections.abc import Callable

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
