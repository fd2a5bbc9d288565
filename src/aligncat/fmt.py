"""Format stage: rewrite catalog YAML in canonical key order and style, keeping comments, quotes and values.

The canonical order of a mapping's keys is the order in which its JSON Schema lists the properties, so the schema
stays the single source of truth. Keys the schema does not know keep their place after the known ones (validate
reports them). Everything else a person wrote (comments, flow `{...}` items, quotes) is kept, so reformatting a
hand-written file changes only what is out of order or out of style: minimal diffs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .atomic import write_atomic
from .schema import RECORD_KINDS, bundled_schema, resolve
from .yamlio import LINE_WIDTH, make_yaml, quote_unsafe, record_yaml, styled  # noqa: F401  (record_yaml: API)

_DOCUMENT_SCHEMAS = {"catalog.yaml": "catalog", "taxonomy.yaml": "taxonomy", "tags.yaml": "tags"}
_FOLDER_KINDS = {f"{k}s": k for k in RECORD_KINDS}


class FormatError(Exception):
    """A file that cannot be formatted (not YAML, or not a mapping); carries file, line and a fix."""

    def __init__(self, path: str, line: int | None, message: str, hint: str) -> None:
        super().__init__(f"{path}:{line or 1}: error[fmt] {message}\n  hint: {hint}")
        self.path, self.line, self.message, self.hint = path, line, message, hint


def _yaml() -> YAML:
    return make_yaml()


# --- key order from the schema --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyOrder:
    """The property order of one schema node, and the orders of the nodes below it."""

    keys: tuple[str, ...]
    children: dict[str, KeyOrder]
    items: KeyOrder | None = None  # for arrays: the order of each item


def _order_of(schema: dict, node: dict, depth: int = 0) -> KeyOrder | None:
    node = resolve(schema, node)
    if depth > 12:
        return None
    if node.get("type") == "array" or "items" in node:
        items = node.get("items")
        inner = _order_of(schema, items, depth + 1) if isinstance(items, dict) else None
        return KeyOrder((), {}, inner) if inner else None
    props = node.get("properties")
    if not isinstance(props, dict):
        return None
    children = {}
    for name, sub in props.items():
        child = _order_of(schema, sub, depth + 1) if isinstance(sub, dict) else None
        if child:
            children[name] = child
    return KeyOrder(tuple(props), children)


@cache
def key_order(schema_name: str) -> KeyOrder:
    """The canonical key order for documents of one schema ('paper', 'taxonomy', ...)."""
    schema = bundled_schema(schema_name)
    order = _order_of(schema, schema)
    return order or KeyOrder((), {})


def schema_for(path: Path, data: Any) -> str | None:
    """Which schema orders a file: records by their `kind` (else their folder), the known documents by name."""
    if path.name in _DOCUMENT_SCHEMAS and (path.name != "tags.yaml" or path.parent.name == "vocabularies"):
        return _DOCUMENT_SCHEMAS[path.name]
    if isinstance(data, dict) and data.get("kind") in RECORD_KINDS:
        return str(data["kind"])
    return _FOLDER_KINDS.get(path.parent.name)


def _reorder(node: Any, order: KeyOrder | None) -> None:
    if order is None:
        return
    if isinstance(node, CommentedSeq):
        for item in node:
            _reorder(item, order.items)
        return
    if not isinstance(node, CommentedMap):
        return
    rank = {k: i for i, k in enumerate(order.keys)}
    current = list(node.keys())
    wanted = sorted(current, key=lambda k: (rank.get(k, len(rank)), current.index(k)))
    if wanted != current:
        # move_to_end keeps each key's comments with it (ruamel stores them per key).
        for k in wanted:
            node.move_to_end(k)
    for k, v in node.items():
        _reorder(v, order.children.get(k) if order.keys else order.items)


# --- formatting -------------------------------------------------------------------------------------------------


def format_text(text: str, *, path: Path = Path("record.yaml"), schema_name: str | None = None) -> str:
    """The canonical form of one YAML document. Raises FormatError, naming the line, when it cannot be read."""
    y = _yaml()
    try:
        data = y.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise FormatError(
            str(path),
            mark.line + 1 if mark else None,
            f"not valid YAML: {e.problem or e}",
            "fix the YAML syntax first (run `aligncat validate` for details)",
        ) from None
    except Exception as e:  # ruamel raises plain errors for duplicate keys and the like
        raise FormatError(
            str(path), None, f"cannot read: {e}", "fix the YAML first (run `aligncat validate`)"
        ) from None
    if data is None:
        return text
    name = schema_name or schema_for(path, data)
    if name:
        order = key_order(name)
        _reorder(data, order)
        if name == "taxonomy":
            _reorder_categories(data)
    quote_unsafe(data)  # what YAML 1.1 or 1.2 would re-type (`No`, `on`, `1e3`, `?` in {...}) is quoted
    out = io.StringIO()
    y.dump(data, out)
    result = out.getvalue()
    lines = [line.rstrip() for line in result.split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def _reorder_categories(data: Any) -> None:
    # Categories nest through `children`; the schema expresses that with a $ref cycle, so apply the category order
    # at every depth by hand.
    order = key_order("taxonomy")
    scheme = order.children.get("schemes")
    cat = scheme.items.children.get("categories") if scheme and scheme.items else None
    if not cat or not cat.items or not isinstance(data, CommentedMap):
        return

    def walk(seq: Any) -> None:
        for item in seq or ():
            _reorder(item, cat.items)
            if isinstance(item, CommentedMap):
                walk(item.get("children"))

    for s in data.get("schemes") or ():
        if isinstance(s, CommentedMap):
            walk(s.get("categories"))


@dataclass(frozen=True)
class FileResult:
    path: Path
    changed: bool
    error: FormatError | None = None


def iter_yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files named, and those inside the folders named, in a stable order."""
    for p in paths:
        if p.is_dir():
            yield from sorted(
                q
                for q in p.rglob("*")
                if q.suffix in (".yaml", ".yml")
                and q.is_file()
                and not any(part.startswith(".") for part in q.relative_to(p).parts)
            )
        else:
            yield p


def format_file(path: Path, *, check: bool = False) -> FileResult:
    """Format one file in place (atomically) or, with check, only tell whether it would change."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return FileResult(
            path,
            False,
            FormatError(str(path), None, f"cannot read: {e}", "check the path and that the file is UTF-8"),
        )
    try:
        new = format_text(text, path=path)
    except FormatError as e:
        return FileResult(path, False, e)
    changed = new != text
    if changed and not check:
        write_atomic(path, new)
    return FileResult(path, changed)


def format_paths(paths: Iterable[Path], *, check: bool = False) -> list[FileResult]:
    return [format_file(p, check=check) for p in iter_yaml_files(paths)]
