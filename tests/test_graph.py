"""Graph stage tests: the graph rules on broken copies of the toy catalog, the queries, exports and views."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.export import Selection, export
from aligncat.graph import (
    ORDERED_TYPES,
    UnknownRecord,
    build_graph,
    evolution,
    graph_stats,
    lineage,
    pagerank,
    rank,
    shortest_path,
)

MINI = Path(__file__).parent / "data" / "mini_catalog"
GOLDEN = Path(__file__).parent / "data" / "golden" / "graph"
GRAPH_CODES = {"graph-cycle", "time-order", "relation-kind", "orphan", "benchmark-without-dataset"}


@pytest.fixture(scope="module")
def mini():
    return load_catalog(MINI)


@pytest.fixture(scope="module")
def mini_graph(mini):
    return build_graph(mini)


def broken_copy(tmp_path: Path, edits: dict[str, str | tuple[str, str]]) -> Path:
    """The toy catalog with files replaced (text), appended to ((None, text)) or edited ((old, new))."""
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    for rel, change in edits.items():
        path = root / rel
        if isinstance(change, tuple):
            old, new = change
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            if old is None:
                text += new
            else:
                assert old in text, f"{old!r} not in {rel}"
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text(change, encoding="utf-8")
    return root


def graph_diags(catalog):
    return [d for d in catalog.diagnostics if d.code in GRAPH_CODES]


# --- rules ---------------------------------------------------------------------------------------------------


def test_toy_catalog_breaks_no_graph_rule(mini):
    assert graph_diags(mini) == []
    assert mini.ok


def test_cycle_is_reported_with_its_path_at_the_relation(tmp_path):
    # alpha (2019) now builds on zeta (2023), which builds on gamma, which extends beta, which builds on alpha
    root = broken_copy(
        tmp_path,
        {
            "catalog.yaml": ("time_order_tolerance: 0", "time_order_tolerance: 5"),
            "papers/alpha2019-base.yaml": (
                None,
                "relations:\n- {type: builds_on, target: zeta2023-toy-survey}\n",
            ),
        },
    )
    cat = load_catalog(root)
    cycles = [d for d in cat.diagnostics if d.code == "graph-cycle"]
    assert len(cycles) == 1, cat.diagnostics
    d = cycles[0]
    assert d.is_error
    assert d.path == "papers/alpha2019-base.yaml" and d.pointer == "/relations/0"
    text = (root / d.path).read_text().splitlines()
    assert "zeta2023-toy-survey" in text[d.line - 1]
    assert (
        "alpha2019-base builds_on -> zeta2023-toy-survey builds_on -> gamma2021-extension extends -> "
        "beta2020-method builds_on alpha2019-base"
    ) in d.message
    assert not [x for x in cat.diagnostics if x.code == "time-order"]  # within the raised tolerance


def test_unordered_relations_may_form_cycles(tmp_path):
    root = broken_copy(
        tmp_path,
        {
            "papers/alpha2019-base.yaml": (
                None,
                "relations:\n- {type: alternative_to, target: beta2020-method}\n",
            )
        },
    )
    assert graph_diags(load_catalog(root)) == []


def test_building_on_a_later_work_is_a_time_inversion(tmp_path):
    root = broken_copy(
        tmp_path,
        {
            "datasets/toyinst2020-data.yaml": (
                None,
                "relations:\n- {type: derived_from, target: toyinst2021-v2}\n",
            )
        },
    )
    cat = load_catalog(root)
    found = [d for d in cat.diagnostics if d.code == "time-order"]
    assert [(d.path, d.pointer) for d in found] == [("datasets/toyinst2020-data.yaml", "/relations/0/target")]
    assert "'toyinst2020-data' (2020) derived from 'toyinst2021-v2' (2021), a later work" in found[0].message
    assert "time_order_tolerance" in found[0].hint and found[0].line is not None
    # the same relation two ways round is also a cycle
    assert [d.code for d in cat.diagnostics if d.code == "graph-cycle"] == ["graph-cycle"]


def test_time_tolerance_allows_same_year_preprints(tmp_path):
    edits = {
        "papers/alpha2019-base.yaml": (None, "relations:\n- {type: builds_on, target: beta2020-method}\n")
    }
    strict = load_catalog(broken_copy(tmp_path / "a", edits))
    assert "time-order" in {d.code for d in strict.diagnostics}
    edits["catalog.yaml"] = ("time_order_tolerance: 0", "time_order_tolerance: 1")
    lenient = load_catalog(broken_copy(tmp_path / "b", edits))
    assert "time-order" not in {d.code for d in lenient.diagnostics}


def test_relation_type_must_fit_the_kinds_of_its_ends(tmp_path):
    root = broken_copy(
        tmp_path,
        {
            "datasets/toyinst2021-v2.yaml": (
                "- {type: derived_from, target: toyinst2020-data, reason: translated from it}",
                "- {type: derived_from, target: toyinst2020-data, reason: translated from it}\n"
                "- {type: evaluates_on, target: alpha2019-base}",
            )
        },
    )
    found = [d for d in load_catalog(root).diagnostics if d.code == "relation-kind"]
    assert len(found) == 1
    d = found[0]
    assert d.pointer == "/relations/1/type" and d.is_error
    assert d.message == "a dataset cannot 'evaluates_on' a paper ('alpha2019-base')"
    assert "types that fit dataset -> paper: builds_on, extends, uses, alternative_to, critiques" in d.hint


def test_orphan_paper_and_benchmark_without_dataset_are_warnings(tmp_path):
    root = broken_copy(
        tmp_path,
        {
            "papers/eta2022-lonely.yaml": "id: eta2022-lonely\nkind: paper\ntitle: Eta, Alone\nyear: 2022\n"
            "categories: [def-one]\nsummary: A toy paper nobody relates to.\n",
            "benchmarks/theta2022-bench.yaml": "id: theta2022-bench\nkind: benchmark\ntitle: ThetaBench\nyear: 2022\n"
            "categories: [eval-one]\nsummary: A toy benchmark with no data.\n"
            "relations:\n- {type: builds_on, target: toybench2021}\n",
        },
    )
    cat = load_catalog(root)
    found = {(d.code, d.path, d.severity.value) for d in graph_diags(cat)}
    assert found == {
        ("orphan", "papers/eta2022-lonely.yaml", "warning"),
        ("benchmark-without-dataset", "benchmarks/theta2022-bench.yaml", "warning"),
    }
    assert cat.ok  # warnings only


# --- queries -------------------------------------------------------------------------------------------------


def test_graph_nodes_carry_kind_year_levels_and_categories(mini_graph, mini):
    assert set(mini_graph.nodes) == set(mini.records)
    beta = mini_graph.nodes["beta2020-method"]
    assert (beta["kind"], beta["year"]) == ("paper", 2020)
    assert beta["goal_levels"] == ["level-one", "level-two"]
    assert beta["categories"] == ["def-two-a", "alt-early"]
    assert mini_graph.number_of_edges() == sum(len(r.relations) for r in mini.records.values())
    assert set(ORDERED_TYPES) == {"builds_on", "extends", "derived_from"}


def test_lineage_follows_ordered_relations_both_ways(mini_graph):
    lin = lineage(mini_graph, "beta2020-method")
    assert [(s.id, s.depth, s.type) for s in lin.ancestors] == [("alpha2019-base", 1, "builds_on")]
    assert [(s.id, s.depth, s.via) for s in lin.descendants] == [
        ("gamma2021-extension", 1, "beta2020-method"),
        ("zeta2023-toy-survey", 2, "gamma2021-extension"),
    ]
    assert [s.id for s in lineage(mini_graph, "beta2020-method", max_depth=1).descendants] == [
        "gamma2021-extension"
    ]
    data = lineage(mini_graph, "toyinst2020-data", types=["introduces", "derived_from"])
    assert {s.id for s in data.descendants} == {"beta2020-method", "toybench2021", "toyinst2021-v2"}
    with pytest.raises(UnknownRecord, match="did you mean 'beta2020-method'"):
        lineage(mini_graph, "beta2020-methd")


def test_shortest_path_either_way_or_directed(mini_graph):
    hops = shortest_path(mini_graph, "alpha2019-base", "toybench2021")
    assert [(h.source, h.type, h.target, h.forward) for h in hops] == [
        ("beta2020-method", "builds_on", "alpha2019-base", False),
        ("gamma2021-extension", "extends", "beta2020-method", False),
        ("gamma2021-extension", "evaluates_on", "toybench2021", True),
    ]
    assert shortest_path(mini_graph, "alpha2019-base", "toybench2021", directed=True) is None
    directed = shortest_path(mini_graph, "zeta2023-toy-survey", "alpha2019-base", directed=True)
    assert [h.target for h in directed] == ["gamma2021-extension", "beta2020-method", "alpha2019-base"]
    assert shortest_path(mini_graph, "alpha2019-base", "toyblog2022-notes", types=["builds_on"]) is None


def test_pagerank_matches_known_values():
    ring = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    assert all(abs(v - 1 / 3) < 1e-9 for v in pagerank(ring).values())
    # a -> b, b dangling: solved by hand, r_a = (1-d)/2 + d*r_b/2, r_b = r_a + ... with d = 0.85
    two = pagerank(nx.DiGraph([("a", "b")]))
    assert abs(sum(two.values()) - 1) < 1e-9
    assert abs(two["a"] - 1 / 2.85) < 1e-6 and abs(two["b"] - 1.85 / 2.85) < 1e-6


def test_rank_by_pagerank_and_in_degree(mini_graph):
    rows = rank(mini_graph, top=None)
    assert rows[0].id == "toyinst2020-data" and rows[0].in_degree == 3
    assert abs(sum(r.pagerank for r in rows) - 1) < 1e-9
    by_degree = rank(mini_graph, top=3, by="in-degree")
    assert [r.in_degree for r in by_degree] == [3, 2, 2]
    only_builds = rank(mini_graph, types=["builds_on"], top=2, by="in-degree")
    assert {r.id for r in only_builds} == {"alpha2019-base", "gamma2021-extension"}


def test_evolution_finds_the_line_that_climbs_every_level(mini):
    evo = evolution(mini)
    assert evo.levels == ("level-one", "level-two", "level-three")
    assert evo.lines[0].records == ("alpha2019-base", "beta2020-method", "gamma2021-extension")
    assert evo.lines[0].levels == evo.levels and evo.lines[0].span == 3
    assert evo.transitions[("level-one", "level-two")] == 1
    assert ("gamma2021-extension", "extends", "beta2020-method") in evo.bridges


def test_stats(mini_graph):
    s = graph_stats(mini_graph)
    assert (s.records, s.relations, s.isolated, s.components) == (9, 10, 0, 1)
    assert s.ordered_acyclic and s.longest_chain == 4  # zeta -> gamma -> beta -> alpha
    assert s.by_type["derived_from"] == 2 and s.top_cited[0] == ("toyinst2020-data", 3)


# --- exports -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt,name", [("graph-json", "mini.graph.json"), ("graphml", "mini.graphml"), ("dot", "mini.dot")]
)
def test_exports_match_golden_files(mini, fmt, name):
    text = export(mini, fmt)
    golden = GOLDEN / name
    if os.environ.get("ALIGNCAT_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        f"update with ALIGNCAT_UPDATE_GOLDEN=1 if intended ({name})"
    )


def test_graph_json_validates_against_its_schema_and_loads_in_networkx(mini):
    import jsonschema

    from aligncat.schema import raw_schema

    doc = json.loads(export(mini, "graph-json"))
    jsonschema.Draft202012Validator(raw_schema("graph")).validate(doc)
    g = nx.node_link_graph(doc, edges="edges")
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 10
    broken = dict(doc, nodes=[{**doc["nodes"][0], "kind": "novel"}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(raw_schema("graph")).validate(broken)


def test_graphml_loads_back_with_networkx(mini, tmp_path):
    path = tmp_path / "g.graphml"
    path.write_text(export(mini, "graphml"), encoding="utf-8")
    g = nx.read_graphml(path, force_multigraph=True)
    assert set(g.nodes) == set(mini.records)
    assert g.nodes["toybench2021"]["kind"] == "benchmark" and g.nodes["toybench2021"]["year"] == 2021
    assert g.nodes["toybench2021"]["goal_levels"] == "level-one;level-three"
    assert g.nodes["beta2020-method"]["categories"] == "def-two-a;alt-early"
    assert sorted(t for *_, t in g.edges(data="type")) == sorted(
        rel.type for r in mini.records.values() for rel in r.relations
    )


def test_exports_of_a_slice_keep_only_edges_inside_it(mini):
    doc = json.loads(export(mini, "graph-json", Selection(kinds=("paper",))))
    ids = {n["id"] for n in doc["nodes"]}
    assert ids == {r.id for r in mini.by_kind["paper"]}
    assert doc["edges"] and all(e["source"] in ids and e["target"] in ids for e in doc["edges"])
    dot = export(mini, "dot", Selection(kinds=("dataset",)))
    assert '"toyinst2021-v2" -> "toyinst2020-data"' in dot and "alpha2019-base" not in dot


def test_dot_quotes_hostile_text(tmp_path):
    from aligncat.export.dot import dot_id

    assert dot_id('say "hi" \\ there\nnow') == '"say \\"hi\\" \\\\ there\\nnow"'
    root = broken_copy(
        tmp_path,
        {
            "papers/alpha2019-base.yaml": (
                "title: 'Alpha: A Base Method for Toy Alignment'",
                "title: 'Alpha \"quoted\" \\ back'",
            )
        },
    )
    dot = export(load_catalog(root), "dot")
    assert 'tooltip="Alpha \\"quoted\\" \\\\ back"' in dot


# --- command line --------------------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["graph", *args], catch_exceptions=False)


def test_cli_stats_lineage_path_rank_evolution():
    r = run("-C", str(MINI), "--stats")
    assert r.exit_code == 0 and "records (nodes)                     9" in r.output
    assert "level-one -> level-two: 1" in r.output
    r = run("lineage", "beta2020-method", "-C", str(MINI))
    assert r.exit_code == 0 and "zeta2023-toy-survey (2023)  [builds_on, via gamma2021-extension]" in r.output
    r = run("path", "alpha2019-base", "toybench2021", "-C", str(MINI))
    assert r.exit_code == 0 and "gamma2021-extension (2021) evaluates on toybench2021 (2021)" in r.output
    r = run("rank", "--top", "1", "--json", "-C", str(MINI))
    assert json.loads(r.output)[0]["id"] == "toyinst2020-data"
    r = run("evolution", "--json", "-C", str(MINI))
    assert json.loads(r.output)["lines"][0]["records"][0] == "alpha2019-base"


def test_cli_explains_bad_input():
    r = run("lineage", "beta2020-methd", "-C", str(MINI))
    assert r.exit_code == 2 and "no record 'beta2020-methd' (did you mean 'beta2020-method'?)" in r.output
    r = run("rank", "--type", "bulds_on", "-C", str(MINI))
    assert r.exit_code == 2 and "did you mean 'builds_on'?" in r.output
    r = run("path", "alpha2019-base", "toybench2021", "--directed", "-C", str(MINI))
    assert r.exit_code == 1 and "no path" in r.output
    r = run("--stats", "-C", "/nonexistent/catalog")
    assert r.exit_code == 2 and "no catalog folder" in r.output


# --- site views ----------------------------------------------------------------------------------------------


def test_timeline_has_a_lane_per_goal_level_and_a_link_per_record(mini):
    from aligncat.render.graph_views import timeline_svg

    svg = timeline_svg(mini)
    for level in ("level-one", "level-two", "level-three", ""):  # the toy survey has no goal level
        assert f'data-level="{level}"' in svg
    for rid in mini.records:
        assert f'href="../records/{rid}/"' in svg
    # gamma extends beta: level two -> level three, drawn as a climbing edge
    assert svg.count("ac-edge-climbs") == 3


def test_page_sources_and_neighbourhood_section(mini):
    from aligncat.render import RenderContext
    from aligncat.render.graph_views import graph_views, neighbourhood_section

    ctx = RenderContext()
    pages = {p.path: p for p in graph_views(mini, ctx)}
    assert {"graph/index.md", "graph/graph.json", "timeline/index.md"} <= set(pages)
    assert ctx.npm_assets == {"cytoscape": ["dist/cytoscape.min.js"]}
    data = json.loads(pages["graph/graph.json"].content)
    assert data["nodes"][0]["url"] == "../records/alpha2019-base/"
    section = neighbourhood_section(mini, mini.records["beta2020-method"], ctx)
    assert "## Neighbourhood" in section and 'href="../zeta2023-toy-survey/"' in section
    assert "via Gamma: Extending Beta" in section
