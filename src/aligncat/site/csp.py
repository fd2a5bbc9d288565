"""Site stage, the Content Security Policy's code sources: where the site's scripts, styles and workers may come
from. The theme override (docs/overrides/main.html) writes them into every page's policy.

With a known address (catalog.yaml's `site_url`, or the preview's own address in `aligncat serve` and `mkdocs
serve`) they are host+path sources naming exactly the folders that hold the site's code, so no other file of the
site's origin can run as script or style, whatever a future export or a parser quirk makes of it:

- scripts: the theme's `assets/javascripts/`, aligncat's `assets/aligncat/`, the npm packages copied to
  `assets/vendor/` and Pagefind's `pagefind/`;
- styles: `assets/stylesheets/`, `assets/aligncat/`, `assets/vendor/` and `pagefind/`;
- workers: the theme's search worker folder, `assets/javascripts/workers/`, and Pagefind's `pagefind/`.

A source ending in `/` matches every file under that path (CSP Level 3, "path-part matching"). Without a known
address a path source cannot be written (it needs a host), so the sources are `'self'` (docs/security.md says so);
the deploy workflow always builds with the address GitHub Pages gives it.

The address is parsed and written again (`model.setting_url`) and every character a CSP source may not hold
(`;` and `,` end a directive or a policy, and `'` or spaces would start another token) is percent-encoded:
browsers decode both sides before comparing paths, so the encoded source still matches.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from ..model import setting_url

SCRIPT_FOLDERS = ("assets/javascripts/", "assets/aligncat/", "assets/vendor/", "pagefind/")
STYLE_FOLDERS = ("assets/stylesheets/", "assets/aligncat/", "assets/vendor/", "pagefind/")
WORKER_FOLDERS = ("assets/javascripts/workers/", "pagefind/")
# RFC 3986 unreserved characters, '/' and percent-escapes; everything else is encoded.
_SAFE = "/-._~%"


def _base(site_url: object) -> str | None:
    """`site_url` as a CSP source prefix ending in '/', or None when it is not a plain http(s) address."""
    url = setting_url(site_url)
    if url is None:
        return None
    parts = urlsplit(url)
    path = quote(parts.path, safe=_SAFE)
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def code_sources(site_url: object) -> dict[str, str]:
    """The `script`, `style` and `worker` sources of the policy for a site published at `site_url` ('self' for
    each when the address is unknown or not a plain http(s) URL)."""
    base = _base(site_url)
    if base is None:
        return {"script": "'self'", "style": "'self'", "worker": "'self'"}
    return {
        "script": " ".join(base + folder for folder in SCRIPT_FOLDERS),
        "style": " ".join(base + folder for folder in STYLE_FOLDERS),
        "worker": " ".join(base + folder for folder in WORKER_FOLDERS),
    }


def apply(config) -> None:
    """Put the code sources for the config's own `site_url` into its `extra.aligncat_csp` (a plain dict or a
    MkDocs config: both are mappings), replacing whatever was there: the policy follows the address the site is
    built for."""
    extra = config.get("extra")
    if not isinstance(extra, dict) and not hasattr(extra, "__setitem__"):
        extra = {}
        config["extra"] = extra
    extra["aligncat_csp"] = code_sources(config.get("site_url"))
