"""A release of the catalog (scripts/release.py, .github/workflows/release.yml): the tag must be catalog.yaml's
version; the release pins every work in CITATION.cff's references, which cffconvert accepts."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

import consumers

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "data" / "mini_catalog"
spec = importlib.util.spec_from_file_location("release", ROOT / "scripts" / "release.py")
release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release)


def _catalog(tmp_path: Path, **settings) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    info = yaml.safe_load((root / "catalog.yaml").read_text(encoding="utf-8"))
    info.update(settings)
    (root / "catalog.yaml").write_text(yaml.safe_dump(info, sort_keys=False), encoding="utf-8")
    return root


def test_a_tag_that_is_not_the_catalogs_version_is_refused_with_the_fix(tmp_path):
    root = _catalog(tmp_path, version="1.2", released="2026-12-01")
    assert release.check("v1.2", root) == []
    (problem,) = release.check("v1.3", root)
    assert "`version` is '1.2' but the tag is 'v1.3'" in problem and "tag 'v1.2'" in problem
    bare = _catalog(tmp_path / "b")
    assert [p for p in release.check("v1.0", bare) if "no `version`" in p]
    assert [p for p in release.check("v1.0", bare) if "no `released`" in p]


def test_a_release_pins_every_work_and_cites_the_version(tmp_path):
    from aligncat import load_catalog

    root = _catalog(tmp_path, version="1.2", released="2026-12-01")
    n = release.export_release("v1.2", tmp_path / "dist", root, meta_dir=tmp_path)
    cat = load_catalog(root)
    assert n == len(cat.records)
    doc = yaml.safe_load((tmp_path / "dist" / "CITATION.cff").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2" and str(doc["date-released"]) == "2026-12-01"
    assert len(doc["references"]) == n
    assert (tmp_path / "release-title.txt").read_text().strip() == f"Toy Catalog v1.2 ({n} works)"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "CITATION.cff", "toy-catalog-v1.2.bib", "toy-catalog-v1.2.json", "toy-catalog-v1.2.ris"]
    exe = consumers.cffconvert()
    if exe is None:
        pytest.skip("cffconvert could not be installed")
    res = consumers.cff_validate(exe, tmp_path / "dist" / "CITATION.cff")
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_release_workflow_runs_the_release_script_on_tags_only():
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    doc = yaml.safe_load(text)
    assert doc[True] == {"push": {"tags": ["v*"]}}
    runs = [s.get("run", "") for s in doc["jobs"]["release"]["steps"]]
    assert any('scripts/release.py check "$TAG"' in r for r in runs)
    assert any('scripts/release.py export "$TAG" dist' in r for r in runs)
    assert any(r.startswith('gh release create "$TAG" dist/*') for r in runs)
