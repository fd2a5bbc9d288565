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
    """One RIS reference; RIS cannot say an author list goes on, so the names known are given."""
    c = cite.citation(r)
    out = [_line("TY", RIS_TYPES[c.genre]), _line("ID", c.key), _line("TI", c.title)]
    out += [_line("AU", ris_name(a)) for a in c.authors]
    out.append(_line("PY", str(c.year)))
    parts = c.date_parts
    if len(parts) > 1:
        # RIS dates are YYYY/MM/DD/ with empty parts left blank.
        fields = [f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])] + [""] * (3 - len(parts))
        out.append(_line("DA", "/".join(fields) + "/"))
    if c.venue:
        out.append(_line("PB" if c.genre in ("book", "thesis", "report") else "T2", c.venue))
    elif c.is_preprint and c.arxiv:
        out.append(_line("PB", "arXiv"))
    if c.arxiv:
        out.append(_line("M1", f"arXiv:{c.arxiv}"))
    if c.doi:
        out.append(_line("DO", c.doi))
    if c.url:
        out.append(_line("UR", c.url))
    out.append("ER  - \n")
    return "".join(out)


@register(
    "ris", ".ris", "application/x-research-info-systems", "RIS references (for EndNote, Mendeley, Zotero)"
)
def export_ris(catalog: Catalog, records: tuple[Record, ...]) -> str:
    return "\n".join(record_to_ris(r) for r in sorted(records, key=lambda r: r.id))
