"""The wheel holds the runtime packages only: no tests, no benchmarks, no tooling."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out, src = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("src") / "checkout"
    # a clean copy: setuptools' build/ of an earlier build must not leak into this one
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "parity-out", ".hypothesis"))
    # the dev extra installs the build backend, so the build needs no network
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "--no-build-isolation", "--no-index", "-q", "-w", str(out),
                             str(src)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    (wheel,) = out.glob("nn_parity-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def test_wheel_holds_the_three_runtime_packages(wheel_files: list[str]) -> None:
    top = {name.split("/")[0] for name in wheel_files if not name.split("/")[0].endswith(
        (".dist-info", ".data"))}
    assert top == {"numpy_impl", "keras_impl", "parity"}
    for module in ("numpy_impl/config.py", "parity/compare.py", "parity/learner/worker.py",
                   "parity/learner/course2.py", "keras_impl/training.py"):
        assert module in wheel_files


def test_wheel_has_no_tests_benchmarks_or_tooling(wheel_files: list[str]) -> None:
    offending = [n for n in wheel_files if "/tests/" in n or Path(n).name.startswith("test_")
                 or Path(n).name in ("conftest.py", "mutants.py") or n.startswith(
                     ("benchmarks/", "tools/", "tests/"))]
    assert not offending, offending


def test_every_runtime_package_of_the_tree_is_in_the_wheel(wheel_files: list[str]) -> None:
    """A new subpackage (say parity/learner/) cannot be left out unnoticed."""
    for top in ("numpy_impl", "keras_impl", "parity"):
        for init in (ROOT / top).rglob("__init__.py"):
            relative = init.relative_to(ROOT).as_posix()
            if "/tests/" in relative:
                continue
            modules = [p.relative_to(ROOT).as_posix() for p in init.parent.glob("*.py")]
            missing = [m for m in modules if m not in wheel_files]
            assert not missing, missing
