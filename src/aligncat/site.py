"""Site stage: render the catalog into a generated docs folder and config, then build it (MkDocs/Zensical).

The library renders every page itself (aligncat.render); this module only writes those pages, copies the
hand-written docs/ pages, the package's own assets and the npm assets into one folder, writes a generated
mkdocs.yml next to it, and runs a strict build. Nothing here is needed to load, validate or export a catalog.

Over 500 lines because writing the docs folder, the generated mkdocs.yml, its navigation and the engine run are
still in one module; issue 13 splits them into a site/ package (build, engines, plugin, search, serve).
"""

from __future__ import annotations

import copy
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import render as render_stage
from .atomic import write_atomic
from .load import Catalog
from .render import Page, PageSource, RenderContext

BUILD_DIR = ".aligncat-build"
ASSETS_DIR = Path(__file__).parent / "render" / "assets"
ENGINES = ("mkdocs", "zensical")

# The site's own scripts and styles, copied from the package into every build.
OWN_ASSETS = {"aligncat.js": "assets/aligncat/aligncat.js", "aligncat.css": "assets/aligncat/aligncat.css"}

# Used when the project has no mkdocs.yml of its own: the settings the generated pages rely on.
DEFAULT_CONFIG: dict = {
    "theme": {
        "name": "material",
        "font": False,
        "features": ["search.highlight", "content.code.copy"],
        "palette": [
            {
                "media": "(prefers-color-scheme: light)",
                "scheme": "default",
                "toggle": {"icon": "material/brightness-7", "name": "Switch to dark mode"},
            },
            {
                "media": "(prefers-color-scheme: dark)",
                "scheme": "slate",
                "toggle": {"icon": "material/brightness-4", "name": "Switch to light mode"},
            },
        ],
    },
    "plugins": ["search"],
    "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", {"toc": {"permalink": True}}],
}


class SiteError(Exception):
    """A problem that stops a build, worded for the person running it (what, where, how to fix)."""


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
) -> tuple[list[Page], RenderContext]:
    """Every page, data file and asset the page sources (render.page_sources(), or `sources`) contribute, checked
    for clashing paths; a catalog's template override that cannot be rendered is a SiteError naming its file.

    Links inside generated HTML are written the way the engine reads them (see render.text.LINK_STYLE)."""
    from .render.jinja import TemplateError
    from .render.text import LINK_STYLE
    from .repository import build_info, with_environment

    if context is None:
        info = with_environment(catalog.info)
        context = RenderContext(
            site_url=info.site_url, edit_base=info.edit_base, info=info, build=build_info(Path(catalog.root))
        )
    ctx = context
    pages: list[Page] = []
    seen: dict[str, str] = {}
    token = LINK_STYLE.set("source" if engine == "zensical" else "url")
    try:
        for source in render_stage.page_sources() if sources is None else sources:
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
    if durable:
        write_atomic(path, data)
    else:
        _write_replace(path, data)
    return True


def _write_replace(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
    from .render.text import page_url

    return page_url(path)


def _page_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").capitalize()


# Where the generated pages that ask for a navigation entry go; titles not listed come before "Tags".
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
    "Cite",
]


def _nav_rank(title: str) -> int:
    return NAV_ORDER.index(title) if title in NAV_ORDER else NAV_ORDER.index(None)


def _nav(pages: list[Page], docs: dict[str, Path]) -> list:
    """The navigation: generated pages that asked for a place, then the guide pages. No records."""
    titled = sorted((p for p in pages if p.title), key=lambda p: _nav_rank(p.title or ""))
    nav: list = [{p.title: p.path} for p in titled]
    guide = [{_page_title(src): rel} for rel, src in docs.items() if rel.endswith(".md")]
    if guide:
        nav.append({"Guide": guide})
    return nav


