"""Export stage, CSL-JSON: records as Citation Style Language items (Zotero, Pandoc, citeproc-js read them)."""

from __future__ import annotations

import json
from typing import Any

from ..load import Catalog
from ..model import Author, Record
from . import _citation as cite
from . import register

# CSL item type per publication genre (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types)
CSL_TYPES = {
    "conference": "paper-conference",
    "workshop": "paper-conference",
    "journal": "article-journal",
    "preprint": "article",
    "book": "book",
    "chapter": "chapter",
    "thesis": "thesis",
    "report": "report",
    "blog": "post-weblog",
    "website": "webpage",
    "software": "software",
    "dataset": "dataset",
    "other": "article",
}


def csl_name(a: Author) -> dict[str, str]:
    if a.literal:
        return {"literal": a.literal}
    return {"family": a.family or "", **({"given": a.given} if a.given else {})}


def record_to_csl(r: Record) -> dict[str, Any]:
    """One CSL-JSON item; the id is the record id, the same key the BibTeX export uses."""
    genre = cite.genre(r)
    item: dict[str, Any] = {"id": r.id, "type": CSL_TYPES[genre], "title": r.title}
    if r.authors:
        item["author"] = [csl_name(a) for a in r.authors]
    item["issued"] = {"date-parts": [list(cite.date_parts(r))]}
    arxiv = cite.arxiv_id(r)
    if r.venue and not (genre == "preprint" and cite.is_arxiv_venue(r)):
        item["container-title" if genre not in ("book", "thesis", "report") else "publisher"] = r.venue
    if arxiv:
        if genre == "preprint":
            item["publisher"] = "arXiv"
            item["number"] = f"arXiv:{arxiv}"
        item["archive"] = "arXiv"
        item["archive_location"] = arxiv
    if cite.doi(r):
        item["DOI"] = cite.doi(r)
    url = cite.best_url(r)
    if url:
        item["URL"] = url
    if r.kind in ("dataset", "benchmark"):
        item["genre"] = r.kind.capitalize()
    if r.short_name:
        item["title-short"] = r.short_name
    return item


@register(
    "csl-json",
    ".json",
    "application/vnd.citationstyles.csl+json",
    "CSL-JSON items (for Pandoc, Zotero and citeproc)",
)
def export_csl_json(catalog: Catalog, records: tuple[Record, ...]) -> str:
    items = [record_to_csl(r) for r in sorted(records, key=lambda r: r.id)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
