"""Schema stage: validate plain data against the JSON Schemas shipped in aligncat/schemas, as diagnostics.

Valid data (the common case) is checked by jsonschema-rs when it is installed; only data that fails gets the
slower pass through jsonschema, whose errors carry what we need to explain each problem and suggest a fix.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import re
from functools import cache
from importlib import resources
from itertools import islice
from typing import TYPE_CHECKING, Any

from .source import SourceFile, escape_pointer_token

if TYPE_CHECKING:
    import jsonschema

DOCUMENT_SCHEMAS = ("taxonomy", "tags", "catalog")
_DEFS_REF = "defs.schema.json#/$defs/"
# A hostile or broken file can hold thousands of bad values; explaining each costs time and buries the first ones.
MAX_SCHEMA_PROBLEMS = 100

SCHEMA_CODES = {
    "missing-field": "a required field is missing",
    "unknown-field": "a field the schema does not know (the hint names the closest valid one)",
    "wrong-type": "a value of the wrong type (the hint says how to quote YAML 1.1 surprises)",
    "invalid-value": "a value outside the allowed choices, form or range (the hint lists the choices)",
    "duplicate-item": "a list that must hold distinct items holds one twice",
    "too-many-problems": f"the schema check stopped after {MAX_SCHEMA_PROBLEMS} problems in one file",
    "date-year": "a record's date lies in another year than its 'year' (both give the first public release)",
    "duplicate-tag": "the tag vocabulary defines one tag id twice",
}

# Formats the schemas use, checked the same way by both validators: a date must be a day of the calendar.
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


def is_real_date(text: object, *, partial: bool = True) -> bool:
    """'YYYY', 'YYYY-MM' (when partial) or 'YYYY-MM-DD' naming a real year, month and day; True for non-text
    (the type is the schema's 'type' keyword's concern)."""
    if not isinstance(text, str):
        return True
    m = _PARTIAL_DATE.match(text)
    if m is None or (not partial and m.group(3) is None):
        return False
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


FORMATS = {"partial-date": is_real_date, "date": lambda t: is_real_date(t, partial=False)}


def _schema_text(name: str) -> str:
    return resources.files("aligncat.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


@cache
def raw_schema(name: str) -> dict:
    """The schema file as written (with references to defs.schema.json)."""
    return json.loads(_schema_text(name))


def _record_kinds() -> tuple[str, ...]:
    """The kinds of record, as the schema states them (`$defs/kind` in defs.schema.json), each with its own schema."""
    kinds = tuple(raw_schema("defs")["$defs"]["kind"]["enum"])
    for kind in kinds:
        _schema_text(kind)  # a kind without <kind>.schema.json fails here, at import, not in a user's run
    return kinds


# The one list of record kinds: everything else (model.KINDS, folders, CLI choices) is derived from it.
KINDS: tuple[str, ...] = _record_kinds()
RECORD_KINDS = KINDS  # the older name


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (("#/$defs/" + v[len(_DEFS_REF):]) if k == "$ref" and isinstance(v, str)
                    and v.startswith(_DEFS_REF) else _rewrite_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


@cache
def bundled_schema(name: str) -> dict:
    """The schema with the shared definitions copied in, so that it stands alone (for both validators)."""
    schema = _rewrite_refs(copy.deepcopy(raw_schema(name)))
    defs = dict(raw_schema("defs")["$defs"])
    defs.update(schema.get("$defs", {}))
    schema["$defs"] = defs
    return schema


def resolve(schema: dict, node: dict) -> dict:
    """Follow local $refs of a bundled schema, keeping a description written beside the $ref."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        merged = dict(target)
        if "description" in node:
            merged["description"] = node["description"]
        node, seen = merged, seen + 1
    return node


# ECMA-262's white space and line terminators: what \\s means to jsonschema-rs and to JavaScript. Python's \\s
# differs (it has U+001C-U+001F and U+0085, not U+FEFF), so a URL holding U+FEFF passed one validator only.
_ECMA_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"


def _ecma_pattern(pattern: str) -> str:
    """A schema pattern for Python's re with JSON Schema's (ECMA-262) meaning: '$' is the end of the text only,
    and \\s / \\S are ECMA's white space.

    Python's '$' also matches before a final newline, so '^[a-z]+$' would accept 'abc\\n' where jsonschema-rs (and
    every JavaScript validator) refuses it. The schemas write digits as [0-9], never \\d or \\w (a test holds
    that), whose Unicode meaning in Python differs too.
    """
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            escaped = False
            if ch == "s":
                out[-1] = _ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]"
            elif ch == "S":
                if in_class:
                    raise ValueError(f"\\S inside a character class is not supported: {pattern!r}")
                out[-1] = f"[^{_ECMA_SPACE}]"
            else:
                out.append(ch)
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        else:
            out.append("\\Z" if ch == "$" else ch)
    return "".join(out)


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(_ecma_pattern(pattern))


