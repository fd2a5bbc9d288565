"""Export stage, Citation File Format: the catalog (or a slice) as CITATION.cff, citing the survey it serves."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..load import Catalog
from ..model import Author, Record
from . import _citation as cite
from . import register

# CFF 1.2.0 reference type per publication genre.
CFF_TYPES = {
    "conference": "conference-paper",
    "workshop": "conference-paper",
    "journal": "article",
    "preprint": "article",
    "book": "book",
    "chapter": "book",
    "thesis": "thesis",
    "report": "report",
    "blog": "blog",
    "website": "website",
    "software": "software",
    "dataset": "data",
    "other": "generic",
}


def cff_person(a: Author) -> dict[str, str]:
    if a.literal:
        return {"name": a.literal}
    person = {"family-names": a.family or ""}
    if a.given:
        person["given-names"] = a.given
    if a.orcid:
        person["orcid"] = f"https://orcid.org/{a.orcid}"
    return person


# What CFF 1.2.0's schema accepts as a DOI (narrower than DOIs are); any other DOI is given as its doi.org URL.
CFF_DOI_RE = re.compile(r"^10\.\d{4,9}(\.\d+)?/[A-Za-z0-9:/_;\-\.\(\)\[\]\\\\]+$")
# An SPDX licence id (CFF's `license` is SPDX only); anything else is left out and said so.
_SPDX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


def _unique(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The items without exact repeats (CFF's author lists are uniqueItems), and how many were left out."""
    out: list[dict[str, Any]] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out, len(items) - len(out)


def cff_reference(r: Record, notes: list[str] | None = None) -> dict[str, Any]:
    """One record as a CFF reference; records without authors are credited to no one rather than made up.

    What CFF's schema forbids is adjusted, and each adjustment is added to `notes` (written as comments at the top
    of the file): an author named twice is listed once; a DOI outside CFF's DOI pattern is given as its URL.
    """
    notes = notes if notes is not None else []
    c = cite.citation(r)
    ref: dict[str, Any] = {"type": CFF_TYPES[c.genre], "title": c.title}
    authors, repeats = _unique([cff_person(a) for a in c.authors])
    if repeats:
        notes.append(f"{r.id}: {repeats} repeated author name(s) listed once (CFF lists each author once)")
    ref["authors"] = authors or [{"name": "anonymous"}]
    ref["year"] = c.year
    if len(c.date_parts) > 1:
        ref["month"] = c.date_parts[1]
    if len(c.date_parts) == 3:
        ref["date-published"] = "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(c.date_parts))
    if c.venue:
        if c.genre in ("conference", "workshop"):
            ref["conference"] = {"name": c.venue}
        elif c.genre == "journal":
            ref["journal"] = c.venue
        elif c.genre in ("book", "thesis", "report"):
            ref["publisher"] = {"name": c.venue}
        else:
            ref["collection-title"] = c.venue
    identifiers: list[dict[str, str]] = []
    if c.doi and CFF_DOI_RE.match(c.doi):
        ref["doi"] = c.doi
    elif c.doi:
        identifiers.append({"type": "url", "value": c.doi_url or "", "description": "DOI"})
        notes.append(f"{r.id}: DOI {c.doi!r} is outside CFF's DOI pattern; given as its doi.org URL")
    if c.arxiv:
        identifiers.append({"type": "other", "value": f"arXiv:{c.arxiv}", "description": "arXiv identifier"})
        if c.is_preprint:
            ref["repository"] = f"https://arxiv.org/abs/{c.arxiv}"
    if identifiers:
        ref["identifiers"] = identifiers
    if c.url:
        ref["url"] = c.url
    return ref


def catalog_citation(catalog: Catalog, records: tuple[Record, ...], notes: list[str] | None = None) -> dict[str, Any]:
    """The CFF document: the catalog as a dataset, its survey as the preferred citation, the records as references.

    The catalog's authors are its survey's authors; a catalog without a survey record is credited to its
    contributors as a group, never to invented names.
    """
    notes = notes if notes is not None else []
    info = catalog.info
    survey = catalog.records.get(info.survey) if info.survey else None
    doc: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this catalog, please cite it as below.",
        "type": "dataset",
        "title": " ".join(info.title.split()),
    }
    if info.version:
        doc["version"] = info.version.removeprefix("v")
    if info.released:
        doc["date-released"] = info.released
    if info.description:
        doc["abstract"] = " ".join(info.description.split())
    if survey and survey.authors:
        authors, repeats = _unique([cff_person(a) for a in survey.authors if not cite.is_truncation_marker(a)])
        doc["authors"] = authors or [{"name": f"{doc['title']} contributors"}]
    else:
        doc["authors"] = [{"name": f"{doc['title']} contributors"}]
    if info.license and _SPDX_RE.match(info.license):
        doc["license"] = info.license
    elif info.license:
        notes.append(f"catalog.yaml: license {info.license!r} is not an SPDX id; left out (CFF takes SPDX ids only)")
    if info.repository:
        doc["repository-code"] = info.repository
    if info.site_url:
        doc["url"] = info.site_url
    if survey:
        doc["preferred-citation"] = cff_reference(survey, notes)
    if records:
        doc["references"] = [cff_reference(r, notes) for r in sorted(records, key=lambda r: r.id)]
    return doc


@register("cff", ".cff", "application/x-yaml", "CITATION.cff (Citation File Format 1.2.0) citing the catalog")
def export_cff(catalog: Catalog, records: tuple[Record, ...]) -> str:
    notes: list[str] = []
    doc = catalog_citation(catalog, records, notes)
    # libyaml's emitter when PyYAML has it (same output, ~10x faster on a catalog of thousands of references)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)
    head = "# Generated by `aligncat export cff`; edit catalog/catalog.yaml instead.\n"
    # Each note once (the survey is both the preferred citation and a reference), on one comment line of its own.
    for note in dict.fromkeys(notes):
        head += "# adjusted for CFF: " + " ".join(note.split()) + "\n"
    return head + body
