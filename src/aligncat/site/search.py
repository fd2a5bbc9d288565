"""Site stage, search: choose the search backend (lunr or Pagefind) and build Pagefind's index of a built site.

MkDocs' built-in search (lunr) puts every page's text into one search_index.json that the browser downloads
whole before the first result: fine for a survey's hundred records, tens of megabytes at 10,000. Pagefind
indexes the built HTML into small shards, so a query fetches only the few it needs. `auto` picks Pagefind from
PAGEFIND_FROM_RECORDS records on (when its binary is installed) and keeps lunr, which also gives the header
search box and highlighting, for small catalogs. Set `extra: {search_backend: lunr | pagefind | auto}` in
mkdocs.yml to choose. Pagefind's script and styles are written into the site by its own binary at build time,
so the site still loads nothing from another host.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..load import Catalog
from ..render import Page

BACKENDS = ("auto", "lunr", "pagefind")
ENV_BACKEND = "ALIGNCAT_SEARCH_BACKEND"  # overrides mkdocs.yml, e.g. to try Pagefind on a small catalog
PAGEFIND_FROM_RECORDS = 2000
SEARCH_PAGE = "find.md"
BUNDLE_DIR = "pagefind"
# Material wraps each page's own content in <article>: indexing only that keeps navigation and footers out.
ROOT_SELECTOR = "article"
# Heading permalinks (the ¶ after each heading) and the search page itself are not content; what the pages mark
# data-search-exclude (tables, filter forms, BibTeX, the record's graph drawing and lineage lists) is left out as
# Material's lunr search leaves it out.
EXCLUDE_SELECTORS = (".headerlink", ".aligncat-search", "[data-search-exclude]")


class SearchError(Exception):
    """A problem that stops the search index from being built, worded with its fix."""


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped by the pagefind-bin package, if installed."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        return None
    try:
        return Path(get_executable())
    except (FileNotFoundError, OSError):
        return None


def backend_setting(config: dict) -> str:
    """$ALIGNCAT_SEARCH_BACKEND, else the `extra.search_backend` of a site config, else auto."""
    env = os.environ.get(ENV_BACKEND, "").strip().lower()
    if env:
        if env not in BACKENDS:
            raise SearchError(f"{ENV_BACKEND} is '{env}'; choose one of: {', '.join(BACKENDS)}")
        return env
    extra = config.get("extra") if isinstance(config, dict) else None
    value = str((extra.get("search_backend") if isinstance(extra, dict) else None) or "auto").strip().lower()
    if value not in BACKENDS:
        raise SearchError(
            f"mkdocs.yml: extra.search_backend is '{value}'; choose one of: {', '.join(BACKENDS)}"
        )
    return value


def choose_backend(catalog: Catalog, setting: str = "auto") -> str:
    """lunr or pagefind: the setting when explicit, else by catalog size (lunr when Pagefind is missing)."""
    if setting == "pagefind":
        if pagefind_executable() is None:
            raise SearchError(
                "extra.search_backend is 'pagefind' but Pagefind is not installed; "
                "pip install 'aligncat[site]' (it brings pagefind-bin), or choose 'lunr'"
            )
        return "pagefind"
    if setting == "lunr":
        return "lunr"
    if len(catalog.records) >= PAGEFIND_FROM_RECORDS and pagefind_executable() is not None:
        return "pagefind"
    return "lunr"


def configure(cfg: dict, backend: str) -> dict:
    """Adjust a generated site config for the backend: Pagefind replaces the lunr `search` plugin."""
    if backend == "pagefind":
        plugins = cfg.get("plugins") or []
        if isinstance(plugins, dict):
            cfg["plugins"] = {k: v for k, v in plugins.items() if k != "search"}
        else:
            cfg["plugins"] = [
                p for p in plugins if p != "search" and not (isinstance(p, dict) and "search" in p)
            ]
        features = cfg.get("theme", {}).get("features")
        if isinstance(features, list):
            cfg["theme"]["features"] = [f for f in features if not str(f).startswith("search.")]
    extra = cfg.setdefault("extra", {})
    if isinstance(extra, dict):
        extra["search_backend"] = backend
    return cfg


def search_page(catalog_root: Path | None = None) -> Page:
    """The page holding Pagefind's search box and filters (only written when Pagefind is the backend); the
    record pages carry the filters Pagefind reads (render.pages.search_filters)."""
    from ..render.jinja import render

    return Page(SEARCH_PAGE, render(catalog_root, "search.md", page=SEARCH_PAGE), title="Search")


@dataclass
class IndexStats:
    pages: int
    bytes: int
    seconds: float


def index_site(site_dir: str | Path) -> IndexStats:
    """Run Pagefind over a built site, writing its bundle to <site>/pagefind/; raise SearchError on failure."""
    import time

    site = Path(site_dir)
    exe = pagefind_executable()
    if exe is None:
        raise SearchError(
            "Pagefind is not installed; pip install 'aligncat[site]' (it brings pagefind-bin), "
            "or set extra.search_backend: lunr in mkdocs.yml"
        )
    start = time.perf_counter()
    proc = subprocess.run(
        [
            str(exe),
            "--site",
            str(site),
            "--output-subdir",
            BUNDLE_DIR,
            "--root-selector",
            ROOT_SELECTOR,
            "--force-language",
            "en",
            *(arg for sel in EXCLUDE_SELECTORS for arg in ("--exclude-selectors", sel)),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SearchError(
            f"pagefind failed (exit {proc.returncode}) on {site}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    pages = 0
    for line in proc.stdout.splitlines():
        # "Indexed 1106 pages" is how Pagefind reports its count; keep 0 if the wording changes.
        words = line.split()
        if len(words) >= 3 and words[0] == "Indexed" and words[2].startswith("page") and words[1].isdigit():
            pages = int(words[1])
    bundle = site / BUNDLE_DIR
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return IndexStats(pages, size, time.perf_counter() - start)
