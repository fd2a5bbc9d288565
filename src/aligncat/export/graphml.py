"""Export stage, GraphML: the citation graph for Gephi, Cytoscape desktop or yEd (loads back with networkx)."""

from __future__ import annotations

import networkx as nx

from ..load import Catalog
from ..model import Record
from . import register

LIST_SEPARATOR = ";"  # GraphML attributes are scalars: lists (goal levels, categories) are joined with this


def graphml_graph(catalog: Catalog, records: tuple[Record, ...]) -> nx.MultiDiGraph:
    """The graph with every attribute as a GraphML scalar (str, int, bool)."""
    from ..graph import build_graph

    g = build_graph(catalog, records)
    out = nx.MultiDiGraph()
    out.graph["title"] = catalog.info.title
    for n, data in g.nodes(data=True):
        out.add_node(n, **{k: LIST_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in data.items()})
    for u, v, k, data in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **data)
    return out


@register(
    "graphml",
    ".graphml",
    "application/graphml+xml",
    f"the citation graph as GraphML (lists such as goal_levels joined with '{LIST_SEPARATOR}')",
)
def export_graphml(catalog: Catalog, records: tuple[Record, ...]) -> str:
    return "\n".join(nx.generate_graphml(graphml_graph(catalog, records), prettyprint=True)) + "\n"
