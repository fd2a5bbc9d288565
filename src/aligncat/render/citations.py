"""Render stage, citing: per-record citation data, .bib downloads, Scholar meta tags, Dataset JSON-LD, the
cite page.

The entries themselves come from the export stage (aligncat.export: bibtex, csl-json, cff), so the site and
`aligncat export` always agree. "Export this view" on index pages is done in the browser from citations.json.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache

from ..load import Catalog
from ..model import Record
from . import Page, RenderContext
from .jinja import render
from .text import relative_url, safe_url

CITATIONS_JSON = "data/citations.json"
CITE_PAGE = "cite.md"
ALL_BIB = "bib/all.bib"
NEEDED_FORMATS = ("bibtex", "csl-json")


def bib_path_for_category(category_id: str) -> str:
    return f"bib/category/{category_id}.bib"


def bib_path_for_tag(tag_id: str) -> str:
    return f"bib/tag/{tag_id}.bib"


@lru_cache(maxsize=1)
def _formats() -> dict:
    from ..export import available_formats

    return available_formats()


def formats_available() -> bool:
    """Whether the export stage offers what the site's citing features need (BibTeX and CSL-JSON)."""
    return all(f in _formats() for f in NEEDED_FORMATS)


def export_records(catalog: Catalog, records: tuple[Record, ...], fmt: str) -> str | None:
    fmt_obj = _formats().get(fmt)
    return None if fmt_obj is None else fmt_obj.export(catalog, records)


# Each record's BibTeX entry and CSL item are formatted once per build and reused by its page, citations.json and
# every .bib download it appears in (a record is in several categories and tags). The cache belongs to one
# catalog object: rendering another (a rebuild in `serve`) starts afresh.
_CACHE: dict[tuple[str, str], object] = {}
_CACHE_OWNER: list[weakref.ref] = []


def _cache_for(catalog: Catalog) -> dict[tuple[str, str], object]:
    if not _CACHE_OWNER or _CACHE_OWNER[0]() is not catalog:
        _CACHE.clear()
        _CACHE_OWNER[:] = [weakref.ref(catalog)]
    return _CACHE


def bibtex_entry(catalog: Catalog, record: Record) -> str:
    """The record's entry as the BibTeX exporter writes it (export.bibtex.record_to_bibtex), formatted once."""
    from ..export.bibtex import record_to_bibtex

    cache = _cache_for(catalog)
    key = ("bibtex", record.id)
    if key not in cache:
        cache[key] = record_to_bibtex(record)
    return cache[key]  # type: ignore[return-value]


def csl_item(catalog: Catalog, record: Record) -> dict:
    """The record's CSL-JSON item (export.csl_json.record_to_csl), built once."""
    from ..export.csl_json import record_to_csl

    cache = _cache_for(catalog)
    key = ("csl", record.id)
    if key not in cache:
        cache[key] = record_to_csl(record)
    return cache[key]  # type: ignore[return-value]


def bibtex_file(catalog: Catalog, records: Iterable[Record]) -> str:
    """What `aligncat export bibtex` writes for these records (the same header and order), from the cached
    entries; tests/test_site_fast.py checks the two agree."""
    from ..export.bibtex import file_header

    ordered = sorted(records, key=lambda r: r.id)
    header = file_header(catalog, len(ordered))
    return header + "".join("\n" + bibtex_entry(catalog, r) for r in ordered)


def entry_for(catalog: Catalog, record: Record, fmt: str) -> str | None:
    """One record's entry in a format, or None when that format is not available.

    For BibTeX the file's comment lines (a header naming the catalog) are dropped: a reader copies one entry.
    """
    if fmt == "bibtex":
        return bibtex_entry(catalog, record).strip() + "\n" if "bibtex" in _formats() else None
    return export_records(catalog, (record,), fmt)


