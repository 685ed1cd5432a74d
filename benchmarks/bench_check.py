"""Checking a whole learner notebook (week 4, every graded function and the pipeline) in
its separate process, against the time a bare process takes to import TensorFlow and
Keras: the target is the check within that import time plus 3 s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from parity.learner import check

NOTEBOOK = Path(__file__).resolve().parent.parent / "tests" / "learner" / "c1w4_step_2021.ipynb"


def bench_check_notebook(benchmark) -> None:
    benchmark.group = "check a week 4 notebook"
    benchmark.extra_info.update(kind="check", impl="check")
    report = benchmark.pedantic(lambda: check(NOTEBOOK), rounds=3, iterations=1)
    assert report.passed, report.text()


def bench_import_tensorflow(benchmark) -> None:
    benchmark.group = "check a week 4 notebook"
    benchmark.extra_info.update(kind="check", impl="import")

    def start() -> None:
        subprocess.run([sys.executable, "-c", "import keras_impl"], check=True)

    benchmark.pedantic(start, rounds=3, iterations=1)
