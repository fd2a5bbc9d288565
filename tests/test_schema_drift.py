"""One source of truth: the JSON Schemas, the dataclasses and the relation table must agree."""

from __future__ import annotations

import dataclasses

import pytest

from aligncat.model import (RECORD_CLASSES, RELATION_TYPES, Author, BenchmarkInfo, DatasetInfo, Link, Relation,
                            ResourceInfo)
from aligncat.schema import bundled_schema, raw_schema, resolve


def fields_of(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} - {"path"}


@pytest.mark.parametrize("kind", sorted(RECORD_CLASSES))
def test_record_fields_match_schema(kind: str) -> None:
    assert fields_of(RECORD_CLASSES[kind]) == set(raw_schema(kind)["properties"])


@pytest.mark.parametrize("cls,defname", [(Author, "author"), (Link, "link"), (Relation, "relation"),
                                         (DatasetInfo, "dataset_info"), (BenchmarkInfo, "benchmark_info"),
                                         (ResourceInfo, "resource_info")])
def test_nested_fields_match_schema(cls, defname: str) -> None:
    assert fields_of(cls) == set(raw_schema("defs")["$defs"][defname]["properties"])


def test_relation_enum_matches_relation_table() -> None:
    enum = raw_schema("defs")["$defs"]["relation"]["properties"]["type"]["enum"]
    assert enum == list(RELATION_TYPES)


@pytest.mark.parametrize("name", ["paper", "dataset", "benchmark", "resource", "taxonomy", "tags", "catalog"])
def test_every_property_has_a_description(name: str) -> None:
    schema = bundled_schema(name)
    assert schema["$schema"].endswith("2020-12/schema")
    missing = []
    stack = [("", schema)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for prop, sub in node.get("properties", {}).items():
                if not resolve(schema, sub).get("description"):
                    missing.append(f"{where}/{prop}")
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, f"{where} allows unknown fields"
            for k, v in node.items():
                stack.append((f"{where}/{k}", v))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(node))
    assert not missing, missing


def test_the_kinds_are_read_from_the_schema_and_every_table_of_kinds_covers_them() -> None:
    """One list of kinds (defs.schema.json's `kind` enum): each per-kind table names exactly those kinds."""
    from aligncat.export._citation import _KIND_DEFAULT
    from aligncat.export.dot import KIND_SHAPES
    from aligncat.load import FOLDER_KINDS
    from aligncat.model import KINDS, kind_folder
    from aligncat.render.pages import KIND_SINGULAR, KIND_TITLES
    from aligncat.schema import KINDS as SCHEMA_KINDS

    assert KINDS is SCHEMA_KINDS
    assert list(KINDS) == raw_schema("defs")["$defs"]["kind"]["enum"]
    for name, table in [("RECORD_CLASSES", RECORD_CLASSES), ("export._citation._KIND_DEFAULT", _KIND_DEFAULT),
                        ("export.dot.KIND_SHAPES", KIND_SHAPES), ("render.pages.KIND_TITLES", KIND_TITLES),
                        ("render.pages.KIND_SINGULAR", KIND_SINGULAR)]:
        assert set(table) == set(KINDS), f"{name} does not cover the schema's kinds {KINDS}"
    assert FOLDER_KINDS == {kind_folder(k): k for k in KINDS}
    for t in RELATION_TYPES.values():
        assert set(t.sources) <= set(KINDS) and set(t.targets) <= set(KINDS), t.name


def test_the_kinds_are_written_out_nowhere_else() -> None:
    """The literal list of the four kinds appears in the schema only, not in the package's code."""
    import re
    from pathlib import Path

    import aligncat
    from aligncat.model import KINDS

    pattern = re.compile(r"\(\s*" + r",\s*".join(f'"{k}"' for k in KINDS) + r"\s*,?\s*\)|\[\s*"
                         + r",\s*".join(f'"{k}"' for k in KINDS) + r"\s*\]")
    found = [str(p) for p in Path(aligncat.__file__).parent.rglob("*.py") if pattern.search(p.read_text())]
    assert not found, f"the list of kinds is written out in {found}: use aligncat.model.KINDS"
