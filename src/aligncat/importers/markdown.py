"""Import stage, awesome-list Markdown: list entries under headings become records; repeats merge into one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..checks import strip_tracking
from ..model import Taxonomy
from .common import Entry, arxiv_from, normalise_title, today

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM_RE = re.compile(r"^\s{0,3}(?:\d+[.)]|[-*+])\s+(.*)$")
_LINK_RE = re.compile(r"\[([^\[\]]+)\]\(((?:[^\s()]|\([^\s()]*\))+)\)")
_AUTHORS_HEAD_RE = re.compile(r"[^.()\[\]]*[.(]")
_AUTHORS_RE = re.compile(r"\s*[-–—,:]?\s*(?:by\s+)?([^.()\[\]]+?)[.(]")
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC_RE = re.compile(r"(?<![*\w])[*_]([^*_]+?)[*_](?![*\w])")
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_VENUE_RE = re.compile(
    r"\b((?:arXiv|[A-Z][A-Za-z&\-]*)(?:\s+[A-Z][A-Za-z&\-]*){0,4})['’]?\s*(?:[(,]\s*)?"
    r"(19[5-9]\d|20\d\d)\b"
)

# Link labels seen in awesome lists, mapped onto the record's link types.
LINK_TYPES = {
    "paper": "paper",
    "pdf": "pdf",
    "arxiv": "paper",
    "code": "code",
    "github": "code",
    "data": "data",
    "dataset": "data",
    "project": "project",
    "homepage": "project",
    "website": "project",
    "checkpoint": "checkpoint",
    "model": "model",
    "weights": "checkpoint",
    "blog": "blog",
    "leaderboard": "leaderboard",
    "demo": "demo",
    "docs": "documentation",
    "video": "video",
    "url": "other",
    "link": "other",
}


@dataclass
class ListItem:
    line: int
    heading: str | None
    title: str
    authors: str | None
    venue: str | None
    year: int | None
    links: list[tuple[str, str]]


def _heading_text(text: str) -> str:
    """A heading's text without an optional closing run of '#' (CommonMark: preceded by a space, as in 'C#' not)."""
    text = text.rstrip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1].isspace()):
        text = bare.rstrip()
    return text


def _strip_md(text: str) -> str:
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    return re.sub(r"[*_`]+", "", text).strip(" .:-–—")


def parse_item(body: str, line: int, heading: str | None) -> ListItem | None:
    """One list line as title, authors, venue, year and links; None when it holds no title (a TOC line, prose)."""
    links = _LINK_RE.findall(body)
    bold = _BOLD_RE.search(body)
    title_url = None
    if bold:
        title = _strip_md(bold.group(1) or bold.group(2))
        inner = _LINK_RE.search(bold.group(0))
        title_url = inner.group(2) if inner else None
        rest = body[: bold.start()] + " " + body[bold.end() :]
    else:
        first = _LINK_RE.search(body)
        if not first or first.start() > 3:
            return None
        title, title_url = first.group(1).strip(), first.group(2)
        rest = body[first.end() :]
    if not title or len(title) < 4:
        return None
    if title_url and title_url.startswith("#"):
        return None  # a table-of-contents line
    plain_rest = _LINK_RE.sub(" ", rest)
    italic = _ITALIC_RE.search(plain_rest)
    authors = italic.group(1).strip(" .,") if italic else None
    years = _YEAR_RE.findall(plain_rest)
    year = int(years[-1]) if years else None
    venue = None
    vm = list(_VENUE_RE.finditer(_ITALIC_RE.sub(" ", plain_rest) if authors else plain_rest))
    if vm:
        venue = vm[-1].group(1).strip()
    if not authors:
        # 'Title - A. Author, B. Author. Venue 2022' style: the words before the venue
        # The pattern below backtracks quadratically when it fails on a long line, so it only runs on the text up
        # to the first '.' or '(' (a linear scan): it cannot match past a character of '.()[]' anyway.
        head = _AUTHORS_HEAD_RE.match(plain_rest)
        m = _AUTHORS_RE.match(head.group(0)) if head else None
        if m and not _YEAR_RE.search(m.group(1)):
            authors = m.group(1).strip(" ,")
    typed = [
        (LINK_TYPES.get(label.strip().lower(), "other"), url)
        for label, url in links
        if url != title_url and not url.startswith("#")
    ]
    if title_url and not title_url.startswith("#"):
        typed.insert(0, ("paper", title_url))
    return ListItem(line, heading, title, authors, venue, year, typed)


def parse_markdown(text: str) -> list[ListItem]:
    items: list[ListItem] = []
    heading: str | None = None
    in_details = False
    for n, raw in enumerate(text.splitlines(), start=1):
        if "<details" in raw:
            in_details = True
        if "</details" in raw:
            in_details = False
            continue
        if in_details:
            continue
        h = _HEADING_RE.match(raw)
        if h:
            heading = _strip_md(_heading_text(h.group(2)))
            continue
        m = _ITEM_RE.match(raw)
        if m:
            item = parse_item(m.group(1), n, heading)
            if item:
                items.append(item)
    return items


