"""Load stage, cached: a content-keyed on-disk cache of each record file's parsed data and diagnostics.

An unchanged record file is neither parsed nor schema-checked twice. Each entry is keyed by a hash of the file's
bytes, its path in the catalog, its folder's kind and a fingerprint of the engine code and schemas that produced
it, so an edited record, a moved file or an upgraded aligncat never reuses a stale result. The cache of one catalog
is a single file (one read, one atomic write) under $XDG_CACHE_HOME/aligncat (default ~/.cache/aligncat), sealed
with a checksum: a truncated, edited or otherwise corrupt cache is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from .atomic import write_atomic
from .diagnostics import Diagnostic, Severity

FORMAT = "aligncat-record-cache 1"
ENV_DISABLE = "ALIGNCAT_NO_CACHE"
# The modules whose code decides what reading one record file yields; a change to any of them empties the cache.
_ENGINE_MODULES = ("source.py", "schema.py", "load.py", "diagnostics.py", "cache.py")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aligncat"


def cache_disabled_by_env() -> bool:
    return os.environ.get(ENV_DISABLE, "").strip().lower() not in ("", "0", "false", "no")


def engine_fingerprint() -> str:
    """A hash of the code and schemas that turn a file into data and diagnostics."""
    from . import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    package = resources.files("aligncat")
    for name in _ENGINE_MODULES:
        h.update(package.joinpath(name).read_bytes())
    for entry in sorted(package.joinpath("schemas").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    try:  # the validators' versions change their verdicts too
        from importlib.metadata import version

        for dist in ("pyyaml", "jsonschema", "jsonschema-rs"):
            h.update(f"{dist}={version(dist)}".encode())
    except Exception:  # pragma: no cover - metadata missing in odd installs; the code hash still applies
        pass
    return h.hexdigest()


def _diag_to_json(d: Diagnostic) -> list:
    return [d.path, d.line, d.col, d.pointer, d.severity.value, d.code, d.message, d.hint]


def _diag_from_json(row: list) -> Diagnostic:
    path, line, col, pointer, severity, code, message, hint = row
    return Diagnostic(path, line, col, pointer, Severity(severity), code, message, hint)


class RecordCache:
    """The cache of one catalog folder. Use `.reader` as load_catalog's reader, then call `.save()`."""

    def __init__(self, catalog_root: str | Path, cache_dir: str | Path | None = None) -> None:
        self.root = Path(catalog_root).resolve()
        self.dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        root_key = hashlib.blake2b(str(self.root).encode(), digest_size=10).hexdigest()
        self.file = self.dir / f"records-{root_key}.json"
        self.fingerprint = engine_fingerprint()
        self.hits = self.misses = 0
        self.status = "empty"  # empty | loaded | corrupt | stale-engine
        self._old: dict[str, list] = {}
        self._new: dict[str, list] = {}
        self._old_checks: dict = {}
        self._new_checks: dict | None = None
        self._load()

    def _load(self) -> None:
        try:
            raw = self.file.read_bytes()
        except OSError:
            return
        header, _, payload = raw.partition(b"\n")
        parts = header.decode("ascii", "replace").rsplit(" ", 1)
        if (
            len(parts) != 2
            or parts[0] != FORMAT
            or hashlib.blake2b(payload, digest_size=16).hexdigest() != parts[1]
        ):
            self.status = "corrupt"
            return
        try:
            body = json.loads(payload)
            entries = body["entries"]
            if not isinstance(entries, dict):
                raise TypeError("entries is not a mapping")
        except (ValueError, TypeError, KeyError):
            self.status = "corrupt"
            return
        if body.get("engine") != self.fingerprint:
            self.status = "stale-engine"
            return
        self._old = entries
        checks = body.get("checks")
        self._old_checks = checks if isinstance(checks, dict) else {}
        self.status = "loaded"

    def key(self, raw: bytes, rel: str, folder_kind: str) -> str:
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{self.fingerprint}\0{rel}\0{folder_kind}\0".encode())
        h.update(raw)
        return h.hexdigest()

    def reader(self, path: Path, rel: str, folder_kind: str) -> tuple[dict | None, list[Diagnostic]]:
        """load_catalog's reader: the cached result when this exact content was read before, else a fresh read."""
        from .load import read_record

        try:
            raw = path.read_bytes()
        except OSError:
            return read_record(path, rel, folder_kind)  # reports the problem; never cached
        key = self.key(raw, rel, folder_kind)
        entry = self._old.get(key)
        if entry is not None:
            try:
                data, diags = entry[0], [_diag_from_json(row) for row in entry[1]]
            except (TypeError, ValueError, IndexError):
                entry = None  # a well-sealed file of the wrong shape: read afresh
            else:
                if data is None or isinstance(data, dict):
                    self.hits += 1
                    self._new[key] = entry
                    return data, diags
        self.misses += 1
        data, diags = read_record(path, rel, folder_kind)
        # Data only comes back for schema-valid records, and the schemas admit only JSON values (an unquoted YAML
        # date fails them), so the entry round-trips through JSON unchanged; save() still refuses anything else.
        self._new[key] = [data, [_diag_to_json(d) for d in diags]]
        return data, diags

    def checks_key(self) -> str:
        """A hash of everything the cross-record rules see: every record file read, the catalog's settings,
        taxonomy and tags, and the code of the whole engine (rules live in several modules)."""
        from .load import KNOWN_FILES

        h = hashlib.blake2b(digest_size=20)
        h.update(self.fingerprint.encode())
        package = resources.files("aligncat")
        for entry in sorted(package.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                h.update(entry.name.encode() + b"\0" + entry.read_bytes())
        for name in sorted(KNOWN_FILES):
            try:
                h.update(name.encode() + b"\0" + (self.root / name).read_bytes())
            except OSError:
                h.update(name.encode() + b"\0missing")
        for key in sorted(self._new):
            h.update(key.encode())
        return h.hexdigest()

    def cached_checks(self, key: str) -> list[Diagnostic] | None:
        """The cross-record diagnostics of the last run when nothing they depend on has changed."""
        if self._old_checks.get("key") != key:
            return None
        try:
            return [_diag_from_json(row) for row in self._old_checks["diagnostics"]]
        except (TypeError, ValueError, KeyError):
            return None

    def store_checks(self, key: str, diagnostics: list[Diagnostic]) -> None:
        self._new_checks = {"key": key, "diagnostics": [_diag_to_json(d) for d in diagnostics]}

    def save(self) -> bool:
        """Write the entries used in this run (dropping those of changed or deleted files); True if written."""
        checks = self._new_checks if self._new_checks is not None else self._old_checks
        if self.misses == 0 and set(self._new) == set(self._old) and checks == self._old_checks:
            return False
        try:
            payload = json.dumps(
                {"engine": self.fingerprint, "root": str(self.root), "entries": self._new, "checks": checks},
                separators=(",", ":"),
                ensure_ascii=False,
                check_circular=False,
                allow_nan=False,
            ).encode("utf-8")
        except (TypeError, ValueError, RecursionError):
            return False  # a value JSON cannot hold faithfully: not cached, read afresh next time
        digest = hashlib.blake2b(payload, digest_size=16).hexdigest()
        try:
            write_atomic(self.file, f"{FORMAT} {digest}\n".encode("ascii") + payload)
        except OSError:
            return False  # a read-only or full cache folder costs speed, never correctness
        return True


def load_catalog_cached(
    root: str | Path,
    *,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    checks: bool = True,
):
    """load_catalog with the record cache (unless disabled by `use_cache=False` or $ALIGNCAT_NO_CACHE)."""
    from .load import load_catalog

    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return load_catalog(root, checks=checks, progress=progress)
    cache = RecordCache(root, cache_dir)
    catalog = load_catalog(root, checks=False, progress=progress, reader=cache.reader)
    if checks:
        key = cache.checks_key()
        found = cache.cached_checks(key)
        if found is None:
            from .checks import run_checks

            found = run_checks(catalog)
            cache.store_checks(key, found)
        object.__setattr__(catalog, "diagnostics", catalog.diagnostics + tuple(found))
    cache.save()
    return catalog


def caching_reader(catalog_root: str | Path, cache_dir: str | Path | None = None) -> RecordCache:
    """A RecordCache for a catalog (its `.reader` goes to load_catalog; call `.save()` afterwards)."""
    return RecordCache(catalog_root, cache_dir)
