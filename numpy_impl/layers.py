"""One layer's forward and backward, in the course layout.

``A_prev (n_{l-1}, m)``, ``W (n_l, n_{l-1})``, ``b (n_l, 1)``, ``Z, A (n_l, m)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from numpy_impl._validate import as_float_array, check_same_shape
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


def _check_linear(A_prev: object, W: object,
                  b: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return A_prev, W, b


def linear_forward(A_prev: np.ndarray, W: np.ndarray,
                   b: np.ndarray) -> tuple[np.ndarray, LinearCache]:
    """Z = W A_prev + b; returns ``(Z (n_l, m), (A_prev, W, b))``."""
    A_prev, W, b = _check_linear(A_prev, W, b)
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

    ``linear_cache`` is ``(A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1))`` as
    ``linear_forward`` returns it, all of one float dtype (integer arrays are refused, as
    by ``linear_forward``). dW = (1/m) dZ A_prev^T, db = (1/m) sum_m dZ, dA_prev = W^T dZ
    (per example, no 1/m). ``need_dA_prev=False`` skips the last matmul (training never
    needs the input's gradient) and returns None in its place.
    """
    dZ, linear_cache = _check_linear_backward(dZ, linear_cache, need_dA_prev)
    return linear_gradients(dZ, linear_cache, need_dA_prev)


def _check_linear_backward(dZ: object, linear_cache: object, need_dA_prev: object,
                           dZ_name: str = "dZ") -> tuple[np.ndarray, LinearCache]:
    if not isinstance(linear_cache, (tuple, list)) or len(linear_cache) != 3:
        got = (f"a {type(linear_cache).__name__} of length {len(linear_cache)}"
               if isinstance(linear_cache, (tuple, list)) else type(linear_cache).__name__)
        raise TypeError(f"linear_cache must be the tuple (A_prev, W, b) from linear_forward, "
                        f"got {got}")
    A_prev, W, b = _check_linear(*linear_cache)
    dZ = as_float_array(dZ, dZ_name, ndim=2)
    expected = (W.shape[0], A_prev.shape[1])
    if dZ.shape != expected:
        raise ValueError(f"{dZ_name} has shape {dZ.shape}; expected {expected} = (W.shape[0], "
                         f"A_prev.shape[1]) from linear_cache")
    if A_prev.shape[1] == 0:
        raise ValueError(f"A_prev has shape {A_prev.shape}; expected at least one example "
                         "(m >= 1)")
    if not isinstance(need_dA_prev, (bool, np.bool_)):
        raise TypeError(f"need_dA_prev must be a bool, got {type(need_dA_prev).__name__}")
    return dZ, (A_prev, W, b)


def transposed_dW(W_shape: tuple[int, ...]) -> bool:
    """Whether ``linear_gradients`` computes dW of a layer with weights of ``W_shape``
    ``(n_l, n_prev)`` as the transposed product (an F-ordered dW): for a layer at most an
    eighth as wide as its input."""
    return 8 * W_shape[0] <= W_shape[1]


def linear_gradients(dZ: np.ndarray, linear_cache: LinearCache, need_dA_prev: bool = True,
                     dA_out: np.ndarray | None = None, dW_out: np.ndarray | None = None,
                     ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``linear_backward`` on validated inputs: the core the training loop runs
    (``dA_out``, ``dW_out``: C-ordered arrays of dA_prev's and dW's shape and dtype to
    write them into; ``dW_out`` is not used where ``transposed_dW``)."""
    A_prev, W, _ = linear_cache
    m = A_prev.shape[1]
    # dW = dZ A_prev^T: for a layer much narrower than its input BLAS is faster on the
    # transposed product (dW, small, is then an F-ordered view); otherwise dW is computed
    # C-ordered like W, as the update W - lr dW wants it (mixed layouts make that pass
    # strided: several times slower). (OpenBLAS rounds the two ways round alike in float32;
    # in float64 a few shapes differ in the last bit.)
    dW = (A_prev @ dZ.T).T if transposed_dW(W.shape) else np.matmul(dZ, A_prev.T, out=dW_out)
    dW /= m  # in place: no temporary
    db = np.add.reduce(dZ, axis=1, keepdims=True)  # = np.sum, without its Python wrapper
    db /= m
    if not need_dA_prev:
        dA_prev = None
    elif W.shape[0] == 1:  # one unit: W^T dZ is an outer product, the same products as a
        dA_prev = np.multiply(W.T, dZ, out=dA_out)  # broadcast, several times faster
    else:
        dA_prev = np.matmul(W.T, dZ, out=dA_out)
    return dA_prev, dW, db


def linear_activation_backward(dA: np.ndarray, cache: LayerCache,
                               activation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back through g then the linear part; returns ``(dA_prev, dW, db)``.

    ``dA (n_l, m)`` of the shape of ``cache.Z``; ``cache`` a ``LayerCache`` (or the
    course's ``((A_prev, W, b), Z)``).
    """
    g = get_activation(activation)
    linear_cache, Z = _split_cache(cache)
    Z, linear_cache = _check_linear_backward(Z, linear_cache, True, "the cache's Z")
    dA = as_float_array(dA, "dA", ndim=2)
    check_same_shape(dA, "dA", Z, "the cache's Z")
    dZ = g.backward(dA, Z)
    return linear_gradients(dZ, linear_cache)


def _split_cache(cache: object) -> tuple[LinearCache, np.ndarray]:
    if isinstance(cache, LayerCache):
        return cache.linear_cache, cache.Z
    if isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[0], tuple):
        return cache[0], cache[1]
    raise TypeError("cache must be a LayerCache from linear_activation_forward or the "
                    f"course's ((A_prev, W, b), Z), got {type(cache).__name__}")
