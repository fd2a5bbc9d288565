"""Atomic file writes, the one writer of the package: a temporary file in the same folder, written whole, then
renamed over the target, so a reader or a crash sees the old file (or none) or the new one, never half a file.

Every writer of the lower stages goes through `write_atomic`: `fmt`, `new` and the importers (records), `export -o`,
the record cache (`private=True`: owner-only, in an owner-only folder), the generated docs (`durable=False`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: str | Path, data: str | bytes | Iterable[bytes], *, encoding: str = "utf-8",
                 durable: bool = True, private: bool = False) -> None:
    """Write all of `data` (text, bytes, or bytes in pieces, which are not joined first) to `path`, or nothing.

    `durable` syncs the file to disk before the rename (a power cut then leaves the old or the new file; a file
    rebuilt on every run may skip it, a crash of the process alone never leaves half a file either way).
    `private` makes the file readable and writable by its owner only (mode 0600), its folder created 0700; else
    the file keeps the mode of the one it replaces (0644 for a new one).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, **({"mode": 0o700} if private else {}))
    if isinstance(data, str):
        parts: Iterable[bytes] = (data.encode(encoding),)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        parts = (data,)
    else:
        parts = data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if not private:
            try:
                mode = path.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
