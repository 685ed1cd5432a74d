"""The parity report: one row per compared quantity and layer, printable and JSON-able."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from numpy_impl.gradient_check import relative_difference
from parity.outputs import json_text
from parity.tolerances import NUMERICAL_GRADIENT, Tolerance

GROUPS = ("forward", "cost", "gradients", "numerical", "inference", "training", "fit",
          "initializer", "learner")
"""What a comparison is about: the report's summary columns and the mutation probe read
``Comparison.group``, set where the row is made."""


@dataclass(frozen=True)
class Comparison:
    """One comparison: which quantity and layer, how far apart, and whether within tolerance.

    ``index`` is the worst element (largest error relative to its tolerance); ``left`` and
    ``right`` are the two values there (``sides`` names them, e.g. numpy/keras). ``group``
    is one of ``GROUPS``.
    """

    quantity: str
    layer: str
    max_abs: float
    max_rel: float
    index: tuple[int, ...]
    left: float
    right: float
    tolerance: Tolerance
    passed: bool
    sides: tuple[str, str] = ("numpy", "keras")
    note: str = ""
    group: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"group must be one of {GROUPS}, got {self.group!r}")

    @property
    def used(self) -> float:
        """The fraction of its tolerance the worst element used (above 1: failed; inf
        for a shape, dtype or NaN mismatch)."""
        if self.index == () and not np.isfinite(self.left):  # one error measure
            ratios = [self.max_rel / self.tolerance.rtol if self.tolerance.rtol else np.inf]
            if self.tolerance.atol and np.isfinite(self.max_abs):
                ratios.append(self.max_abs / self.tolerance.atol)
            return float(min(ratios))
        if not (np.isfinite(self.left) and np.isfinite(self.right)):
            return 0.0 if self.passed else float("inf")
        allowed = self.tolerance.atol + self.tolerance.rtol * max(abs(self.left),
                                                                  abs(self.right))
        diff = abs(self.left - self.right)
        return float(diff / allowed) if allowed > 0 else (0.0 if diff == 0 else float("inf"))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (non-finite numbers kept as floats: ``parity.json_text`` writes them
        as ``null``, listed under ``"non_finite_values"``)."""
        d = asdict(self)
        d["index"] = list(self.index)
        d["tolerance"] = {"rtol": self.tolerance.rtol, "atol": self.tolerance.atol}
        return d


def compare_arrays(quantity: str, layer: str | int, left: Any, right: Any, tol: Tolerance,
                   sides: tuple[str, str] = ("numpy", "keras"), note: str = "", *,
                   group: str) -> Comparison:
    """Compare shape, then dtype, then values; a mismatch of shape or dtype is a failed
    check whose note says so. A norm-wise ``tol`` (``of_max``) is made absolute for these
    arrays, and the row records the absolute one."""
    a, b = np.asarray(left), np.asarray(right)
    if a.shape == b.shape and a.dtype == b.dtype:
        tol = tol.absolute(a.astype(np.float64), b.astype(np.float64))
    fail = dict(quantity=quantity, layer=str(layer), max_abs=float("inf"),
                max_rel=float("inf"), index=(), left=float("nan"), right=float("nan"),
                tolerance=tol, passed=False, sides=sides, group=group)
    if a.shape != b.shape:
        return Comparison(**fail,
                          note=f"shape {a.shape} ({sides[0]}) != {b.shape} ({sides[1]})")
    if a.dtype != b.dtype:
        return Comparison(**fail,
                          note=f"dtype {a.dtype} ({sides[0]}) != {b.dtype} ({sides[1]})")
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if a.size == 0:
        return Comparison(quantity, str(layer), 0.0, 0.0, (), 0.0, 0.0, tol, True, sides, note,
                          group=group)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a64 - b64)
        same = (a64 == b64) | (np.isnan(a64) & np.isnan(b64))
        diff = np.where(same, 0.0, diff)
        scale = np.maximum(np.abs(a64), np.abs(b64))
        allowed = tol.atol + tol.rtol * np.where(np.isfinite(scale), scale, 0.0)
        excess = np.where(np.isnan(diff), np.inf, diff / np.where(allowed > 0, allowed, 1e-300))
        rel = np.where(same, 0.0, diff / np.where(scale > 0, scale, 1.0))
        rel = np.where(np.isnan(rel), np.inf, rel)
    worst = np.unravel_index(int(np.argmax(excess)), a.shape) if a.ndim else ()
    return Comparison(quantity, str(layer),
                      float(np.max(np.where(np.isnan(diff), np.inf, diff))), float(np.max(rel)),
                      tuple(int(i) for i in worst), float(a64[worst]), float(b64[worst]), tol,
                      bool(np.all(diff <= allowed) and not np.any(np.isnan(diff))), sides,
                      note, group=group)


