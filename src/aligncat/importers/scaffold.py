"""Import stage, scaffold: the record `aligncat new` builds from flags, a BibTeX entry or an arXiv answer, checked
before anything is written (known categories and tags with did-you-mean, a plausible year, http(s) URLs, no
duplicate: looked for in the catalog before any network lookup)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..identity import DUPLICATE, Verdict, Work
from ..load import Catalog
from ..rules import did_you_mean
from .common import IMPORTED, DuplicateFinder, Entry, resolve_entries, today, validate_before_writing

MIN_YEAR = 1000  # the schema's floor: value theory cites books of the 18th century and older
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ScaffoldError(Exception):
    """What is wrong with the flags given to `new`, each problem with its fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def max_year() -> int:
    return _dt.date.today().year + 1


def check_flags(
    catalog: Catalog,
    *,
    year: int | None = None,
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    url: str | None = None,
    record_id: str | None = None,
) -> list[str]:
    """Every problem with what the user typed, each with its fix (empty when all is well)."""
    problems = []
    known = catalog.taxonomy.categories
    for c in categories:
        if c not in known:
            hint = did_you_mean(c, known) or "see taxonomy.yaml for the category ids"
            problems.append(f"no category '{c}' ({hint})")
    for t in tags:
        if t not in catalog.tags:
            hint = did_you_mean(t, catalog.tags) or "use a tag from vocabularies/tags.yaml, or add it there"
            problems.append(f"no tag '{t}' ({hint})")
    if year is not None and not MIN_YEAR <= year <= max_year():
        problems.append(f"--year {year} is not plausible: give the year of first release, {MIN_YEAR} to {max_year()}")
    if url is not None and not _URL_RE.match(url.strip()):
        problems.append(f"--url '{url}' is not an http(s) address: write it as https://...")
    if record_id is not None and not _SLUG_RE.match(record_id):
        problems.append(f"--id '{record_id}' is not a slug: use lower-case letters, digits and single hyphens, "
                        "e.g. ouyang2022-instructgpt")
    return problems


def known_duplicate(catalog: Catalog, *, arxiv: str | None = None, title: str | None = None,
                    year: int | None = None, authors: Sequence[dict[str, str]] = ()) -> Verdict | None:
    """A catalog record that is already the work described (before any network lookup is made for it)."""
    data: dict[str, Any] = {"title": title or "", "year": year}
    if arxiv:
        data["identifiers"] = {"arxiv": arxiv}
    if authors:
        data["authors"] = list(authors)
    verdict = DuplicateFinder(catalog).index.find(Work.of(data, ""), possible=False)
    return verdict if verdict is not None and verdict.outcome == DUPLICATE else None


def parse_author(text: str) -> dict[str, str]:
    """'Family, Given' as a person, anything else as an organisation ('OpenAI')."""
    family, sep, given = text.partition(",")
    if sep:
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {"family": family.strip()}
    return {"literal": text.strip()}


def build_record(
    base: dict[str, Any],
    *,
    kind: str,
    title: str,
    year: int,
    authors: Sequence[str] = (),
    venue: str | None = None,
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    url: str | None = None,
    summary: str | None = None,
    resource_type: str | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    """The record data: what a lookup or BibTeX entry gave (`base`), overridden by what the user typed."""
    data = dict(base)
    data["kind"] = kind
    data["title"], data["year"] = " ".join(title.split()), year
    if authors:
        data["authors"] = [parse_author(a) for a in authors]
        data.pop("authors_truncated", None)
    if venue:
        data["venue"] = venue
    if summary:
        data["summary"] = " ".join(summary.split())
    if categories:
        data["categories"] = list(dict.fromkeys(categories))
    if tags:
        data["tags"] = list(dict.fromkeys(tags))
    if url:
        url = url.strip()
        data["links"] = [{"type": "paper" if kind == "paper" else "project", "url": url}] + [
            x for x in data.get("links", []) if x["url"] != url
        ]
    if kind == "resource":
        data["resource"] = {"type": resource_type or "website"}
    data.setdefault("added", today())
    if record_id:
        data["id"] = record_id
    return data


def scaffold(data: dict[str, Any], source: str, catalog: Catalog, root: Path, *, force: bool = False,
             exact_id: bool = False) -> Entry:
    """The entry `new` would write: an id given, duplicates and files in the way refused (unless force), and the
    record checked as `aligncat validate` would (a field that fails is left out and named in entry.dropped)."""
    entry = Entry(source, data)
    resolve_entries([entry], catalog, root, force=force, exact_ids=exact_id)
    if entry.outcome == IMPORTED:
        validate_before_writing([entry], root)
    return entry
