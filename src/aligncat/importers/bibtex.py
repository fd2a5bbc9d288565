"""Import stage, BibTeX: read a .bib file with bibtexparser 2.x into record data, accounting for every entry."""

from __future__ import annotations

import logging
import re
from typing import Any

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.model import Entry as BibEntry
from bibtexparser.model import MiddlewareErrorBlock, ParsingFailedBlock

from ..checks import strip_tracking
from .common import Entry, arxiv_from, today
from .latex import latex_to_text

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}

# (venue_type, field naming the venue) per BibTeX entry type; misc is decided from its fields.
ENTRY_VENUES = {
    "article": ("journal", "journal"),
    "inproceedings": ("conference", "booktitle"),
    "conference": ("conference", "booktitle"),
    "proceedings": ("conference", "title"),
    "book": ("book", "publisher"),
    "inbook": ("chapter", "booktitle"),
    "incollection": ("chapter", "booktitle"),
    "phdthesis": ("thesis", "school"),
    "mastersthesis": ("thesis", "school"),
    "thesis": ("thesis", "school"),
    "techreport": ("report", "institution"),
    "report": ("report", "institution"),
    "online": ("website", None),
    "software": ("software", None),
    "dataset": (None, None),
    "misc": (None, "howpublished"),
    "unpublished": (None, None),
}
_KIND_NOTES = {"dataset": "dataset", "benchmark": "benchmark"}
_DOI_RE = re.compile(r"(10\.\d{4,9}/\S+)")


def parse_bibtex(text: str, source_name: str, *, kind: str = "paper") -> list[Entry]:
    """Every entry of a BibTeX text as an Entry: usable ones carry record data, broken ones the reason.

    @string macros and month names are resolved, LaTeX accents and braces decoded. Comments and @preamble are
    not entries and are not reported.
    """
    # bibtexparser logs each broken block as a warning; they are reported here, once, as entries.
    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[mw.SeparateCoAuthors(), mw.SplitNameParts()]
        )
    finally:
        log.setLevel(level)
    entries: list[Entry] = []
    lines = text.count("\n") + 1
    for block in sorted(library.blocks, key=lambda b: b.start_line if b.start_line is not None else lines):
        where = f"{source_name}:{(block.start_line or 0) + 1}"
        if isinstance(block, BibEntry):
            entries.append(_entry(block, where, kind))
        elif isinstance(block, (ParsingFailedBlock, MiddlewareErrorBlock)):
            # Parsing failures (duplicate keys included) and MiddlewareErrorBlock (a middleware, e.g. the name
            # splitter, could not handle the entry): every one is reported, none silently dropped.
            entries.append(Entry(where, None, reason=_failure_reason(block)))
    return entries


def _failure_reason(block: Any) -> str:
    name = type(block).__name__
    err = getattr(block, "error", None)
    raw = (getattr(block, "raw", "") or "").strip().splitlines()
    head = raw[0][:60] if raw else ""
    if name == "DuplicateBlockKeyBlock":
        return (
            f"the key '{getattr(block, 'key', '?')}' is used by an earlier entry; give this entry its own key"
        )
    if name == "DuplicateFieldKeyBlock":
        return f"a field appears twice in '{head}': keep one ({err})"
    detail = (
        (getattr(err, "abort_reason", None) or str(err) or type(err).__name__).strip()
        if err
        else "cannot parse"
    )
    return f"not valid BibTeX in '{head}': {detail}; check braces, commas and quotes"


def _field(entry: BibEntry, name: str) -> str | None:
    f = entry.fields_dict.get(name)
    if f is None or f.value in (None, "", []):
        return None
    return f.value


