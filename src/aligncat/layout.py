"""Graph stage, layout: where the site draws each record, computed once at build time so that every load of a page
shows the same picture.

Three drawings use it: the graph page (a seeded force layout per connected group of records, packed side by side;
records with no relation are listed, not drawn), each record's neighbourhood (what it draws on to one side, what
draws on it to the other, labels wrapped at spaces) and the timeline (one column per year that holds works, the
sparse early years folded into one). Pure: a catalog (or plain numbers) in, frozen values out; networkx and numpy
do the force layout, nothing here knows about HTML.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import Catalog
from .graph import build_graph
from .model import RELATION_TYPES, Record

# Fixed, so that two builds of the same catalog draw the same graph.
SEED = 17
# One edge is drawn about this long (model units = CSS pixels at zoom 1); components are packed this far apart.
EDGE_LENGTH = 70.0
GAP = 90.0
# networkx's spring layout is dense (n x n) below 500 nodes and needs scipy above; beyond this many linked records
# the graph is laid out in year columns and goal-level bands instead (linear time, no scipy).
FORCE_LAYOUT_MAX = 499
SPRING_ITERATIONS = 200
# networkx's optimal distance, over sqrt(n): above its default (1) to spread a dense core so labels fit between nodes
SPRING_K = 2.4


@dataclass(frozen=True, slots=True)
class GraphLayout:
    """Positions of the records that have a relation; `isolated` lists (sorted) those with none."""

    positions: Mapping[str, tuple[float, float]]
    isolated: tuple[str, ...]
    method: str  # "force" or "bands"
    width: float
    height: float


def with_positions(doc: dict, layout: GraphLayout) -> dict:
    """A graph document (export.graph_json) with each drawn node's x and y and the layout's size, for the site."""
    nodes = []
    for node in doc["nodes"]:
        xy = layout.positions.get(node["id"])
        nodes.append({**node, "x": xy[0], "y": xy[1]} if xy else dict(node))
    graph = {
        **doc["graph"],
        "layout": {"method": layout.method, "width": layout.width, "height": layout.height},
    }
    return {**doc, "graph": graph, "nodes": nodes}


def _undirected(catalog: Catalog):
    import networkx as nx

    g = build_graph(catalog)
    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    u.add_edges_from(sorted((a, b) if a < b else (b, a) for a, b in g.edges() if a != b))
    return u


def graph_layout(catalog: Catalog) -> GraphLayout:
    """The graph page's layout: each connected group of records laid out by a seeded force simulation, rotated so
    its long side runs across (older works to the left), groups packed largest first into rows."""
    u = _undirected(catalog)
    isolated = tuple(sorted(n for n in u.nodes if u.degree(n) == 0))
    linked = u.subgraph(n for n in u.nodes if u.degree(n) > 0)
    if linked.number_of_nodes() == 0:
        return GraphLayout({}, isolated, "force", 0.0, 0.0)
    years = {r.id: r.year for r in catalog.records.values()}
    if linked.number_of_nodes() > FORCE_LAYOUT_MAX:
        pos, w, hgt = _band_layout(catalog, [n for n in sorted(linked.nodes)])
        return GraphLayout(pos, isolated, "bands", w, hgt)
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(linked)), key=lambda c: (-len(c), c[0]))
    boxes = [_component_layout(linked.subgraph(c), years) for c in comps]
    pos, w, hgt = _pack(boxes)
    return GraphLayout(pos, isolated, "force", w, hgt)


def _component_layout(sub, years: Mapping[str, int]) -> dict[str, tuple[float, float]]:
    """One connected group laid out with its mean edge EDGE_LENGTH long, centred on (0, 0)."""
    import networkx as nx
    import numpy as np

    nodes = sorted(sub.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(sorted(sub.edges()))
    # A fixed start (on a circle, in id order) and a fixed seed: the same input gives the same output.
    start = {
        n: (math.cos(2 * math.pi * i / len(nodes)), math.sin(2 * math.pi * i / len(nodes)))
        for i, n in enumerate(nodes)
    }
    raw = nx.spring_layout(
        g, pos=start, seed=SEED, iterations=SPRING_ITERATIONS, k=SPRING_K / math.sqrt(len(nodes))
    )
    xy = np.array([raw[n] for n in nodes], dtype=float)
    xy -= xy.mean(axis=0)
    # Long side across: rotate onto the principal axes (a wide screen shows more of a wide drawing).
    if len(nodes) > 2:
        _, vecs = np.linalg.eigh(np.cov(xy.T))
        xy = xy @ vecs[:, ::-1]
    elif len(nodes) == 2:
        d = xy[1] - xy[0]
        angle = math.atan2(d[1], d[0])
        c, s = math.cos(-angle), math.sin(-angle)
        xy = xy @ np.array([[c, s], [-s, c]])
    # Signs fixed by meaning, not by the eigen-solver: older works to the left, and the more connected half on top.
    yr = np.array([years.get(n, 0) for n in nodes], dtype=float)
    if len(nodes) > 1 and np.dot(xy[:, 0], yr - yr.mean()) < 0:
        xy[:, 0] = -xy[:, 0]
    deg = np.array([g.degree(n) for n in nodes], dtype=float)
    if np.dot(xy[:, 1], deg - deg.mean()) > 0:
        xy[:, 1] = -xy[:, 1]
    index = {n: i for i, n in enumerate(nodes)}
    lengths = [float(np.hypot(*(xy[index[a]] - xy[index[b]]))) for a, b in g.edges()]
    mean = sum(lengths) / len(lengths) if lengths else 1.0
    xy *= EDGE_LENGTH / (mean or 1.0)
    return {n: (float(xy[i, 0]), float(xy[i, 1])) for i, n in enumerate(nodes)}


def _pack(boxes: list[dict[str, tuple[float, float]]]) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Shelf packing, largest group first: rows no wider than the largest group (or a near-square of the total)."""
    sized = []
    for pos in boxes:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        sized.append((pos, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + GAP) * (hh + GAP) for _, _, _, w, hh in sized)
    row_width = max(max(w for _, _, _, w, _ in sized), math.sqrt(area) * 1.6)
    out: dict[str, tuple[float, float]] = {}
    x = y = row_h = width = 0.0
    for pos, x0, y0, w, hh in sized:
        if x > 0 and x + w > row_width:
            y += row_h + GAP
            x = row_h = 0.0
        for n, (px, py) in pos.items():
            out[n] = (round(x + px - x0, 1), round(y + py - y0, 1))
        width = max(width, x + w)
        x += w + GAP
        row_h = max(row_h, hh)
    return out, round(width, 1), round(y + row_h, 1)


