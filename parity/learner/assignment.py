"""What describes one assignment of the course for ``check``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parity.learner.common import Context


@dataclass(frozen=True)
class Assignment:
    """One notebook of the course: how to recognise it and what is graded in it.

    ``distinctive``: names only this assignment defines; ``graded``: checked in this order
    (leaves first, so the first mistake points at its function); ``optional``: checked
    when the submission defines them (e.g. helpers the course ships); ``pipeline``: the
    learner's own functions chained, run after the single checks when all are present.
    """

    key: str
    title: str
    distinctive: tuple[str, ...]
    graded: tuple[str, ...]
    optional: tuple[str, ...]
    make: Callable[[Context], Any]
    pipeline: tuple[str, ...] = ()
