"""L2 weight decay and inverted dropout, in the course's conventions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl._validate import check_positive, check_positive_int, check_probability


def l2_cost(params: Mapping[str, np.ndarray], lambd: float, m: int) -> float:
    """lambd / (2m) * sum over layers of ||W{l}||_F^2 (biases are not penalised)."""
    return l2_penalty(params, check_positive(lambd, "lambd", allow_zero=True),
                      check_positive_int(m, "m"))


def l2_penalty(params: Mapping[str, np.ndarray], lambd: float, m: int) -> float:
    """``l2_cost`` on validated inputs (the training loop's core)."""
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


def dropout_masks(layer_dims: Sequence[int], keep_probs: Sequence[float], m: int,
                  rng: np.random.Generator, dtype: np.dtype | str = "float64",
                  ) -> dict[int, np.ndarray]:
    """Masks ``{l: D_l (n_l, m)}`` for the hidden layers whose keep probability is below 1,
    drawn in layer order (as a forward pass with dropout draws them)."""
    return {layer: dropout_mask((layer_dims[layer], m), keep, rng, dtype)
            for layer, keep in enumerate(keep_probs, start=1) if keep < 1.0}


def apply_dropout(A: np.ndarray, D: np.ndarray, keep_prob: float) -> np.ndarray:
    """Inverted dropout: A * D / keep_prob, a new array of A's shape."""
    return A * D / A.dtype.type(keep_prob)