def category_for(heading: str | None, taxonomy: Taxonomy | None, mapping: Mapping[str, str]) -> str | None:
    """The category a heading names: the mapping option first, then a category whose title (or id) matches."""
    if heading is None:
        return None
    if heading in mapping:
        return mapping[heading]
    key = normalise_title(heading)
    if taxonomy is None:
        return None
    for c in taxonomy.categories.values():  # tree order: the primary scheme wins a tie
        if normalise_title(c.title) == key or c.id == key.replace(" ", "-"):
            return c.id
    return None


def _authors(text: str | None) -> list[dict[str, str]]:
    if not text:
        return []
    # 'Ouyang et al.', and the list's typos 'Touvronet al.' (the space went missing)
    text = re.sub(r"(?:\s+|(?<=[a-z]))et\s*al\.?$", "", text.strip()).strip(" ,")
    out = []
    for part in re.split(r",\s*|\s+and\s+|;\s*", text):
        part = part.strip()
        if not part:
            continue
        words = part.split()
        out.append(
            {"family": words[-1], "given": " ".join(words[:-1])} if len(words) > 1 else {"family": part}
        )
    return out


def items_to_entries(
    items: list[ListItem],
    source_name: str,
    *,
    taxonomy: Taxonomy | None = None,
    mapping: Mapping[str, str] | None = None,
    kind: str = "paper",
) -> list[Entry]:
    """Group repeats of one work (same arXiv id or same title) into one entry with every category it sits under."""
    mapping = mapping or {}
    groups: dict[str, list[ListItem]] = {}
    for item in items:
        arxiv = next((a for a in (arxiv_from(u) for _, u in item.links) if a), None)
        key = f"arxiv:{arxiv}" if arxiv else f"title:{normalise_title(item.title)}"
        # A repeat may have the arXiv link in one place and not the other: fall back to the title.
        tkey = f"title:{normalise_title(item.title)}"
        existing = next(
            (
                k
                for k, g in groups.items()
                if k == key or any(f"title:{normalise_title(i.title)}" == tkey for i in g)
            ),
            None,
        )
        groups.setdefault(existing or key, []).append(item)
    entries = []
    for group in groups.values():
        first = group[0]
        where = f"{source_name}:{first.line}"
        if first.year is None:
            entries.append(
                Entry(where, None, reason=f"'{first.title}' has no year; add one to the list entry")
            )
            continue
        data: dict[str, Any] = {"kind": kind, "title": first.title}
        authors = _authors(next((i.authors for i in group if i.authors), None))
        if authors:
            data["authors"] = authors
        data["year"] = first.year
        venue = next((i.venue for i in group if i.venue), None)
        if venue:
            # 'NeurIPS 2022', as the schema asks; a preprint server is named alone
            data["venue"] = venue if venue.lower() == "arxiv" else f"{venue} {first.year}"
            data["venue_type"] = "preprint" if venue.lower() == "arxiv" else "conference"
        links: list[dict[str, str]] = []
        stripped = []
        for i in group:
            for t, u in i.links:
                clean = strip_tracking(u) if re.match(r"https?://\S+$", u) else None
                if clean and clean != u:
                    stripped.append(u)
                if clean and clean not in {x["url"] for x in links}:
                    links.append({"type": t, "url": clean})
        arxiv = next((a for a in (arxiv_from(x["url"]) for x in links) if a), None)
        if arxiv:
            data["identifiers"] = {"arxiv": arxiv}
        if links:
            data["links"] = links
        cats = []
        unmapped = []
        for i in group:
            c = category_for(i.heading, taxonomy, mapping)
            if c and c not in cats:
                cats.append(c)
            elif not c and i.heading and i.heading not in unmapped:
                unmapped.append(i.heading)
        if cats:
            data["categories"] = cats
        data["added"] = today()
        data["provenance"] = [
            {
                "fields": [
                    k for k in ("title", "authors", "year", "venue", "links", "categories") if k in data
                ],
                "source": f"{source_name} lines {', '.join(str(i.line) for i in group)}",
            }
        ]
        notes = []
        if unmapped:
            notes.append(f"listed under heading(s) with no matching category: {'; '.join(unmapped)}")
        if stripped:
            notes.append(f"tracking parameters removed from {', '.join(stripped)}")
        if any(re.search(r"et\s*al\.?$", i.authors or "") for i in group):
            notes.append("the list names only the first author; add the others from the paper")
        if notes:
            data["notes"] = notes
        e = Entry(where, data)
        e.merged_from = [f"{source_name}:{i.line}" for i in group[1:]]
        entries.append(e)
    return entries
