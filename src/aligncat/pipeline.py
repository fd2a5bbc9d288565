"""Pipeline: load + rules, composed one level above both (load runs no rule, the rules load nothing), with the
record cache.

`load_catalog` gives the frozen Catalog with every diagnostic (reading, schema, layout, then every rule);
`validate_catalog` the same diagnostics without building frozen records (the rules run over each record's facts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import RecordCache, _Deferred, _LazyRecords, cache_disabled_by_env
from .catalog import Catalog, CatalogFacts, peer_keys
from .diagnostics import Diagnostic
from .load import LOAD_CODES, RecordReader, load_facts, read_catalog
from .model import RecordFacts
from .rules import RULES, recheck, run_rules, run_rules_by_rule
from .schema import SCHEMA_CODES
from .source import SOURCE_CODES

Progress = Callable[[Iterable], Iterable]


@dataclass(frozen=True)
class Validation:
    """What `aligncat validate` reports: every diagnostic, how many files were read and how many records are valid."""

    diagnostics: tuple[Diagnostic, ...]
    files_read: int
    records: int

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


def load_catalog(root: str | Path, *, checks: bool = True, progress: Progress | None = None,
                 reader: RecordReader | None = None) -> Catalog:
    """Load a catalog folder: every valid record becomes part of the Catalog, every problem a diagnostic.

    With `checks` (the default), every rule (rules/) runs too and its diagnostics follow the loading ones.
    """
    catalog = read_catalog(root, progress=progress, reader=reader)
    if not checks or not Path(root).is_dir():
        return catalog
    return catalog.with_diagnostics(catalog.diagnostics + tuple(run_rules(CatalogFacts.of(catalog))))


def validate_catalog(root: str | Path, *, progress: Progress | None = None) -> Validation:
    """Every diagnostic load_catalog gives, in the same order, without building the frozen records: the file,
    schema and load checks, then every rule over each record's facts."""
    diags, facts, files_read = load_facts(Path(root), progress=progress)
    if facts is not None:
        diags.extend(run_rules(facts))
    return Validation(tuple(diags), files_read, len(facts.records) if facts else 0)


def load_catalog_cached(root: str | Path, *, use_cache: bool = True, cache_dir: str | Path | None = None,
                        progress: Progress | None = None, checks: bool = True) -> Catalog:
    """load_catalog with the record cache (unless `use_cache=False` or $ALIGNCAT_NO_CACHE): the same Catalog and
    diagnostics, reading only the files whose bytes changed and running the rules only where a change matters."""
    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return load_catalog(root, checks=checks, progress=progress)
    cache = RecordCache(root, cache_dir)
    catalog = read_catalog(root, progress=progress, reader=cache.data_reader, settings_reader=cache.settings_reader)
    if checks:
        by_path = {r.path: r for r in catalog.records.values()}

        def facts() -> CatalogFacts:
            lazy = _LazyRecords({rid: _Deferred(rid, r.path) for rid, r in catalog.records.items()},
                                lambda path: tuple(RecordFacts.from_record(by_path[path])))
            return CatalogFacts(catalog.root, catalog.info, catalog.taxonomy, catalog.tags, lazy,
                                invalid_files=catalog.invalid_files)

        found = _rules_through(cache, facts, list(catalog.diagnostics))
        if found is None:
            return _afresh(cache, lambda: load_catalog(root, progress=progress))
        catalog = catalog.with_diagnostics(catalog.diagnostics + tuple(found))
    cache.save()
    return catalog


def validate_catalog_cached(root: str | Path, *, use_cache: bool = True, cache_dir: str | Path | None = None,
                            progress: Progress | None = None) -> Validation:
    """validate_catalog with the record cache (unless `use_cache=False` or $ALIGNCAT_NO_CACHE): the same
    diagnostics in the same order, reading and checking only the files whose bytes changed, and running the rules
    only where a change can make a difference."""
    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return validate_catalog(root, progress=progress)
    cache = RecordCache(root, cache_dir)
    diags, facts, files_read = load_facts(Path(root), reader=cache.facts_reader,
                                          settings_reader=cache.settings_reader, progress=progress)
    assert facts is not None  # root is a folder

    def lazy_facts() -> CatalogFacts:
        facts.records = cache.lazy_records(facts.records)
        return facts

    found = _rules_through(cache, lazy_facts, diags)
    if found is None:
        return _afresh(cache, lambda: validate_catalog(root, progress=progress))
    cache.save()
    return Validation(tuple(diags) + tuple(found), files_read, len(facts.records))


def _rules_through(cache: RecordCache, make_facts: Callable[[], CatalogFacts],
                   diags: list[Diagnostic]) -> list[Diagnostic] | None:
    """The rules' diagnostics: stored, when nothing they read changed; else from running them again only where the
    changes matter (plan_recheck), or everywhere. None when the cache proves inconsistent (start afresh)."""
    key = cache.rules_key(diags)
    found = cache.cached_rules(key)
    if found is not None:
        return found
    facts = make_facts()
    try:
        plan = plan_recheck(cache, facts, diags)
        if plan is not None:
            by_rule = recheck(facts, *plan)
            cache.rules = "incremental"
        else:
            by_rule = run_rules_by_rule(facts)
            cache.keep_indexes(facts.incoming_ids, facts.work_key_ids)
            cache.rules = "full"
    except LookupError:  # a facts section that lacks an entry the index names: never guess
        return None
    cache.store_rules(key, by_rule)
    return [d for ds in by_rule.values() for d in ds]


