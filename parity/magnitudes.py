"""How large the terms are that each gradient element sums: the scale of its rounding error.

A computed sum carries an error proportional to the sum of the magnitudes of its terms,
not to its value (Higham, ch. 3): a ``db`` that is the small difference of large
``dZ`` terms (a deep, narrow relu net) carries the error of those terms. The backward pass
run on magnitudes (every factor replaced by its absolute value) bounds, element by
element, the sum of the magnitudes of the terms of each gradient: the scale that the
gradient tolerance is relative to (``parity.tolerances``, the norm-wise bound).

``X (n_x, m)``, caches from ``numpy_impl.model_forward``; the returned arrays have the
gradients' shapes: ``dW{l} (n_l, n_{l-1})``, ``db{l} (n_l, 1)``, ``dA0 (n_x, m)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import numpy_impl as ni


def gradient_magnitudes(AL: np.ndarray, Y: np.ndarray, caches: Sequence[ni.LayerCache],
                        hidden_activation: str, output_activation: str, loss: str,
                        lambd: float = 0.0) -> dict[str, np.ndarray]:
    """``{"dW1": ..., "db1": ..., "dA0": ...}``: for each element of each gradient of
    ``model_backward`` (same arguments), a bound on the sum of the magnitudes of the terms
    it is computed from (float64)."""
    m = AL.shape[1]
    last = caches[-1]
    if output_activation == "linear" and loss != "mse":  # the network outputs logits
        AL = ni.sigmoid(last.Z) if loss == "bce" else ni.softmax(last.Z)
    A, Y = np.abs(np.asarray(AL, np.float64)), np.abs(np.asarray(Y, np.float64))
    M = A + Y  # dZ = AL - Y
    if loss == "mse":
        M = (2.0 / AL.shape[0]) * M * _slope(output_activation, last.Z)
    out: dict[str, np.ndarray] = {}
    for layer in range(len(caches), 0, -1):
        cache = caches[layer - 1]
        W, A_prev = np.abs(cache.W.astype(np.float64)), np.abs(cache.A_prev.astype(np.float64))
        out[f"dW{layer}"] = M @ A_prev.T / m + (lambd / m) * W
        out[f"db{layer}"] = M.sum(axis=1, keepdims=True) / m
        M = W.T @ M  # dA_{layer-1}
        if layer == 1:
            out["dA0"] = M
            break
        below = caches[layer - 2]
        if below.D is not None:
            M = M * np.abs(below.D) / below.keep_prob
        M = M * _slope(hidden_activation, below.Z)
    return out


def _slope(activation: str, Z: np.ndarray) -> np.ndarray:
    """|g'(Z)| as numpy_impl computes it (its backward applied to ones); 1 for softmax,
    whose Jacobian's entries are at most 1 in size."""
    Z = np.asarray(Z, np.float64)
    if activation == "softmax":
        return np.ones_like(Z)
    return np.abs(ni.get_activation(activation).backward(np.ones_like(Z), Z))