def _slow_validator_class() -> Any:
    """jsonschema's 2020-12 validator, made to agree with jsonschema-rs and with YAML's types: '$' ends the text,
    an integer is an int (2023.0 is not one: JSON Schema would take it), and the formats above are asserted."""
    import jsonschema
    from jsonschema import validators

    base = jsonschema.Draft202012Validator

    def pattern(validator: Any, patrn: str, instance: Any, schema: dict) -> Any:
        if validator.is_type(instance, "string") and not _compiled(patrn).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    def is_integer(checker: Any, instance: Any) -> bool:
        return isinstance(instance, int) and not isinstance(instance, bool)

    return validators.extend(base, {"pattern": pattern},
                             type_checker=base.TYPE_CHECKER.redefine("integer", is_integer))


def _format_checker() -> Any:
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, fn in FORMATS.items():
        checker.checks(name)(fn)
    return checker


def _has_float(node: Any) -> bool:
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, float):
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


class SchemaValidator:
    """Validates data for one schema; returns nothing for valid data and diagnostics otherwise."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.schema = bundled_schema(name)
        self._slow_validator: Any = None
        try:
            import jsonschema_rs
        except ImportError:  # pragma: no cover - optional accelerator
            self._fast = None
        else:
            self._fast = jsonschema_rs.Draft202012Validator(self.schema, formats=FORMATS, validate_formats=True)

    @property
    def _slow(self) -> Any:
        # jsonschema (~0.1 s to import) only explains failures: valid data never needs it when jsonschema-rs is there.
        if self._slow_validator is None:
            self._slow_validator = _slow_validator_class()(self.schema, format_checker=_format_checker())
        return self._slow_validator

    def is_valid(self, data: Any, *, has_float: bool | None = None) -> bool:
        """Whether the data passes the schema and the checks it cannot state (real dates, date and year agree,
        ...). `has_float` says whether the data holds a float, if known (the source stage knows)."""
        if has_float is None:
            has_float = _has_float(data)
        return self._form_is_valid(data, has_float) and not _extra_problems(self.name, data)

    def validate(self, src: SourceFile, data: Any, base: str = "") -> int:
        """Add a diagnostic to `src` for every problem in `data`; return how many were added."""
        before = len(src.diagnostics)
        has_float = src.has_float if src.has_float is not None else _has_float(data)
        if not self._form_is_valid(data, has_float):
            found = list(islice(self._slow.iter_errors(data), MAX_SCHEMA_PROBLEMS + 1))
            errors = sorted(found[:MAX_SCHEMA_PROBLEMS],
                            key=lambda e: (list(map(str, e.absolute_path)), e.validator))
            for error in errors:
                pointer = base + "".join("/" + escape_pointer_token(p) for p in error.absolute_path)
                if not _refused(src, pointer):
                    self._explain(src, error, base)
            if len(found) > MAX_SCHEMA_PROBLEMS:
                src.diag("too-many-problems", f"more than {MAX_SCHEMA_PROBLEMS} schema problems in this file; "
                         "the check stopped there", "fix the problems shown and run validate again", base,
                         line=1, col=1)
            elif not found and not src.refused:
                self._explain_fast(src, data, base)
        for code, pointer, message, hint in _extra_problems(self.name, data):
            if not _refused(src, base + pointer):
                src.diag(code, message, hint, base + pointer)
        return len(src.diagnostics) - before

    def _form_is_valid(self, data: Any, has_float: bool) -> bool:
        if has_float or self._fast is None:
            return self._slow.is_valid(data)  # JSON Schema's "integer" takes 2023.0; the slow validator does not
        try:
            return self._fast.is_valid(data)
        except (ValueError, TypeError, OverflowError):
            return False  # a YAML 1.1 date or similar: let the detailed pass explain it

    def _explain_fast(self, src: SourceFile, data: Any, base: str) -> None:
        """The fast validator refused what the detailed one accepts (they should agree; a test holds that they do
        on every case we know): never let the data through, and say what jsonschema-rs found."""
        try:
            errors = list(islice(self._fast.iter_errors(data), MAX_SCHEMA_PROBLEMS))
        except (ValueError, TypeError, OverflowError):
            errors = []
        for e in errors or [None]:
            path = getattr(e, "instance_path", None) or []
            pointer = base + "".join("/" + escape_pointer_token(p) for p in path)
            message = getattr(e, "message", "the value does not fit the schema")
            src.diag("invalid-value", f"{message}{_in(_field_name(pointer))}", "see the schema", pointer)

    def _explain(self, src: SourceFile, e: jsonschema.ValidationError, base: str) -> None:
        pointer = base + "".join("/" + escape_pointer_token(p) for p in e.absolute_path)
        where = _field_name(pointer)
        schema = resolve(self.schema, e.schema) if isinstance(e.schema, dict) else {}
        desc = schema.get("description", "")
        kw, inst = e.validator, e.instance
        if kw == "required":
            props = schema.get("properties", {})
            for name in e.validator_value:
                if isinstance(inst, dict) and name not in inst:
                    sub = resolve(self.schema, props.get(name, {}))
                    src.diag("missing-field", f"required field '{name}' is missing{_in(where)}",
                             _describe(sub.get("description", "")) or f"add '{name}:'", pointer)
        elif kw == "additionalProperties" and isinstance(inst, dict):
            allowed = list(schema.get("properties", {}))
            for key in inst:
                if key in allowed or _refused(src, pointer + "/" + escape_pointer_token(key)):
                    continue
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'? " if close else ""
                if " " in str(key):
                    hint = ("text after ': ' inside {...} is read as another field: quote the value, "
                            "e.g. reason: 'a: b'. ")
                hint += "valid fields here: " + ", ".join(allowed)
                src.diag("unknown-field", f"unknown field '{key}'{_in(where)}", hint,
                         pointer + "/" + escape_pointer_token(key), key=True)
        elif kw == "type":
            found = f"found {_type_name(inst)}" if isinstance(inst, (dict, list)) \
                else f"{_value(inst)} is {_type_name(inst)}"
            src.diag("wrong-type", f"{found}, expected {_expected(e.validator_value)}{_in(where)}",
                     _type_hint(src, pointer, inst, e.validator_value, desc)
                     or f"write {_expected(e.validator_value)} here", pointer)
        elif kw == "enum":
            choices = [str(c) for c in e.validator_value]
            close = difflib.get_close_matches(str(inst), choices, n=1, cutoff=0.5)
            hint = (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(choices)
            src.diag("invalid-value", f"{_value(inst)} is not an allowed value{_in(where)}", hint, pointer)
        elif kw == "oneOf" and where.startswith("authors"):
            src.diag("invalid-value", f"an author needs either 'family' (with 'given') or 'literal'{_in(where)}",
                     "write a person as {family: Ouyang, given: Long} or an organisation as {literal: OpenAI}",
                     pointer)
        elif kw == "uniqueItems":
            src.diag("duplicate-item", f"the list{_in(where)} holds the same item twice", "remove the repeat",
                     pointer)
        elif kw == "format" and isinstance(inst, str):
            src.diag("invalid-value", f"{_value(inst)} is not valid{_in(where)}: {_keyword_reason(e)}",
                     _date_hint(inst), pointer)
        elif kw in ("pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
                    "exclusiveMinimum", "exclusiveMaximum", "format", "const", "not", "oneOf", "anyOf"):
            hint = _type_hint(src, pointer, inst, "string", desc) if not isinstance(inst, (str, int, list)) \
                else (_describe(desc) or "see the schema")
            src.diag("invalid-value", f"{_value(inst)} is not valid{_in(where)}: {_keyword_reason(e)}", hint,
                     pointer)
        else:  # pragma: no cover - every keyword our schemas use is handled above
            src.diag("invalid-value", f"{e.message}{_in(where)}", _describe(desc), pointer)


def _refused(src: SourceFile, pointer: str) -> bool:
    """Whether the source stage refused the value at pointer or one that holds it (and has said why)."""
    if not src.refused:
        return False
    p = pointer
    while True:
        if p in src.refused:
            return True
        if not p:
            return False
        p = p.rsplit("/", 1)[0]


def _extra_problems(name: str, data: Any) -> list[tuple[str, str, str, str]]:
    """(code, pointer, message, hint) for what JSON Schema cannot say: a date's year against 'year', a tag id
    defined twice. Only values of the right type are looked at; wrong types are the schema's to report."""
    out: list[tuple[str, str, str, str]] = []
    if not isinstance(data, dict):
        return out
    if name in RECORD_KINDS:
        date, year = data.get("date"), data.get("year")
        if (isinstance(date, str) and is_real_date(date) and _PARTIAL_DATE.match(date)
                and isinstance(year, int) and not isinstance(year, bool) and int(date[:4]) != year):
            out.append(("date-year", "/date", f"date '{date}' is in {date[:4]}, but year is {year}",
                        f"both give the first public release: correct one of them (year: {date[:4]}, or a date "
                        f"in {year})"))
    elif name == "tags":
        seen: dict[str, int] = {}
        tags = data.get("tags")
        for i, tag in enumerate(tags if isinstance(tags, list) else ()):
            tid = tag.get("id") if isinstance(tag, dict) else None
            if not isinstance(tid, str):
                continue
            if tid in seen:
                out.append(("duplicate-tag", f"/tags/{i}/id",
                            f"tag '{tid}' is defined twice (first as tag {seen[tid] + 1} of the list)",
                            "keep one definition (merge the two descriptions); records name a tag by its id"))
            else:
                seen[tid] = i
    return out