def plan_recheck(cache: RecordCache, facts: CatalogFacts, diags_so_far: list[Diagnostic]
                 ) -> tuple[dict[str, list[Diagnostic]], dict[str, set[str]], set[str]] | None:
    """(previous diagnostics by rule, per per-record rule the records to check again, the other rules to run
    again) after a few records changed; None when every rule must run again.

    Decided from what each rule declares it reads (rules.base.Rule), never from rule names: for a record whose
    fields F changed, a per-record rule checks that record again when it reads one of F of it or reported in its
    file (its lines may have moved), the records relating to it when it reads one
    of F of its targets, the records it relates to (before and after) when it reads one of F of its sources, and
    the records sharing a work key with it (before and after) when it reads one of F of its peers;
    another rule runs again when it reads one of F, or when it reported in a changed file (its lines may have
    moved). The settings, the set of files and every changed record's id are as before (cache.changes()).
    """
    previous = cache.stored_rules()
    if previous is None or set(previous) != set(RULES) or any(d.code == "unique-id" for d in diags_so_far):
        return None
    changes = cache.changes()
    indexes = cache.old_indexes() if changes is not None else None
    if changes is None or indexes is None:
        return None
    incoming, load_peers = indexes
    records = facts.records
    changed_paths = {rel for rel, _, _ in changes}
    reported = {(code, d.path) for code, found in previous.items() for d in found if d.path in changed_paths}
    # Per change: the fields that differ, and the per-record rules that must look at the record itself again: those
    # that read a changed field of it, and those that reported in its file (their lines may have moved).
    fields: dict[str, set[str]] = {}
    itself: dict[str, set[str]] = {}
    for rel, old, new in changes:
        current = records.get(new.id)
        if current is None or current.path != rel:
            return None
        fields[new.id] = {f for f in RecordFacts._fields if getattr(old, f) != getattr(new, f)}
        itself[new.id] = {code for code, r in RULES.items() if r.per_record
                          and (fields[new.id] & r.reads or (code, rel) in reported)}
    peer_rules = {code for code, r in RULES.items() if r.per_record and r.reads_peers}
    need_peers = any(fields[new.id] & RULES[code].reads_peers or code in itself[new.id]
                     for _, _, new in changes for code in peer_rules)
    peers = load_peers() if need_peers else None
    if need_peers and peers is None:
        return None
    touched: set[str] = set()
    old_peers: dict[str, set[str]] = {}
    new_keys: dict[str, tuple[str, ...]] = {}
    for _, old, new in changes:
        if peers is not None:
            # Who shares a work key with whom, as a full run's CatalogFacts.work_key_ids would have it now.
            old_keys, new_keys[new.id] = peer_keys(old), peer_keys(new)
            old_peers[new.id] = {i for key in old_keys for i in peers.get(key, ())} - {new.id}
            for key in old_keys:
                holders = peers.get(key)
                if not isinstance(holders, list) or new.id not in holders:
                    return None
                holders = list(holders)
                holders.remove(new.id)
                if holders:
                    peers[key] = holders
                else:
                    del peers[key]
            for key in new_keys[new.id]:
                peers[key] = sorted([*peers.get(key, ()), new.id])
        # Who relates to whom, as a full run's CatalogFacts.incoming_ids would have it now.
        for _, t in old.relations:
            sources = incoming.get(t)
            if not isinstance(sources, list) or new.id not in sources:
                return None  # not the index this run's facts were stored with: check everything
            sources = list(sources)
            sources.remove(new.id)
            incoming[t] = sources
            touched.add(t)
        for _, t in new.relations:
            incoming[t] = [*incoming.get(t, ()), new.id]
            touched.add(t)
    for t in touched:  # in record order, each source once per relation: what a full pass gives
        if incoming[t]:
            incoming[t] = sorted(incoming[t])
        else:
            del incoming[t]
    dirty: dict[str, set[str]] = {code: set() for code, r in RULES.items() if r.per_record}
    rerun: set[str] = set()
    for _, old, new in changes:
        changed = fields[new.id]
        sources = incoming.get(new.id, ())
        targets = {t for _, t in old.relations} | {t for _, t in new.relations}
        for code, r in RULES.items():
            if r.per_record:
                if code in itself[new.id]:
                    dirty[code].add(new.id)
                if changed & r.reads_peers:
                    assert peers is not None
                    dirty[code].update(old_peers[new.id])
                    dirty[code].update({i for key in new_keys[new.id] for i in peers.get(key, ())} - {new.id})
                if changed & r.reads_targets:
                    dirty[code].update(sources)
                if changed & r.reads_sources:
                    dirty[code].update(targets)
            elif changed & r.reads:
                rerun.add(code)
    for code, path in reported:
        if not RULES[code].per_record:
            rerun.add(code)
    facts.incoming_index = incoming
    facts.peer_index = peers
    cache.keep_indexes(incoming, peers)
    return previous, {code: ids & records.keys() for code, ids in dirty.items()}, rerun


def _afresh(cache: RecordCache, run: Callable):
    cache.status = "corrupt"
    try:
        cache.file.unlink(missing_ok=True)  # rebuilt by the next run
    except OSError:
        pass
    return run()


def all_codes() -> dict[str, tuple[str, str, str]]:
    """Every diagnostic code: {code: (stage, severity, meaning)}, in pipeline order."""
    out: dict[str, tuple[str, str, str]] = {}
    for stage, codes in (("source", SOURCE_CODES), ("schema", SCHEMA_CODES), ("load", LOAD_CODES)):
        out.update({code: (stage, "error", text) for code, text in codes.items()})
    for code, r in RULES.items():
        out[code] = (r.stage, r.severity.value, r.summary)
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
