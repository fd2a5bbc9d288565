"""Model stage: frozen records built from schema-valid data, the taxonomy, and the relation types.

Over 500 lines because it holds one frozen dataclass per kind of record and per nested value (authors, links,
relations, the benchmark, dataset and resource blocks), each next to its parsing, with the taxonomy and the
relation table they refer to: tests/test_schema_drift.py compares them all with the schema in one place."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from .schema import KINDS  # noqa: F401  (the one list of kinds, read from the schema; part of the model API)

from .identity import STRONG_SCHEMES, normalise_identifier, normalise_title  # noqa: F401  (part of the model API)
from .identity import work_keys as _identity_work_keys

# --- relation types: the one place that declares each type, its meaning and direction -------------------------


@dataclass(frozen=True, slots=True)
class RelationType:
    name: str
    label: str          # how the source's page reads it: "<source> builds on <target>"
    inverse_label: str  # how the target's page reads it: "<target> is built upon by <source>"
    meaning: str
    ordered: bool       # implies the target came first: no cycles, no target later than the source
    sources: tuple[str, ...] = KINDS
    targets: tuple[str, ...] = KINDS


ALL_KINDS = KINDS  # read from the schema (schema.KINDS); the older name

RELATION_TYPES: dict[str, RelationType] = {
    r.name: r
    for r in (
        RelationType("builds_on", "builds on", "built upon by",
                     "uses the ideas or method of an earlier work", ordered=True),
        RelationType("extends", "extends", "extended by",
                     "is a new version or direct extension of the target", ordered=True),
        RelationType("derived_from", "derived from", "source of",
                     "its data was made from the target's data (or a questionnaire's items)", ordered=True,
                     sources=("dataset", "benchmark"), targets=("dataset", "benchmark", "resource")),
        RelationType("introduces", "introduces", "introduced by",
                     "the source paper releases the target dataset, benchmark or resource", ordered=False,
                     sources=("paper", "resource"), targets=("dataset", "benchmark", "resource")),
        RelationType("evaluates_on", "evaluates on", "used to evaluate",
                     "the source reports results on the target benchmark or dataset", ordered=False,
                     targets=("dataset", "benchmark")),
        RelationType("uses", "uses", "used by",
                     "the source uses the target's data, model or tool", ordered=False),
        RelationType("alternative_to", "alternative to", "alternative to",
                     "a competing approach to the same goal", ordered=False),
        RelationType("critiques", "critiques", "critiqued by",
                     "analyses the target's weaknesses", ordered=False),
    )
}


# The types whose relation implies the target came first (no cycles, no later target).
ORDERED_TYPES: tuple[str, ...] = tuple(name for name, t in RELATION_TYPES.items() if t.ordered)


def kind_folder(kind: str) -> str:
    """The catalog sub-folder holding records of a kind: paper -> papers."""
    return f"{kind}s"


# --- records -----------------------------------------------------------------------------------------------------


def _tuple(items: Any) -> tuple:
    return tuple(items or ())


@dataclass(frozen=True, slots=True)
class Author:
    family: str | None = None
    given: str | None = None
    literal: str | None = None
    orcid: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Author:
        return cls(d.get("family"), d.get("given"), d.get("literal"), d.get("orcid"))

    @property
    def display(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.given} {self.family}" if self.given else (self.family or "")


@dataclass(frozen=True, slots=True)
class Link:
    type: str
    url: str
    label: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Link:
        return cls(d["type"], d["url"], d.get("label"))


@dataclass(frozen=True, slots=True)
class Relation:
    type: str
    target: str
    reason: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Relation:
        return cls(d["type"], d["target"], d.get("reason"))


@dataclass(frozen=True, slots=True)
class Provenance:
    fields: tuple[str, ...]
    source: str
    note: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Provenance:
        return cls(_tuple(d["fields"]), d["source"], d.get("note"))


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    size: str | None = None
    instances: int | None = None
    languages: tuple[str, ...] = ()
    modality: tuple[str, ...] = ()
    license: str | None = None
    construction: tuple[str, ...] = ()
    construction_note: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> DatasetInfo:
        return cls(d.get("size"), d.get("instances"), _tuple(d.get("languages")), _tuple(d.get("modality")),
                   d.get("license"), _tuple(d.get("construction")), d.get("construction_note"))


@dataclass(frozen=True, slots=True)
class BenchmarkInfo:
    evaluates: str | None = None
    goal_level: str | None = None
    protocol: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    judge: str | None = None
    size: str | None = None
    instances: int | None = None
    languages: tuple[str, ...] = ()
    license: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> BenchmarkInfo:
        return cls(d.get("evaluates"), d.get("goal_level"), _tuple(d.get("protocol")), _tuple(d.get("metrics")),
                   d.get("judge"), d.get("size"), d.get("instances"), _tuple(d.get("languages")), d.get("license"))


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    type: str
    license: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> ResourceInfo:
        return cls(d["type"], d.get("license"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Fields every kind shares. `path` is the file it came from, relative to the catalog root (not a YAML field)."""

    id: str
    kind: str
    title: str
    year: int
    short_name: str | None = None
    aliases: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    authors_truncated: bool = False
    date: str | None = None
    venue: str | None = None
    venue_type: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()
    links: tuple[Link, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None
    relations: tuple[Relation, ...] = ()
    added: str | None = None
    notes: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    path: str = field(default="", compare=False)

    @staticmethod
    def _common(d: dict, path: str) -> dict[str, Any]:
        return dict(
            id=d["id"], kind=d["kind"], title=d["title"], year=d["year"], short_name=d.get("short_name"),
            aliases=_tuple(d.get("aliases")), authors=tuple(Author.from_dict(a) for a in d.get("authors", ())),
            authors_truncated=bool(d.get("authors_truncated", False)),
            date=d.get("date"), venue=d.get("venue"), venue_type=d.get("venue_type"),
            identifiers=tuple(sorted((d.get("identifiers") or {}).items())),
            links=tuple(Link.from_dict(x) for x in d.get("links", ())), categories=_tuple(d.get("categories")),
            tags=_tuple(d.get("tags")), summary=d.get("summary"),
            relations=tuple(Relation.from_dict(x) for x in d.get("relations", ())), added=d.get("added"),
            notes=_tuple(d.get("notes")), provenance=tuple(Provenance.from_dict(x) for x in d.get("provenance", ())),
            path=path,
        )

    @property
    def ids(self) -> dict[str, str]:
        return dict(self.identifiers)

    @property
    def display_authors(self) -> tuple[str, ...]:
        return tuple(a.display for a in self.authors)

    @property
    def label(self) -> str:
        """Short name if there is one, else the title: what a graph node or a table shows."""
        return self.short_name or self.title

    def link(self, type_: str) -> str | None:
        return next((x.url for x in self.links if x.type == type_), None)

    def to_dict(self) -> dict[str, Any]:
        """The record as schema-shaped data (what its YAML file holds), without empty fields."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "path":
                continue
            value = getattr(self, f.name)
            if value in (None, (), "") or (f.name == "authors_truncated" and value is False):
                continue  # authors_truncated: false is what a file without the field means
            out[f.name] = _plain(value, f.name)
        return out


def _plain(value: Any, name: str = "") -> Any:
    if name == "identifiers":
        return dict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)
                if getattr(value, f.name) not in (None, (), "")}
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper(Record):
    @classmethod
    def from_dict(cls, d: dict, path: str = "") -> Paper:
        return cls(**cls._common(d, path))


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset(Record):
    dataset: DatasetInfo | None = None

    @classmethod
    def from_dict(cls, d: dict, path: str = "") -> Dataset:
        info = DatasetInfo.from_dict(d["dataset"]) if "dataset" in d else None
        return cls(**cls._common(d, path), dataset=info)


@dataclass(frozen=True, slots=True, kw_only=True)
class Benchmark(Record):
    benchmark: BenchmarkInfo | None = None

    @classmethod
    def from_dict(cls, d: dict, path: str = "") -> Benchmark:
        info = BenchmarkInfo.from_dict(d["benchmark"]) if "benchmark" in d else None
        return cls(**cls._common(d, path), benchmark=info)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource(Record):
    resource: ResourceInfo

    @classmethod
    def from_dict(cls, d: dict, path: str = "") -> Resource:
        return cls(**cls._common(d, path), resource=ResourceInfo.from_dict(d["resource"]))


RECORD_CLASSES: dict[str, type[Record]] = {"paper": Paper, "dataset": Dataset, "benchmark": Benchmark,
                                           "resource": Resource}


def record_from_dict(d: dict, path: str = "") -> Record:
    """Build the frozen record for schema-valid data."""
    return RECORD_CLASSES[d["kind"]].from_dict(d, path)  # type: ignore[attr-defined]


# --- facts: what the cross-record rules need of a record -------------------------------------------------------


_intern = sys.intern
# Identifiers that name one work: two records sharing one are a duplicate (identity.py holds the whole rule).
WORK_ID_SCHEMES = STRONG_SCHEMES


def _work_keys(identifiers: Iterable[tuple[str, str]], title: str, links: Iterable[tuple[str, str]] = (),
               first_author: Any = None, venue_type: str | None = None) -> tuple[tuple[str, str], ...]:
    return _identity_work_keys(identifiers, title, links, first_author, venue_type)


def _author_dict(a: Author) -> dict[str, str | None]:
    return {"family": a.family, "literal": a.literal}


class RecordFacts(NamedTuple):
    """The little of a record that the cross-record rules read (checks.py, graph.py), as plain values.

    `aligncat validate` runs the rules over these instead of full frozen records, and caches them per file (a
    tuple of strings, numbers and tuples: what `marshal` writes). Built from schema-valid data or from a Record,
    with the same result.
    """

    id: str
    kind: str
    year: int
    path: str
    has_summary: bool
    relations: tuple[tuple[str, str], ...]  # (type, target), in file order
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    work_keys: tuple[tuple[str, str], ...]  # what duplicate-work compares: normalised identifiers, then the title
    link_urls: tuple[str, ...]
    goal_level: str | None  # a benchmark's own goal_level

    @classmethod
    def from_dict(cls, d: dict, path: str = "") -> RecordFacts:
        # Interned: the same kind, type, id, category or tag is then one object, which marshal (the validate
        # cache) writes once and reads back once.
        info = d.get("benchmark") if d["kind"] == "benchmark" else None
        return cls(_intern(d["id"]), _intern(d["kind"]), d["year"], path, bool(d.get("summary")),
                   tuple((_intern(x["type"]), _intern(x["target"])) for x in d.get("relations", ())),
                   tuple(map(_intern, d.get("categories") or ())), tuple(map(_intern, d.get("tags") or ())),
                   _work_keys(sorted((d.get("identifiers") or {}).items()), d["title"],
                              [(x["type"], x["url"]) for x in d.get("links", ())],
                              (d.get("authors") or [None])[0], d.get("venue_type")),
                   tuple(x["url"] for x in d.get("links", ())), info.get("goal_level") if info else None)

    @classmethod
    def from_record(cls, r: Record) -> RecordFacts:
        info = getattr(r, "benchmark", None)
        return cls(r.id, r.kind, r.year, r.path, bool(r.summary),
                   tuple((x.type, x.target) for x in r.relations), r.categories, r.tags,
                   _work_keys(r.identifiers, r.title, [(x.type, x.url) for x in r.links],
                              _author_dict(r.authors[0]) if r.authors else None, r.venue_type),
                   tuple(x.url for x in r.links), info.goal_level if info is not None else None)


# --- taxonomy ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalLevel:
    id: str
    title: str
    order: int
    color: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Perspective:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A node of a category tree; perspective and goal level are inherited from the nearest ancestor."""

    id: str
    title: str
    scheme: str
    parent: str | None
    depth: int
    children: tuple[str, ...]
    description: str | None = None
    perspective: str | None = None
    goal_level: str | None = None
    section: str | None = None
    maps_to: tuple[str, ...] = ()
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Scheme:
    id: str
    title: str
    roots: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Taxonomy:
    goal_levels: tuple[GoalLevel, ...]
    perspectives: tuple[Perspective, ...]
    schemes: tuple[Scheme, ...]
    categories: dict[str, Category]  # every node of every scheme, in tree order

    @classmethod
    def from_dict(cls, d: dict) -> Taxonomy:
        levels = tuple(GoalLevel(g["id"], g["title"], i, g.get("color"), g.get("description"))
                       for i, g in enumerate(d.get("goal_levels", ())))
        perspectives = tuple(Perspective(p["id"], p["title"], p.get("description"))
                             for p in d.get("perspectives", ()))
        categories: dict[str, Category] = {}
        schemes = []
        for si, s in enumerate(d.get("schemes", ())):
            stack = [(c, None, 0, None, None, f"/schemes/{si}/categories/{i}")
                     for i, c in reversed(list(enumerate(s["categories"])))]
            while stack:
                node, parent, depth, persp, level, ptr = stack.pop()
                persp = node.get("perspective", persp)
                level = node.get("goal_level", level)
                kids = node.get("children", ())
                if node["id"] not in categories:  # a repeated id is reported by checks, first one wins
                    categories[node["id"]] = Category(
                        node["id"], node["title"], s["id"], parent, depth, tuple(k["id"] for k in kids),
                        node.get("description"), persp, level, node.get("section"), _tuple(node.get("maps_to")),
                        ptr)
                stack.extend((k, node["id"], depth + 1, persp, level, f"{ptr}/children/{i}")
                             for i, k in reversed(list(enumerate(kids))))
            schemes.append(Scheme(s["id"], s["title"], tuple(c["id"] for c in s["categories"]),
                                  s.get("description")))
        return cls(levels, perspectives, tuple(schemes), categories)

    @property
    def primary(self) -> Scheme:
        return self.schemes[0]

    def goal_level(self, level_id: str | None) -> GoalLevel | None:
        return next((g for g in self.goal_levels if g.id == level_id), None)

    def ancestors(self, category_id: str) -> list[Category]:
        """The category and its parents, root first."""
        out = []
        c = self.categories.get(category_id)
        while c is not None:
            out.append(c)
            c = self.categories.get(c.parent) if c.parent else None
        return out[::-1]

    def descendants(self, category_id: str) -> Iterator[Category]:
        stack = list(reversed(self.categories[category_id].children))
        while stack:
            c = self.categories[stack.pop()]
            yield c
            stack.extend(reversed(c.children))

    def primary_categories(self, category_id: str) -> tuple[str, ...]:
        """Where a category sits in the primary scheme: itself, or what it (or its nearest ancestor) maps to."""
        for c in reversed(self.ancestors(category_id)):
            if c.scheme == self.primary.id:
                return (c.id,)
            if c.maps_to:
                return c.maps_to
        return ()


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    title: str
    description: str | None = None


_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def setting_url(value: object) -> str | None:
    """A URL-like setting (site_url, repository, edit_base) parsed as a URL and written again, never pasted: http(s),
    a host name, an optional port and a percent-encoded path; None when the value is not such an address.

    The schema already refuses anything else; this is what makes the value safe wherever it is written (every
    page's head, links, feeds, CITATION.cff) even for data that did not come through the schema.
    """
    from urllib.parse import quote, urlsplit, urlunsplit

    if not isinstance(value, str) or not value.isascii() or any(c.isspace() or ord(c) < 0x20 for c in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if (parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(host) or parts.username is not None
            or parts.password is not None or parts.query or parts.fragment or "?" in value or "#" in value):
        return None
    path = re.sub("%(?![0-9A-Fa-f]{2})", "%25", parts.path)
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, quote(path, safe=_PATH_SAFE), "", ""))