def load_base_config(project_root: Path) -> dict:
    """The project's mkdocs.yml (or the built-in defaults), read as plain YAML: no Python tags are allowed."""
    path = project_root / "mkdocs.yml"
    if not path.is_file():
        return copy.deepcopy(DEFAULT_CONFIG)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SiteError(
            f"{where}: cannot read the site config: {getattr(exc, 'problem', exc)}; "
            "fix the YAML (Python tags such as !!python/name are not supported)"
        ) from exc
    if not isinstance(data, dict):
        raise SiteError(f"{path}: the site config must be a mapping of settings")
    return data


def site_config(
    catalog: Catalog,
    base: dict,
    ctx: RenderContext,
    pages: list[Page],
    docs: dict[str, Path],
    docs_dir: Path,
    site_dir: Path,
    project_root: Path,
) -> dict:
    """The generated config: the project's settings plus the catalog's name, pages, nav, scripts, styles."""
    cfg = copy.deepcopy(base)
    cfg["site_name"] = cfg.get("site_name") or catalog.info.title
    if catalog.info.license and not cfg.get("copyright"):
        cfg["copyright"] = f"Catalog data: {catalog.info.license}"
    if catalog.info.description and not cfg.get("site_description"):
        cfg["site_description"] = " ".join(catalog.info.description.split())
    # catalog.yaml's site_url (already parsed and written again as a URL) is the one the site is published at:
    # canonical links, the sitemap and the feeds all use it. mkdocs.yml may not set another.
    site_url = ctx.site_url or catalog.info.site_url
    if site_url:
        cfg["site_url"] = site_url
    else:
        cfg.pop("site_url", None)
    # Relative to the generated config where possible: Zensical wants both folders inside the config's folder.
    cfg["docs_dir"] = _config_path(docs_dir, docs_dir.parent)
    cfg["site_dir"] = _config_path(site_dir, docs_dir.parent)
    cfg["use_directory_urls"] = True
    cfg["strict"] = True
    cfg["nav"] = _nav(pages, docs)
    theme = cfg.setdefault("theme", {"name": "material"})
    theme["font"] = False  # never fetch fonts from a third-party host
    overrides = project_root / "docs" / "overrides"
    if overrides.is_dir():
        theme["custom_dir"] = str(overrides)
        # Zensical's differential build does not watch the theme's templates: a digest of them in the config
        # makes an edited template change the config, and that makes the next build a clean one.
        cfg["extra"] = {**(cfg.get("extra") or {}), "aligncat_theme": _digest(overrides)}
    scripts = [*cfg.get("extra_javascript", []), OWN_ASSETS["aligncat.js"], *ctx.extra_javascript]
    styles = [*cfg.get("extra_css", []), OWN_ASSETS["aligncat.css"], *ctx.extra_css]
    cfg["extra_javascript"] = list(dict.fromkeys(scripts))
    cfg["extra_css"] = list(dict.fromkeys(styles))
    source = _source_extra(ctx)
    if source:
        cfg["extra"] = {**(cfg.get("extra") or {}), "aligncat_source": source}
    # Keep the engines from looking anything up online or in the project's git history.
    cfg.pop("repo_url", None)
    return cfg


def _source_extra(ctx: RenderContext) -> dict:
    """What the footer says about the site's source (docs/overrides/partials/copyright.html): the repository and
    the commit the site was built from, with links where the repository is on GitHub."""
    from urllib.parse import urlsplit

    from .repository import commit_url

    out: dict = {}
    info = ctx.info
    if info is not None and info.repository:
        out["repository"] = info.repository
        parts = urlsplit(info.repository)
        out["repository_name"] = (parts.hostname or "") + parts.path.rstrip("/")
    if ctx.build.commit:
        out["commit"] = ctx.build.commit
        out["dirty"] = ctx.build.dirty
        link = commit_url(info, ctx.build.commit) if info is not None and not ctx.build.dirty else None
        if link:
            out["commit_url"] = link
    return out


