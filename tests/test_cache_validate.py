"""`aligncat validate` with its cache: byte-identical to `--no-cache` (cold, warm, after an edit), and a cache that
is not ours, is damaged or is too large is never trusted."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat.cache import MAX_CACHE_BYTES, ValidationCache, validate_catalog_cached
from aligncat.cli import main
from aligncat.load import load_catalog, validate_catalog
from invalid_cases import INVALID, MINI, case_names, placement

ROOT = Path(__file__).resolve().parents[1]


def _validate(catalog: Path, xdg: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *extra, str(catalog)], env={"XDG_CACHE_HOME": str(xdg)})
    return result.exit_code, result.output


def _age(root: Path, seconds: float = 60) -> None:
    """Make every file look older than the cache's racy window, as files usually are."""
    old = time.time() - seconds
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))


def _edit(path: Path) -> None:
    raw = path.read_bytes()  # some cases are not UTF-8
    path.write_bytes(raw.replace(b"title:", b"title: Edited", 1) if b"title:" in raw else raw + b"\n# edited\n")


def _case_catalog(tmp_path: Path, case: str | None) -> Path:
    root = tmp_path / "catalog"
    if case is None:
        shutil.copytree(ROOT / "catalog", root)
    else:
        shutil.copytree(MINI, root)
        target = root / placement(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((INVALID / f"{case}.yaml").read_bytes())
    return root


@pytest.mark.parametrize("case", [None, *case_names()], ids=["real-catalog", *case_names()])
def test_cached_output_is_byte_identical_to_uncached(tmp_path: Path, case: str | None) -> None:
    root = _case_catalog(tmp_path, case)
    _age(root)
    xdg = tmp_path / "xdg"
    for fmt in ("text", "json"):
        expected = _validate(root, xdg, "--no-cache", "--format", fmt)
        assert _validate(root, xdg, "--format", fmt) == expected  # fills the cache (or reads it, second format)
        assert _validate(root, xdg, "--format", fmt) == expected  # from the cache
    # The same as the whole load the site uses, in the same order.
    loaded = load_catalog(root)
    assert validate_catalog(root).diagnostics == loaded.diagnostics
    # After one file changed (the case's own file, or a record of the real catalog), warm equals cold again.
    changed = root / placement(case) if case else sorted((root / "papers").glob("*.yaml"))[3]
    if changed.is_file():
        _edit(changed)
        expected = _validate(root, xdg, "--no-cache")
        assert _validate(root, xdg) == expected
        assert _validate(root, xdg) == expected


def test_warm_run_reads_only_the_changed_file_and_reuses_the_rules(tmp_path: Path, monkeypatch) -> None:
    from aligncat.load import validate_facts

    monkeypatch.setattr(ValidationCache, "RACY_SECONDS", 0.0)  # the files were all written just now

    def run() -> ValidationCache:
        cache = ValidationCache(root, cache_dir)
        validate_facts(root, reader=cache.facts_reader, settings_reader=cache.settings_reader)
        cache.save()
        return cache

    root = _case_catalog(tmp_path, None)
    cache_dir = tmp_path / "cache"
    cold = validate_catalog_cached(root, cache_dir=cache_dir)
    assert validate_catalog_cached(root, cache_dir=cache_dir) == cold == validate_catalog(root)
    warm = run()
    assert (warm.status, warm.misses, warm.hashed) == ("loaded", 0, 0)  # nothing read: every stat is as it was
    path = sorted((root / "papers").glob("*.yaml"))[5]
    path.write_text(path.read_text().replace("summary:", "summary: Changed.", 1))
    changed = run()
    assert (changed.misses, changed.hashed) == (1, 1)
    assert (run().misses, run().hashed) == (0, 0)
    assert validate_catalog_cached(root, cache_dir=cache_dir) == validate_catalog(root)


def test_an_edit_that_restores_size_and_modification_time_is_still_seen(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    _age(root, 3600)
    cache_dir = tmp_path / "cache"
    assert validate_catalog_cached(root, cache_dir=cache_dir).errors == ()
    path = root / "papers" / "beta2020-method.yaml"
    st = path.stat()
    text = path.read_text()
    path.write_text(text.replace("year: 2020", "year: 2o20"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    result = validate_catalog_cached(root, cache_dir=cache_dir)
    assert "wrong-type" in [d.code for d in result.errors]
    assert result == validate_catalog(root)


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "other-key", "group-readable", "symlink"])
def test_a_cache_that_is_damaged_or_not_private_is_not_trusted(tmp_path: Path, damage: str) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    cache_dir = tmp_path / "cache"
    good = validate_catalog_cached(root, cache_dir=cache_dir)
    cache = ValidationCache(root, cache_dir)
    assert cache.status == "loaded"
    raw = cache.file.read_bytes()
    if damage == "flip":  # a poisoned entry inside a well-formed file: the HMAC catches it
        cache.file.write_bytes(raw.replace(b"beta2020-method", b"beta2020-methoX"))
    elif damage == "truncate":
        cache.file.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        cache.file.write_bytes(b"\x00\xff not a cache")
    elif damage == "other-key":  # sealed, but with a key that is not ours
        (cache_dir / "hmac-key").write_bytes(os.urandom(32))
    elif damage == "group-readable":
        os.chmod(cache.file, 0o640)
    else:
        elsewhere = tmp_path / "elsewhere.bin"
        cache.file.rename(elsewhere)
        cache.file.symlink_to(elsewhere)
    again = ValidationCache(root, cache_dir)
    assert again.status in ("corrupt", "untrusted")
    assert validate_catalog_cached(root, cache_dir=cache_dir) == good


def test_a_key_file_others_can_read_disables_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    cache_dir = tmp_path / "cache"
    good = validate_catalog_cached(root, cache_dir=cache_dir)
    os.chmod(cache_dir / "hmac-key", 0o644)
    assert ValidationCache(root, cache_dir).status == "untrusted"
    assert validate_catalog_cached(root, cache_dir=cache_dir) == good


def test_a_cache_file_over_the_bound_is_not_read(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    cache_dir = tmp_path / "cache"
    good = validate_catalog_cached(root, cache_dir=cache_dir)
    cache = ValidationCache(root, cache_dir)
    size = cache.file.stat().st_size
    monkeypatch.setattr("aligncat.cache.MAX_CACHE_BYTES", size - 1)
    assert ValidationCache(root, cache_dir).status == "too-large"
    assert validate_catalog_cached(root, cache_dir=cache_dir) == good
    assert MAX_CACHE_BYTES > 100 * size


def test_cache_files_are_private(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    cache_dir = tmp_path / "cache"
    validate_catalog_cached(root, cache_dir=cache_dir)
    cache = ValidationCache(root, cache_dir)
    assert cache.file.stat().st_mode & 0o777 == 0o600
    assert (cache_dir / "hmac-key").stat().st_mode & 0o777 == 0o600


def test_an_oversized_record_is_refused_the_same_with_either_cache(tmp_path: Path) -> None:
    from aligncat.cache import load_catalog_cached

    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    (root / "papers" / "huge2020.yaml").write_bytes(b"id: huge2020\nsummary: '" + b"x" * 3_000_000 + b"'\n")
    expected = validate_catalog(root)
    assert "file-too-large" in [d.code for d in expected.errors]
    for _ in range(2):
        assert validate_catalog_cached(root, cache_dir=tmp_path / "cache") == expected
        assert load_catalog_cached(root, cache_dir=tmp_path / "cache").diagnostics == expected.diagnostics


def _mutate(path: Path, rng, ids: list[str]) -> None:
    """One random edit of a record, of the kinds that change what other records' rules see."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rels = data.setdefault("relations", [])
    choice = rng.randrange(11)
    if choice == 0:
        data["year"] = data["year"] + rng.choice([-3, -1, 1, 3])
    elif choice == 1 and rels:
        rels.pop(rng.randrange(len(rels)))
    elif choice == 2:
        rels.append({"type": rng.choice(["builds_on", "extends", "uses", "evaluates_on", "critiques"]),
                     "target": rng.choice(ids)})
    elif choice == 3:
        rels.append({"type": "builds_on", "target": rng.choice(ids) + rng.choice(["", "-x"])})
    elif choice == 4:
        data["title"] = rng.choice(ids).replace("-", " ").title()
    elif choice == 5:
        data.pop("summary", None) if "summary" in data else data.update(summary="Now with a summary.")
    elif choice == 6:
        data["categories"] = [*data.get("categories", []), rng.choice(["no-such-category", "def-one"])][-2:]
    elif choice == 7:
        data.setdefault("identifiers", {})["arxiv"] = rng.choice(["2203.02155", "2212.08073", "1706.03741"])
    elif choice == 8:
        data["tags"] = [rng.choice(["rlhf", "no-such-tag"])]
    elif choice == 9:
        data["kind"] = rng.choice(["paper", "dataset", "benchmark"])  # may break the schema or the folder
    if not rels:
        data.pop("relations")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    if choice == 10:
        text = "# a comment that moves every line down\n\n" + text
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("seed", range(3))
def test_incremental_rules_equal_a_full_run_after_random_edits(tmp_path: Path, seed: int, monkeypatch) -> None:
    import random

    from aligncat import pipeline
    from aligncat.diagnostics import format_diagnostics

    rechecks = []
    full_recheck = pipeline.recheck

    def counting_recheck(*args):
        rechecks.append(args[2])
        return full_recheck(*args)

    monkeypatch.setattr(pipeline, "recheck", counting_recheck)
    if seed == 0:  # the facts section written again (with the changed records' facts) after every edit
        monkeypatch.setattr(ValidationCache, "MAX_OVERLAY", 0)
    rng = random.Random(seed)
    root = _case_catalog(tmp_path, None)
    cache_dir = tmp_path / "cache"
    files = [f for f in sorted(root.glob("*/*.yaml")) if f.parent.name in ("papers", "datasets", "benchmarks")]
    ids = [f.stem for f in files]
    assert validate_catalog_cached(root, cache_dir=cache_dir) == validate_catalog(root)
    for _ in range(12):
        for path in rng.sample(files, rng.choice([1, 1, 1, 2])):
            _mutate(path, rng, ids)
        expected = validate_catalog(root)
        got = validate_catalog_cached(root, cache_dir=cache_dir)
        assert got == expected
        assert format_diagnostics(got.diagnostics) == format_diagnostics(expected.diagnostics)
        assert validate_catalog_cached(root, cache_dir=cache_dir) == expected  # and from the cache
    assert rechecks, "no edit was checked incrementally: the test would prove nothing"


def test_an_unwritable_cache_folder_costs_speed_not_correctness(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    for _ in range(2):
        assert validate_catalog_cached(root, cache_dir=blocker / "aligncat") == validate_catalog(root)


def test_a_year_change_that_makes_a_duplicate_is_found_by_the_incremental_recheck(tmp_path: Path, monkeypatch) -> None:
    """duplicate-work reads the years of a record's peers (records sharing a work key): moving one record's year
    next to a same-titled work of the same first author makes a duplicate, found without re-reading every record."""
    from aligncat import pipeline

    root = Path(shutil.copytree(MINI, tmp_path / "catalog"))
    import yaml

    copy = root / "papers" / "beta2030-method-again.yaml"
    data = yaml.safe_load((root / "papers" / "beta2020-method.yaml").read_text(encoding="utf-8"))
    for key in ("identifiers", "links", "date", "short_name"):  # only the title and first author stay shared
        data.pop(key, None)
    data.update(id="beta2030-method-again", year=2030)
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    before = validate_catalog_cached(root, cache_dir=cache_dir)
    assert before == validate_catalog(root)
    assert not [d for d in before.diagnostics if d.code == "duplicate-work"], before.diagnostics
    plans = []
    real = pipeline.plan_recheck
    monkeypatch.setattr(pipeline, "plan_recheck", lambda *a: plans.append(real(*a)) or plans[-1])
    copy.write_text(copy.read_text(encoding="utf-8").replace("year: 2030", "year: 2021"), encoding="utf-8")
    after = validate_catalog_cached(root, cache_dir=cache_dir)
    assert plans and plans[-1] is not None, "the edit was not re-checked incrementally"
    assert "beta2020-method" in plans[-1][1]["duplicate-work"]  # the peer, through the shared title and author
    assert after == validate_catalog(root)
    assert [d.code for d in after.errors if d.path.endswith("beta2030-method-again.yaml")] == ["duplicate-work"]
