"""numpy_impl is a complete, TensorFlow-free library; the two backends are independent."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import keras_impl
import numpy_impl


def imported_top_level(package: Path) -> dict[Path, set[str]]:
    """For every module of ``package``, the top-level names of what it imports."""
    found: dict[Path, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names.add((node.module or "").split(".")[0])
        found[path] = names
    return found


def test_import_does_not_load_tensorflow() -> None:
    code = ("import sys, numpy_impl; bad = [m for m in sys.modules "
            "if m.split('.')[0] in ('tensorflow', 'keras')]; print(bad); assert not bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_numpy_impl_module_imports_tensorflow() -> None:
    for path, names in imported_top_level(Path(numpy_impl.__file__).parent).items():
        assert not names & {"tensorflow", "keras", "keras_impl", "parity"}, path


def test_keras_impl_knows_nothing_of_numpy_impl() -> None:
    """The backends are independent: that is what makes their agreement mean something."""
    for path, names in imported_top_level(Path(keras_impl.__file__).parent).items():
        assert not names & {"numpy_impl", "parity"}, path


def test_all_names_exist() -> None:
    for module in (numpy_impl, keras_impl):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), name
