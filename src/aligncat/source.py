"""Source stage: read one YAML file into plain data, refusing what YAML allows but a catalog must not.

The fast path is libyaml's C parser with a constructor that rejects duplicate keys and non-string keys. Line and
column marks for JSON pointers are computed only when a diagnostic needs them (by composing the file again), so a
clean catalog pays nothing for them.

Over 500 lines because the reader is one composer: each refusal (tabs, BOMs, anchors, tags, YAML 1.1 numbers,
impossible dates, depth and size bounds) is a branch of the same node walk, and the marks are computed by the
same walk again; split apart, each piece would need the others' state.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, Severity

try:  # libyaml is ~10x faster; the pure-Python loader is the fallback.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
# The largest real record holds ~500 values; 20,000 leaves room for a paper with thousands of authors while a
# 1 MB file of `[1,1,1,...]` (500,000 values, ~40 s and ~250 MB to read and explain) is refused within milliseconds.
MAX_NODES = 20_000
MAX_REPORTED_PER_RULE = 10
# Counts and years need a few digits; 15 keeps every integer exact in JavaScript and JSON readers (2**53), and a
# 5,000-digit literal is refused before Python's int() refuses it with an exception (past 4,300 digits).
MAX_INT_DIGITS = 15

# Codes this stage reports, with what each means (listed by `aligncat rules` and docs/diagnostics.md).
SOURCE_CODES = {
    "unreadable": "the file cannot be read (missing, a folder, no permission)",
    "file-too-large": f"the file is larger than {MAX_FILE_BYTES:,} bytes; it is not parsed",
    "bom": "the file starts with a UTF-8 byte-order mark",
    "encoding": "the file is not valid UTF-8",
    "tab": "a tab character (YAML indentation must use spaces)",
    "bidi-control": "an invisible character that reorders text (U+202A-U+202E, U+2066-U+2069): what reviewers see "
                    "is not what the file says",
    "empty-file": "the file holds no data",
    "yaml-syntax": "the file is not valid YAML",
    "duplicate-key": "a mapping has the same key twice (YAML readers silently keep the last)",
    "non-string-key": "a key YAML 1.1 reads as a boolean or number (no:, on:, 1.0:)",
    "bad-key": "a key that is a list or mapping",
    "alias": "a YAML anchor or alias (refused so no file can expand without bound)",
    "too-deep": f"data nested deeper than {MAX_DEPTH} levels",
    "too-many-values": f"the file holds more than {MAX_NODES:,} values (keys, items and scalars); it is not read",
    "not-mapping": "the file holds a list or a scalar instead of a mapping of fields",
    "yaml-tag": "an explicit YAML tag such as !!int, !!float, !!seq, !!omap or !!python/... (only !!str is allowed: "
                "a tag changes what a value means without showing it)",
    "yaml11-value": "a value YAML 1.1 reads as something other than it looks: base-60 (33:43 is 2023), octal, binary, "
                    "hexadecimal or underscored numbers, the merge key '<<', the value key '='",
    "invalid-date": "an unquoted date or time that is not a real one (2023-02-30, month 13, hour 25)",
    "number-too-large": f"a number with more than {MAX_INT_DIGITS} digits",
    "control-character": "a control character (NUL, ESC, DEL, C1 controls, U+FFFE/U+FFFF, or a line separator YAML 1.1 "
                         "reads as a line break): invisible, and it makes XML exports (feed, GraphML) unreadable",
}


class _SourceProblem(Exception):
    def __init__(self, code: str, message: str, hint: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.mark = code, message, hint, mark


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate keys, non-string keys and aliases while it constructs."""

    def __init__(self, stream: str, max_nodes: int = MAX_NODES) -> None:
        super().__init__(stream)
        self.key_problems: list[tuple[str, str, str, yaml.Mark]] = []
        # Values refused while building (a tag, a YAML 1.1 number, an impossible date), with whether it was a key:
        # the file goes on being read with the text as written, so every problem in it is reported at once.
        self.value_problems: list[tuple[str, str, str, yaml.Mark, bool]] = []
        self.saw_float = False
        self.nodes_left = max_nodes

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # The composer asks for every node's tag as it builds it, so counting here stops a file with too many
        # values before it is held in memory. (Replaced below by a faster function that counts the same way.)
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise _TooMany
        return _BaseLoader.resolve(self, kind, value, implicit)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # The composer hands out one node for an anchor and every alias of it: meeting it twice is an alias.
            raise _SourceProblem("alias", "YAML aliases are not allowed", "write the value out in full", node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        seen: dict[Any, yaml.Mark] = {}
        pairs = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _SourceProblem("bad-key", "a mapping key must be a plain string", "use a simple word as the key",
                                     key_node.start_mark)
            key = self.construct_object(key_node)
            if not isinstance(key, str):
                # `no:`, `on:`, `1.0:` are read as bool/float keys by YAML 1.1; keep going with the text as written.
                self.key_problems.append(("non-string-key", f"key {key_node.value!r} is read as {type(key).__name__}",
                                          f"quote it: '{key_node.value}':", key_node.start_mark))
                key = key_node.value
            if key in seen:
                first = seen[key]
                raise _SourceProblem(
                    "duplicate-key",
                    f"key {key!r} appears twice in one mapping (first at line {first.line + 1})",
                    "keep one of them: YAML readers silently use the last one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
            pairs.append((key, value_node))
        return {key: self.construct_object(value_node, deep=deep) for key, value_node in pairs}


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_mapping)
_IMPLICIT_BY_FIRST_CHAR = {first: tuple(pairs) for first, pairs in _BaseLoader.yaml_implicit_resolvers.items()}


def _count_and_resolve(self: _StrictLoader, kind: type, value: Any, implicit: tuple[bool, bool],
                       _scalar: type = yaml.ScalarNode, _seq: type = yaml.SequenceNode,
                       _by_first: dict = _IMPLICIT_BY_FIRST_CHAR) -> str:
    # The libyaml composer calls back into Python for every node (a million times for 10,000 records), so this is
    # one function, not two: it counts the node, then gives the stock tag with one lookup by first character (the
    # stock resolver also walks path resolvers, which a safe loader never has).
    self.nodes_left -= 1
    if self.nodes_left < 0:
        raise _TooMany
    if kind is _scalar:
        if implicit[0]:
            for tag, regexp in _by_first.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return "tag:yaml.org,2002:str"
    return "tag:yaml.org,2002:seq" if kind is _seq else "tag:yaml.org,2002:map"


if not _BaseLoader.yaml_path_resolvers and None not in _BaseLoader.yaml_implicit_resolvers:
    _StrictLoader.resolve = _count_and_resolve  # type: ignore[method-assign]
    # Path resolvers are empty, so the composer's descend/ascend calls (two more per node) do nothing: C builtins
    # that take the same arguments and ignore them cost a fraction of a Python function call.
    _StrictLoader.descend_resolver = {}.get  # type: ignore[method-assign, assignment]  # (parent, index) -> index
    _StrictLoader.ascend_resolver = ().__len__  # type: ignore[method-assign, assignment]  # () -> 0

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TAG_PREFIX = "tag:yaml.org,2002:"
# Integers as YAML 1.2 and every other reader write them; YAML 1.1 also reads 0b1010, 017, 0x1F, 1_000 and 33:43.
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")


def _implicit_tag(node: yaml.ScalarNode) -> str:
    """The tag an untagged scalar with this text and style gets: a tag that differs was written explicitly."""
    if node.style:  # quoted or block scalars are text ('' is libyaml's plain style, None the pure-Python one's)
        return _STR_TAG
    value = node.value
    for tag, regexp in _IMPLICIT_BY_FIRST_CHAR.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR_TAG


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX):] if tag.startswith(_TAG_PREFIX) else tag


