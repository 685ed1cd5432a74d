"""One layer's forward and backward, in the course layout.

``A_prev (n_{l-1}, m)``, ``W (n_l, n_{l-1})``, ``b (n_l, 1)``, ``Z, A (n_l, m)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from numpy_impl._validate import as_float_array
from numpy_impl.activations import get_activation

LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]


class LayerCache(NamedTuple):
    """What one layer keeps for its backward pass.

    ``D`` is the dropout mask applied to this layer's output (None when no dropout),
    ``keep_prob`` the probability it was drawn with.
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Z: np.ndarray
    D: np.ndarray | None = None
    keep_prob: float = 1.0

    @property
    def linear_cache(self) -> LinearCache:
        """The course's ``(A_prev, W, b)``."""
        return self.A_prev, self.W, self.b

    @property
    def activation_cache(self) -> np.ndarray:
        """The course's activation cache, ``Z``."""
        return self.Z


def _check_linear(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> None:
    A_prev = as_float_array(A_prev, "A_prev", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=2)
    if W.shape[1] != A_prev.shape[0]:
        raise ValueError(
            f"W has shape {W.shape} and A_prev has shape {A_prev.shape}; expected "
            f"W.shape[1] == A_prev.shape[0]"
        )
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b has shape {b.shape}; expected ({W.shape[0]}, 1)")


def linear_forward(A_prev: np.ndarray, W: np.ndarray,
                   b: np.ndarray) -> tuple[np.ndarray, LinearCache]:
    """Z = W A_prev + b; returns ``(Z (n_l, m), (A_prev, W, b))``."""
    _check_linear(A_prev, W, b)
    return W @ A_prev + b, (A_prev, W, b)


def linear_activation_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
                              activation: str) -> tuple[np.ndarray, LayerCache]:
    """A = g(W A_prev + b); returns ``(A (n_l, m), LayerCache)``."""
    g = get_activation(activation)
    Z, _ = linear_forward(A_prev, W, b)
    return g.forward(Z), LayerCache(A_prev, W, b, Z)


def linear_backward(dZ: np.ndarray, linear_cache: LinearCache, need_dA_prev: bool = True,
                    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """From ``dZ (n_l, m)`` (per example) return ``(dA_prev, dW, db)``.

    dW = (1/m) dZ A_prev^T, db = (1/m) sum_m dZ, dA_prev = W^T dZ (per example, no 1/m).
    ``need_dA_prev=False`` skips the last matmul (training never needs the input's
    gradient) and returns None in its place.
    """
    A_prev, W, _ = linear_cache
    m = A_prev.shape[1]
    dW = (A_prev @ dZ.T).T / m  # = dZ A_prev^T; BLAS is faster this way round for wide A_prev
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ if need_dA_prev else None
    return dA_prev, dW, db


def linear_activation_backward(dA: np.ndarray, cache: LayerCache,
                               activation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back through g then the linear part; returns ``(dA_prev, dW, db)``."""
    g = get_activation(activation)
    dZ = g.backward(dA, cache.Z)
    return linear_backward(dZ, cache.linear_cache)
