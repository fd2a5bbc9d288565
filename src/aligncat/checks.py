"""Checks stage: named cross-record rules over a loaded Catalog, each yielding diagnostics with a fix."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from .diagnostics import Diagnostic, Severity
from .load import CATALOG_FILE, TAXONOMY_FILE, Catalog, diagnostic_at, normalise_identifier

Check = Callable[[Catalog], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity = Severity.ERROR) -> Callable[[Check], Check]:
    """Register a cross-record rule; its docstring's first line is the rule's summary in the docs."""

    def register(fn: Check) -> Check:
        RULES[code] = Rule(code, severity, (fn.__doc__ or "").strip().splitlines()[0], fn)
        return fn

    return register


def run_checks(catalog: Catalog, only: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run every registered rule (or those named in `only`) and return their diagnostics."""
    from . import graph  # noqa: F401  (registers the graph rules)

    wanted = set(only) if only is not None else None
    out: list[Diagnostic] = []
    for code, r in RULES.items():
        if wanted is None or code in wanted:
            out.extend(r.check(catalog))
    return out


def _at(catalog: Catalog, path: str, pointer: str, code: str, message: str, hint: str = "", *, key: bool = False,
        severity: Severity = Severity.ERROR) -> Diagnostic:
    return diagnostic_at(catalog.root, path, pointer, code, message, hint, key=key, severity=severity)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@rule("dangling-ref")
def check_references(catalog: Catalog) -> Iterator[Diagnostic]:
    """Every relation points at a record that exists."""
    for r in catalog.records.values():
        for i, rel in enumerate(r.relations):
            if rel.target not in catalog.records:
                hint = did_you_mean(rel.target, catalog.records) or "check the id, or add a record for that work"
                yield _at(catalog, r.path, f"/relations/{i}/target", "dangling-ref",
                          f"no record '{rel.target}'", hint)


@rule("self-relation")
def check_self_relations(catalog: Catalog) -> Iterator[Diagnostic]:
    """No record relates to itself."""
    for r in catalog.records.values():
        for i, rel in enumerate(r.relations):
            if rel.target == r.id:
                yield _at(catalog, r.path, f"/relations/{i}/target", "self-relation",
                          f"'{r.id}' {rel.type} itself", "point the relation at another record, or remove it")


@rule("duplicate-relation", Severity.WARNING)
def check_repeated_relations(catalog: Catalog) -> Iterator[Diagnostic]:
    """A relation of one type to one target is stated once."""
    for r in catalog.records.values():
        seen: set[tuple[str, str]] = set()
        for i, rel in enumerate(r.relations):
            if (rel.type, rel.target) in seen:
                yield _at(catalog, r.path, f"/relations/{i}", "duplicate-relation",
                          f"'{rel.type} {rel.target}' is stated twice", "remove the repeat",
                          severity=Severity.WARNING)
            seen.add((rel.type, rel.target))


@rule("unknown-category")
def check_categories(catalog: Catalog) -> Iterator[Diagnostic]:
    """Records name only categories that exist in taxonomy.yaml."""
    known = catalog.taxonomy.categories
    for r in catalog.records.values():
        for i, c in enumerate(r.categories):
            if c not in known:
                hint = did_you_mean(c, known) or f"see {TAXONOMY_FILE} for the category ids"
                yield _at(catalog, r.path, f"/categories/{i}", "unknown-category", f"no category '{c}'", hint)


@rule("unknown-tag")
def check_tags(catalog: Catalog) -> Iterator[Diagnostic]:
    """Records use only tags from the controlled vocabulary."""
    for r in catalog.records.values():
        for i, t in enumerate(r.tags):
            if t not in catalog.tags:
                hint = did_you_mean(t, catalog.tags) or "use a tag from vocabularies/tags.yaml, or add it there"
                yield _at(catalog, r.path, f"/tags/{i}", "unknown-tag", f"no tag '{t}'", hint)


@rule("unknown-goal-level")
def check_goal_levels(catalog: Catalog) -> Iterator[Diagnostic]:
    """A benchmark's goal_level is one of the taxonomy's goal levels."""
    levels = [g.id for g in catalog.taxonomy.goal_levels]
    for r in catalog.by_kind.get("benchmark", ()):
        info = getattr(r, "benchmark", None)
        if info is not None and info.goal_level and info.goal_level not in levels:
            hint = did_you_mean(info.goal_level, levels) or "choose one of: " + ", ".join(levels)
            yield _at(catalog, r.path, "/benchmark/goal_level", "unknown-goal-level",
                      f"no goal level '{info.goal_level}'", hint)


