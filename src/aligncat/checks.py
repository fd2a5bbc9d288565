"""Checks stage: named cross-record rules over a catalog's records (as RecordFacts), each yielding diagnostics with a
fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .diagnostics import Diagnostic, Severity
from .load import CATALOG_FILE, TAXONOMY_FILE, Catalog, diagnostic_at
from .model import CatalogInfo, RecordFacts, Taxonomy, normalise_title  # noqa: F401  (normalise_title: API)


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


Check = Callable[[CatalogFacts], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    summary: str
    check: Check
    # A per-record rule reports each record on its own, in its own file, from that record, the settings and its
    # neighbours (relation targets and sources); it looks only at `catalog.subjects()`. Other rules compare every
    # record with every other (cycles, duplicates) or check the settings.
    per_record: bool = False


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity = Severity.ERROR, *, per_record: bool = False) -> Callable[[Check], Check]:
    """Register a cross-record rule; its docstring's first line is the rule's summary in the docs."""

    def register(fn: Check) -> Check:
        RULES[code] = Rule(code, severity, (fn.__doc__ or "").strip().splitlines()[0], fn, per_record)
        return fn

    return register


def run_checks(catalog: Catalog | CatalogFacts, only: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run every registered rule (or those named in `only`) and return their diagnostics."""
    from . import graph  # noqa: F401  (registers the graph rules)

    facts = catalog if isinstance(catalog, CatalogFacts) else CatalogFacts.of(catalog)
    wanted = set(only) if only is not None else None
    out: list[Diagnostic] = []
    for code, r in RULES.items():
        if wanted is None or code in wanted:
            out.extend(r.check(facts))
    return out


def run_checks_by_rule(facts: CatalogFacts) -> dict[str, list[Diagnostic]]:
    """Every rule's diagnostics, by rule (in RULES order; flattened, the same list as run_checks gives)."""
    from . import graph  # noqa: F401  (registers the graph rules)

    return {code: list(r.check(facts)) for code, r in RULES.items()}


def recheck(facts: CatalogFacts, previous: dict[str, list[Diagnostic]], dirty: set[str],
            rerun: set[str]) -> dict[str, list[Diagnostic]]:
    """run_checks_by_rule after a few records changed, from the previous run's diagnostics.

    `dirty` holds every record whose per-record diagnostics may differ (the changed records and their neighbours,
    the caller decides); the per-record rules look only at those and keep the others' diagnostics. Of the other
    rules, those in `rerun` run again and the rest keep theirs. The result equals a full run when `dirty` and
    `rerun` cover what changed (cache.py says when they do; tests compare with full runs).
    """
    from . import graph  # noqa: F401  (registers the graph rules)

    # dict.values: every record's path without reading a cached record's facts (cache._LazyRecords).
    position = {r.path: i for i, r in enumerate(dict.values(facts.records))}
    dirty_paths = {facts.records[i].path for i in dirty if i in facts.records}
    out: dict[str, list[Diagnostic]] = {}
    for code, r in RULES.items():
        if r.per_record:
            kept = [d for d in previous[code] if d.path not in dirty_paths]
            facts.subject_ids = frozenset(dirty)
            try:
                found = kept + list(r.check(facts))
            finally:
                facts.subject_ids = None
            found.sort(key=lambda d: position.get(d.path, -1))  # record order; within a record, as found
            out[code] = found
        elif code in rerun:
            out[code] = list(r.check(facts))
        else:
            out[code] = previous[code]
    return out


def all_codes() -> dict[str, tuple[str, str, str]]:
    """Every diagnostic code: {code: (stage, severity, meaning)}, in pipeline order."""
    from . import graph  # noqa: F401  (registers the graph rules)
    from .load import LOAD_CODES
    from .schema import SCHEMA_CODES
    from .source import SOURCE_CODES

    out: dict[str, tuple[str, str, str]] = {}
    for stage, codes in (("source", SOURCE_CODES), ("schema", SCHEMA_CODES), ("load", LOAD_CODES)):
        out.update({code: (stage, "error", text) for code, text in codes.items()})
    for code, r in RULES.items():
        stage = "graph" if r.check.__module__.endswith(".graph") else "checks"
        out[code] = (stage, r.severity.value, r.summary)
    return out


def codes_markdown() -> str:
    """docs/diagnostics.md: the table of every diagnostic code."""
    lines = ["# Diagnostics", "",
             "Every problem `aligncat validate` reports has a code. Errors fail validation; warnings do not "
             "(unless `--strict`). This page is generated by `aligncat rules --markdown`.", "",
             "| code | stage | severity | meaning |", "| --- | --- | --- | --- |"]
    for code, (stage, severity, text) in all_codes().items():
        lines.append(f"| `{code}` | {stage} | {severity} | {text} |")
    return "\n".join(lines) + "\n"


