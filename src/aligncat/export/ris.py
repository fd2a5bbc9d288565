"""Export stage, RIS: records as tagged RIS references (EndNote, Zotero, Mendeley, reference managers)."""

from __future__ import annotations

from ..load import Catalog
from ..model import Author, Record
from . import _citation as cite
from . import register

# RIS reference type per publication genre.
RIS_TYPES = {
    "conference": "CPAPER",
    "workshop": "CPAPER",
    "journal": "JOUR",
    "preprint": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "thesis": "THES",
    "report": "RPRT",
    "blog": "BLOG",
    "website": "ELEC",
    "software": "COMP",
    "dataset": "DATA",
    "other": "GEN",
}


def _line(tag: str, value: str) -> str:
    # RIS has no escaping: one value per line, so line breaks inside a value are folded to spaces.
    return f"{tag}  - {' '.join(value.split())}\n"


def ris_name(a: Author) -> str:
    if a.literal:
        return a.literal
    return f"{a.family}, {a.given}" if a.given else a.family or ""


def record_to_ris(r: Record) -> str:
    genre = cite.genre(r)
    out = [_line("TY", RIS_TYPES[genre]), _line("ID", r.id), _line("TI", r.title)]
    out += [_line("AU", ris_name(a)) for a in r.authors]
    out.append(_line("PY", str(r.year)))
    parts = cite.date_parts(r)
    if len(parts) > 1:
        # RIS dates are YYYY/MM/DD/ with empty parts left blank.
        fields = [f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])] + [""] * (3 - len(parts))
        out.append(_line("DA", "/".join(fields) + "/"))
    arxiv = cite.arxiv_id(r)
    if r.venue and not (genre == "preprint" and cite.is_arxiv_venue(r)):
        out.append(_line("PB" if genre in ("book", "thesis", "report") else "T2", r.venue))
    elif genre == "preprint" and arxiv:
        out.append(_line("T2", "arXiv"))
    if arxiv:
        out.append(_line("M1", f"arXiv:{arxiv}"))
    if cite.doi(r):
        out.append(_line("DO", cite.doi(r) or ""))
    url = cite.best_url(r)
    if url:
        out.append(_line("UR", url))
    if r.kind in ("dataset", "benchmark"):
        out.append(_line("M3", r.kind.capitalize()))
    out.append("ER  - \n")
    return "".join(out)


@register(
    "ris", ".ris", "application/x-research-info-systems", "RIS references (for EndNote, Mendeley, Zotero)"
)
def export_ris(catalog: Catalog, records: tuple[Record, ...]) -> str:
    return "\n".join(record_to_ris(r) for r in sorted(records, key=lambda r: r.id))
