"""Every bad-input case in tests/data/invalid yields exactly its expected diagnostics, each located and with a fix."""

from __future__ import annotations

import pytest
from invalid_cases import INVALID, case_names, first_lines, run_case


@pytest.mark.parametrize("case", case_names())
def test_invalid_case(case: str, tmp_path) -> None:
    catalog = run_case(case, tmp_path)
    expected = (INVALID / f"{case}.expected").read_text().splitlines()
    assert first_lines(catalog) == expected
    assert catalog.diagnostics, "every invalid case must produce a diagnostic"
    for d in catalog.diagnostics:
        assert d.hint, f"{d.code} has no hint"
        if d.code not in ("stray-file", "file-name"):  # whole-file problems have no line
            assert d.line is not None and d.col is not None, d.to_text()


def test_every_case_has_expectations() -> None:
    for case in case_names():
        assert (INVALID / f"{case}.expected").exists(), case


def test_all_problems_reported_in_one_run(tmp_path) -> None:
    """Several broken files at once: each is reported, none stops the others, valid records still load."""
    import shutil

    from aligncat import load_catalog
    from invalid_cases import MINI, placement

    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    cases = ["yaml-syntax", "duplicate-key", "unknown-field", "dangling-ref", "bom"]
    for case in cases:
        target = root / placement(case)
        target.write_bytes((INVALID / f"{case}.yaml").read_bytes())
    catalog = load_catalog(root)
    reported = {d.path for d in catalog.errors}
    assert reported == {placement(c) for c in cases}
    assert "alpha2019-base" in catalog.records and len(catalog.records) >= 9
