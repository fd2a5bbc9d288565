"""Export stage, shared citation facts: what kind of publication a record is, its date parts, ids and best URL."""

from __future__ import annotations

from ..model import Record

# The publication genre every citation format derives its entry type from. `venue_type` wins when set;
# otherwise the record kind decides (a dataset or benchmark without a venue is cited as data).
GENRES = (
    "conference",
    "journal",
    "workshop",
    "preprint",
    "book",
    "chapter",
    "thesis",
    "report",
    "blog",
    "website",
    "software",
    "dataset",
    "other",
)

_KIND_DEFAULT = {"paper": "other", "dataset": "dataset", "benchmark": "dataset", "resource": "website"}
_RESOURCE_TYPE_GENRE = {
    "blog-post": "blog",
    "tool": "software",
    "book": "book",
    "report": "report",
    "website": "website",
    "leaderboard": "website",
    "model": "software",
}

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def genre(r: Record) -> str:
    """The publication genre of a record, for choosing entry types (see GENRES)."""
    if r.venue_type:
        return r.venue_type
    if r.kind == "resource":
        info = getattr(r, "resource", None)
        return _RESOURCE_TYPE_GENRE.get(info.type, "website") if info else "website"
    if r.kind == "paper" and r.venue and r.venue.strip().lower() == "arxiv":
        return "preprint"
    if r.kind == "paper" and arxiv_id(r) and not r.venue:
        return "preprint"
    return _KIND_DEFAULT[r.kind]


def date_parts(r: Record) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day): as precise as the record's date allows."""
    if r.date and r.date[:4] == str(r.year):
        return tuple(int(p) for p in r.date.split("-"))
    return (r.year,)


def month(r: Record) -> int | None:
    parts = date_parts(r)
    return parts[1] if len(parts) > 1 else None


def arxiv_id(r: Record) -> str | None:
    return r.ids.get("arxiv")


def doi(r: Record) -> str | None:
    return r.ids.get("doi")


def best_url(r: Record) -> str | None:
    """The address a reader should follow: the paper or project page, else the DOI or arXiv page, else any link."""
    for kind in ("paper", "project", "blog", "data", "documentation", "code", "pdf"):
        url = r.link(kind)
        if url:
            return url
    if doi(r):
        return f"https://doi.org/{doi(r)}"
    if arxiv_id(r):
        return f"https://arxiv.org/abs/{arxiv_id(r)}"
    return r.links[0].url if r.links else None


def is_arxiv_venue(r: Record) -> bool:
    return not r.venue or r.venue.strip().lower() == "arxiv"
