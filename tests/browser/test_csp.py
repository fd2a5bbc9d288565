"""The site's Content Security Policy: on every page type only the site's own scripts run, and nothing it ships
is blocked (no `securitypolicyviolation` event), while a script injected into a page is refused."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

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


def _directive(policy: str, name: str) -> list[str]:
    """The sources of one directive of a policy."""
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {policy}")


CODE_DIRECTIVES = ("script-src", "style-src", "worker-src")


def _named_files(policy: str, base: str) -> set[str]:
    """The site paths a policy names as code (script, style and worker sources), each checked to be the full
    address of one file on the site's own address (never a folder, 'self' or another host)."""
    bases = (base, base.replace("127.0.0.1", "localhost"))
    named: set[str] = set()
    for directive in CODE_DIRECTIVES:
        for source in _directive(policy, directive):
            if source.startswith("'"):
                assert source.startswith(("'sha256-", "'nonce-")) or source == "'wasm-unsafe-eval'", source
                continue
            prefix = next((b for b in bases if source.startswith(b)), None)
            assert prefix, f"{directive} names another address: {source}"
            assert not source.endswith("/"), f"{directive} names a folder: {source}"
            named.add(source[len(prefix) :])
    return named


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
    # style-src names stylesheet files only: a style attribute (the goal-level colours, Markdown's table alignment, the
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
        for source in _directive(policy, "style-src"):  # the site's own stylesheet files, or a hash
            assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'|https?://[^ ']+\.css", source), (p, source)
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


def _shipped_files() -> dict[bytes, str]:
    """Every file aligncat, the themes and node_modules ship, by its SHA-256: code a reviewer reviewed as code."""
    import material
    import zensical

    from aligncat.site import ASSETS_DIR

    from conftest import REPO

    folders = [ASSETS_DIR, Path(material.__file__).parent / "templates", Path(zensical.__file__).parent / "templates",
               REPO / "node_modules"]
    return {hashlib.sha256(p.read_bytes()).digest(): str(p) for f in folders for p in f.rglob("*") if p.is_file()}


@pytest.mark.parametrize("server_name", ["toy_server", "hostile_server", "toy_zensical_server", "pagefind_server"])
def test_code_may_come_only_from_the_sites_own_code_files(request, server_name) -> None:
    # Built for the server's address (as the deploy builds for GitHub Pages'): script-src, style-src and
    # worker-src name single files of the site, no folder and no 'self', and each named file is one the theme,
    # aligncat or an npm package ships (or levels.css, made of the taxonomy's checked #rrggbb colours, or a code
    # file of Pagefind's binary): no byte of a record reaches a file the policy lets run or style a page.
    server = request.getfixturevalue(server_name)
    shipped = _shipped_files()
    pages = sorted(server.root.rglob("*.html"))
    policies = {_csp(p.read_text(encoding="utf-8")) for p in pages}
    assert len(policies) == 1, "every page carries the same policy"
    policy = policies.pop()
    for directive in CODE_DIRECTIVES:
        assert "'self'" not in _directive(policy, directive), directive
    named = _named_files(policy, server.base)
    assert any(n.startswith("assets/javascripts/bundle.") for n in named), named
    assert {"assets/aligncat/aligncat.js", "assets/aligncat/aligncat.css"} <= named
    assert ("pagefind/pagefind-ui.js" in named) == (server_name == "pagefind_server")
    for rel in sorted(named):
        path = server.root / rel
        assert path.is_file(), f"the policy names {rel}, which the site does not have"
        if rel == "assets/aligncat/levels.css":
            for line in path.read_text(encoding="utf-8").splitlines():  # class selectors and #rrggbb only
                assert re.fullmatch(r"/\*[^*]*\*/|[.a-z0-9 _-]+ \{ [a-z-]+: #[0-9a-f]{6}; \}", line), line
        elif not rel.startswith("pagefind/"):
            assert hashlib.sha256(path.read_bytes()).digest() in shipped, f"{rel} is not a file anyone shipped"
    if server_name == "hostile_server":
        for rel in named:
            assert b"__pwned" not in (server.root / rel).read_bytes(), rel


EVIL_JS = "window.__ran = (window.__ran || []).concat([document.currentScript && document.currentScript.src]);"
# Ways to name a file outside the code files with a path that starts with one: the browser normalises dot
# segments before matching, and an encoded slash (which Python's http.server, like some hosts, decodes into a
# separator) matched a folder source; an exact file source refuses all of them.
TRAVERSALS = [
    "data/evil.js",
    "bib/evil.js",
    "evil.js",
    "assets/aligncat/../../data/evil.js",
    "assets/javascripts/%2e%2e/%2e%2e/data/evil.js",
    "assets/aligncat%2F..%2F..%2Fdata/evil.js",
    "assets/aligncat/aligncat.js%2F..%2F..%2F..%2Fdata/evil.js",
]
# What the site itself serves from contributors' text: CSL-JSON, BibTeX, the feeds, the graph's data, the search
# index. None parses as script today; the policy refuses them as script whatever a parser quirk would allow.
EXPORTS = ["data/citations.json", "bib/all.bib", "feed.xml", "graph/graph.json", "search/search_index.json"]