def compare_scalar_below(quantity: str, layer: str | int, value: float, tol: Tolerance,
                         sides: tuple[str, str], note: str = "", *,
                         group: str) -> Comparison:
    """A comparison that passes when a single error measure (e.g. a relative difference)
    is at most ``tol.rtol``."""
    return Comparison(quantity, str(layer), float("nan"), float(value), (), float("nan"),
                      float("nan"), tol, bool(value <= tol.rtol), sides, note, group=group)


def compare_to_numerical(quantity: str, layer: str | int, g: np.ndarray, approx: np.ndarray,
                         floor: float, side: str, note: str,
                         index_of: Callable[[int], tuple[int, ...]]) -> Comparison:
    """Backprop ``g`` against centred differences ``approx`` (both flat): passes when
    ``||g - g~|| / (||g|| + ||g~||)`` is at most ``NUMERICAL_GRADIENT.rtol``, or when the
    largest difference is below the round-off ``floor``; ``index_of`` maps the worst flat
    position to the parameter's index."""
    rel = relative_difference(g, approx)
    worst = int(np.argmax(np.abs(g - approx)))
    max_abs = float(np.abs(g - approx)[worst])
    return Comparison(quantity=quantity, layer=str(layer), max_abs=max_abs, max_rel=rel,
                      index=index_of(worst), left=float(g[worst]), right=float(approx[worst]),
                      tolerance=Tolerance(NUMERICAL_GRADIENT.rtol, floor),
                      passed=rel <= NUMERICAL_GRADIENT.rtol or max_abs <= floor,
                      sides=(side, "numerical"), note=note, group="numerical")


COLUMNS = ("quantity", "layer", "sides", "max_abs", "max_rel", "worst", "left", "right",
           "tol(rtol/atol)", "result")


@dataclass
class ParityReport:
    """A titled list of checks; ``passed`` when every check passed."""

    title: str
    checks: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was not compared, and why (e.g. a check with nothing to check)."""

    def add(self, checks: Comparison | Iterable[Comparison]) -> ParityReport:
        """Append one or several comparisons (or another report's, with its notes); returns
        self."""
        if isinstance(checks, Comparison):
            self.checks.append(checks)
        elif isinstance(checks, ParityReport):
            self.checks.extend(checks.checks)
            self.notes.extend(n for n in checks.notes if n not in self.notes)
        else:
            self.checks.extend(checks)
        return self

    def groups(self) -> dict[str, list[Comparison]]:
        """The comparisons by group, in ``GROUPS`` order (groups with none left out)."""
        return {g: [c for c in self.checks if c.group == g] for g in GROUPS
                if any(c.group == g for c in self.checks)}

    @property
    def passed(self) -> bool:
        """True when there is at least one check and all passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    def failures(self) -> list[Comparison]:
        """The checks that failed."""
        return [c for c in self.checks if not c.passed]

    def rows(self) -> list[tuple[str, ...]]:
        """Formatted rows for ``table``."""
        def num(x: float) -> str:
            return "-" if np.isnan(x) else f"{x:.3g}" if not np.isfinite(x) else f"{x:.2e}"

        return [(c.quantity, c.layer, "/".join(c.sides), num(c.max_abs), num(c.max_rel),
                 str(c.index) if c.index else "-", num(c.left) if np.isnan(c.left) else
                 f"{c.left:.17g}", "-" if np.isnan(c.right) else f"{c.right:.17g}",
                 str(c.tolerance), ("pass" if c.passed else "FAIL")
                 + (f"  ({c.note})" if c.note else "")) for c in self.checks]

    def table(self) -> str:
        """An aligned text table with the title and a pass/fail summary line."""
        rows = [COLUMNS, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
        lines = [self.title]
        for r in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False))
                         + "  " + r[-1])
        n_fail = len(self.failures())
        lines.append(f"{len(self.checks) - n_fail} passed, {n_fail} failed")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(line.rstrip() for line in lines)

    def __str__(self) -> str:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"title": self.title, "passed": self.passed,
                "checks": [c.to_dict() for c in self.checks], "notes": list(self.notes)}

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json_text(self.to_dict(), indent)


ONE_EXAMPLE = ("one example: a sum and a mean over the batch are then the same number, so a "
               "missing or extra 1/m cannot show; use m >= 2 to see it")
"""The note of a report on a batch of one example."""


def assert_parity(report: ParityReport) -> None:
    """Raise ``AssertionError`` with the report's table unless every check passed."""
    if not report.passed:
        failed = ", ".join(f"{c.quantity}[{c.layer}]" for c in report.failures()) or "no checks"
        raise AssertionError(f"parity failed: {failed}\n{report.table()}")
