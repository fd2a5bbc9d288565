"""Graph stage: the citation / evolution graph of records and their typed relations (networkx)."""

from __future__ import annotations

import networkx as nx

from .load import Catalog


def build_graph(catalog: Catalog) -> nx.MultiDiGraph:
    """One node per record, one edge per relation whose target exists, keyed by relation type."""
    g = nx.MultiDiGraph()
    for r in catalog.records.values():
        g.add_node(r.id, kind=r.kind, year=r.year, title=r.title, label=r.label,
                   goal_levels=list(catalog.goal_levels_of(r)), categories=list(r.categories))
    for r in catalog.records.values():
        for rel in r.relations:
            if rel.target in catalog.records:
                g.add_edge(r.id, rel.target, key=rel.type, type=rel.type, reason=rel.reason or "")
    return g
