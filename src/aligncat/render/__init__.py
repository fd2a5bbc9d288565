"""Render stage: the catalog as Markdown pages, JSON data and assets for a static site (no mkdocs import here).

Pages come from *page sources* and record pages are extended by *record sections*, both registered by the modules
of this package (importing a module registers what it contributes), so a feature such as the graph view adds its
pages without the core renderer knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..load import Catalog
from ..model import Record


@dataclass(frozen=True)
class Page:
    """One generated file of the site's docs folder: a Markdown page, a JSON data file or an asset."""

    path: str            # relative to the docs folder, POSIX, e.g. "records/ouyang2022-instructgpt.md"
    content: str | bytes
    title: str | None = None  # for the navigation, when the page belongs in it


@dataclass
class RenderContext:
    """What renderers share: site-wide settings and the extra scripts/styles pages need."""

    site_url: str | None = None
    edit_base: str | None = None
    extra_javascript: list[str] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    # npm packages whose files the build copies into the site: {"cytoscape": ["dist/cytoscape.min.js"]}
    npm_assets: dict[str, list[str]] = field(default_factory=dict)


PageSource = Callable[[Catalog, RenderContext], Iterable[Page]]
RecordSection = Callable[[Catalog, Record, RenderContext], str]

PAGE_SOURCES: list[PageSource] = []
RECORD_SECTIONS: list[tuple[int, RecordSection]] = []


def page_source(fn: PageSource) -> PageSource:
    """Register a function that contributes pages to the site."""
    PAGE_SOURCES.append(fn)
    return fn


def record_section(order: int) -> Callable[[RecordSection], RecordSection]:
    """Register a function that adds a section (Markdown) to every record page; lower order comes first."""

    def deco(fn: RecordSection) -> RecordSection:
        RECORD_SECTIONS.append((order, fn))
        RECORD_SECTIONS.sort(key=lambda x: x[0])
        return fn

    return deco


def load_contributions() -> None:
    """Import every module of this package so that it registers its pages and sections."""
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
