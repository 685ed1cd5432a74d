"""Initialisers compared by their statistics, since the random streams differ."""

from __future__ import annotations

import numpy as np
import pytest

import keras_impl as ki
import numpy_impl as ni
from parity import assert_parity, compare_initializers


@pytest.mark.parametrize("method", ni.INITIALIZERS)
def test_statistics_match(method: str) -> None:
    assert_parity(compare_initializers(method, 400, 300, seed=2))


def test_keras_he_is_truncated_and_numpy_he_is_not() -> None:
    std = np.sqrt(2 / 400)
    bound = 2 * std / 0.87962566103423978  # Keras truncates at two of its own stddevs
    keras_w = np.asarray(ki.make_initializer("he", 0)((400, 300), dtype="float64"))
    numpy_w = ni.initialize_parameters([400, 300], "he", seed=0)["W1"]
    assert np.abs(keras_w).max() <= bound
    assert np.abs(numpy_w).max() > bound
    assert keras_w.var() == pytest.approx(std**2, rel=0.03)
    assert numpy_w.var() == pytest.approx(std**2, rel=0.03)


def test_statistics_detect_a_wrong_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ni.initialize_parameters
    monkeypatch.setattr(ni, "initialize_parameters",
                        lambda *a, **k: {n: v * 2 for n, v in original(*a, **k).items()})
    assert not compare_initializers("he", 400, 300).passed
