"""Diagnostics stage: problems found anywhere in the pipeline, as data, and their text/JSON/GitHub renderings."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: where it is (file, line, column, JSON pointer), what rule found it, and how to fix it."""

    path: str
    line: int | None
    col: int | None
    pointer: str
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def to_text(self) -> str:
        pointer = f" {self.pointer}" if self.pointer else ""
        text = (f"{visible(self.location())}: {self.severity.value}[{self.code}]{visible(pointer)}: "
                f"{visible(self.message)}")
        if self.hint:
            text += f"\n    hint: {visible(self.hint)}"
        return text

    def to_github(self) -> str:
        # Workflow commands: newlines and the property separators must be percent-escaped.
        def esc_data(s: str) -> str:
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def esc_prop(s: str) -> str:
            return esc_data(s).replace(":", "%3A").replace(",", "%2C")

        props = [f"file={esc_prop(self.path)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
            if self.col is not None:
                props.append(f"col={self.col}")
        props.append(f"title={esc_prop(self.code)}")
        body = f"{self.pointer}: {self.message}" if self.pointer else self.message
        if self.hint:
            body += f"\nhint: {self.hint}"
        level = "error" if self.is_error else "warning"
        return f"::{level} {','.join(props)}::{esc_data(body)}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d


# Control characters (a newline would start a new line in a CI log, where `::error::` is a workflow command) and
# bidirectional-text controls (which reorder what a reader sees) in contributed text are shown as escapes.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\n]")


def visible(text: str) -> str:
    """Text with control and bidi characters written as escapes (\\n, \\u202e), safe for one terminal line."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def sort_key(d: Diagnostic) -> tuple:
    return (d.path, d.line or 0, d.col or 0, d.code, d.pointer, d.message)


def shown_from(diags: Iterable[Diagnostic], base: str | os.PathLike[str] | None) -> list[Diagnostic]:
    """The diagnostics with their catalog-relative paths joined onto `base`, the catalog folder as the user named it.

    `aligncat validate catalog` then prints catalog/papers/x.yaml: a path the terminal, the editor and GitHub's
    annotations (which want paths from the repository root) all find.
    """
    prefix = PurePosixPath(Path(base).as_posix()) if base not in (None, "", ".") else None
    if prefix is None or str(prefix) == ".":
        return list(diags)
    return [
        d if not d.path or PurePosixPath(d.path).is_absolute() else replace(d, path=str(prefix / d.path))
        for d in diags
    ]


def format_diagnostics(
    diags: Iterable[Diagnostic], fmt: str = "text", *, base: str | os.PathLike[str] | None = None
) -> str:
    """Render diagnostics as 'text' (one block each), 'json' (a list) or 'github' (workflow annotations).

    With `base` (the catalog folder as given on the command line) paths are shown from there, not from the catalog.
    """
    items = sorted(shown_from(diags, base), key=sort_key)
    if fmt == "json":
        return json.dumps([d.to_dict() for d in items], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.to_github() for d in items)
    return "\n".join(d.to_text() for d in items)


def summary_line(diags: Iterable[Diagnostic], n_files: int) -> str:
    diags = list(diags)
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    return f"{n_files} files checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
