"""Graph stage, layout (aligncat.layout): the graph page's positions, the neighbourhood drawing and the timeline's
columns are computed once, the same way every time, and keep labels whole."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from aligncat import load_catalog
from aligncat.layout import (
    GAP,
    graph_layout,
    neighbourhood_layout,
    short_label,
    timeline_columns,
    with_positions,
    wrap_label,
)

MINI = Path(__file__).parent / "data" / "mini_catalog"
REAL = Path(__file__).resolve().parents[1] / "catalog"

LONELY = """id: lone2022-data
kind: dataset
title: A Lonely Toy Dataset With No Relation
year: 2022
categories: [def-one]
summary: A fictional dataset that nothing relates to.
added: '2026-11-04'
"""

PAIR = [
    (
        "papers/pair2021-left.yaml",
        """id: pair2021-left
kind: paper
title: 'Left of a Pair'
year: 2021
categories: [def-one]
summary: A fictional paper related only to its pair.
relations:
- {type: builds_on, target: pair2020-right}
added: '2026-11-04'
""",
    ),
    (
        "papers/pair2020-right.yaml",
        """id: pair2020-right
kind: paper
title: 'Right of a Pair'
year: 2020
categories: [def-one]
summary: A fictional paper related only to its pair.
added: '2026-11-04'
""",
    ),
]


@pytest.fixture(scope="module")
def mini():
    return load_catalog(MINI)


@pytest.fixture(scope="module")
def islands(tmp_path_factory):
    """The toy catalog plus a record with no relation and a pair related only to each other."""
    root = tmp_path_factory.mktemp("islands") / "catalog"
    shutil.copytree(MINI, root)
    (root / "datasets" / "lone2022-data.yaml").write_text(LONELY, encoding="utf-8")
    for rel, text in PAIR:
        (root / rel).write_text(text, encoding="utf-8")
    catalog = load_catalog(root)
    assert not catalog.errors, catalog.errors
    return catalog


def test_layout_is_the_same_every_time(mini):
    first, second = graph_layout(mini), graph_layout(mini)
    assert first == second
    assert first.method == "force"
    assert set(first.positions) == set(mini.records)


def test_records_without_relations_are_listed_not_placed(islands):
    layout = graph_layout(islands)
    assert layout.isolated == ("lone2022-data",)
    assert "lone2022-data" not in layout.positions
    assert set(layout.positions) == set(islands.records) - {"lone2022-data"}


def test_separate_groups_do_not_overlap(islands):
    layout = graph_layout(islands)
    pair = {"pair2021-left", "pair2020-right"}
    main = set(layout.positions) - pair

    def box(ids):
        xs = [layout.positions[i][0] for i in ids]
        ys = [layout.positions[i][1] for i in ids]
        return min(xs), min(ys), max(xs), max(ys)

    a, b = box(main), box(pair)
    apart_x = a[2] + GAP <= b[0] + 0.1 or b[2] + GAP <= a[0] + 0.1
    apart_y = a[3] + GAP <= b[1] + 0.1 or b[3] + GAP <= a[1] + 0.1
    assert apart_x or apart_y
    # the positions fill the drawing's box from (0, 0)
    xs = [p[0] for p in layout.positions.values()]
    ys = [p[1] for p in layout.positions.values()]
    assert min(xs) == 0 and min(ys) == 0
    assert math.isclose(max(xs), layout.width, abs_tol=0.11) and math.isclose(
        max(ys), layout.height, abs_tol=0.11
    )


def test_older_work_is_drawn_left_of_the_work_that_builds_on_it(islands):
    pos = graph_layout(islands).positions
    assert pos["pair2020-right"][0] < pos["pair2021-left"][0]


def test_real_catalog_nodes_keep_apart():
    catalog = load_catalog(REAL)
    layout = graph_layout(catalog)
    assert len(layout.positions) + len(layout.isolated) == len(catalog.records)
    pts = list(layout.positions.values())
    # no two records on the same spot: every one can be seen and clicked
    closest = min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1 :])
    assert closest > 1.0


def test_with_positions_adds_x_and_y_to_drawn_nodes_only(islands):
    from aligncat.export.graph_json import graph_document

    doc = graph_document(islands, tuple(islands.records.values()))
    out = with_positions(doc, graph_layout(islands))
    by_id = {n["id"]: n for n in out["nodes"]}
    assert "x" not in by_id["lone2022-data"] and "y" not in by_id["lone2022-data"]
    assert all("x" in n and "y" in n for i, n in by_id.items() if i != "lone2022-data")
    assert out["graph"]["layout"]["method"] == "force"
    assert "x" not in doc["nodes"][0]  # the export's document is left as it was


@pytest.mark.parametrize(
    "text,width,expected",
    [
        (
            "Deep Reinforcement Learning from Human Preferences",
            18,
            ("Deep Reinforcement", "Learning from", "Human Preferences"),
        ),
        ("InstructGPT", 13, ("InstructGPT",)),
        ("Supercalifragilisticexpialidocious dataset", 10, ("Supercalifragilisticexpialidocious", "dataset")),
        ("Helpful-Harmless-Honest-Assistant evaluation", 12, ("Helpful-", "Harmless-", "Honest…")),
        ("one two three four five six seven eight", 9, ("one two", "three", "four five…")),
    ],
)
def test_wrap_label_breaks_between_words(text, width, expected):
    lines = wrap_label(text, width)
    assert lines == expected
    words = {w.rstrip("-") for w in text.replace("-", "- ").split()}
    for line in lines:
        for word in line.rstrip("…").replace("-", "- ").split():
            assert (
                word.rstrip("-") in words
            )  # every piece is a whole word of the text (or a whole hyphenated part)


def test_short_label_cuts_after_a_whole_word():
    assert short_label("Summarize from Feedback", 30) == "Summarize from Feedback"
    assert short_label("Schwartz Theory of Basic Human Values", 17) == "Schwartz Theory…"
    assert short_label("Supercalifragilistic words", 10) == "Supercalifragilistic…"
    assert short_label("Alignment: A Comprehensive Survey", 12) == "Alignment…"


def test_timeline_folds_sparse_early_years():
    counts = {1967: 1, 1981: 1, 2002: 2, 2017: 2, 2020: 9, 2021: 12, 2022: 29, 2023: 115, 2024: 69, 2025: 1}
    cols = timeline_columns(counts)
    # 6 of 241 works (under 5 %) before 2020: one column
    assert cols[0].label == "1967–2017" and cols[0].count == 6 and cols[0].holds(1981)
    assert [c.label for c in cols[1:]] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert sum(c.count for c in cols) == sum(counts.values())
    assert all(cols[i].last < cols[i + 1].first for i in range(len(cols) - 1))


def test_timeline_keeps_every_year_when_none_is_sparse():
    counts = {2020: 5, 2021: 6, 2022: 7}
    assert [c.label for c in timeline_columns(counts)] == ["2020", "2021", "2022"]
    assert [c.label for c in timeline_columns({2021: 1, 2024: 50})] == [
        "2021",
        "2024",
    ]  # one year is not folded
    assert timeline_columns({}) == ()


def test_neighbourhood_puts_cited_works_left_and_citing_works_right(mini):
    beta = mini.records["beta2020-method"]
    nb = neighbourhood_layout(mini, beta)
    assert nb is not None and nb.centre.id == beta.id
    out = [n for n in nb.nodes if n.side == "out"]
    inc = [n for n in nb.nodes if n.side == "in"]
    targets = {rel.target for rel in beta.relations if rel.target in mini.records}
    sources = {src.id for src, _ in mini.incoming(beta.id)} - targets
    assert {n.id for n in out} == targets
    assert {n.id for n in inc} == sources
    assert all(n.x < nb.centre.x for n in out) and all(n.x > nb.centre.x for n in inc)
    # each side oldest first, with room for every wrapped label
    for side in (out, inc):
        assert [n.year for n in side] == sorted(n.year for n in side)
        for a, b in zip(side, side[1:], strict=False):
            assert b.y - a.y >= (len(a.lines) + 1) * nb.line_height
    gamma = next(n for n in inc if n.id == "gamma2021-extension")
    assert gamma.relations == ("extended by",) and gamma.ordered
    assert nb.height >= max(n.y for n in nb.nodes)


def test_neighbourhood_of_a_record_without_relations_is_none(islands):
    assert neighbourhood_layout(islands, islands.records["lone2022-data"]) is None