def _band_layout(catalog: Catalog, ids: list[str]) -> tuple[dict[str, tuple[float, float]], float, float]:
    """For very large graphs: a column per year, a band per highest goal level, records stacked in id order."""
    levels = [gl.id for gl in catalog.taxonomy.goal_levels]
    band = {lv: i for i, lv in enumerate(levels)}
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    years: set[int] = set()
    for rid in ids:
        r = catalog.records[rid]
        lv = catalog.goal_levels_of(r)
        cells[(r.year, band[lv[-1]] if lv else len(levels))].append(rid)
        years.add(r.year)
    col = {y: i for i, y in enumerate(sorted(years))}
    per_row = 10
    band_h = [0] * (len(levels) + 1)
    for (_, b), members in cells.items():
        band_h[b] = max(band_h[b], math.ceil(len(members) / per_row))
    band_y = [0.0]
    for hgt in band_h:
        band_y.append(band_y[-1] + max(hgt, 1) * EDGE_LENGTH / 2 + GAP)
    col_w = per_row * EDGE_LENGTH / 2 + GAP
    pos: dict[str, tuple[float, float]] = {}
    for (year, b), members in cells.items():
        for i, rid in enumerate(sorted(members)):
            row, c = divmod(i, per_row)
            pos[rid] = (
                round(col[year] * col_w + c * EDGE_LENGTH / 2, 1),
                round(band_y[b] + row * EDGE_LENGTH / 2, 1),
            )
    return pos, round(len(col) * col_w, 1), round(band_y[-1], 1)


# --- a record's neighbourhood ----------------------------------------------------------------------------------

NB_WIDTH = 400
NB_FONT = 13  # px at the drawing's natural size; a 390 px phone shows it at ~0.9x, so >= 11.5 px
NB_LINE = 16
NB_LABEL_CHARS = 18  # what fits in the 135 px beside each column at NB_FONT (about 0.55 em a character)
NB_SELF_CHARS = 13
NB_MAX_LINES = 3
NB_PER_SIDE = 10
NB_TOP = 34


def wrap_label(text: str, width: int, max_lines: int = NB_MAX_LINES) -> tuple[str, ...]:
    """Lines of at most `width` characters, broken at spaces (after a hyphen or slash when a word is too long),
    never inside a word; past `max_lines` the last kept line ends with an ellipsis after a whole word."""
    words: list[str] = []
    for word in text.split():
        # A long compound ("Helpful-Harmless-Honest") may break after its hyphens or slashes, as a reader would.
        if len(word) > width and any(c in word[:-1] for c in "-/"):
            piece = ""
            for ch in word:
                piece += ch
                if ch in "-/":
                    words.append(piece)
                    piece = ""
            if piece:
                words.append(piece)
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        glue = "" if lines and lines[-1].endswith(("-", "/")) else " "
        if lines and len(lines[-1]) + len(glue) + len(word) <= width:
            lines[-1] += glue + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1].rstrip(" -/") + "…"
        lines = kept
    return tuple(lines) or ("",)