def _digest(folder: Path) -> str:
    import hashlib

    h = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _config_path(path: Path, config_dir: Path) -> str:
    """A folder as the generated config names it: relative to the config's folder if inside, else absolute."""
    try:
        return path.relative_to(config_dir).as_posix()
    except ValueError:
        return str(path)


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


def render_site(
    catalog: Catalog,
    out_dir: str | Path,
    *,
    project_root: str | Path | None = None,
    site_dir: str | Path | None = None,
    engine: str = "mkdocs",
) -> RenderResult:
    """Write every generated page, the hand-written docs, the assets and a generated mkdocs.yml to `out_dir`.

    Files whose content did not change are left alone and files no longer generated are removed, so a live
    preview only rebuilds what a record change touched.
    """
    from .search import SearchError, backend_setting, choose_backend, configure, search_page

    root = Path(project_root).resolve() if project_root else find_project_root()
    out = Path(out_dir).resolve()
    docs_dir = out / "docs"
    base_config = load_base_config(root)
    try:
        backend = choose_backend(catalog, backend_setting(base_config))
    except SearchError as exc:
        raise SiteError(str(exc)) from exc
    pages, ctx = generate_pages(catalog, engine=engine)
    if backend == "pagefind":
        pages.append(search_page(catalog.root))
    hand_written = _hand_written_docs(root)
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
    files: dict[str, str | bytes] = {p.path: p.content for p in pages}
    for rel, src in hand_written.items():
        files[rel] = src.read_bytes()
    for name, rel in OWN_ASSETS.items():
        files[rel] = (ASSETS_DIR / name).read_bytes()
    for rel, src in copy_npm_assets(ctx, root).items():
        files[rel] = src.read_bytes()
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
    cfg = configure(
        site_config(catalog, base_config, ctx, pages, hand_written, docs_dir, target, root), backend
    )
    if engine == "zensical" and isinstance(cfg.get("validation"), dict):
        # Zensical reads the generated pages' links as Markdown links and would take a script's fragment (the
        # graph's `graph/#<id>`) for a missing heading; MkDocs still checks the hand-written pages' anchors.
        cfg["validation"] = {**cfg["validation"], "anchors": "ignore"}
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
    )


