"""Rules stage: the rules each record must meet on its own (its references, categories, tags, links, summary)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..catalog import TAXONOMY_FILE
from ..diagnostics import Diagnostic, Severity
from .base import CatalogFacts, at, did_you_mean, rule


@rule("dangling-ref", per_record=True, reads={"relations"}, reads_targets={"id"})
def check_references(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every relation points at a record that exists."""
    records = catalog.records
    for r in catalog.subjects():
        for i, (_, target) in enumerate(r.relations):
            if target in records:
                continue
            broken = catalog.invalid_files.get(target)
            if broken is not None:  # the record exists but its file has errors: point at the cause, not a typo
                yield at(catalog, r.path, f"/relations/{i}/target", "dangling-ref",
                          f"'{target}' is not loaded: its file {broken} has errors (reported there)",
                          f"fix {broken}; this relation then resolves")
                continue
            hint = did_you_mean(target, records) or "check the id, or add a record for that work"
            yield at(catalog, r.path, f"/relations/{i}/target", "dangling-ref", f"no record '{target}'", hint)


@rule("self-relation", per_record=True, reads={"id", "relations"})
def check_self_relations(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """No record relates to itself."""
    for r in catalog.subjects():
        for i, (rtype, target) in enumerate(r.relations):
            if target == r.id:
                yield at(catalog, r.path, f"/relations/{i}/target", "self-relation",
                          f"'{r.id}' {rtype} itself", "point the relation at another record, or remove it")


@rule("duplicate-relation", Severity.WARNING, per_record=True, reads={"relations"})
def check_repeated_relations(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """A relation of one type to one target is stated once."""
    for r in catalog.subjects():
        if len(set(r.relations)) == len(r.relations):
            continue
        seen: set[tuple[str, str]] = set()
        for i, rel in enumerate(r.relations):
            if rel in seen:
                yield at(catalog, r.path, f"/relations/{i}", "duplicate-relation",
                          f"'{rel[0]} {rel[1]}' is stated twice", "remove the repeat", severity=Severity.WARNING)
            seen.add(rel)


@rule("unknown-category", per_record=True, reads={"categories"})
def check_categories(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Records name only categories that exist in taxonomy.yaml."""
    known = catalog.taxonomy.categories
    for r in catalog.subjects():
        for i, c in enumerate(r.categories):
            if c not in known:
                hint = did_you_mean(c, known) or f"see {TAXONOMY_FILE} for the category ids"
                yield at(catalog, r.path, f"/categories/{i}", "unknown-category", f"no category '{c}'", hint)


@rule("unknown-tag", per_record=True, reads={"tags"})
def check_tags(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Records use only tags from the controlled vocabulary."""
    for r in catalog.subjects():
        for i, t in enumerate(r.tags):
            if t not in catalog.tags:
                hint = did_you_mean(t, catalog.tags) or "use a tag from vocabularies/tags.yaml, or add it there"
                yield at(catalog, r.path, f"/tags/{i}", "unknown-tag", f"no tag '{t}'", hint)


@rule("unknown-goal-level", per_record=True, reads={"kind", "goal_level"})
def check_goal_levels(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """A benchmark's goal_level is one of the taxonomy's goal levels."""
    levels = [g.id for g in catalog.taxonomy.goal_levels]
    for r in catalog.subjects_of_kind("benchmark"):
        if r.goal_level and r.goal_level not in levels:
            hint = did_you_mean(r.goal_level, levels) or "choose one of: " + ", ".join(levels)
            yield at(catalog, r.path, "/benchmark/goal_level", "unknown-goal-level",
                      f"no goal level '{r.goal_level}'", hint)


TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|trk|ref_src|igshid|_hsenc|_hsmi)$", re.I)


def strip_tracking(url: str) -> str:
    """The URL without tracking query parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return parts._replace(query=urlencode(query)).geturl()


@rule("tracking-link", per_record=True, reads={"link_urls"})
def check_links(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Links carry no tracking parameters (utm_*, fbclid, trk, mc_cid, ...)."""
    for r in catalog.subjects():
        for i, url in enumerate(r.link_urls):
            if "?" not in url:
                continue  # no query, no parameters
            params = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)
                      if TRACKING_PARAMS.match(k)]
            if params:
                yield at(catalog, r.path, f"/links/{i}/url", "tracking-link",
                          f"the link carries tracking parameters: {', '.join(params)}", f"use {strip_tracking(url)}")


@rule("missing-summary", Severity.WARNING, per_record=True, reads={"has_summary"})
def check_summaries(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every record has a summary in our own words."""
    for r in catalog.subjects():
        if not r.has_summary:
            yield at(catalog, r.path, "", "missing-summary", "the record has no summary",
                      "add 'summary:' with one to three sentences in your own words", severity=Severity.WARNING)


@rule("uncategorised", Severity.WARNING, per_record=True, reads={"categories"})
def check_uncategorised(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every record is filed under at least one category (when the catalog has a taxonomy)."""
    if not catalog.taxonomy.categories:
        return
    for r in catalog.subjects():
        if not r.categories:
            yield at(catalog, r.path, "", "uncategorised", "the record is filed under no category",
                      f"add 'categories:' with ids from {TAXONOMY_FILE}", severity=Severity.WARNING)
