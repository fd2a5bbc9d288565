"""MkDocs adapter (optional): the same generated pages as `aligncat build`, for projects that run `mkdocs`
itself.

    plugins:
      - search
      - aligncat:
          catalog: catalog        # relative to mkdocs.yml

The library renders everything (aligncat.render); this adapter only hands the pages to MkDocs as generated
files,
adds the site's script and stylesheet, and sets the navigation when the config has none (so records stay out
of it).
Zensical ignores plugins it does not know: use `aligncat build --engine zensical` there.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .diagnostics import format_diagnostics
from .load import load_catalog
from .render import Page
from .site import ASSETS_DIR, OWN_ASSETS, SiteError, copy_npm_assets, find_project_root, generate_pages


class AligncatConfig(Config):
    catalog = config_options.Type(str, default="catalog")


class AligncatPlugin(BasePlugin[AligncatConfig]):
    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.extra_files: dict[str, bytes] = {}

    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        catalog = load_catalog(root / self.config.catalog)
        if catalog.errors:
            raise PluginError(f"the catalog has errors:\n{format_diagnostics(catalog.errors)}")
        try:
            self.pages, ctx = generate_pages(catalog)
            npm = copy_npm_assets(ctx, find_project_root(root))
        except SiteError as exc:
            raise PluginError(str(exc)) from exc
        self.extra_files = {rel: (ASSETS_DIR / name).read_bytes() for name, rel in OWN_ASSETS.items()}
        self.extra_files.update({rel: src.read_bytes() for rel, src in npm.items()})
        for rel in (OWN_ASSETS["aligncat.js"], *ctx.extra_javascript):
            if rel not in config.extra_javascript:
                config.extra_javascript.append(rel)
        for rel in (OWN_ASSETS["aligncat.css"], *ctx.extra_css):
            if rel not in config.extra_css:
                config.extra_css.append(rel)
        if not config.nav:
            config.nav = [{p.title: p.path} for p in self.pages if p.title]
        return config

    def on_files(self, files: Files, config) -> Files:
        for page in self.pages:
            if files.get_file_from_path(page.path) is not None:
                raise PluginError(f"docs/{page.path} has the path of a generated page; rename it")
            files.append(File.generated(config, page.path, content=page.content))
        for rel, data in self.extra_files.items():
            files.append(File.generated(config, rel, content=data))
        return files
