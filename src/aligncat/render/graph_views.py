"""Render stage, graph views: the interactive graph page, the evolution timeline (server-side SVG) and each record's
neighbourhood section. Pages are Markdown with HTML blocks; no mkdocs import here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from importlib import resources

from ..graph import ORDERED_TYPES, build_graph, evolution, lineage_in, typed_view
from ..load import Catalog
from ..model import RELATION_TYPES, Record
from . import Page, RenderContext, page_source, record_section
from .pages import KIND_SINGULAR, record_path, wide
from .text import h, json_for_script, relative_url

GRAPH_PAGE = "graph/index.md"
GRAPH_DATA = "graph/graph.json"
TIMELINE_PAGE = "timeline/index.md"
GRAPH_JS = "assets/aligncat/graph.js"
GRAPH_CSS = "assets/aligncat/graph.css"
CYTOSCAPE = ("cytoscape", "dist/cytoscape.min.js")
CYTOSCAPE_SITE_PATH = f"assets/vendor/{CYTOSCAPE[0]}/{CYTOSCAPE[1]}"
NO_LEVEL_COLOUR = "#8c8c8c"
DASHED = ' stroke-dasharray="4 3"'
KIND_SHAPES = {
    "paper": "ellipse",
    "dataset": "round-rectangle",
    "benchmark": "diamond",
    "resource": "triangle",
}


def _asset(name: str) -> bytes:
    return resources.files("aligncat.render").joinpath("assets", name).read_bytes()


def level_colours(catalog: Catalog) -> dict[str, str]:
    """A colour per goal level: the taxonomy's own, else one from a fixed, colour-blind-safe palette."""
    palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00"]
    return {gl.id: gl.color or palette[i % len(palette)] for i, gl in enumerate(catalog.taxonomy.goal_levels)}


def top_level(catalog: Catalog, record: Record) -> str | None:
    """The record's highest goal level: where the timeline places it and the evolution query counts it."""
    levels = catalog.goal_levels_of(record)
    return levels[-1] if levels else None


# --- the interactive graph page ----------------------------------------------------------------------------


def _checkboxes(name: str, legend: str, options: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<label class="ac-graph-option"><input type="checkbox" name="{h(name)}" value="{h(value)}" checked>'
        f"{swatch}<span>{h(text)}</span></label>"
        for value, text, swatch in options
    )
    return f'<fieldset class="ac-graph-filter" data-filter="{h(name)}"><legend>{h(legend)}</legend>{items}</fieldset>'


def graph_page(catalog: Catalog) -> str:
    from ..export.graph_json import graph_document

    doc = graph_document(catalog, tuple(catalog.records.values()))
    colours = level_colours(catalog)
    used_types = [t for t in RELATION_TYPES.values() if any(e["type"] == t.name for e in doc["edges"])]
    type_opts = [
        (
            t.name,
            t.label + ("" if t.ordered else ""),
            f'<i class="ac-edge-swatch ac-edge-{h(t.name)}{" ac-edge-ordered" if t.ordered else ""}"></i>',
        )
        for t in used_types
    ]
    kind_opts = [
        (k, KIND_SINGULAR.get(k, k), f'<i class="ac-kind-swatch ac-shape-{h(k)}"></i>')
        for k in doc["graph"]["kinds"]
    ]
    level_opts = [
        (gl.id, gl.title, f'<i class="ac-level-swatch" style="background:{h(colours[gl.id])}"></i>')
        for gl in catalog.taxonomy.goal_levels
    ]
    if any(not n["goal_levels"] for n in doc["nodes"]):
        level_opts.append(
            ("", "No goal level", f'<i class="ac-level-swatch" style="background:{NO_LEVEL_COLOUR}"></i>')
        )
    config = {
        "levelColours": colours,
        "noLevelColour": NO_LEVEL_COLOUR,
        "shapes": KIND_SHAPES,
        "ordered": list(ORDERED_TYPES),
    }
    lines = [
        wide(title="Graph"),
        "# Graph",
        "",
        f"<p>{len(doc['nodes'])} records and {len(doc['edges'])} relations. Each record points at the works it "
        "builds on, extends, evaluates on or uses. Drag to pan, scroll or pinch to zoom, click a record to open its "
        f'page. The <a href="{relative_url(GRAPH_PAGE, TIMELINE_PAGE)}">timeline</a> shows the same relations '
        "across years and goal levels.</p>",
        "",
        '<form class="ac-graph-filters" aria-label="Filter the graph">'
        + _checkboxes("type", "Relation types", type_opts)
        + _checkboxes("kind", "Kinds", kind_opts)
        + _checkboxes("level", "Goal levels", level_opts)
        + '<p class="ac-graph-count" role="status" aria-live="polite"></p></form>',
        "",
        f'<div id="ac-graph" class="ac-graph" data-src="{relative_url(GRAPH_PAGE, GRAPH_DATA)}" '
        f'data-cytoscape="{relative_url(GRAPH_PAGE, CYTOSCAPE_SITE_PATH)}" '
        f'role="application" aria-label="Citation graph: drag to pan, scroll to zoom, click a record to open it">'
        '<p class="ac-graph-loading">Loading the graph… (it needs JavaScript; the '
        f'<a href="{relative_url(GRAPH_PAGE, TIMELINE_PAGE)}">timeline</a> works without it)</p></div>',
        "",
        f'<script type="application/json" id="ac-graph-config">{json_for_script(config)}</script>',
        "",
        '<p class="ac-graph-help">Solid arrows imply order (the target came first); dashed arrows do not. '
        "Node colour is the record's highest goal level; shape is its kind.</p>",
        "",
    ]
    return "\n".join(lines)


