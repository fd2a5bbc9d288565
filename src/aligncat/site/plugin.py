"""Site stage, the MkDocs plugin: the same site as `aligncat build`, for projects that run `mkdocs` itself, and
the one way aligncat's pages meet MkDocs (public events only; `aligncat build` adds RawHtmlPassThrough too).

    plugins:
      - search
      - aligncat:
          catalog: catalog        # relative to mkdocs.yml

The library renders everything (aligncat.render) and site.docs.site_plan decides the pages, files and navigation;
this plugin hands them to MkDocs (the hand-written pages of the docs folder under guide/, as a build puts them),
adds the site's scripts and styles, and sets the navigation when the config has none. tests/test_site.py checks
the two paths give the same pages and navigation. Zensical ignores plugins it does not know: use `aligncat build
--engine zensical` there.

Generated pages are mostly HTML blocks (tables, relation lists, SVG), which Python-Markdown would parse tag by tag
(twice: MkDocs looks for anchor ids, then md_in_html splits the blocks) only to write them out unchanged. For the
pages aligncat generated, `RawHtmlPassThrough` hands each such block to Markdown's own store of raw HTML before
any parser sees it: the HTML comes out byte for byte as before, at a fraction of the cost. The pages stay plain
Markdown (Zensical and a build without this plugin read them as they are).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
from markdown.preprocessors import Preprocessor
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

from ..diagnostics import format_diagnostics
from ..load import load_catalog
from .config import EXTENSION_OPTIONS, _source_extra
from .docs import SiteError, find_project_root, site_plan


# A block that starts, at the start of a line, with a block-level tag: the tag's name.
_BLOCK_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>]")
_BLOCK_LEVEL = frozenset(markdown.Markdown().block_level_elements)
_ANCHOR_ID = re.compile(r'<[^>]*?\s(?:id|name)="([^"]*)"')


def raw_html_block(chunk: str) -> bool:
    """Whether a blank-line-separated chunk of a generated page is one raw HTML block Markdown keeps as is.

    Only what aligncat writes qualifies: a block-level element at the first column whose start and end tags
    balance within the chunk and that does not ask for Markdown inside (markdown="1"); anything else is left to
    Python-Markdown. tests/test_site_fast.py checks the output is the same as Markdown's on every page."""
    m = _BLOCK_START.match(chunk)
    if m is None or not chunk.rstrip().endswith(">"):
        return False
    name = m.group(1).lower()
    if name not in _BLOCK_LEVEL or name in ("script", "style", "textarea"):
        return False
    if "markdown=" in chunk[: chunk.find(">") + 1]:
        return False
    opened = len(re.findall(rf"<{name}[\s>]", chunk, flags=re.IGNORECASE))
    closed = len(re.findall(rf"</{name}\s*>", chunk, flags=re.IGNORECASE))
    return opened == closed


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# What Material's search plugin removes from every page after indexing it (its on_page_context).
_SEARCH_ATTRS = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


def search_excluded(chunk: str) -> list[str]:
    """The top-level elements of a raw HTML block that carry data-search-exclude, as exact substrings."""
    out: list[str] = []
    depth, start = 0, -1
    for m in _TAG.finditer(chunk):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            depth -= 1
            if depth == 0 and start >= 0:
                out.append(chunk[start : m.end()])
                start = -1
        elif not self_closing and name not in _VOID:
            if depth == 0 and "data-search-exclude" in m.group(0):
                start = m.start()
            depth += 1
    return out


class _StashRawHtml(Preprocessor):
    """Puts each raw HTML block of a generated page into Markdown's HTML store (as html_block would)."""

    def __init__(self, md: markdown.Markdown, owner: RawHtmlPassThrough) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, lines: list[str]) -> list[str]:
        if not self.owner.active:
            return lines
        chunks = "\n".join(lines).split("\n\n")
        ids: set[str] = set()
        for i, chunk in enumerate(chunks):
            if raw_html_block(chunk):
                # MkDocs collects the ids of raw HTML (links to #anchors are checked): kept from here.
                if " id=" in chunk or " name=" in chunk:
                    ids.update(html.unescape(v) for v in _ANCHOR_ID.findall(chunk))
                if self.owner.trim_search and "data-search-exclude" in chunk:
                    self.owner.excluded += search_excluded(chunk)
                chunks[i] = self.md.htmlStash.store(chunk)
        self.owner.anchor_ids = ids
        return "\n\n".join(chunks).split("\n")


class _StashExtension(markdown.Extension):
    def __init__(self, owner: RawHtmlPassThrough) -> None:
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's name)
        # After whitespace normalisation (30), before MkDocs' anchor scan (21) and html_block (20).
        md.preprocessors.register(_StashRawHtml(md, self.owner), "aligncat_raw_html", 25)


