"""Site stage, the site's config: the project's mkdocs.yml read as plain YAML (or the built-in defaults) and the
generated mkdocs.yml made from it and a site plan (site/docs.py): the catalog's name, address, pages, navigation,
scripts and styles, and what the footer says about the site's source. No MkDocs import.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..load import Catalog
from ..render import RenderContext

if TYPE_CHECKING:
    from .docs import SitePlan


class SiteError(Exception):
    """A problem that stops a build, worded for the person running it (what, where, how to fix)."""


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

# Options the site's pages need from Python-Markdown's extensions, whatever mkdocs.yml says: `tables` writes a
# column's alignment as align="..." rather than an inline style (the CSP's style-src allows no inline style).
EXTENSION_OPTIONS: dict[str, dict] = {"tables": {"use_align_attribute": True}}


def with_extension_options(extensions: list) -> list:
    """mkdocs.yml's markdown_extensions (names or {name: options}), EXTENSION_OPTIONS set on those listed."""
    out: list = []
    for entry in extensions or []:
        name = entry if isinstance(entry, str) else None
        if isinstance(entry, dict) and len(entry) == 1:
            name = next(iter(entry))
        short = name.removeprefix("markdown.extensions.") if name else None
        if short in EXTENSION_OPTIONS:
            options = entry.get(name) if isinstance(entry, dict) else None
            entry = {name: {**(options or {}), **EXTENSION_OPTIONS[short]}}
        out.append(entry)
    return out



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
    plan: SitePlan,
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
    site_url = plan.context.site_url or catalog.info.site_url
    if site_url:
        cfg["site_url"] = site_url
    else:
        cfg.pop("site_url", None)
    # Relative to the generated config where possible: Zensical wants both folders inside the config's folder.
    cfg["docs_dir"] = _config_path(docs_dir, docs_dir.parent)
    cfg["site_dir"] = _config_path(site_dir, docs_dir.parent)
    cfg["use_directory_urls"] = True
    cfg["strict"] = True
    cfg["nav"] = plan.nav
    cfg["markdown_extensions"] = with_extension_options(cfg.get("markdown_extensions") or [])
    theme = cfg.setdefault("theme", {"name": "material"})
    theme["font"] = False  # never fetch fonts from a third-party host
    overrides = project_root / "docs" / "overrides"
    if overrides.is_dir():
        theme["custom_dir"] = str(overrides)
        # Zensical's differential build does not watch the theme's templates: a digest of them in the config
        # makes an edited template change the config, and that makes the next build a clean one.
        cfg["extra"] = {**(cfg.get("extra") or {}), "aligncat_theme": folder_digest(overrides)}
    scripts = [*cfg.get("extra_javascript", []), *plan.extra_javascript]
    styles = [*cfg.get("extra_css", []), *plan.extra_css]
    cfg["extra_javascript"] = list(dict.fromkeys(scripts))
    cfg["extra_css"] = list(dict.fromkeys(styles))
    source = _source_extra(plan.context)
    if source:
        cfg["extra"] = {**(cfg.get("extra") or {}), "aligncat_source": source}
    # Keep the engines from looking anything up online or in the project's git history.
    cfg.pop("repo_url", None)
    return cfg



def _source_extra(ctx: RenderContext) -> dict:
    """What the footer says about the site's source (docs/overrides/partials/copyright.html): the repository and
    the commit the site was built from, with links where the repository is on GitHub."""
    from urllib.parse import urlsplit

    from ..repository import commit_url

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


def folder_digest(folder: Path) -> str:
    """A digest of every file below `folder` (its path there and its bytes); a missing folder has one too."""
    import hashlib

    h = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def _config_path(path: Path, config_dir: Path) -> str:
    """A folder as the generated config names it: relative to the config's folder if inside, else absolute."""
    try:
        return path.relative_to(config_dir).as_posix()
    except ValueError:
        return str(path)


