"""Mini-batches partition the data exactly; normalisation is fitted on training data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpy_impl as ni


@settings(max_examples=50, deadline=None)
@given(m=st.integers(1, 200), batch_size=st.integers(1, 80), seed=st.integers(0, 1000))
def test_mini_batches_partition_exactly(m: int, batch_size: int, seed: int) -> None:
    X = np.arange(3 * m, dtype=float).reshape(3, m)
    Y = np.arange(m, dtype=float).reshape(1, m)
    batches = ni.random_mini_batches(X, Y, batch_size, seed)
    assert len(batches) == -(-m // batch_size)
    sizes = [b[0].shape[1] for b in batches]
    assert all(s == batch_size for s in sizes[:-1]) and 1 <= sizes[-1] <= batch_size
    assert sizes[-1] == (m % batch_size or batch_size)
    ids = np.concatenate([b[1].ravel() for b in batches])
    assert sorted(ids.tolist()) == list(range(m))
    for Xb, Yb in batches:  # columns stay paired
        np.testing.assert_array_equal(Xb[2] - 2 * m, Yb[0])


def test_mini_batches_are_shuffled_and_seeded() -> None:
    X = np.arange(100.0).reshape(1, 100)
    a = ni.random_mini_batches(X, X, 10, seed=3)
    b = ni.random_mini_batches(X, X, 10, seed=3)
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(np.concatenate([x[0] for x in a], axis=1), X)


def test_mini_batches_errors() -> None:
    with pytest.raises(ValueError, match=r"X has 5 examples \(shape \(2, 5\)\) but Y has 4"):
        ni.random_mini_batches(np.zeros((2, 5)), np.zeros((1, 4)), 2)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        ni.random_mini_batches(np.zeros((2, 5)), np.zeros((1, 5)), 0)


def test_standardizer(rng: np.random.Generator) -> None:
    X = rng.normal(5.0, 3.0, (4, 100))
    X[3] = 7.0  # a constant feature
    s = ni.Standardizer.fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:3].mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:3].std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(Z[3], 0.0)
    with pytest.raises(ValueError, match=r"X has shape \(3, 2\); expected \(4, m\)"):
        s.transform(np.zeros((3, 2)))


def test_mini_batches_default_seed_is_zero() -> None:
    X = np.arange(30.0).reshape(1, 30)
    default = ni.random_mini_batches(X, X, 7)
    seeded = ni.random_mini_batches(X, X, 7, seed=0)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(default, seeded, strict=True))


def test_standardizer_scales_small_spreads_too(rng: np.random.Generator) -> None:
    X = rng.normal(0.0, 0.2, (2, 500))
    Z = ni.Standardizer.fit(X).transform(X)
    np.testing.assert_allclose(Z.std(axis=1), 1.0, rtol=1e-12)


def test_mini_batches_default_size_is_64() -> None:
    X = np.arange(100.0).reshape(1, 100)
    assert [b[0].shape[1] for b in ni.random_mini_batches(X, X)] == [64, 36]


def test_standardizer_leaves_constant_features_centred_unscaled() -> None:
    X = np.vstack([np.linspace(0, 1, 10), np.full(10, 3.0)])
    s = ni.Standardizer.fit(X)
    new = s.transform(np.array([[0.5], [5.0]]))
    assert new[1, 0] == 2.0  # (5 - 3) / 1: std 1 for a feature without spread