def _tag_hint(tag: str, node: yaml.Node) -> str:
    name = _tag_name(tag)
    if isinstance(node, yaml.ScalarNode):
        if tag == _SEQ_TAG:
            return f"remove '{name}' and write a list: [{_short(node.value)}]"
        if tag == _MAP_TAG:
            return f"remove '{name}' and write a mapping of fields"
        if not node.value:
            return f"remove '{name}' and write the value itself"
        return (f"remove '{name}': write text in quotes ('{_short(node.value)}'), a number in plain digits, "
                "true or false")
    return f"remove '{name}' and write a plain {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}"


_STOCK = yaml.constructor.SafeConstructor()  # PyYAML's own conversions, for the scalars that pass the checks


def _yaml11_int(text: str) -> str:
    """What YAML 1.1 reads a non-decimal integer as, in words (the text is at most a few dozen characters)."""
    body = text.replace("_", "").lstrip("+-")
    kind = ("a base-60 number" if ":" in body else "a binary number" if body.startswith("0b")
            else "a hexadecimal number" if body.startswith("0x") else "an octal number" if body.startswith("0")
            else "a number")
    try:
        value = _STOCK.construct_yaml_int(yaml.ScalarNode(_INT_TAG, text))
    except (ValueError, IndexError):
        return f"{kind}, which is no number at all"
    return f"{kind}, {value}"


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("too deep")
        self.mark = mark


