"""Site stage, the Content Security Policy: the one place that says what may run and style every page.

docs/overrides/main.html prints `policy(...)` (set as `extra.aligncat_csp` in the site's config) as a
`<meta http-equiv>`, first in `<head>`. Where the site's address is known, code may come only from the site's own
code files, each named by its full address (a host source with the file's path, which CSP matches exactly):

- scripts: the theme's bundle (the `assets/javascripts/*.js` of the theme package), the site's `extra_javascript`
  (aligncat's `assets/aligncat/*.js`, the npm files under `assets/vendor/`) and, with Pagefind, its two script
  files; plus, by the hash of their text, the theme's three inline scripts and the search page's start-up script;
- workers: the theme's search worker (`assets/javascripts/workers/*.js`), aligncat's search-ranking worker beside
  it (with lunr) and, with Pagefind, its worker file;
- styles: the theme's `assets/stylesheets/**/*.css`, the site's `extra_css` (aligncat's `assets/aligncat/*.css`)
  and with Pagefind its stylesheet; with Zensical, by its hash, the one `<style>` its theme script puts into its
  search box's shadow root.

Files, not folders: CSP matches a source ending in `/` as a path prefix after percent-decoding the request's path,
so `<site>assets/aligncat%2F..%2F..%2Fdata/x.js` matches the folder `<site>assets/aligncat/`, and a server that
decodes `%2F` into a separator (Python's http.server does) serves `data/x.js` for it. An exact file source has
no such gap: a path that decodes to the file's path is that file. Everything else the site serves (pages, feeds,
`.bib`/RIS/CSL-JSON exports, `graph.json`, the search index, Pagefind's index shards) is therefore refused as
script, worker and style, so no file a contributor's text reaches can run or style a page, even one that parsed
as script. Frames are refused too (`frame-src 'none'`). A redirect relaxes CSP's path matching (after one, only
the host is compared): a static host redirects a folder only to itself with a `/`, and none of these files is a
folder.

A full address needs the site's address: catalog.yaml's `site_url` (or `$ALIGNCAT_SITE_URL`, which the deploy
workflow sets to the address GitHub Pages gives it), or the preview's own address (`aligncat serve`,
`mkdocs serve`; a loopback address is named as both 127.0.0.1 and localhost). Without one (a local
`aligncat build` of a catalog without `site_url`), or when a preview listens on every interface (0.0.0.0) and its
address is unknown, scripts, workers and styles fall back to `'self'`: every file of the site's origin.
docs/security.md says so.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

# The theme's inline scripts (Material's and Zensical's partials/javascripts/base.html and the scroll-to-target
# script of the page footer), allowed by the hash of their text. tests/browser/test_csp.py names the hash to put
# here when a theme upgrade changes one.
THEME_SCRIPT_HASHES = (
    "sha256-CfD1/yIxXjBYFEOv8ptfWOD3YalR13EpHAi/Ll28LxU=",  # __md_scope = ...
    "sha256-DrEMJJ29sL7vIloQzly+VUGMxKcBTMII+OfW7Y8AkG4=",  # the palette
    "sha256-/8wPdzX9q0NNJXyA5lzsLojXFpkeaXVxhbfkUOQaWy8=",  # scroll to location.hash
)
# The <style> element Zensical's theme script puts into its search box's shadow root.
ZENSICAL_STYLE_HASHES = ("sha256-NwSx/R2V/U4jnW0Tq5pQ53Y/rzPVJ4dqE7D6UTA/J1k=",)

# The theme's code, by its path in the theme package's templates/ folder (the same path in the site).
THEME_SCRIPTS = ("assets/javascripts/*.js",)
THEME_WORKERS = ("assets/javascripts/workers/*.js",)
THEME_STYLES = ("assets/stylesheets/*.css", "assets/stylesheets/*/*.css")
THEME_PACKAGES = {"mkdocs": "material", "zensical": "zensical"}  # the package whose templates/ each engine uses
# Pagefind writes its bundle (code and index shards alike) into pagefind/: only its code files are named.
PAGEFIND_SCRIPTS = ("pagefind/pagefind-ui.js", "pagefind/pagefind.js")
PAGEFIND_WORKERS = ("pagefind/pagefind-worker.js",)
PAGEFIND_STYLES = ("pagefind/pagefind-ui.css",)

# A preview bound to every interface has no one address: its pages fall back to 'self'.
_WILDCARD_HOSTS = ("0.0.0.0", "::")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# What a source expression's path may hold as it is: CSP ends a source at white space, a directive at `;` and a
# policy at `,`, and the policy sits in an HTML attribute; anything else is percent-encoded (CSP matches paths
# percent-decoded, so the source still names the same folder).
_PATH_SAFE = "/%-._~!$()*+=:@"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def script_hashes(html: str) -> tuple[str, ...]:
    """The CSP hash of every inline `<script>` (no attributes) in a page of aligncat's own templates."""
    return tuple(
        "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for body in _INLINE_SCRIPT.findall(html)
    )