def _at(catalog: CatalogFacts, path: str, pointer: str, code: str, message: str, hint: str = "", *, key: bool = False,
        severity: Severity = Severity.ERROR) -> Diagnostic:
    return diagnostic_at(catalog.root, path, pointer, code, message, hint, key=key, severity=severity)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@rule("dangling-ref", per_record=True)
def check_references(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every relation points at a record that exists."""
    records = catalog.records
    for r in catalog.subjects():
        for i, (_, target) in enumerate(r.relations):
            if target in records:
                continue
            broken = catalog.invalid_files.get(target)
            if broken is not None:  # the record exists but its file has errors: point at the cause, not a typo
                yield _at(catalog, r.path, f"/relations/{i}/target", "dangling-ref",
                          f"'{target}' is not loaded: its file {broken} has errors (reported there)",
                          f"fix {broken}; this relation then resolves")
                continue
            hint = did_you_mean(target, records) or "check the id, or add a record for that work"
            yield _at(catalog, r.path, f"/relations/{i}/target", "dangling-ref", f"no record '{target}'", hint)


@rule("self-relation", per_record=True)
def check_self_relations(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """No record relates to itself."""
    for r in catalog.subjects():
        for i, (rtype, target) in enumerate(r.relations):
            if target == r.id:
                yield _at(catalog, r.path, f"/relations/{i}/target", "self-relation",
                          f"'{r.id}' {rtype} itself", "point the relation at another record, or remove it")


@rule("duplicate-relation", Severity.WARNING, per_record=True)
def check_repeated_relations(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """A relation of one type to one target is stated once."""
    for r in catalog.subjects():
        if len(set(r.relations)) == len(r.relations):
            continue
        seen: set[tuple[str, str]] = set()
        for i, rel in enumerate(r.relations):
            if rel in seen:
                yield _at(catalog, r.path, f"/relations/{i}", "duplicate-relation",
                          f"'{rel[0]} {rel[1]}' is stated twice", "remove the repeat", severity=Severity.WARNING)
            seen.add(rel)


@rule("unknown-category", per_record=True)
def check_categories(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Records name only categories that exist in taxonomy.yaml."""
    known = catalog.taxonomy.categories
    for r in catalog.subjects():
        for i, c in enumerate(r.categories):
            if c not in known:
                hint = did_you_mean(c, known) or f"see {TAXONOMY_FILE} for the category ids"
                yield _at(catalog, r.path, f"/categories/{i}", "unknown-category", f"no category '{c}'", hint)


@rule("unknown-tag", per_record=True)
def check_tags(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Records use only tags from the controlled vocabulary."""
    for r in catalog.subjects():
        for i, t in enumerate(r.tags):
            if t not in catalog.tags:
                hint = did_you_mean(t, catalog.tags) or "use a tag from vocabularies/tags.yaml, or add it there"
                yield _at(catalog, r.path, f"/tags/{i}", "unknown-tag", f"no tag '{t}'", hint)


@rule("unknown-goal-level", per_record=True)
def check_goal_levels(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """A benchmark's goal_level is one of the taxonomy's goal levels."""
    levels = [g.id for g in catalog.taxonomy.goal_levels]
    for r in catalog.subjects_of_kind("benchmark"):
        if r.goal_level and r.goal_level not in levels:
            hint = did_you_mean(r.goal_level, levels) or "choose one of: " + ", ".join(levels)
            yield _at(catalog, r.path, "/benchmark/goal_level", "unknown-goal-level",
                      f"no goal level '{r.goal_level}'", hint)


@rule("duplicate-work")
def check_duplicate_works(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """No two records describe the same work (a shared arXiv id, DOI, ACL or OpenReview id or paper URL, or a title
    match with the evidence identity.py asks for)."""
    from .identity import Work, duplicates

    works = (Work.from_work_keys(r.id, r.year, r.work_keys) for r in catalog.records.values())  # in id order
    for work, verdict in duplicates(works):  # the later id is the one reported
        r, first = catalog.records[work.id], catalog.records[verdict.record_id]
        if verdict.pointer != "title":  # 'same arxiv 2203.02155' -> 'same arxiv as ...'
            message = f"same {verdict.reason.split(' ')[1]} as '{first.id}' ({first.path})"
        elif verdict.reason.startswith("same title"):
            message = f"same title as '{first.id}' ({first.path})"
        else:
            message = f"the same work as '{first.id}' ({first.path}): {verdict.reason}"
        yield _at(catalog, r.path, "/" + verdict.pointer, "duplicate-work", message,
                  "merge the two records into one (list every category in it) and delete the other")


TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|trk|ref_src|igshid|_hsenc|_hsmi)$", re.I)


def strip_tracking(url: str) -> str:
    """The URL without tracking query parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    from urllib.parse import urlencode

    return parts._replace(query=urlencode(query)).geturl()


@rule("tracking-link", per_record=True)
def check_links(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Links carry no tracking parameters (utm_*, fbclid, trk, mc_cid, ...)."""
    for r in catalog.subjects():
        for i, url in enumerate(r.link_urls):
            if "?" not in url:
                continue  # no query, no parameters
            params = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)
                      if TRACKING_PARAMS.match(k)]
            if params:
                yield _at(catalog, r.path, f"/links/{i}/url", "tracking-link",
                          f"the link carries tracking parameters: {', '.join(params)}", f"use {strip_tracking(url)}")


@rule("taxonomy-ref")
def check_taxonomy(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """The taxonomy's own references hold: unique ids, known perspectives and goal levels, maps_to the primary tree."""
    tax = catalog.taxonomy
    if not tax.schemes:
        return
    persp = {p.id for p in tax.perspectives}
    levels = {g.id for g in tax.goal_levels}
    for kind, ids in (("goal level", [g.id for g in tax.goal_levels]), ("perspective", [p.id for p in
                                                                                        tax.perspectives]),
                      ("scheme", [s.id for s in tax.schemes])):
        for x in {i for i in ids if ids.count(i) > 1}:
            yield _at(catalog, TAXONOMY_FILE, "", "taxonomy-ref", f"{kind} id '{x}' is used twice",
                      "give each its own id")
    for c in tax.categories.values():
        parent = tax.categories.get(c.parent) if c.parent else None
        if parent is not None and (parent.perspective, parent.goal_level) == (c.perspective, c.goal_level):
            continue  # inherited values are reported once, where they are written
        if c.perspective and c.perspective not in persp:
            yield _at(catalog, TAXONOMY_FILE, c.pointer + "/perspective", "taxonomy-ref",
                      f"no perspective '{c.perspective}'", "choose one of: " + ", ".join(sorted(persp)))
        if c.goal_level and c.goal_level not in levels:
            yield _at(catalog, TAXONOMY_FILE, c.pointer + "/goal_level", "taxonomy-ref",
                      f"no goal level '{c.goal_level}'", "choose one of: " + ", ".join(sorted(levels)))
        for i, m in enumerate(c.maps_to):
            target = tax.categories.get(m)
            if target is None or target.scheme != tax.primary.id:
                yield _at(catalog, TAXONOMY_FILE, f"{c.pointer}/maps_to/{i}", "taxonomy-ref",
                          f"maps_to '{m}' is not a category of the primary scheme '{tax.primary.id}'",
                          did_you_mean(m, [k for k, v in tax.categories.items() if v.scheme == tax.primary.id])
                          or "name a category of the first scheme")
    yield from _repeated_category_ids(catalog)


def _repeated_category_ids(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    from .load import _reread

    src = _reread(catalog.root / TAXONOMY_FILE, TAXONOMY_FILE)
    seen: set[str] = set()
    stack = [(f"/schemes/{i}/categories/{j}", c) for i, s in enumerate((src.data or {}).get("schemes", []))
             for j, c in enumerate(s.get("categories", []))][::-1]
    while stack:  # depth-first in file order, so the later of two repeats is the one reported
        ptr, node = stack.pop()
        if node["id"] in seen:
            yield _at(catalog, TAXONOMY_FILE, ptr + "/id", "taxonomy-ref", f"category id '{node['id']}' is used twice",
                      "category ids are unique across all schemes: rename one")
        seen.add(node["id"])
        stack.extend(reversed([(f"{ptr}/children/{k}", ch) for k, ch in enumerate(node.get("children", []))]))


@rule("unknown-survey")
def check_survey(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """The survey named in catalog.yaml is a record of the catalog."""
    sid = catalog.info.survey
    if sid and sid not in catalog.records:
        yield _at(catalog, CATALOG_FILE, "/survey", "unknown-survey", f"no record '{sid}'",
                  did_you_mean(sid, catalog.records) or "add the survey's record, or remove 'survey'")


@rule("missing-summary", Severity.WARNING, per_record=True)
def check_summaries(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every record has a summary in our own words."""
    for r in catalog.subjects():
        if not r.has_summary:
            yield _at(catalog, r.path, "", "missing-summary", "the record has no summary",
                      "add 'summary:' with one to three sentences in your own words", severity=Severity.WARNING)


@rule("uncategorised", Severity.WARNING, per_record=True)
def check_uncategorised(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every record is filed under at least one category (when the catalog has a taxonomy)."""
    if not catalog.taxonomy.categories:
        return
    for r in catalog.subjects():
        if not r.categories:
            yield _at(catalog, r.path, "", "uncategorised", "the record is filed under no category",
                      f"add 'categories:' with ids from {TAXONOMY_FILE}", severity=Severity.WARNING)
