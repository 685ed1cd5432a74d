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

from numpy_impl._validate import as_float_array, check_positive, check_same_shape

LEAKY_RELU_SLOPE = 0.01


# Each activation has an unchecked core (``_name``), which the registry below holds and
# the training loop runs on inputs validated once, and a public function that checks its
# arguments first. The public functions follow the course's rule for elementwise
# functions: float32/float64 arrays are used as they are; bool and integer arrays (and
# lists, scalars) are read as a new float64 array; complex, object and string arrays,
# np.matrix and masked arrays are refused. A backward refuses ``dA`` and ``Z`` of
# different shapes (nothing is broadcast).


def _elementwise(Z: object, name: str = "Z") -> np.ndarray:
    return as_float_array(Z, name, accept_int=True)


def _check_backward(dA: object, Z: object) -> tuple[np.ndarray, np.ndarray]:
    dA = as_float_array(dA, "dA", accept_int=True)
    Z = as_float_array(Z, "Z", accept_int=True)
    check_same_shape(dA, "dA", Z, "Z")
    return dA, Z


def _check_axis(Z: np.ndarray, axis: object) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {type(axis).__name__}")
    if Z.ndim == 0 or not -Z.ndim <= axis < Z.ndim:
        raise ValueError(f"axis {axis} is out of range for Z of shape {Z.shape}; expected "
                         f"an axis of Z (classes on axis 0 in the course layout)")
    return int(axis)


# --- sigmoid -------------------------------------------------------------
def _sigmoid(Z: np.ndarray) -> np.ndarray:
    if Z.ndim == 0:
        return _sigmoid(Z.reshape(1))[0]
    e = np.abs(Z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    numerator = np.maximum(e, Z >= 0)
    e += 1
    np.divide(numerator, e, out=numerator)
    return numerator


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Logistic function of ``Z`` (any shape; a new array of that shape), no overflow for
    any finite input: with e = exp(-|z|) it is 1 / (1 + e) for z >= 0 and e / (1 + e)
    below (full relative precision both sides).

    The numerator max(e, [z >= 0]) is 1 or e without a branchy ``np.where``.
    """
    return _sigmoid(_elementwise(Z))


def _sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return _sigmoid_backward_from_output(dA, _sigmoid(Z))


def _sigmoid_backward_from_output(dA: np.ndarray, s: np.ndarray,
                                  out: np.ndarray | None = None) -> np.ndarray:
    """dZ from the layer's output ``s = sigmoid(Z)``, where the loop has it at hand
    (``out=dA``: written over dA, see ``overwriting``)."""
    dZ = np.multiply(dA, s, out=out)
    dZ *= 1.0 - s  # in place: (dA s)(1 - s), one temporary fewer
    return dZ


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * s(Z) * (1 - s(Z)); ``dA`` and ``Z`` of one shape, dZ of that shape."""
    return _sigmoid_backward(*_check_backward(dA, Z))


# --- relu ----------------------------------------------------------------
def _relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(Z, 0, out=out)


def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, Z), a new array of Z's shape."""
    return _relu(_elementwise(Z))


