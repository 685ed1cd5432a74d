"""Which assignment a submission is, and every graded function of it checked in order.

An assignment is recognised from the functions the submission itself defines (not the
ones it imports from the course's helper modules). Functions of the same name in
different assignments (``sigmoid``, ``compute_cost``, ``predict``, ...) are checked with
the conventions of the assignment recognised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import keras_impl  # noqa: F401  (first: TensorFlow starts quietly)
from parity.learner import course1, course2, course4, deep
from parity.learner.assignment import Assignment
from parity.learner.common import (
    FLOAT32_TOL,
    PRECISION,
    TOL,
    Context,
    CouldNotCheckError,
    float32_functions,
    run_check,
)
from parity.learner.report import FunctionResult, LearnerReport


def _registry() -> tuple[Assignment, ...]:
    return (*course1.ASSIGNMENTS, *deep.ASSIGNMENTS, *course2.ASSIGNMENTS,
            *course4.ASSIGNMENTS)


ORDER_FIRST = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")


def detect(ctx: Context) -> list[Assignment]:
    """The assignments whose distinctive functions the submission defines. When several
    are, those of which it defines less than half the graded functions, and fewer than
    of another, are left out, with a note: a helper of the learner's named like another
    assignment's function (``optimize``, ``L_model_forward``) does not make the submission
    that assignment, whose other functions would be reported missing."""
    found = [a for a in _registry()
             if any(ctx.function(n) for entry in a.distinctive for n in entry.split("|"))]

    defined = {a.key: [n for entry in a.graded for n in entry.split("|") if ctx.function(n)]
               for a in found}
    coverage = {a.key: len(defined[a.key]) / len(a.graded) for a in found}
    best = max(coverage.values(), default=0.0)
    kept = [a for a in found if coverage[a.key] >= 0.5 or coverage[a.key] == best]
    for a in found:
        if a not in kept:
            names = defined[a.key]
            ctx.note(f"not checked as {a.title}: your code defines {', '.join(names)}, "
                     f"{len(names)} of its {len(a.graded)} graded functions (checked as "
                     f"{', '.join(k.title for k in kept)})")
    return kept


def known_assignments() -> list[str]:
    """The titles of every assignment ``check`` recognises."""
    return [a.title for a in _registry()]


def check_namespace(namespace: Mapping[str, Any], target: str, seed: int = 0,
                    notes: list[str] | None = None,
                    line_names: Callable[[str, int], str] | None = None,
                    left_out: Mapping[str, str] | None = None) -> LearnerReport:
    """Check the functions defined in ``namespace`` (a module's or a notebook's globals);
    ``left_out``: see ``Context.left_out``."""
    start = time.perf_counter()
    ctx = Context(namespace, seed, list(notes or []), left_out=dict(left_out or {}))
    if line_names is not None:
        ctx.line_names = line_names
    report = LearnerReport(target)
    assignments = detect(ctx)
    if not assignments:
        defined = sorted(n for n, v in namespace.items() if callable(v) and ctx.function(n))
        report.error = (f"no graded function of a supported assignment found (your code "
                        f"defines {defined or 'no functions'}); supported: "
                        + "; ".join(known_assignments()))
        report.notes = ctx.notes
        return report
    low = float32_functions(ctx)
    if low:
        ctx.note(f"your code computes in float32 ({', '.join(low)}): its results are "
                 f"compared to float32's precision, {FLOAT32_TOL.rtol:.1e} of the largest "
                 "value, instead of 1e-6")
    precision = PRECISION.set(FLOAT32_TOL if low else TOL)
    try:
        for assignment in assignments:
            report.assignments.append(assignment.title)
            report.results += _check_assignment(ctx, assignment)
    except CouldNotCheckError as exc:
        report.error = str(exc)
    finally:
        PRECISION.reset(precision)
    report.notes = ctx.notes
    report.seconds = time.perf_counter() - start
    return report


def _check_assignment(ctx: Context, assignment: Assignment) -> list[FunctionResult]:
    checks = assignment.make(ctx)
    # the course's helpers first, then the graded functions, then the optional ones
    names = [n for n in ORDER_FIRST if n in assignment.optional] + list(assignment.graded) + [
        n for n in assignment.optional if n not in ORDER_FIRST]
    results = []
    for entry in dict.fromkeys(names):
        # "a|b": the course named the function both ways over the years
        name = next((n for n in entry.split("|") if ctx.function(n)), None)
        if name is None:
            if entry in assignment.graded:
                results.append(FunctionResult(entry.replace("|", " or "), "missing",
                                              "not defined in your code"))
            continue
        first = entry.split("|")[0]
        method = getattr(checks, first, None) or getattr(checks, _method(first))
        results.append(run_check(name, lambda method=method, name=name: method(name)))
    if assignment.pipeline and all(ctx.function(n) or n in ctx.namespace
                                   for n in assignment.pipeline):
        # a mistake seen only here is named by the step where it first shows
        results.append(run_check("your own pipeline", checks.pipeline))
    return results


def _method(name: str) -> str:
    return {"sigmoid": "activation_forward", "relu": "activation_forward",
            "sigmoid_backward": "activation_backward",
            "relu_backward": "activation_backward"}.get(name, name)

