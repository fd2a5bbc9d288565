"""Load stage, cached: a content-keyed on-disk cache of each record file's parsed data and diagnostics.

An unchanged record file is neither parsed nor schema-checked twice. Each entry is keyed by a hash of the file's
bytes, its path in the catalog, its folder's kind and a fingerprint of the engine code and schemas that produced
it, so an edited record, a moved file or an upgraded aligncat never reuses a stale result. The cache of one catalog
is a single file (one read, one atomic write) under $XDG_CACHE_HOME/aligncat (default ~/.cache/aligncat), sealed
with a checksum: a truncated, edited or otherwise corrupt cache is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from .atomic import write_atomic
from .diagnostics import Diagnostic, Severity
from .load import (
    KNOWN_FILES,
    Validation,
    _inside,
    _outside_catalog,
    _read_document,
    load_catalog,
    read_facts,
    read_record,
    validate_catalog,
    validate_facts,
)
from .model import RecordFacts
from .source import MAX_FILE_BYTES, Unreadable, read_bounded

FORMAT = "aligncat-record-cache 1"
VALIDATE_FORMAT = b"aligncat-validate-cache 1"
ENV_DISABLE = "ALIGNCAT_NO_CACHE"
# The modules whose code decides what reading one record file yields; a change to any of them empties the cache.
_ENGINE_MODULES = ("source.py", "schema.py", "load.py", "model.py", "diagnostics.py", "cache.py")
# A cache file is read whole, so its size is bounded before it is read: at ~300 bytes per record for validate and
# ~1.5 kB for the record cache this is far beyond 100,000 records; a larger file is ignored (costs speed only).
MAX_CACHE_BYTES = 256 * 2**20
KEY_FILE = "hmac-key"


def _read_cache_file(path: Path, limit: int = MAX_CACHE_BYTES) -> bytes | None:
    """At most limit + 1 bytes of a cache file (never a pipe or device), or None when there is none."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


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
        raw = _read_cache_file(self.file)
        if raw is None:
            return
        if len(raw) > MAX_CACHE_BYTES:
            self.status = "too-large"
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
        try:
            raw, size = read_bounded(path)  # at most the size limit in memory, never a pipe or device
        except OSError:
            return read_record(path, rel, folder_kind)  # reports the problem; never cached
        if len(raw) > MAX_FILE_BYTES:
            return read_record(path, rel, folder_kind, (raw, size))  # refused unparsed; never cached
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
        data, diags = read_record(path, rel, folder_kind, (raw, size))  # the very bytes the key was made of
        # Data only comes back for schema-valid records, and the schemas admit only JSON values (an unquoted YAML
        # date fails them), so the entry round-trips through JSON unchanged; save() still refuses anything else.
        self._new[key] = [data, [_diag_to_json(d) for d in diags]]
        return data, diags

    def checks_key(self) -> str:
        """A hash of everything the cross-record rules see: every record file read, the catalog's settings,
        taxonomy and tags, and the code of the whole engine (rules live in several modules)."""

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


# --- the validate cache --------------------------------------------------------------------------------------------
#
# `aligncat validate` needs, per file, only its diagnostics and the few facts the cross-record rules read
# (model.RecordFacts), so that is all this cache keeps: ~300 bytes per record, written with marshal (plain tuples,
# strings and numbers; no code, no classes) and sealed with an HMAC under a per-user secret key. A file is trusted
# only when it and the key are ours (owner, no group or other permissions), the HMAC matches and its shape is right.


def _owned_privately(st: os.stat_result) -> bool:
    if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077:
        return False
    return not hasattr(os, "geteuid") or st.st_uid == os.geteuid()


def _secret_key(cache_dir: Path, create: bool) -> bytes | None:
    """The per-user key that seals validate caches (32 random bytes, owner-only), made on first use."""
    path = cache_dir / KEY_FILE
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            if not create:
                return None
            try:
                cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                continue  # made by another run at the same moment: read it
            except OSError:
                return None
            try:
                key = os.urandom(32)
                os.write(fd, key)
                return key
            finally:
                os.close(fd)
        except OSError:
            return None
        try:
            if not _owned_privately(os.fstat(fd)):
                return None  # someone else's key, or one others may read: never trust what it seals
            key = os.read(fd, 33)
        finally:
            os.close(fd)
        return key if len(key) == 32 else None
    return None


def _diag_row(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.col, d.pointer, d.severity.value, d.code, d.message, d.hint)


def _diag_of(row: tuple) -> Diagnostic:
    path, line, col, pointer, severity, code, message, hint = row
    return Diagnostic(path, line, col, pointer, Severity(severity), code, message, hint)


def _code_hash() -> str:
    """The code of the whole package's top-level modules: the rules live in several of them."""
    h = hashlib.blake2b(digest_size=16)
    package = resources.files("aligncat")
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()


