"""The CLI as a contributor meets it: exit codes, output formats, and messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from aligncat.cli import main
from invalid_cases import INVALID, MINI


@pytest.fixture()
def broken(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    (root / "papers" / "typo2020.yaml").write_bytes((INVALID / "unknown-field.yaml").read_bytes())
    (root / "papers" / "ref2020.yaml").write_bytes((INVALID / "dangling-ref.yaml").read_bytes())
    return root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_clean_catalog_exits_0() -> None:
    result = run("validate", str(MINI))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output and "9 valid records" in result.output


def test_validate_broken_catalog_exits_1_and_lists_everything(broken) -> None:
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert "papers/typo2020.yaml:4:1: error[unknown-field] /titel: unknown field 'titel'" in result.output
    assert "hint: did you mean 'title'?" in result.output
    assert "papers/ref2020.yaml:7:29: error[dangling-ref]" in result.output
    assert "did you mean 'alpha2019-base'?" in result.output


def test_validate_json_format(broken) -> None:
    result = run("validate", str(broken), "--format", "json")
    data = json.loads(result.output)
    codes = {d["code"] for d in data}
    assert {"unknown-field", "dangling-ref", "self-relation"} <= codes
    assert all({"path", "line", "col", "pointer", "severity", "code", "message", "hint"} <= set(d) for d in data)


def test_validate_github_annotations(broken, monkeypatch) -> None:
    # As in the workflow: run from the repository root, so annotation paths are repository paths GitHub can place.
    monkeypatch.chdir(broken.parent)
    result = CliRunner().invoke(main, ["validate", broken.name, "--format", "github"])
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    expected = f"::error file={broken.name}/papers/typo2020.yaml,line=4,col=1,title=unknown-field::"
    assert any(ln.startswith(expected) for ln in lines), lines
    assert all("\n" not in ln for ln in lines)


def test_strict_turns_warnings_into_failure(tmp_path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    text = (root / "papers" / "delta2022-critique.yaml").read_text()
    (root / "papers" / "delta2022-critique.yaml").write_text(
        "\n".join(ln for ln in text.splitlines() if not ln.startswith("summary:")) + "\n")
    assert run("validate", str(root)).exit_code == 0
    assert run("validate", str(root), "--strict").exit_code == 1


def test_usage_errors_exit_2() -> None:
    assert run("validate", "--format", "xml").exit_code == 2
    assert run("export", "nonsense", str(MINI)).exit_code == 2
    assert run("export", "json", str(MINI), "--category", "no-such").exit_code == 2


def test_export_json_to_file(tmp_path) -> None:
    out = tmp_path / "out" / "catalog.json"
    result = run("export", "json", str(MINI), "-o", str(out), "--kind", "dataset")
    assert result.exit_code == 0
    doc = json.loads(out.read_text())
    assert sorted(r["id"] for r in doc["records"]) == ["toyinst2020-data", "toyinst2021-v2"]
    assert not list(out.parent.glob(".*.tmp")), "no temporary file is left behind"


def test_export_refuses_a_broken_catalog(broken, tmp_path) -> None:
    out = tmp_path / "x.json"
    result = run("export", "json", str(broken), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()


def test_stats_counts() -> None:
    result = run("stats", str(MINI))
    assert result.exit_code == 0
    assert "9 records" in result.output
    assert "Level One / Evaluation" in result.output
    lines = {ln.split()[0]: ln.split()[-1] for ln in result.output.splitlines() if ln.strip()}
    assert lines["paper"] == "5" and lines["dataset"] == "2"


def test_console_script_runs() -> None:
    exe = shutil.which("aligncat", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the console script is installed with the package"
    proc = subprocess.run([exe, "validate", str(MINI)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
