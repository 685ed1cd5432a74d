"""The report: shape, then dtype, then values; readable table; JSON; assert_parity."""

from __future__ import annotations

import json

import numpy as np
import pytest

from parity import ParityReport, Tolerance, assert_parity, compare_arrays

TOL = Tolerance(1e-12, 1e-14)


def test_values_pass_and_fail_with_worst_element() -> None:
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = a.copy()
    assert compare_arrays("dW", 1, a, b, TOL, group="gradients").passed
    b[1, 0] += 1e-9
    b[0, 1] += 1e-15
    check = compare_arrays("dW", 1, a, b, TOL, group="gradients")
    assert not check.passed
    assert check.index == (1, 0) and check.left == 3.0 and check.right == 3.0 + 1e-9
    assert check.max_abs == pytest.approx(1e-9, rel=1e-6)
    assert check.max_rel == pytest.approx(1e-9 / (3 + 1e-9), rel=1e-6)


def test_shape_then_dtype_mismatch() -> None:
    shape = compare_arrays("A", 2, np.zeros((2, 3)), np.zeros((3, 2)), TOL, group="forward")
    assert not shape.passed and "shape (2, 3) (numpy) != (3, 2) (keras)" in shape.note
    dtype = compare_arrays("A", 2, np.zeros(3), np.zeros(3, np.float32), TOL, group="forward")
    assert not dtype.passed and "dtype float64 (numpy) != float32 (keras)" in dtype.note


def test_nan_and_inf_fail() -> None:
    for bad in (np.nan, np.inf):
        assert not compare_arrays("c", "-", np.array([bad]), np.array([1.0]), TOL,
                                  group="cost").passed


def test_table_json_and_assert() -> None:
    report = ParityReport("demo")
    report.add(compare_arrays("dW", 1, np.ones(3), np.ones(3), TOL, group="gradients"))
    report.add(compare_arrays("db", 2, np.ones(3), np.ones(3) * 1.1, TOL, group="gradients"))
    table = report.table()
    assert table.splitlines()[0] == "demo"
    assert "quantity" in table and "FAIL" in table and "1 passed, 1 failed" in table
    data = json.loads(report.to_json())
    assert data["passed"] is False and data["checks"][1]["layer"] == "2"
    with pytest.raises(AssertionError, match=r"parity failed: db\[2\]") as info:
        assert_parity(report)
    assert "1 passed, 1 failed" in str(info.value)
    assert not ParityReport("empty").passed


def test_group_is_data_set_where_the_row_is_made() -> None:
    with pytest.raises(ValueError, match="group must be one of"):
        compare_arrays("dW", 1, np.ones(1), np.ones(1), TOL, group="misc")
    from parity import GROUPS, ZOO, architecture_report

    report = architecture_report(ZOO["regularized_dropout"], m=6, steps=1)
    groups = report.groups()
    assert list(groups) == ["forward", "cost", "gradients", "numerical", "inference",
                            "training", "initializer"]
    assert list(groups) == [g for g in GROUPS if g in groups]
    assert all(c.quantity.startswith("forward") for c in groups["forward"])
    assert all(c.sides[1] == "numerical" for c in groups["numerical"])
    assert sum(len(v) for v in groups.values()) == len(report.checks)
    assert json.loads(report.to_json())["checks"][0]["group"] == "forward"


def test_used_is_the_fraction_of_the_tolerance_at_the_worst_element() -> None:
    from parity.report import compare_scalar_below

    tol = Tolerance(1e-3, 1e-6)
    half = compare_arrays("q", 1, np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1.0005e-3]), tol,
                          group="forward")
    assert half.passed and half.used == pytest.approx(1.0005e-3 / (1e-6 + 1e-3 * 2.0010005))
    over = compare_arrays("q", 1, np.array([1.0]), np.array([1.1]), tol, group="forward")
    assert not over.passed and over.used > 1
    scalar = compare_scalar_below("rel", "-", 5e-4, Tolerance(1e-3, 0.0), ("a", "b"),
                                  group="numerical")
    assert scalar.used == pytest.approx(0.5)
    shape = compare_arrays("q", 1, np.zeros(2), np.zeros(3), tol, group="forward")
    assert shape.used == float("inf")


