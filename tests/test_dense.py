"""The sample project's dense layer: the loop and the vectorised version give the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpy_impl as ni


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 6), n_in=st.integers(1, 12), units=st.integers(1, 9),
       seed=st.integers(0, 2**31), act=st.sampled_from(["sigmoid", "relu", "tanh", "linear"]))
def test_my_dense_equals_my_dense_v(m: int, n_in: int, units: int, seed: int,
                                    act: str) -> None:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, n_in))
    W = rng.standard_normal((n_in, units))
    b = rng.standard_normal(units)
    g = ni.get_activation(act).forward
    loop = np.stack([ni.my_dense(a, W, b, g) for a in A])
    vec = ni.my_dense_v(A, W, b, g)
    np.testing.assert_allclose(loop, vec, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(vec, ni.my_dense_v(A, W, b.reshape(1, units), g))


def test_my_dense_by_hand() -> None:
    a = np.array([1.0, 2.0])
    W = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 0.5]])
    b = np.array([0.0, -3.0, 1.0])
    np.testing.assert_array_equal(ni.my_dense(a, W, b, ni.linear), [1.0, 0.0, 2.5])


def test_my_sequential_digit_shape(rng: np.random.Generator) -> None:
    sizes = [400, 25, 15, 1]
    layers = [(rng.standard_normal((i, o)) * 0.05, rng.standard_normal(o) * 0.05)
              for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    X = rng.random((5, 400))
    out = ni.my_sequential(X, layers)
    assert out.shape == (5, 1)
    np.testing.assert_allclose(ni.my_sequential(X, layers, vectorized=False), out, rtol=1e-12)
    hand = X
    for W, b in layers:
        hand = 1 / (1 + np.exp(-(hand @ W + b)))
    np.testing.assert_allclose(out, hand, rtol=1e-12)


def test_dense_shape_errors() -> None:
    W = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"W has shape \(3, 2\).*4 features"):
        ni.my_dense_v(np.zeros((5, 4)), W, np.zeros(2), ni.relu)
    with pytest.raises(ValueError, match=r"b has shape \(3,\); expected \(2,\) or \(1, 2\)"):
        ni.my_dense(np.zeros(3), W, np.zeros(3), ni.relu)
    with pytest.raises(TypeError, match="dtype float32 or float64, got int64"):
        ni.my_dense_v(np.zeros((5, 3), dtype=np.int64), W, np.zeros(2), ni.relu)
