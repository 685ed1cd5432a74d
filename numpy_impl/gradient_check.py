"""Numerical gradient checking with centred differences, in float64.

difference = ||g - g~|| / (||g|| + ||g~||), g from ``model_backward``, g~ from
(J(theta + eps) - J(theta - eps)) / (2 eps) per parameter, eps = 1e-7.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from numpy_impl._validate import (
    as_float_array,
    as_label_array,
    check_params,
    check_positive,
    check_same_shape,
)
from numpy_impl.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, get_activation
from numpy_impl.costs import output_cost, resolve_loss
from numpy_impl.model import forward_pass, model_backward, model_forward
from numpy_impl.regularization import l2_penalty


def params_to_vector(params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, list]:
    """Flatten ``W1, b1, ..., WL, bL`` (in that order) into one vector ``(n_params,)``.

    Returns ``(theta, layout)``; ``layout`` lists ``(key, shape)`` for ``vector_to_params``.
    """
    dims = check_params(params)
    keys = [f"{p}{layer}" for layer in range(1, len(dims)) for p in ("W", "b")]
    layout = [(k, params[k].shape) for k in keys]
    return np.concatenate([np.ravel(params[k]) for k in keys]), layout


def vector_to_params(theta: np.ndarray, layout: list) -> dict[str, np.ndarray]:
    """Inverse of ``params_to_vector``: new arrays (copies) shaped as ``layout``."""
    theta = as_float_array(theta, "theta", ndim=1)
    _check_layout(layout)
    n = sum(math.prod(shape) for _, shape in layout)
    if theta.ndim != 1 or theta.size != n:
        raise ValueError(f"theta has shape {theta.shape}; expected ({n},) for layout")
    return {key: view.copy() for key, view in _views(theta, layout).items()}


def _views(theta: np.ndarray, layout: list) -> dict[str, np.ndarray]:
    """``theta (n_params,)`` cut into views shaped as a checked ``layout``."""
    out, start = {}, 0
    for key, shape in layout:
        size = math.prod(shape)
        out[key] = theta[start:start + size].reshape(shape)
        start += size
    return out


def _check_layout(layout: object) -> None:
    if not isinstance(layout, list) or not all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            and isinstance(item[1], tuple) for item in layout):
        raise TypeError("layout must be the list of (key, shape) from params_to_vector, got "
                        f"{type(layout).__name__}")


def grads_to_vector(grads: Mapping[str, np.ndarray], layout: list) -> np.ndarray:
    """Flatten ``dW1, db1, ...`` in the order of ``layout`` (``d{key}`` of each shape)."""
    _check_layout(layout)
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    for key, shape in layout:
        if f"d{key}" not in grads:
            raise ValueError(f"grads is missing 'd{key}'; expected d{{key}} for every key of "
                             "layout")
        if np.shape(grads[f"d{key}"]) != shape:
            raise ValueError(f"grads['d{key}'] has shape {np.shape(grads[f'd{key}'])}; "
                             f"expected {shape}")
    return np.concatenate([np.ravel(grads[f"d{k}"]) for k, _ in layout])


@dataclass(frozen=True)
class GradientCheckResult:
    """The overall relative difference, one per parameter (``{"W1": ..., "b1": ...}``),
    both gradient vectors, the cost at ``params`` and the epsilon used."""

    difference: float
    per_parameter: dict[str, float]
    grad: np.ndarray
    grad_approx: np.ndarray
    cost: float
    epsilon: float

    def roundoff_floor(self) -> float:
        """The size below which centred differences cannot resolve a gradient error:
        about 10 * machine epsilon * max(1, |J|) / epsilon (float64)."""
        return 10 * np.finfo(np.float64).eps * max(1.0, abs(self.cost)) / self.epsilon

    def worst(self) -> tuple[str, float]:
        """The parameter with the largest relative difference."""
        key = max(self.per_parameter, key=self.per_parameter.__getitem__)
        return key, self.per_parameter[key]


def relative_difference(g: np.ndarray, g_approx: np.ndarray) -> float:
    """||g - g~|| / (||g|| + ||g~||) of two arrays of one shape, 0 when both are zero."""
    g = as_float_array(g, "g", accept_int=True)
    g_approx = as_float_array(g_approx, "g_approx", accept_int=True)
    check_same_shape(g, "g", g_approx, "g_approx")
    denom = np.linalg.norm(g) + np.linalg.norm(g_approx)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - g_approx) / denom)


def gradient_check(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                   hidden_activation: str = "relu", output_activation: str = "sigmoid",
                   loss: str | None = None, lambd: float = 0.0,
                   epsilon: float = 1e-7) -> GradientCheckResult:
    """Compare ``model_backward`` with centred differences of the cost (L2 included).

    ``X (n_x, m)``, ``Y (n_y, m)``, params as from ``initialize_parameters``; everything
    is cast to float64 for the check. No dropout (a random cost has no gradient).
    """
    check_positive(epsilon, "epsilon")
    lambd = check_positive(lambd, "lambd", allow_zero=True)
    loss = resolve_loss(output_activation, loss)
    check_params(params)
    X = as_float_array(X, "X", ndim=2)
    p64 = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    X64 = X.astype(np.float64)
    Y64 = as_label_array(Y, "Y", X64)
    theta, layout = params_to_vector(p64)
    m = X64.shape[1]
    AL, caches = model_forward(X64, p64, hidden_activation, output_activation)
    grads = model_backward(AL, Y64, caches, hidden_activation, output_activation, loss, lambd)
    g = grads_to_vector(grads, layout)
    # everything is validated now: each cost below is the forward loop on its own, on
    # parameters that are views of one vector, nudged one entry at a time in place
    hidden = get_activation(hidden_activation, HIDDEN_ACTIVATIONS, "hidden_activation")
    output = get_activation(output_activation, OUTPUT_ACTIVATIONS, "output_activation")
    no_dropout = (1.0,) * (len(layout) // 2 - 1)

    def cost(p: Mapping[str, np.ndarray]) -> float:
        AL, caches = forward_pass(X64, p, hidden, output, no_dropout, {}, None)
        return output_cost(AL, caches[-1].Z, Y64, loss) + l2_penalty(p, lambd, m)

    nudged = theta.copy()
    views = _views(nudged, layout)
    g_approx = np.empty_like(theta)
    for i in range(theta.size):
        nudged[i] = theta[i] + epsilon
        plus = cost(views)
        nudged[i] = theta[i] - epsilon
        minus = cost(views)
        nudged[i] = theta[i]
        g_approx[i] = (plus - minus) / (2 * epsilon)
    exact, approx = _views(g, layout), _views(g_approx, layout)
    per = {key: relative_difference(exact[key], approx[key]) for key, _ in layout}
    return GradientCheckResult(relative_difference(g, g_approx), per, g, g_approx,
                               cost(p64), epsilon)
