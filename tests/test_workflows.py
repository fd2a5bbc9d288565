"""Repository plumbing: GitHub workflows are least-privilege and pinned, pre-commit and record docs stay true."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as 'on'.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def test_there_is_a_pull_request_workflow_and_a_pages_deploy():
    names = {p.name for p in WORKFLOWS}
    assert {"pull-request.yml", "deploy-pages.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_a_version_comment(path):
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text())
    assert uses
    for ref, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.search(r"#\s*v\d+(\.\d+)*", rest), f"{ref}: add '# vX.Y.Z'"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_least_privilege_and_no_pull_request_target(path):
    doc = _load(path)
    assert "pull_request_target" not in doc["on"]
    assert "permissions" in doc, "set top-level permissions"
    top = doc["permissions"] or {}
    assert all(v in ("read", "none") for v in top.values()), top
    assert "concurrency" in doc
    for name, job in doc["jobs"].items():
        perms = job.get("permissions", {})
        writes = {k for k, v in perms.items() if v == "write"}
        if path.name == "release.yml":
            # the one job that publishes a release, run only for a tag a maintainer pushed
            assert doc["on"] == {"push": {"tags": ["v*"]}} and writes <= {"contents"}, (name, writes)
        else:
            assert writes <= {"pages", "id-token"}, (name, writes)
            if writes:
                assert name == "deploy" and "github-pages" in str(job.get("environment"))
        for step in job.get("steps", []):
            if "actions/checkout" in step.get("uses", ""):
                assert step.get("with", {}).get("persist-credentials") is False, name


def test_pull_request_checks_validate_with_annotations_format_test_and_build():
    text = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    doc = _load(ROOT / ".github" / "workflows" / "pull-request.yml")
    assert "pull_request" in doc["on"]
    for command in (
        "aligncat validate catalog --format github",
        "aligncat fmt --check catalog",
        "python -m pytest",
        "aligncat build",
    ):
        assert command in text, command


def test_pages_deploy_runs_from_main_only():
    doc = _load(ROOT / ".github" / "workflows" / "deploy-pages.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in doc["on"]
    assert doc["jobs"]["build"]["if"] == "github.ref == 'refs/heads/main'"
    assert doc["concurrency"]["cancel-in-progress"] is False


def test_issue_form_and_pr_template_exist_and_parse():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "propose-resource.yml").read_text())
    ids = [b.get("id") for b in form["body"] if b["type"] != "markdown"]
    assert {"kind", "link", "why"} <= set(ids)
    assert "aligncat validate" in (ROOT / ".github" / "pull_request_template.md").read_text()


def test_pre_commit_hooks_run_validate_and_fmt_check_locally():
    cfg = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in cfg["repos"] for h in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in cfg["repos"])
    assert hooks["aligncat-validate"]["entry"].startswith("aligncat validate")
    assert hooks["aligncat-fmt"]["entry"] == "aligncat fmt --check"


def test_record_format_page_matches_the_schemas():
    spec = importlib.util.spec_from_file_location(
        "gen_record_format", ROOT / "scripts" / "gen_record_format.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs" / "record-format.md").read_text(encoding="utf-8")
    assert page == module.record_format_markdown(), "run: python scripts/gen_record_format.py"
    # every property of every record schema is documented
    for kind in ("paper", "dataset", "benchmark", "resource"):
        for prop in yaml.safe_load(
            (ROOT / "src" / "aligncat" / "schemas" / f"{kind}.schema.json").read_text()
        )["properties"]:
            assert f"| `{prop}` |" in page, prop


def test_citation_cff_is_the_current_export_of_the_catalog_citation():
    from aligncat import load_catalog
    from aligncat.export import Selection, export

    cat = load_catalog(ROOT / "catalog", checks=False)
    expected = export(cat, "cff", Selection(ids=(cat.info.survey,)))
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == expected, (
        f"run: aligncat export cff catalog --id {cat.info.survey} -o CITATION.cff"
    )


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy-pages.yml"])
def test_committed_build_output_fails_the_checks(tmp_path, name):
    """Files under .aligncat-build/ (caches the build reuses) or site/ must not come in through a pull request."""
    import subprocess

    steps = [s for job in _load(ROOT / ".github" / "workflows" / name)["jobs"].values() for s in job["steps"]]
    (script,) = [s["run"] for s in steps if s.get("name", "").startswith("No build output committed")]

    def run_in(repo: Path) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", script], cwd=repo, capture_output=True, text=True)

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "README.md").write_text("x\n")
    subprocess.run([*git, "add", "README.md"], cwd=tmp_path, check=True)
    assert run_in(tmp_path).returncode == 0
    cached = tmp_path / ".aligncat-build" / "mkdocs" / "page-cache" / "0123.page"
    cached.parent.mkdir(parents=True)
    cached.write_text("forged\n")
    subprocess.run([*git, "add", "-f", str(cached)], cwd=tmp_path, check=True)
    result = run_in(tmp_path)
    assert result.returncode == 1 and ".aligncat-build/mkdocs/page-cache/0123.page" in result.stdout
