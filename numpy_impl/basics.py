"""The course's NumPy warm-up functions (Python Basics with NumPy)."""

from __future__ import annotations

import numpy as np

from numpy_impl._validate import as_float_array
from numpy_impl.activations import sigmoid


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """s'(x) = s(x) * (1 - s(x)), elementwise, same shape as ``x``."""
    s = sigmoid(as_float_array(x, "x"))
    return s * (1.0 - s)


def image2vector(image: np.ndarray) -> np.ndarray:
    """Flatten an image ``(height, width, channels)`` into a column ``(h*w*c, 1)``."""
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D (height, width, channels), got shape {image.shape}")
    return image.reshape(-1, 1)


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Divide each row of ``x (n, d)`` by its L2 norm (zero rows stay zero); a new array."""
    x = as_float_array(x, "x", ndim=2)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def _check_pair(yhat: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    yhat = as_float_array(yhat, "yhat")
    y = as_float_array(y, "y")
    if yhat.shape != y.shape:
        raise ValueError(f"yhat has shape {yhat.shape} but y has shape {y.shape}; expected equal")
    return yhat, y


def l1_loss(yhat: np.ndarray, y: np.ndarray) -> float:
    """sum |y - yhat| over all elements."""
    yhat, y = _check_pair(yhat, y)
    return float(np.sum(np.abs(y - yhat)))


def l2_loss(yhat: np.ndarray, y: np.ndarray) -> float:
    """sum (y - yhat)^2 over all elements."""
    yhat, y = _check_pair(yhat, y)
    d = y - yhat
    return float(np.dot(d.ravel(), d.ravel()))
