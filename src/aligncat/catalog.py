"""Model stage: the Catalog (records, indexes, selections), the CatalogFacts the rules read, and where a catalog's
files live. Pure: no I/O (CatalogFacts reads a file again only to locate a diagnostic)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .diagnostics import Diagnostic
from .marks import Marks
from .model import CatalogInfo, Record, RecordFacts, Relation, Tag, Taxonomy, normalise_identifier

CATALOG_FILE = "catalog.yaml"
TAXONOMY_FILE = "taxonomy.yaml"
TAGS_FILE = "vocabularies/tags.yaml"
KNOWN_FILES = frozenset({CATALOG_FILE, TAXONOMY_FILE, TAGS_FILE})


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(d)


@dataclass(frozen=True)
class Catalog:
    """The loaded catalog: settings, taxonomy, tags and every valid record, with indexes. Read-only."""

    root: Path
    info: CatalogInfo
    taxonomy: Taxonomy
    tags: Mapping[str, Tag]
    records: Mapping[str, Record]
    diagnostics: tuple[Diagnostic, ...] = ()
    files_read: int = 0
    # Record files that had errors, by the id their name gives: {id: path in the catalog}.
    invalid_files: Mapping[str, str] = field(default_factory=dict)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._index:
            return  # made by with_diagnostics: the same records, so the same indexes
        by_kind: dict[str, list[Record]] = defaultdict(list)
        by_category: dict[str, list[Record]] = defaultdict(list)
        by_tag: dict[str, list[Record]] = defaultdict(list)
        by_year: dict[int, list[Record]] = defaultdict(list)
        by_identifier: dict[tuple[str, str], Record] = {}
        incoming: dict[str, list[tuple[Record, Relation]]] = defaultdict(list)
        filed: dict[str, tuple[str, ...]] = {}
        for r in self.records.values():
            by_kind[r.kind].append(r)
            by_year[r.year].append(r)
            filed[r.id] = self._filed_under(r)
            for c in filed[r.id]:
                by_category[c].append(r)
            for t in r.tags:
                by_tag[t].append(r)
            for scheme, value in r.identifiers:
                by_identifier.setdefault((scheme, normalise_identifier(scheme, value)), r)
            for rel in r.relations:
                incoming[rel.target].append((r, rel))
        freeze = lambda d: _frozen({k: tuple(v) for k, v in d.items()})  # noqa: E731
        self._index.update(by_kind=freeze(by_kind), by_category=freeze(by_category), by_tag=freeze(by_tag),
                           by_year=freeze(by_year), by_identifier=_frozen(by_identifier),
                           incoming=freeze(incoming), filed=_frozen(filed))

    def _filed_under(self, record: Record) -> tuple[str, ...]:
        tax = self.taxonomy
        out = list(dict.fromkeys(record.categories))
        if tax.schemes:
            for c in record.categories:
                if c in tax.categories and tax.categories[c].scheme != tax.primary.id:
                    out.extend(m for m in tax.primary_categories(c) if m not in out)
        return tuple(out)

    def categories_of(self, record: Record) -> tuple[str, ...]:
        """The record's categories plus, for categories of a secondary scheme, where they map in the primary one."""
        return self._index["filed"].get(record.id, record.categories)

    # indexes ------------------------------------------------------------------------------------------------
    @property
    def by_kind(self) -> Mapping[str, tuple[Record, ...]]:
        return self._index["by_kind"]

    @property
    def by_category(self) -> Mapping[str, tuple[Record, ...]]:
        return self._index["by_category"]

    @property
    def by_tag(self) -> Mapping[str, tuple[Record, ...]]:
        return self._index["by_tag"]

    @property
    def by_year(self) -> Mapping[int, tuple[Record, ...]]:
        return self._index["by_year"]

    @property
    def by_identifier(self) -> Mapping[tuple[str, str], Record]:
        return self._index["by_identifier"]

    def incoming(self, record_id: str) -> tuple[tuple[Record, Relation], ...]:
        """Relations that point at a record, with the records they come from."""
        return self._index["incoming"].get(record_id, ())

    def find(self, scheme: str, value: str) -> Record | None:
        """The record with an identifier, e.g. find('arxiv', '2203.02155')."""
        return self.by_identifier.get((scheme, normalise_identifier(scheme, value)))

    def in_category(self, category_id: str, *, deep: bool = True) -> tuple[Record, ...]:
        """Records filed under a category (and, with deep, under its sub-categories), each once, by id."""
        ids = {category_id}
        if deep and category_id in self.taxonomy.categories:
            ids |= {c.id for c in self.taxonomy.descendants(category_id)}
        found = {r.id: r for c in ids for r in self.by_category.get(c, ())}
        return tuple(found[k] for k in sorted(found))

    def goal_levels_of(self, record: Record) -> tuple[str, ...]:
        """The goal levels of a record's categories (benchmarks may also state one), in the taxonomy's order."""
        levels = {self.taxonomy.categories[c].goal_level for c in self.categories_of(record)
                  if c in self.taxonomy.categories}
        info = getattr(record, "benchmark", None)
        if info is not None and info.goal_level:
            levels.add(info.goal_level)
        return tuple(g.id for g in self.taxonomy.goal_levels if g.id in levels)

    def perspectives_of(self, record: Record) -> tuple[str, ...]:
        ps = {self.taxonomy.categories[c].perspective for c in self.categories_of(record)
              if c in self.taxonomy.categories}
        return tuple(p.id for p in self.taxonomy.perspectives if p.id in ps)

    def counts(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """What `aligncat stats` prints: (title, [(label, count)]) tables by kind, goal level and perspective,
        category (per scheme, records in it or below), tag and year; empty tables left out."""
        recs = list(self.records.values())
        tax = self.taxonomy
        tables: list[tuple[str, list[tuple[str, int]]]] = [("by kind", sorted(Counter(r.kind for r in recs).items()))]
        if tax.goal_levels:
            grid = Counter((lvl, p) for r in recs for lvl in self.goal_levels_of(r) for p in self.perspectives_of(r))
            tables.append(("by goal level and perspective (a record may count in several)",
                           [(f"{g.title} / {p.title}", grid[(g.id, p.id)])
                            for g in tax.goal_levels for p in tax.perspectives]))
        for scheme in tax.schemes:
            tables.append((f"by category: {scheme.title} (records in it or below)",
                           [(("  " * c.depth) + c.id, len(self.in_category(c.id)))
                            for c in tax.categories.values() if c.scheme == scheme.id]))
        tables.append(("by tag", sorted(Counter(t for r in recs for t in r.tags).items(),
                                        key=lambda kv: (-kv[1], kv[0]))))
        tables.append(("by year", sorted((str(y), len(v)) for y, v in self.by_year.items())))
        return [(title, rows) for title, rows in tables if rows]

    def with_diagnostics(self, diagnostics: Iterable[Diagnostic]) -> Catalog:
        """The same catalog with these diagnostics (a new object: a Catalog is never changed)."""
        return replace(self, diagnostics=tuple(diagnostics), _index=self._index)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class CatalogFacts:
    """What the cross-record rules see: the catalog's settings and, per valid record, its RecordFacts (by id).

    `aligncat validate` builds it straight from the files (or the cache) without frozen records;
    `CatalogFacts.of(catalog)` gives the same for a loaded Catalog, so both run the very same rules.
    """

    root: Path
    info: CatalogInfo
    taxonomy: Taxonomy
    tags: Mapping[str, Any]
    records: dict[str, RecordFacts]  # sorted by id
    # The records the per-record rules look at: all of them, or (re-checking after an edit) those whose diagnostics
    # may have changed. Rules that compare records with each other always look at every record.
    subject_ids: frozenset[str] | None = None
    # Record files that had errors (reported on their own), by the id their name gives: {id: path in the catalog}.
    invalid_files: Mapping[str, str] = field(default_factory=dict)
    _incoming_of: tuple | None = field(default=None, repr=False, compare=False)
    incoming_index: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    # {peer key: [ids of the records with it]} as the cache kept it, while re-checking a few records.
    peer_index: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    _marks: Marks | None = field(default=None, repr=False, compare=False)

    @property
    def marks(self) -> Marks:
        """Positions in this catalog's files, each file read again only when a rule reports in it."""
        if self._marks is None:
            self._marks = Marks(self.root)
        return self._marks

    def subjects(self) -> Iterable[RecordFacts]:
        if self.subject_ids is None:
            return self.records.values()
        return [self.records[i] for i in sorted(self.subject_ids) if i in self.records]

    def subjects_of_kind(self, kind: str) -> Iterable[RecordFacts]:
        if self.subject_ids is None:
            return self.by_kind.get(kind, ())
        return [r for r in self.subjects() if r.kind == kind]

    @cached_property
    def by_kind(self) -> dict[str, tuple[RecordFacts, ...]]:
        by_kind: dict[str, list[RecordFacts]] = {}
        for r in self.records.values():
            by_kind.setdefault(r.kind, []).append(r)
        return {k: tuple(v) for k, v in by_kind.items()}

    @cached_property
    def incoming_ids(self) -> dict[str, list[str]]:
        """target -> ids of the records that relate to it (once per relation), in id order."""
        incoming: dict[str, list[str]] = {}
        for r in self.records.values():
            for _, target in r.relations:
                incoming.setdefault(target, []).append(r.id)
        return incoming

    @cached_property
    def work_key_ids(self) -> dict[str, list[str]]:
        """peer key -> ids of the records with it (once per key), in id order (see peer_keys)."""
        index: dict[str, list[str]] = {}
        for r in self.records.values():
            for key in peer_keys(r):
                index.setdefault(key, []).append(r.id)
        return index

    def peers(self, record_id: str) -> set[str]:
        """The other records that share a peer key (an identifier or paper URL, the title's key, the first
        author) with a record: the only ones the duplicate-work rule compares it with."""
        index = self.peer_index if self.peer_index is not None else self.work_key_ids
        found = {i for key in peer_keys(self.records[record_id]) for i in index.get(key, ())}
        found.discard(record_id)
        return found

    def incoming(self, record_id: str) -> list[str]:
        """incoming_ids[record_id]; while re-checking a few records, from the index the cache kept (incoming_index)
        or found for those records alone (one pass over the relations)."""
        if self.incoming_index is not None:
            return self.incoming_index.get(record_id, [])
        if self.subject_ids is None or "incoming_ids" in self.__dict__:
            return self.incoming_ids.get(record_id, [])
        if self._incoming_of is None or self._incoming_of[0] is not self.subject_ids:
            wanted = self.subject_ids
            found: dict[str, list[str]] = {}
            for r in self.records.values():
                for _, target in r.relations:
                    if target in wanted:
                        found.setdefault(target, []).append(r.id)
            self._incoming_of = (wanted, found)
        return self._incoming_of[1].get(record_id, [])

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogFacts:
        records = {k: RecordFacts.from_record(r) for k, r in catalog.records.items()}
        return cls(catalog.root, catalog.info, catalog.taxonomy, catalog.tags, records,
                   invalid_files=catalog.invalid_files)


def peer_keys(facts: RecordFacts) -> tuple[str, ...]:
    """The keys under which identity.WorkIndex files a record's work: records sharing none are never compared."""
    from .identity import Work, WorkIndex

    return WorkIndex.index_keys(Work.from_work_keys(facts.id, facts.year, facts.work_keys))
