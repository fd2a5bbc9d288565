"""Browser tests of the graph views (issues 5 and 17): the graph page draws every record of the real catalog at the
positions computed at build time (the same on every load), with labels readable at the default zoom, the records
without a relation listed beside it, filters and the focused record in the URL; the timeline opens on the recent
works; screenshots for people."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from conftest import SiteServer, build_once, copy_mini_catalog, serve_folder

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
MIN_LABEL_PX = 11

LONELY = """id: lone2022-data
kind: dataset
title: A Lonely Toy Dataset With No Relation
year: 2022
categories: [def-one]
summary: A fictional dataset that nothing relates to.
added: '2026-11-04'
"""


@pytest.fixture(scope="session")
def lonely_server(tmp_path_factory) -> Iterator[SiteServer]:
    """The toy catalog plus a dataset that has no relation to any record."""
    site = build_once(
        tmp_path_factory,
        "toy-lonely",
        lambda folder: copy_mini_catalog(folder, {"datasets/lone2022-data.yaml": LONELY}),
    )
    yield from serve_folder(site)


@pytest.fixture
def sized_page(chromium, request):
    """`sized_page(size)` -> a fresh page at SIZES[size] (blocking other hosts, recording console errors)."""
    contexts = []

    def make(size: str):
        context = chromium.new_context(viewport=SIZES[size])
        context.set_default_timeout(15_000)
        context.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else r.abort(),
        )
        contexts.append(context)
        pg = context.new_page()
        pg.console_errors = []
        pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
        return pg

    yield make
    for context in contexts:
        context.close()


def _site_graph(server) -> dict:
    """The graph data the site was built with (the real catalog may change while the tests run)."""
    return json.loads((server.root / "graph" / "graph.json").read_text(encoding="utf-8"))


# Drawing 250 records takes well under a second on an idle machine, several on a loaded 2-core CI runner.
DRAW_TIMEOUT_MS = 30_000


def _open_graph(page, server):
    page.goto(server.url("graph/"))
    page.wait_for_selector("#ac-graph[data-rendered]", timeout=DRAW_TIMEOUT_MS)
    return page


@pytest.mark.parametrize("server_name", ["real_server", "toy_server"])
def test_graph_page_draws_every_record_and_relation(request, page, server_name, artifacts_dir):
    server = request.getfixturevalue(server_name)
    data = _site_graph(server)
    record_pages = {p.parent.name for p in (server.root / "records").glob("*/index.html")}
    assert {n["id"] for n in data["nodes"]} == record_pages  # one node per record page of the site
    _open_graph(page, server)
    # records with a relation are drawn, the others listed beside the drawing (a catalog may have both)
    linked = {e[k] for e in data["edges"] for k in ("source", "target")}
    ids = page.evaluate("() => window.acGraph.nodes().map(n => n.id())")
    assert sorted(ids) == sorted(record_pages & linked)
    listed = page.locator(".ac-graph-isolated li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(h.rstrip("/").rsplit("/", 1)[-1] for h in listed) == sorted(record_pages - linked)
    assert page.evaluate("() => window.acGraph.edges().length") == len(data["edges"]) > 0
    total = len(record_pages)
    assert page.locator(".ac-graph-count").inner_text() == f"{total} of {total} records shown"
    assert page.locator("#ac-graph canvas").count() > 0
    assert page.external_requests == [] and page.console_errors == []
    page.screenshot(path=str(artifacts_dir / f"graph-{server_name}.png"), full_page=True)


def test_filters_hide_records_and_relations(page, real_server):
    data = _site_graph(real_server)
    kinds = Counter(n["kind"] for n in data["nodes"])
    _open_graph(page, real_server)
    total = len(data["nodes"])
    # the drawn records and those listed beside the drawing (no relation) that the filters leave shown
    visible = """() => window.acGraph.nodes().filter(n => n.visible()).length +
        [...document.querySelectorAll('.ac-graph-isolated li')].filter(li => !li.hidden).length"""
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


def _node_point(page, record_id: str) -> dict:
    return page.evaluate(
        """id => {
        const n = window.acGraph.getElementById(id), p = n.renderedPosition();
        const box = document.getElementById('ac-graph').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""",
        record_id,
    )


def test_clicking_a_record_focuses_it_and_a_second_click_opens_its_page(page, toy_server):
    _open_graph(page, toy_server)
    target = "gamma2021-extension"
    point = _node_point(page, target)
    page.mouse.click(point["x"], point["y"])
    assert page.evaluate("() => window.acGraph.$(':selected').map(n => n.id())") == [target]
    assert f"focus={target}" in page.url  # the focused record is in the URL, to share or reload
    card = page.locator(".ac-graph-card")
    assert "Gamma: Extending Beta" in card.inner_text()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(rf".*/records/{target}/$"))
    assert "Gamma: Extending Beta" in page.locator("h1").inner_text()


POSITIONS = "() => window.acGraph.nodes().map(n => [n.id(), n.position('x'), n.position('y')]).sort()"


@pytest.mark.parametrize("size", list(SIZES))
def test_graph_draws_the_same_positions_on_every_load(sized_page, real_server, size):
    data = _site_graph(real_server)
    drawn = {n["id"]: (n["x"], n["y"]) for n in data["nodes"] if "x" in n}
    seen = []
    for _ in range(2):
        pg = sized_page(size)
        _open_graph(pg, real_server)
        seen.append(pg.evaluate(POSITIONS))
        upright = pg.locator("#ac-graph").get_attribute("data-orientation") == "upright"
        assert pg.console_errors == []
    assert seen[0] == seen[1]
    # and they are the build's positions (turned on the diagonal when the box is taller than wide)
    assert {i: ((y, x) if upright else (x, y)) for i, x, y in seen[0]} == drawn


@pytest.mark.parametrize("size", list(SIZES))
def test_graph_labels_are_readable_at_the_default_zoom(sized_page, real_server, artifacts_dir, size):
    pg = sized_page(size)
    _open_graph(pg, real_server)
    pg.locator("#ac-graph").scroll_into_view_if_needed()  # (below the filters on a phone)
    # cytoscape records where it drew each label when it draws the frame
    pg.wait_for_function("() => window.acGraph.nodes('.ac-label').every(n => n._private.rstyle.labelWidth > 0)")
    labels = pg.evaluate(
        """() => window.acGraph.nodes('.ac-label').map(n => {
            const r = n._private.rstyle, z = window.acGraph.zoom();  // where cytoscape drew the label
            return {id: n.id(), px: parseFloat(n.renderedStyle('font-size')), text: n.style('label'),
                    x1: (r.labelX - r.labelWidth / 2) * z, x2: (r.labelX + r.labelWidth / 2) * z,
                    y1: r.labelY * z, y2: (r.labelY + r.labelHeight) * z};
        })"""
    )
    # the hubs are labelled: at least a few on a phone, a couple of dozen on a desktop
    assert len(labels) >= (20 if size == "desktop" else 8), len(labels)
    assert all(lab["px"] >= MIN_LABEL_PX for lab in labels), [lab for lab in labels if lab["px"] < MIN_LABEL_PX]
    assert all(lab["text"] for lab in labels)
    for i, a in enumerate(labels):  # no label covers another
        for b in labels[i + 1:]:
            overlap = min(a["x2"], b["x2"]) - max(a["x1"], b["x1"]), min(a["y2"], b["y2"]) - max(a["y1"], b["y1"])
            assert overlap[0] <= 1 or overlap[1] <= 1, (a, b)
    # no labelled record's shape covers another's label (labelled records are drawn above the rest, so only those
    # can): "RAFT" sat half under a hub
    shapes = pg.evaluate(
        """() => window.acGraph.nodes('.ac-label').map(n => {
            const b = n.renderedBoundingBox({includeLabels: false}), pan = window.acGraph.pan();
            return {id: n.id(), x1: b.x1 - pan.x, x2: b.x2 - pan.x, y1: b.y1 - pan.y, y2: b.y2 - pan.y};
        })"""
    )
    for lab in labels:
        for shape in shapes:
            if shape["id"] != lab["id"]:
                ox = min(lab["x2"], shape["x2"]) - max(lab["x1"], shape["x1"])
                oy = min(lab["y2"], shape["y2"]) - max(lab["y1"], shape["y1"])
                assert ox <= 1 or oy <= 1, ("label covered by a shape", lab, shape)
    # the most connected record is among them
    data = _site_graph(real_server)
    hub = max(data["nodes"], key=lambda n: (n["in_degree"] + n["out_degree"], n["id"]))
    assert hub["id"] in {lab["id"] for lab in labels}
    # hovering another record shows its label at the same size
    other = pg.evaluate(
        """() => {  // an unlabelled record with no other within 12 px, so that the pointer lands on it
            const ns = window.acGraph.nodes(), far = n => ns.every(m => m === n ||
                Math.hypot(m.renderedPosition('x') - n.renderedPosition('x'),
                           m.renderedPosition('y') - n.renderedPosition('y')) > 12);
            return ns.filter(n => !n.hasClass('ac-label') && far(n))[0].id();
        }"""
    )
    pt = _node_point(pg, other)
    pg.mouse.move(pt["x"], pt["y"])
    pg.wait_for_function("id => window.acGraph.getElementById(id).hasClass('ac-hover')", arg=other)
    assert float(pg.evaluate("id => window.acGraph.getElementById(id).renderedStyle('font-size')", other)[:-2]) >= 11
    pg.screenshot(path=str(artifacts_dir / f"graph-real-{size}.png"))


def test_filters_and_focus_round_trip_through_the_url(page, real_server, chromium):
    data = _site_graph(real_server)
    _open_graph(page, real_server)
    page.locator('input[name="kind"][value="benchmark"]').uncheck()
    page.locator('input[name="type"][value="uses"]').uncheck()
    page.locator('input[name="level"][value=""]').uncheck()
    focus = next(n["id"] for n in data["nodes"] if n["kind"] == "paper" and n["goal_levels"] and "x" in n)
    page.evaluate("id => window.acGraph.getElementById(id).emit('tap')", focus)
    url = page.url
    assert "hide-kind=benchmark" in url and "hide-type=uses" in url and "hide-level=none" in url
    assert f"focus={focus}" in url and "q=" not in url  # nothing Material's search would read
    shown = page.locator(".ac-graph-count").inner_text()
    visible = page.evaluate("() => window.acGraph.nodes().filter(n => n.visible()).map(n => n.id()).sort()")
    other = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = other.new_page()
        pg.goto(url)
        pg.wait_for_selector("#ac-graph[data-rendered]", timeout=DRAW_TIMEOUT_MS)
        assert not pg.locator('input[name="kind"][value="benchmark"]').is_checked()
        assert not pg.locator('input[name="type"][value="uses"]').is_checked()
        assert not pg.locator('input[name="level"][value=""]').is_checked()
        assert pg.locator('input[name="kind"][value="paper"]').is_checked()
        assert pg.locator(".ac-graph-count").inner_text() == shown
        assert pg.evaluate("() => window.acGraph.nodes().filter(n => n.visible()).map(n => n.id()).sort()") == visible
        assert pg.evaluate("() => window.acGraph.edges('[type = \"uses\"]').filter(e => e.visible()).length") == 0
        assert pg.evaluate("() => window.acGraph.$(':selected').map(n => n.id())") == [focus]
        assert pg.evaluate("id => window.acGraph.getElementById(id).hasClass('ac-label')", focus)
        # clearing the focus takes it out of the URL again
        pg.get_by_role("button", name="Clear focus").click()
        assert "focus=" not in pg.url and "hide-kind=benchmark" in pg.url
    finally:
        other.close()


def test_records_without_relations_are_listed_beside_the_drawing(page, lonely_server, axe):
    _open_graph(page, lonely_server)
    assert page.evaluate("() => window.acGraph.getElementById('lone2022-data').length") == 0
    aside = page.locator(".ac-graph-isolated")
    assert aside.is_visible()
    assert "Not linked to other records (1)" in aside.inner_text()
    link = aside.get_by_role("link", name="A Lonely Toy Dataset With No Relation")
    assert link.get_attribute("href").endswith("records/lone2022-data/")
    graph_box, aside_box = page.locator("#ac-graph").bounding_box(), aside.bounding_box()
    assert aside_box["x"] >= graph_box["x"] + graph_box["width"] - 1  # beside it, on a desktop
    total = len(_site_graph(lonely_server)["nodes"])
    assert page.locator(".ac-graph-count").inner_text() == f"{total} of {total} records shown"
    page.locator('input[name="kind"][value="dataset"]').uncheck()  # the list follows the filters too
    assert not aside.locator("li").first.is_visible()
    assert axe(page) == []


def test_graph_link_from_a_record_page_selects_the_record(page, toy_server):
    page.goto(toy_server.url("records/beta2020-method/"))
    page.get_by_role("link", name="Show in the graph").click()
    page.wait_for_selector("#ac-graph[data-rendered]", timeout=DRAW_TIMEOUT_MS)
    assert page.evaluate("() => window.acGraph.$(':selected').map(n => n.id())") == ["beta2020-method"]


@pytest.mark.parametrize("size", list(SIZES))
def test_timeline_opens_on_the_recent_works(sized_page, real_server, artifacts_dir, axe, size):
    data = _site_graph(real_server)
    latest = max(n["year"] for n in data["nodes"])
    pg = sized_page(size)
    pg.goto(real_server.url("timeline/"))
    scroller = pg.locator(".ac-timeline-scroll[data-opened]")
    scroller.wait_for()
    view = scroller.bounding_box()
    recent = pg.locator("svg.ac-timeline a.ac-tl-node").evaluate_all(
        """(els, y) => els.filter(a => a.querySelector('title').textContent.includes('(' + y + ','))
                        .map(a => a.getBoundingClientRect()).map(r => ({x: r.x, w: r.width}))""",
        latest,
    )
    assert recent, "no work of the latest year"
    for r in recent:  # the latest year's works are inside the scroller's view when the page opens
        assert view["x"] - 1 <= r["x"] and r["x"] + min(r["w"], 20) <= view["x"] + view["width"] + 1, (r, view)
    years = pg.locator("svg.ac-timeline .ac-year text").all_text_contents()
    assert years[-1] == str(latest)
    first = min(n["year"] for n in data["nodes"])
    if sum(1 for n in data["nodes"] if n["year"] < 2000) * 20 < len(data["nodes"]):  # sparse early years
        assert years[0].startswith(f"{first}–")  # folded into one column, not one empty screen each
    # the lane titles stay in view after the sideways scroll
    title = pg.locator("svg.ac-timeline .ac-lane-title").first.bounding_box()
    assert view["x"] <= title["x"] <= view["x"] + view["width"]
    pg.evaluate("() => window.scrollTo(0, document.querySelector('.ac-timeline-scroll').offsetTop - 60)")
    pg.screenshot(path=str(artifacts_dir / f"timeline-real-{size}.png"))
    assert axe(pg) == []
    assert pg.console_errors == []


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
    scroller.evaluate("el => { el.scrollLeft = 0; }")
    scroller.screenshot(path=str(artifacts_dir / "timeline-real-start.png"))
    first = page.locator("svg.ac-timeline a.ac-tl-node").first
    rid = first.get_attribute("data-id")
    first.click()
    page.wait_for_url(re.compile(rf".*/records/{rid}/$"))
    assert page.external_requests == [] and page.console_errors == []


@pytest.mark.parametrize("size", list(SIZES))
def test_record_page_shows_its_neighbourhood(sized_page, real_server, artifacts_dir, axe, size):
    pg = sized_page(size)
    pg.goto(real_server.url("records/ouyang2022-instructgpt/"))
    hood = pg.locator("svg.ac-neighbourhood")
    hood.scroll_into_view_if_needed()
    assert hood.is_visible()
    assert hood.locator("a").count() >= 5
    assert pg.locator(".ac-lineage-descendants li").count() >= 1
    # every label is at least 11 px on screen (the drawing is shown at its own size, a little smaller on a phone)
    sizes = hood.evaluate(
        """svg => [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize)
                    * svg.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= MIN_LABEL_PX, min(sizes)
    # labels are whole words: each drawn label, its lines put together, is the record's label or a word-cut of it
    labels = hood.evaluate(
        """svg => [...svg.querySelectorAll('a')].map(a => ({
            href: a.getAttribute('href'),
            lines: [...a.querySelectorAll('tspan:not(.ac-nb-meta)')].map(t => t.textContent)}))"""
    )
    data = {n["id"]: n["label"] for n in _site_graph(real_server)["nodes"]}
    for item in labels:
        label = data[item["href"].rstrip("/").split("/")[-1]]
        text = "".join(
            line if i == 0 or item["lines"][i - 1].endswith(("-", "/")) else " " + line
            for i, line in enumerate(item["lines"])
        )
        words = " ".join(label.split())
        assert text == words or (text.endswith("…") and (words + " ").startswith(text[:-1] + " ")) or (
            text.endswith("…") and words.startswith(text[:-1].rstrip("-/"))
        ), (text, label)
    legend = pg.locator(".ac-nb-legend")
    assert legend.is_visible() and "Paper" in legend.inner_text() and "implies order" in legend.inner_text()
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    hood.screenshot(path=str(artifacts_dir / f"neighbourhood-instructgpt-{size}.png"))
    assert axe(pg) == []
