"""Browser test fixtures: built sites (toy, hostile, real catalog), a static server on 127.0.0.1, headless
Chromium.

Shared by every browser test (the site's and the graph's). Each site is built once per test session: xdist
workers
share one build through a lock file in the session's common temporary folder.
"""

from __future__ import annotations

import fcntl
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MINI_CATALOG = REPO / "tests" / "data" / "mini_catalog"
REAL_CATALOG = REPO / "catalog"
ARTIFACTS = REPO / "tests" / "artifacts"

# A record whose text tries every way to inject markup; its page must show it as text.
HOSTILE_TITLE = (
    "<script>window.__pwned=1</script> [click me](javascript:alert(1)) <img src=x onerror=window.__pwned=2>"
)
HOSTILE_RECORD = f"""id: evil2021-hostile
kind: paper
title: {HOSTILE_TITLE!r}
authors:
- {{family: '<b>Bold</b>', given: '**Star**'}}
year: 2021
categories: [def-one]
summary: 'A summary with </script><script>window.__pwned=3</script> and [a link](https://example.org) and
*stars*.'
links:
- {{type: paper, url: 'https://example.org/a?b=1&c="><script>window.__pwned=4</script>', label:
'<b>label</b>'}}
relations:
- {{type: builds_on, target: alpha2019-base, reason: '<i>why</i>'}}
added: '2026-11-10'
"""


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("ALIGNCAT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and ALIGNCAT_REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all xdist workers of this session share (the parent of each worker's base temp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    make_catalog,
    engine: str = "mkdocs",
    site_url: str | None = None,
) -> Path:
    """Build a site once per session (across xdist workers) and return its folder.

    `make_catalog(folder)` returns the catalog folder to build (it may copy and change a catalog into
    `folder`); `site_url` is the address it will be served at (else catalog.yaml's, usually none).
    """
    from aligncat import load_catalog
    from aligncat.diagnostics import format_diagnostics
    from aligncat.site import build_site

    shared = _shared_dir(tmp_path_factory) / "aligncat-sites"
    shared.mkdir(parents=True, exist_ok=True)
    site = shared / f"{name}-{engine}"
    done = shared / f"{name}-{engine}.done"
    failed = shared / f"{name}-{engine}.failed"
    with open(shared / f"{name}-{engine}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"building the {name} site failed in another worker:\n{failed.read_text()}")
        if not done.exists():
            try:
                catalog_dir = make_catalog(shared / f"{name}-{engine}-catalog")
                catalog = load_catalog(catalog_dir)
                if name != "real" and catalog.errors:  # the real catalog may be mid-edit; test data may not
                    raise AssertionError(format_diagnostics(catalog.errors))
                build_site(
                    catalog,
                    site,
                    engine=engine,
                    project_root=REPO,
                    build_dir=shared / f"{name}-{engine}-build",
                    site_url=site_url,
                )
            except BaseException as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}")
                raise
            done.touch()
    return site


def copy_mini_catalog(folder: Path, extra: dict[str, str] | None = None) -> Path:
    """A copy of the toy catalog in `folder`, with extra files (path -> text) added."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(MINI_CATALOG, folder)
    for rel, text in (extra or {}).items():
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


@dataclass
class SiteServer:
    """A static HTTP server for a built site on 127.0.0.1 (a free port); `url(path)` is a page's address."""

    root: Path
    base: str = ""
    _server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