def normalise_title(title: str) -> str:
    """Lowercase letters and digits only, accents removed: how two spellings of one title compare."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@rule("duplicate-work")
def check_duplicate_works(catalog: Catalog) -> Iterator[Diagnostic]:
    """No two records describe the same work (same arXiv id, DOI or ACL id, or the same normalised title)."""
    seen: dict[tuple[str, str], str] = {}
    for r in catalog.records.values():  # in id order, so the later id is the one reported
        keys = [(f"identifiers/{s}", normalise_identifier(s, v)) for s, v in r.identifiers if s in
                ("arxiv", "doi", "acl", "isbn")]
        keys.append(("title", normalise_title(r.title)))
        for what, value in keys:
            first = seen.get((what, value))
            if first is not None and first != r.id:
                name = what.split("/")[-1]
                yield _at(catalog, r.path, "/" + what, "duplicate-work",
                          f"same {name} as '{first}' ({catalog.records[first].path})",
                          "merge the two records into one (list every category in it) and delete the other")
                break
            seen.setdefault((what, value), r.id)


TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|trk|ref_src|igshid|_hsenc|_hsmi)$", re.I)


def strip_tracking(url: str) -> str:
    """The URL without tracking query parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    from urllib.parse import urlencode

    return parts._replace(query=urlencode(query)).geturl()


@rule("tracking-link")
def check_links(catalog: Catalog) -> Iterator[Diagnostic]:
    """Links carry no tracking parameters (utm_*, fbclid, trk, mc_cid, ...)."""
    for r in catalog.records.values():
        for i, link in enumerate(r.links):
            params = [k for k, _ in parse_qsl(urlsplit(link.url).query, keep_blank_values=True)
                      if TRACKING_PARAMS.match(k)]
            if params:
                yield _at(catalog, r.path, f"/links/{i}/url", "tracking-link",
                          f"the link carries tracking parameters: {', '.join(params)}",
                          f"use {strip_tracking(link.url)}")


@rule("taxonomy-ref")
def check_taxonomy(catalog: Catalog) -> Iterator[Diagnostic]:
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
    seen_nodes: dict[str, int] = {}
    for c in tax.categories.values():
        seen_nodes[c.id] = seen_nodes.get(c.id, 0) + 1
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


def _repeated_category_ids(catalog: Catalog) -> Iterator[Diagnostic]:
    from .load import _reread

    src = _reread(catalog.root / TAXONOMY_FILE, TAXONOMY_FILE)
    seen: set[str] = set()
    stack = [(f"/schemes/{i}/categories/{j}", c) for i, s in enumerate((src.data or {}).get("schemes", []))
             for j, c in enumerate(s.get("categories", []))]
    while stack:
        ptr, node = stack.pop(0)
        if node["id"] in seen:
            yield _at(catalog, TAXONOMY_FILE, ptr + "/id", "taxonomy-ref", f"category id '{node['id']}' is used twice",
                      "category ids are unique across all schemes: rename one")
        seen.add(node["id"])
        stack.extend((f"{ptr}/children/{k}", ch) for k, ch in enumerate(node.get("children", [])))


@rule("unknown-survey")
def check_survey(catalog: Catalog) -> Iterator[Diagnostic]:
    """The survey named in catalog.yaml is a record of the catalog."""
    sid = catalog.info.survey
    if sid and sid not in catalog.records:
        yield _at(catalog, CATALOG_FILE, "/survey", "unknown-survey", f"no record '{sid}'",
                  did_you_mean(sid, catalog.records) or "add the survey's record, or remove 'survey'")


@rule("missing-summary", Severity.WARNING)
def check_summaries(catalog: Catalog) -> Iterator[Diagnostic]:
    """Every record has a summary in our own words."""
    for r in catalog.records.values():
        if not r.summary:
            yield _at(catalog, r.path, "", "missing-summary", "the record has no summary",
                      "add 'summary:' with one to three sentences in your own words", severity=Severity.WARNING)


@rule("uncategorised", Severity.WARNING)
def check_uncategorised(catalog: Catalog) -> Iterator[Diagnostic]:
    """Every record is filed under at least one category (when the catalog has a taxonomy)."""
    if not catalog.taxonomy.categories:
        return
    for r in catalog.records.values():
        if not r.categories:
            yield _at(catalog, r.path, "", "uncategorised", "the record is filed under no category",
                      f"add 'categories:' with ids from {TAXONOMY_FILE}", severity=Severity.WARNING)