def _field_name(pointer: str) -> str:
    return pointer.lstrip("/").replace("/", ".")


def _in(where: str) -> str:
    return f" in '{where}'" if where else ""


def _describe(text: str) -> str:
    return text.strip()


def _value(inst: Any) -> str:
    if isinstance(inst, (dict, list)):
        return "the " + ("mapping" if isinstance(inst, dict) else "list")
    text = repr(inst) if not isinstance(inst, (_dt.date, _dt.datetime)) else str(inst)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(inst: Any) -> str:
    if isinstance(inst, bool):
        return "a boolean"
    if isinstance(inst, (_dt.date, _dt.datetime)):
        return "a date"
    return {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a mapping",
            type(None): "empty"}.get(type(inst), type(inst).__name__)


def _expected(value: Any) -> str:
    names = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
             "object": "a mapping", "boolean": "true or false"}
    values = value if isinstance(value, list) else [value]
    return " or ".join(names.get(v, v) for v in values)


def _raw_scalar(src: SourceFile, pointer: str) -> str | None:
    line, col = src.locate(pointer)
    if src.text is None or line is None or col is None:
        return None
    lines = src.lines()
    if line - 1 >= len(lines):
        return None
    # Only booleans, numbers and dates get here, and none of them holds ',', ']' or '}': inside a flow list or
    # mapping (`tags: [1, 2]`) the scalar ends at the first of them.
    raw = _FLOW_END.split(lines[line - 1][col - 1:].split(" #", 1)[0], 1)[0].strip()
    return raw or None


