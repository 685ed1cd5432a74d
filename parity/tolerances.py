"""Every tolerance of the parity checks, per dtype and per quantity, in one place.

An element passes when ``|numpy - keras| <= atol + rtol * max(|numpy|, |keras|)``.
float64: forward and cost ~1e-12 relative; gradients ~1e-10; parameters after several
training steps 1e-9 (Adam divides by sqrt(v), which amplifies last-bit differences).
float32: 1e-5 forward and cost, 1e-4 gradients, 1e-3 after training steps.
The numerical gradient check uses its own metric, ||g - g~|| / (||g|| + ||g~||) < 1e-7.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    """Relative and absolute tolerance."""

    rtol: float
    atol: float

    def __str__(self) -> str:
        return f"{self.rtol:.0e}/{self.atol:.0e}"


QUANTITIES = ("forward", "cost", "gradient", "trajectory")

TOLERANCES: dict[tuple[str, str], Tolerance] = {
    ("float64", "forward"): Tolerance(1e-12, 1e-14),
    ("float64", "cost"): Tolerance(1e-12, 1e-14),
    ("float64", "gradient"): Tolerance(1e-10, 1e-13),
    ("float64", "trajectory"): Tolerance(1e-9, 1e-12),
    ("float32", "forward"): Tolerance(1e-5, 1e-6),
    ("float32", "cost"): Tolerance(1e-5, 1e-6),
    ("float32", "gradient"): Tolerance(1e-4, 1e-5),
    ("float32", "trajectory"): Tolerance(1e-3, 1e-4),
}

NUMERICAL_GRADIENT = Tolerance(1e-7, 0.0)
"""Threshold of the relative difference between backprop and centred differences."""

GRADIENT_CHECK_EPSILON = 1e-7


def tolerance(dtype: str, quantity: str) -> Tolerance:
    """The tolerance for ``quantity`` (one of ``QUANTITIES``) in ``dtype``."""
    key = (str(dtype), quantity)
    if key not in TOLERANCES:
        raise ValueError(f"no tolerance for dtype {dtype!r} and quantity {quantity!r}; "
                         f"expected dtype float32/float64 and quantity in {QUANTITIES}")
    return TOLERANCES[key]
