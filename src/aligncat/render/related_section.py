"""Render stage, related works: the record page's "Related works" section (template record_related.md), the few
records that `aligncat.related` finds close to this one beyond its stated relations, each saying why."""

from __future__ import annotations

from ..catalog import Catalog
from ..model import Record
from ..related import Reason, Related, related_works
from . import RenderContext
from .jinja import render
from .pages import record_path, tag_title
from .text import relative_url

_CACHE: dict[int, tuple[Catalog, dict]] = {}


def related_of(catalog: Catalog) -> dict:
    """The catalog's related works, computed once per catalog rather than once per record page."""
    hit = _CACHE.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        _CACHE.clear()  # one catalog at a time: keeps no old catalog alive
        hit = _CACHE[id(catalog)] = (catalog, dict(related_works(catalog)))
    return hit[1]


def remember(catalog: Catalog, related: dict) -> None:
    """Use `related` as the catalog's related works: what related_works(catalog) gave for a catalog whose
    relations, categories, tags and taxonomy were the same (site/render_memo.py keeps it between renders)."""
    _CACHE.clear()
    _CACHE[id(catalog)] = (catalog, related)


def _label(catalog: Catalog, record_id: str) -> str:
    r = catalog.records.get(record_id)
    return r.label if r else record_id


def reason_text(catalog: Catalog, reason: Reason) -> str:
    """One reason in words, e.g. "both used by 11 works, such as RAFT"."""
    if reason.kind == "cocited":
        example = _label(catalog, reason.examples[0])
        if reason.count == 1:
            return f"both used by {example}"
        return f"both used by {reason.count} works, such as {example}"
    if reason.kind == "coupled":
        example = _label(catalog, reason.examples[0])
        if reason.count == 1:
            return f"both draw on {example}"
        return f"both draw on {reason.count} of the same works, such as {example}"
    if reason.kind == "category":
        cat = catalog.taxonomy.categories.get(reason.examples[0])
        return f"both filed under {cat.title if cat else reason.examples[0]}"
    if reason.kind == "tag":
        return f"both tagged {tag_title(catalog, reason.examples[0])}"
    return reason.kind


def why_text(catalog: Catalog, reasons: tuple[Reason, ...]) -> str:
    """All of a related work's reasons in one phrase: shared categories and shared tags each said once."""
    parts, cats, tags = [], [], []
    for r in reasons:
        if r.kind == "category":
            cat = catalog.taxonomy.categories.get(r.examples[0])
            cats.append(cat.title if cat else r.examples[0])
        elif r.kind == "tag":
            tags.append(tag_title(catalog, r.examples[0]))
        else:
            parts.append(reason_text(catalog, r))
    if cats:
        parts.append("both filed under " + " and ".join(cats))
    if tags:
        parts.append("both tagged " + " and ".join(tags))
    return "; ".join(parts)


def related_view(catalog: Catalog, record: Record, page: str) -> list[dict]:
    items: list[Related] = list(related_of(catalog).get(record.id, ()))
    return [
        {
            "href": relative_url(page, record_path(r.id)),
            "label": catalog.records[r.id].label,
            "title": catalog.records[r.id].title,
            "year": catalog.records[r.id].year,
            "why": why_text(catalog, r.reasons),
        }
        for r in items
    ]


def related_section(catalog: Catalog, record: Record, ctx: RenderContext) -> str:
    """Up to five related works with their reasons; nothing when none is close enough."""
    page = record_path(record.id)
    items = related_view(catalog, record, page)
    if not items:
        return ""
    return render(catalog.root, "record_related.md", page=page, record=record, items=items).rstrip()