_FLOW_END = re.compile(r"[,\]}]")


def _type_hint(src: SourceFile, pointer: str, inst: Any, expected: Any, desc: str) -> str:
    wants_string = expected == "string" or (isinstance(expected, list) and "string" in expected)
    if wants_string and isinstance(inst, (bool, int, float, _dt.date, _dt.datetime)) or inst is None:
        raw = _raw_scalar(src, pointer) or str(inst)
        if inst is None:
            return "write a value after the colon, or remove the field"
        why = {bool: "YAML 1.1 reads yes/no/on/off as true/false", _dt.date: "YAML reads an unquoted date as a date",
               _dt.datetime: "YAML reads an unquoted timestamp as a date", float: "YAML reads it as a number "
               "(1.10 becomes 1.1)", int: "YAML reads it as a number"}.get(type(inst), "")
        return f"quote it: '{raw}' ({why})" if why else f"quote it: '{raw}'"
    if isinstance(inst, float) and (expected == "integer" or isinstance(expected, list) and "integer" in expected):
        whole = f"{int(inst)}" if inst.is_integer() else "a whole number"
        return f"write {whole}, without a decimal point (YAML reads {_raw_scalar(src, pointer) or inst} as a " \
               "number with a fraction)"
    return _describe(desc)


def _date_hint(text: str) -> str:
    m = _PARTIAL_DATE.match(text)
    if m and m.group(2) and 1 <= int(m.group(2)) <= 12:
        import calendar

        year, month = int(m.group(1)), int(m.group(2))
        return (f"{year}-{month:02d} has {calendar.monthrange(year, month)[1]} days: write a real date, "
                "'YYYY-MM-DD' (or 'YYYY-MM' or 'YYYY' when the day is not known)")
    return "write a real date: 'YYYY-MM-DD' (or 'YYYY-MM' or 'YYYY' when the day is not known)"


def _keyword_reason(e: jsonschema.ValidationError) -> str:
    kw, v = e.validator, e.validator_value
    return {
        "pattern": "it does not have the required form",
        "minLength": f"it must be at least {v} characters long",
        "maxLength": f"it must be at most {v} characters long",
        "minimum": f"it must be at least {v}",
        "maximum": f"it must be at most {v}",
        "minItems": f"the list needs at least {v} item{'s' * (v != 1)}",
        "maxItems": f"the list may have at most {v} items",
        "format": "it is not a day of the calendar" if v in ("date", "partial-date") else f"it is not a valid {v}",
    }.get(kw, e.message)


@cache
def validator_for(name: str) -> SchemaValidator:
    return SchemaValidator(name)
