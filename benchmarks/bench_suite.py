"""The main job and the parity suite, timed as a user runs them, each in its own process:
``python -m parity --quiet`` (wall time of the whole run, TensorFlow's import included;
three rounds) and ``pytest parity/`` (the test time pytest reports; one run). Targets:
<= 12 s and <= 60 s. As plain tests (``--benchmark-disable``) each runs a small version
of itself (one architecture for one epoch; one test file), so that the file cannot rot
without doubling the test run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pytest -q's last line, e.g. "183 passed, 2 skipped in 40.12s" or "... in 71.3s (0:01:11)"
TEST_TIME = re.compile(r"\b(\d+) passed\b.* in ([0-9.]+)s\b")


def run_main_job(out: Path, small: bool) -> None:
    """``python -m parity --quiet --out out`` (``small``: one architecture, one epoch);
    it must exit 0 with its zoo summary and its report."""
    extra = ["--archs", "logistic_regression", "--epochs", "1"] if small else []
    shutil.rmtree(out, ignore_errors=True)  # each round must write its own report
    result = subprocess.run([sys.executable, "-m", "parity", "--quiet", "--out", str(out),
                             *extra], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "architectures agree" in result.stdout, result.stdout[-2000:]
    assert (out / "report.json").is_file()


def parity_test_time(paths: list[str]) -> float:
    """Run ``pytest -q`` on ``paths`` in a new process; the test time it reports (s). Every
    test must pass."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-o", "addopts=", *paths], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    match = TEST_TIME.search(lines[-1]) if lines else None
    assert match and int(match.group(1)) > 0, result.stdout[-2000:]
    return float(match.group(2))


def bench_main_job(benchmark, tmp_path: Path) -> None:
    small = benchmark.disabled
    benchmark.group = "suite and main job"
    benchmark.extra_info.update(kind="suite", impl="main job")
    benchmark.pedantic(run_main_job, args=(tmp_path / "out", small), rounds=1 if small else 3,
                       iterations=1)


def bench_parity_tests(benchmark) -> None:
    paths = ["parity/tests/test_tolerances.py"] if benchmark.disabled else ["parity/"]
    benchmark.group = "suite and main job"
    benchmark.extra_info.update(kind="suite", impl="parity tests")
    times: list[float] = []
    benchmark.pedantic(lambda: times.append(parity_test_time(paths)), rounds=1, iterations=1)
    benchmark.extra_info["test_time"] = times[-1]
    assert times[-1] > 0