class _TooMany(Exception):
    pass


# libyaml refuses more than 1000 nested flow or block levels itself, as a syntax error; that is our too-deep.
_LIBYAML_DEPTH_PROBLEM = "exceeded maximum nesting depth"


def _build(loader: _StrictLoader, root: yaml.Node, max_depth: int) -> Any:
    """Turn composed nodes into plain data, refusing what _StrictLoader refuses, in about half its time.

    PyYAML's generic constructor spends most of a record's load in bookkeeping a catalog never needs (object
    identity for aliases, which are refused before this runs, and two-step generators for recursive data). Plain
    strings, the bulk of a record, are taken straight from the node; every other scalar goes through the stock
    constructor so ints, booleans, dates and unknown tags behave exactly as before.
    """

    problems = loader.value_problems

    def refuse(node: yaml.Node, is_key: bool, code: str, message: str, hint: str) -> str:
        problems.append((code, message, hint, node.start_mark, is_key))
        return node.value if isinstance(node, yaml.ScalarNode) else ""

    def scalar(node: yaml.ScalarNode, is_key: bool = False) -> Any:
        """A scalar that is not plain text: what YAML means by it, or its text with the problem noted."""
        tag, text = node.tag, node.value
        if tag != _implicit_tag(node):
            return refuse(node, is_key, "yaml-tag", f"explicit YAML tag '{_tag_name(tag)}' is not allowed",
                          _tag_hint(tag, node))
        if tag == _INT_TAG:
            digits = len(text) - (text[:1] in "+-")
            if digits > MAX_INT_DIGITS:
                return refuse(node, is_key, "number-too-large",
                              f"a number of {digits:,} digits; numbers here have at most {MAX_INT_DIGITS}",
                              f"if it is an identifier or text, quote it: '{_short(text)}'")
            if not _DECIMAL_INT.match(text):
                return refuse(node, is_key, "yaml11-value",
                              f"'{_short(text)}' is read by YAML 1.1 as {_yaml11_int(text)}",
                              f"write the number in plain decimal digits, or quote it if it is text: '{_short(text)}'")
            return int(text)
        if tag == _FLOAT_TAG:
            loader.saw_float = True
            try:
                return _STOCK.construct_yaml_float(node)
            except (ValueError, IndexError):
                return refuse(node, is_key, "yaml11-value", f"'{_short(text)}' is read by YAML 1.1 as a number, "
                              "but it is none", f"quote it: '{_short(text)}'")
        if tag == _TIMESTAMP_TAG:
            try:
                return _STOCK.construct_yaml_timestamp(node)
            except (ValueError, OverflowError, AttributeError) as exc:
                reason = "its time-zone offset is 24 hours or more" if "timedelta" in str(exc) else str(exc)
                return refuse(node, is_key, "invalid-date", f"{_short(text)} is not a real date or time: {reason}",
                              "write a real date, in quotes: 'YYYY-MM-DD' (an unquoted date is read by YAML as a "
                              "date, and this one does not exist)")
        if tag == _MERGE_TAG:
            return refuse(node, is_key, "yaml11-value", "'<<' is a YAML merge key, which copies fields from "
                          "elsewhere", "write the fields out in full, or quote it if it is text: '<<'")
        if tag == _VALUE_TAG:
            return refuse(node, is_key, "yaml11-value", "'=' is read by YAML 1.1 as a special value key",
                          "quote it: '='")
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return _STOCK.bool_values[text.lower()]  # the resolver matched one of its words exactly
        return refuse(node, is_key, "yaml-tag", f"YAML reads '{_short(text)}' as '{_tag_name(tag)}'",
                      f"quote it: '{_short(text)}'")

    def build(node: yaml.Node, depth: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR_TAG else scalar(node)
        if depth > max_depth:
            raise _TooDeep(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                return refuse(node, False, "yaml-tag", f"explicit YAML tag '{_tag_name(node.tag)}' is not allowed",
                              _tag_hint(node.tag, node))
            out: dict[Any, Any] = {}
            marks: dict[Any, yaml.Mark] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _SourceProblem("bad-key", "a mapping key must be a plain string",
                                         "use a simple word as the key", key_node.start_mark)
                if key_node.tag == _STR_TAG:
                    key = key_node.value
                else:
                    key = scalar(key_node, is_key=True)
                    if not isinstance(key, str):
                        loader.key_problems.append((
                            "non-string-key", f"key {key_node.value!r} is read as {type(key).__name__}",
                            f"quote it: '{key_node.value}':", key_node.start_mark))
                        key = key_node.value
                if key in out:
                    raise _SourceProblem(
                        "duplicate-key",
                        f"key {key!r} appears twice in one mapping (first at line {marks[key].line + 1})",
                        "keep one of them: YAML readers silently use the last one", key_node.start_mark)
                marks[key] = key_node.start_mark
                out[key] = build(value_node, depth + 1)
            return out
        if node.tag != _SEQ_TAG:
            return refuse(node, False, "yaml-tag", f"explicit YAML tag '{_tag_name(node.tag)}' is not allowed",
                          _tag_hint(node.tag, node))
        return [build(item, depth + 1) for item in node.value]

    return build(root, 1)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape_pointer_token(token)}"


def compute_marks(text: str) -> dict[str, tuple[int, int, int, int]]:
    """Map every JSON pointer in the document to (key line, key col, value line, value col), 1-based."""
    marks: dict[str, tuple[int, int, int, int]] = {}
    try:
        root = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return marks
    if root is None:
        return marks
    m = root.start_mark
    stack: list[tuple[str, yaml.Node, yaml.Mark]] = [("", root, m)]
    while stack:  # iterative: a hostile file may nest deeper than Python's recursion limit
        pointer, node, key_mark = stack.pop()
        vm = node.start_mark
        marks[pointer] = (key_mark.line + 1, key_mark.column + 1, vm.line + 1, vm.column + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append((pointer_join(pointer, getattr(k, "value", "?")), v, k.start_mark))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((pointer_join(pointer, i), v, v.start_mark))
    return marks


@dataclass
class SourceFile:
    """One read file: its data (None when unreadable), the problems found reading it, and lazy line marks."""

    path: Path
    display: str
    text: str | None = None
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # JSON pointers of values this stage refused (the data holds their text as written): the schema stage says
    # nothing more about them, so each problem is reported once.
    refused: set[str] = field(default_factory=set)
    # Whether the data holds a YAML float (None: not known). No field takes one, and JSON Schema counts 2023.0 as an
    # integer, so the schema stage checks integers strictly when there is one.
    has_float: bool | None = None
    _marks: dict[str, tuple[int, int, int, int]] | None = field(default=None, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    def lines(self) -> list[str]:
        """The text's lines, split once (diagnostics quote them; a file may have thousands of diagnostics)."""
        if self._lines is None:
            self._lines = [] if self.text is None else self.text.splitlines()
        return self._lines

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value (or its key) at a JSON pointer; the nearest existing parent otherwise."""
        if self.text is None:
            return (None, None)
        if self._marks is None:
            self._marks = compute_marks(self.text)
        p = pointer
        while True:
            if p in self._marks:
                kl, kc, vl, vc = self._marks[p]
                return (kl, kc) if key else (vl, vc)
            if not p:
                return (1, 1)
            p = p.rsplit("/", 1)[0]

    def diag(self, code: str, message: str, hint: str = "", pointer: str = "", *, key: bool = False,
             severity: Severity = Severity.ERROR, line: int | None = None, col: int | None = None) -> Diagnostic:
        if line is None:
            line, col = self.locate(pointer, key=key)
        d = Diagnostic(self.display, line, col, pointer, severity, code, message, hint)
        self.diagnostics.append(d)
        return d


def _line_col(text_bytes: bytes, offset: int) -> tuple[int, int]:
    before = text_bytes[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


# The Trojan Source characters (CVE-2021-42574): embeddings, overrides and isolates. Marks (U+200E/F) and joiners
# stay allowed, since right-to-left names and emoji need them.
_BIDI_NAMES = {"\u202a": "left-to-right embedding", "\u202b": "right-to-left embedding",
               "\u202c": "pop directional formatting", "\u202d": "left-to-right override",
               "\u202e": "right-to-left override", "\u2066": "left-to-right isolate",
               "\u2067": "right-to-left isolate", "\u2068": "first strong isolate",
               "\u2069": "pop directional isolate"}
_BIDI_CONTROL = re.compile("[" + "".join(_BIDI_NAMES) + "]")


# What no text field may hold: C0 controls but tab, line feed and carriage return (CRLF files), DEL, the C1
# controls, and U+FFFE/U+FFFF; XML 1.0 (the Atom feed, GraphML) cannot carry them, and none is visible.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_ESCAPED_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")  # \r too: only "\r" makes one
# Line breaks for YAML 1.1 but not for YAML 1.2, editors or GitHub: line numbers would disagree.
_RAW_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x0D: "carriage return",
                  0x1B: "ESC", 0x7F: "DEL", 0x85: "next line, NEL", 0x2028: "line separator",
                  0x2029: "paragraph separator", 0xFFFE: "a noncharacter", 0xFFFF: "a noncharacter"}


def _control_name(ch: str) -> str:
    code = ord(ch)
    name = _CONTROL_NAMES.get(code) or ("a C1 control" if 0x80 <= code <= 0x9F else "a control character")
    return f"U+{code:04X} ({name})"


def _report_raw_controls(src: SourceFile, text: str) -> bool:
    """Every raw control character or YAML 1.1 line break in the text, by line and column; True if any."""
    found = 0
    for match in re.finditer(f"{_CONTROL.pattern}|{_RAW_LINE_BREAKS.pattern}", text):
        found += 1
        if found > MAX_REPORTED_PER_RULE:
            break
        start = match.start()
        line = text.count("\n", 0, start) + 1  # lines as editors count them: these characters end none
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        src.diag("control-character", f"the file holds the invisible character {_control_name(match.group())}",
                 "delete it: control characters cannot be seen in review, and XML exports (the site's feed, "
                 "GraphML) cannot hold them", line=line, col=col)
    return found > 0


def _report_escaped_controls(src: SourceFile, data: dict) -> None:
    """Control characters written as escapes in double quotes (\\e, \\x00, \\N), by the value that holds them."""
    found = 0
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                child = pointer_join(pointer, key)
                if isinstance(key, str) and _ESCAPED_CONTROL.search(key):
                    found += 1
                    if found <= MAX_REPORTED_PER_RULE:
                        _control_diag(src, key, child, key=True)
                stack.append((child, value))
        elif isinstance(node, list):
            stack.extend((pointer_join(pointer, i), v) for i, v in enumerate(node))
        elif isinstance(node, str) and _ESCAPED_CONTROL.search(node):
            found += 1
            if found <= MAX_REPORTED_PER_RULE:
                _control_diag(src, node, pointer)


def _control_diag(src: SourceFile, text: str, pointer: str, *, key: bool = False) -> None:
    match = _ESCAPED_CONTROL.search(text)
    assert match is not None
    src.diag("control-character", f"the text holds the invisible character {_control_name(match.group())}",
             "remove the escape that makes it (such as \\e, \\0 or \\x1b in double quotes): control characters "
             "cannot be seen in review, and XML exports (the site's feed, GraphML) cannot hold them", pointer, key=key)
    src.refused.add(pointer)


def _report_value_problems(src: SourceFile, problems: list[tuple[str, str, str, yaml.Mark, bool]]) -> None:
    """Report refused values where they are, and note their pointers (found from the marks: problems are rare)."""
    if src._marks is None:
        src._marks = compute_marks(src.text or "")
    by_value = {(vl, vc): p for p, (kl, kc, vl, vc) in src._marks.items()}
    by_key = {(kl, kc): p for p, (kl, kc, vl, vc) in src._marks.items() if p}
    for code, message, hint, mark, is_key in problems[:MAX_REPORTED_PER_RULE * 10]:
        line, col = mark.line + 1, mark.column + 1
        pointer = (by_key if is_key else by_value).get((line, col))
        if pointer is not None:
            src.refused.add(pointer)
        src.diag(code, message, hint, pointer or "", line=line, col=col)


def _in_text(text: str, line: int, col: int) -> tuple[int, int]:
    """A position inside the text: libyaml puts an error at the very end one line past the last one when the file
    does not end with a line break, a line no editor (nor a GitHub annotation) can show."""
    lines = text.splitlines()
    if line <= len(lines):
        return line, col
    if not lines:
        return 1, 1
    return len(lines), len(lines[-1]) + 1


def _report_too_deep(src: SourceFile, max_depth: int, mark: yaml.Mark | None) -> None:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    src.diag("too-deep", f"the data nests more than {max_depth} levels deep (lists and mappings inside each other)",
             f"records are shallow: a field holds text, a list of texts or a list of small mappings; flatten the "
             f"data at line {line}", line=line, col=col)


def _nth_value_position(text: str, n: int) -> tuple[int, int]:
    """Line and column where the n-th value (scalar, list or mapping) starts; libyaml's composer does not say."""
    seen = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                seen += 1
                if seen >= n:
                    return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:
        pass
    return 1, 1


def _scan_anchors(src: SourceFile, text: str, max_nodes: int = MAX_NODES) -> bool:
    """Report every anchor and alias by position; True when any was found (the file is then not constructed)."""
    found = 0
    try:
        for seen, event in enumerate(yaml.parse(text, Loader=_BaseLoader)):
            if seen > 2 * max_nodes + 8:
                return False  # a file this large is refused by the node limit of the load that follows
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor:
                found += 1
                if found <= MAX_REPORTED_PER_RULE:
                    what = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                    src.diag("alias", f"YAML {what} '{'*' if what == 'alias' else '&'}{anchor}' is not allowed",
                             "write the value out in full: anchors and aliases are refused so that no file can "
                             "expand to an unbounded size", line=event.start_mark.line + 1,
                             col=event.start_mark.column + 1)
    except yaml.YAMLError:
        return False  # the syntax error is reported by the load that follows
    return found > 0


class Unreadable(OSError):
    """Not a regular file (a folder, pipe or device): it is not opened."""


def read_bounded(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes, int]:
    """A regular file's bytes, at most max_bytes + 1 of them (so too large is seen), and its size on disk."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        # Opening a named pipe blocks until something writes to it; a device may never end.
        raise Unreadable("not a regular file")
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        # Never more than the limit in memory. Ask for the size on disk plus one byte, not for the limit: a 1 MB
        # request allocates (and with glibc often maps and unmaps) 1 MB per file, ~0.1 ms each. A file that grew
        # since fstat is read on in chunks up to the limit.
        limit = max_bytes + 1
        chunks: list[bytes] = []
        total, want = 0, min(size, max_bytes) + 1
        while total < limit:
            chunk = fh.read(min(want, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = 1 << 16
        return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), size


def read_yaml(path: Path, display: str | None = None, *, max_bytes: int = MAX_FILE_BYTES,
              max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
              raw: tuple[bytes, int] | None = None) -> SourceFile:
    """Read one YAML file. Never raises for bad content: problems become diagnostics and `data` stays None.

    `raw` is what read_bounded(path, max_bytes) returned, for a caller that has read the bytes already (the cache
    hashes exactly the bytes that are then parsed).
    """
    src = SourceFile(path=path, display=display or str(path))
    try:
        raw, size = raw if raw is not None else read_bounded(path, max_bytes)
    except Unreadable:
        src.diag("unreadable", "not a regular file (a folder, pipe or device)",
                 "a catalog file is a plain text file: replace it with one", line=None)
        return src
    except OSError as exc:
        src.diag("unreadable", f"cannot read the file: {exc.strerror or exc}", "check the path and its permissions",
                 line=None)
        return src
    if len(raw) > max_bytes:
        size_text = f"{size:,} bytes" if size > max_bytes else f"more than {max_bytes:,} bytes"
        src.diag("file-too-large", f"the file is {size_text}; the limit is {max_bytes:,}",
                 "a record is a few kilobytes: split the content or remove what does not belong", line=1, col=1)
        return src
    if raw.startswith(b"\xef\xbb\xbf"):
        src.diag("bom", "the file starts with a byte-order mark (BOM)", "save the file as UTF-8 without BOM",
                 line=1, col=1)
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        src.diag("encoding", f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                 "re-save the file as UTF-8", line=line, col=col)
        return src
    src.text = text
    if "\t" in text:
        for n, line_text in enumerate(text.splitlines(), 1):
            if "\t" in line_text:
                if sum(d.code == "tab" for d in src.diagnostics) >= MAX_REPORTED_PER_RULE:
                    break
                src.diag("tab", "tab character", "indent with spaces and write tabs inside text as spaces",
                         line=n, col=line_text.index("\t") + 1)
    for match in () if text.isascii() else _BIDI_CONTROL.finditer(text):  # isascii: the common case, in C
        if sum(d.code == "bidi-control" for d in src.diagnostics) >= MAX_REPORTED_PER_RULE:
            break
        start = match.start()
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        src.diag("bidi-control", f"invisible bidirectional-text control U+{ord(match.group()):04X} "
                 f"({_BIDI_NAMES[match.group()]})", "delete it: it makes the text display in a different order "
                 "than it is stored, so a reviewer cannot see what the record really says", line=line, col=col)
    if not text.isascii() and _RAW_LINE_BREAKS.search(text):
        _report_raw_controls(src, text)
        return src
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        src.diag("empty-file", "the file is empty", "write the record's fields, or delete the file", line=1, col=1)
        return src
    if ("&" in text or "*" in text) and _scan_anchors(src, text, max_nodes):
        return src
    loader = _StrictLoader(text, max_nodes)
    try:
        node = loader.get_single_node()
        data = None if node is None else _build(loader, node, max_depth)
    except _TooDeep as exc:
        _report_too_deep(src, max_depth, exc.mark)
        return src
    except _TooMany:
        line, col = _nth_value_position(text, max_nodes + 1)
        src.diag("too-many-values", f"the file holds more than {max_nodes:,} values (keys, list items and texts); "
                 "it was not read", "a record holds a few hundred values: remove what does not belong, or split "
                 "long lists of data into a file the record links to", line=line, col=col)
        return src
    except _SourceProblem as exc:
        mark = exc.mark
        src.diag(exc.code, exc.message, exc.hint, line=mark.line + 1 if mark else None,
                 col=mark.column + 1 if mark else None)
        return src
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem and _LIBYAML_DEPTH_PROBLEM in exc.problem:
            _report_too_deep(src, max_depth, mark)
            return src
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        line, col = _in_text(text, mark.line + 1, mark.column + 1) if mark else (1, 1)
        src.diag("yaml-syntax", f"YAML syntax error: {problem}",
                 "check indentation and quoting on this line and the one before; quote text containing ': ' or "
                 "starting with a special character", line=line, col=col)
        return src
    except yaml.reader.ReaderError:
        # libyaml refuses a raw control character with a byte offset; say where, in characters, each one is.
        if not _report_raw_controls(src, text):
            src.diag("yaml-syntax", "YAML cannot read a character of this file", "re-save the file as UTF-8 text",
                     line=1, col=1)
        return src
    except yaml.YAMLError as exc:
        src.diag("yaml-syntax", f"YAML error: {exc}", "check the file's YAML syntax", line=1, col=1)
        return src
    except RecursionError:
        _report_too_deep(src, max_depth, None)
        return src
    finally:
        loader.dispose()
    for code, message, hint, mark in loader.key_problems:
        src.diag(code, message, hint, line=mark.line + 1, col=mark.column + 1)
    src.has_float = loader.saw_float
    if loader.value_problems:
        _report_value_problems(src, loader.value_problems)
    if "\\" in text and isinstance(data, dict):  # control characters get into values only through "\e"-escapes
        _report_escaped_controls(src, data)
    if data is None:
        src.diag("empty-file", "the file holds no data", "write the record's fields, or delete the file", line=1, col=1)
        return src
    if not isinstance(data, dict):
        src.diag("not-mapping", f"the file holds a {type(data).__name__}, not a mapping of fields",
                 "a record is a mapping such as 'id: my-id' on its own line, 'title: ...' on the next", line=1, col=1)
        return src
    src.data = data
    return src
