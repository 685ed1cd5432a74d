"""The learner report: one row per checked function, the verdict and its exit status.

Verdicts: "right" (exit 0; notes allowed), "mistakes found" (exit 1), "could not check"
(exit 2: the code could not be run to the end, e.g. it exited, hung, crashed, flooded
its output, or is not a recognised assignment; or a graded function could not be checked
at all). Mistakes found take precedence over functions left unchecked. The report travels
from the checking process as JSON, prints as a table and renders as HTML in Jupyter.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from parity.report import Comparison
from parity.tolerances import Tolerance

RIGHT = ("match", "note", "skipped")
"""Statuses that are not mistakes: a match, a match with a remark, a check not run alone
because something else covers it (the learner's own pipeline)."""
MISTAKE = ("mismatch", "wrong shape", "raised", "bad return", "missing", "finding")
UNCHECKED = ("unchecked",)
"""A graded function that nothing could check (e.g. its inputs are unknowable here): no
mistake is claimed, but the verdict cannot be "right" either."""


@dataclass
class FunctionResult:
    """How one function fared (``status`` in ``RIGHT`` or ``MISTAKE``), why, and the worst
    element of the failed comparison when there is one."""

    name: str
    status: str
    detail: str = ""
    check: Comparison | None = None

    def __post_init__(self) -> None:
        if self.status not in RIGHT + MISTAKE + UNCHECKED:
            raise ValueError(f"status must be one of {RIGHT + MISTAKE + UNCHECKED}, got "
                             f"{self.status!r}")

    @property
    def is_mistake(self) -> bool:
        """True for every status that counts against the submission."""
        return self.status in MISTAKE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "status": self.status, "detail": self.detail,
                "check": None if self.check is None else _with_words(self.check.to_dict())}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FunctionResult:
        """Inverse of ``to_dict``."""
        check = data.get("check")
        return cls(data["name"], data["status"], data.get("detail", ""),
                   None if check is None else _comparison_from_dict(check))


def _with_words(d: dict[str, Any]) -> dict[str, Any]:
    """A comparison's dict with its non-finite numbers as "nan"/"inf"/"-inf" (this report
    travels between processes as strict JSON, and comes back as the same floats)."""
    return {k: str(v) if k in ("max_abs", "max_rel", "left", "right") and not
            math.isfinite(v) else v for k, v in d.items()}


def _comparison_from_dict(d: dict[str, Any]) -> Comparison:
    d = dict(d)
    for key in ("max_abs", "max_rel", "left", "right"):
        d[key] = float(d[key])  # "nan"/"inf" strings come back as floats
    d["index"] = tuple(d["index"])
    d["sides"] = tuple(d["sides"])
    d["tolerance"] = Tolerance(**d["tolerance"])
    return Comparison(**d)


@dataclass
class LearnerReport:
    """Everything ``check`` found about one submission."""

    target: str
    assignments: list[str] = field(default_factory=list)
    results: list[FunctionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    output: str = ""
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """"right", "mistakes found" or "could not check"."""
        if any(r.is_mistake for r in self.results) and self.error is None:
            return "mistakes found"
        if self.error is not None or not self.results or any(
                r.status in UNCHECKED for r in self.results):
            return "could not check"
        return "right"

    @property
    def exit_status(self) -> int:
        """0 right (notes allowed), 1 mistakes found, 2 could not check."""
        return {"right": 0, "mistakes found": 1, "could not check": 2}[self.verdict]

    @property
    def passed(self) -> bool:
        """True when the verdict is "right"."""
        return self.exit_status == 0

    def first_divergence(self) -> FunctionResult | None:
        """The first function, in checking order, that holds a mistake."""
        return next((r for r in self.results if r.is_mistake), None)

    # --- rendering -------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        """``(function, status, detail)`` per checked function."""
        return [(r.name, r.status, r.detail) for r in self.results]

    def text(self, output_limit: int = 2000) -> str:
        """The report as plain text: what was checked, one line per function, the first
        mistake in detail, notes, the verdict, and the learner's own output (truncated)."""
        lines = [f"checking {self.target}"]
        if self.assignments:
            lines.append("recognised: " + "; ".join(self.assignments))
        width = max((len(r.name) for r in self.results), default=0)
        for r in self.results:
            lines.append(f"  {r.name.ljust(width)}  {r.status}"
                         + (f"  {r.detail}" if r.detail else ""))
        first = self.first_divergence()
        if first is not None:
            lines.append(f"first mistake: {first.name}: {first.status}: {first.detail}")
            c = first.check
            if c is not None and c.index:
                layer = "" if c.layer in ("-", "") else f" (layer {c.layer})"
                lines.append(f"  {c.quantity}{layer} worst element {c.index}: "
                             f"yours {c.left!r}, expected {c.right!r}, max abs error "
                             f"{c.max_abs:.3g}, max rel error {c.max_rel:.3g}")
        lines += [f"note: {n}" for n in self.notes]
        if self.error is not None:
            lines.append(f"could not check: {self.error}")
        lines.append(f"verdict: {self.verdict} (exit status {self.exit_status})")
        if self.output.strip():
            shown = self.output if len(self.output) <= output_limit else (
                self.output[:output_limit] + f"\n... ({len(self.output) - output_limit} "
                "more characters)")
            lines += ["", "your code printed:", shown.rstrip()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter."""
        colour = {"right": "#1a7f37", "mistakes found": "#cf222e",
                  "could not check": "#9a6700"}[self.verdict]
        rows = "".join(
            f"<tr><td><code>{html.escape(r.name)}</code></td><td style='color:"
            f"{'#cf222e' if r.is_mistake else '#1a7f37'}'>{html.escape(r.status)}</td>"
            f"<td>{html.escape(r.detail)}</td></tr>" for r in self.results)
        extra = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        if self.error is not None:
            extra += f"<li><b>could not check:</b> {html.escape(self.error)}</li>"
        return (f"<div><p><b>{html.escape(self.target)}</b>"
                + (f": {html.escape('; '.join(self.assignments))}" if self.assignments else "")
                + f"</p><table><tr><th>function</th><th>status</th><th>detail</th></tr>{rows}"
                f"</table>{'<ul>' + extra + '</ul>' if extra else ''}"
                f"<p style='color:{colour}'><b>{html.escape(self.verdict)}</b></p></div>")

    # --- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (no NaN: non-finite numbers are strings)."""
        d = asdict(self)
        d["results"] = [r.to_dict() for r in self.results]
        d["verdict"], d["exit_status"] = self.verdict, self.exit_status
        if not math.isfinite(d["seconds"]):
            d["seconds"] = 0.0
        return d

    def to_json(self) -> str:
        """The report as JSON text (strict: no NaN or Infinity tokens)."""
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearnerReport:
        """Inverse of ``to_dict``."""
        return cls(data["target"], list(data.get("assignments", [])),
                   [FunctionResult.from_dict(r) for r in data.get("results", [])],
                   list(data.get("notes", [])), data.get("error"), data.get("output", ""),
                   float(data.get("seconds", 0.0)))
