"""Shared fixtures for numpy_impl tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test (no global random state)."""
    return np.random.default_rng(1234)


def binary_data(rng: np.random.Generator, n_x: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Random ``X (n_x, m)`` and a linearly separable-ish ``Y (1, m)``."""
    X = rng.standard_normal((n_x, m))
    w = rng.standard_normal(n_x)
    Y = (w @ X + 0.3 * rng.standard_normal(m) > 0).astype(np.float64).reshape(1, m)
    return X, Y