class ValidationCache:
    """The validate cache of one catalog folder: per file, its diagnostics and facts, keyed by its bytes; and the
    rules' diagnostics, keyed by every file's key. Use with `validate_catalog_cached`.

    Entries are found by the file's path in the catalog; an entry is used only when its key (a hash of the
    engine, the path, the folder's kind and the file's bytes) is the key of the file's bytes now. The bytes are
    hashed unless the file's stat signature (size, inode, device, modification and change times) is the one
    recorded when they were last hashed, and that is recorded only for a file last changed well before it was read.
    """

    # A file changed less than this long before it was read may change again within the same timestamp tick
    # without its size or times changing: its stat signature is not kept, so the next run hashes its bytes.
    RACY_SECONDS = 2.0

    def __init__(self, catalog_root: str | Path, cache_dir: str | Path | None = None) -> None:
        self.root = Path(catalog_root).resolve()
        self.dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        root_key = hashlib.blake2b(str(self.root).encode(), digest_size=10).hexdigest()
        self.file = self.dir / f"validate-{root_key}.bin"
        self.fingerprint = engine_fingerprint()
        self.hits = self.misses = self.hashed = 0
        self.status = "empty"  # empty | loaded | corrupt | stale-engine | untrusted | too-large
        self.rules_cached = False
        self._started = time.time()
        self._files: dict = {}  # rel -> (stat signature or None, key, (facts or data, diagnostic rows))
        self._result: tuple | None = None  # (rules key, diagnostic rows)
        self._new_files: dict = {}
        self._new_result: tuple | None = None
        self._order: list[bytes] = []  # every file's key (or a marker) in the order read: the rules' input
        self._key = _secret_key(self.dir, create=False)
        self._load()

    # reading the cache file -----------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            fd = os.open(self.file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return
        except OSError:
            self.status = "untrusted"  # e.g. a symbolic link put in its place
            return
        try:
            st = os.fstat(fd)
            if not _owned_privately(st) or self._key is None:
                self.status = "untrusted"
                return
            if st.st_size > MAX_CACHE_BYTES:
                self.status = "too-large"
                return
            with os.fdopen(fd, "rb", closefd=False) as fh:
                raw = fh.read(MAX_CACHE_BYTES + 1)  # never more than the bound, even if the file grew meanwhile
        except OSError:
            self.status = "corrupt"
            return
        finally:
            os.close(fd)
        if len(raw) > MAX_CACHE_BYTES:
            self.status = "too-large"
            return
        header, _, rest = raw.partition(b"\n")
        mac, _, payload = rest.partition(b"\n")
        expected = hmac.new(self._key, payload, hashlib.sha256).hexdigest().encode()
        if header != VALIDATE_FORMAT or not hmac.compare_digest(mac, expected):
            self.status = "corrupt"
            return
        try:  # only bytes sealed with our key get here: written by this code for this catalog, read by marshal
            engine, files, result = marshal.loads(payload)
            if not isinstance(files, dict):
                raise TypeError("wrong shape")
        except (ValueError, TypeError, EOFError):
            self.status = "corrupt"
            return
        if engine != self.fingerprint:
            self.status = "stale-engine"
            return
        self._files, self._result = files, result
        self.status = "loaded"

    # reading files --------------------------------------------------------------------------------------------
    def _lookup(self, path: str, rel: str, what: str) -> tuple[bytes | None, tuple | None, tuple | None, tuple | None]:
        """(key, cached entry or None, bytes read or None, stat signature to keep or None). No key for what the
        reader refuses without reading."""

        try:
            st = os.stat(path)
        except OSError:
            return None, None, None, None
        if not stat.S_ISREG(st.st_mode):
            return None, None, None, None
        sig = (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)
        known = self._files.get(rel)
        if known is not None and known[0] == sig:
            # Unchanged since its bytes were hashed: an edit sets the change time, which no tool can set back.
            return known[1], known[2], None, sig
        try:
            raw = read_bounded(path)
        except (Unreadable, OSError):
            return None, None, None, None
        if len(raw[0]) > MAX_FILE_BYTES:
            return None, None, raw, None  # refused by the reader; not worth an entry
        self.hashed += 1
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{self.fingerprint}\0{rel}\0{what}\0".encode())
        h.update(raw[0])
        key = h.digest()
        if max(st.st_mtime, st.st_ctime) >= self._started - self.RACY_SECONDS:
            sig = None  # changed just now: it could change again unseen within the same tick, so hash it next time
        entry = known[2] if known is not None and known[1] == key else None
        return key, entry, raw, sig

    def _keep(self, rel: str, key: bytes, entry: tuple, st_sig: object) -> None:
        self._new_files[rel] = (st_sig, key, entry)
        self._order.append(key)

    def facts_reader(self, path: str, rel: str, folder_kind: str) -> tuple[RecordFacts | None, list[Diagnostic]]:
        """validate's reader: the cached facts and diagnostics when these exact bytes were read before."""

        key, entry, raw, sig = self._lookup(path, rel, "record:" + folder_kind)
        if key is not None and entry is not None:
            try:
                facts = None if entry[0] is None else RecordFacts._make(entry[0])
                diags = [_diag_of(row) for row in entry[1]]
            except (TypeError, ValueError, IndexError):
                key = None  # a sealed entry of the wrong shape (another version's): read afresh, not cached
            else:
                self.hits += 1
                self._keep(rel, key, entry, sig)
                return facts, diags
        self.misses += 1
        facts, diags = read_facts(Path(path), rel, folder_kind, raw)
        if key is None:
            self._order.append(f"uncached:{rel}:{_diag_texts(diags)}".encode())
        else:
            self._keep(rel, key, (None if facts is None else tuple(facts), tuple(_diag_row(d) for d in diags)), sig)
        return facts, diags

    def settings_reader(self, root: Path, rel: str, schema: str, diags: list[Diagnostic]) -> dict | None:
        """load's _read_document through the cache: catalog.yaml, taxonomy.yaml and tags.yaml."""

        path = root / rel
        if not path.exists():
            return None
        if not _inside(os.path.realpath(root), path):  # checked before the cache is asked, as load does
            diags.append(_outside_catalog(rel))
            self._order.append(f"outside:{rel}".encode())
            return None
        key, entry, raw, sig = self._lookup(str(path), rel, "settings:" + schema)
        if key is not None and entry is not None:
            try:
                data, found = entry[0], [_diag_of(row) for row in entry[1]]
                if data is not None and not isinstance(data, dict):
                    raise TypeError("wrong shape")
            except (TypeError, ValueError, IndexError):
                key = None  # a sealed entry of the wrong shape (another version's): read afresh, not cached
            else:
                self._keep(rel, key, entry, sig)
                diags.extend(found)
                return data
        before = len(diags)
        data = _read_document(root, rel, schema, diags, raw=raw)
        found = diags[before:]
        if key is None:
            self._order.append(f"uncached:{rel}:{_diag_texts(found)}".encode())
        else:
            self._keep(rel, key, (data, tuple(_diag_row(d) for d in found)), sig)
        return data

    # the rules --------------------------------------------------------------------------------------------------
    def rules_key(self, diags_so_far: list[Diagnostic]) -> str:
        """Everything the rules' diagnostics depend on: the code, every file read (by its key, in order) and what
        reading gave (a record reported as a repeated id is not among the facts)."""
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{self.fingerprint}\0{_code_hash()}\0".encode())
        h.update(b"\0".join(self._order))
        h.update(_diag_texts(diags_so_far).encode())
        return h.hexdigest()

    def cached_rules(self, key: str) -> list[Diagnostic] | None:
        if not (isinstance(self._result, tuple) and len(self._result) == 2 and self._result[0] == key):
            return None
        try:
            found = [_diag_of(row) for row in self._result[1]]
        except (TypeError, ValueError, IndexError):
            return None
        self.rules_cached = True
        return found

    def store_rules(self, key: str, diagnostics: list[Diagnostic]) -> None:
        self._new_result = (key, tuple(_diag_row(d) for d in diagnostics))

    # writing ----------------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Write this run's entries (those of changed or deleted files are dropped); True if written."""
        result = self._new_result if self._new_result is not None else self._result
        if self.status == "loaded" and self.misses == 0 and result == self._result and self._new_files == self._files:
            return False
        key = self._key or _secret_key(self.dir, create=True)
        if key is None:
            return False  # no private key to seal it with: not cached
        try:
            payload = marshal.dumps((self.fingerprint, self._new_files, result))
        except ValueError:
            return False  # a value marshal cannot write (none is expected): not cached, read afresh next time
        mac = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
        try:
            _write_private(self.file, VALIDATE_FORMAT + b"\n" + mac + b"\n" + payload)
        except OSError:
            return False  # a read-only or full cache folder costs speed, never correctness
        return True


def _diag_texts(diags: Iterable[Diagnostic]) -> str:
    return "\n".join(repr(_diag_row(d)) for d in diags)


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable and writable by the owner only."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validate_catalog_cached(
    root: str | Path,
    *,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Validation:
    """load.validate_catalog with the validate cache (unless `use_cache=False` or $ALIGNCAT_NO_CACHE): the same
    diagnostics in the same order, reading and checking only the files whose bytes changed, and running the rules
    only when a file, the settings or the code changed."""

    if not use_cache or cache_disabled_by_env() or not Path(root).is_dir():
        return validate_catalog(root, progress=progress)
    cache = ValidationCache(root, cache_dir)
    diags, facts, files_read = validate_facts(Path(root), reader=cache.facts_reader,
                                              settings_reader=cache.settings_reader, progress=progress)
    assert facts is not None  # root is a folder
    key = cache.rules_key(diags)
    found = cache.cached_rules(key)
    if found is None:
        from .checks import run_checks

        found = run_checks(facts)
        cache.store_rules(key, found)
    cache.save()
    return Validation(tuple(diags) + tuple(found), files_read, len(facts.records))