def https_url(value: object) -> str | None:
    """`setting_url` for the settings that must be https (`site_url`, `repository`): None for anything else."""
    url = setting_url(value)
    return url if url is not None and url.startswith("https://") else None


_BRANCH = re.compile(r"(?!.*\.\.)(?!.*//)[A-Za-z0-9_](?:[A-Za-z0-9._/-]*[A-Za-z0-9_-])?")


def branch_name(value: object) -> str | None:
    """A git branch name safe to put in a URL path (letters, digits, `._-/`, no `..`), else None."""
    return value if isinstance(value, str) and len(value) <= 100 and _BRANCH.fullmatch(value) else None


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    title: str
    description: str | None = None
    survey: str | None = None
    repository: str | None = None
    edit_base: str | None = None
    site_url: str | None = None
    license: str | None = None
    time_order_tolerance: int = 0
    branch: str = "main"
    version: str | None = None  # the catalog's release ("1.2"), cited by CITATION.cff
    released: str | None = None  # that release's day, YYYY-MM-DD

    @classmethod
    def from_dict(cls, d: dict) -> CatalogInfo:
        return cls(
            d["title"],
            description=d.get("description"),
            survey=d.get("survey"),
            repository=https_url(d.get("repository")),
            edit_base=setting_url(d.get("edit_base")),
            site_url=https_url(d.get("site_url")),
            license=d.get("license"),
            time_order_tolerance=d.get("time_order_tolerance", 0),
            branch=branch_name(d.get("branch")) or "main",
            version=d.get("version"),
            released=d.get("released"),
        )
