"""Checking a learner's own course-style code against TensorFlow/Keras.

``check(target)`` takes a ``.py`` file, a notebook (``.ipynb``) or a module name and
checks it in a separate process (time limit, output limit; the learner's exits, hangs
and crashes are reported as such), or a notebook's ``globals()`` / a module object in
place. It recognises the assignment (Courses 1 and 2 of the Deep Learning
Specialization) from the functions defined and checks every graded one, then the
learner's own pipeline. The returned ``LearnerReport`` prints as a table, renders as
HTML in Jupyter, and gives the exit status: 0 right (notes allowed), 1 mistakes found,
2 could not check. Importing this package does not import TensorFlow; checking does.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parity.learner.report import MISTAKE, RIGHT, UNCHECKED, FunctionResult, LearnerReport
from parity.learner.sandbox import DEFAULT_TIMEOUT, OUTPUT_LIMIT, check_in_subprocess


def check(target: str | Path | types.ModuleType | Mapping[str, Any], seed: int = 0,
          timeout: float = DEFAULT_TIMEOUT) -> LearnerReport:
    """Check a submission: a path or module name in an isolated process (``timeout``
    seconds at most), or a module / a notebook's ``globals()`` in this process. A target
    that is not a readable file, notebook or module raises ValueError."""
    if isinstance(target, (str, Path)):
        _readable(target)
        return check_in_subprocess(str(target), seed, timeout)
    return check_learner(target, seed)


def _readable(target: str | Path) -> None:
    """Raise ValueError, before any work, for a target that is not a readable file,
    notebook or module (a syntax error is the checking's business, not bad input)."""
    from parity.learner.source import read_source

    with contextlib.suppress(SyntaxError):
        read_source(str(target))


def check_learner(target: str | Path | types.ModuleType | Mapping[str, Any],
                  seed: int = 0) -> LearnerReport:
    """Check in this process (no isolation): a module, a namespace dict such as a
    notebook's ``globals()``, or a path / module name (loaded here)."""
    from parity.learner.runner import check_namespace

    if isinstance(target, types.ModuleType):
        return check_namespace(vars(target), getattr(target, "__file__", None)
                               or target.__name__, seed)
    if isinstance(target, Mapping):
        return check_namespace(target, str(target.get("__name__", "namespace")), seed)
    if isinstance(target, (str, Path)):
        from parity.learner.worker import run

        _readable(target)
        return run(str(target), seed)
    raise TypeError(f"target must be a path, a module name, a module or a dict, got "
                    f"{type(target).__name__}")


__all__ = ["DEFAULT_TIMEOUT", "MISTAKE", "OUTPUT_LIMIT", "RIGHT", "UNCHECKED",
           "FunctionResult", "LearnerReport", "check", "check_learner"]
