"""Source stage: line and column of a JSON pointer in a catalog file, the file read again only when a diagnostic
needs a position.

A `Marks` lives for one run (one load or one set of rules) and keeps the last few files it read (rules report a
record's problems together), never beyond the run, so a long-lived process (`serve`, tests, repeated validates) never takes a position from an older
version of an edited file.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .source import SourceFile, read_yaml


class Marks:
    """Positions in the files of one catalog folder, for one run."""

    __slots__ = ("root", "_files")
    KEEP = 32  # files kept read: a rule reports file by file, so a few suffice; 10,000 would hold their marks

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._files: dict[str, SourceFile] = {}

    def source(self, rel_path: str) -> SourceFile:
        """The file read again (once per run while it is among the last few asked for): its data and line marks."""
        found = self._files.get(rel_path)
        if found is None:
            if len(self._files) >= self.KEEP:
                del self._files[next(iter(self._files))]  # the oldest
            found = self._files[rel_path] = read_yaml(self.root / rel_path, rel_path)
        return found

    def locate(self, rel_path: str, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        return self.source(rel_path).locate(pointer, key=key)

    def diagnostic(self, rel_path: str, pointer: str, code: str, message: str, hint: str = "", *,
                   key: bool = False, severity: Severity = Severity.ERROR) -> Diagnostic:
        line, col = self.locate(rel_path, pointer, key=key)
        return Diagnostic(rel_path, line, col, pointer, severity, code, message, hint)


def locate(root: Path, rel_path: str, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
    """Line and column of a JSON pointer in a catalog file (the file read again now)."""
    return Marks(root).locate(rel_path, pointer, key=key)


def diagnostic_at(root: Path, rel_path: str, pointer: str, code: str, message: str, hint: str = "", *,
                  key: bool = False, severity: Severity = Severity.ERROR) -> Diagnostic:
    """A diagnostic located in a catalog file (the file read again now; in a loop, use one Marks)."""
    return Marks(root).diagnostic(rel_path, pointer, code, message, hint, key=key, severity=severity)
