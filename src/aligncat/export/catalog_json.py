"""Export stage, JSON: the whole catalog (or a slice) as one document of records, edges and taxonomy."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..load import Catalog
from ..model import Record
from . import register


def record_json(catalog: Catalog, r: Record) -> dict[str, Any]:
    d = r.to_dict()
    d["authors"] = list(r.display_authors)
    d["author_names"] = [_plain_author(a) for a in r.authors]
    d["identifiers"] = r.ids
    d["categories"] = list(r.categories)
    d["links"] = [{"type": x.type, "url": x.url, **({"label": x.label} if x.label else {})} for x in r.links]
    d["goal_levels"] = list(catalog.goal_levels_of(r))
    d["perspectives"] = list(catalog.perspectives_of(r))
    d["path"] = r.path
    return d


def _plain_author(a: Any) -> dict[str, str]:
    return {k: v for k, v in asdict(a).items() if v}


def catalog_document(catalog: Catalog, records: tuple[Record, ...]) -> dict[str, Any]:
    ids = {r.id for r in records}
    edges = [{"source": r.id, "target": rel.target, "type": rel.type, **({"reason": rel.reason} if rel.reason else {})}
             for r in records for rel in r.relations if rel.target in ids]
    tax = catalog.taxonomy
    return {
        "catalog": {k: v for k, v in asdict(catalog.info).items() if v is not None},
        "records": [record_json(catalog, r) for r in records],
        "edges": edges,
        "taxonomy": {
            "goal_levels": [asdict(g) for g in tax.goal_levels],
            "perspectives": [asdict(p) for p in tax.perspectives],
            "schemes": [asdict(s) for s in tax.schemes],
            "categories": [{k: v for k, v in asdict(c).items() if k != "pointer"} for c in tax.categories.values()],
        },
        "tags": [asdict(t) for t in catalog.tags.values()],
    }


@register("json", ".json", "application/json", "the catalog as one JSON document: records, edges, taxonomy, tags")
def export_json(catalog: Catalog, records: tuple[Record, ...]) -> str:
    return json.dumps(catalog_document(catalog, records), indent=2, ensure_ascii=False) + "\n"
