"""Rules stage: the rules over the whole catalog: no work recorded twice, the taxonomy's and settings' references."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import CATALOG_FILE, TAXONOMY_FILE
from ..diagnostics import Diagnostic
from .base import CatalogFacts, at, did_you_mean, rule


@rule("duplicate-work", per_record=True, reads={"id", "year", "work_keys"}, reads_peers={"id", "year", "work_keys"})
def check_duplicate_works(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """No two records describe the same work (a shared arXiv id, DOI, ACL or OpenReview id or paper URL, or a title
    match with the evidence identity.py asks for)."""
    from ..identity import DUPLICATE, Work, WorkIndex, duplicates

    def work(r) -> Work:
        return Work.from_work_keys(r.id, r.year, r.work_keys)

    if catalog.subject_ids is None:
        found = duplicates(work(r) for r in catalog.records.values())  # in id order: the later id is reported
    else:
        # A record is compared only with the records sharing a work key with it (identity.WorkIndex looks nowhere
        # else), so its verdict comes from its earlier peers alone: the same as in a pass over every record.
        def verdicts() -> Iterator:
            records = catalog.records
            for r in catalog.subjects():
                index = WorkIndex()
                for peer in sorted(i for i in catalog.peers(r.id) if i < r.id):
                    index.add(work(records[peer]))
                new = work(r)
                v = index.find(new, possible=False)
                if v is not None and v.outcome == DUPLICATE:
                    yield new, v

        found = verdicts()
    for w, verdict in found:
        r, first = catalog.records[w.id], catalog.records[verdict.record_id]
        if verdict.pointer != "title":  # 'same arxiv 2203.02155' -> 'same arxiv as ...'
            message = f"same {verdict.reason.split(' ')[1]} as '{first.id}' ({first.path})"
        elif verdict.reason.startswith("same title"):
            message = f"same title as '{first.id}' ({first.path})"
        else:
            message = f"the same work as '{first.id}' ({first.path}): {verdict.reason}"
        yield at(catalog, r.path, "/" + verdict.pointer, "duplicate-work", message,
                 "merge the two records into one (list every category in it) and delete the other")


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
            yield at(catalog, TAXONOMY_FILE, "", "taxonomy-ref", f"{kind} id '{x}' is used twice",
                      "give each its own id")
    for c in tax.categories.values():
        parent = tax.categories.get(c.parent) if c.parent else None
        if parent is not None and (parent.perspective, parent.goal_level) == (c.perspective, c.goal_level):
            continue  # inherited values are reported once, where they are written
        if c.perspective and c.perspective not in persp:
            yield at(catalog, TAXONOMY_FILE, c.pointer + "/perspective", "taxonomy-ref",
                      f"no perspective '{c.perspective}'", "choose one of: " + ", ".join(sorted(persp)))
        if c.goal_level and c.goal_level not in levels:
            yield at(catalog, TAXONOMY_FILE, c.pointer + "/goal_level", "taxonomy-ref",
                      f"no goal level '{c.goal_level}'", "choose one of: " + ", ".join(sorted(levels)))
        for i, m in enumerate(c.maps_to):
            target = tax.categories.get(m)
            if target is None or target.scheme != tax.primary.id:
                yield at(catalog, TAXONOMY_FILE, f"{c.pointer}/maps_to/{i}", "taxonomy-ref",
                          f"maps_to '{m}' is not a category of the primary scheme '{tax.primary.id}'",
                          did_you_mean(m, [k for k, v in tax.categories.items() if v.scheme == tax.primary.id])
                          or "name a category of the first scheme")
    yield from _repeated_category_ids(catalog)


def _repeated_category_ids(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    src = catalog.marks.source(TAXONOMY_FILE)
    seen: set[str] = set()
    stack = [(f"/schemes/{i}/categories/{j}", c) for i, s in enumerate((src.data or {}).get("schemes", []))
             for j, c in enumerate(s.get("categories", []))][::-1]
    while stack:  # depth-first in file order, so the later of two repeats is the one reported
        ptr, node = stack.pop()
        if node["id"] in seen:
            yield at(catalog, TAXONOMY_FILE, ptr + "/id", "taxonomy-ref", f"category id '{node['id']}' is used twice",
                      "category ids are unique across all schemes: rename one")
        seen.add(node["id"])
        stack.extend(reversed([(f"{ptr}/children/{k}", ch) for k, ch in enumerate(node.get("children", []))]))


@rule("unknown-survey", reads={"id"})
def check_survey(catalog: CatalogFacts) -> Iterator[Diagnostic]:
    """The survey named in catalog.yaml is a record of the catalog."""
    sid = catalog.info.survey
    if sid and sid not in catalog.records:
        yield at(catalog, CATALOG_FILE, "/survey", "unknown-survey", f"no record '{sid}'",
                  did_you_mean(sid, catalog.records) or "add the survey's record, or remove 'survey'")