def serve_folder(root: Path | None = None, build=None) -> Iterator[SiteServer]:
    """Serve `root`; or, with `build(site_url) -> folder`, a site built for the server's own address (its CSP
    then names the site's code folders by path, as a published site's does)."""
    target: dict[str, str] = {"root": str(root)}

    class Handler(_QuietHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=target["root"], **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        if build is not None:
            root = build(base)
            target["root"] = str(root)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield SiteServer(root, base, server)
        finally:
            server.shutdown()
    finally:
        server.server_close()


def serve_built(
    tmp_path_factory, name: str, make_catalog, engine: str = "mkdocs", env: dict[str, str] | None = None
) -> Iterator[SiteServer]:
    """A site built for (and served at) this worker's own server address: built once per worker and port, with
    `env` set in the environment while it builds."""

    def build(base: str) -> Path:
        port = base.rsplit(":", 1)[1].strip("/")
        old = {k: os.environ.get(k) for k in env or {}}
        os.environ.update(env or {})
        try:
            return build_once(tmp_path_factory, f"{name}-at-{port}", make_catalog, engine, site_url=base)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    yield from serve_folder(build=build)


# The toy and hostile sites are built for their server's address, as the deploy builds for GitHub Pages' (so the
# CSP names only the site's code folders); the real catalog's site is built without one, the way a local
# `aligncat build` of a catalog without site_url is (its CSP falls back to 'self').
@pytest.fixture(scope="session")
def toy_server(tmp_path_factory) -> Iterator[SiteServer]:
    """The toy catalog (tests/data/mini_catalog) built with MkDocs for this server's address, served."""
    yield from serve_built(tmp_path_factory, "toy", copy_mini_catalog)


@pytest.fixture(scope="session")
def toy_site(toy_server) -> Path:
    """The folder of the toy site `toy_server` serves."""
    return toy_server.root


@pytest.fixture(scope="session")
def toy_zensical_server(tmp_path_factory) -> Iterator[SiteServer]:
    """The toy catalog built with Zensical (same generated pages, Zensical's own theme and search), served."""
    yield from serve_built(tmp_path_factory, "toy", copy_mini_catalog, engine="zensical")


@pytest.fixture(scope="session")
def toy_zensical_site(toy_zensical_server) -> Path:
    return toy_zensical_server.root


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory) -> Iterator[SiteServer]:
    """The toy catalog plus one record whose fields try to inject HTML, scripts and Markdown links, served."""
    yield from serve_built(
        tmp_path_factory,
        "hostile",
        lambda folder: copy_mini_catalog(folder, {"papers/evil2021-hostile.yaml": HOSTILE_RECORD}),
    )


@pytest.fixture(scope="session")
def hostile_site(hostile_server) -> Path:
    return hostile_server.root


@pytest.fixture(scope="session")
def pagefind_server(tmp_path_factory) -> Iterator[SiteServer]:
    """The toy catalog built with the Pagefind backend forced (it is far below the automatic threshold), for
    this server's address (so its CSP allows Pagefind's code files by path), served."""
    from aligncat.site.search import ENV_BACKEND

    yield from serve_built(tmp_path_factory, "toy-pagefind", copy_mini_catalog, env={ENV_BACKEND: "pagefind"})


@pytest.fixture(scope="session")
def pagefind_toy_site(pagefind_server):
    return pagefind_server.root


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real catalog (catalog/) built with MkDocs, without a site_url."""
    return build_once(tmp_path_factory, "real", lambda folder: REAL_CATALOG)


@pytest.fixture(scope="session")
def real_server(real_site) -> Iterator[SiteServer]:
    yield from serve_folder(real_site)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium via Playwright (skipped when missing, unless ALIGNCAT_REQUIRE_BROWSER=1)."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ExternalRequests(list):
    """Every request a page made to a host other than 127.0.0.1 (each one aborted before it left)."""


@pytest.fixture
def page(chromium):
    """A fresh browser page (own context, clipboard allowed) that blocks and records requests to other hosts.

    `page.external_requests` lists them; `page.console_errors` lists console errors and uncaught exceptions.
    """
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    external = ExternalRequests()

    def route(r):
        host = urlsplit(r.request.url).hostname or ""
        if urlsplit(r.request.url).scheme in ("http", "https", "ws", "wss") and host not in (
            "127.0.0.1",
            "localhost",
        ):
            external.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.set_default_timeout(
        10_000
    )  # a local static site answers at once; fail fast instead of waiting 30 s
    context.route("**/*", route)
    pg = context.new_page()
    pg.external_requests = external
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()


AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"


def run_axe(page) -> list[dict]:
    """Run axe-core (from node_modules, injected into the page): its serious and critical violations."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` at the repository root")
    # Evaluated through DevTools rather than added as an inline <script>, which the site's CSP rightly refuses.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe():
    """`axe(page)` -> the serious and critical accessibility violations on the page."""
    return run_axe


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """tests/artifacts/ (git-ignored): where tests leave screenshots for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