class RawHtmlPassThrough(BasePlugin):
    """Lets the raw HTML blocks of aligncat's generated pages (by docs path) through Markdown untouched."""

    def __init__(self, generated: set[str] | None = None) -> None:
        self.generated = generated  # None: every page this plugin is given (see AligncatPlugin)
        self.active = False
        self.anchor_ids: set[str] = set()
        self.excluded: list[str] = []
        self.trim_search = False  # whether Material's search plugin is on (it indexes every page's HTML)
        self.for_search: dict[str, list[str]] = {}  # page -> its HTML elements marked data-search-exclude
        self.full_content: dict[str, str] = {}

    def on_config(self, config):
        config.markdown_extensions.append(_StashExtension(self))
        self.trim_search = any(name in ("search", "material/search") for name in config.plugins)
        return config

    @event_priority(-100)  # last: other plugins' Markdown changes come first
    def on_page_markdown(self, markdown_text, page, config, files):
        self.active = self.generated is None or page.file.src_uri in self.generated
        self.anchor_ids = set()
        self.excluded = []
        return markdown_text

    @event_priority(100)
    def on_page_content(self, content, page, config, files):
        if self.active:
            if self.anchor_ids:
                page.present_anchor_ids = (page.present_anchor_ids or set()) | self.anchor_ids
            # MkDocs keeps every page until all are written; a generated page's Markdown is not needed once it
            # is HTML (the file on disk is the source), and at 10,000 records it is ~200 MB.
            page.markdown = ""
            if self.excluded:
                self.for_search[page.file.src_uri] = self.excluded
        self.active = False
        self.excluded = []
        return content

    # Material's search plugin parses each page's HTML tag by tag, including the parts marked
    # data-search-exclude that it then drops (tables, filter forms, BibTeX: a third of the tags of a generated
    # site). It is shown the page without them, and the page gets its full HTML back right after, with the
    # attributes the search plugin strips removed the same way. tests/test_site_fast.py checks the index is
    # unchanged.
    @event_priority(50)  # before the search plugin (0)
    def _on_page_context_trim(self, context, page, config, nav):
        excluded = self.for_search.pop(page.file.src_uri, None)
        if excluded and page.content:
            full = page.content
            trimmed = full
            for element in excluded:
                trimmed = trimmed.replace(element, "", 1)
            self.full_content[page.file.src_uri] = full
            page.content = trimmed
        return context

    @event_priority(-50)  # after it
    def _on_page_context_restore(self, context, page, config, nav):
        full = self.full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = _SEARCH_ATTRS.sub("", full) if self.trim_search else full
        return context

    on_page_context = CombinedEvent(_on_page_context_trim, _on_page_context_restore)


class AligncatConfig(Config):
    catalog = config_options.Type(str, default="catalog")


class AligncatPlugin(BasePlugin[AligncatConfig]):
    """The same site as `aligncat build` (site.docs.site_plan: pages, guide pages, assets, navigation) through
    MkDocs' public events: on_config (scripts, styles, navigation), on_files (the plan's files replace the docs
    folder's own: hand-written pages go under guide/ as in a build), the Markdown fast path (RawHtmlPassThrough)
    and, with Pagefind, on_post_build (the search index)."""

    def __init__(self) -> None:
        self.plan = None
        self.passthrough = RawHtmlPassThrough(set())

    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        catalog = load_catalog(root / self.config.catalog)
        # `mkdocs serve` rebuilds when a record (or a template override) changes, as `aligncat serve` does.
        if str(catalog.root) not in config.watch:
            config.watch.append(str(catalog.root))
        if catalog.errors:
            raise PluginError(f"the catalog has errors:\n{format_diagnostics(catalog.errors)}")
        try:
            self.plan = site_plan(catalog, find_project_root(root), {"extra": dict(config.extra or {})})
        except SiteError as exc:
            raise PluginError(str(exc)) from exc
        for rel in self.plan.extra_javascript:
            if rel not in config.extra_javascript:
                config.extra_javascript.append(rel)
        for rel in self.plan.extra_css:
            if rel not in config.extra_css:
                config.extra_css.append(rel)
        if not config.nav:
            config.nav = self.plan.nav
        for name in config.markdown_extensions:  # tables: align="...", not an inline style (the CSP)
            short = name.removeprefix("markdown.extensions.") if isinstance(name, str) else None
            options = EXTENSION_OPTIONS.get(short)
            if options:
                config.mdx_configs[name] = {**(config.mdx_configs.get(name) or {}), **options}
        source = _source_extra(self.plan.context)  # the footer's repository and commit, as in a build
        if source:
            config.extra["aligncat_source"] = source
        if self.plan.context.site_url and not config.site_url:
            config.site_url = self.plan.context.site_url
        # The policy docs/overrides/main.html prints: `mkdocs serve` has set site_url to its own address by now.
        config.extra.update(self.plan.theme_extra(config))
        self.passthrough.generated = self.plan.generated
        return self.passthrough.on_config(config)

    @event_priority(-100)
    def on_page_markdown(self, markdown_text, page, config, files):
        return self.passthrough.on_page_markdown(markdown_text, page, config, files)

    @event_priority(100)
    def on_page_content(self, content, page, config, files):
        return self.passthrough.on_page_content(content, page, config, files)

    @event_priority(50)
    def _on_page_context_trim(self, context, page, config, nav):
        return self.passthrough._on_page_context_trim(context, page, config, nav)

    @event_priority(-50)
    def _on_page_context_restore(self, context, page, config, nav):
        return self.passthrough._on_page_context_restore(context, page, config, nav)

    on_page_context = CombinedEvent(_on_page_context_trim, _on_page_context_restore)

    def on_files(self, files: Files, config) -> Files:
        docs_dir = Path(config.docs_dir).resolve()
        out = Files([f for f in files if not _inside(f.abs_src_path, docs_dir)])
        for rel, content in self.plan.files.items():
            if isinstance(content, Path):
                out.append(File.generated(config, rel, abs_src_path=str(content)))
            else:
                out.append(File.generated(config, rel, content=content))
        return out

    def on_post_build(self, config) -> None:
        if self.plan is not None and self.plan.backend == "pagefind":
            from .search import SearchError, index_site

            try:
                index_site(config.site_dir)
            except SearchError as exc:
                raise PluginError(str(exc)) from exc


def _inside(path: str | None, folder: Path) -> bool:
    if not path:
        return False
    try:
        Path(path).resolve().relative_to(folder)
    except ValueError:
        return False
    return True
