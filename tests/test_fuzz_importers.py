"""Fuzzing the BibTeX and Markdown importers and the formatter: any text gives entries (data or a reason) or a
located error, never an uncaught exception; fmt is idempotent and changes no value."""

from __future__ import annotations

import os
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligncat.fmt import FormatError, format_text
from aligncat.importers.bibtex import parse_bibtex
from aligncat.importers.markdown import items_to_entries, parse_markdown

FUZZ = settings(
    max_examples=int(os.environ.get("ALIGNCAT_FUZZ_EXAMPLES", "150")),
    derandomize=os.environ.get("ALIGNCAT_FUZZ_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BIB_TOKENS = [
    " # ",
    "@string{m = \"x\"}",
    "@proceedings{p, title = {P}, year = 2020}",
    "crossref = {p}",
    "xdata = {p, q}",
    " and others",
    "$\\tau$",
    "\\url{https://x.org/a?b=c}",
    "date = {2024-03}",
    "No",
    "@article{",
    "@misc{",
    "@string{",
    "@comment{",
    "@preamble{",
    "k,",
    "title = ",
    "author = ",
    "year = ",
    "month = ",
    "{",
    "}",
    '"',
    ",",
    "\n",
    " and ",
    "\\&",
    '\\"o',
    "$",
    "#",
    "2020",
    "jan",
    "eprint = {2203.02155}",
    "doi = {10.1/x}",
    "url = {https://x.org}",
    "@",
    "=",
    "%",
    "é",
    "\x00",
]
MD_TOKENS = [
    "# ",
    "## ",
    "- ",
    "* ",
    "1. ",
    "[",
    "]",
    "(",
    ")",
    "https://arxiv.org/abs/2203.02155",
    "**",
    "*",
    "_",
    "`",
    "\n",
    " ",
    "2021",
    "NeurIPS",
    "<details>",
    "</details>",
    "[paper]",
    "[code]",
    "#x",
    "by ",
    "Title of a Work",
    "é",
    "|",
]


@FUZZ
@given(st.lists(st.sampled_from(BIB_TOKENS) | st.text(max_size=4), max_size=60).map("".join))
def test_bibtex_import_accounts_for_every_entry_without_raising(text: str) -> None:
    for entry in parse_bibtex(text, "fuzz.bib"):
        assert entry.source.startswith("fuzz.bib:")
        assert (entry.data is None) == bool(entry.reason), entry
        if entry.data is not None:
            assert entry.data["title"] and isinstance(entry.data["year"], int)


@FUZZ
@given(st.lists(st.sampled_from(MD_TOKENS) | st.text(max_size=4), max_size=60).map("".join))
def test_markdown_import_never_raises(text: str) -> None:
    items = parse_markdown(text)
    lines = text.splitlines()
    for item in items:
        assert 1 <= item.line <= len(lines) and len(item.title) >= 4
    for entry in items_to_entries(items, "fuzz.md"):
        assert entry.data is not None or entry.reason


# Documents in the shapes fmt meets: records with comments, flow and block styles, quoting.
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["id", "kind", "title", "authors", "year", "notes", "links", "zzz", "a"]),
        yaml_values,
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
    st.sampled_from([None, "'", '"']),
)
def test_fmt_is_idempotent_and_changes_no_value(data, flow: bool, quote) -> None:
    text = yaml.safe_dump(
        data, default_flow_style=flow, allow_unicode=True, sort_keys=False, default_style=quote
    )
    text = "# a comment that must survive\n" + text
    try:
        once = format_text(text, schema_name="paper")
    except FormatError as e:
        assert e.message and e.hint
        return
    assert yaml.safe_load(once) == yaml.safe_load(text)
    assert format_text(once, schema_name="paper") == once
    assert "# a comment that must survive" in once


def test_bibtex_import_of_a_huge_unbalanced_entry_is_fast() -> None:
    start = time.perf_counter()
    entries = parse_bibtex("@article{k, title = {" + "{" * 50_000 + "\n" * 1000, "big.bib")
    assert time.perf_counter() - start < 20
    assert all(e.data is None and e.reason for e in entries)


# Lines built to make a backtracking pattern go quadratic (or worse): each was one before it was rewritten (a
# 12,000-space author gap took 1.3 s, a heading of spaces ran for minutes). Linear parsing takes milliseconds; the
# bound is two orders of magnitude above that, so only a super-linear pattern can fail it.
_N = 12_000
PATHOLOGICAL_LINES = {
    "author gap of spaces": "- [A title here](https://x.org) - " + " " * _N + "x",
    "unclosed links": "- [A title](https://x.org) " + "[a](" * (_N // 4) + "x",
    "venue then spaces": "- [A title here](https://x.org) A" + " " * _N + "x",
    "capitalised words": "- [A title here](https://x.org) " + "Ab " * (_N // 3),
    "emphasis marks": "- [A title](https://x.org) " + "_a" * (_N // 2),
    "open brackets": "- [A title](https://x.org) " + "[" * _N,
    "open parentheses": "- [A title](https://x.org) " + "(" * _N,
    "unclosed bold": "- " + "**a" * (_N // 3),
    "heading of spaces": "# a" + " " * _N + "b",
    "heading of hashes": "# a" + " #" * (_N // 2) + "b",
}


@pytest.mark.parametrize("line", PATHOLOGICAL_LINES.values(), ids=PATHOLOGICAL_LINES.keys())
def test_markdown_import_of_a_long_line_is_linear(line: str) -> None:
    start = time.perf_counter()
    parse_markdown(line)
    assert time.perf_counter() - start < 0.5


def test_an_entry_a_middleware_cannot_handle_is_reported_not_dropped() -> None:
    # bibtexparser turns an entry whose author list it cannot split into a MiddlewareErrorBlock; it used to vanish.
    text = (
        "@article{a, title={Real Paper}, author = {Doe, John and Roe,}, year={2020}}\n"
        "@article{b, title={Other}, author={X, Y}, year={2021}}\n"
    )
    entries = parse_bibtex(text, "x.bib")
    assert [e.source for e in entries] == ["x.bib:1 (a)", "x.bib:2 (b)"]
    assert entries[0].data is None and "Trailing comma" in entries[0].reason