def _person(parts: Any) -> dict[str, str] | None:
    first = " ".join(parts.first)
    von = " ".join(parts.von)
    last = " ".join(parts.last)
    jr = " ".join(parts.jr)
    raw_last = last.strip()
    if not first and not von and raw_last.startswith("{") and raw_last.endswith("}") and len(parts.last) == 1:
        return {"literal": latex_to_text(raw_last)}
    family = latex_to_text(" ".join(x for x in (von, last) if x))
    if jr:
        family = f"{family}, {latex_to_text(jr)}"
    if not family:
        return None
    out = {"family": family}
    if first:
        out["given"] = latex_to_text(first)
    return out


def _entry(entry: BibEntry, where: str, default_kind: str) -> Entry:
    where = f"{where} ({entry.key})"
    title = _field(entry, "title")
    year_raw = _field(entry, "year") or (_field(entry, "date") or "")[:4]
    problems = []
    if not title:
        problems.append("no title")
    year = int(year_raw) if isinstance(year_raw, str) and re.fullmatch(r"\d{4}", year_raw.strip()) else None
    if year is None:
        problems.append(f"no four-digit year (got {year_raw!r})" if year_raw else "no year")
    if problems:
        return Entry(where, None, reason=" and ".join(problems) + "; add it to the entry and import again")

    etype = entry.entry_type.lower()
    note = (latex_to_text(_field(entry, "note") or "")).strip().lower()
    kind = _KIND_NOTES.get(note, "dataset" if etype == "dataset" else default_kind)
    data: dict[str, Any] = {"id": entry.key.lower(), "kind": kind, "title": latex_to_text(title)}
    authors = [p for p in (_person(a) for a in (_field(entry, "author") or [])) if p]
    if authors:
        data["authors"] = authors
    data["year"] = year
    mon = _month(_field(entry, "month"))
    if mon:
        data["date"] = f"{year}-{mon:02d}"

    venue_type, venue_field = ENTRY_VENUES.get(etype, (None, "howpublished"))
    venue = latex_to_text(_field(entry, venue_field) or "") if venue_field else ""
    identifiers: dict[str, str] = {}
    eprint = _field(entry, "eprint")
    prefix = (_field(entry, "archiveprefix") or _field(entry, "eprinttype") or "").lower()
    arxiv = eprint if eprint and (prefix == "arxiv" or arxiv_from(f"arXiv:{eprint}")) else None
    arxiv = arxiv_from(f"arXiv:{arxiv}") if arxiv else None
    arxiv = (
        arxiv or arxiv_from(venue) or arxiv_from(_field(entry, "url")) or arxiv_from(_field(entry, "journal"))
    )
    if arxiv:
        identifiers["arxiv"] = arxiv
    doi_raw = _field(entry, "doi")
    doi_match = _DOI_RE.search(doi_raw) if doi_raw else None
    if doi_match:
        identifiers["doi"] = doi_match.group(1)
    if venue and (venue.lower().startswith("arxiv") or venue.lower() == "corr"):
        venue, venue_type = "arXiv", "preprint"
    elif not venue and etype in ("misc", "unpublished") and arxiv:
        venue, venue_type = "arXiv", "preprint"
    if venue_type == "conference" and "workshop" in venue.lower():
        venue_type = "workshop"
    if venue:
        data["venue"] = venue
    if venue_type and (venue or venue_type in ("website", "software")):
        data["venue_type"] = venue_type
    if identifiers:
        data["identifiers"] = identifiers
    url = _field(entry, "url")
    if url and re.match(r"https?://\S+$", url.strip()):
        url = strip_tracking(url.strip())
        data["links"] = [{"type": "pdf" if url.lower().endswith(".pdf") else "paper", "url": url}]
    data["added"] = today()
    data["provenance"] = [
        {
            "fields": [
                k for k in ("title", "authors", "year", "date", "venue", "identifiers", "links") if k in data
            ],
            "source": f"BibTeX entry {where}",
        }
    ]
    return Entry(where, data)


def _month(value: Any) -> int | None:
    if value is None:
        return None
    text = latex_to_text(str(value)).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text[:3])
