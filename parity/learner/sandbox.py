"""Running the checking process: a time limit, an output limit, and every way the
learner's code can stop it told apart. Imports nothing heavy (no TensorFlow here)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parity.learner.report import LearnerReport

DEFAULT_TIMEOUT = 60.0
"""Seconds the learner's code (loading and every check) may take."""
STARTUP_LIMIT = 300.0
"""Seconds the checking process may take to start (import TensorFlow) before the learner's
code runs; not counted in the timeout, which is about the learner's code."""
OUTPUT_LIMIT = 1_000_000
"""Bytes (of UTF-8; a character may take up to 4) the learner's code may print before the
check is stopped as a flood."""
_NATIVE_LOG = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\)|"
                         r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ \S+:\d+\])")


def check_in_subprocess(target: str, seed: int = 0, timeout: float = DEFAULT_TIMEOUT,
                        output_limit: int = OUTPUT_LIMIT) -> LearnerReport:
    """Check ``target`` (a path or module name) in a fresh Python process; a learner's
    exit, hang, crash, interrupt or output flood becomes a "could not check" report."""
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nn-parity-check-") as tmp:
        result, output = Path(tmp) / "report.json", Path(tmp) / "output.txt"
        ready = Path(tmp) / "ready"
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1"}
        target_arg = str(Path(target).resolve()) if Path(target).exists() else target
        with open(output, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "parity.learner.worker", target_arg, str(seed),
                 str(result), str(ready)], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=env)
            error = _wait(proc, output, ready, timeout, output_limit)
        printed = _learner_output(output)
        if error is None and result.is_file():
            report = LearnerReport.from_dict(json.loads(result.read_text()))
        else:
            report = LearnerReport(target, error=error or _ended(proc.returncode, printed))
        report.output = printed
        report.seconds = time.monotonic() - start
        return report


def _wait(proc: subprocess.Popen, output: Path, ready: Path, timeout: float,
          limit: int) -> str | None:
    started = time.monotonic()
    deadline = None  # set when the checking process is ready to run the learner's code
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if deadline is None and ready.exists():
                deadline = now + timeout
            if deadline is None and now - started > STARTUP_LIMIT:
                _kill(proc)
                return (f"the checking process did not start within {STARTUP_LIMIT:g} s "
                        "(importing TensorFlow); the machine may be overloaded")
            if deadline is not None and now > deadline:
                _kill(proc)
                return (f"your code did not finish within {timeout:g} s (an endless loop, "
                        "or waiting for input?); raise --timeout if it is only slow")
            if output.stat().st_size > limit:
                _kill(proc)
                return (f"your code printed more than {limit} bytes (an output flood); "
                        "the check was stopped")
            time.sleep(0.02)
    except KeyboardInterrupt:
        _kill(proc)
        raise
    return None


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()


def _ended(code: int | None, printed: str) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return (f"the checking process was killed by {name} while running your code (a crash "
                "of the interpreter)")
    last = printed.strip().splitlines()[-1:] or [""]
    if "Traceback" in printed and last[0]:
        return f"the checking process failed: {last[0][:300]}"
    return (f"your code ended the process (os._exit({code}) or a crash) before the check "
            "finished")


def _learner_output(path: Path) -> str:
    """What the learner's code printed, TensorFlow's native log lines removed."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return "".join(line for line in text.splitlines(keepends=True)
                   if not _NATIVE_LOG.match(line))
