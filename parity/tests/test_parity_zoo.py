"""Every zoo architecture, float64 and float32: forward, cost, three-way gradients, and
training with every mapped optimizer on ragged mini-batches."""

from __future__ import annotations

import pytest

from parity import ZOO, architecture_report, assert_parity


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_parity(name: str, dtype: str) -> None:
    arch = ZOO[name].replace(dtype=dtype)
    report = architecture_report(arch, m=24, steps=3)
    assert_parity(report)
    quantities = {c.quantity.split(" [")[0] for c in report.checks}
    assert {"forward A", "dW", "db", "dA0 (input)", "W", "b", "step cost"} <= quantities
    if dtype == "float64" and not arch.uses_dropout:
        assert any(c.sides == ("keras", "numerical") for c in report.checks)
