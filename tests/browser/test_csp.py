"""The site's Content Security Policy: on every page type only the site's own scripts run, and nothing it ships
is blocked (no `securitypolicyviolation` event), while a script injected into a page is refused."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile}));
"""
# One page of every kind the site has.
PAGE_TYPES = [
    "",
    "browse/",
    "records/beta2020-method/",
    "records/toybench2021/",
    "records/toyinst2020-data/",
    "taxonomy/",
    "graph/",
    "timeline/",
    "tags/",
    "cite/",
    "new/",
    "guide/diagnostics/",
    "404.html",
]


def _csp(html: str) -> str:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert match, "no Content-Security-Policy meta tag"
    return match.group(1)


def test_every_page_declares_the_policy_before_any_script(toy_site) -> None:
    pages = sorted(toy_site.rglob("*.html"))
    assert len(pages) > 10
    for p in pages:
        html = p.read_text(encoding="utf-8")
        policy = _csp(html)
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0], p
        assert html.index("Content-Security-Policy") < html.find("<script"), p


def test_every_inline_script_is_allowed_by_its_hash(toy_site) -> None:
    # Tells which hash to put in docs/overrides/main.html when a Material upgrade changes its inline scripts.
    for p in sorted(toy_site.rglob("*.html")):
        html = p.read_text(encoding="utf-8")
        policy = _csp(html)
        for attrs, body in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S):
            if "application/json" in attrs or "application/ld+json" in attrs:
                continue  # data, never run
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, f"{p}: add 'sha256-{digest}' for: {body[:80]}"


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_policy_violation_on_any_page_type(page, toy_server, path) -> None:
    page.add_init_script(WATCH)
    page.goto(toy_server.url(path))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("typeof __md_scope") == "object"  # Material's own inline script ran
    assert not page.console_errors, page.console_errors


def test_an_injected_inline_script_is_refused(page, toy_server) -> None:
    page.add_init_script(WATCH)
    page.goto(toy_server.url("records/beta2020-method/"))
    page.evaluate("""() => { const s = document.createElement('script');
                       s.textContent = 'window.__injected = 1'; document.body.append(s);
                       const d = document.createElement('div');
                       d.innerHTML = '<img src=x onerror="window.__injected = 2">'; document.body.append(d); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected") is None
    directives = {v["directive"] for v in page.evaluate("window.__csp")}
    assert {"script-src-elem", "script-src-attr"} <= directives, directives


@pytest.mark.parametrize("path", ["", "browse/", "records/beta2020-method/", "graph/", "timeline/"])
def test_no_policy_violation_on_the_zensical_site(page, toy_zensical_server, toy_zensical_site, path) -> None:
    assert "Content-Security-Policy" in (toy_zensical_site / "index.html").read_text(encoding="utf-8")
    page.add_init_script(WATCH)
    page.goto(toy_zensical_server.url(path))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert not page.console_errors, page.console_errors
