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


# Where a genre's venue goes: the container an article or paper appeared in, or the publisher of a whole work.
_PUBLISHER_GENRES = ("book", "thesis", "report")


def record_to_csl(r: Record) -> dict[str, Any]:
    """One CSL-JSON item; the id is the record id, the same key the BibTeX export uses.

    A preprint's server is its publisher and its arXiv id its number, which is how citeproc styles print a
    preprint ("(arXiv:2112.09332). arXiv."); the id is written once only (in `number`, not again in `archive` /
    `archive_location`). A published work gives its venue and the venue's year; its preprint is not printed. CSL-JSON
    has no way to say an author list goes on: the names known are given and the style's et-al rules apply.
    """
    c = cite.citation(r)
    item: dict[str, Any] = {"id": c.key, "type": CSL_TYPES[c.genre], "title": c.title}
    if c.authors:
        item["author"] = [csl_name(a) for a in c.authors]
    item["issued"] = {"date-parts": [list(c.date_parts)]}
    if c.venue:
        item["publisher" if c.genre in _PUBLISHER_GENRES else "container-title"] = c.venue
    elif c.is_preprint and c.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{c.arxiv}"
    if c.doi:
        item["DOI"] = c.doi
    if c.url:
        item["URL"] = c.url
    if c.short_title:
        item["title-short"] = c.short_title
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