def citation_meta(catalog: Catalog, record: Record) -> list[list[str]]:
    """Google Scholar's citation_* meta tags as (name, content) pairs; the theme override escapes them."""
    meta = [["citation_title", record.title]]
    meta += [["citation_author", _scholar_name(a)] for a in record.authors if _scholar_name(a)]
    meta.append(["citation_publication_date", (record.date or str(record.year)).replace("-", "/")])
    venue = record.venue
    if venue:
        name = {
            "journal": "citation_journal_title",
            "conference": "citation_conference_title",
            "workshop": "citation_conference_title",
        }.get(record.venue_type or "", "citation_publisher")
        meta.append([name, venue])
    ids = record.ids
    if "doi" in ids:
        meta.append(["citation_doi", ids["doi"]])
    if "arxiv" in ids:
        meta.append(["citation_pdf_url", f"https://arxiv.org/pdf/{ids['arxiv']}"])
    elif pdf := next(
        (x.url for x in record.links if x.url.lower().endswith(".pdf") and safe_url(x.url)), None
    ):
        meta.append(["citation_pdf_url", pdf])
    return meta


def _scholar_name(author) -> str:
    if author.literal:
        return author.literal
    return f"{author.family}, {author.given}" if author.given else (author.family or "")


def dataset_jsonld(catalog: Catalog, record: Record, ctx: RenderContext) -> dict:
    """schema.org Dataset for a dataset record (Google Dataset Search reads it)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": record.title,
        "description": " ".join((record.summary or record.title).split()),
    }
    if record.short_name or record.aliases:
        data["alternateName"] = [n for n in (record.short_name, *record.aliases) if n]
    if record.authors:
        data["creator"] = [
            (
                {"@type": "Organization", "name": a.literal}
                if a.literal
                else {
                    "@type": "Person",
                    "name": a.display,
                    **({"familyName": a.family} if a.family else {}),
                    **({"givenName": a.given} if a.given else {}),
                }
            )
            for a in record.authors
        ]
    data["datePublished"] = record.date or str(record.year)
    info = getattr(record, "dataset", None)
    if info is not None:
        if info.license:
            data["license"] = info.license
        if info.languages:
            data["inLanguage"] = list(info.languages)
        if info.size:
            data["size"] = info.size
    urls = [x.url for x in record.links if safe_url(x.url)]
    if urls:
        data["url"] = urls[0]
        if len(urls) > 1:
            data["sameAs"] = urls[1:]
    if "doi" in record.ids:
        data["identifier"] = f"https://doi.org/{record.ids['doi']}"
    if record.tags:
        data["keywords"] = [catalog.tags[t].title if t in catalog.tags else t for t in record.tags]
    return data


def citation_data(catalog: Catalog) -> dict:
    """Per record: its BibTeX entry and CSL-JSON item, for "export this view" in the browser."""
    out = {}
    for r in catalog.records.values():
        csl = csl_item(catalog, r) if "csl-json" in _formats() else None
        out[r.id] = {"bibtex": entry_for(catalog, r, "bibtex") or "", "csl": csl}
    return out


def citation_files(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    if not formats_available():
        return
    yield Page(CITATIONS_JSON, json.dumps(citation_data(catalog), ensure_ascii=False, sort_keys=True))
    yield Page(ALL_BIB, bibtex_file(catalog, catalog.records.values()))
    for cid in catalog.taxonomy.categories:
        members = catalog.in_category(cid)
        if members:
            yield Page(bib_path_for_category(cid), bibtex_file(catalog, members))
    for tag, members in catalog.by_tag.items():
        yield Page(bib_path_for_tag(tag), bibtex_file(catalog, members))


def cite_page(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    page = CITE_PAGE
    survey = catalog.records.get(catalog.info.survey or "")
    bib = entry_for(catalog, survey, "bibtex") if survey is not None else None
    # The same file as `aligncat export cff`: the catalog's citation plus its works as references.
    cff = export_records(catalog, tuple(catalog.records.values()), "cff") if "cff" in _formats() else None
    text = render(
        catalog.root,
        "cite.md",
        page=page,
        survey={"href": relative_url(page, f"records/{survey.id}.md"), "text": survey.title}
        if survey
        else None,
        survey_bibtex=bib.strip() if bib else None,
        # the page shows the citation, the file every reference
        cff_head=cff.partition("\nreferences:")[0].strip() if cff else None,
        cff_href=relative_url(page, "CITATION.cff"),
        lists=formats_available(),
        all_bib={"href": relative_url(page, ALL_BIB), "filename": f"{_slug(catalog.info.title)}.bib"},
        records=len(catalog.records),
    )
    yield Page(page, text, title="Cite")
    if cff:
        yield Page("CITATION.cff", cff)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "catalog"
