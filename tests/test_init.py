"""`aligncat init`: a new catalog project for another survey, from nothing to an imported, validated, built site."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.scaffold_catalog import CYTOSCAPE_INTEGRITY, CYTOSCAPE_VERSION, Settings, project_files

ROOT = Path(__file__).parents[1]
MD = Path(__file__).parent / "data" / "import" / "md"


def run(*args, cwd: Path | None = None):
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_init_writes_a_valid_catalog_and_refuses_to_overwrite(tmp_path):
    proj = tmp_path / "graph-survey"
    res = run(
        "init",
        proj,
        "--title",
        "Graph Learning Survey",
        "--repository",
        "https://github.com/org/graph-survey",
    )
    assert res.exit_code == 0, res.output
    for rel in (
        "catalog/catalog.yaml",
        "catalog/taxonomy.yaml",
        "catalog/vocabularies/tags.yaml",
        "mkdocs.yml",
        "package.json",
        "package-lock.json",
        "requirements.txt",
        ".github/workflows/pull-request.yml",
        ".github/workflows/deploy-pages.yml",
        ".gitignore",
        "README.md",
    ):
        assert (proj / rel).is_file(), rel
    cat = load_catalog(proj / "catalog")
    assert not cat.errors and cat.info.title == "Graph Learning Survey"
    assert cat.info.repository == "https://github.com/org/graph-survey"
    readme = (proj / "README.md").read_text()
    assert "aligncat validate" in readme and "aligncat serve" in readme

    (proj / "README.md").write_text("my own readme\n")
    again = run("init", proj)
    assert again.exit_code == 1 and "already exist" in again.output and "--force" in again.output
    assert (proj / "README.md").read_text() == "my own readme\n"  # nothing was replaced
    forced = run("init", proj, "--force", "--title", "Graph Learning Survey")
    assert forced.exit_code == 0 and "aligncat validate" in (proj / "README.md").read_text()


def test_init_refuses_values_the_catalog_cannot_hold(tmp_path):
    res = run("init", tmp_path / "x", "--title", 'A "quoted" title')
    assert res.exit_code == 1 and "no '<', '>' or '\"'" in res.output
    assert not (tmp_path / "x").exists()
    res = run("init", tmp_path / "y", "--repository", "javascript:alert(1)")
    assert res.exit_code == 1 and "http(s) URL" in res.output


def test_starter_files_say_nothing_about_any_field():
    files = project_files(Settings(title="T", description="D"))
    for rel, text in files.items():
        hits = re.findall(
            r"align(?!cat)|rlhf|preference|instruction|human value|llm|language model", text, re.I
        )
        assert not hits, (rel, hits)


def test_starter_yaml_and_json_files_parse(tmp_path):
    import yaml

    files = project_files(Settings(title="T", description="D", repository="https://github.com/o/r"))
    for rel, text in files.items():
        if rel.endswith((".yml", ".yaml")):
            data = yaml.safe_load(text)
            assert isinstance(data, dict), rel
        elif rel.endswith(".json"):
            json.loads(text)
    pr = yaml.safe_load(files[".github/workflows/pull-request.yml"])
    assert (
        pr["permissions"] == {"contents": "read"} and "pull_request_target" not in pr[True]
    )  # YAML 1.1: on -> True
    deploy = yaml.safe_load(files[".github/workflows/deploy-pages.yml"])
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_starter_lock_matches_the_projects_npm_lock():
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/cytoscape"]
    assert (lock["version"], lock["integrity"]) == (CYTOSCAPE_VERSION, CYTOSCAPE_INTEGRITY)
    pkg = json.loads((ROOT / "package.json").read_text())
    assert pkg["dependencies"]["cytoscape"] == f"^{CYTOSCAPE_VERSION}"


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "node_modules" / "cytoscape").is_dir(), reason="npm ci has not been run here")
def test_init_then_import_then_build_then_validate(tmp_path):
    proj = tmp_path / "new-survey"
    assert run("init", proj, "--title", "New Survey").exit_code == 0
    # what `npm ci` would do in the new project: the site's npm files, here from this checkout's node_modules
    (proj / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    imp = run(
        "import", "markdown", MD / "year_headings.md", "--catalog", proj / "catalog", "--map", "2024=methods"
    )
    assert "5 imported" in imp.output, imp.output
    built = run("build", "--project", proj, proj / "catalog", cwd=proj)
    assert built.exit_code == 0, built.output
    assert (proj / "site" / "index.html").is_file()
    assert "New Survey" in (proj / "site" / "index.html").read_text()
    valid = run("validate", proj / "catalog")
    assert valid.exit_code == 0, valid.output
    cat = load_catalog(proj / "catalog")
    assert len(cat.records) == 5 and cat.in_category("methods")
