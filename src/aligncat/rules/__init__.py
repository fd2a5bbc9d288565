"""Rules stage: every named cross-record rule, registered here in one explicit list, and how they run.

A rule is a function of `CatalogFacts` made a `Rule` with `@rule` (base.py); it is registered only by being named
in `RULES` below, in the order its diagnostics are reported. Nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..diagnostics import Diagnostic
from . import catalog as _catalog
from . import graph as _graph
from . import records as _records
from .base import FACT_FIELDS, CatalogFacts, Rule, at, did_you_mean, rule
from .records import TRACKING_PARAMS, strip_tracking

__all__ = ["FACT_FIELDS", "RULES", "TRACKING_PARAMS", "CatalogFacts", "Rule", "at", "did_you_mean", "recheck", "rule",
           "run_rules", "run_rules_by_rule", "strip_tracking"]

RULES: Mapping[str, Rule] = {r.code: r for r in (
    _records.check_references,
    _records.check_self_relations,
    _records.check_repeated_relations,
    _records.check_categories,
    _records.check_tags,
    _records.check_goal_levels,
    _catalog.check_duplicate_works,
    _records.check_links,
    _catalog.check_taxonomy,
    _catalog.check_survey,
    _records.check_summaries,
    _records.check_uncategorised,
    _graph.check_ordered_cycles,
    _graph.check_time_order,
    _graph.check_relation_kinds,
    _graph.check_orphans,
    _graph.check_benchmark_data,
)}


def _facts(catalog) -> CatalogFacts:
    return catalog if isinstance(catalog, CatalogFacts) else CatalogFacts.of(catalog)


def run_rules(catalog, only: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run every rule (or those named in `only`) over a Catalog or CatalogFacts and return their diagnostics."""
    facts = _facts(catalog)
    wanted = set(only) if only is not None else None
    out: list[Diagnostic] = []
    for code, r in RULES.items():
        if wanted is None or code in wanted:
            out.extend(r.check(facts))
    return out


def run_rules_by_rule(facts: CatalogFacts) -> dict[str, list[Diagnostic]]:
    """Every rule's diagnostics, by rule (in RULES order; flattened, the same list as run_rules gives)."""
    return {code: list(r.check(facts)) for code, r in RULES.items()}


def recheck(facts: CatalogFacts, previous: Mapping[str, list[Diagnostic]], dirty: Mapping[str, set[str]] | set[str],
            rerun: set[str]) -> dict[str, list[Diagnostic]]:
    """run_rules_by_rule after a few records changed, from the previous run's diagnostics.

    `dirty` holds, per per-record rule (or for all of them), every record whose diagnostics of that rule may differ;
    those rules look only at those records and keep the others' diagnostics. Of the other rules, those in `rerun`
    run again and the rest keep theirs. The result equals a full run when `dirty` and `rerun` cover what changed
    (pipeline.plan_recheck decides from what the rules declare they read; tests compare with full runs).
    """
    # dict.values: every record's path without reading a cached record's facts (a lazy records mapping).
    position = {r.path: i for i, r in enumerate(dict.values(facts.records))}
    out: dict[str, list[Diagnostic]] = {}
    for code, r in RULES.items():
        if r.per_record:
            ids = dirty.get(code, set()) if isinstance(dirty, Mapping) else dirty
            dirty_paths = {facts.records[i].path for i in ids if i in facts.records}
            kept = [d for d in previous[code] if d.path not in dirty_paths]
            facts.subject_ids = frozenset(ids)
            try:
                found = kept + list(r.check(facts)) if ids else kept
            finally:
                facts.subject_ids = None
            found.sort(key=lambda d: position.get(d.path, -1))  # record order; within a record, as found
            out[code] = found
        elif code in rerun:
            out[code] = list(r.check(facts))
        else:
            out[code] = list(previous[code])
    return out