def test_compare_to_numerical_rule() -> None:
    from parity.report import compare_to_numerical

    approx = np.array([1.0, -2.0, 3.0])
    index = lambda k: (k,)  # noqa: E731
    right = compare_to_numerical("dW", 1, approx * (1 + 1e-9), approx, 0.0, "numpy", "", index)
    assert right.passed and right.group == "numerical"
    wrong = compare_to_numerical("dW", 1, approx * 1.01, approx, 0.0, "numpy", "", index)
    assert not wrong.passed and wrong.index == (2,) and wrong.sides == ("numpy", "numerical")
    tiny = compare_to_numerical("dW", 1, np.array([1e-12]), np.array([-1e-12]), 1e-11,
                                "keras", "", index)
    assert tiny.passed  # relative difference 1, but below the round-off floor
    assert not compare_to_numerical("dW", 1, np.array([1e-12]), np.array([-1e-12]), 1e-13,
                                    "keras", "", index).passed


def test_non_finite_numbers_of_a_report_are_written_as_null_and_listed() -> None:
    """Found by review: they were written as the strings "inf" and "nan", unlike every
    other JSON the project writes (null, listed under "non_finite_values")."""
    report = ParityReport("t").add(compare_arrays(
        "x", 1, np.array([1.0, np.inf]), np.array([1.0, np.nan]), Tolerance(1e-6, 1e-6),
        group="forward"))
    data = json.loads(report.to_json(), parse_constant=lambda token: pytest.fail(token))
    check = data["checks"][0]
    assert check["left"] is None and check["right"] is None and check["max_abs"] is None
    assert data["non_finite_values"]["checks[0].left"] == "inf"
    assert data["non_finite_values"]["checks[0].right"] == "nan"


def test_a_report_on_one_example_says_what_it_cannot_see() -> None:
    """Found by review: at m = 1 a missing 1/m passed every row, unsaid."""
    from parity import ZOO, architecture_report
    from parity.report import ONE_EXAMPLE

    arch = ZOO["logistic_regression"]
    assert architecture_report(arch, m=1, numerical=False).notes == [ONE_EXAMPLE]
    assert architecture_report(arch, m=2, numerical=False).notes == []


def test_a_report_compares_the_initialiser_too(monkeypatch) -> None:
    """Found by review: He initialisation with 1/n instead of 2/n passed report, train and
    the main job; the report now runs compare_initializers for its architecture."""
    import numpy_impl as ni
    from parity import ZOO, architecture_report

    arch = ZOO["shallow_relu"]
    assert arch.initializer == "he"
    report = architecture_report(arch, m=8, numerical=False)
    assert_parity(report)
    assert any(c.quantity == "init variance" for c in report.checks)
    original = ni.initialize_parameters

    def half_variance(*args, **kwargs):
        return {k: v / np.sqrt(2) for k, v in original(*args, **kwargs).items()}

    monkeypatch.setattr(ni, "initialize_parameters", half_variance)
    failed = {c.quantity for c in architecture_report(arch, m=8, numerical=False).failures()}
    assert failed == {"init variance"}, failed


def test_report_hidden_reaches_every_hidden_activation(monkeypatch, capsys) -> None:
    """Found by review: no command exercised leaky_relu (the zoo has none, report had no
    --hidden), so a wrong leaky_relu backward passed everything on the command line."""
    import numpy_impl as ni
    from parity import cli

    args = ["report", "--arch", "4,5,3,1", "--hidden", "leaky_relu", "--m", "6"]
    assert cli.main(args) == 0
    assert "4-5-3-1 leaky_relu/sigmoid" in capsys.readouterr().out
    leaky = ni.ACTIVATIONS["leaky_relu"]
    monkeypatch.setitem(ni.ACTIVATIONS, "leaky_relu", ni.Activation(
        "leaky_relu", leaky.forward, lambda dA, Z: np.where(Z > 0, dA, 0.0 * dA)))
    assert cli.main(args) == 1
    assert cli.main(["report", "--arch", "conv_digits", "--hidden", "tanh"]) == 2
    assert "--hidden tanh applies to a dense architecture" in capsys.readouterr().err
