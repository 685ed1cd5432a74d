"""Mutation testing, as CI runs it: the catalogue is sound, the probe is clean on the
real code, and a fast subset of planted mistakes is detected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import mutants


def test_catalogue_is_large_and_every_pattern_applies_once(tmp_path: Path) -> None:
    assert len(mutants.CATALOGUE) >= 15
    assert len({m.name for m in mutants.CATALOGUE}) == len(mutants.CATALOGUE)
    shutil.copytree(mutants.PROJECT / "numpy_impl", tmp_path / "numpy_impl")
    for mistake in mutants.CATALOGUE:
        source = (tmp_path / "numpy_impl" / mistake.file).read_text()
        assert source.count(mistake.old) == 1, mistake.name
        assert mistake.old != mistake.new


def test_probe_is_clean_on_the_real_code() -> None:
    assert mutants.probe() == []


def test_fast_subset_is_detected() -> None:
    results = mutants.run_catalogue(mutants.FAST_CATALOGUE, jobs=2)
    assert [r.mistake.name for r in results] == list(mutants.FAST_CATALOGUE)
    for r in results:
        assert r.detected, r.mistake.name
    table = mutants.catalogue_table(results)
    assert f"{len(results)} of {len(results)} mistakes detected" in table


def test_unknown_mistake_name() -> None:
    with pytest.raises(ValueError, match="unknown mistake"):
        mutants.run_catalogue(["not a mistake"])


def test_generic_mutator_changes_the_code() -> None:
    found = mutants.generic_mutants(("layers.py",))
    kinds = {m.kind for m in found}
    assert {"operator", "transpose", "keepdims", "axis"} <= kinds
    source = (mutants.PROJECT / "numpy_impl" / "layers.py").read_text()
    transpose = next(m for m in found if m.kind == "transpose")
    mutated = mutants.mutate_source(source, transpose.index)
    assert mutated != source and mutated.count(".T") == source.count(".T") - 1
    assert all("raise" not in m.source_line for m in found)  # validation is not mutated


def test_a_generic_mutant_is_killed() -> None:
    found = mutants.generic_mutants(("layers.py",))
    keepdims = next(m for m in found if m.kind == "keepdims")
    result = mutants.run_mutant(keepdims)
    assert result.killed and result.killed_by
