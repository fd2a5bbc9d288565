"""Export stage, the one citation mapping: what a record is cited as, shared by BibTeX, CSL-JSON, RIS and CFF.

A record says when a work first appeared (its `year`, for the timeline); a citation names the version it cites. So
the year cited is the venue's year where the record names a published venue ("ACL 2022"), with the arXiv preprint
kept as an identifier beside it. The catalog's own vocabulary (record kinds, categories, tags) is never part of a
citation: a reference list shows what was published, not how this catalog files it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from ..model import Author, Record

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

# Genres whose venue is a publication with a date of its own (the year printed is that venue's year).
PUBLISHED_GENRES = ("conference", "workshop", "journal", "book", "chapter", "thesis", "report")

# How imported lists (BibTeX "and others", "et al.") mark an author list they cut short: never a person.
_TRUNCATION_NAMES = {"others", "other", "et al", "et al.", "et. al.", "etal", "and others", "…", "..."}

_YEAR_RE = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")

# DOIs written as they are in fields read verbatim (BibTeX's doi): Crossref's recommended characters and the few
# others real DOIs hold that \url and biblatex read verbatim. A DOI with a backslash, a brace, a space, '%', '~',
# '^', '$', '&' or a quote is written only as its percent-encoded doi.org URL, so it can never carry a command.
PLAIN_DOI_RE = re.compile(r"^10\.[0-9]{4,9}/[A-Za-z0-9\-._;()/:<>\[\]#+=,@!*?]+$")
# RFC 3986 characters a URL may carry as they are; everything else (a backslash, braces, spaces, quotes,
# non-ASCII) is percent-encoded, so no URL or DOI ever carries a LaTeX command or a line break into a document.
_URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


@dataclass(frozen=True, slots=True)
class Citation:
    """What a record is cited as: the facts every citation format writes, each in its own syntax."""

    key: str  # the record id: stable, never changes when the record is edited
    genre: str  # one of GENRES
    title: str
    authors: tuple[Author, ...]  # the names the record gives, without a truncation marker
    truncated: bool  # the author list was cut short ("and others"): formats say so their own way
    year: int  # the year of the version cited
    date_parts: tuple[int, ...]  # (year,), (year, month) or (year, month, day) of the version cited
    venue: str | None  # the published venue, never "arXiv" (a preprint's server is in `arxiv`)
    arxiv: str | None
    doi: str | None
    url: str | None  # the address a reader should follow, percent-encoded where needed
    short_title: str | None = None

    @property
    def is_preprint(self) -> bool:
        return self.genre == "preprint"

    @property
    def plain_doi(self) -> str | None:
        """The DOI when it is made only of characters every consumer reads verbatim, else None (see doi_url)."""
        return self.doi if self.doi and PLAIN_DOI_RE.match(self.doi) else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{quote(self.doi, safe='/:;()-._')}" if self.doi else None


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


def is_truncation_marker(a: Author) -> bool:
    """An 'author' that only says the list goes on: BibTeX's 'others', a list's 'et al.'."""
    name = (a.literal or (a.family if not a.given else "") or "").strip().lower()
    return name in _TRUNCATION_NAMES


def venue_year(r: Record) -> int | None:
    """The year a published venue names ('ACL 2022', 'JMLR 25(70), 2024'), when it is not before the record's."""
    if not r.venue or is_arxiv_venue(r):
        return None
    years = [int(y) for y in _YEAR_RE.findall(r.venue)]
    if not years:
        return None
    year = years[-1]
    return year if year >= r.year else None


def date_parts(r: Record) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day) of the record's first release, as precise as its date."""
    if r.date and r.date[:4] == str(r.year):
        return tuple(int(p) for p in r.date.split("-"))
    return (r.year,)


def cited_date_parts(r: Record) -> tuple[int, ...]:
    """The date of the version cited: the venue's year when that differs from the first release, else the date."""
    vy = venue_year(r) if genre(r) in PUBLISHED_GENRES else None
    if vy is not None and vy != r.year:
        return (vy,)
    return date_parts(r)


def month(r: Record) -> int | None:
    parts = cited_date_parts(r)
    return parts[1] if len(parts) > 1 else None


def arxiv_id(r: Record) -> str | None:
    return r.ids.get("arxiv")


def doi(r: Record) -> str | None:
    return r.ids.get("doi")


def safe_url(url: str) -> str:
    """A URL as every consumer may read it verbatim: characters outside RFC 3986 are percent-encoded."""
    return quote(url.strip(), safe=_URL_SAFE)


def best_url(r: Record) -> str | None:
    """The address a reader should follow: the paper or project page, else the DOI or arXiv page, else any link."""
    for kind in ("paper", "project", "blog", "data", "documentation", "code", "pdf"):
        url = r.link(kind)
        if url:
            return safe_url(url)
    if doi(r):
        return f"https://doi.org/{quote(doi(r) or '', safe='/:;()-._')}"
    if arxiv_id(r):
        return f"https://arxiv.org/abs/{arxiv_id(r)}"
    return safe_url(r.links[0].url) if r.links else None


def is_arxiv_venue(r: Record) -> bool:
    return not r.venue or r.venue.strip().lower() == "arxiv"


def citation(r: Record) -> Citation:
    """The one mapping from a record to what is cited; every citation format starts here."""
    g = genre(r)
    authors = tuple(a for a in r.authors if not is_truncation_marker(a))
    parts = cited_date_parts(r)
    venue = None if is_arxiv_venue(r) else " ".join((r.venue or "").split())
    return Citation(
        key=r.id,
        genre=g,
        title=" ".join(r.title.split()),
        authors=authors,
        truncated=len(authors) != len(r.authors) or r.authors_truncated,  # cut here, or in the source
        year=parts[0],
        date_parts=parts,
        venue=venue,
        arxiv=arxiv_id(r),
        doi=doi(r),
        url=best_url(r),
        short_title=r.short_name,
    )
