"""Site stage: the catalog as a static site (MkDocs with mkdocs-material, or Zensical).

One job a module, no cycles (each imports only those above it):

- `docs`: what the site holds (pages, hand-written guide pages, assets, navigation) and the generated docs folder
  with its mkdocs.yml; no MkDocs import;
- `config`: the project's mkdocs.yml read as plain YAML, and the generated one made from it and the plan;
- `csp`: the pages' Content Security Policy, from the plan and the config;
- `search`: the search backend (lunr or Pagefind) and Pagefind's index of a built site;
- `plugin`: the MkDocs plugin, the one MkDocs path: the same plan handed to MkDocs through its public events;
- `mkdocs_engine`: the one module that uses MkDocs' private functions (the reuse of unchanged pages, the live
  preview's rebuild), each named in its docstring with the MkDocs version it was read from;
- `engines`: a strict build with MkDocs or Zensical;
- `build`: `build_site`, the atomic build of site/;
- `serve`: the live preview with its watcher.
"""

from __future__ import annotations

from .build import BuildLocked, build_site
from .docs import (
    ASSETS_DIR,
    BUILD_DIR,
    ENGINES,
    OWN_ASSETS,
    RenderResult,
    SiteError,
    copy_npm_assets,
    find_project_root,
    generate_pages,
    render_site,
    site_plan,
)
from .engines import run_engine

__all__ = [
    "ASSETS_DIR",
    "BUILD_DIR",
    "ENGINES",
    "OWN_ASSETS",
    "BuildLocked",
    "RenderResult",
    "SiteError",
    "build_site",
    "copy_npm_assets",
    "find_project_root",
    "generate_pages",
    "render_site",
    "run_engine",
    "site_plan",
]
