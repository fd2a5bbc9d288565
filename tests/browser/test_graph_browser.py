"""Browser tests of the graph views (issue 5): the graph page draws every record of the real catalog, filters
hide records, clicking a record opens its page; the timeline shows every goal level; screenshots for people."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

pytestmark = pytest.mark.browser


def _site_graph(server) -> dict:
    """The graph data the site was built with (the real catalog may change while the tests run)."""
    return json.loads((server.root / "graph" / "graph.json").read_text(encoding="utf-8"))


def _open_graph(page, server):
    page.goto(server.url("graph/"))
    page.wait_for_selector("#ac-graph[data-rendered]")
    return page


@pytest.mark.parametrize("server_name", ["real_server", "toy_server"])
def test_graph_page_draws_every_record_and_relation(request, page, server_name, artifacts_dir):
    server = request.getfixturevalue(server_name)
    data = _site_graph(server)
    record_pages = {p.parent.name for p in (server.root / "records").glob("*/index.html")}
    assert {n["id"] for n in data["nodes"]} == record_pages  # one node per record page of the site
    _open_graph(page, server)
    ids = page.evaluate("() => window.acGraph.nodes().map(n => n.id())")
    assert sorted(ids) == sorted(record_pages)
    assert page.evaluate("() => window.acGraph.edges().length") == len(data["edges"]) > 0
    assert page.locator(".ac-graph-count").inner_text() == f"{len(ids)} of {len(ids)} records shown"
    assert page.locator("#ac-graph canvas").count() > 0
    assert page.external_requests == [] and page.console_errors == []
    page.screenshot(path=str(artifacts_dir / f"graph-{server_name}.png"), full_page=True)


def test_filters_hide_records_and_relations(page, real_server):
    data = _site_graph(real_server)
    kinds = Counter(n["kind"] for n in data["nodes"])
    _open_graph(page, real_server)
    total = len(data["nodes"])
    visible = "() => window.acGraph.nodes().filter(n => n.visible()).length"
    benchmarks = "() => window.acGraph.nodes('[kind = \"benchmark\"]').filter(n => n.visible()).length"
    builds_on = "() => window.acGraph.edges('[type = \"builds_on\"]').filter(e => e.visible()).length"

    def settles_at(expected: int, count: str = visible) -> bool:
        # cytoscape applies a style change on its next frame (late on a busy machine): wait for the count first
        try:
            page.wait_for_function(f"() => ({count})() === {expected}", timeout=5000)
        except Exception:
            pass
        return page.evaluate(count) == expected

    page.locator('input[name="kind"][value="benchmark"]').uncheck()
    assert 0 < kinds["benchmark"] and settles_at(total - kinds["benchmark"])
    assert settles_at(0, benchmarks)
    page.locator('input[name="kind"][value="benchmark"]').check()
    assert settles_at(total)
    page.locator('input[name="type"][value="builds_on"]').uncheck()
    assert settles_at(0, builds_on)
    level = data["graph"]["goal_levels"][0]["id"]
    page.locator(f'input[name="level"][value="{level}"]').uncheck()
    only_that_level = sum(1 for n in data["nodes"] if n["goal_levels"] == [level])
    assert only_that_level > 0
    assert settles_at(total - only_that_level)
    assert (
        page.locator(".ac-graph-count").inner_text() == f"{total - only_that_level} of {total} records shown"
    )


def test_clicking_a_record_opens_its_page(page, toy_server):
    _open_graph(page, toy_server)
    target = "gamma2021-extension"
    point = page.evaluate(
        """id => {
        const n = window.acGraph.getElementById(id), p = n.renderedPosition();
        const box = document.getElementById('ac-graph').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""",
        target,
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(rf".*/records/{target}/$"))
    assert "Gamma: Extending Beta" in page.locator("h1").inner_text()


def test_graph_link_from_a_record_page_selects_the_record(page, toy_server):
    page.goto(toy_server.url("records/beta2020-method/"))
    page.get_by_role("link", name="Show in the graph").click()
    page.wait_for_selector("#ac-graph[data-rendered]")
    assert page.evaluate("() => window.acGraph.$(':selected').map(n => n.id())") == ["beta2020-method"]


def test_timeline_shows_every_goal_level_and_links_records(page, real_server, artifacts_dir):
    data = _site_graph(real_server)
    page.goto(real_server.url("timeline/"))
    lanes = page.locator("svg.ac-timeline .ac-lane-title").all_text_contents()
    for level in data["graph"]["goal_levels"]:
        assert level["title"] in lanes
    assert page.locator("svg.ac-timeline a.ac-tl-node").count() == len(data["nodes"])
    assert page.locator("svg.ac-timeline .ac-edge-climbs").count() >= 1
    box = page.locator("svg.ac-timeline").bounding_box()
    assert box["width"] > 800  # drawn at full size, scrolled sideways, not shrunk to illegible text
    scroller = page.locator(".ac-timeline-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")  # wider than the page: it scrolls
    scroller.screenshot(path=str(artifacts_dir / "timeline-real-start.png"))
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    scroller.screenshot(path=str(artifacts_dir / "timeline-real-end.png"))
    first = page.locator("svg.ac-timeline a.ac-tl-node").first
    rid = first.get_attribute("data-id")
    first.click()
    page.wait_for_url(re.compile(rf".*/records/{rid}/$"))
    assert page.external_requests == [] and page.console_errors == []


def test_record_page_shows_its_neighbourhood(page, real_server, artifacts_dir):
    page.goto(real_server.url("records/ouyang2022-instructgpt/"))
    hood = page.locator("svg.ac-neighbourhood")
    assert hood.is_visible()
    assert hood.locator("a").count() >= 5
    assert page.locator(".ac-lineage-descendants li").count() >= 1
    hood.screenshot(path=str(artifacts_dir / "neighbourhood-instructgpt.png"))
