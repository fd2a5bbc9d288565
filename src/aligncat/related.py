"""Graph stage, related works: for each record, the few other records a reader of it may want next, beyond the
relations it states, each with the reasons it was chosen.

Four signals, computed from the catalog alone at build time:
- co-citation: other records relate to both (two works used together are about the same thing);
- bibliographic coupling: both relate to the same works;
- shared categories and shared tags, each weighted by how rare it is (idf: a tag on two records says more than one
  on half the catalog).
Records the record already relates to, either way, are left out: its page lists them. Pure: a catalog in, frozen
values out; no HTML.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from .catalog import Catalog

LIMIT = 5
# Weights of one shared neighbour against one shared category or tag of average rarity.
COCITATION_WEIGHT = 2.0
COUPLING_WEIGHT = 1.5
# A category or tag holding more records than this proposes no candidates by itself (it still adds to the score of
# candidates found otherwise): keeps the work linear in a 10,000-record catalog.
CANDIDATE_CAP = 200
MIN_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record is related: `kind` is cocited, coupled, category or tag; `count` how many shared; `examples`
    record ids (for co-citation: works relating to both; for coupling: works both relate to), or the category or
    tag id."""

    kind: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Related:
    id: str
    score: float
    reasons: tuple[Reason, ...]


def related_works(catalog: Catalog, limit: int = LIMIT) -> Mapping[str, tuple[Related, ...]]:
    """Each record's top `limit` related works (best first; ties by id), for every record of the catalog."""
    ids = sorted(catalog.records)
    n = len(ids) or 1
    out_links: dict[str, set[str]] = defaultdict(set)  # record -> the records it relates to
    in_links: dict[str, set[str]] = defaultdict(set)   # record -> the records relating to it
    for rid in ids:
        for rel in catalog.records[rid].relations:
            if rel.target in catalog.records and rel.target != rid:
                out_links[rid].add(rel.target)
                in_links[rel.target].add(rid)
    cats: dict[str, set[str]] = {rid: set(catalog.categories_of(catalog.records[rid])) for rid in ids}
    tags: dict[str, set[str]] = {rid: set(catalog.records[rid].tags) for rid in ids}
    by_cat: dict[str, set[str]] = defaultdict(set)
    by_tag: dict[str, set[str]] = defaultdict(set)
    for rid in ids:
        for c in cats[rid]:
            by_cat[c].add(rid)
        for t in tags[rid]:
            by_tag[t].add(rid)

    def idf(members: int) -> float:
        return math.log(n / members) if members else 0.0

    # The mean idf of a category or tag a record holds, so that "one shared category" is worth about 1.
    held = [idf(len(by_cat[c])) for rid in ids for c in cats[rid]] + [
        idf(len(by_tag[t])) for rid in ids for t in tags[rid]
    ]
    norm = (sum(held) / len(held)) if held else 1.0
    norm = norm or 1.0

    result: dict[str, tuple[Related, ...]] = {}
    for rid in ids:
        direct = out_links[rid] | in_links[rid] | {rid}
        candidates: set[str] = set()
        for src in in_links[rid]:  # co-cited: the other targets of the works relating to this one
            candidates |= out_links[src]
        for dst in out_links[rid]:  # coupled: the other works relating to this one's targets
            candidates |= in_links[dst]
        for c in cats[rid]:
            if len(by_cat[c]) <= CANDIDATE_CAP:
                candidates |= by_cat[c]
        for t in tags[rid]:
            if len(by_tag[t]) <= CANDIDATE_CAP:
                candidates |= by_tag[t]
        scored = []
        for other in candidates - direct:
            reasons = []
            score = 0.0
            cocited = sorted(in_links[rid] & in_links[other])
            if cocited:
                score += COCITATION_WEIGHT * len(cocited)
                reasons.append(Reason("cocited", len(cocited), tuple(cocited[:2])))
            coupled = sorted(out_links[rid] & out_links[other])
            if coupled:
                score += COUPLING_WEIGHT * len(coupled)
                reasons.append(Reason("coupled", len(coupled), tuple(coupled[:2])))
            shared_cats = sorted(cats[rid] & cats[other], key=lambda c: (len(by_cat[c]), c))
            for c in shared_cats:
                score += idf(len(by_cat[c])) / norm
            shared_tags = sorted(tags[rid] & tags[other], key=lambda t: (len(by_tag[t]), t))
            for t in shared_tags:
                score += idf(len(by_tag[t])) / norm
            reasons += [Reason("category", 1, (c,)) for c in shared_cats[:2]]
            reasons += [Reason("tag", 1, (t,)) for t in shared_tags[:2]]
            if score >= MIN_SCORE and reasons:
                scored.append(Related(other, round(score, 3), tuple(reasons)))
        scored.sort(key=lambda r: (-r.score, r.id))
        result[rid] = tuple(scored[:limit])
    return result
