"""The record cache (one per catalog, per file, content-keyed, HMAC-sealed): hits, misses on change, corrupt,
tampered or stale caches ignored, --no-cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat.cache import RecordCache
from aligncat.cli import main
from aligncat.load import read_catalog
from aligncat.pipeline import load_catalog, load_catalog_cached, validate_catalog, validate_catalog_cached

MINI = Path(__file__).parent / "data" / "mini_catalog"


@pytest.fixture()
def catalog(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "catalog"))


@pytest.fixture()
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _load(catalog: Path, cache_dir: Path) -> tuple[RecordCache, object]:
    cache = RecordCache(catalog, cache_dir)
    cat = read_catalog(catalog, reader=cache.data_reader, settings_reader=cache.settings_reader)
    cache.save()
    return cache, cat


def test_second_load_reads_every_record_from_the_cache(catalog: Path, cache_dir: Path) -> None:
    first, cat1 = _load(catalog, cache_dir)
    assert (first.status, first.hits, first.misses) == ("empty", 0, len(cat1.records))
    second, cat2 = _load(catalog, cache_dir)
    assert (second.status, second.hits, second.misses) == ("loaded", len(cat1.records), 0)
    assert cat2.records == cat1.records and cat2.diagnostics == cat1.diagnostics


def test_changed_record_is_read_again_and_its_change_is_seen(catalog: Path, cache_dir: Path) -> None:
    _load(catalog, cache_dir)
    path = catalog / "papers" / "beta2020-method.yaml"
    path.write_text(
        path.read_text().replace("title: 'Beta: Learning from Toy Preferences'", "title: Beta Two")
    )
    cache, cat = _load(catalog, cache_dir)
    assert cache.misses == 1 and cache.hits == len(cat.records) - 1
    assert cat.records["beta2020-method"].title == "Beta Two"


def test_cached_errors_keep_their_diagnostics(catalog: Path, cache_dir: Path) -> None:
    path = catalog / "papers" / "beta2020-method.yaml"
    path.write_text(path.read_text().replace("year: 2020", "year: '2020'"))
    _, cold = _load(catalog, cache_dir)
    cache, warm = _load(catalog, cache_dir)
    assert cache.misses == 0
    assert [d.to_text() for d in warm.diagnostics] == [d.to_text() for d in cold.diagnostics]
    assert any(d.code == "wrong-type" and d.line == 7 for d in warm.errors)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "resealed-by-another-key"])
def test_a_tampered_cache_is_ignored_and_every_file_read_again(catalog: Path, cache_dir: Path, damage: str) -> None:
    first, cat1 = _load(catalog, cache_dir)
    raw = first.file.read_bytes()
    assert b"Beta: Learning" in raw  # the record's data is in the cache file, so a flip below poisons it
    if damage == "truncate":
        first.file.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":  # a changed title inside an otherwise well-formed file: the HMAC catches it
        first.file.write_bytes(raw.replace(b"Beta: Learning", b"Beta: Poisoned"))
    elif damage == "garbage":
        first.file.write_bytes(b"\x00\xff not a cache")
    else:  # the poisoned payload sealed again, by someone who does not hold the user's key
        import hashlib
        import hmac

        head, mac, payload = raw.split(b"\n", 2)
        payload = payload.replace(b"Beta: Learning", b"Beta: Poisoned")
        forged = hmac.new(b"\0" * 32, payload, hashlib.sha256).hexdigest().encode()
        first.file.write_bytes(head + b"\n" + forged + b"\n" + payload)
    cache, cat2 = _load(catalog, cache_dir)
    assert cache.status == "corrupt" and cache.hits == 0 and cache.misses == len(cat1.records)
    assert cat2.records["beta2020-method"].title == "Beta: Learning from Toy Preferences"
    assert cat2.records == cat1.records and cat2.diagnostics == cat1.diagnostics
    rebuilt, _ = _load(catalog, cache_dir)  # the damaged file was replaced by a good one
    assert rebuilt.status == "loaded" and rebuilt.misses == 0


def test_a_forged_cache_changes_no_verdict_of_load_or_validate(catalog: Path, cache_dir: Path) -> None:
    """A cache poisoned to hide an error (the year made valid in the cached data) is ignored by both paths."""
    import hashlib
    import hmac

    path = catalog / "papers" / "beta2020-method.yaml"
    path.write_text(path.read_text().replace("year: 2020", "year: twenty"))
    expected = validate_catalog(catalog)
    assert any(d.code == "wrong-type" for d in expected.errors)
    load_catalog_cached(catalog, cache_dir=cache_dir)
    (cache_file,) = cache_dir.glob("records-*.bin")
    head, _, payload = cache_file.read_bytes().split(b"\n", 2)
    payload = payload.replace(b"wrong-type", b"fine-thing")
    cache_file.write_bytes(head + b"\n" + hmac.new(os.urandom(32), payload, hashlib.sha256).hexdigest().encode()
                           + b"\n" + payload)
    assert validate_catalog_cached(catalog, cache_dir=cache_dir) == expected
    assert load_catalog_cached(catalog, cache_dir=cache_dir).diagnostics == load_catalog(catalog).diagnostics


def test_load_and_validate_share_the_cache(catalog: Path, cache_dir: Path) -> None:
    """One cache: a validate run's facts and rule results serve the next load, and a load's serve validate."""
    expected = load_catalog(catalog)
    assert validate_catalog_cached(catalog, cache_dir=cache_dir).diagnostics == expected.diagnostics
    cache, cat = _load(catalog, cache_dir)
    assert (cache.status, cache.misses, cache.data_misses) == ("loaded", 0, len(cat.records))  # data: read once
    assert cat.records == expected.records
    cache, _ = _load(catalog, cache_dir)
    assert (cache.misses, cache.data_misses, cache.hits) == (0, 0, len(cat.records))
    warm = load_catalog_cached(catalog, cache_dir=cache_dir)
    assert warm.diagnostics == expected.diagnostics and warm.records == expected.records
    assert validate_catalog_cached(catalog, cache_dir=cache_dir).diagnostics == expected.diagnostics


def test_cache_of_another_engine_version_is_not_used(catalog: Path, cache_dir: Path, monkeypatch) -> None:
    _load(catalog, cache_dir)
    monkeypatch.setattr("aligncat.cache.engine_fingerprint", lambda: "another-engine")
    cache, _ = _load(catalog, cache_dir)
    assert cache.status == "stale-engine" and cache.hits == 0


def test_checks_are_reused_only_while_nothing_changed(catalog: Path, cache_dir: Path) -> None:
    cold = load_catalog_cached(catalog, cache_dir=cache_dir)
    warm = load_catalog_cached(catalog, cache_dir=cache_dir)
    assert warm.diagnostics == cold.diagnostics
    path = catalog / "papers" / "gamma2021-extension.yaml"
    path.write_text(path.read_text().replace("target: beta2020-method", "target: beta2020-methd"))
    changed = load_catalog_cached(catalog, cache_dir=cache_dir)
    assert [d.code for d in changed.errors] == ["dangling-ref"]
    assert "did you mean 'beta2020-method'" in changed.errors[0].hint


def test_cache_lives_under_xdg_cache_home(catalog: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(main, ["validate", str(catalog)])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "xdg" / "aligncat").glob("records-*.bin"))


def test_no_cache_flag_neither_reads_nor_writes_the_cache(catalog: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(main, ["validate", "--no-cache", str(catalog)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "xdg").exists()
    CliRunner().invoke(main, ["validate", str(catalog)])
    (cache_file,) = (tmp_path / "xdg" / "aligncat").glob("records-*.bin")
    # A poisoned cache that still passes its checksum would change the result; --no-cache must not look at it.
    path = catalog / "papers" / "beta2020-method.yaml"
    path.write_text(path.read_text().replace("year: 2020", "year: twenty"))
    result = CliRunner().invoke(main, ["validate", "--no-cache", str(catalog)])
    assert result.exit_code == 1 and "wrong-type" in result.output
    result = CliRunner().invoke(
        main, ["validate", str(catalog)]
    )  # with the cache: the change is a miss, same verdict
    assert result.exit_code == 1 and "wrong-type" in result.output
    assert cache_file.exists()


def test_unwritable_cache_folder_costs_speed_not_correctness(catalog: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cat = load_catalog_cached(catalog, cache_dir=blocker / "aligncat")
    assert cat.ok and cat.records == load_catalog(catalog).records


def test_record_cache_file_over_the_bound_is_not_read(catalog: Path, cache_dir: Path, monkeypatch) -> None:
    first, cat1 = _load(catalog, cache_dir)
    monkeypatch.setattr("aligncat.cache.MAX_CACHE_BYTES", first.file.stat().st_size - 1)
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or real(self))
    cache, cat2 = _load(catalog, cache_dir)
    assert cache.status == "too-large" and cache.hits == 0
    assert first.file not in read  # the cache file is read within the bound, never whole
    assert cat2.records == cat1.records
