"""The site's Content Security Policy: on every page type only the site's own scripts run, and nothing it ships
is blocked (no `securitypolicyviolation` event), while a script injected into a page is refused."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
window.__styles = [];  // the text of every <style> element a script inserts (shadow roots included)
for (const name of ['appendChild', 'insertBefore']) {
  const original = Node.prototype[name];
  Node.prototype[name] = function (child, ...rest) {
    if (child && child.nodeName === 'STYLE') window.__styles.push(child.textContent);
    return original.call(this, child, ...rest);
  };
}
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


class _StyleFinder(HTMLParser):
    """Every element with a style attribute, and every <style> element, of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "style":
            self.found.append("<style>")
        self.found.extend(f"<{tag} style={value!r}>" for name, value in attrs if name == "style")


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_no_inline_style_anywhere_and_the_policy_allows_none(request, engine) -> None:
    # style-src is 'self' only: a style attribute (the goal-level colours, Markdown's table alignment, the
    # graph's legend once were) or a <style> element would be refused, so the site must write none.
    site = request.getfixturevalue("toy_site" if engine == "mkdocs" else "toy_zensical_site")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for p in pages:
        html = p.read_text(encoding="utf-8")
        finder = _StyleFinder()
        finder.feed(html)
        assert finder.found == [], f"{p}: {finder.found[:3]}"
        policy = _csp(html)
        assert "'unsafe-inline'" not in policy, p
        style_src = r"(?:^|;)\s*style-src 'self'(?: 'sha256-[A-Za-z0-9+/]+=*')*\s*(?:;|$)"
        assert re.search(style_src, policy), policy
    levels = (site / "assets" / "aligncat" / "levels.css").read_text(encoding="utf-8")
    assert ".ac-lv-level-three { --ac-level: #2ca02c; }" in levels  # the toy taxonomy's own colour


def test_an_injected_style_attribute_is_refused(page, toy_server) -> None:
    page.add_init_script(WATCH)
    page.goto(toy_server.url(""))
    page.wait_for_load_state("networkidle")
    colour = page.evaluate("""() => { const d = document.createElement('div');
                       d.innerHTML = '<p id="ac-evil" style="color: rgb(1, 2, 3)">x</p>';
                       document.body.append(d);
                       return getComputedStyle(document.getElementById('ac-evil')).color; }""")
    page.wait_for_timeout(200)
    assert colour != "rgb(1, 2, 3)"
    assert "style-src-attr" in {v["directive"] for v in page.evaluate("window.__csp")}


def test_level_colours_come_from_the_generated_stylesheet(page, toy_server) -> None:
    page.add_init_script(WATCH)
    page.goto(toy_server.url(""))
    page.wait_for_load_state("networkidle")
    card = page.locator(".ac-level-card.ac-lv-level-three").first
    assert card.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(44, 160, 44)"  # #2ca02c
    page.goto(toy_server.url("records/beta2020-method/"))
    page.wait_for_load_state("networkidle")
    badges = page.locator("span.ac-level")
    assert badges.count() > 0
    coloured = badges.evaluate_all("bs => bs.map(b => getComputedStyle(b).borderTopColor)")
    assert set(coloured) & {"rgb(31, 119, 180)", "rgb(255, 127, 14)", "rgb(44, 160, 44)"}, coloured
    assert page.evaluate("window.__csp") == []


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
    _assert_inserted_styles_hashed(page)
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
    _assert_inserted_styles_hashed(page)
    assert page.evaluate("window.__csp") == []
    assert not page.console_errors, page.console_errors


def _assert_inserted_styles_hashed(page) -> None:
    # Zensical's theme script puts a <style> element into its search box's shadow root: style-src allows it by
    # its hash (docs/overrides/main.html); this names the hash to put there when a Zensical upgrade changes it.
    policy = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    for text in page.evaluate("window.__styles"):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, f"add 'sha256-{digest}' to style-src for: {text[:80]}"
