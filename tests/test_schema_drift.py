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
