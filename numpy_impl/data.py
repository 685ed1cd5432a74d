"""Mini-batches and normalisation, in the course layout ``X (n_x, m)``, ``Y (n_y, m)``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numpy_impl._validate import as_float_array, check_finite, check_positive_int, refuse_matrix
from numpy_impl.rng import SeedLike, as_generator


def random_mini_batches(X: np.ndarray, Y: np.ndarray, batch_size: int = 64,
                        seed: SeedLike = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the columns of ``X (n_x, m)`` and ``Y (n_y, m)`` together, then cut them
    into batches of ``batch_size``; the last batch holds the remainder (ragged).

    Every example appears exactly once. ``seed``: an int or a Generator.
    """
    refuse_matrix(X, "X")
    refuse_matrix(Y, "Y")
    X = np.asarray(X)
    Y = np.asarray(Y)
    if X.ndim != 2 or Y.ndim != 2:
        raise ValueError(f"X and Y must be 2-D (features, m), got shapes {X.shape} and {Y.shape}")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples (shape {X.shape}) but Y has "
                         f"{Y.shape[1]} (shape {Y.shape}); expected the same m")
    batch_size = check_positive_int(batch_size, "batch_size")
    m = X.shape[1]
    if m == 0:
        raise ValueError(f"X has shape {X.shape}; expected at least one example (m >= 1)")
    return shuffled_batches(X, Y, batch_size, as_generator(seed))


def shuffled_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, rng: np.random.Generator,
                     X_rows: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """``random_mini_batches`` on validated inputs (the training loop's core): one
    permutation of the m columns drawn from ``rng``, then consecutive batches.

    ``X_rows``: ``X.T`` as a C-contiguous ``(m, n_x)`` array, for a caller that shuffles
    the same ``X`` every epoch: a gather of whole rows is several times faster than one of
    columns; the batches are then F-ordered views with the same values.
    """
    m = X.shape[1]
    order = rng.permutation(m)
    X_shuf = X[:, order] if X_rows is None else X_rows[order].T
    Y_shuf = Y[:, order]
    return [(X_shuf[:, k:k + batch_size], Y_shuf[:, k:k + batch_size])
            for k in range(0, m, batch_size)]


@dataclass(frozen=True)
class Standardizer:
    """Per-feature ``(x - mean) / std`` fitted on training data only.

    ``mean``, ``std``: ``(n_x, 1)``; features with zero spread get std 1 (left centred).
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        """Fit on ``X (n_x, m)``."""
        X = as_float_array(X, "X", ndim=2)
        check_finite(X, "X")
        if X.shape[1] == 0:
            raise ValueError(f"X has shape {X.shape}; expected at least one example")
        std = X.std(axis=1, keepdims=True)
        return cls(X.mean(axis=1, keepdims=True), np.where(std > 0, std, 1.0).astype(X.dtype))

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return a new standardised array of ``X``'s shape."""
        X = as_float_array(X, "X", ndim=2)
        if X.shape[0] != self.mean.shape[0]:
            raise ValueError(f"X has shape {X.shape}; expected ({self.mean.shape[0]}, m) "
                             "like the data the Standardizer was fitted on")
        return ((X - self.mean) / self.std).astype(X.dtype, copy=False)
