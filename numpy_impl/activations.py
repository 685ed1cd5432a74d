"""Activation functions, each forward written beside its backward.

Forward functions map ``Z`` (any shape) to ``A`` of the same shape and dtype.
Backward functions take the upstream gradient ``dA`` and the cached ``Z`` and
return ``dZ = dA * g'(Z)`` (``softmax`` returns the Jacobian-vector product over
the class axis 0, the course layout ``(C, m)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEAKY_RELU_SLOPE = 0.01


# --- sigmoid -------------------------------------------------------------
def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Logistic function, no overflow for any finite input: with e = exp(-|z|) it is
    1 / (1 + e) for z >= 0 and e / (1 + e) below (full relative precision both sides).

    The numerator max(e, [z >= 0]) is 1 or e without a branchy ``np.where``.
    """
    Z = np.asarray(Z)
    if Z.dtype.kind != "f":
        Z = Z.astype(np.float64)
    if Z.ndim == 0:
        return sigmoid(Z.reshape(1))[0]
    e = np.abs(Z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    numerator = np.maximum(e, Z >= 0)
    e += 1
    np.divide(numerator, e, out=numerator)
    return numerator


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * s(Z) * (1 - s(Z))."""
    s = sigmoid(Z)
    return dA * s * (1.0 - s)


# --- relu ----------------------------------------------------------------
def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, Z)."""
    return np.maximum(Z, 0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0 (the derivative at 0 is taken as 0, as in Keras)."""
    return dA * (Z > 0)


# --- leaky relu ----------------------------------------------------------
def leaky_relu(Z: np.ndarray, alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    """Z where Z > 0, else alpha * Z (alpha: the negative slope, 0.01 by default)."""
    return np.where(Z > 0, Z, alpha * Z).astype(np.asarray(Z).dtype, copy=False)


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray,
                        alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    """dZ = dA where Z > 0, else alpha * dA."""
    return np.where(Z > 0, dA, alpha * dA).astype(dA.dtype, copy=False)


# --- tanh ----------------------------------------------------------------
def tanh(Z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent."""
    return np.tanh(Z)


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * (1 - tanh(Z)^2)."""
    t = np.tanh(Z)
    return dA * (1.0 - t * t)


# --- softmax -------------------------------------------------------------
def softmax(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Numerically stable softmax over ``axis`` (classes on axis 0 in the course layout)."""
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_backward(dA: np.ndarray, Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Jacobian-vector product: dZ = A * (dA - sum(dA * A over classes))."""
    A = softmax(Z, axis=axis)
    return A * (dA - np.sum(dA * A, axis=axis, keepdims=True))


# --- linear --------------------------------------------------------------
def linear(Z: np.ndarray) -> np.ndarray:
    """Identity (returns the input unchanged; callers never mutate it)."""
    return Z


def linear_backward_activation(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA."""
    return dA


# --- registry ------------------------------------------------------------
class Activation(NamedTuple):
    """A forward ``g(Z)`` and its backward ``g_backward(dA, Z)``."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray]


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_backward),
        Activation("relu", relu, relu_backward),
        Activation("leaky_relu", leaky_relu, leaky_relu_backward),
        Activation("tanh", tanh, tanh_backward),
        Activation("softmax", softmax, softmax_backward),
        Activation("linear", linear, linear_backward_activation),
    )
}

HIDDEN_ACTIVATIONS = ("sigmoid", "relu", "leaky_relu", "tanh", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")


def get_activation(name: str, allowed: tuple[str, ...] | None = None,
                   argument: str = "activation") -> Activation:
    """Look an activation up by name; raise ValueError naming the choices."""
    choices = tuple(ACTIVATIONS) if allowed is None else allowed
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a str, one of {choices}, got {type(name).__name__}")
    if name not in choices:
        raise ValueError(f"{argument} must be one of {choices}, got {name!r}")
    return ACTIVATIONS[name]
