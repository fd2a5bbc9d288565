"""Graph stage: the citation / evolution graph of records and their typed relations (networkx) and its queries (the
graph's rules are in rules/graph.py).

Edges point the way records state them: from the record that holds the relation (the citing, later work) to its
target. Relation types, their direction and the kinds they connect are declared once, in `model.RELATION_TYPES`.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from .catalog import Catalog
from .model import ORDERED_TYPES, RELATION_TYPES, Record
from .rules.base import did_you_mean
from .rules.graph import find_ordered_cycles  # noqa: F401  (API: the cycles, as `aligncat validate` reports them)

if TYPE_CHECKING:
    import networkx as nx
else:

    class _Networkx:
        """networkx, imported on first use: `aligncat validate` runs the graph rules without it (~0.2 s saved)."""

        def __getattr__(self, name: str):
            import networkx

            return getattr(networkx, name)

    nx = _Networkx()



# --- building ----------------------------------------------------------------------------------------------------


def build_graph(catalog: Catalog, records: Iterable[Record] | None = None) -> nx.MultiDiGraph:
    """One node per record, one edge per relation whose target is in the graph, keyed by relation type.

    `records` limits the graph to a slice of the catalog (relations leaving the slice are dropped).
    """
    chosen = list(catalog.records.values()) if records is None else list(records)
    g = nx.MultiDiGraph(title=catalog.info.title)
    for r in chosen:
        g.add_node(
            r.id,
            kind=r.kind,
            year=r.year,
            title=r.title,
            label=r.label,
            goal_levels=list(catalog.goal_levels_of(r)),
            categories=list(r.categories),
            perspectives=list(catalog.perspectives_of(r)),
            path=r.path,
        )
    for r in chosen:
        for rel in r.relations:
            if rel.target in g and rel.target != r.id:
                known = RELATION_TYPES.get(rel.type)
                g.add_edge(
                    r.id,
                    rel.target,
                    key=rel.type,
                    type=rel.type,
                    reason=rel.reason or "",
                    ordered=bool(known and known.ordered),
                )
    return g


def typed_view(g: nx.MultiDiGraph, types: Iterable[str] | None) -> nx.DiGraph:
    """A simple directed graph of the edges of the given relation types (all types when None)."""
    wanted = set(types) if types is not None else None
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes(data=True))
    for u, v, t in g.edges(data="type"):
        if wanted is None or t in wanted:
            if d.has_edge(u, v):
                d[u][v]["types"].append(t)
            else:
                d.add_edge(u, v, types=[t])
    return d


# --- queries -----------------------------------------------------------------------------------------------------


class UnknownRecord(KeyError):
    """A query named a record that is not in the graph."""

    def __init__(self, record_id: str, known: Iterable[str]):
        self.record_id = record_id
        self.suggestion = did_you_mean(record_id, known)
        super().__init__(record_id)

    def __str__(self) -> str:
        return f"no record '{self.record_id}'" + (f" ({self.suggestion})" if self.suggestion else "")


def _require(g: nx.MultiDiGraph, *ids: str) -> None:
    for i in ids:
        if i not in g:
            raise UnknownRecord(i, g.nodes)


@dataclass(frozen=True)
class LineageStep:
    """A record reached from the start: how far, and through which record and relation type it was reached."""

    id: str
    depth: int
    via: str
    type: str


@dataclass(frozen=True)
class Lineage:
    record: str
    types: tuple[str, ...]
    ancestors: tuple[LineageStep, ...]  # what the record (transitively) builds on
    descendants: tuple[LineageStep, ...]  # what (transitively) builds on the record


def lineage(
    g: nx.MultiDiGraph, record_id: str, types: Iterable[str] | None = None, max_depth: int | None = None
) -> Lineage:
    """Ancestors and descendants of a record along relations of the given types (default: the ordered ones)."""
    _require(g, record_id)
    chosen = tuple(types) if types is not None else ORDERED_TYPES
    return lineage_in(typed_view(g, chosen), record_id, chosen, max_depth)


def lineage_in(
    d: nx.DiGraph, record_id: str, types: tuple[str, ...] = ORDERED_TYPES, max_depth: int | None = None
) -> Lineage:
    """Lineage over a ready typed view (see `typed_view`): for callers that ask for many records at once."""
    _require(d, record_id)
    chosen = types

    def walk(neighbours) -> tuple[LineageStep, ...]:
        seen = {record_id}
        out: list[LineageStep] = []
        queue = deque([(record_id, 0)])
        while queue:
            node, depth = queue.popleft()
            if max_depth is not None and depth >= max_depth:
                continue
            for nxt, types_ in sorted(neighbours(node)):
                if nxt not in seen:
                    seen.add(nxt)
                    out.append(LineageStep(nxt, depth + 1, node, types_))
                    queue.append((nxt, depth + 1))
        return tuple(out)

    ancestors = walk(lambda n: ((v, sorted(d[n][v]["types"])[0]) for v in d.successors(n)))
    descendants = walk(lambda n: ((u, sorted(d[u][n]["types"])[0]) for u in d.predecessors(n)))
    return Lineage(record_id, chosen, ancestors, descendants)


@dataclass(frozen=True)
class Hop:
    """One step of a path: `source` states a relation of `type` to `target`; `forward` if the path goes that way."""

    source: str
    type: str
    target: str
    forward: bool


def shortest_path(
    g: nx.MultiDiGraph, start: str, end: str, types: Iterable[str] | None = None, directed: bool = False
) -> list[Hop] | None:
    """The shortest chain of relations from start to end (following edges either way unless `directed`)."""
    _require(g, start, end)
    d = typed_view(g, types)
    view = d if directed else d.to_undirected(as_view=True)
    try:
        # Of the equally short paths, the one with the smallest ids: the same answer on every run.
        nodes = min(islice(nx.all_shortest_paths(view, start, end), 1000))
    except nx.NetworkXNoPath:
        return None
    hops = []
    for u, v in zip(nodes, nodes[1:], strict=False):
        if d.has_edge(u, v):
            hops.append(Hop(u, sorted(d[u][v]["types"])[0], v, True))
        else:
            hops.append(Hop(v, sorted(d[v][u]["types"])[0], u, False))
    return hops


def pagerank(
    d: nx.DiGraph, damping: float = 0.85, tol: float = 1e-10, max_iter: int = 200
) -> dict[str, float]:
    """PageRank by power iteration in pure Python (networkx's own needs scipy, which the core does not install).

    An edge u -> v passes u's rank to v, so a work that many (influential) works build on ranks high. Parallel
    relations between two records count once; dangling nodes spread their rank evenly.
    """
    nodes = list(d.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    rank = dict.fromkeys(nodes, 1.0 / n)
    out_degree = {u: d.out_degree(u) for u in nodes}
    for _ in range(max_iter):
        dangling = sum(rank[u] for u in nodes if out_degree[u] == 0)
        base = (1.0 - damping) / n + damping * dangling / n
        new = dict.fromkeys(nodes, base)
        for u, v in d.edges():
            new[v] += damping * rank[u] / out_degree[u]
        delta = sum(abs(new[u] - rank[u]) for u in nodes)
        rank = new
        if delta < n * tol:
            break
    return rank


@dataclass(frozen=True)
class Rank:
    id: str
    in_degree: int
    pagerank: float


def rank(
    g: nx.MultiDiGraph, types: Iterable[str] | None = None, top: int | None = 10, by: str = "pagerank"
) -> list[Rank]:
    """The most influential records: how many relations point at each (in-degree) and its PageRank."""
    d = typed_view(g, types)
    pr = pagerank(d)
    wanted = set(types) if types is not None else None
    indeg = Counter(v for _, v, t in g.edges(data="type") if wanted is None or t in wanted)
    rows = [Rank(n, indeg[n], pr[n]) for n in d.nodes]
    if by == "in-degree":
        rows.sort(key=lambda r: (-r.in_degree, -r.pagerank, r.id))
    else:
        rows.sort(key=lambda r: (-r.pagerank, -r.in_degree, r.id))
    return rows[:top] if top is not None else rows


def _level_order(catalog: Catalog) -> dict[str, int]:
    return {gl.id: gl.order for gl in catalog.taxonomy.goal_levels}


@dataclass(frozen=True)
class EvolutionLine:
    """A chain of works, earliest first, each building on the one before, whose goal levels never go down."""

    records: tuple[str, ...]
    levels: tuple[str, ...]  # the goal level each record carries the line at

    @property
    def span(self) -> int:
        return len(dict.fromkeys(self.levels))


@dataclass(frozen=True)
class Evolution:
    levels: tuple[str, ...]
    transitions: dict[tuple[str, str], int]  # (earlier work's level, later work's level) -> ordered relations
    lines: tuple[EvolutionLine, ...]
    bridges: tuple[tuple[str, str, str], ...] = field(
        default=()
    )  # (later, type, earlier) relations that climb


def evolution(catalog: Catalog, g: nx.MultiDiGraph | None = None, top: int = 10) -> Evolution:
    """How research moves across goal levels along ordered relations (earlier -> later work).

    Each record sits at its highest goal level. `transitions` counts ordered relations per pair of levels;
    `bridges` are the relations whose later work sits at a higher level than the work it builds on; `lines` are
    the longest chains of works whose level never goes down, those that climb the most levels first.
    """
    g = g if g is not None else build_graph(catalog)
    order = _level_order(catalog)
    levels = tuple(gl.id for gl in catalog.taxonomy.goal_levels)
    top_level = {n: max(lv, key=order.__getitem__) for n, lv in g.nodes(data="goal_levels") if lv}
    d = typed_view(g, ORDERED_TYPES)
    transitions: Counter = Counter()
    bridges = []
    for later, earlier in d.edges():
        if later in top_level and earlier in top_level:
            a, b = top_level[earlier], top_level[later]
            transitions[(a, b)] += 1
            if order[b] > order[a]:
                bridges.append((later, sorted(d[later][earlier]["types"])[0], earlier))
    lines: list[EvolutionLine] = []
    if nx.is_directed_acyclic_graph(d):
        lines = _evolution_lines(d, top_level, order, top)
    return Evolution(levels, dict(transitions), tuple(lines), tuple(sorted(bridges)))


def _evolution_lines(
    d: nx.DiGraph, level: dict[str, int | str], order: dict[str, int], top: int
) -> list[EvolutionLine]:
    # Best chain ending at each node, in time order (reverse topological order of later -> earlier edges):
    # score = (distinct levels climbed, length), ties broken by ids for stable output.
    best: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {}
    for node in reversed(list(nx.lexicographical_topological_sort(d))):
        if node not in level:
            continue
        chain: tuple[str, ...] = (node,)
        score = (1, 1)
        for earlier in sorted(d.successors(node)):
            if earlier in best and order[level[earlier]] <= order[level[node]]:
                prev_score, prev_chain = best[earlier]
                climbed = prev_score[0] + (level[earlier] != level[node])
                cand = (climbed, prev_score[1] + 1)
                if cand > score:
                    score, chain = cand, prev_chain + (node,)
        best[node] = (score, chain)
    ranked = sorted(best.values(), key=lambda sc: (-sc[0][0], -sc[0][1], sc[1]))
    out: list[EvolutionLine] = []
    covered: list[set[str]] = []
    for (climbed, _length), chain in ranked:
        if climbed < 2 or len(out) >= top:
            break
        if any(set(chain) <= c for c in covered):
            continue  # a part of a line already listed
        covered.append(set(chain))
        out.append(EvolutionLine(chain, tuple(str(level[n]) for n in chain)))
    return out


@dataclass(frozen=True)
class GraphStats:
    records: int
    relations: int
    by_type: dict[str, int]
    by_kind: dict[str, int]
    isolated: int
    components: int
    largest_component: int
    ordered_acyclic: bool
    longest_chain: int
    density: float
    top_cited: tuple[tuple[str, int], ...]


def graph_stats(g: nx.MultiDiGraph, top: int = 5) -> GraphStats:
    """Summary figures of the graph."""
    d = typed_view(g, ORDERED_TYPES)
    acyclic = nx.is_directed_acyclic_graph(d)
    comps = list(nx.weakly_connected_components(g)) if len(g) else []
    indeg = Counter(v for _, v in g.edges())
    return GraphStats(
        records=g.number_of_nodes(),
        relations=g.number_of_edges(),
        by_type=dict(sorted(Counter(t for *_, t in g.edges(data="type")).items())),
        by_kind=dict(sorted(Counter(k for _, k in g.nodes(data="kind")).items())),
        isolated=sum(1 for n in g if g.degree(n) == 0),
        components=len(comps),
        largest_component=max((len(c) for c in comps), default=0),
        ordered_acyclic=acyclic,
        longest_chain=(nx.dag_longest_path_length(d) + 1 if acyclic and len(d) else 0),
        density=nx.density(typed_view(g, None)) if len(g) > 1 else 0.0,
        top_cited=tuple(sorted(indeg.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
    )
