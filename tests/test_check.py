"""`check` catches classic from-scratch mistakes and points at the right function."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.learner import check_learner

REFERENCE = Path(__file__).parent / "learner" / "course_reference.py"
SOURCE = REFERENCE.read_text()

MISTAKES = {
    "missing 1/m": ("dW = (1 / m) * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)",
                    "linear_backward"),
    "db over the wrong axis": ("db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)",
                               "db = (1 / m) * np.sum(dZ, axis=0, keepdims=True)",
                               "linear_backward"),
    "relu derivative inverted": ("dZ[Z <= 0] = 0", "dZ[Z > 0] = 0", "relu_backward"),
    "activations swapped": (
        'parameters["b" + str(l)], "relu")', 'parameters["b" + str(l)], "sigmoid")',
        "L_model_forward"),
    "cost sign": ("cost = -(1 / m) * np.sum", "cost = (1 / m) * np.sum", "compute_cost"),
    "gradient ascent": ('params["W" + str(l + 1)] - learning_rate',
                        'params["W" + str(l + 1)] + learning_rate', "update_parameters"),
    "off-by-one layer in backward": ('grads["dW" + str(l + 1)] = dW_temp',
                                     'grads["dW" + str(l)] = dW_temp', "L_model_backward"),
    "wrong transpose": ("dW = (1 / m) * np.dot(dZ, A_prev.T)",
                        "dW = (1 / m) * np.dot(A_prev, dZ.T)", "linear_backward"),
    "sigmoid derivative": ("dZ = dA * s * (1 - s)", "dZ = dA * s", "sigmoid_backward"),
    "in-place update": ("parameters = params.copy()", "parameters = params",
                        "update_parameters"),
}


def write_variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    assert SOURCE.count(old) >= 1, f"{name}: pattern not in the reference"
    path = tmp_path / f"{name.replace(' ', '_').replace('/', '')}.py"
    path.write_text(SOURCE.replace(old, new))
    return path


def test_correct_implementation_matches() -> None:
    result = check_learner(str(REFERENCE))
    assert result.passed, result.text()
    assert all(r.status == "match" for r in result.results)
    assert "verdict: right (exit status 0)" in result.text()


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_is_caught_at_the_right_function(mistake: str, tmp_path: Path) -> None:
    old, new, function = MISTAKES[mistake]
    result = check_learner(str(write_variant(tmp_path, mistake, old, new)))
    assert not result.passed
    first = result.first_divergence()
    assert first is not None and first.name == function, result.text()
    assert f"first mistake: {function}" in result.text()


def test_raising_function_is_reported_not_crashed(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "raises", "    Z = np.dot(W, A) + b\n",
                         "    raise RuntimeError('not implemented yet')\n")
    result = check_learner(str(path))
    linear = next(r for r in result.results if r.name == "linear_forward")
    assert linear.status == "raised" and "RuntimeError: not implemented yet" in linear.detail


def test_wrong_shape_is_reported(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "shape", "db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)",
                         "db = (1 / m) * np.sum(dZ, axis=1)")
    first = check_learner(str(path)).first_divergence()
    assert first.name == "linear_backward" and first.status == "wrong shape"
    assert "shape" in first.detail


def test_input_mutation_is_reported(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "mutates", "    dZ = np.array(dA, copy=True)\n",
                         "    dZ = dA\n")
    first = check_learner(str(path)).first_divergence()
    assert first.name == "relu_backward" and first.status == "changed its input"


def test_missing_required_function_fails(tmp_path: Path) -> None:
    path = tmp_path / "partial.py"
    path.write_text(SOURCE.split("def L_model_backward")[0])
    result = check_learner(str(path))
    assert not result.passed
    missing = {r.name for r in result.results if r.status == "missing"}
    assert {"L_model_backward", "update_parameters"} <= missing


def test_unimportable_module() -> None:
    report = check_learner("no_such_module_xyz")
    assert report.exit_status == 2 and "cannot find module 'no_such_module_xyz'" in report.error
