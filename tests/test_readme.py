"""`aligncat readme`: an awesome-list section with each work once and anchors that resolve."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.export import export
from aligncat.export.awesome_md import BEGIN_MARK, END_MARK, Anchors

MINI = Path(__file__).parent / "data" / "mini_catalog"


def test_each_work_is_listed_in_full_once_and_every_anchor_resolves():
    cat = load_catalog(MINI)
    text = export(cat, "awesome-md")
    full = re.findall(r"^\d+\. \*\*(.+?)\*\*\. ", text, re.M)
    filed = {r.title for r in cat.records.values()}
    assert sorted(full) == sorted(filed)  # once each, none missing
    anchors, seen = Anchors(), set()
    for heading in re.findall(r"^#{2,6} (.+)$", text, re.M):
        seen.add(anchors.make(heading))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets <= seen, targets - seen
    assert "(#one-1)" in text  # the second 'One' heading gets GitHub's -1 suffix


def test_readme_update_replaces_only_between_marks(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Intro\n\nkept\n\n{BEGIN_MARK}\nold list\n{END_MARK}\n\n## After\n")
    res = CliRunner().invoke(main, ["readme", "--catalog", str(MINI), "--update", str(readme)])
    assert res.exit_code == 0, res.output
    text = readme.read_text()
    assert text.startswith("# Intro\n\nkept\n") and text.endswith(f"{END_MARK}\n\n## After\n")
    assert "old list" not in text and "**Alpha: A Base Method for Toy Alignment**" in text
    again = CliRunner().invoke(main, ["readme", "--catalog", str(MINI), "--update", str(readme)])
    assert "unchanged" in again.output


def test_readme_update_without_marks_says_what_to_add(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no marks\n")
    res = CliRunner().invoke(main, ["readme", "--catalog", str(MINI), "--update", str(readme)])
    assert res.exit_code == 2 and BEGIN_MARK in res.output
    assert readme.read_text() == "# no marks\n"


def test_readme_escapes_markdown_in_titles(tmp_path):
    cat = tmp_path / "catalog"
    shutil.copytree(MINI, cat)
    p = cat / "papers" / "delta2022-critique.yaml"
    p.write_text(
        p.read_text().replace(
            "title: 'Delta: What Gamma Gets Wrong'", "title: 'Delta: *What* [Gamma] Gets_Wrong'"
        )
    )
    text = export(load_catalog(cat), "awesome-md")
    assert r"**Delta: \*What\* \[Gamma\] Gets\_Wrong**" in text
