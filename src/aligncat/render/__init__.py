"""Render stage: the catalog as Markdown pages, JSON data and assets for a static site (no mkdocs import here).

Pages come from *page sources* (a function from the catalog to pages) and record pages are extended by *record
sections* (Markdown added to every record page). Both are listed here, in one place and in order: importing a
module registers nothing, so what the site holds never depends on which modules happened to be imported first.
Every page and fragment is a Jinja2 template (render/templates/, overridable by a catalog: see render/jinja.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..repository import BuildInfo

if TYPE_CHECKING:
    from ..load import Catalog
    from ..model import CatalogInfo, Record


@dataclass(frozen=True)
class Page:
    """One generated file of the site's docs folder: a Markdown page, a JSON data file or an asset."""

    path: str  # relative to the docs folder, POSIX, e.g. "records/ouyang2022-instructgpt.md"
    content: str | bytes
    title: str | None = None  # for the navigation, when the page belongs in it


@dataclass
class RenderContext:
    """What renderers share: site-wide settings and the extra scripts/styles pages need."""

    site_url: str | None = None
    edit_base: str | None = None
    # catalog.yaml's settings, completed from the CI's environment (repository.with_environment); None: the
    # catalog's own settings as they are
    info: CatalogInfo | None = None
    build: BuildInfo = field(default_factory=BuildInfo)  # the commit the site is built from, for the footer
    extra_javascript: list[str] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    # npm packages whose files the build copies into the site: {"cytoscape": ["dist/cytoscape.min.js"]}
    npm_assets: dict[str, list[str]] = field(default_factory=dict)


PageSource = Callable[["Catalog", RenderContext], Iterable[Page]]
RecordSection = Callable[["Catalog", "Record", RenderContext], str]


def page_source_table() -> list[tuple[PageSource, bool]]:
    """Every page source of the site, in the order their pages are generated (and listed in the navigation when
    two have the same rank), each with whether its pages show a record's summary, notes or provenance: a live
    preview renders a source that shows none of them again only when something else it reads changed
    (site/render_memo.py). A new source says True unless a test shows otherwise."""
    from . import citations, feeds, graph_views, pages

    return [
        (citations.citation_files, True),
        (citations.cite_page, True),
        (graph_views.graph_views, False),
        (graph_views.level_styles, False),
        (pages.home_page, False),
        (pages.taxonomy_pages, False),
        (pages.index_pages, False),
        (pages.benchmark_comparison, False),
        (pages.tag_pages, False),
        (pages.news_pages, False),
        (feeds.feed_pages, True),
        (pages.about_pages, False),
        (pages.record_pages, True),
    ]


def page_sources() -> list[PageSource]:
    """Every page source of the site, in the order their pages are generated (see page_source_table)."""
    return [source for source, _ in page_source_table()]


def record_sections() -> list[RecordSection]:
    """The sections every record page gets after its relations, in order: the neighbourhood drawing and lineage,
    the related works (found, not stated), then the (invisible) search filters Pagefind reads."""
    from . import graph_views, pages, related_section

    return [graph_views.neighbourhood_section, related_section.related_section, pages.search_filters]