def origins(site_url: str | None) -> tuple[str, ...]:
    """The addresses (scheme, host, port and path, ending in /) a site's code is named under: none when the address
    is unknown; a loopback preview is named under both 127.0.0.1 and localhost, so either spelling works."""
    if not site_url:
        return ()
    parts = urlsplit(site_url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or host in _WILDCARD_HOSTS:
        return ()
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    path = path if path.endswith("/") else path + "/"
    port = f":{parts.port}" if parts.port else ""
    hosts = _LOOPBACK_HOSTS if host in _LOOPBACK_HOSTS else (host,)
    return tuple(f"{parts.scheme}://{h}{port}{path}" for h in hosts)


def theme_files(engine: str) -> tuple[list[str], list[str], list[str]]:
    """The theme's scripts, workers and styles (paths in the site), as its package ships them."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec(THEME_PACKAGES.get(engine, "material"))
    if spec is None or spec.origin is None:
        return [], [], []
    templates = Path(spec.origin).parent / "templates"

    def found(patterns: tuple[str, ...]) -> list[str]:
        return sorted(p.relative_to(templates).as_posix() for pat in patterns for p in templates.glob(pat))

    return found(THEME_SCRIPTS), found(THEME_WORKERS), found(THEME_STYLES)


def _local(paths: Iterable[object]) -> list[str]:
    """The site's own files of a config's extra_javascript / extra_css (entries may be objects with a `path`);
    an address elsewhere is left out, so the policy refuses it as the site must never load one."""
    out = []
    for entry in paths:
        path = str(getattr(entry, "path", entry))
        if path and "://" not in path and not path.startswith(("/", "//")):
            out.append(path)
    return out


def _sources(bases: tuple[str, ...], paths: Iterable[str], extra: Iterable[str] = ()) -> str:
    files = list(dict.fromkeys(paths))
    named = [base + quote(p, safe=_PATH_SAFE) for base in bases for p in files] if bases else ["'self'"]
    return " ".join([*named, *(f"'{e}'" for e in extra)])


def policy(
    site_url: str | None,
    *,
    backend: str = "lunr",
    engine: str = "mkdocs",
    extra_javascript: Iterable[object] = (),
    extra_css: Iterable[object] = (),
    inline_scripts: Iterable[str] = (),
    nonce: str | None = None,
    extra_workers: Iterable[str] = (),
) -> str:
    """The Content Security Policy of every page of a site published at `site_url` (see the module's docstring).

    `extra_javascript` / `extra_css` are the site config's; `inline_scripts` the hashes of aligncat's own inline
    scripts (`script_hashes` of the search page); `nonce` the live preview's, for MkDocs' reload script;
    `extra_workers` the site's own worker files (aligncat's search-ranking worker)."""
    bases = origins(site_url)
    pagefind = backend == "pagefind"
    theme_scripts, theme_workers, theme_styles = theme_files(engine) if bases else ([], [], [])
    scripts = [*theme_scripts, *_local(extra_javascript), *(PAGEFIND_SCRIPTS if pagefind else ())]
    workers = [*theme_workers, *_local(extra_workers), *(PAGEFIND_WORKERS if pagefind else ())]
    styles = [*theme_styles, *_local(extra_css), *(PAGEFIND_STYLES if pagefind else ())]
    script_extra = [
        *(["wasm-unsafe-eval"] if pagefind else ()),  # Pagefind's WebAssembly search
        *THEME_SCRIPT_HASHES,
        *dict.fromkeys(inline_scripts),
        *([f"nonce-{nonce}"] if nonce else ()),
    ]
    style_extra = ZENSICAL_STYLE_HASHES if engine == "zensical" else ()
    text = "; ".join(
        [
            "default-src 'self'",
            f"script-src {_sources(bases, scripts, script_extra)}",
            f"style-src {_sources(bases, styles, style_extra)}",
            f"worker-src {_sources(bases, workers)}",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )
    if any(c in text for c in '"<>&,') or not text.isascii():  # made safe above; never printed otherwise
        raise ValueError(f"unsafe character in the Content Security Policy: {text!r}")
    return text
