"""Export stage, graph JSON: the citation graph as node-link JSON (schemas/graph.schema.json), for the site's views."""

from __future__ import annotations

import json
from typing import Any

from ..load import Catalog
from ..model import RELATION_TYPES, Record
from . import register

GRAPH_JSON_VERSION = 1


def graph_document(
    catalog: Catalog, records: tuple[Record, ...], *, record_url: str | None = None
) -> dict[str, Any]:
    """Nodes (kind, year, goal levels, categories, ...) and typed edges between the given records.

    `record_url` is a pattern such as "../records/{id}/" that gives each node the address of its page.
    """
    from ..graph import build_graph

    g = build_graph(catalog, records)
    nodes = []
    for r in records:
        node: dict[str, Any] = {
            "id": r.id,
            "label": r.label,
            "title": r.title,
            "kind": r.kind,
            "year": r.year,
            "goal_levels": list(catalog.goal_levels_of(r)),
            "categories": list(r.categories),
            "perspectives": list(catalog.perspectives_of(r)),
            "in_degree": g.in_degree(r.id),
            "out_degree": g.out_degree(r.id),
        }
        if record_url:
            node["url"] = record_url.format(id=r.id)
        nodes.append(node)
    edges = []
    for r in records:
        for rel in r.relations:
            if rel.target in g and rel.target != r.id and g.has_edge(r.id, rel.target, key=rel.type):
                edge: dict[str, Any] = {"source": r.id, "target": rel.target, "type": rel.type}
                if rel.reason:
                    edge["reason"] = rel.reason
                edges.append(edge)
    used_types = {e["type"] for e in edges}
    return {
        "version": GRAPH_JSON_VERSION,
        "directed": True,
        "multigraph": True,
        "graph": {
            "title": catalog.info.title,
            "relation_types": [
                {
                    "name": t.name,
                    "label": t.label,
                    "inverse_label": t.inverse_label,
                    "meaning": t.meaning,
                    "ordered": t.ordered,
                    "sources": list(t.sources),
                    "targets": list(t.targets),
                    "used": t.name in used_types,
                }
                for t in RELATION_TYPES.values()
            ],
            "goal_levels": [
                {
                    "id": gl.id,
                    "title": gl.title,
                    "order": gl.order,
                    **({"color": gl.color} if gl.color else {}),
                }
                for gl in catalog.taxonomy.goal_levels
            ],
            "kinds": sorted({r.kind for r in records}),
        },
        "nodes": nodes,
        "edges": edges,
    }


@register(
    "graph-json",
    ".graph.json",
    "application/json",
    "the citation graph as node-link JSON (nodes with kind, year, goal levels, categories; typed edges)",
)
def export_graph_json(catalog: Catalog, records: tuple[Record, ...]) -> str:
    return json.dumps(graph_document(catalog, records), indent=2, ensure_ascii=False) + "\n"