def short_label(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut after a whole word (with an ellipsis), never inside one; a first
    word longer than the limit is kept whole."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text.split(" ", 1)[0]
    cut = cut.rstrip(" ,:;-–")
    return cut + "…" if cut != text else cut


@dataclass(frozen=True, slots=True)
class NeighbourNode:
    id: str
    side: str  # "self", "out" (works the record draws on) or "in" (works that draw on it)
    x: float
    y: float
    lines: tuple[str, ...]  # the label (short name, else title), wrapped at spaces
    relations: tuple[str, ...]  # how the record reads the relation, e.g. ("builds on",) or ("built upon by",)
    types: tuple[str, ...]  # relation type names
    ordered: bool  # whether any of them implies order (solid line) or none does (dashed)
    kind: str
    year: int
    level: str | None


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    width: int
    height: int
    font_size: int
    line_height: int
    nodes: tuple[NeighbourNode, ...]  # the record itself first
    more_out: int  # relations left out of the drawing on each side
    more_in: int

    @property
    def centre(self) -> NeighbourNode:
        return self.nodes[0]


def neighbourhood_layout(
    catalog: Catalog, record: Record, per_side: int = NB_PER_SIDE
) -> Neighbourhood | None:
    """The record in the middle, the works it draws on stacked on the left, those that draw on it on the right,
    each side oldest first; None when the record has no relation to another record of the catalog."""
    # id -> [(relation type, stated by the record itself)]
    out: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    inc: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for rel in record.relations:
        if rel.target in catalog.records and rel.target != record.id:
            out[rel.target].append((rel.type, True))
    for src, rel in catalog.incoming(record.id):
        if src.id == record.id:
            continue
        # a pair related both ways is drawn once, on the left, with both readings
        (out if src.id in out else inc)[src.id].append((rel.type, False))
    if not out and not inc:
        return None

    def order(ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda i: (catalog.records[i].year, catalog.records[i].label.lower(), i))

    left, right = order(out)[:per_side], order(inc)[:per_side]

    def level(r: Record) -> str | None:
        lv = catalog.goal_levels_of(r)
        return lv[-1] if lv else None

    def stack(ids: list[str], side: str, types_of: dict[str, list[tuple[str, bool]]]) -> list[NeighbourNode]:
        nodes, y = [], NB_TOP
        for rid in ids:
            r = catalog.records[rid]
            types = tuple(dict.fromkeys(t for t, _ in types_of[rid]))
            reading = tuple(dict.fromkeys(_reading(t, stated) for t, stated in types_of[rid]))
            lines = wrap_label(r.label, NB_LABEL_CHARS)
            block = (len(lines) + 1) * NB_LINE  # the label, then a line with the year and the relation
            nodes.append(
                NeighbourNode(
                    rid,
                    side,
                    145.0 if side == "out" else 255.0,
                    float(y + NB_LINE / 2),
                    lines,
                    reading,
                    types,
                    any(RELATION_TYPES[t].ordered for t in types if t in RELATION_TYPES),
                    r.kind,
                    r.year,
                    level(r),
                )
            )
            y += block + 8
        return nodes

    lnodes, rnodes = stack(left, "out", out), stack(right, "in", inc)
    self_lines = wrap_label(record.label, NB_SELF_CHARS)
    tallest = max((n.y - NB_LINE / 2 + (len(n.lines) + 1) * NB_LINE for n in lnodes + rnodes), default=NB_TOP)
    height = max(tallest, NB_TOP + (len(self_lines) + 3) * NB_LINE) + 10
    centre = NeighbourNode(
        record.id,
        "self",
        NB_WIDTH / 2,
        float(round((NB_TOP + height) / 2 - NB_LINE, 1)),
        self_lines,
        (),
        (),
        False,
        record.kind,
        record.year,
        level(record),
    )
    return Neighbourhood(
        NB_WIDTH,
        int(math.ceil(height)),
        NB_FONT,
        NB_LINE,
        (centre, *lnodes, *rnodes),
        max(0, len(out) - len(left)),
        max(0, len(inc) - len(right)),
    )


def _reading(rel_type: str, stated: bool) -> str:
    """How the record's own page reads a relation: "builds on" X when it states it, "built upon by" X when X does."""
    t = RELATION_TYPES.get(rel_type)
    if t is None:
        return rel_type.replace("_", " ")
    return t.label if stated else t.inverse_label


# --- the timeline's columns ------------------------------------------------------------------------------------

# The early years that together hold at most this share of the works share one column.
EARLY_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class YearColumn:
    first: int
    last: int
    count: int

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    def holds(self, year: int) -> bool:
        return self.first <= year <= self.last


def timeline_columns(
    year_counts: Mapping[int, int], early_share: float = EARLY_SHARE
) -> tuple[YearColumn, ...]:
    """One column per year that holds works, oldest first, except that the sparse early years (together at most
    `early_share` of the works, before the first year that holds more) are folded into one column."""
    years = sorted(y for y, n in year_counts.items() if n > 0)
    if not years:
        return ()
    total = sum(year_counts[y] for y in years)
    folded, seen = 0, 0
    for i, y in enumerate(years[:-1]):
        if seen + year_counts[y] > early_share * total:
            break
        seen += year_counts[y]
        folded = i + 1
    cols: list[YearColumn] = []
    if folded >= 2:
        cols.append(YearColumn(years[0], years[folded - 1], seen))
        rest = years[folded:]
    else:
        rest = years
    cols += [YearColumn(y, y, year_counts[y]) for y in rest]
    return tuple(cols)
