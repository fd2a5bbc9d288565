"""Writer stage: the one canonical YAML writer, shared by `fmt`, `new` and the importers.

It writes what any reader reads back as the same strings: a scalar that YAML 1.1 (PyYAML, most tools) or YAML 1.2
(ruamel, the spec) would read as something else is quoted: booleans in either version (`No`, `on`, `y`), nulls,
numbers (`1e3`, `012`, `0o17`, `1_000`, `12:30`), dates and partial dates, and inside flow collections (`{...}`,
`[...]`) any text holding `,`, `[`, `]`, `{`, `}`, `#`, `?` or `:`. Style: 2-space indents, list dashes level with
their key, one-line `{...}` items for authors, links and relations, `[a, b]` for short lists of plain values,
long lines never wrapped. tests/test_roundtrip_yaml.py checks the round trip with PyYAML and ruamel on random text.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString, SingleQuotedScalarString

LINE_WIDTH = 4096
STR_TAG = "tag:yaml.org,2002:str"
FLOW_ITEM_LISTS = frozenset({"authors", "links", "relations"})
MAX_FLOW_LIST = 12

# YAML 1.1 booleans PyYAML does not know but the 1.1 spec (and other readers) do, and its special keys.
_YAML11_EXTRA = {"y", "Y", "n", "N", "=", "<<"}
_FLOW_SPECIAL = re.compile(r"[,\[\]{}#?:]")
_INDICATOR_START = set("-?:,[]{}#&*!|>'\"%@`")
# Text that looks like a number, date or time to some reader: quoted whatever the resolvers say.
_NUMBERISH = re.compile(r"^[+\-.]?\d[\d_.:\-+eE ]*$|^[+\-]?\.(inf|nan)$", re.I)
_NEEDS_DOUBLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u0085\ufeff\ufffe\uffff]")


@lru_cache(maxsize=4)
def _ruamel_resolver(version: tuple[int, int]) -> VersionedResolver:
    return VersionedResolver(version=version)


def _resolves_to_str(text: str) -> bool:
    if yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False)) != STR_TAG:
        return False
    for version in ((1, 2), (1, 1)):
        if _ruamel_resolver(version).resolve(RuamelScalarNode, text, (True, False)) != STR_TAG:
            return False
    return True


@lru_cache(maxsize=65536)
def needs_quotes(text: str, flow: bool = False) -> bool:
    """Whether a string must be quoted to be read back as the same string by YAML 1.1 and 1.2 readers (plain is
    kept for everything else, so hand-written files keep their look)."""
    if not text or text != text.strip() or text in _YAML11_EXTRA:
        return True
    if text[0] in _INDICATOR_START or text[-1] == ":" or ": " in text or " #" in text or "\n" in text:
        return True
    if _NEEDS_DOUBLE.search(text) or _NUMBERISH.match(text):
        return True
    if flow and _FLOW_SPECIAL.search(text):
        return True
    return not _resolves_to_str(text)


def quoted(text: str) -> ScalarString:
    """The string as a quoted scalar: single quotes, or double quotes (with escapes) when it holds line breaks or
    control characters, which single quotes would fold or cannot carry."""
    if _NEEDS_DOUBLE.search(text):
        return DoubleQuotedScalarString(text)
    return SingleQuotedScalarString(text)


def _is_flow(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def quote_unsafe(node: Any, flow: bool = False) -> Any:
    """Walk a ruamel tree in place, quoting every plain string value its context would re-type; returns it.

    Strings written quoted, folded or literal keep their style (a single-quoted one holding a line break or a
    control character becomes double-quoted)."""
    inner_flow = flow or _is_flow(node)
    if isinstance(node, CommentedMap):
        for k in list(node.keys()):
            node[k] = _quote_value(node[k], inner_flow)
        return node
    if isinstance(node, CommentedSeq):
        for i, v in enumerate(node):
            node[i] = _quote_value(v, inner_flow)
        return node
    return node


def _quote_value(v: Any, flow: bool) -> Any:
    if isinstance(v, CommentedMap | CommentedSeq):
        return quote_unsafe(v, flow)
    if isinstance(v, str):
        if isinstance(v, ScalarString):  # quoted, folded (>-) or literal (|) as written: never re-typed
            if isinstance(v, SingleQuotedScalarString) and _NEEDS_DOUBLE.search(v):
                return DoubleQuotedScalarString(str(v))
            return v
        if needs_quotes(str(v), flow):
            return quoted(str(v))
    return v


def styled(value: Any, key: str = "") -> Any:
    """Plain data as ruamel nodes in the house style: one-line {..} items for authors, links and relations, and
    [a, b] for short lists of plain values."""
    if isinstance(value, dict):
        return CommentedMap((k, styled(v, k)) for k, v in value.items())
    if isinstance(value, list | tuple):
        seq = CommentedSeq(styled(v) for v in value)
        if (
            all(not isinstance(v, dict | list | tuple) for v in value)
            and len(value) <= MAX_FLOW_LIST
            and key != "notes"
        ):
            seq.fa.set_flow_style()
        elif key in FLOW_ITEM_LISTS:
            for item in seq:
                if isinstance(item, CommentedMap):
                    item.fa.set_flow_style()
        return seq
    return value


def make_yaml() -> YAML:
    """The round-trip reader and writer every catalog file goes through (comments and quotes kept)."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = LINE_WIDTH
    y.indent(mapping=2, sequence=2, offset=0)
    y.allow_duplicate_keys = False
    return y


def dump(node: Any) -> str:
    """The text of a ruamel tree (or plain data, styled first), unsafe scalars quoted, trailing spaces dropped."""
    if not isinstance(node, CommentedMap | CommentedSeq):
        node = styled(node)
    quote_unsafe(node)
    out = io.StringIO()
    make_yaml().dump(node, out)
    lines = [line.rstrip() for line in out.getvalue().split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def _in_order(value: Any, order: Any) -> Any:
    """Plain data with every mapping's keys in the schema's order (fmt's key order, applied before writing)."""
    if order is None:
        return value
    if isinstance(value, list | tuple):
        return [_in_order(v, order.items) for v in value]
    if not isinstance(value, dict):
        return value
    rank = {k: i for i, k in enumerate(order.keys)}
    keys = sorted(value, key=lambda k: (rank.get(k, len(rank)), list(value).index(k)))
    return {k: _in_order(value[k], order.children.get(k) if order.keys else order.items) for k in keys}


def record_yaml(data: dict[str, Any]) -> str:
    """A new record file's text: the data in canonical key order and style (what `fmt` leaves unchanged; a test
    checks that fmt changes nothing in it)."""
    from .fmt import key_order

    kind = data.get("kind")
    return dump(styled(_in_order(data, key_order(str(kind)) if kind else None)))
