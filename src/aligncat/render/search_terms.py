"""Render stage, search terms: what a reader types to find a record (its short name, aliases, id, authors), given to
both search backends as boosted fields, so that a record's own short name or an author's name finds that record
before the pages that merely mention it.

MkDocs' lunr search (Material's plugin) reads them from the page's front matter `tags`, a field it weights 10^6
against 10^3 for the title and 1 for the text; Pagefind reads them from an element marked `data-pagefind-weight`
(the record's search-filter block, which readers do not see). Pure: a record in, strings out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Record

# Pagefind weights (0-10; a page's h1 counts 7, its text 1).
NAME_WEIGHT = 10
AUTHOR_WEIGHT = 5


@dataclass(frozen=True, slots=True)
class SearchTerms:
    names: tuple[str, ...]    # short name, aliases, id: each once, in that order
    authors: tuple[str, ...]  # each author as shown ("Given Family", or the literal name)

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.names, *self.authors)))


def search_terms(record: Record) -> SearchTerms:
    names = [n for n in (record.short_name, *record.aliases, record.id) if n]
    seen: set[str] = set()
    unique = []
    for n in names:
        key = " ".join(n.split()).casefold()
        if key not in seen:
            seen.add(key)
            unique.append(" ".join(n.split()))
    authors = tuple(dict.fromkeys(a.display for a in record.authors if a.display))
    return SearchTerms(tuple(unique), authors)
