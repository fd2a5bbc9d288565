"""Hostile catalog in the browser: every page of a site whose every text field holds an attack renders, shows the
attack as text, and runs none of it (no script, no handler, no violation of the Content Security Policy)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from conftest import REPO, build_once, serve_folder

pytestmark = pytest.mark.browser

HOSTILE_DIR = REPO / "tests" / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("hostile_catalog", HOSTILE_DIR / "hostile_catalog.py")
hostile_catalog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile_catalog)

# Listens before any of the page's own scripts: CSP violations, and alert/confirm/prompt calls.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile}));
"""


@pytest.fixture(scope="session")
def hostile_corpus_site(tmp_path_factory) -> Path:
    return build_once(tmp_path_factory, "hostile-corpus", hostile_catalog.make_hostile_catalog)


@pytest.fixture(scope="session")
def hostile_corpus_server(hostile_corpus_site):
    yield from serve_folder(hostile_corpus_site)


def _pages(site: Path) -> list[str]:
    return sorted(
        str(p.relative_to(site).parent).replace(".", "", 1) + "/" if p.parent != site else ""
        for p in site.rglob("index.html")
    )


def _visit(page, url: str) -> dict:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")  # every script has run; "networkidle" would add half a second a page
    if page.locator("[data-src]").count():
        page.wait_for_load_state("networkidle")  # the graph page draws from data it fetches
    page.mouse.move(5, 5)
    page.mouse.move(400, 300)  # hover: an injected onmouseover handler would fire now
    return {
        "pwned": page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)"),
        "csp": page.evaluate("window.__csp"),
        "dialogs": dialogs,
        "text": page.locator("body").inner_text(),
        "h1": page.locator("h1").count(),
        "external": list(page.external_requests),
        "errors": list(page.console_errors),
    }


def test_every_page_of_the_hostile_site_renders_and_runs_nothing(
    page, hostile_corpus_server, hostile_corpus_site
) -> None:
    page.add_init_script(WATCH)
    pages = _pages(hostile_corpus_site)
    assert len(pages) >= 20, pages  # home, browse, every record, category, tag, graph and guide pages
    problems = {}
    for rel in pages:
        seen = _visit(page, hostile_corpus_server.url(rel))
        bad = {k: seen[k] for k in ("pwned", "csp", "dialogs", "external", "errors") if seen[k]}
        if not seen["h1"] or len(seen["text"]) < 100:
            bad["rendered"] = seen["text"][:200]
        if bad:
            problems[rel or "/"] = bad
    assert not problems, json.dumps(problems, indent=1)[:4000]


def test_hostile_text_is_shown_as_the_text_it_is(
    page, hostile_corpus_server, artifacts_dir, tmp_path
) -> None:
    import yaml

    catalog = hostile_catalog.make_hostile_catalog(
        tmp_path / "catalog"
    )  # the same text the site was built from
    record = yaml.safe_load((catalog / "papers" / "alpha2019-base.yaml").read_text(encoding="utf-8"))
    page.add_init_script(WATCH)
    seen = _visit(page, hostile_corpus_server.url("records/alpha2019-base/"))
    assert record["title"].startswith(("<", '"')) and record["title"] in seen["text"]
    for author in record["authors"]:
        name = author.get("literal") or author["family"]
        assert name in seen["text"], name
    assert record["summary"] in seen["text"]
    assert page.locator("svg[onload], img[onerror], iframe, base, meta[http-equiv=refresh]").count() == 0
    page.screenshot(path=str(artifacts_dir / "hostile-record.png"), full_page=True)
    link_page = _visit(page, hostile_corpus_server.url("records/evilurl2019-link/"))
    assert not link_page["pwned"]
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert all(not h.strip().lower().startswith(("javascript:", "data:", "vbscript:")) for h in hrefs), hrefs
    assert any(h.startswith("https://example.org/a?b=1&c=") for h in hrefs), hrefs
