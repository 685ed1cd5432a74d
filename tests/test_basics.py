"""The course's NumPy basics, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni


def test_sigmoid_derivative() -> None:
    x = np.array([0.0, 1.0])
    s1 = 1 / (1 + np.exp(-1.0))
    np.testing.assert_allclose(ni.sigmoid_derivative(x), [0.25, s1 * (1 - s1)], rtol=1e-15)


def test_image2vector() -> None:
    image = np.arange(12.0).reshape(2, 3, 2)
    v = ni.image2vector(image)
    assert v.shape == (12, 1)
    np.testing.assert_array_equal(v.ravel(), np.arange(12.0))
    with pytest.raises(ValueError, match=r"\(2, 6\)"):
        ni.image2vector(np.zeros((2, 6)))


def test_normalize_rows() -> None:
    x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0], [0.0, 0.0, 0.0]])
    out = ni.normalize_rows(x)
    np.testing.assert_allclose(out[0], [0.0, 0.6, 0.8], rtol=1e-15)
    np.testing.assert_allclose(out[1], np.array([1.0, 6.0, 4.0]) / np.sqrt(53.0), rtol=1e-15)
    np.testing.assert_array_equal(out[2], 0.0)
    assert x[0, 1] == 3.0  # input untouched


def test_l1_and_l2_loss() -> None:
    yhat = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    assert ni.l1_loss(yhat, y) == pytest.approx(1.1, rel=1e-12)
    assert ni.l2_loss(yhat, y) == pytest.approx(0.43, rel=1e-12)
    with pytest.raises(ValueError, match=r"\(5,\).*\(4,\)"):
        ni.l1_loss(yhat, y[:4])