def _relu_backward(dA: np.ndarray, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.multiply(dA, Z > 0, out=out)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0 (the derivative at 0 is taken as 0, as in Keras);
    ``dA`` and ``Z`` of one shape."""
    return _relu_backward(*_check_backward(dA, Z))


# --- leaky relu ----------------------------------------------------------
def _leaky_relu(Z: np.ndarray, alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    return np.where(Z > 0, Z, alpha * Z).astype(np.asarray(Z).dtype, copy=False)


def leaky_relu(Z: np.ndarray, alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    """Z where Z > 0, else alpha * Z (alpha: the negative slope, a finite number >= 0,
    0.01 by default); a new array of Z's shape."""
    return _leaky_relu(_elementwise(Z), check_positive(alpha, "alpha", allow_zero=True))


def _leaky_relu_backward(dA: np.ndarray, Z: np.ndarray,
                         alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    return np.where(Z > 0, dA, alpha * dA).astype(dA.dtype, copy=False)


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray,
                        alpha: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    """dZ = dA where Z > 0, else alpha * dA; ``dA`` and ``Z`` of one shape."""
    dA, Z = _check_backward(dA, Z)
    return _leaky_relu_backward(dA, Z, check_positive(alpha, "alpha", allow_zero=True))


# --- tanh ----------------------------------------------------------------
def _tanh(Z: np.ndarray) -> np.ndarray:
    return np.tanh(Z)


def tanh(Z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, a new array of Z's shape."""
    return _tanh(_elementwise(Z))


def _tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return _tanh_backward_from_output(dA, np.tanh(Z))


def _tanh_backward_from_output(dA: np.ndarray, t: np.ndarray) -> np.ndarray:
    """dZ from the layer's output ``t = tanh(Z)``, where the loop has it at hand."""
    return dA * (1.0 - t * t)


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * (1 - tanh(Z)^2); ``dA`` and ``Z`` of one shape."""
    return _tanh_backward(*_check_backward(dA, Z))


# --- softmax -------------------------------------------------------------
def _softmax(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Numerically stable softmax over ``axis`` (classes on axis 0 in the course layout,
    ``Z (C, m)``); a new array of Z's shape."""
    Z = _elementwise(Z)
    return _softmax(Z, _check_axis(Z, axis))


def _softmax_backward(dA: np.ndarray, Z: np.ndarray, axis: int = 0) -> np.ndarray:
    A = _softmax(Z, axis=axis)
    return A * (dA - np.sum(dA * A, axis=axis, keepdims=True))


def softmax_backward(dA: np.ndarray, Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Jacobian-vector product: dZ = A * (dA - sum(dA * A over classes)); ``dA`` and ``Z``
    of one shape."""
    dA, Z = _check_backward(dA, Z)
    return _softmax_backward(dA, Z, _check_axis(Z, axis))


# --- linear --------------------------------------------------------------
def _linear(Z: np.ndarray) -> np.ndarray:
    return Z


def linear(Z: np.ndarray) -> np.ndarray:
    """Identity: a float array comes back unchanged (callers never mutate it)."""
    return _linear(_elementwise(Z))


def _linear_backward_activation(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return dA


def linear_backward_activation(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA; ``dA`` and ``Z`` of one shape."""
    return _linear_backward_activation(*_check_backward(dA, Z))


# --- registry ------------------------------------------------------------
class Activation(NamedTuple):
    """A forward ``g(Z)`` and its backward ``g_backward(dA, Z)``.

    The registry's functions are the unchecked cores the training loop runs on inputs
    validated once (by ``model_forward``, ``NeuralNetwork``); for checked calls use the
    public functions (``relu``, ``relu_backward``, ...), which compute the same values.
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray]


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _sigmoid_backward),
        Activation("relu", _relu, _relu_backward),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_backward),
        Activation("tanh", _tanh, _tanh_backward),
        Activation("softmax", _softmax, _softmax_backward),
        Activation("linear", _linear, _linear_backward_activation),
    )
}

# The backwards that are a function of the output A = g(Z) alone, keyed by the backward
# they equal bitwise (see ``backward_from_output``).
_FROM_OUTPUT: dict[Callable, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    _sigmoid_backward: _sigmoid_backward_from_output,
    _tanh_backward: _tanh_backward_from_output,
}


def backward_from_output(g: Activation) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """``g``'s backward as a function ``(dA, A)`` of its output ``A = g(Z)``, bitwise equal
    to ``g.backward(dA, Z)``, or None when there is none: the loop uses it where it holds
    ``A``, instead of recomputing ``g(Z)``. An activation whose ``backward`` was replaced
    (a planted bug) has none, so that the replacement is what runs."""
    return _FROM_OUTPUT.get(g.backward)


# The backwards that can write dZ over dA (``out=dA``), and the forwards that can write
# into a given array, with the bits of a new array.
_TAKE_OUT = (_relu_backward, _sigmoid_backward_from_output)
_FORWARD_OUT = (_relu,)


def forward_into(forward: Callable[[np.ndarray], np.ndarray],
                 ) -> Callable[[np.ndarray, np.ndarray | None], np.ndarray] | None:
    """``forward`` as a function ``(Z, out)`` that writes g(Z) into ``out`` (an array of Z's
    shape and dtype, or None for a new one), or None when it cannot (then no array is worth
    keeping for its output)."""
    return forward if forward in _FORWARD_OUT else None


def overwriting(backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
                ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``backward`` as a function ``(dA, X)`` that writes dZ over ``dA`` when it can (one
    array fewer per layer), else ``backward`` itself. Only for a ``dA`` nobody else holds:
    the training step's own, never a caller's."""
    if backward in _TAKE_OUT:
        return lambda dA, X: backward(dA, X, out=dA)
    return backward


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
