"""Scaffold stage: the files of a new catalog project for another survey (`aligncat init`).

Everything here is neutral: a one-level starter taxonomy and tag list the survey's author renames, a site
configuration, the npm files the site copies, the pull-request and deploy workflows and a README. Nothing in these
files is about any particular field; the values given (title, description, licence, repository) are checked
against the catalog schema's rules before anything is written, and an existing file is never replaced unless
`force` is set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .atomic import write_atomic
from .yamlio import dump

# The site copies this npm package's files at build time (render/graph_views.CYTOSCAPE); kept equal to the
# project's own package-lock.json by tests/test_init.py.
CYTOSCAPE_VERSION = "3.35.0"
CYTOSCAPE_INTEGRITY = (
    "sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g=="
)
_PLAIN = re.compile(r'^[^<>"]*$')


class ScaffoldError(ValueError):
    """A value the new catalog cannot hold, or files that are in the way; the message says how to fix it."""


@dataclass(frozen=True)
class Settings:
    title: str
    description: str
    license: str = "CC-BY-4.0"
    repository: str | None = None


def _check(settings: Settings) -> None:
    for name in ("title", "description", "license"):
        value = getattr(settings, name)
        if not value or not value.strip():
            raise ScaffoldError(f"--{name} must not be empty")
        if not _PLAIN.match(value):
            raise ScaffoldError(
                f"--{name} {value!r}: no '<', '>' or '\"' (the site writes it into every page as it is); "
                "write “ ” for quotes"
            )
    repo = settings.repository
    if repo is not None and not re.fullmatch(r"https?://[^\s/$.?#][^\s\"<>]*", repo):
        raise ScaffoldError(
            f"--repository {repo!r}: give the repository's http(s) URL, e.g. https://github.com/org/repo"
        )


def catalog_yaml(s: Settings) -> str:
    info: dict[str, object] = {"title": s.title, "description": s.description, "license": s.license}
    if s.repository:
        repo = s.repository.rstrip("/")
        info["repository"] = repo
        if re.match(r"https://(github|gitlab)\.com/", repo):
            info["edit_base"] = f"{repo}/edit/main/"
    info["time_order_tolerance"] = 1
    return "# What this catalog is. Every field is described in aligncat's docs/record-format.md.\n" + dump(
        info
    )


TAXONOMY = """\
# The catalog's taxonomy: rename and extend it to follow your survey's sections.
# goal_levels: the levels your survey's argument moves through (one is enough to start).
# perspectives: the sides from which each level is seen (for instance how something is done, how it is measured).
# schemes: category trees; records list category ids in 'categories'. The first scheme is the primary one.
goal_levels:
- id: topic
  title: Topic
  description: The subject of the survey. Rename it, or split it into the levels your survey distinguishes.
perspectives:
- id: methods
  title: Methods
  description: How the works approach the topic.
- id: evaluation
  title: Evaluation
  description: How the works measure progress on the topic.
schemes:
- id: survey
  title: Survey taxonomy
  description: The survey's sections. Replace these starter categories with your own.
  categories:
  - id: methods
    title: Methods
    description: Works that propose a method.
    perspective: methods
    goal_level: topic
  - id: evaluation
    title: Evaluation
    description: Benchmarks, datasets and studies that measure methods.
    perspective: evaluation
    goal_level: topic
"""

TAGS = """\
# The controlled tag vocabulary: records may only use these ids. Add the tags your survey needs.
tags:
- id: survey-paper
  title: Survey
  description: A survey or review of other works.
- id: dataset
  title: Dataset
  description: Introduces a dataset.
- id: benchmark
  title: Benchmark
  description: Introduces a benchmark or an evaluation suite.
- id: tool
  title: Tool
  description: Software others can use.
"""

MKDOCS = """\
# Site settings. `aligncat build` renders catalog/ into pages and writes a generated config from this one, so this
# file holds only what a person would tune. site_name and site_description come from catalog/catalog.yaml.
theme:
  name: material
  font: false            # the site never loads fonts (or anything else) from a third-party host
  language: en
  features:
    - navigation.tabs
    - navigation.top
    - search.highlight
    - search.suggest
    - toc.follow
plugins:
  - search
markdown_extensions:
  - attr_list
  - md_in_html
  - tables
  - admonition
  - toc:
      permalink: true
validation:
  anchors: warn
  unrecognized_links: warn