class _Collect(logging.Handler):
    """Keeps the engine's warnings and errors, so a failed build can say what failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def mkdocs_build(
    build: Callable, cfg, generated: Collection[str] | None, cache_folder: Path | None, **kw
) -> int:
    """One MkDocs build (`build` is mkdocs.commands.build.build) of aligncat's pages, as `aligncat build` and
    `aligncat serve` run it: the generated pages' raw HTML through Markdown unparsed (RawHtmlPassThrough) and,
    with a `cache_folder`, the pages that did not change since the previous build reused (mkdocs_cache.PageCache).
    Returns how many pages it reused."""
    from .cache import cache_disabled_by_env
    from .mkdocs_plugin import RawHtmlPassThrough

    if generated:
        cfg.plugins["aligncat-raw-html"] = RawHtmlPassThrough(generated)
    if cache_folder is None or cache_disabled_by_env():
        build(cfg, **kw)
        return 0
    import mkdocs.commands.build as mk

    from .mkdocs_cache import PageCache

    cache = PageCache(cache_folder, cfg)
    populate, build_page = mk._populate_page, mk._build_page
    mk._populate_page = lambda *a, **k: cache.populate(populate, *a, **k)
    mk._build_page = lambda *a, **k: cache.build(build_page, *a, **k)
    try:
        build(cfg, **kw)
    finally:
        mk._populate_page, mk._build_page = populate, build_page
    if cache.enabled:
        cache.prune()
    return cache.reused


def run_engine(
    config_file: Path,
    engine: str = "mkdocs",
    *,
    strict: bool = True,
    generated: Collection[str] | None = None,
    clean: bool = True,
    page_cache: bool = True,
) -> int:
    """Build the rendered docs with MkDocs (in this process) or Zensical (its own command); raise on failure.

    `generated` names the docs files aligncat generated: with MkDocs their raw HTML blocks go through Markdown
    untouched and unparsed (mkdocs_plugin.RawHtmlPassThrough). `clean=False` lets Zensical reuse its cache
    of the previous build (its differential build: only changed pages are rendered again). With MkDocs,
    `page_cache` reuses the pages that did not change since the previous build (mkdocs_cache.PageCache; off with
    ALIGNCAT_NO_CACHE=1); it returns how many pages it reused. The error lists the engine's warnings (a broken
    link names the page it is in)."""
    if engine == "mkdocs":
        try:
            from mkdocs.commands.build import build
            from mkdocs.config import load_config
            from mkdocs.exceptions import MkDocsException

        except ImportError as exc:
            raise SiteError(
                "MkDocs is not installed; install the site extra: pip install 'aligncat[site]'"
            ) from exc
        collect = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collect)
        try:
            cfg = load_config(config_file=str(config_file), strict=strict)
            folder = config_file.parent / "page-cache" if page_cache else None
            return mkdocs_build(build, cfg, generated, folder)
        except MkDocsException as exc:
            details = "\n".join(f"  {m}" for m in collect.messages)
            raise SiteError(f"mkdocs build failed: {exc}\n{details}".rstrip()) from exc
        finally:
            logger.removeHandler(collect)
    if engine == "zensical":
        exe = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
        if exe is None:
            raise SiteError("Zensical is not installed; install the extra: pip install 'aligncat[zensical]'")
        cmd = [exe, "build", *(["--clean"] if clean else []), "-f", str(config_file)]
        cmd += ["--strict"] if strict else []
        proc = subprocess.run(
            cmd, capture_output=True, text=True, cwd=config_file.parent, env={**os.environ, "NO_COLOR": "1"}
        )
        if proc.returncode != 0:
            output = _ANSI.sub("", proc.stdout + proc.stderr)
            output = output.split("Traceback (most recent call last)")[
                0
            ].strip()  # Zensical's own stack: noise
            raise SiteError(f"zensical build failed (exit {proc.returncode}):\n{output}")
        return 0
    raise SiteError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")


def build_site(
    catalog: Catalog,
    site_dir: str | Path,
    *,
    engine: str = "mkdocs",
    project_root: str | Path | None = None,
    build_dir: str | Path | None = None,
) -> RenderResult:
    """Render the catalog and build the static site into `site_dir` with the chosen engine."""
    root = Path(project_root).resolve() if project_root else find_project_root()
    work = (Path(build_dir) if build_dir else root / BUILD_DIR / engine).resolve()
    target = Path(site_dir).resolve()
    # Zensical only writes inside the folder of its config file: build there, then put the site in place.
    engine_site = work / "site" if engine == "zensical" else target
    result = render_site(catalog, work, project_root=root, site_dir=engine_site, engine=engine)
    # The pages are on disk now: keep their paths and titles only, so the engine's own copy of every page is the
    # only one in memory (~400 MB fewer at 10,000 records).
    result.pages = [Page(p.path, b"", p.title) for p in result.pages]
    try:
        # Zensical rebuilds differentially from its cache; a clean build when the settings changed, when a page
        # went away (its old output would stay) or when there is no earlier output.
        clean = result.config_changed or result.removed > 0 or not (engine_site / "index.html").is_file()
        result.reused = run_engine(result.config_file, engine, generated=result.generated, clean=clean)
    except SiteError as exc:
        raise SiteError(
            f"{exc}\n(hand-written pages are in {root / 'docs'}; generated pages come from the "
            "catalog's records)"
        ) from exc
    if result.search_backend == "pagefind":
        from .search import SearchError, index_site

        try:
            index_site(engine_site)
        except SearchError as exc:
            raise SiteError(str(exc)) from exc
    if engine_site != target:
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(engine_site, target)
    return result
