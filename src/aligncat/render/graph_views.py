"""Render stage, graph views: the interactive graph page, the evolution timeline (server-side SVG) and each record's
neighbourhood section. Pages are templates (graph.md, timeline.md and timeline.svg, record_neighbourhood.md and neighbourhood.svg) fed by the view models here; no
mkdocs import here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from importlib import resources

from ..graph import ORDERED_TYPES, build_graph, evolution, lineage_in, typed_view
from ..load import Catalog
from ..model import RELATION_TYPES, Record
from . import Page, RenderContext
from .jinja import render
from .pages import KIND_SINGULAR, record_path, wide
from .text import relative_url

GRAPH_PAGE = "graph/index.md"
GRAPH_DATA = "graph/graph.json"
TIMELINE_PAGE = "timeline/index.md"
GRAPH_JS = "assets/aligncat/graph.js"
GRAPH_CSS = "assets/aligncat/graph.css"
TIMELINE_JS = "assets/aligncat/timeline.js"
CYTOSCAPE = ("cytoscape", "dist/cytoscape.min.js")
CYTOSCAPE_SITE_PATH = f"assets/vendor/{CYTOSCAPE[0]}/{CYTOSCAPE[1]}"
NO_LEVEL_COLOUR = "#8c8c8c"
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


def graph_page(catalog: Catalog) -> str:
    from ..export.graph_json import graph_document

    doc = graph_document(catalog, tuple(catalog.records.values()))
    colours = level_colours(catalog)
    used_types = [t for t in RELATION_TYPES.values() if any(e["type"] == t.name for e in doc["edges"])]
    type_opts = [
        (
            t.name,
            t.label,
            (f"ac-edge-swatch ac-edge-{t.name}" + (" ac-edge-ordered" if t.ordered else ""), None),
        )
        for t in used_types
    ]
    kind_opts = [
        (k, KIND_SINGULAR.get(k, k), (f"ac-kind-swatch ac-shape-{k}", None)) for k in doc["graph"]["kinds"]
    ]
    level_opts = [
        (gl.id, gl.title, ("ac-level-swatch", colours[gl.id])) for gl in catalog.taxonomy.goal_levels
    ]
    if any(not n["goal_levels"] for n in doc["nodes"]):
        level_opts.append(("", "No goal level", ("ac-level-swatch", NO_LEVEL_COLOUR)))
    return render(
        catalog.root,
        "graph.md",
        page=GRAPH_PAGE,
        front_matter=wide(title="Graph"),
        nodes=len(doc["nodes"]),
        edges=len(doc["edges"]),
        filters=[
            ("type", "Relation types", type_opts),
            ("kind", "Kinds", kind_opts),
            ("level", "Goal levels", level_opts),
        ],
        data_href=relative_url(GRAPH_PAGE, GRAPH_DATA),
        cytoscape_href=relative_url(GRAPH_PAGE, CYTOSCAPE_SITE_PATH),
        timeline_href=relative_url(GRAPH_PAGE, TIMELINE_PAGE),
        config={
            "levelColours": colours,
            "noLevelColour": NO_LEVEL_COLOUR,
            "shapes": KIND_SHAPES,
            "ordered": list(ORDERED_TYPES),
        },
    )


# --- the evolution timeline (SVG, no script needed) ---------------------------------------------------------

COL_WIDTH = 130
ROW_HEIGHT = 20
LANE_PAD = 14
LANE_HEAD = (
    26  # each lane's title sits in a strip above its works (timeline.js keeps it in view when scrolled)
)
LEFT = 16
TOP = 34
MAX_ROWS = 14


def _short(text: str, limit: int = 17) -> str:
    from ..layout import short_label

    return short_label(text, limit)


def timeline_view(catalog: Catalog, page: str = TIMELINE_PAGE) -> dict:
    """The timeline drawing's view model (timeline.svg): years across, one lane per goal level (plus one for
    records without a level), each record at its highest level; relations between them, those that climb a level
    in the later work's colour."""
    colours = level_colours(catalog)
    lanes: list[tuple[str | None, str, str]] = [
        (gl.id, gl.title, colours[gl.id]) for gl in catalog.taxonomy.goal_levels
    ]
    from collections import Counter

    from ..layout import timeline_columns

    # One column per year that holds works; the sparse early years share one (keyed by its first year).
    columns = timeline_columns(Counter(r.year for r in catalog.records.values()))
    column_of = {y: c.first for c in columns for y in range(c.first, c.last + 1)}
    placed: dict[str | None, dict[int, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in sorted(catalog.records.values(), key=lambda r: (r.year, r.label.lower(), r.id)):
        placed[top_level(catalog, r)][column_of[r.year]].append(r)
    if None in placed:
        lanes.append((None, "No goal level", NO_LEVEL_COLOUR))
    years = [c.first for c in columns]
    year_label = {c.first: c.label for c in columns}
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
        height = rows * ROW_HEIGHT + LANE_HEAD + LANE_PAD
        for year, recs in cells.items():
            for i, r in enumerate(recs):
                sub, row = divmod(i, MAX_ROWS)
                pos[r.id] = (
                    col_x[year] + sub * COL_WIDTH + 14,
                    y0 + LANE_HEAD + row * ROW_HEIGHT + ROW_HEIGHT / 2,
                )
        lane_boxes.append({"id": lid, "title": title, "colour": colour, "top": y0, "height": height})
        y0 += height
    width = int(x) + 10
    levels = {r.id: top_level(catalog, r) for r in catalog.records.values()}
    order = {gl.id: gl.order for gl in catalog.taxonomy.goal_levels}
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
            dx = max(abs(x2 - x1) / 2, 30)
            path = f"M{x1:.1f},{y1:.1f} C{x1 - dx:.1f},{y1:.1f} {x2 + dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            if x1 < x2:  # a relation to a later work (allowed for unordered types): bend the other way
                path = f"M{x1:.1f},{y1:.1f} C{x1 + dx:.1f},{y1:.1f} {x2 - dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            label = rtype.label if rtype else rel.type
            edges.append(
                {
                    "climbs": climbs,
                    "classes": "ac-edge"
                    + (" ac-edge-climbs" if climbs else "")
                    + (" ac-edge-ordered" if ordered else ""),
                    "type": rel.type,
                    "d": path,
                    "stroke": colours[b] if climbs and b else "currentColor",
                    "opacity": 0.9 if climbs else 0.3 if ordered else 0.2,
                    "width": 2.2 if climbs else 1,
                    "dashed": not ordered,
                    "title": f"{r.label} {label} {catalog.records[rel.target].label}",
                }
            )
    edges.sort(key=lambda e: e["climbs"])  # climbing edges drawn last, on top
    nodes = []
    for r in catalog.records.values():
        if r.id not in pos:
            continue
        x, y = pos[r.id]
        nodes.append(
            {
                "href": _record_href(page, r.id),
                "id": r.id,
                "kind": r.kind,
                "title": f"{r.title} ({r.year}, {KIND_SINGULAR.get(r.kind, r.kind).lower()})",
                "x": x,
                "y": y,
                "colour": colours.get(levels[r.id] or "", NO_LEVEL_COLOUR),
                "label": _short(r.label),
            }
        )
    return {
        "width": width,
        "height": y0 + 10,
        "top": TOP,
        "title": catalog.info.title,
        "lanes": lane_boxes,
        "years": [(col_x[y], year_label[y]) for y in years],
        "edges": edges,
        "nodes": nodes,
    }


def timeline_svg(catalog: Catalog, page: str = TIMELINE_PAGE) -> str:
    """The timeline as one SVG element (timeline.svg), for the timeline page and scripts/timeline_png.py."""
    return render(catalog.root, "timeline.svg", page=page, svg=timeline_view(catalog, page))


def timeline_page(catalog: Catalog) -> str:
    evo = evolution(catalog)
    titles = {gl.id: gl.title for gl in catalog.taxonomy.goal_levels}
    lines = [
        [
            {
                "href": relative_url(TIMELINE_PAGE, record_path(rid)),
                "label": catalog.records[rid].label,
                "year": catalog.records[rid].year,
                "level": titles[lv],
            }
            for rid, lv in zip(line.records, line.levels, strict=True)
        ]
        for line in evo.lines
    ]
    return render(
        catalog.root,
        "timeline.md",
        page=TIMELINE_PAGE,
        front_matter=wide(title="Timeline"),
        graph_href=relative_url(TIMELINE_PAGE, GRAPH_PAGE),
        svg=timeline_view(catalog),
        lines=lines,
    )


def graph_views(catalog: Catalog, ctx: RenderContext) -> list[Page]:
    """The graph page, its data, the timeline page and the graph's own script and style."""
    import json

    from ..export.graph_json import graph_document

    ctx.npm_assets.setdefault(CYTOSCAPE[0], [])
    if CYTOSCAPE[1] not in ctx.npm_assets[CYTOSCAPE[0]]:
        ctx.npm_assets[CYTOSCAPE[0]].append(CYTOSCAPE[1])
    for lst, path in (
        (ctx.extra_javascript, GRAPH_JS),
        (ctx.extra_javascript, TIMELINE_JS),
        (ctx.extra_css, GRAPH_CSS),
    ):
        if path not in lst:
            lst.append(path)
    from ..layout import graph_layout, with_positions

    data = graph_document(
        catalog,
        tuple(catalog.records.values()),
        record_url=relative_url(GRAPH_PAGE, "records/{id}.md").replace("%7Bid%7D", "{id}"),
    )
    data = with_positions(
        data, graph_layout(catalog)
    )  # computed here so that every load draws the same picture
    return [
        Page(GRAPH_PAGE, graph_page(catalog), title="Graph"),
        Page(GRAPH_DATA, json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
        Page(TIMELINE_PAGE, timeline_page(catalog), title="Timeline"),
        Page(GRAPH_JS, _asset("graph.js")),
        Page(GRAPH_CSS, _asset("graph.css")),
        Page(TIMELINE_JS, _asset("timeline.js")),
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


def shape(kind: str, x: float, y: float) -> dict:
    """A record's shape by kind at (x, y), its coordinates written as the SVG gets them (as shapes.svg draws it;
    the record pages' drawing takes it ready-made, being drawn once per record page)."""
    r = 5.5
    if kind == "dataset":
        return {"tag": "rect", "x": f"{x - r:.1f}", "y": f"{y - r:.1f}", "size": f"{2 * r:.1f}"}
    if kind == "benchmark":
        return {
            "tag": "polygon",
            "points": f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} {x - r - 1:.1f},{y:.1f}",
        }
    if kind == "resource":
        return {
            "tag": "polygon",
            "points": f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} {x - r - 1:.1f},{y + r:.1f}",
        }
    return {"tag": "circle", "cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": r}


def neighbourhood_view(catalog: Catalog, record: Record, page: str) -> dict | None:
    """The drawing's view model (neighbourhood.svg), from aligncat.layout: the record in the middle, the works it
    draws on stacked on the left, the works drawing on it on the right, each with its whole-word label, year and
    relation; a legend of the shapes, colours and lines it uses. None when it relates to no other record."""
    from ..layout import neighbourhood_layout

    nb = neighbourhood_layout(catalog, record)
    if nb is None:
        return None
    colours = level_colours(catalog)
    titles = {gl.id: gl.title for gl in catalog.taxonomy.goal_levels}
    centre = nb.centre
    nodes, lines = [], []
    for n in nb.nodes[1:]:
        other = catalog.records[n.id]
        left = n.side == "out"
        # The arrow points at the work the relation names: from this record to the left column (it states them),
        # from the right column into this record (they state them).
        outgoing = left and any(t in {rel.type for rel in record.relations if rel.target == n.id} for t in n.types)
        (x1, y1), (x2, y2) = ((centre.x, centre.y), (n.x, n.y)) if outgoing else ((n.x, n.y), (centre.x, centre.y))
        d = math.hypot(x2 - x1, y2 - y1) or 1
        lines.append(
            {
                "x1": round(x1 + (x2 - x1) * 9 / d, 1),
                "y1": round(y1 + (y2 - y1) * 9 / d, 1),
                "x2": round(x2 - (x2 - x1) * 9 / d, 1),
                "y2": round(y2 - (y2 - y1) * 9 / d, 1),
                "dashed": not n.ordered,
                "title": f"{record.label} {', '.join(n.relations)} {other.label}",
            }
        )
        tx = n.x - 10 if left else n.x + 10
        nodes.append(
            {
                "href": _record_href(page, n.id),
                "title": f"{other.title} ({other.year})",
                "kind": n.kind,
                "x": n.x,
                "y": n.y,
                "colour": colours.get(n.level or "", NO_LEVEL_COLOUR),
                "anchor": "end" if left else "start",
                "tx": tx,
                "lines": [(tx, round(n.y + 4 + i * nb.line_height, 1), text) for i, text in enumerate(n.lines)],
                "meta": (tx, round(n.y + 4 + len(n.lines) * nb.line_height, 1),
                         f"{n.year} · {', '.join(n.relations)}"),
            }
        )
    drawn = list(nb.nodes)
    kinds = sorted({n.kind for n in drawn}, key=lambda k: list(KIND_SINGULAR).index(k) if k in KIND_SINGULAR else 99)
    levels = [gl.id for gl in catalog.taxonomy.goal_levels if any(n.level == gl.id for n in drawn)]
    legend = {
        "kinds": [(k, KIND_SINGULAR.get(k, k)) for k in kinds],
        "levels": [(titles[lv], colours[lv]) for lv in levels]
        + ([("No goal level", NO_LEVEL_COLOUR)] if any(n.level is None for n in drawn) else []),
        "solid": any(n.ordered for n in drawn[1:]),
        "dashed": any(not n.ordered for n in drawn[1:]),
    }
    return {
        "label": record.label,
        "width": nb.width,
        "height": nb.height,
        "font_size": nb.font_size,
        "line_height": nb.line_height,
        "lines": lines,
        "nodes": nodes,
        "has_out": any(n.side == "out" for n in drawn),
        "has_in": any(n.side == "in" for n in drawn),
        "self": {
            "kind": record.kind,
            "x": centre.x,
            "y": centre.y,
            "colour": colours.get(centre.level or "", NO_LEVEL_COLOUR),
            "lines": [(centre.x, round(centre.y + 24 + i * nb.line_height, 1), text)
                      for i, text in enumerate(centre.lines)],
        },
        "legend": legend,
        "more_out": nb.more_out,
        "more_in": nb.more_in,
    }


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
    lineage = []
    for title, steps, css in (
        ("Earlier works in its line", lin.ancestors, "ancestors"),
        ("Later works in its line", lin.descendants, "descendants"),
    ):
        if not steps:
            continue
        lineage.append(
            {
                "title": title,
                "css": css,
                "count": len(steps),
                "steps": [
                    {
                        "href": _record_href(page, s.id),
                        "label": catalog.records[s.id].label,
                        "year": catalog.records[s.id].year,
                        "depth": s.depth,
                        "via": catalog.records[s.via].label if s.depth > 1 else None,
                    }
                    for s in steps[:LINEAGE_LIST_LIMIT]
                ],
                "more": len(steps) - LINEAGE_LIST_LIMIT,
            }
        )
    return render(
        catalog.root,
        "record_neighbourhood.md",
        page=page,
        record=record,
        svg=neighbourhood_view(catalog, record, page),
        lineage=lineage,
        depth=LINEAGE_DEPTH,
        type_names=", ".join(RELATION_TYPES[t].label for t in ORDERED_TYPES),
        graph_href=relative_url(page, GRAPH_PAGE),
        timeline_href=relative_url(page, TIMELINE_PAGE),
    ).rstrip()
