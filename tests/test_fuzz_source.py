"""Fuzzing the source, schema and load stages: any input gives a record or located diagnostics, never a crash.

The budget is fixed (ALIGNCAT_FUZZ_EXAMPLES, 150 by default, derandomized) so CI is fast and repeatable; run
`ALIGNCAT_FUZZ_EXAMPLES=5000 ALIGNCAT_FUZZ_RANDOM=1 pytest tests/test_fuzz_source.py` to search harder.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligncat import load_catalog
from aligncat.export import export
from aligncat.load import read_record
from aligncat.model import record_from_dict
from aligncat.source import read_yaml

MINI = Path(__file__).parent / "data" / "mini_catalog"
FUZZ = settings(
    max_examples=int(os.environ.get("ALIGNCAT_FUZZ_EXAMPLES", "150")),
    derandomize=os.environ.get("ALIGNCAT_FUZZ_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
SOURCE_ONLY_WITHOUT_LINE = {"unreadable"}

# Pieces that carry meaning in YAML, so random text hits the parser's corners rather than plain scalars.
YAML_TOKENS = [
    "\n",
    "  ",
    "- ",
    ": ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!!python/object ",
    "|",
    ">",
    "'",
    '"',
    "#",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "\t",
    "\ufeff",
    "\x00",
    "\u202e",
    "\u200b",
    "id",
    "kind",
    "paper",
    "title",
    "authors",
    "year",
    "2020",
    "no",
    "on",
    "1e3",
    "0x1F",
    "2020-01-01",
    "~",
    "null",
    "<<: ",
    "\\",
    "é",
    "\r",
    "\x85",
    "\u2028",
]


def _check_source(src, text_lines: int | None) -> None:
    if src.data is not None:
        assert isinstance(src.data, dict)
    else:
        assert any(d.is_error for d in src.diagnostics), "a file that is not read must say why"
    for d in src.diagnostics:
        assert d.message and d.code and d.path
        if d.code not in SOURCE_ONLY_WITHOUT_LINE:
            assert d.line is not None and d.line >= 1 and d.col is not None and d.col >= 1, d
            if text_lines is not None:
                assert d.line <= text_lines + 1, d


@FUZZ
@given(st.binary(max_size=2_000))
def test_read_yaml_never_raises_on_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "x.yaml"
        p.write_bytes(raw)
        src = read_yaml(p)
        _check_source(src, raw.count(b"\n") + raw.count(b"\r") + 1)


@FUZZ
@given(st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=5), max_size=60).map("".join))
def test_read_yaml_never_raises_on_yaml_like_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "x.yaml"
        p.write_bytes(text.encode("utf-8", "surrogatepass"))
        src = read_yaml(p)
        # Lines as YAML counts them (it also breaks on \r, \x85, \u2028, \u2029).
        _check_source(src, len(text.splitlines()) + text.count("\r") + 1)
        if src.data is not None and not src.diagnostics:
            assert src.data == yaml.safe_load(text), (
                "the strict reader must agree with PyYAML on what it accepts"
            )


def _mini_records() -> list[tuple[str, dict]]:
    out = []
    for p in sorted(MINI.glob("*/*.yaml")):
        if p.parent.name != "vocabularies":
            out.append((f"{p.parent.name}/{p.name}", yaml.safe_load(p.read_text(encoding="utf-8"))))
    return out


RECORDS = _mini_records()

# Values a contributor (or a broken importer) might put anywhere.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.dates(min_value=dt.date(1, 1, 1))
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            " ",
            "javascript:alert(1)",
            "https://",
            "2020",
            "x" * 3000,
            "alpha2019-base",
            "def-one",
            "builds_on",
            "paper",
            "toy-method",
        ]
    )
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_records(draw):
    rel, data = draw(st.sampled_from(RECORDS))
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(values)
        else:
            parent[path[-1]] = draw(values)
    return rel, data


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


@FUZZ
@given(mutated_records())
def test_mutated_records_give_a_record_or_located_diagnostics(case) -> None:
    rel, data = case
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / Path(rel).name
        text = _dump(data)
        p.write_text(text, encoding="utf-8")
        loaded, diags = read_record(p, rel, rel.split("/")[0].rstrip("s") if "/" in rel else "paper")
        for d in diags:
            assert d.path == rel and d.line is not None and 1 <= d.line <= text.count("\n") + 1, d
            assert d.message and (d.hint or d.code in {"tab"}), d
        if loaded is None:
            assert any(d.is_error for d in diags)
        else:
            record = record_from_dict(loaded, rel)  # schema-valid data always makes a record
            assert record.id == loaded["id"]


@FUZZ
@given(mutated_records())
def test_a_catalog_with_a_mutated_record_loads_and_exports(tmp_path_factory, case) -> None:
    rel, data = case
    root = tmp_path_factory.mktemp("cat") / "c"
    shutil.copytree(MINI, root)
    (root / rel).write_text(_dump(data), encoding="utf-8")
    catalog = load_catalog(root)
    for d in catalog.diagnostics:
        assert d.message and d.code and d.path, d
        if d.path.endswith(".yaml") and d.is_error:
            assert d.line is not None, d
    if catalog.records:
        assert export(catalog, "json")
