"""export/reference.py memoizes citeproc-py's per-style lookups (memoize_citeproc): the citeproc-py
functions it wraps must still exist as it read them, and every reference must come out byte for byte as
without the memo."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import hostile_citations as H
from aligncat import load_catalog
from aligncat.export import reference

ROOT = Path(__file__).resolve().parents[1]

# The parameters each wrapper in export/reference.py takes, as citeproc-py declares them.
PARAMETERS = {
    "CitationStylesElement.get_macro": ["self", "name"],
    "CitationStylesElement.xpath_search": ["self", "expression"],
    "Locale.get_term": ["self", "name", "form", "zero_padded"],
    "Parent.calls_variable": ["self"],
    "Text.calls_variable": ["self"],
}


def _formatted_all(catalog, memo: bool) -> dict[tuple[str, str], str]:
    """Every record in every style, with or without the memo, on styles parsed afresh for it."""
    reference.memoize_citeproc(memo)
    reference._style.cache_clear()
    try:
        return {(r.id, style): reference._render(r, style)
                for r in catalog.records.values() for style in reference.STYLES}
    finally:
        reference.memoize_citeproc(True)
        reference._style.cache_clear()


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(ROOT / "catalog")


def test_the_installed_citeproc_py_still_has_the_functions_the_memo_wraps():
    import importlib

    reference.memoize_citeproc(False)  # citeproc-py's own functions, not the wrappers
    try:
        found = {}
        for module, name in reference.CITEPROC_MEMOIZED:
            cls_name, func = name.split(".")
            cls = getattr(importlib.import_module(module), cls_name, None)
            own = None if cls is None else cls.__dict__.get(func)
            found[name] = None if own is None else list(inspect.signature(own).parameters)
    finally:
        reference.memoize_citeproc(True)
    assert found == PARAMETERS, "citeproc-py changed: read it again and update export/reference.py's memo"


def test_the_memo_was_read_from_the_installed_citeproc_py():
    from importlib.metadata import version

    assert version("citeproc-py") == reference.CITEPROC_READ_FROM, (
        "citeproc-py was upgraded: check that each function memoize_citeproc wraps is still pure for a "
        "parsed style, then update CITEPROC_READ_FROM and the docstring")


def test_formatting_uses_the_memo(shipped):
    from citeproc import model

    reference._style.cache_clear()
    record = next(iter(shipped.records.values()))
    reference._render(record, "apa")
    assert model.Parent.calls_variable is not reference._installed["Parent.calls_variable"][2]
    assert all(reference._memo[name] for _, name in reference.CITEPROC_MEMOIZED), {
        name: len(memo) for name, memo in reference._memo.items()}


def test_the_memo_can_be_turned_off_and_restores_citeproc_py():
    from citeproc import model

    reference.memoize_citeproc(True)
    original = reference._installed["Parent.calls_variable"][2]
    reference.memoize_citeproc(False)
    try:
        assert model.Parent.__dict__["calls_variable"] is original
        assert reference._memo == {} and reference._installed == {}
    finally:
        reference.memoize_citeproc(True)
    assert model.Parent.__dict__["calls_variable"] is not original


def test_every_shipped_record_is_formatted_byte_for_byte_as_without_the_memo(shipped):
    plain = _formatted_all(shipped, memo=False)
    memo = _formatted_all(shipped, memo=True)
    assert len(plain) == len(shipped.records) * len(reference.STYLES) > 300
    assert [k for k in plain if plain[k] != memo[k]] == []


def test_hostile_records_are_formatted_as_without_the_memo(tmp_path):
    cat = load_catalog(H.build(tmp_path / "catalog"))
    assert _formatted_all(cat, memo=True) == _formatted_all(cat, memo=False)
