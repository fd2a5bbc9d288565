"""Rules stage: the rules of the evolution graph: ordered relations form no cycle and respect time, relations fit
the kinds they join, no paper or benchmark is left unlinked.

They read the records' facts, not the networkx graph (graph.py comes later in the pipeline): networkx is imported
only to explain a cycle that exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..catalog import CATALOG_FILE
from ..diagnostics import Diagnostic, Severity
from ..model import ORDERED_TYPES, RELATION_TYPES, Record, RecordFacts
from .base import CatalogFacts, at, rule

if TYPE_CHECKING:
    from ..catalog import Catalog

_ORDERED = frozenset(ORDERED_TYPES)




def _ordered_edges(catalog: CatalogFacts) -> dict[tuple[str, str], list[str]]:
    """The ordered relations between two different records, straight from the facts, in record and file order."""
    types: dict[tuple[str, str], list[str]] = {}
    records = catalog.records
    ordered = _ORDERED
    for r in records.values():
        for rtype, target in r.relations:
            if rtype in ordered and target in records and target != r.id:
                types.setdefault((r.id, target), []).append(rtype)
    return types


def _acyclic(catalog: CatalogFacts) -> bool:
    """Whether the ordered relations form no cycle: Kahn's algorithm, linear, in plain Python (networkx is imported
    only to explain a cycle that exists)."""
    records = catalog.records
    ordered = _ORDERED
    succ: dict[str, list[str]] = {}
    indeg = dict.fromkeys(records, 0)
    for rid, r in records.items():
        out = [t for rtype, t in r.relations if rtype in ordered and t in records and t != rid]
        if out:
            succ[rid] = out
            for t in out:
                indeg[t] += 1
    ready = [n for n, k in indeg.items() if k == 0]
    done = 0
    while ready:
        n = ready.pop()
        done += 1
        for m in succ.get(n, ()):
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return done == len(indeg)


def find_ordered_cycles(catalog: Catalog | CatalogFacts) -> list[list[tuple[str, str, str]]]:
    """One cycle per knot of ordered relations, as (source, type, target) steps, starting at its smallest id."""
    facts = catalog if isinstance(catalog, CatalogFacts) else CatalogFacts.of(catalog)
    # Detect with a linear algorithm first (this runs on every validate); networkx's find_cycle is slow on large
    # acyclic graphs, so it only explains each strongly connected knot of a graph known to have one.
    if _acyclic(facts):
        return []
    types = _ordered_edges(facts)
    import networkx as nx

    g = nx.DiGraph()
    g.add_edges_from((u, v, {"types": t}) for (u, v), t in types.items())
    cycles = []
    for comp in sorted(nx.strongly_connected_components(g), key=min):
        if len(comp) < 2:
            continue
        sub = g.subgraph(comp)
        start = min(comp)
        steps = nx.find_cycle(sub, source=start)
        cycle = [(u, sorted(g[u][v]["types"])[0], v) for u, v in steps]
        first = min(range(len(cycle)), key=lambda i: cycle[i][0])
        cycles.append(cycle[first:] + cycle[:first])
    return cycles


def _relation_index(record: Record | RecordFacts, rel_type: str, target: str) -> int:
    pairs = record.relations if isinstance(record, RecordFacts) else [(x.type, x.target) for x in record.relations]
    return next(i for i, (t, g) in enumerate(pairs) if t == rel_type and g == target)


@rule("graph-cycle", reads={"id", "relations"}, stage="graph")
def check_ordered_cycles(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Relations that imply order (builds_on, extends, derived_from) form no cycle."""
    names = ", ".join(ORDERED_TYPES)
    for cycle in find_ordered_cycles(catalog):
        source, rel_type, target = cycle[0]
        record = catalog.records[source]
        text = " -> ".join(f"{u} {t}" for u, t, _ in cycle) + f" {cycle[0][0]}"
        yield at(
            catalog,
            record.path,
            f"/relations/{_relation_index(record, rel_type, target)}",
            "graph-cycle",
            f"cycle through ordered relations: {text}",
            f"{names} mean 'came after'; one of these works cannot come after itself: change one relation "
            "of the cycle to a type without order (uses, alternative_to) or remove it",
        )


