"""fmt: canonical key order from the schema, comments kept, values unchanged, idempotent, atomic, --check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aligncat.cli import main
from aligncat.fmt import FormatError, format_text, iter_yaml_files, key_order

ROOT = Path(__file__).parents[1]
MINI = ROOT / "tests" / "data" / "mini_catalog"

MESSY = """\
# A record written by hand, keys out of order.
added: '2026-11-01'   # the day it was added
summary: A fictional paper used to test the formatter's key order.
kind: paper
identifiers:
  doi: 10.0000/x
  arxiv: '2001.00009'
id: omega2020-fmt
authors:
- {given: Oz, family: Omega}   # flow style is kept
title: "Omega: Formatting"
year: 2020
relations:
- {target: alpha2019-base, type: builds_on}
"""


def test_keys_follow_the_schema_order_and_comments_survive():
    out = format_text(MESSY, path=Path("papers/omega2020-fmt.yaml"))
    keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    assert keys == ["id", "kind", "title", "authors", "year", "identifiers", "summary", "relations", "added"]
    assert "# A record written by hand, keys out of order." in out.splitlines()[0]
    assert "# the day it was added" in out and "# flow style is kept" in out
    assert "- {family: Omega, given: Oz}" in out  # nested keys ordered too, in the same flow style
    assert "- {type: builds_on, target: alpha2019-base}" in out
    assert "  arxiv: '2001.00009'\n  doi: 10.0000/x" in out
    assert 'title: "Omega: Formatting"' in out  # quotes as written
    assert yaml.safe_load(out) == yaml.safe_load(MESSY)


def test_key_order_comes_from_the_schema():
    order = key_order("paper")
    assert order.keys[:4] == ("id", "kind", "title", "short_name")
    assert order.children["authors"].items.keys == ("family", "given", "literal", "orcid")
    assert key_order("dataset").keys[-1] == "dataset"


@pytest.mark.parametrize("folder", [MINI, ROOT / "catalog"], ids=["toy", "real"])
def test_fmt_changes_no_value_and_is_idempotent(folder):
    """Read-only over the real catalog: the formatted text is computed, compared, never written."""
    files = list(iter_yaml_files([folder]))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            once = format_text(text, path=path)
        except FormatError:
            continue  # a file being written right now may be mid-edit; validate reports it
        assert yaml.safe_load(once) == yaml.safe_load(text), path
        assert format_text(once, path=path) == once, path


def test_broken_yaml_is_an_error_with_file_and_line(tmp_path):
    bad = tmp_path / "papers" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: x\ntitle: [unclosed\nyear: 2020\n")
    before = bad.read_text()
    res = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert res.exit_code == 1
    assert f"{bad}:" in res.output and "error[fmt]" in res.output and "not valid YAML" in res.output
    assert bad.read_text() == before


def test_check_names_the_files_and_the_command_then_fmt_fixes_them(tmp_path):
    cat = tmp_path / "catalog"
    shutil.copytree(MINI, cat)
    messy = cat / "papers" / "omega2020-fmt.yaml"
    messy.write_text(MESSY)
    res = CliRunner().invoke(main, ["fmt", "--check", str(cat)])
    assert res.exit_code == 1
    assert f"would reformat {messy}" in res.output
    assert "to fix, run: aligncat fmt" in res.output and str(messy) in res.output
    assert messy.read_text() == MESSY  # --check writes nothing
    res = CliRunner().invoke(main, ["fmt", str(messy)])
    assert res.exit_code == 0 and f"reformatted {messy}" in res.output
    assert CliRunner().invoke(main, ["fmt", "--check", str(messy)]).exit_code == 0
    assert not list(messy.parent.glob(".*.tmp"))  # atomic write left no temporary file
