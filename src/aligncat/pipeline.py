"""Pipeline: load + rules, composed one level above both (load runs no rule, the rules load nothing), with the
record cache.

`load_catalog` gives the frozen Catalog with every diagnostic (reading, schema, layout, then every rule);
`validate_catalog` the same diagnostics without building frozen records (the rules run over each record's facts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import RecordCache, ValidationCache, cache_disabled_by_env
from .catalog import Catalog, CatalogFacts
from .diagnostics import Diagnostic
from .load import LOAD_CODES, RecordReader, load_facts, read_catalog
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


def load_catalog_cached(
    root: str | Path,
    *,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    checks: bool = True,
):
    """load_catalog with the record cache (unless disabled by `use_cache=False` or $ALIGNCAT_NO_CACHE)."""

    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return load_catalog(root, checks=checks, progress=progress)
    cache = RecordCache(root, cache_dir)
    catalog = read_catalog(root, progress=progress, reader=cache.reader)
    if checks:
        key = cache.checks_key()
        found = cache.cached_checks(key)
        if found is None:
            found = run_rules(CatalogFacts.of(catalog))
            cache.store_checks(key, found)
        catalog = catalog.with_diagnostics(catalog.diagnostics + tuple(found))
    cache.save()
    return catalog


def validate_catalog_cached(
    root: str | Path,
    *,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Validation:
    """load.validate_catalog with the validate cache (unless `use_cache=False` or $ALIGNCAT_NO_CACHE): the same
    diagnostics in the same order, reading and checking only the files whose bytes changed, and running the rules
    only where a change can make a difference."""
    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return validate_catalog(root, progress=progress)
    cache = ValidationCache(root, cache_dir)
    diags, facts, files_read = load_facts(Path(root), reader=cache.facts_reader,
                                              settings_reader=cache.settings_reader, progress=progress)
    assert facts is not None  # root is a folder
    key = cache.rules_key(diags)
    found = cache.cached_rules(key)
    if found is None:
        facts.records = cache.lazy_records(facts.records)
        try:
            plan = cache.incremental_plan(facts, diags)
            if plan is not None:
                by_rule = recheck(facts, *plan)
                cache.rules = "incremental"
            else:
                by_rule = run_rules_by_rule(facts)
                cache.keep_incoming(facts.incoming_ids)
                cache.rules = "full"
        except LookupError:  # a facts section that lacks an entry the index names: never guess, start afresh
            return _validate_afresh(cache, root, progress)
        cache.store_rules(key, by_rule)
        found = [d for ds in by_rule.values() for d in ds]
    cache.save()
    return Validation(tuple(diags) + tuple(found), files_read, len(facts.records))


def _validate_afresh(cache: ValidationCache, root: str | Path, progress) -> Validation:
    cache.status = "corrupt"
    try:
        cache.file.unlink(missing_ok=True)  # rebuilt by the next run
    except OSError:
        pass
    return validate_catalog(root, progress=progress)


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