def test_a_script_on_the_sites_origin_outside_its_code_files_is_refused(page, toy_server) -> None:
    root = toy_server.root
    written = [root / "data" / "evil.js", root / "bib" / "evil.js", root / "evil.js"]
    for path in written:
        path.write_text(EVIL_JS, encoding="utf-8")
    (root / "data" / "evil.css").write_text("body { color: rgb(1, 2, 3) !important; }", encoding="utf-8")
    (root / "data" / "worker.js").write_text("postMessage('ran');", encoding="utf-8")
    try:
        page.add_init_script(WATCH)
        page.goto(toy_server.url("records/beta2020-method/"))
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == []
        base = toy_server.base
        # Without the policy each would run: the server answers every one with the script.
        for rel in TRAVERSALS:
            assert page.evaluate("u => fetch(u).then(r => r.text())", base + rel) == EVIL_JS, rel
        for rel in EXPORTS:
            assert page.evaluate("u => fetch(u).then(r => r.status)", base + rel) == 200, rel
        outcomes = page.evaluate(
            """urls => Promise.all(urls.map(u => new Promise(done => {
                 const s = document.createElement('script'); s.src = u;
                 s.onload = () => done('ran'); s.onerror = () => done('refused'); document.body.append(s); })))""",
            [base + rel for rel in TRAVERSALS + EXPORTS],
        )
        assert set(outcomes) == {"refused"}, dict(zip(TRAVERSALS + EXPORTS, outcomes))
        assert page.evaluate("window.__ran") is None
        colour = page.evaluate(
            """u => new Promise(done => { const l = document.createElement('link'); l.rel = 'stylesheet';
                 l.href = u; l.onload = l.onerror = () => done(getComputedStyle(document.body).color);
                 document.head.append(l); })""",
            base + "data/evil.css",
        )
        assert colour != "rgb(1, 2, 3)"
        worker = page.evaluate(
            """async u => { const out = [];
                 try { const w = new Worker(u); await new Promise(done => { w.onmessage = e => { out.push(e.data);
                       done(); }; w.onerror = () => { out.push('error'); done(); }; setTimeout(done, 1000); }); }
                 catch (e) { out.push(e.name); }
                 try { await navigator.serviceWorker.register(u); out.push('registered'); }
                 catch (e) { out.push(e.name); }
                 return out; }""",
            base + "data/worker.js",
        )
        assert "ran" not in worker and "registered" not in worker, worker
        page.wait_for_timeout(200)
        violations = page.evaluate("window.__csp")
        blocked = {(v["directive"], v["blocked"]) for v in violations}
        for rel in ["data/evil.js", "bib/evil.js", "evil.js", *EXPORTS]:
            assert ("script-src-elem", base + rel) in blocked, (rel, blocked)
        assert ("style-src-elem", base + "data/evil.css") in blocked, blocked
        assert ("worker-src", base + "data/worker.js") in blocked, blocked
    finally:
        for path in [*written, root / "data" / "evil.css", root / "data" / "worker.js"]:
            path.unlink(missing_ok=True)


@pytest.mark.parametrize("path", [*PAGE_TYPES, "find/"])
def test_no_policy_violation_on_any_page_type_with_pagefind(page, pagefind_server, path) -> None:
    page.add_init_script(WATCH)
    page.goto(pagefind_server.url(path))
    page.wait_for_load_state("networkidle")
    if path == "find/":
        page.fill(".pagefind-ui__search-input", "toy")
        page.wait_for_selector(".pagefind-ui__result", timeout=30_000)
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("typeof __md_scope") == "object"
    assert not page.console_errors, page.console_errors


def test_without_a_site_url_code_may_come_from_the_sites_origin(page, real_site, real_server) -> None:
    # A local build of a catalog without site_url (the real catalog here) cannot name its files by address:
    # scripts, styles and workers fall back to 'self' (docs/security.md says so), and the site still works.
    policy = _csp((real_site / "index.html").read_text(encoding="utf-8"))
    for directive in CODE_DIRECTIVES:
        sources = _directive(policy, directive)
        assert sources[0] == "'self'" and not any("://" in s for s in sources), (directive, sources)
    page.add_init_script(WATCH)
    page.goto(real_server.url("graph/"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("typeof __md_scope") == "object"
