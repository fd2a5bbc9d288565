"""Test helper: catalogs the tests start from (not a test module)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

MINI = Path(__file__).parent / "data" / "mini_catalog"


def empty_catalog_at(dest: Path) -> Path:
    """The toy catalog's settings, taxonomy and tags with no records (the survey reference dropped), at `dest`."""
    dest.mkdir()
    shutil.copy(MINI / "taxonomy.yaml", dest)
    shutil.copytree(MINI / "vocabularies", dest / "vocabularies")
    info = yaml.safe_load((MINI / "catalog.yaml").read_text())
    info.pop("survey", None)
    (dest / "catalog.yaml").write_text(yaml.safe_dump(info))
    return dest
