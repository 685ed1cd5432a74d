"""numpy_impl is a complete, TensorFlow-free library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy_impl

PACKAGE = Path(numpy_impl.__file__).parent


def test_import_does_not_load_tensorflow() -> None:
    code = ("import sys, numpy_impl; bad = [m for m in sys.modules "
            "if m.split('.')[0] in ('tensorflow', 'keras')]; print(bad); assert not bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_mentions_tensorflow_in_an_import() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] in ("tensorflow", "keras") for n in names), path


def test_all_names_exist() -> None:
    assert len(numpy_impl.__all__) == len(set(numpy_impl.__all__))
    for name in numpy_impl.__all__:
        assert hasattr(numpy_impl, name), name


def test_keras_impl_knows_nothing_of_numpy_impl() -> None:
    """The backends are independent: that is what makes their agreement mean something."""
    import keras_impl

    for path in Path(keras_impl.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] in ("numpy_impl", "parity") for n in names), path
