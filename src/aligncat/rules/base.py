"""Rules stage: what a rule is (`Rule`, made with `@rule`); what every rule sees is catalog.CatalogFacts."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..catalog import CatalogFacts
from ..diagnostics import Diagnostic, Severity
from ..model import RecordFacts

# What a rule may read of a record: the fields of model.RecordFacts.
FACT_FIELDS = frozenset(RecordFacts._fields)


Check = Callable[[CatalogFacts], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A named cross-record rule: its code, severity, summary (its docstring's first line) and what it reads.

    A per-record rule reports each record on its own, in its own file, from that record, the settings and its
    neighbours; it looks only at `catalog.subjects()`. Other rules compare every record with every other (cycles,
    duplicates) or check the settings.

    What it reads is declared, so that after an edit only the rules and records the edit can affect run again
    (pipeline.py): `reads` are the fields (of model.RecordFacts) it reads of its subject (a per-record rule) or of
    every record (the others); `reads_targets` those of the records its subject relates to; `reads_sources` those
    of the records that relate to its subject; `reads_peers` those of the records sharing a work key with it
    (catalog.CatalogFacts.peers). Every rule also reads the settings (catalog.yaml, taxonomy, tags).
    """

    code: str
    severity: Severity
    summary: str
    check: Check
    per_record: bool = False
    reads: frozenset[str] = frozenset()
    reads_targets: frozenset[str] = frozenset()
    reads_sources: frozenset[str] = frozenset()
    reads_peers: frozenset[str] = frozenset()
    stage: str = "checks"  # where docs/diagnostics.md files it: checks or graph

    def __call__(self, catalog: CatalogFacts) -> Iterable[Diagnostic]:
        return self.check(catalog)


def rule(code: str, severity: Severity = Severity.ERROR, *, per_record: bool = False, reads: Iterable[str] = (),
         reads_targets: Iterable[str] = (), reads_sources: Iterable[str] = (), reads_peers: Iterable[str] = (),
         stage: str = "checks") -> Callable[[Check], Rule]:
    """Make a function a Rule (it is not registered: rules/__init__.py lists every rule)."""

    def make(fn: Check) -> Rule:
        declared = [frozenset(reads), frozenset(reads_targets), frozenset(reads_sources), frozenset(reads_peers)]
        unknown = set().union(*declared) - FACT_FIELDS
        if unknown:
            raise ValueError(f"rule {code} reads unknown fields {sorted(unknown)}; fields: {sorted(FACT_FIELDS)}")
        return Rule(code, severity, (fn.__doc__ or "").strip().splitlines()[0], fn, per_record, *declared,
                    stage=stage)

    return make


def at(catalog: CatalogFacts, path: str, pointer: str, code: str, message: str, hint: str = "", *,
       key: bool = False, severity: Severity = Severity.ERROR) -> Diagnostic:
    """A rule's diagnostic, located in its file."""
    return catalog.marks.diagnostic(path, pointer, code, message, hint, key=key, severity=severity)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