"""

GITIGNORE = """\
/site/
/.aligncat-build/
/node_modules/
.venv/
__pycache__/
"""

REQUIREMENTS = f"""\
# The tools the checks and the site build need. aligncat {__version__} with its site extra; point the line at
# where you install aligncat from (a package index, a wheel URL or a git URL such as
# 'aligncat[site] @ git+https://github.com/ORG/aligncat@v{__version__}'), and pin it.
aligncat[site]=={__version__}
"""


def package_json() -> str:
    return (
        json.dumps(
            {
                "name": "catalog-site",
                "private": True,
                "description": "Front-end files the site copies from node_modules at build time (nothing is loaded from a CDN).",
                "dependencies": {"cytoscape": f"^{CYTOSCAPE_VERSION}"},
            },
            indent=2,
        )
        + "\n"
    )


def package_lock() -> str:
    return (
        json.dumps(
            {
                "name": "catalog-site",
                "lockfileVersion": 3,
                "requires": True,
                "packages": {
                    "": {"name": "catalog-site", "dependencies": {"cytoscape": f"^{CYTOSCAPE_VERSION}"}},
                    "node_modules/cytoscape": {
                        "version": CYTOSCAPE_VERSION,
                        "resolved": f"https://registry.npmjs.org/cytoscape/-/cytoscape-{CYTOSCAPE_VERSION}.tgz",
                        "integrity": CYTOSCAPE_INTEGRITY,
                        "license": "MIT",
                        "engines": {"node": ">=0.10"},
                    },
                },
            },
            indent=2,
        )
        + "\n"
    )


_SETUP = """\
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
        with:
          python-version: "3.11"
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
        with:
          node-version: "20"
      - name: Install aligncat and the site's npm files
        run: |
          python -m pip install -r requirements.txt
          npm ci --no-audit --no-fund
"""

PULL_REQUEST_WORKFLOW = f"""\
# Checks every pull request: the catalog is validated (each problem becomes an annotation on the changed line),
# its formatting checked and the site built strictly. Read-only token, no secrets, and `pull_request` (never
# `pull_request_target`), so a fork's code never sees this repository's credentials.
name: checks

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
{_SETUP}      - name: Validate
        run: aligncat validate catalog --format github
      - name: Check canonical formatting
        run: aligncat fmt --check catalog
      - name: Build the site (strict)
        run: aligncat build
"""

DEPLOY_WORKFLOW = f"""\
# Publishes the site to GitHub Pages from main. The build job can only read the repository; only the deploy job
# may write to Pages, with the OIDC token it needs for that. Enable Pages (source: GitHub Actions) in the settings.
name: deploy site

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions: {{}}

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
{_SETUP}      - name: Validate, then build
        run: |
          aligncat validate catalog --format github
          aligncat build
      - uses: actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0
      - uses: actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1
        with:
          path: site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5
"""


def readme(s: Settings) -> str:
    return f"""\
# {s.title}

{s.description}

The catalog is in `catalog/`: one YAML file per work, checked and published with
aligncat {__version__}.

## Two commands

```sh
aligncat validate      # check every record; each problem is shown with file:line and how to fix it
aligncat serve         # build the site and preview it at http://127.0.0.1:8000 (aligncat build writes site/)
```

Set up once: `python -m pip install -r requirements.txt` and `npm ci` (the site copies its graph library from
`node_modules/`; nothing is loaded from a third-party host).

## Adding works

```sh
aligncat import markdown README-of-a-list.md --dry-run   # see what would be imported, then run it without --dry-run
aligncat import bibtex references.bib
aligncat new paper --title "..." --year 2024 --author "Family, Given" --category methods
```

Every entry of an import is reported: imported, a duplicate of which record, or unusable with the reason.
Edit `catalog/taxonomy.yaml` and `catalog/vocabularies/tags.yaml` to follow your survey's sections first.

Licence of the catalog data: {s.license}.
"""


def project_files(s: Settings) -> dict[str, str]:
    """Every file of a new catalog project, by path relative to its folder."""
    _check(s)
    return {
        "catalog/catalog.yaml": catalog_yaml(s),
        "catalog/taxonomy.yaml": TAXONOMY,
        "catalog/vocabularies/tags.yaml": TAGS,
        "mkdocs.yml": MKDOCS,
        "package.json": package_json(),
        "package-lock.json": package_lock(),
        "requirements.txt": REQUIREMENTS,
        ".github/workflows/pull-request.yml": PULL_REQUEST_WORKFLOW,
        ".github/workflows/deploy-pages.yml": DEPLOY_WORKFLOW,
        ".gitignore": GITIGNORE,
        "README.md": readme(s),
    }


def init_project(root: Path, settings: Settings, *, force: bool = False) -> list[Path]:
    """Write a new catalog project into `root`; refuses (writing nothing) when a file is in the way, unless force."""
    files = project_files(settings)
    targets = {rel: root / rel for rel in files}
    in_the_way = [p for p in targets.values() if p.exists()]
    if in_the_way and not force:
        names = ", ".join(str(p) for p in in_the_way)
        raise ScaffoldError(
            f"{names} already exist(s); nothing was written. Choose an empty folder, or pass --force "
            "to replace these files"
        )
    for p in in_the_way:
        if p.is_dir():
            raise ScaffoldError(f"{p} is a folder; move it away first")
    written = []
    for rel, text in files.items():
        write_atomic(targets[rel], text)
        written.append(targets[rel])
    return written
