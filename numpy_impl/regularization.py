"""L2 weight decay and inverted dropout, in the course's conventions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl._checks import check_positive, check_positive_int, check_probability


def l2_cost(params: Mapping[str, np.ndarray], lambd: float, m: int) -> float:
    """lambd / (2m) * sum over layers of ||W{l}||_F^2 (biases are not penalised)."""
    lambd = check_positive(lambd, "lambd", allow_zero=True)
    m = check_positive_int(m, "m")
    if lambd == 0.0:
        return 0.0
    total = sum(float(np.vdot(W, W)) for key, W in params.items() if key.startswith("W"))
    return lambd / (2.0 * m) * total


def l2_gradient(W: np.ndarray, lambd: float, m: int) -> np.ndarray:
    """The L2 term's gradient for one weight matrix: (lambd / m) * W, same shape as W."""
    return (lambd / m) * W


def dropout_mask(shape: tuple[int, ...], keep_prob: float, rng: np.random.Generator,
                 dtype: np.dtype | str = "float64") -> np.ndarray:
    """A 0/1 mask of ``shape``: each entry is 1 with probability ``keep_prob``."""
    keep_prob = check_probability(keep_prob, "keep_prob")
    return (rng.random(shape) < keep_prob).astype(dtype)


def apply_dropout(A: np.ndarray, D: np.ndarray, keep_prob: float) -> np.ndarray:
    """Inverted dropout: A * D / keep_prob, a new array of A's shape."""
    return A * D / A.dtype.type(keep_prob)
