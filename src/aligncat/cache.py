"""Pipeline: the record cache, one per catalog folder, per record file and content-keyed, sealed with the user's key.

For each file it keeps what reading it gave (its diagnostics, and for a valid record its facts for the rules and
its data for `load_catalog`), found by the file's path and used only when its key (a hash of the engine, the path,
the folder's kind and the file's bytes) is the key of the file's bytes now; and the rules' diagnostics, by rule,
with what they were computed from, so that after an edit only the rules and records it can affect run again
(pipeline.py decides which, from what each rule declares it reads).

The cache of one catalog is a single file under $XDG_CACHE_HOME/aligncat (default ~/.cache/aligncat), written
atomically, owner-only, and sealed with an HMAC under a per-user secret key (`user_key`, shared with the site's page
cache). A file is trusted only when it and the key are ours (owner, no group or other permissions), the HMAC matches
and its shape is right: a truncated, edited or foreign cache is ignored and rebuilt, never trusted.

Over 500 lines because the file's format is read, kept up to date during a run and written by one class: the
index, the facts, data and incoming sections and their bookkeeping must agree byte for byte with what the next
run reads, which is easiest to keep true when they sit together.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from .atomic import write_atomic
from .diagnostics import Diagnostic, Severity
from .load import _inside, _outside_catalog, _read_document, read_facts, read_record
from .model import RecordFacts
from .source import MAX_FILE_BYTES, Unreadable, read_bounded

FORMAT = b"aligncat-record-cache 2"
VALIDATE_FORMAT = FORMAT  # the older name
ENV_DISABLE = "ALIGNCAT_NO_CACHE"
# The modules whose code decides what reading one record file yields; a change to any of them empties the cache.
_ENGINE_MODULES = ("source.py", "schema.py", "load.py", "model.py", "identity.py", "diagnostics.py", "cache.py")
# A cache file is read whole, so its size is bounded before it is read: at ~300 bytes per record for validate and
# ~1.5 kB for the record cache this is far beyond 100,000 records; a larger file is ignored (costs speed only).
MAX_CACHE_BYTES = 256 * 2**20
KEY_FILE = "hmac-key"


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
    # The validators' versions change their verdicts too. Where each is installed, with its files' sizes and
    # times, changes with every install or upgrade (and costs a few stat calls, not importlib.metadata's 0.1 s).
    for name in ("yaml", "_yaml", "jsonschema", "jsonschema_rs", "referencing"):
        h.update(name.encode() + b"\0" + _install_stamp(name).encode())
    return h.hexdigest()


def _install_stamp(name: str) -> str:
    """Where a top-level module is installed and its files' sizes and modification times ('-' if absent)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return "-"
    if spec is None:
        return "-"
    paths = [spec.origin] if spec.origin else []
    for folder in spec.submodule_search_locations or ():
        try:
            paths.extend(sorted(os.path.join(folder, n) for n in os.listdir(folder) if n != "__pycache__"))
        except OSError:
            pass
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        out.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(out)


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
    """The code of the package's top-level modules and of the rules package: what the rules' diagnostics depend on."""
    h = hashlib.blake2b(digest_size=16)
    package = resources.files("aligncat")
    for folder, prefix in ((package, ""), (package.joinpath("rules"), "rules/")):
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                h.update(prefix.encode() + entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()


def sealed(key: bytes, head: bytes, *parts: bytes) -> tuple[bytes, ...]:
    """A cache file's pieces, as `write_atomic` takes them: the `head` line, the HMAC-SHA256 of the parts under
    the user's `key` (hex) on the next line, then the parts, written as they are (not joined)."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return (head + b"\n" + mac.hexdigest().encode() + b"\n", *parts)


def unsealed(key: bytes, head: bytes, raw: bytes) -> memoryview | None:
    """The payload of a file `sealed` wrote with this key and head, without a copy; None for anything else (a
    file this user's aligncat did not write, or a damaged one: never to be unmarshalled)."""
    header_end = raw.find(b"\n")
    mac_end = raw.find(b"\n", header_end + 1)
    if header_end < 0 or mac_end < 0 or raw[:header_end] != head:
        return None
    payload = memoryview(raw)[mac_end + 1:]
    expected = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    return payload if hmac.compare_digest(raw[header_end + 1:mac_end], expected) else None


def _unmarshalled(blob: bytes, kind: type) -> Any:
    """A marshalled cache value read back as the `kind` it was written as; anything else (damage) is None."""
    try:
        found = marshal.loads(blob)
    except (ValueError, TypeError, EOFError):
        return None
    return found if isinstance(found, kind) else None


class _Deferred(NamedTuple):
    """A cached record's facts before they are needed: its id (for the repeated-id check) and its file."""

    id: str
    path: str


_MISSING = object()


class _LazyRecords(dict):
    """CatalogFacts.records for a cached run: id -> RecordFacts, a cached record's facts read when first looked at
    (re-checking after an edit looks at a few records, not at 10,000)."""

    __slots__ = ("_read",)

    def __init__(self, items: dict, read: Callable[[str], tuple]) -> None:
        super().__init__(items)
        self._read = read

    def _real(self, rid: str, item: object) -> RecordFacts:
        if type(item) is _Deferred:
            item = RecordFacts._make(self._read(item.path))
            dict.__setitem__(self, rid, item)
        return item  # type: ignore[return-value]

    def __getitem__(self, rid: str) -> RecordFacts:
        return self._real(rid, dict.__getitem__(self, rid))

    def get(self, rid: str, default: object = None) -> object:
        item = dict.get(self, rid, _MISSING)
        return default if item is _MISSING else self._real(rid, item)

    def values(self) -> list[RecordFacts]:  # type: ignore[override]
        return [self._real(k, v) for k, v in dict.items(self)]

    def items(self) -> list[tuple[str, RecordFacts]]:  # type: ignore[override]
        return [(k, self._real(k, v)) for k, v in dict.items(self)]


class RecordCache:
    """The record cache of one catalog folder. Use through pipeline.py's `validate_catalog_cached` and
    `load_catalog_cached`.

    The file holds an index and, apart, every valid record's facts (each read only when a rule looks at it), its
    data (read only by `load_catalog`) and which records relate to each (for re-checking). Index
    entries are found by the file's path in the catalog and used only when their key (a hash of the engine, the
    path, the folder's kind and the file's bytes) is the key of the file's bytes now. The bytes are hashed unless
    the file's stat signature (size, inode, device, modification and change times) is the one recorded when they
    were last hashed, and that is recorded only for a file last changed well before it was read. The rules'
    diagnostics are kept by rule, with what they were computed from, so that after an edit only the rules and
    records it can affect run again.
    """

    # A file changed less than this long before it was read may change again within the same timestamp tick
    # without its size or times changing: its stat signature is not kept, so the next run hashes its bytes.
    RACY_SECONDS = 2.0
    # After more changed records than this, the rules run over everything (it is then about as fast).
    MAX_INCREMENTAL = 256
    # Facts of records read afresh are kept in the index (an overlay) until they are this many; then the facts
    # section is written again with all of them. (Rewriting 10,000 records' facts after each edit costs more than
    # re-checking it.)
    MAX_OVERLAY = 1000

    def __init__(self, catalog_root: str | Path, cache_dir: str | Path | None = None) -> None:
        self.root = Path(catalog_root).resolve()
        self.dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        root_key = hashlib.blake2b(str(self.root).encode(), digest_size=10).hexdigest()
        self.file = self.dir / f"records-{root_key}.bin"
        self.fingerprint = engine_fingerprint()
        self.hits = self.misses = self.hashed = self.data_misses = 0
        self._uncached_data = False
        self.status = "empty"  # empty | loaded | corrupt | stale-engine | untrusted | too-large
        self.rules = "none"  # how the rules' diagnostics were had: cached | incremental | full
        self._started = time.time()
        # rel -> (stat signature or None, key, diagnostic rows, record id / settings data / None)
        self._index: dict = {}
        self._result: tuple | None = None  # (rules key, base, {rule: diagnostic rows})
        self._facts_section: bytes | memoryview = b""  # marshal: {rel: marshal bytes of the record's facts}
        # marshal: ({id: [ids of the records relating to it]}, {work key: [ids of the records with it]})
        self._incoming_section: bytes | memoryview = b""
        self._data_section: bytes | memoryview = b""  # marshal: {file key: marshal bytes of the record's data}
        self._data: dict | None = None
        self._new_data: dict[bytes, bytes] = {}  # file key -> marshal bytes of the data of records read afresh
        self._loading = False  # a load_catalog run: the data section is written with this run's records
        self._facts: dict | None = None
        self._new_index: dict = {}
        self._new_facts: dict = {}  # rel -> facts tuple of every valid record read afresh
        self._overlay: dict = {}  # rel -> facts tuple, newer than the facts section's (see MAX_OVERLAY)
        self._new_incoming: tuple[bytes, bytes] | None = None
        self._old_peer_bytes = b""
        self._changed: list[tuple[str, object]] = []  # (rel, old entry's extra) of every record read afresh
        self._uncached = False
        self._order: list[bytes] = []  # every file's key (or a marker) in the order read: the rules' input
        self._new_result: tuple | None = None
        self._base_text: str | None = None
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
        payload = unsealed(self._key, FORMAT, raw)
        if payload is None:
            self.status = "corrupt"
            return
        try:  # only bytes sealed with our key get here: written by this code for this catalog, read by marshal
            index_len = int.from_bytes(payload[:8], "big")
            facts_len = int.from_bytes(payload[8 + index_len:16 + index_len], "big")
            data_at = 16 + index_len + facts_len
            data_len = int.from_bytes(payload[data_at:data_at + 8], "big")
            if data_at + 8 + data_len > len(payload):
                raise ValueError("truncated")
            engine, index, overlay, result = marshal.loads(payload[8:8 + index_len])
            if not (isinstance(index, dict) and isinstance(overlay, dict)):
                raise TypeError("wrong shape")
        except (ValueError, TypeError, EOFError):
            self.status = "corrupt"
            return
        if engine != self.fingerprint:
            self.status = "stale-engine"
            return
        self._index, self._overlay, self._result = index, overlay, result
        # Views into the file: read by marshal only when the rules must run.
        self._facts_section = payload[16 + index_len:data_at]
        self._data_section = payload[data_at + 8:data_at + 8 + data_len]
        self._incoming_section = payload[data_at + 8 + data_len:]
        self.status = "loaded"

    def _facts_map(self) -> dict:
        if self._facts is None:
            self._facts = _unmarshalled(self._facts_section, dict) or {}
        return self._facts

    def _old_facts(self, rel: str) -> tuple | None:
        if rel in self._overlay:
            return self._overlay[rel]
        found = self._facts_map().get(rel)
        return None if found is None else _unmarshalled(found, tuple)

    def _read_facts(self, rel: str) -> tuple:
        facts = self._new_facts.get(rel) or self._old_facts(rel)
        if facts is None:
            raise LookupError(rel)  # an index entry without its facts: never guess (the run starts afresh)
        return facts

    def _data_map(self) -> dict:
        if self._data is None:
            self._data = _unmarshalled(self._data_section, dict) or {}
        return self._data

    def _cached_data(self, key: bytes) -> dict | None:
        found = self._new_data.get(key) or self._data_map().get(key)
        return None if found is None else _unmarshalled(found, dict)

    def old_indexes(self) -> tuple[dict, Callable[[], dict | None]] | None:
        """Who related to whom ({target: [source ids]}) when the stored rules' diagnostics were computed, and a
        function giving who shared which work key then ({key: [ids]}; read only when asked: it is the larger)."""
        try:
            found = marshal.loads(self._incoming_section) if self._incoming_section else None
            if not (isinstance(found, tuple) and len(found) == 2 and all(isinstance(x, bytes) for x in found)):
                return None
            incoming = marshal.loads(found[0])
        except (ValueError, TypeError, EOFError):
            return None
        if not isinstance(incoming, dict):
            return None

        def peers() -> dict | None:
            try:
                index = marshal.loads(found[1])
            except (ValueError, TypeError, EOFError):
                return None
            return index if isinstance(index, dict) else None

        self._old_peer_bytes = found[1]
        return incoming, peers

    # reading files --------------------------------------------------------------------------------------------
    def _lookup(self, path: str, rel: str, what: str) -> tuple[bytes | None, tuple | None, tuple | None, tuple | None]:
        """(key, index entry or None, bytes read or None, stat signature to keep or None). No key for what the
        reader refuses without reading."""
        try:
            st = os.stat(path)
        except OSError:
            return None, None, None, None
        if not stat.S_ISREG(st.st_mode):
            return None, None, None, None
        sig = (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)
        known = self._index.get(rel)
        if known is not None and known[0] == sig:
            # Unchanged since its bytes were hashed: an edit sets the change time, which no tool can set back.
            return known[1], known, None, sig
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
        return key, (known if known is not None and known[1] == key else None), raw, sig

    def facts_reader(self, path: str, rel: str, folder_kind: str) -> tuple[object, list[Diagnostic]]:
        """validate's reader: for bytes read before, their diagnostics and (deferred) facts; else a fresh read."""
        known = self._index.get(rel)
        if known is not None and known[0] is not None and type(known[3]) is str and not known[2]:
            # The common case, kept short (it runs for every file): a valid record whose stat is as recorded.
            try:
                st = os.stat(path)
            except OSError:
                pass
            else:
                if (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns) == known[0] \
                        and stat.S_ISREG(st.st_mode):
                    self.hits += 1
                    self._new_index[rel] = known
                    self._order.append(known[1])
                    return _Deferred(known[3], rel), []
        key, known, raw, sig = self._lookup(path, rel, "record:" + folder_kind)
        if key is not None and known is not None:
            try:
                rid = known[3]
                diags = [_diag_of(row) for row in known[2]]
                if rid is not None and not isinstance(rid, str):
                    raise TypeError("wrong shape")
            except (TypeError, ValueError, IndexError):
                key = None  # a sealed entry of the wrong shape: read afresh, not cached
            else:
                self.hits += 1
                self._new_index[rel] = (sig, key, known[2], rid)
                self._order.append(key)
                return (None if rid is None else _Deferred(rid, rel)), diags
        facts, diags = read_facts(Path(path), rel, folder_kind, raw)
        self._read_afresh(rel, key, sig, facts, diags)
        return facts, diags

    def _read_afresh(self, rel: str, key: bytes | None, sig: tuple | None, facts: RecordFacts | None,
                     diags: list[Diagnostic]) -> None:
        self.misses += 1
        old = self._index.get(rel)
        self._changed.append((rel, old[3] if old is not None else "new"))
        if key is None:
            self._uncached = True
            self._order.append(f"uncached:{rel}:{_diag_texts(diags)}".encode())
        else:
            self._new_index[rel] = (sig, key, tuple(_diag_row(d) for d in diags), None if facts is None else facts.id)
            if facts is not None:
                self._new_facts[rel] = tuple(facts)
            self._order.append(key)

    def data_reader(self, path: Path, rel: str, folder_kind: str) -> tuple[dict | None, list[Diagnostic]]:
        """load_catalog's reader: for bytes read before, their data and diagnostics; else a fresh read."""
        self._loading = True
        key, known, raw, sig = self._lookup(str(path), rel, "record:" + folder_kind)
        rid: object = None
        if key is not None and known is not None:
            try:
                rid = known[3]
                diags = [_diag_of(row) for row in known[2]]
                if rid is not None and not isinstance(rid, str):
                    raise TypeError("wrong shape")
            except (TypeError, ValueError, IndexError):
                key = known = None  # a sealed entry of the wrong shape: read afresh, not cached
        if key is not None and known is not None:
            data = None if rid is None else self._cached_data(key)
            if rid is None or (data is not None and data.get("id") == rid):
                self.hits += 1
                self._new_index[rel] = (sig, key, known[2], rid)
                self._order.append(key)
                if data is not None:
                    self._new_data[key] = self._new_data.get(key) or self._data_map()[key]
                return data, diags
            # The index knows these bytes but their data was not kept (the cache was last written by validate):
            # read the file again; that is no change for the rules.
            data, diags = read_record(path, rel, folder_kind, raw)
            if data is not None and data.get("id") == rid:
                self.data_misses += 1
                self._new_index[rel] = (sig, key, known[2], rid)
                self._order.append(key)
                self._keep_data(key, data)
                return data, diags
            key = None  # not what the index says these bytes hold: not cached
        else:
            data, diags = read_record(path, rel, folder_kind, raw)
        facts = None if data is None else RecordFacts.from_dict(data, rel)
        self._read_afresh(rel, key, sig, facts, diags)
        if key is not None and data is not None:
            self._keep_data(key, data)
        return data, diags

    def _keep_data(self, key: bytes, data: dict) -> None:
        try:
            self._new_data[key] = marshal.dumps(data)
        except ValueError:
            self._uncached_data = True  # a value marshal cannot write (none is expected): the data is not kept

    def settings_reader(self, root: Path, rel: str, schema: str, diags: list[Diagnostic]) -> dict | None:
        """load's _read_document through the cache: catalog.yaml, taxonomy.yaml and tags.yaml."""
        path = root / rel
        if not path.exists():
            self._order.append(f"missing:{rel}".encode())
            return None
        if not _inside(os.path.realpath(root), path):  # checked before the cache is asked, as load does
            diags.append(_outside_catalog(rel))
            self._uncached = True
            self._order.append(f"outside:{rel}".encode())
            return None
        key, known, raw, sig = self._lookup(str(path), rel, "settings:" + schema)
        if key is not None and known is not None:
            try:
                data, found = known[3], [_diag_of(row) for row in known[2]]
                if data is not None and not isinstance(data, dict):
                    raise TypeError("wrong shape")
            except (TypeError, ValueError, IndexError):
                key = None  # a sealed entry of the wrong shape: read afresh, not cached
            else:
                self._new_index[rel] = (sig, key, known[2], data)
                self._order.append(key)
                diags.extend(found)
                return data
        before = len(diags)
        data = _read_document(root, rel, schema, diags, raw=raw)
        found = diags[before:]
        self._uncached = True  # the settings changed: every rule runs again
        if key is None:
            self._order.append(f"uncached:{rel}:{_diag_texts(found)}".encode())
        else:
            self._new_index[rel] = (sig, key, tuple(_diag_row(d) for d in found), data)
            self._order.append(key)
        return data

    def lazy_records(self, records: dict) -> _LazyRecords:
        """The CatalogFacts records, cached records' facts read from the cache file when a rule looks at them."""
        return _LazyRecords(records, self._read_facts)

    # the rules --------------------------------------------------------------------------------------------------
    def rules_key(self, diags_so_far: list[Diagnostic]) -> str:
        """Everything the rules' diagnostics depend on: the code, every file read (by its key, in order) and what
        reading gave (a record reported as a repeated id is not among the facts)."""
        h = hashlib.blake2b(digest_size=20)
        h.update(self._base().encode())
        h.update(b"\0".join(self._order))
        h.update(_diag_texts(diags_so_far).encode())
        return h.hexdigest()

    def _base(self) -> str:
        if self._base_text is None:
            self._base_text = f"{self.fingerprint}\0{_code_hash()}"
        return self._base_text

    def cached_rules(self, key: str) -> list[Diagnostic] | None:
        by_rule = self._stored_rules()
        if by_rule is None or self._result[0] != key:
            return None
        self.rules = "cached"
        return [d for found in by_rule.values() for d in found]

    def _stored_rules(self) -> dict[str, list[Diagnostic]] | None:
        if not (isinstance(self._result, tuple) and len(self._result) == 3 and isinstance(self._result[2], dict)):
            return None
        try:
            return {code: [_diag_of(row) for row in rows] for code, rows in self._result[2].items()}
        except (TypeError, ValueError, IndexError):
            return None

    def stored_rules(self) -> dict[str, list[Diagnostic]] | None:
        """The rules' diagnostics of the run that stored them, by rule, when the engine's code is the same."""
        if self._result is None or self._result[1] != self._base():
            return None
        return self._stored_rules()

    def changes(self) -> list[tuple[str, RecordFacts, RecordFacts]] | None:
        """(path, facts before, facts now) of every record file read afresh in this run, when the rules may be run
        again only where those changes matter; None when they must all run again: a settings file or an
        unreadable file changed, a file came or went, too many changed, or a changed record is not valid before
        and after with the same id."""
        if (self._uncached or not self._changed or len(self._changed) > self.MAX_INCREMENTAL
                or self._new_index.keys() != self._index.keys()):
            return None
        out = []
        for rel, old_id in self._changed:
            old, new = self._old_facts(rel), self._new_facts.get(rel)
            if old is None or new is None or old_id != new[0]:
                return None
            try:
                old, new = RecordFacts._make(old), RecordFacts._make(new)
            except TypeError:
                return None  # facts of another shape
            if old.id != new.id or old.path != new.path or new.path != rel:
                return None
            out.append((rel, old, new))
        return out

    def keep_indexes(self, incoming: dict[str, list[str]], peers: dict[tuple[str, str], list[str]] | None) -> None:
        """Who relates to whom and who shares which work key (None: as stored, unchanged), as the rules' run found
        them: stored for re-checking after an edit."""
        self._new_incoming = (marshal.dumps(incoming),
                              self._old_peer_bytes if peers is None else marshal.dumps(peers))

    def store_rules(self, key: str, by_rule: dict[str, list[Diagnostic]]) -> None:
        self._new_result = (key, self._base(), {code: tuple(_diag_row(d) for d in found)
                                                for code, found in by_rule.items()})

    # writing ----------------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Write this run's entries (those of changed or deleted files are dropped); True if written."""
        result = self._new_result if self._new_result is not None else self._result
        if (self.status == "loaded" and self.misses == 0 and self.data_misses == 0 and result == self._result
                and self._new_index == self._index and (not self._loading or self._data_section)):
            return False
        key = self._key or _secret_key(self.dir, create=True)
        if key is None:
            return False  # no private key to seal it with: not cached
        valid = [rel for rel, entry in self._new_index.items() if type(entry[3]) is str]
        # Valid records not read afresh keep their facts where they were: in the overlay or the facts section.
        overlay = {rel: self._overlay[rel] for rel in valid if rel in self._overlay and rel not in self._new_facts}
        overlay.update(self._new_facts)
        if self._facts_section and len(overlay) <= self.MAX_OVERLAY:
            facts_section = self._facts_section  # the same bytes; what changed is in the overlay
        else:
            old = self._facts_map() if len(overlay) < len(valid) else {}
            try:
                facts_section = marshal.dumps({rel: marshal.dumps(overlay[rel]) if rel in overlay else old[rel]
                                               for rel in valid})
            except (ValueError, KeyError):
                return False  # not cached; read afresh next time
            overlay = {}
        if self._loading and not self._uncached_data:
            data_section: bytes | memoryview = marshal.dumps(
                {entry[1]: self._new_data[entry[1]] for rel in valid
                 if (entry := self._new_index[rel])[1] in self._new_data})
        else:
            data_section = self._data_section  # a validate run: the data is kept as it was (keyed by content)
        if self._new_incoming is not None:
            incoming_section = marshal.dumps(self._new_incoming)
        elif result is self._result:
            incoming_section = self._incoming_section  # the rules' input did not change
        else:
            incoming_section = b""
        try:
            index = marshal.dumps((self.fingerprint, self._new_index, overlay, result))
        except ValueError:
            return False  # a value marshal cannot write (none is expected): not cached, read afresh next time
        parts = (len(index).to_bytes(8, "big"), index, len(facts_section).to_bytes(8, "big"), facts_section,
                 len(data_section).to_bytes(8, "big"), data_section,
                 incoming_section)  # written in pieces: the facts and data are not copied
        try:
            write_atomic(self.file, sealed(key, FORMAT, *parts), durable=False, private=True)  # lost: speed only
        except OSError:
            return False  # a read-only or full cache folder costs speed, never correctness
        return True


def _diag_texts(diags: Iterable[Diagnostic]) -> str:
    return "\n".join(repr(_diag_row(d)) for d in diags)


ValidationCache = RecordCache  # the older name (validate's cache is the record cache)
user_key = _secret_key  # the per-user key that seals the caches (the site's page cache uses it too)


def __getattr__(name: str):
    """The cached load and validate moved to pipeline.py (they run the rules); kept here for older callers."""
    if name in ("load_catalog_cached", "validate_catalog_cached"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
