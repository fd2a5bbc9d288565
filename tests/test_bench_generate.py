"""The benchmark's synthetic catalog generator: its output is a valid catalog with every kind and relation."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from aligncat.graph import build_graph  # noqa: F401  (the graph rules must be importable for the checks)
from aligncat.load import load_catalog
from aligncat.model import ALL_KINDS

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("aligncat_bench_script", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(bench, tmp_path_factory) -> Path:
    return bench.generate_catalog(tmp_path_factory.mktemp("bench") / "cat200", 200)


def test_generated_catalog_validates_without_any_diagnostic(generated: Path) -> None:
    cat = load_catalog(generated)
    assert [d.to_text() for d in cat.diagnostics] == []
    assert len(cat.records) == 200


def test_generated_catalog_is_realistic(generated: Path) -> None:
    cat = load_catalog(generated)
    records = list(cat.records.values())
    assert set(cat.by_kind) == set(ALL_KINDS)
    relations = [rel for r in records for rel in r.relations]
    assert 3.5 <= len(relations) / len(records) <= 6.5
    assert {rel.type for rel in relations} >= {
        "builds_on",
        "extends",
        "derived_from",
        "introduces",
        "evaluates_on",
        "uses",
        "alternative_to",
        "critiques",
    }
    summaries = sorted(len(r.summary or "") for r in records)
    assert 150 <= summaries[len(summaries) // 2] <= 600
    assert len(cat.taxonomy.categories) >= 40 and len(cat.tags) >= 20
    assert Counter(r.kind for r in records)["paper"] > len(records) / 3


def test_generation_is_deterministic_and_refuses_a_full_folder(
    bench, generated: Path, tmp_path: Path
) -> None:
    again = bench.generate_catalog(tmp_path / "again", 200)
    for path in sorted(generated.rglob("*.yaml"))[:30]:
        assert (again / path.relative_to(generated)).read_text() == path.read_text()
    with pytest.raises(SystemExit, match="not empty"):
        bench.generate_catalog(generated, 10)


def test_run_times_every_pipeline_stage_and_the_build_against_its_floors(bench, tmp_path: Path, capsys) -> None:
    """`scripts/bench.py run` at a small size: a row per pipeline stage, the floors and their ratios."""
    rows: list = []
    bench.bench_size(60, ["pipeline", "build"], tmp_path, rows)
    stages = [r.stage for r in rows]
    for name in ("parse", "schema", "records and indexes", "rules", "graph", "render", "mkdocs build"):
        assert any(s.startswith(f"pipeline: {name}") for s in stages), (name, stages)
    assert "floor: CSafeLoader parse" in stages
    floor = next(r for r in rows if r.stage.startswith("floor: plain mkdocs build"))
    cold = next(r for r in rows if r.stage == "build mkdocs (cold)")
    pages = int(floor.stage.rsplit(", ", 1)[1].split()[0].replace(",", ""))
    assert pages > 60 and f"{pages:,} pages" in cold.note  # the floor builds as many pages as the site has
    assert cold.ratio == pytest.approx(cold.cpu / floor.cpu)
    rebuilt = next(r for r in rows if r.stage == "build mkdocs (1 changed)")
    assert rebuilt.floor == "cold" and rebuilt.ratio < 1  # the page cache reuses the unchanged pages
    assert all(r.seconds > 0 and r.peak_mb > 0 for r in rows)
    assert "pipeline: parse" in bench.print_table(rows)
