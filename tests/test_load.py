"""Loading the toy catalog: frozen records, indexes, taxonomy inheritance and the JSON export's shape."""

from __future__ import annotations

import dataclasses
import json

import pytest

from aligncat import load_catalog
from aligncat.export import Selection, export
from aligncat.model import RELATION_TYPES, Dataset, Resource

from invalid_cases import MINI


@pytest.fixture(scope="module")
def cat():
    c = load_catalog(MINI)
    assert not c.diagnostics, [d.to_text() for d in c.diagnostics]
    return c


def test_every_kind_and_relation_type_is_covered(cat) -> None:
    assert set(cat.by_kind) == {"paper", "dataset", "benchmark", "resource"}
    used = {rel.type for r in cat.records.values() for rel in r.relations}
    assert used == set(RELATION_TYPES)


def test_records_are_frozen(cat) -> None:
    r = cat.records["alpha2019-base"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.title = "changed"  # type: ignore[misc]
    assert isinstance(r.authors, tuple) and isinstance(r.categories, tuple)
    with pytest.raises(TypeError):
        cat.records["x"] = r  # type: ignore[index]


def test_authors_and_kind_specific_fields(cat) -> None:
    alpha = cat.records["alpha2019-base"]
    assert alpha.display_authors == ("Ada Alpha", "Ben Q. Brook", "Toy Lab")
    data = cat.records["toyinst2020-data"]
    assert isinstance(data, Dataset) and data.dataset.instances == 1000 and data.dataset.languages == ("en",)
    blog = cat.records["toyblog2022-notes"]
    assert isinstance(blog, Resource) and blog.resource.type == "blog-post"


def test_indexes(cat) -> None:
    assert [r.id for r in cat.by_tag["toy-data"]] == ["beta2020-method", "toyinst2020-data", "toyinst2021-v2"]
    assert {r.id for r in cat.by_year[2021]} == {"gamma2021-extension", "toyinst2021-v2", "toybench2021"}
    assert cat.find("arxiv", "2001.00002v3").id == "beta2020-method"
    assert cat.find("doi", "10.0000/TOY.BETA").id == "beta2020-method"
    assert {src.id for src, _ in cat.incoming("beta2020-method")} == {"gamma2021-extension", "delta2022-critique"}


def test_categories_inherit_and_nest(cat) -> None:
    tax = cat.taxonomy
    assert tax.categories["def-two-a"].goal_level == "level-two"
    assert tax.categories["def-two-a"].perspective == "definition"
    assert [c.id for c in tax.ancestors("def-two-a")] == ["def", "def-two", "def-two-a"]
    assert {r.id for r in cat.in_category("def-two")} == {"beta2020-method", "toyblog2022-notes"}
    assert tax.primary_categories("alt-early") == ("def-one", "eval-one")
    assert cat.goal_levels_of(cat.records["gamma2021-extension"]) == ("level-three",)
    assert cat.goal_levels_of(cat.records["toybench2021"]) == ("level-one", "level-three")


def test_json_export_document(cat) -> None:
    doc = json.loads(export(cat, "json"))
    assert set(doc) >= {"records", "edges", "taxonomy"}
    rec = {r["id"]: r for r in doc["records"]}
    for r in doc["records"]:
        assert {"id", "kind", "title", "authors", "year", "categories", "identifiers", "links"} <= set(r)
    assert rec["alpha2019-base"]["authors"] == ["Ada Alpha", "Ben Q. Brook", "Toy Lab"]
    assert rec["beta2020-method"]["identifiers"] == {"arxiv": "2001.00002", "doi": "10.0000/toy.beta"}
    assert {"source": "gamma2021-extension", "target": "beta2020-method", "type": "extends",
            "reason": "adds a third goal level"} in doc["edges"]
    assert len(doc["edges"]) == sum(len(r.relations) for r in cat.records.values())


def test_selection_slices(cat) -> None:
    assert {r.id for r in Selection(categories=("eval",)).apply(cat)} == {"gamma2021-extension", "zeta2023-toy-survey", "beta2020-method",
                                                                         "delta2022-critique", "toybench2021"}
    assert {r.id for r in Selection(kinds=("dataset",), year_from=2021).apply(cat)} == {"toyinst2021-v2"}
    doc = json.loads(export(cat, "json", Selection(tags=("toy-method",))))
    ids = {r["id"] for r in doc["records"]}
    assert ids == {"alpha2019-base", "beta2020-method", "gamma2021-extension"}
    assert all(e["source"] in ids and e["target"] in ids for e in doc["edges"])


def test_missing_folder_is_a_diagnostic(tmp_path) -> None:
    cat = load_catalog(tmp_path / "nope")
    assert [d.code for d in cat.diagnostics] == ["no-catalog"]


def test_record_round_trips_to_dict(cat) -> None:
    import yaml

    for r in cat.records.values():
        on_disk = yaml.safe_load((MINI / r.path).read_text())
        assert r.to_dict() == on_disk, r.id


def test_secondary_scheme_categories_map_onto_the_primary_tree(cat) -> None:
    beta = cat.records["beta2020-method"]
    assert beta.categories == ("def-two-a", "alt-early")
    assert cat.categories_of(beta) == ("def-two-a", "alt-early", "def-one", "eval-one")
    assert beta in cat.in_category("eval-one") and beta in cat.in_category("alt-early")
    assert cat.perspectives_of(beta) == ("definition", "evaluation")