# --- the evolution timeline (SVG, no script needed) ---------------------------------------------------------

COL_WIDTH = 150
ROW_HEIGHT = 20
LANE_PAD = 14
LEFT = 150
TOP = 34
MAX_ROWS = 12


def _shape(kind: str, x: float, y: float, fill: str) -> str:
    r = 5.5
    if kind == "dataset":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{fill}"/>'
        )
    if kind == "benchmark":
        return (
            f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} '
            f'{x - r - 1:.1f},{y:.1f}" fill="{fill}"/>'
        )
    if kind == "resource":
        return (
            f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} {x - r - 1:.1f},{y + r:.1f}" '
            f'fill="{fill}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}"/>'


def _short(text: str, limit: int = 19) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline_svg(catalog: Catalog, page: str = TIMELINE_PAGE) -> str:
    """Years across, one lane per goal level (plus one for records without a level), each record at its highest
    level; relations drawn between them, those that climb a level in the later work's colour."""
    colours = level_colours(catalog)
    lanes: list[tuple[str | None, str, str]] = [
        (gl.id, gl.title, colours[gl.id]) for gl in catalog.taxonomy.goal_levels
    ]
    placed: dict[str | None, dict[int, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in sorted(catalog.records.values(), key=lambda r: (r.year, r.label.lower(), r.id)):
        placed[top_level(catalog, r)][r.year].append(r)
    if None in placed:
        lanes.append((None, "No goal level", NO_LEVEL_COLOUR))
    years = sorted({r.year for r in catalog.records.values()})
    # A busy year gets several sub-columns, so that no lane grows taller than MAX_ROWS records.
    per_year = {
        y: max((len(placed[lid][y]) for lid, _, _ in lanes if y in placed.get(lid, {})), default=1)
        for y in years
    }
    subcols = {y: max(1, math.ceil(n / MAX_ROWS)) for y, n in per_year.items()}
    col_x: dict[int, float] = {}
    x = LEFT
    for y in years:
        col_x[y] = x
        x += subcols[y] * COL_WIDTH
    pos: dict[str, tuple[float, float]] = {}
    lane_boxes = []
    y0 = TOP
    for lid, title, colour in lanes:
        cells = placed.get(lid, {})
        rows = min(max((len(v) for v in cells.values()), default=1), MAX_ROWS)
        height = rows * ROW_HEIGHT + 2 * LANE_PAD
        for year, recs in cells.items():
            for i, r in enumerate(recs):
                sub, row = divmod(i, MAX_ROWS)
                pos[r.id] = (
                    col_x[year] + sub * COL_WIDTH + 14,
                    y0 + LANE_PAD + row * ROW_HEIGHT + ROW_HEIGHT / 2,
                )
        lane_boxes.append((lid, title, colour, y0, height))
        y0 += height
    width = int(x) + 10
    height = y0 + 10
    levels = {r.id: top_level(catalog, r) for r in catalog.records.values()}
    order = {gl.id: gl.order for gl in catalog.taxonomy.goal_levels}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ac-timeline" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}" role="group" aria-labelledby="ac-timeline-title" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11">',
        f'<title id="ac-timeline-title">{h(catalog.info.title)}: works by year and goal level, with their '
        "relations</title>",
    ]
    for lid, title, colour, top, lane_h in lane_boxes:
        parts.append(
            f'<g class="ac-lane" data-level="{h(lid or "")}"><rect x="0" y="{top:.1f}" width="{width}" '
            f'height="{lane_h:.1f}" fill="{h(colour)}" fill-opacity="0.07" stroke="{h(colour)}" '
            f'stroke-opacity="0.35"/><rect x="0" y="{top:.1f}" width="6" height="{lane_h:.1f}" '
            f'fill="{h(colour)}"/><text class="ac-lane-title" x="14" y="{top + 18:.1f}" font-weight="bold" '
            f'font-size="12" fill="currentColor">{h(title)}</text></g>'
        )
    for year in years:
        x = col_x[year]
        parts.append(
            f'<g class="ac-year"><line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height - 10:.0f}" '
            f'stroke="currentColor" stroke-opacity="0.15"/><text x="{x + 4}" y="{TOP - 12}" '
            f'font-weight="bold" fill="currentColor">{year}</text></g>'
        )
    edges = []
    for r in catalog.records.values():
        for rel in r.relations:
            if rel.target not in pos or r.id not in pos or rel.target == r.id:
                continue
            (x1, y1), (x2, y2) = pos[r.id], pos[rel.target]
            rtype = RELATION_TYPES.get(rel.type)
            ordered = bool(rtype and rtype.ordered)
            a, b = levels[rel.target], levels[r.id]
            climbs = ordered and a is not None and b is not None and order[b] > order[a]
            stroke = colours[b] if climbs and b else "currentColor"
            dx = max(abs(x2 - x1) / 2, 30)
            path = f"M{x1:.1f},{y1:.1f} C{x1 - dx:.1f},{y1:.1f} {x2 + dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            if x1 < x2:  # a relation to a later work (allowed for unordered types): bend the other way
                path = f"M{x1:.1f},{y1:.1f} C{x1 + dx:.1f},{y1:.1f} {x2 - dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            label = rtype.label if rtype else rel.type
            cls = "ac-edge" + (" ac-edge-climbs" if climbs else "") + (" ac-edge-ordered" if ordered else "")
            edges.append(
                (
                    climbs,
                    f'<path class="{cls}" data-type="{h(rel.type)}" d="{path}" fill="none" '
                    f'stroke="{h(stroke)}" stroke-opacity="{0.9 if climbs else 0.3 if ordered else 0.2}" '
                    f'stroke-width="{2.2 if climbs else 1}"'
                    f"{'' if ordered else DASHED}>"
                    f"<title>{h(r.label)} {h(label)} {h(catalog.records[rel.target].label)}</title></path>",
                )
            )
    parts.append('<g class="ac-edges">' + "".join(e for _, e in sorted(edges, key=lambda e: e[0])) + "</g>")
    nodes = []
    for r in catalog.records.values():
        if r.id not in pos:
            continue
        x, y = pos[r.id]
        colour = colours.get(levels[r.id] or "", NO_LEVEL_COLOUR)
        href = _record_href(page, r.id)
        nodes.append(
            f'<a class="ac-tl-node" href="{h(href)}" data-id="{h(r.id)}" data-kind="{h(r.kind)}">'
            f"<title>{h(r.title)} ({r.year}, {h(KIND_SINGULAR.get(r.kind, r.kind).lower())})</title>"
            + _shape(r.kind, x, y, h(colour)).replace("/>", ' stroke="#fff" stroke-width="1"/>')
            + f'<text x="{x + 10:.1f}" y="{y + 4:.1f}" fill="currentColor">{h(_short(r.label))}</text></a>'
        )
    parts.append('<g class="ac-nodes">' + "".join(nodes) + "</g>")
    parts.append("</svg>")
    return "".join(parts)


def timeline_page(catalog: Catalog) -> str:
    evo = evolution(catalog)
    titles = {gl.id: gl.title for gl in catalog.taxonomy.goal_levels}
    lines = [
        wide(title="Timeline"),
        "# Timeline",
        "",
        "<p>Every work by year (across) and goal level (lanes, each work at its highest level). Lines join a work to the earlier "
        "work it builds on, extends, derives from, evaluates on or uses; solid lines imply order, and thick "
        "coloured lines are the steps where a line of research moves up a goal level. Shapes: ● paper, ■ dataset, "
        f'◆ benchmark, ▲ resource. Click a work to open it; the <a href="{relative_url(TIMELINE_PAGE, GRAPH_PAGE)}">'
        "graph</a> lets you filter and zoom.</p>",
        "",
        # Not searched: one title per relation would make the page match every record (and at 1,000 records
        # exceed Zensical's limit of 65,536 words for one search field); the record pages carry the same text.
        f'<div class="ac-timeline-scroll" data-search-exclude>{timeline_svg(catalog)}</div>',
        "",
    ]
    if evo.lines:
        lines += [
            "## Lines of research across goal levels",
            "",
            "<p>The longest chains of works that each build on, extend or derive from the one before, climbing "
            "goal levels (computed by <code>aligncat graph evolution</code>):</p>",
            "",
            "<ol>",
        ]
        for line in evo.lines:
            steps = " → ".join(
                f'<a href="{relative_url(TIMELINE_PAGE, record_path(rid))}">{h(catalog.records[rid].label)}</a> '
                f'<span class="ac-tl-level">({catalog.records[rid].year}, {h(titles[lv])})</span>'
                for rid, lv in zip(line.records, line.levels, strict=True)
            )
            lines.append(f"<li>{steps}</li>")
        lines += ["</ol>", ""]
    return "\n".join(lines)


@page_source
def graph_views(catalog: Catalog, ctx: RenderContext) -> list[Page]:
    """The graph page, its data, the timeline page and the graph's own script and style."""
    import json

    from ..export.graph_json import graph_document

    ctx.npm_assets.setdefault(CYTOSCAPE[0], [])
    if CYTOSCAPE[1] not in ctx.npm_assets[CYTOSCAPE[0]]:
        ctx.npm_assets[CYTOSCAPE[0]].append(CYTOSCAPE[1])
    for lst, path in ((ctx.extra_javascript, GRAPH_JS), (ctx.extra_css, GRAPH_CSS)):
        if path not in lst:
            lst.append(path)
    data = graph_document(
        catalog,
        tuple(catalog.records.values()),
        record_url=relative_url(GRAPH_PAGE, "records/{id}.md").replace("%7Bid%7D", "{id}"),
    )
    return [
        Page(GRAPH_PAGE, graph_page(catalog), title="Graph"),
        Page(GRAPH_DATA, json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
        Page(TIMELINE_PAGE, timeline_page(catalog), title="Timeline"),
        Page(GRAPH_JS, _asset("graph.js")),
        Page(GRAPH_CSS, _asset("graph.css")),
    ]


# --- the neighbourhood section of each record page ----------------------------------------------------------

_GRAPH_CACHE: dict[int, tuple[Catalog, object]] = {}
LINEAGE_DEPTH = 3
LINEAGE_LIST_LIMIT = 40


def _ordered_graph_of(catalog: Catalog):
    """The catalog's graph of ordered relations, built once per catalog rather than once per record page."""
    hit = _GRAPH_CACHE.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        _GRAPH_CACHE.clear()  # one catalog at a time: keeps no old catalog alive
        hit = _GRAPH_CACHE[id(catalog)] = (catalog, typed_view(build_graph(catalog), ORDERED_TYPES))
    return hit[1]


def _record_href(page: str, record_id: str) -> str:
    """Link from a page to a record page; computed once per page folder (relpath is slow across 10,000 pages)."""
    return _record_prefix(page) + record_id + "/"


@lru_cache(maxsize=64)
def _record_prefix(page: str) -> str:
    return relative_url(page, record_path("x"))[: -len("x/")]


def neighbourhood_svg(catalog: Catalog, record: Record, page: str, limit: int = 16) -> str:
    """The record in the middle, the records it relates to (either way) around it, as linked shapes."""
    colours = level_colours(catalog)
    neighbours: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # id -> [(type, outgoing)]
    for rel in record.relations:
        if rel.target in catalog.records and rel.target != record.id:
            neighbours[rel.target].append((rel.type, True))
    for src, rel in catalog.incoming(record.id):
        if src.id != record.id:
            neighbours[src.id].append((rel.type, False))
    ids = sorted(neighbours, key=lambda i: (catalog.records[i].year, i))[:limit]
    if not ids:
        return ""
    size, cx, cy, radius = 640, 320, 150, 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ac-neighbourhood" viewBox="0 0 {size} 300" '
        f'width="{size}" height="300" role="group" aria-label="{h(record.label)} and the records it relates to" '
        f'font-family="system-ui, sans-serif" font-size="10">',
        '<defs><marker id="ac-nb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    ]
    node_parts = []
    for i, nid in enumerate(ids):
        angle = -math.pi / 2 + 2 * math.pi * i / len(ids)
        x, y = cx + radius * 1.45 * math.cos(angle), cy + radius * math.sin(angle)
        for rtype, outgoing in neighbours[nid]:
            ordered = RELATION_TYPES.get(rtype) and RELATION_TYPES[rtype].ordered
            (x1, y1), (x2, y2) = ((cx, cy), (x, y)) if outgoing else ((x, y), (cx, cy))
            # stop the line short of the target's shape so the arrow head shows
            d = math.hypot(x2 - x1, y2 - y1) or 1
            x2s, y2s = x2 - (x2 - x1) * 9 / d, y2 - (y2 - y1) * 9 / d
            x1, y1 = x1 + (x2 - x1) * 9 / d, y1 + (y2 - y1) * 9 / d
            label = RELATION_TYPES[rtype].label if rtype in RELATION_TYPES else rtype
            src_label, dst_label = (
                (record.label, catalog.records[nid].label)
                if outgoing
                else (catalog.records[nid].label, record.label)
            )
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2s:.1f}" y2="{y2s:.1f}" stroke="currentColor" '
                f'stroke-opacity="0.45"{"" if ordered else DASHED} '
                f'marker-end="url(#ac-nb-arrow)"><title>{h(src_label)} {h(label)} {h(dst_label)}</title>'
                "</line>"
            )
        other = catalog.records[nid]
        colour = colours.get(top_level(catalog, other) or "", NO_LEVEL_COLOUR)
        anchor = "start" if x > cx + 5 else "end" if x < cx - 5 else "middle"
        tx = x + (9 if anchor == "start" else -9 if anchor == "end" else 0)
        ty = y + (4 if anchor != "middle" else (-10 if y < cy else 16))
        node_parts.append(
            f'<a href="{h(_record_href(page, nid))}"><title>{h(other.title)} '
            f'({other.year})</title>{_shape(other.kind, x, y, h(colour))}<text x="{tx:.1f}" '
            f'y="{ty:.1f}" text-anchor="{anchor}" fill="currentColor">{h(_short(other.label, 22))} '
            f"({other.year})</text></a>"
        )
    colour = colours.get(top_level(catalog, record) or "", NO_LEVEL_COLOUR)
    node_parts.append(
        f'<g class="ac-nb-self">{_shape(record.kind, cx, cy, h(colour))}<text x="{cx}" y="{cy + 20}" '
        f'text-anchor="middle" font-weight="bold" fill="currentColor">{h(_short(record.label, 26))}'
        "</text></g>"
    )
    parts += node_parts
    parts.append("</svg>")
    more = len(neighbours) - len(ids)
    note = f'<p class="ac-nb-more">and {more} more (see Relations above)</p>' if more > 0 else ""
    return parts[0] + "".join(parts[1:]) + note


