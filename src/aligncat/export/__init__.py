"""Export stage: the catalog, or any slice of it, in other formats. Each format is a pure function of records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..load import Catalog
from ..model import Record

Exporter = Callable[[Catalog, tuple[Record, ...]], str]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    description: str
    export: Exporter


FORMATS: dict[str, Format] = {}


def register(name: str, suffix: str, media_type: str, description: str) -> Callable[[Exporter], Exporter]:
    def deco(fn: Exporter) -> Exporter:
        FORMATS[name] = Format(name, suffix, media_type, description, fn)
        return fn

    return deco


@dataclass(frozen=True)
class Selection:
    """A slice of the catalog: every given filter must hold (categories include their sub-categories)."""

    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def apply(self, catalog: Catalog) -> tuple[Record, ...]:
        records: Iterable[Record] = catalog.records.values()
        if self.categories:
            wanted = {r.id for c in self.categories for r in catalog.in_category(c)}
            records = [r for r in records if r.id in wanted]
        if self.tags:
            records = [r for r in records if set(self.tags) & set(r.tags)]
        if self.kinds:
            records = [r for r in records if r.kind in self.kinds]
        if self.ids:
            records = [r for r in records if r.id in self.ids]
        if self.year_from is not None:
            records = [r for r in records if r.year >= self.year_from]
        if self.year_to is not None:
            records = [r for r in records if r.year <= self.year_to]
        return tuple(records)


def export(catalog: Catalog, fmt: str, selection: Selection | None = None) -> str:
    """Render the selected records (all by default) in a registered format."""
    _load_formats()
    records = (selection or Selection()).apply(catalog)
    return FORMATS[fmt].export(catalog, records)


def available_formats() -> dict[str, Format]:
    _load_formats()
    return dict(FORMATS)


def _load_formats() -> None:
    # Importing a format module registers it; kept lazy so that `import aligncat` stays cheap.
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


# The record page's Cite block (render stage) calls these; see export/reference.py.
def formatted(record: Record, catalog: Catalog | None = None, style: str = "apa") -> str:
    """A record's reference in a citation style ('apa', 'chicago-author-date', 'ieee'), as HTML-safe markup."""
    from .reference import formatted as _formatted

    return _formatted(record, catalog, style)


def entry(record: Record, fmt: str) -> str:
    """A record's entry as `aligncat export <fmt>` writes it: 'bibtex', 'csl-json' or 'ris'."""
    from .reference import entry as _entry

    return _entry(record, fmt)


def cite_block(record: Record, catalog: Catalog | None = None) -> dict[str, str]:
    """Every style's formatted reference and every format's entry for one record (keys: styles, then formats)."""
    from .reference import cite_block as _cite_block

    return _cite_block(record, catalog)
