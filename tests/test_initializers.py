"""Initialisers: shapes, dtypes, determinism and statistics."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni


@pytest.mark.parametrize("method", ni.INITIALIZERS)
def test_shapes_and_zero_biases(method: str) -> None:
    p = ni.initialize_parameters([5, 4, 3, 1], method, seed=0, dtype="float32")
    assert sorted(p) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert p["W1"].shape == (4, 5) and p["W2"].shape == (3, 4) and p["W3"].shape == (1, 3)
    assert p["b2"].shape == (3, 1) and not p["b2"].any()
    assert all(v.dtype == np.float32 for v in p.values())


def test_seed_determinism() -> None:
    a = ni.initialize_parameters([6, 5, 1], "he", seed=7)
    b = ni.initialize_parameters([6, 5, 1], "he", seed=np.random.default_rng(7))
    c = ni.initialize_parameters([6, 5, 1], "he", seed=8)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], c["W1"])


@pytest.mark.parametrize("method,expected_std", [
    ("he", np.sqrt(2 / 200)), ("xavier", np.sqrt(1 / 200)), ("random", 0.01),
    ("glorot", np.sqrt(6 / (200 + 300)) / np.sqrt(3)),
])
def test_statistics(method: str, expected_std: float) -> None:
    W = ni.initialize_parameters([200, 300], method, seed=3)["W1"]
    assert abs(W.mean()) < 0.02 * expected_std * 10
    assert W.std() == pytest.approx(expected_std, rel=0.02)


def test_glorot_bound_and_zeros() -> None:
    W = ni.initialize_parameters([200, 300], "glorot", seed=3)["W1"]
    assert np.abs(W).max() <= np.sqrt(6 / 500)
    assert not ni.initialize_parameters([3, 2], "zeros")["W1"].any()


def test_errors() -> None:
    with pytest.raises(ValueError, match="method must be one of .* got 'kaiming'"):
        ni.initialize_parameters([3, 2], "kaiming")
    with pytest.raises(ValueError, match=r"layer_dims\[1\] must be >= 1, got 0"):
        ni.initialize_parameters([3, 0, 1])
    with pytest.raises(ValueError, match="at least 2 entries"):
        ni.initialize_parameters([3])
    with pytest.raises(TypeError, match="seed must be an int"):
        ni.initialize_parameters([3, 1], seed=1.5)
