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
    import parity
    import parity.learner

    for module in (numpy_impl, keras_impl, parity, parity.learner):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), name


ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("numpy_impl", "keras_impl", "parity", "tools", "benchmarks", "tests")


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the project's packages."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if (ROOT / "tests" / "learner") in path.parents:
                continue  # learner submissions: data for `check`, not project code
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(path: Path, name: str) -> list[tuple[str, str | None]]:
    """``(module, imported name or None)`` for every import in the file (relative imports
    resolved against the module ``name``)."""
    out: list[tuple[str, str | None]] = []
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, module] if module else base)
            out += [(module, alias.name) for alias in node.names]
    return out


def test_no_module_imports_another_modules_underscore_names() -> None:
    """Private names stay inside their module; a private module stays inside its package."""
    modules = project_modules()
    offences = []
    for name, path in modules.items():
        package = name.split(".")[0]
        for module, imported in imports_of(path, name):
            if module.split(".")[0] not in PACKAGES:
                continue
            if imported and imported.startswith("_") and not imported.startswith("__"):
                offences.append(f"{name}: from {module} import {imported}")
            private_parts = [p for p in module.split(".") if p.startswith("_")
                             and not p.startswith("__")]
            if private_parts and module.split(".")[0] != package:
                offences.append(f"{name}: imports private module {module}")
    assert not offences, offences


def test_there_is_no_import_cycle() -> None:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for module, imported in imports_of(path, name):
            for candidate in (f"{module}.{imported}" if imported else None, module):
                if candidate in modules and candidate != name:
                    targets.add(candidate)
                    break
        graph[name] = targets
    # a package's __init__ re-exports its modules: edges into a package from its own
    # modules are how Python resolves "import package.module", not a cycle of logic
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt] if nxt in stack else [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def test_the_cycle_check_sees_a_cycle(tmp_path: Path, monkeypatch) -> None:
    """The checks above can fail: a planted cycle and a planted private import are found."""
    pkg = tmp_path / "tools"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from tools.b import f\nfrom parity.report import _x\n")
    (pkg / "b.py").write_text("from tools.a import g\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("tools",))
    import pytest

    with pytest.raises(AssertionError, match="tools.a"):
        test_there_is_no_import_cycle()
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("tools", "parity"))
    (tmp_path / "parity").mkdir()
    with pytest.raises(AssertionError, match="from parity.report import _x"):
        test_no_module_imports_another_modules_underscore_names()


def test_command_line_starts_keras_without_its_optional_integrations() -> None:
    """The command line imports Keras with scikit-learn, pandas and matplotlib kept out
    (about 1 s): afterwards they are absent, import normally, and Keras still trains;
    a module imported before is left alone."""
    code = """
import sys
import numpy as np
import matplotlib  # imported before: left alone
from parity.cli import KERAS_OPTIONAL, start_tensorflow
start_tensorflow()
import keras_impl, keras
assert "matplotlib" in sys.modules
assert not [m for m in sys.modules if m.split(".")[0] in ("sklearn", "pandas")], sys.modules
assert set(KERAS_OPTIONAL) == {"sklearn", "pandas", "matplotlib"}
import sklearn.datasets, pandas
assert sys.modules["sklearn"] is sklearn and sys.modules["pandas"] is pandas
model = keras_impl.build_model([3, 2, 1], seed=0)
step = keras_impl.make_train_step(model, keras_impl.make_optimizer("adam", 0.01))
print(float(step(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"))))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert float(result.stdout.split()[-1]) > 0