@record_section(50)
def neighbourhood_section(catalog: Catalog, record: Record, ctx: RenderContext) -> str:
    """A small graph of the record's direct relations and lists of its wider lineage (earlier and later works)."""
    has_relations = any(rel.target in catalog.records for rel in record.relations) or catalog.incoming(
        record.id
    )
    if not has_relations:
        return ""
    page = record_path(record.id)
    # A few steps only: in a big, deep catalog the full lineage of every record would make the site quadratic.
    lin = lineage_in(_ordered_graph_of(catalog), record.id, max_depth=LINEAGE_DEPTH)
    out = [
        "## Neighbourhood",
        "",
        # The drawing and the lineage lists are not searched (data-search-exclude): they repeat other records'
        # titles (the Relations section, which is searched, names the direct ones), which would make a record
        # match every work in its line, and at 10,000 records they were half of Pagefind's memory.
        '<div class="ac-neighbourhood-wrap" data-search-exclude>'
        + neighbourhood_svg(catalog, record, page)
        + "</div>",
        "",
    ]
    type_names = ", ".join(RELATION_TYPES[t].label for t in ORDERED_TYPES)
    for title, steps, css in (
        ("Earlier works in its line", lin.ancestors, "ancestors"),
        ("Later works in its line", lin.descendants, "descendants"),
    ):
        if not steps:
            continue
        shown, more = steps[:LINEAGE_LIST_LIMIT], len(steps) - LINEAGE_LIST_LIMIT
        items = "".join(
            f'<li data-depth="{s.depth}"><a href="{h(_record_href(page, s.id))}">'
            f"{h(catalog.records[s.id].label)}</a> ({catalog.records[s.id].year})"
            + (f' <span class="ac-why">via {h(catalog.records[s.via].label)}</span>' if s.depth > 1 else "")
            + "</li>"
            for s in shown
        ) + (f'<li class="ac-nb-more">and {more} more</li>' if more > 0 else "")
        out += [
            f'<p class="ac-rel-label">{title} ({len(steps)} within {LINEAGE_DEPTH} steps of {h(type_names)})</p>'
            f'<ul class="ac-lineage ac-lineage-{css}" data-search-exclude>{items}</ul>',
            "",
        ]
    out.append(
        f'<p><a href="{relative_url(page, GRAPH_PAGE)}#{h(record.id)}">Show in the graph</a> · '
        f'<a href="{relative_url(page, TIMELINE_PAGE)}">Timeline</a></p>'
    )
    return "\n".join(out)
