"""The error raised when training stops producing finite numbers, and its helpers."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


class DivergenceError(FloatingPointError):
    """Training produced a non-finite cost or parameter.

    ``epoch`` and ``step`` are 1-based (``step`` counts updates from the start of the
    call, ``None`` when unknown; ``NeuralNetwork.step`` gives the network's update number,
    ``opt_state["t"] + 1``, and no epoch); ``quantity`` names what went non-finite (e.g.
    ``"cost"``, ``"W2"``, ``"keras cost"``); ``value`` is the offending value.
    """

    def __init__(self, quantity: str, value: float, epoch: int | None = None,
                 step: int | None = None, hint: str = "try a smaller learning rate or "
                 "lambd") -> None:
        self.quantity, self.value, self.epoch, self.step = quantity, value, epoch, step
        where = ", ".join(f"{name} {n}" for name, n in (("epoch", epoch), ("step", step))
                          if n is not None)
        super().__init__(f"training diverged{' at ' + where if where else ''}: "
                         f"{quantity} is {value} ({hint})")


class DivergenceWarning(UserWarning):
    """The cost stayed finite but grew by orders of magnitude over a ``fit`` call."""


def first_non_finite(arrays: Mapping[str, np.ndarray]) -> tuple[str, float] | None:
    """``(name, value)`` of the first NaN or infinite element of the first array of
    ``arrays`` that holds one, or None when all are finite.

    One summation per array: a finite sum proves every element finite (NaN and infinity
    propagate); only a non-finite sum, e.g. an overflow of finite values, is looked at
    element by element. Call it under ``np.errstate(over="ignore", invalid="ignore")``.
    """
    for name, array in arrays.items():
        if not math.isfinite(np.add.reduce(array, axis=None)):  # = array.sum(), less overhead
            bad = array[~np.isfinite(array)]
            if bad.size:
                return name, float(bad[0])
    return None
