"""The policy's code sources narrowed by path (issue 14): a site built for a known address (catalog.yaml's
site_url) runs scripts, styles and workers only from the folders that hold its code (aligncat.site.csp), so a file
anywhere else on the site's own origin cannot run, even one that is valid JavaScript.

The site is built for https://aligncat.test/sub/ and served to Chromium at that very address by Playwright's
request routing (the files come from the built folder), so the policy is exercised as on a published site: an
https origin with a path.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import build_once, copy_mini_catalog
from test_csp import WATCH

pytestmark = pytest.mark.browser

ORIGIN = "https://aligncat.test"
BASE = ORIGIN + "/sub/"
PAGES = ["", "browse/", "records/beta2020-method/", "graph/", "timeline/", "taxonomy/", "cite/", "find/"]
# A file of the site's origin outside the code folders, holding valid JavaScript: the kind of file an export or
# a parser quirk could one day put there.
STRAY = "bib/stray.js"
STRAY_IN_CODE = "assets/aligncat/stray.js"  # the same file inside a code folder: the control, it must run


def _with_site_url(backend: str):
    def make(folder: Path) -> Path:
        cat = copy_mini_catalog(folder)
        settings = (cat / "catalog.yaml").read_text(encoding="utf-8")
        settings += f"site_url: {BASE}\n"
        (cat / "catalog.yaml").write_text(settings, encoding="utf-8")
        return cat

    return make


@pytest.fixture(scope="module", params=["lunr", "pagefind", "zensical"])
def addressed_site(request, tmp_path_factory) -> tuple[str, Path]:
    from aligncat.site.search import ENV_BACKEND

    engine = "zensical" if request.param == "zensical" else "mkdocs"
    old = os.environ.get(ENV_BACKEND)
    os.environ[ENV_BACKEND] = "pagefind" if request.param == "pagefind" else "lunr"
    try:
        site = build_once(
            tmp_path_factory, f"addressed-{request.param}", _with_site_url(request.param), engine=engine
        )
    finally:
        if old is None:
            os.environ.pop(ENV_BACKEND, None)
        else:
            os.environ[ENV_BACKEND] = old
    for rel, flag in ((STRAY, "__stray"), (STRAY_IN_CODE, "__stray_in_code")):
        (site / rel).write_text(f"window.{flag} = 1;\n", encoding="utf-8")
    return request.param, site


@pytest.fixture
def addressed_page(chromium, addressed_site):
    backend, site = addressed_site
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    served: list[str] = []

    def route(r):
        parts = urlsplit(r.request.url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN or not parts.path.startswith("/sub/"):
            r.abort()
            return
        path = site / unquote(parts.path[len("/sub/") :])
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            r.fulfill(status=404, body="not found")
            return
        served.append(parts.path)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".wasm":
            kind = "application/wasm"
        r.fulfill(status=200, body=path.read_bytes(), headers={"content-type": kind})

    context.route("**/*", route)
    pg = context.new_page()
    pg.backend = backend
    pg.served = served
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.add_init_script(WATCH)
    try:
        yield pg
    finally:
        context.close()


def test_the_policy_names_the_code_folders_not_the_origin(addressed_site) -> None:
    _, site = addressed_site
    html = (site / "index.html").read_text(encoding="utf-8")
    policy = html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    for name in ("script-src", "style-src", "worker-src"):
        assert "'self'" not in directives[name], (name, directives[name])
        hosts = [s for s in directives[name] if s.startswith("https://")]
        assert hosts and all(s.startswith(BASE) and s.endswith("/") for s in hosts), (name, hosts)
    assert f"{BASE}assets/javascripts/" in directives["script-src"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_works_under_the_narrow_policy(addressed_page, path) -> None:
    pg = addressed_page
    if path == "find/" and pg.backend != "pagefind":
        pytest.skip("the search page exists with Pagefind only")
    pg.goto(BASE + path)
    pg.wait_for_load_state("networkidle")
    assert pg.evaluate("window.__csp") == []
    assert not pg.console_errors, pg.console_errors
    if pg.backend != "zensical":
        assert pg.evaluate("typeof __md_scope") == "object"  # Material's inline script ran
    assert pg.evaluate("!!document.querySelector('script[src*=\"assets/aligncat/aligncat.js\"]')")


def test_search_runs_under_the_narrow_policy(addressed_page) -> None:
    pg = addressed_page
    if pg.backend == "pagefind":
        pg.goto(BASE + "find/?q=alpha")
        pg.locator(".pagefind-ui__result-link").first.wait_for(timeout=30_000)
    elif pg.backend == "zensical":
        pg.goto(BASE)
        pg.wait_for_load_state("networkidle")
        pg.click(".md-search__button")
        pg.keyboard.type("ToyBench", delay=20)
        pg.locator('a[href*="records/toybench2021/?h="]').first.wait_for(timeout=15_000)
    else:
        pg.goto(BASE)
        pg.wait_for_load_state("networkidle")
        box = pg.locator("input.md-search__input")
        box.click()
        box.press_sequentially("alpha", delay=20)  # as a person types: the theme searches on key events
        pg.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        assert any("/assets/javascripts/workers/" in p for p in pg.served)  # the worker came from its folder
    assert pg.evaluate("window.__csp") == []


def test_a_script_file_outside_the_code_folders_is_refused(addressed_page) -> None:
    pg = addressed_page
    pg.goto(BASE + "records/beta2020-method/")
    pg.wait_for_load_state("networkidle")
    for rel in (STRAY, STRAY_IN_CODE):
        pg.evaluate(
            """src => new Promise(done => { const s = document.createElement('script'); s.src = src;
                   s.onload = s.onerror = () => done(); document.head.append(s); })""",
            BASE + rel,
        )
    assert pg.evaluate("window.__stray") is None  # refused: bib/ holds no code
    assert pg.evaluate("window.__stray_in_code") == 1  # the control: the same file in a code folder runs
    blocked = [v["blocked"] for v in pg.evaluate("window.__csp")]
    assert BASE + STRAY in blocked, blocked