@rule("time-order", per_record=True, reads={"relations", "year"}, reads_targets={"year"}, stage="graph")
def check_time_order(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """No record builds on, extends or derives from a work of a later year (beyond catalog.yaml's tolerance)."""
    tolerance = catalog.info.time_order_tolerance
    records = catalog.records
    ordered = _ORDERED
    for r in catalog.subjects():
        latest = r.year + tolerance
        for i, (rtype, target_id) in enumerate(r.relations):
            if rtype not in ordered:
                continue
            target = records.get(target_id)
            if target is None or target.year <= latest:
                continue
            yield at(
                catalog,
                r.path,
                f"/relations/{i}/target",
                "time-order",
                f"'{r.id}' ({r.year}) {RELATION_TYPES[rtype].label} '{target.id}' ({target.year}), a later work",
                f"check both years; if the order is right, use a relation without order (uses, "
                f"alternative_to); a preprint published earlier may need 'time_order_tolerance' in "
                f"{CATALOG_FILE} (now {tolerance} year{'s' * (tolerance != 1)})",
            )


@rule("relation-kind", per_record=True, reads={"relations", "kind"}, reads_targets={"kind"},
      stage="graph")
def check_relation_kinds(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """A relation's type fits the kinds of its ends (a dataset does not evaluate on a paper)."""
    records = catalog.records
    for r in catalog.subjects():
        for i, (rel_type, target_id) in enumerate(r.relations):
            rtype = RELATION_TYPES.get(rel_type)
            target = records.get(target_id)
            if rtype is None or target is None:
                continue
            if r.kind in rtype.sources and target.kind in rtype.targets:
                continue
            fitting = [
                t.name for t in RELATION_TYPES.values() if r.kind in t.sources and target.kind in t.targets
            ]
            hint = (
                f"'{rel_type}' goes from {' or '.join(rtype.sources)} to {' or '.join(rtype.targets)}; "
                f"types that fit {r.kind} -> {target.kind}: {', '.join(fitting)}"
            )
            yield at(
                catalog,
                r.path,
                f"/relations/{i}/type",
                "relation-kind",
                f"a {r.kind} cannot '{rel_type}' a {target.kind} ('{target.id}')",
                hint,
            )


@rule("orphan", Severity.WARNING, per_record=True, reads={"id", "kind", "relations"}, reads_sources={"relations"},
      stage="graph")
def check_orphans(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every paper relates to some other record, or some record relates to it."""
    for r in catalog.subjects_of_kind("paper"):
        if not r.relations and not catalog.incoming(r.id) and r.id != catalog.info.survey:
            yield at(
                catalog,
                r.path,
                "/id",
                "orphan",
                f"the paper '{r.id}' has no relation to any record",
                "add 'relations:' naming the works it builds on, extends, introduces or evaluates on",
                severity=Severity.WARNING,
            )


@rule("benchmark-without-dataset", Severity.WARNING, per_record=True, reads={"kind", "relations"},
      reads_targets={"kind"}, reads_sources={"kind", "relations"}, stage="graph")
def check_benchmark_data(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """Every benchmark is linked to at least one dataset (in either direction)."""
    records = catalog.records
    for r in catalog.subjects_of_kind("benchmark"):
        linked = [target for _, target in r.relations] + catalog.incoming(r.id)
        if not any(x in records and records[x].kind == "dataset" for x in linked):
            yield at(
                catalog,
                r.path,
                "/id",
                "benchmark-without-dataset",
                f"the benchmark '{r.id}' is linked to no dataset",
                "add e.g. '{type: derived_from, target: <dataset-id>}' to its relations, "
                "or a 'uses'/'evaluates_on' relation from the dataset's record",
                severity=Severity.WARNING,
            )
