"""Copies of the checkout and processes with a time limit, where mutants run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
COPY_DIRS = ("numpy_impl", "keras_impl", "parity", "tests", "tools")
TIMEOUT = 600


def copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPY_DIRS:
        shutil.copytree(PROJECT / name, dest / name, ignore=ignore)
    shutil.copy2(PROJECT / "pyproject.toml", dest / "pyproject.toml")


def run(cmd: Sequence[str], cwd: Path) -> subprocess.CompletedProcess | None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        return subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, env=env,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def run_probe(cwd: Path) -> list[str]:
    """The parity probe in a fresh process on the copy at ``cwd``."""
    result = run([sys.executable, "-c", "from tools.mutants import probe_main; "
                   "probe_main()"], cwd)
    if result is None:
        return [f"probe timed out after {TIMEOUT} s"]
    for line in result.stdout.splitlines():
        if line.startswith("PROBE-RESULT "):
            return json.loads(line[len("PROBE-RESULT "):])
    tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return [f"probe crashed: {tail[:200]}"]




def parallel(fn: Callable, items: list, jobs: int, on_result: Callable | None) -> list:
    results = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(fn, items):
            results.append(result)
            if on_result:
                on_result(result)
    return results
