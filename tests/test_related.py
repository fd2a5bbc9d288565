"""Graph stage, related works (aligncat.related): co-citation, bibliographic coupling, rarer shared categories and
tags; never a record the page already relates to; at most five, each with its reasons; the same every time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aligncat import load_catalog
from aligncat.related import LIMIT, related_works

MINI = Path(__file__).parent / "data" / "mini_catalog"
REAL = Path(__file__).resolve().parents[1] / "catalog"


def _record(rid: str, kind: str, year: int, uses: tuple[str, ...] = (), tags: tuple[str, ...] = ()) -> str:
    rels = "".join(f"\n- {{type: uses, target: {t}}}" for t in uses)
    return (
        f"id: {rid}\nkind: {kind}\ntitle: 'Record {rid}'\nyear: {year}\ncategories: [def-one]\n"
        f"summary: A fictional record for the related-works tests.\n"
        + (f"tags: [{', '.join(tags)}]\n" if tags else "")
        + (f"relations:{rels}\n" if uses else "")
        + "added: '2026-11-04'\n"
    )


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """Two papers that each use the same two datasets (so the datasets are co-cited and the papers coupled)."""
    root = tmp_path_factory.mktemp("related") / "catalog"
    shutil.copytree(MINI, root)
    files = {
        "datasets/tone2020-data.yaml": _record("tone2020-data", "dataset", 2020),
        "datasets/ttwo2020-data.yaml": _record("ttwo2020-data", "dataset", 2020),
        "papers/pone2021-user.yaml": _record("pone2021-user", "paper", 2021, ("tone2020-data", "ttwo2020-data")),
        "papers/ptwo2021-user.yaml": _record("ptwo2021-user", "paper", 2021, ("tone2020-data", "ttwo2020-data")),
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    catalog = load_catalog(root)
    assert not catalog.errors, catalog.errors
    return catalog


def test_works_used_together_are_related_by_co_citation(pairs):
    top = related_works(pairs)["tone2020-data"]
    assert top and top[0].id == "ttwo2020-data"
    cocited = next(r for r in top[0].reasons if r.kind == "cocited")
    assert cocited.count == 2 and set(cocited.examples) == {"pone2021-user", "ptwo2021-user"}


def test_works_drawing_on_the_same_works_are_related_by_coupling(pairs):
    top = related_works(pairs)["pone2021-user"]
    assert top and top[0].id == "ptwo2021-user"
    coupled = next(r for r in top[0].reasons if r.kind == "coupled")
    assert coupled.count == 2


def test_stated_relations_and_the_record_itself_are_left_out(pairs):
    rel = related_works(pairs)
    for rid, items in rel.items():
        record = pairs.records[rid]
        direct = {x.target for x in record.relations} | {s.id for s, _ in pairs.incoming(rid)} | {rid}
        assert not direct & {r.id for r in items}, rid


def test_at_most_five_best_first_each_with_a_reason_and_the_same_every_time():
    catalog = load_catalog(REAL)
    first, second = related_works(catalog), related_works(catalog)
    assert first == second
    assert set(first) == set(catalog.records)
    for items in first.values():
        assert len(items) <= LIMIT
        assert [r.score for r in items] == sorted((r.score for r in items), reverse=True)
        assert all(r.reasons for r in items)
    assert sum(1 for items in first.values() if items) >= 0.9 * len(catalog.records)


def test_a_rare_shared_tag_counts_more_than_a_common_category(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    tags = (root / "vocabularies" / "tags.yaml").read_text(encoding="utf-8")
    tag = next(line.split(":", 1)[1].strip() for line in tags.splitlines() if line.strip().startswith("- id:"))
    for rid in ("aone2021-x", "atwo2021-x"):
        (root / "papers" / f"{rid}.yaml").write_text(
            _record(rid, "paper", 2021, ("alpha2019-base",), (tag,)), encoding="utf-8"
        )
    (root / "papers" / "athree2021-x.yaml").write_text(_record("athree2021-x", "paper", 2021, ("alpha2019-base",)))
    catalog = load_catalog(root)
    assert not catalog.errors, catalog.errors
    top = related_works(catalog)["aone2021-x"]
    assert top[0].id == "atwo2021-x"  # shares the tag besides the category and the target athree2021-x also has
    assert any(r.kind == "tag" and r.examples == (tag,) for r in top[0].reasons)


def test_the_record_page_shows_them_with_their_reasons(pairs):
    from aligncat.render import RenderContext
    from aligncat.render.related_section import related_section

    text = related_section(pairs, pairs.records["tone2020-data"], RenderContext())
    assert text.startswith("## Related works")
    assert 'href="../ttwo2020-data/"' in text
    assert "both used by 2 works, such as Record pone2021-user" in text
    assert "data-search-exclude" in text


def test_reasons_read_as_one_phrase(pairs):
    from aligncat.related import Reason
    from aligncat.render.related_section import why_text

    cats = list(pairs.taxonomy.categories.values())[:2]
    why = why_text(
        pairs,
        (
            Reason("cocited", 2, ("pone2021-user", "ptwo2021-user")),
            Reason("category", 1, (cats[0].id,)),
            Reason("category", 1, (cats[1].id,)),
            Reason("tag", 1, ("toy-data",)),
        ),
    )
    assert why == (
        f"both used by 2 works, such as Record pone2021-user; both filed under {cats[0].title} and {cats[1].title}; "
        "both tagged Toy data"
    )
