"""Site stage, the docs folder: the site's pages, files and navigation (its plan), and the generated docs folder
with its mkdocs.yml.

The library renders every page itself (aligncat.render); this module decides what the site holds (the generated
pages, the hand-written docs/ pages under guide/, the package's own assets and the npm assets) and its
navigation, for both ways of building it: `render_site` writes them into one folder with a generated mkdocs.yml
(`aligncat build`, `aligncat serve`), and the MkDocs plugin (site/plugin.py) hands the same plan to `mkdocs`.
Nothing here is needed to load, validate or export a catalog, and nothing here imports MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import render as render_stage
from ..atomic import write_atomic
from ..load import Catalog
from ..render import Page, PageSource, RenderContext
from .config import SiteError, load_base_config, site_config
from .render_memo import RenderMemo

BUILD_DIR = ".aligncat-build"
ASSETS_DIR = Path(__file__).parents[1] / "render" / "assets"
ENGINES = ("mkdocs", "zensical")

# The site's own scripts and styles, copied from the package into every build.
OWN_ASSETS = {"aligncat.js": "assets/aligncat/aligncat.js", "aligncat.css": "assets/aligncat/aligncat.css"}
# What puts a reader's exact match (a record's short name, alias, id or author) first in search results: one
# matching script for both backends; with MkDocs' lunr search, a script loaded before the theme's bundle (by
# docs/overrides/main.html) that points the theme's search at aligncat's worker, kept beside the theme's own
# worker, which it runs; with Pagefind, a wrapper of Pagefind's API that the search page's UI loads. Each file's
# comment says how. By source file in render/assets: (path in the site, what the CSP allows it as).
SEARCH_MATCH = {"search-match.js": ("assets/aligncat/search-match.js", "script")}
SEARCH_RANK_ASSETS = {
    "lunr": {
        **SEARCH_MATCH,
        "search-rank.js": ("assets/aligncat/search-rank.js", "script"),
        "search-worker.js": ("assets/javascripts/workers/aligncat-search.js", "worker"),
    },
    "pagefind": {**SEARCH_MATCH, "pagefind-rank.js": ("assets/aligncat/pagefind/pagefind.js", "script")},
}

@dataclass
class RenderResult:
    docs_dir: Path
    config_file: Path
    pages: list[Page] = field(default_factory=list)
    written: int = 0  # files whose content changed (what `serve` has to rebuild)
    removed: int = 0  # files no longer generated (deleted from the docs folder)
    config_changed: bool = True  # the generated mkdocs.yml differs from the previous build's
    search_backend: str = (
        "lunr"  # lunr (the search plugin) or pagefind (indexed after the build): see search.py
    )
    reused: int = 0  # pages MkDocs did not build again: unchanged since the previous build (mkdocs_cache.py)
    # formatted references (reused from the build folder's cache, formatted afresh): export/reference_cache.py
    references: tuple[int, int] = (0, 0)

    @property
    def generated(self) -> frozenset[str]:
        """The Markdown pages aligncat generated (their raw HTML goes through MkDocs' Markdown unparsed)."""
        return frozenset(p.path for p in self.pages if p.path.endswith(".md"))


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding mkdocs.yml (the project), searched upward from `start` (default: here)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return here


def generate_pages(
    catalog: Catalog,
    context: RenderContext | None = None,
    *,
    engine: str = "mkdocs",
    sources: list[PageSource] | None = None,
    memo: RenderMemo | None = None,
) -> tuple[list[Page], RenderContext]:
    """Every page, data file and asset the page sources (render.page_sources(), or `sources`) contribute, checked
    for clashing paths; a catalog's template override that cannot be rendered is a SiteError naming its file.

    Links inside generated HTML are written the way the engine reads them (see render.text.LINK_STYLE). With a
    `memo` (what `aligncat serve` keeps between renders: site/render_memo.py), record pages whose inputs did not
    change since the memo's last render are taken from it instead of being rendered again."""
    from ..render.jinja import TemplateError
    from ..render.text import LINK_STYLE
    from ..repository import build_info, with_environment

    if context is None:
        info = with_environment(catalog.info)
        context = RenderContext(
            site_url=info.site_url, edit_base=info.edit_base, info=info, build=build_info(Path(catalog.root))
        )
    ctx = context
    pages: list[Page] = []
    seen: dict[str, str] = {}
    token = LINK_STYLE.set("source" if engine == "zensical" else "url")
    sources = render_stage.page_sources() if sources is None else sources
    if memo is not None:
        sources = memo.page_sources(sources)
    try:
        for source in sources:
            for page in source(catalog, ctx):
                owner = f"{source.__module__}.{source.__name__}"
                if page.path in seen:
                    raise SiteError(f"two page sources write '{page.path}': {seen[page.path]} and {owner}")
                seen[page.path] = owner
                pages.append(page)
    except TemplateError as exc:
        raise SiteError(str(exc)) from exc
    finally:
        LINK_STYLE.reset(token)
    return pages, ctx


def _write_if_changed(path: Path, content: str | bytes, *, durable: bool = True) -> bool:
    """Write `content` unless the file already holds it (its time stamp then stays, which the engines' change
    detection relies on). The generated docs are written without fsync (`durable=False`): they are rebuilt from
    the catalog on every build, and syncing thousands of files costs more than rendering them."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data, durable=durable)
    return True


GUIDE_DIR = "guide"  # hand-written pages live under /guide/, so they never take a generated page's address


def _hand_written_docs(project_root: Path) -> dict[str, Path]:
    """The project's own docs/ files by site path, under guide/ (theme overrides are not pages)."""
    docs = project_root / "docs"
    out: dict[str, Path] = {}
    if not docs.is_dir():
        return out
    for path in sorted(docs.rglob("*")):
        rel = path.relative_to(docs).as_posix()
        if (
            path.is_file()
            and not rel.startswith("overrides/")
            and not any(p.startswith(".") for p in path.parts)
        ):
            out[f"{GUIDE_DIR}/{rel}"] = path
    return out


def _address(path: str) -> str:
    """The site address a docs file ends up at: x.md and x/index.md are both x/."""
    from ..render.text import page_url

    return page_url(path)


def _page_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").capitalize()


# Where the generated pages that ask for a navigation entry go; titles not listed come before "Tags". The
# reader's pages about the catalog itself are one group; the engine's documents (docs/) another, last.
NAV_ORDER = [
    "Home",
    "Taxonomy",
    "Browse",
    "Benchmarks",
    "Graph",
    "Timeline",
    None,
    "Tags",
    "What's new",
]
ABOUT_GROUP = ("About", "Contribute", "Cite")  # the reader's "About" menu, in this order
ENGINE_DOCS = "Engine docs"  # the hand-written docs/ pages: how aligncat works, for contributors and developers


def _nav_rank(title: str) -> int:
    return NAV_ORDER.index(title) if title in NAV_ORDER else NAV_ORDER.index(None)


def _nav(pages: list[Page], docs: dict[str, Path]) -> list:
    """The navigation: the reader's pages (generated pages that asked for a place, with About, Contribute and
    Cite in one "About" menu), then the engine's documents under their own heading. No records."""
    titled = sorted(
        (p for p in pages if p.title and p.title not in ABOUT_GROUP), key=lambda p: _nav_rank(p.title or "")
    )
    nav: list = [{p.title: p.path} for p in titled]
    about = {p.title: p.path for p in pages if p.title in ABOUT_GROUP}
    if about:
        nav.append({"About": [{t: about[t]} for t in ABOUT_GROUP if t in about]})
    guide = [{_page_title(src): rel} for rel, src in docs.items() if rel.endswith(".md")]
    if guide:
        nav.append({ENGINE_DOCS: guide})
    return nav


def _served_at(catalog: Catalog, site_url: str) -> Catalog:
    """The catalog with `site_url` as its address (parsed and written again as every URL setting is)."""
    from dataclasses import replace

    from ..model import setting_url

    url = setting_url(site_url)
    if url is None:
        raise SiteError(f"{site_url!r} is not an http(s) address to serve the site at")
    url = url if url.endswith("/") else url + "/"
    return replace(catalog, info=replace(catalog.info, site_url=url))


def copy_npm_assets(ctx: RenderContext, project_root: Path) -> dict[str, Path]:
    """The npm files pages asked for, by site path (assets/vendor/<package>/<file>); an error if missing."""
    out: dict[str, Path] = {}
    for package, files in ctx.npm_assets.items():
        for rel in files:
            src = project_root / "node_modules" / package / rel
            if not src.is_file():
                raise SiteError(
                    f"{src}: missing npm file needed by the site; run `npm ci` in {project_root} "
                    f"(package.json must list '{package}')"
                )
            out[f"assets/vendor/{package}/{rel}"] = src
    return out


@dataclass
class SitePlan:
    """What a site holds, whichever way it is built (`render_site` for `aligncat build`/`serve`, the MkDocs plugin
    for `mkdocs build`/`serve`): the same pages, files, navigation, scripts and styles."""

    pages: list[Page]  # generated by aligncat (its page sources, plus the search page with Pagefind)
    files: dict[str, str | bytes | Path]  # every file of the docs folder by its path there (a Path: copy it)
    nav: list
    extra_javascript: list[str]
    extra_css: list[str]
    backend: str  # lunr or pagefind
    context: RenderContext
    engine: str = "mkdocs"
    inline_scripts: tuple[str, ...] = ()  # CSP hashes of aligncat's own inline scripts (the search page's)

    @property
    def generated(self) -> frozenset[str]:
        return frozenset(p.path for p in self.pages if p.path.endswith(".md"))

    @property
    def search_rank_assets(self) -> dict[str, tuple[str, str]]:
        """The search-ranking files this site holds (see SEARCH_RANK_ASSETS): lunr's only with MkDocs' Material,
        whose worker they wrap (Zensical brings its own search)."""
        if self.backend == "lunr" and self.engine != "mkdocs":
            return {}
        return SEARCH_RANK_ASSETS.get(self.backend, {})

    def theme_extra(self, config: dict | Any, nonce: str | None = None) -> dict[str, str]:
        """What docs/overrides/main.html reads from the config's `extra`: the Content Security Policy and, with
        lunr, the search-ranking script it loads before the theme's bundle (set by `render_site` and by the MkDocs
        plugin alike)."""
        out = {"aligncat_csp": self.csp(config, nonce)}
        rank = self.search_rank_assets.get("search-rank.js")
        if rank:
            out["aligncat_search_rank"] = rank[0]
        return out

    def csp(self, config: dict | Any, nonce: str | None = None) -> str:
        """The Content Security Policy of the site's pages under a site config (its site_url, extra_javascript
        and extra_css; a dict or MkDocs' config), see site/csp.py."""
        from .csp import policy

        # npm files are loaded by the pages' own scripts (the graph's Cytoscape), not listed in extra_javascript.
        vendor = [rel for rel in self.files if rel.startswith("assets/vendor/")]
        ranking = self.search_rank_assets.values()
        return policy(
            config.get("site_url"),
            backend=self.backend,
            engine=self.engine,
            extra_javascript=[
                *(rel for rel, kind in ranking if kind == "script"),
                *(config.get("extra_javascript") or ()),
                *(v for v in vendor if v.endswith(".js")),
            ],
            extra_workers=[rel for rel, kind in ranking if kind == "worker"],
            extra_css=[*(config.get("extra_css") or ()), *(v for v in vendor if v.endswith(".css"))],
            inline_scripts=self.inline_scripts,
            nonce=nonce,
        )


def site_plan(
    catalog: Catalog, project_root: Path, base_config: dict, *, engine: str = "mkdocs", memo: RenderMemo | None = None
) -> SitePlan:
    """The site's plan: every generated page and data file, the hand-written docs/ pages (under guide/), the
    package's and the npm assets, and the navigation; an error when two of them would have one address."""
    from .search import SearchError, backend_setting, choose_backend, search_page

    try:
        backend = choose_backend(catalog, backend_setting(base_config))
    except SearchError as exc:
        raise SiteError(str(exc)) from exc
    from .csp import script_hashes

    pages, ctx = generate_pages(catalog, engine=engine, memo=memo)
    inline_scripts: tuple[str, ...] = ()
    if backend == "pagefind":
        search = search_page(catalog.root)
        pages.append(search)
        inline_scripts = script_hashes(search.content)
    hand_written = _hand_written_docs(project_root)
    generated = {_address(p.path): p.path for p in pages}
    clashes = sorted((rel, generated[_address(rel)]) for rel in hand_written if _address(rel) in generated)
    if clashes:
        rel, page = clashes[0]
        raise SiteError(
            f"docs/{rel.removeprefix(GUIDE_DIR + '/')}: this hand-written page would have the address "
            f"/{_address(rel)} of the generated page {page}; rename it"
        )
    seen: dict[str, str] = {}
    for p in pages:  # two generated pages for one address (graph.md and graph/index.md) would hide one
        address = _address(p.path)
        if p.path.endswith(".md") and address in seen:
            raise SiteError(f"generated pages {seen[address]} and {p.path} both have the address /{address}")
        seen[address] = p.path
    files: dict[str, str | bytes | Path] = {p.path: p.content for p in pages}
    files.update(hand_written)
    for name, rel in OWN_ASSETS.items():
        files[rel] = ASSETS_DIR / name
    files.update(copy_npm_assets(ctx, project_root))
    plan = SitePlan(
        pages,
        files,
        _nav(pages, hand_written),
        [OWN_ASSETS["aligncat.js"], *ctx.extra_javascript],
        [OWN_ASSETS["aligncat.css"], *ctx.extra_css],
        backend,
        ctx,
        engine,
        inline_scripts,
    )
    for name, (rel, _) in plan.search_rank_assets.items():
        files[rel] = ASSETS_DIR / name
    return plan


def render_site(
    catalog: Catalog,
    out_dir: str | Path,
    *,
    project_root: str | Path | None = None,
    site_dir: str | Path | None = None,
    engine: str = "mkdocs",
    livereload_nonce: str | None = None,
    site_url: str | None = None,
    memo: RenderMemo | None = None,
) -> RenderResult:
    """Write the site's plan (every generated page, the hand-written docs, the assets) and a generated mkdocs.yml
    to `out_dir`.

    `site_url` is the address the site will be served at when catalog.yaml's is not the one (`aligncat serve`
    gives its own, http://127.0.0.1:<port>/; so do the browser tests): links, feeds and the Content Security
    Policy's script and style sources then name it.

    Files whose content did not change are left alone and files no longer generated are removed, so a live
    preview only rebuilds what a record change touched; its `memo` (site/render_memo.py) spares rendering again
    the record pages a change cannot have touched.
    """
    from .search import configure

    root = Path(project_root).resolve() if project_root else find_project_root()
    out = Path(out_dir).resolve()
    docs_dir = out / "docs"
    base_config = load_base_config(root)
    if site_url is not None:
        catalog = _served_at(catalog, site_url)
    from ..export.reference_cache import reference_cache

    # Record pages' formatted references come from the build folder's cache when their record did not change.
    with reference_cache(out) as refs:
        plan = site_plan(catalog, root, base_config, engine=engine, memo=memo)
    pages, backend = plan.pages, plan.backend
    files = {rel: (src.read_bytes() if isinstance(src, Path) else src) for rel, src in plan.files.items()}
    written = sum(_write_if_changed(docs_dir / rel, content, durable=False) for rel, content in files.items())
    removed = 0
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        rel = path.relative_to(docs_dir).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    target = Path(site_dir).resolve() if site_dir else (root / "site").resolve()
    cfg = configure(site_config(catalog, base_config, plan, docs_dir, target, root), backend)
    if engine == "zensical" and isinstance(cfg.get("validation"), dict):
        # Zensical reads the generated pages' links as Markdown links and would take a script's fragment (the
        # graph's `graph/#<id>`) for a missing heading; MkDocs still checks the hand-written pages' anchors.
        cfg["validation"] = {**cfg["validation"], "anchors": "ignore"}
    # Printed by the theme override (docs/overrides/main.html) into every page; `aligncat serve` alone gives a
    # nonce, which lets MkDocs' reload script run.
    cfg["extra"] = {**(cfg.get("extra") or {}), **plan.theme_extra(cfg, livereload_nonce)}
    config_file = out / "mkdocs.yml"
    config_changed = _write_if_changed(config_file, yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    return RenderResult(
        docs_dir,
        config_file,
        pages,
        written + removed,
        removed=removed,
        config_changed=config_changed,
        search_backend=backend,
        references=(0, 0) if refs is None else (refs.hits, refs.misses),
    )
