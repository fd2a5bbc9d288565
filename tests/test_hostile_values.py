"""Hostile values (issue 14, round two): what used to crash the loader or slip through it is now a diagnostic.

Each case puts one line into a copy of the toy catalog's first record and runs `aligncat validate --format github`
as CI does: the value must come back as a located error with a fix, an annotation, exit 1 and no traceback (the
runner re-raises any exception, so a crash fails the test instead of passing as exit 1).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.load import read_record
from aligncat.source import MAX_INT_DIGITS, read_yaml

MINI = Path(__file__).parent / "data" / "mini_catalog"
RECORD = "papers/alpha2019-base.yaml"


def with_line(text: str, line: str) -> str:
    """The record with `line` in place of the field it sets (or added at the end when the record lacks it)."""
    key = line.split(":", 1)[0]
    pattern = re.compile(rf"^{re.escape(key)}:.*$", re.M)
    if not line.startswith("?") and pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return text + line + "\n"


def catalog_with(tmp_path: Path, line: str) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    path = root / RECORD
    path.write_text(with_line(path.read_text(encoding="utf-8"), line), encoding="utf-8")
    return root


def validate_github(root: Path):
    return CliRunner().invoke(main, ["validate", str(root), "--no-cache", "--format", "github"],
                              catch_exceptions=False)


# (name, the line, code, line, column): each crashed `validate` with a traceback and no annotation before.
CRASHES = [
    ("impossible-day-unquoted", "date: 2023-02-30", "invalid-date", 10, 7),
    ("month-13-unquoted", "date: 2023-13-01", "invalid-date", 10, 7),
    ("hour-25-unquoted", "date: 2023-01-01T25:00:00Z", "invalid-date", 10, 7),
    ("time-zone-99-hours", "date: 2020-01-01 10:00:00 +99:00", "invalid-date", 10, 7),
    ("int-tag-on-text", "year: !!int abc", "yaml-tag", 9, 7),
    ("float-tag-on-text", "title: !!float abc", "yaml-tag", 3, 8),
    ("bool-tag-on-maybe", "title: !!bool maybe", "yaml-tag", 3, 8),
    ("timestamp-tag-on-text", "date: !!timestamp abc", "yaml-tag", 10, 7),
    ("float-tag-on-a-key", "? !!float abc\n: x", "yaml-tag", 21, 3),
    ("5000-digit-integer", "year: " + "9" * 5000, "number-too-large", 9, 7),
    ("binary-without-digits", "year: 0b_", "yaml11-value", 9, 7),
    ("hexadecimal-without-digits", "year: -0x_", "yaml11-value", 9, 7),
]

# (name, the line, code, line, column): each was accepted, and read as something other than it says.
SILENT = [
    ("seq-tag-on-text", "tags: !!seq abc", "yaml-tag", 18, 7),  # was an empty list
    ("omap-tag", "notes: !!omap [{a: b}]", "yaml-tag", 21, 8),  # was an empty list
    ("set-tag", "tags: !!set {toy-method}", "yaml-tag", 18, 7),
    ("binary-tag", "title: !!binary QWxwaGE=", "yaml-tag", 3, 8),
    ("float-year", "year: 2023.0", "wrong-type", 9, 7),  # was exported as 2023.0
    ("base-60-year", "year: 33:43", "yaml11-value", 9, 7),  # was read as 2023
    ("octal-year", "year: 03747", "yaml11-value", 9, 7),  # was read as 2023
    ("underscored-year", "year: 2_019", "yaml11-value", 9, 7),
    ("merge-key", "<<: {venue: x}", "yaml11-value", 21, 1),
    ("quoted-impossible-date", "date: '2022-02-31'", "invalid-value", 10, 7),
    ("quoted-impossible-added", "added: '2026-02-29'", "invalid-value", 20, 8),
    ("date-in-another-year", "date: '2023-05-01'", "date-year", 10, 7),
    ("nul-escape", 'title: "Alpha\\0Base"', "control-character", 3, 8),
    ("esc-escape", 'title: "Alpha\\e[31mBase"', "control-character", 3, 8),
    ("c1-escape", 'summary: "A summary with a C1 \\x9b control in it"', "control-character", 19, 10),
    ("nel-escape", 'summary: "A summary with a next-line \\N escape in it"', "control-character", 19, 10),
    ("noncharacter-escape", 'venue: "Toy \\uFFFE Conference"', "control-character", 11, 8),
    ("arabic-indic-arxiv-digits", "  arxiv: '\u0661\u0669\u0660\u0665.\u0660\u0660\u0660\u0660\u0661'",
     "invalid-value", 14, 10),
    ("fullwidth-doi-digits", "  arxiv: '1905.00001'\n  doi: '10.\uff11\uff12\uff13\uff14/x'", "invalid-value", 15, 8),
    ("non-ascii-doi", "  arxiv: '1905.00001'\n  doi: '10.1234/caf\u00e9'", "invalid-value", 15, 8),
    ("slug-with-trailing-newline", 'id: "alpha2019-base\\n"', "invalid-value", 1, 5),
]


@pytest.mark.parametrize("case", CRASHES + SILENT, ids=[c[0] for c in CRASHES + SILENT])
def test_hostile_value_is_a_located_error_with_an_annotation(tmp_path, case) -> None:
    _, line, code, at_line, at_col = case
    root = catalog_with(tmp_path, line)
    result = validate_github(root)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    annotations = [a for a in result.output.splitlines() if a.startswith("::error ")]
    wanted = f"::error file={root}/{RECORD},line={at_line},col={at_col},title={code}::"
    assert any(a.startswith(wanted) for a in annotations), "\n".join(annotations)
    (mine,) = [a for a in annotations if a.startswith(wanted)]
    assert "%0Ahint: " in mine, "every annotation says how to fix it"
    # The record is refused (not loaded with a wrong value), and the error is said once, where it is.
    catalog = load_catalog(root)
    assert "alpha2019-base" not in catalog.records
    at_record = [d for d in catalog.errors if d.path == RECORD]
    assert len({(d.line, d.col) for d in at_record}) == len(at_record), [d.to_text() for d in at_record]


def test_messages_say_what_yaml_read_and_how_to_write_it(tmp_path) -> None:
    def one(line: str):
        (d,) = [d for d in load_catalog(catalog_with(tmp_path / str(hash(line)), line)).errors if d.path == RECORD]
        return d

    d = one("year: 33:43")
    assert "base-60 number, 2023" in d.message and "plain decimal digits" in d.hint and "'33:43'" in d.hint
    d = one("year: 2023.0")
    assert d.hint.startswith("write 2023, without a decimal point")
    d = one("date: 2023-02-30")
    assert "day is out of range for month" in d.message and "'YYYY-MM-DD'" in d.hint
    d = one("date: '2022-02-31'")
    assert "not a day of the calendar" in d.message and d.hint.startswith("2022-02 has 28 days")
    d = one("date: '2023-05-01'")
    assert d.message == "date '2023-05-01' is in 2023, but year is 2019" and "year: 2023" in d.hint
    d = one("tags: !!seq abc")
    assert d.message == "explicit YAML tag '!!seq' is not allowed" and d.hint == "remove '!!seq' and write a list: [abc]"
    d = one("year: " + "1" * 40)
    assert f"at most {MAX_INT_DIGITS}" in d.message and "40 digits" in d.message
    d = one('title: "Alpha\\eBase"')
    assert "U+001B (ESC)" in d.message and "\\e" in d.hint


def test_every_problem_in_a_file_is_reported_in_one_run(tmp_path) -> None:
    text = (MINI / RECORD).read_text(encoding="utf-8")
    for line in ("year: 33:43", "date: 2023-02-30", "tags: !!seq abc", 'venue: "a\\0b"', "titel: typo"):
        text = with_line(text, line)
    p = tmp_path / "alpha2019-base.yaml"
    p.write_text(text, encoding="utf-8")
    data, diags = read_record(p, RECORD, "paper")
    assert data is None
    assert sorted(d.code for d in diags) == sorted(
        ["yaml11-value", "invalid-date", "yaml-tag", "control-character", "unknown-field"])


def test_raw_control_characters_are_located_by_character(tmp_path) -> None:
    p = tmp_path / "x.yaml"
    p.write_bytes("id: x\ntitle: 'caf\u00e9 \x1b[2J'\nvenue: 'a\u0085b'\n".encode())
    src = read_yaml(p)
    assert [(d.code, d.line, d.col) for d in src.diagnostics] == [
        ("control-character", 2, 14), ("control-character", 3, 10)]
    assert "U+001B (ESC)" in src.diagnostics[0].message and "U+0085" in src.diagnostics[1].message
    assert src.data is None


def test_tags_that_only_restate_the_type_stay_allowed(tmp_path) -> None:
    # !!str is the explicit form of quoting; !!int on a plain number and !!map/!!seq on their own kinds mean what
    # the value says anyway.
    root = catalog_with(tmp_path, "title: !!str 2019")
    path = root / RECORD
    path.write_text(with_line(with_line(path.read_text(), "year: !!int 2019"), "tags: !!seq [toy-method]"))
    catalog = load_catalog(root)
    assert catalog.ok, [d.to_text() for d in catalog.diagnostics]
    record = catalog.records["alpha2019-base"]
    assert (record.title, record.year, record.tags) == ("2019", 2019, ("toy-method",))


def test_valid_dates_and_years_still_load(tmp_path) -> None:
    for date in ("2019", "2019-02", "2019-02-28", "2020-02-29"):
        root = catalog_with(tmp_path / date, f"date: '{date}'")
        if date.startswith("2020"):
            path = root / RECORD
            path.write_text(with_line(path.read_text(), "year: 2020"))
        assert load_catalog(root).ok, date


def test_the_schema_validators_agree_on_every_pattern() -> None:
    """jsonschema-rs (the fast yes/no) and jsonschema (which explains) must give one verdict: where the fast one
    refused and the slow one found nothing, a record used to pass with no diagnostic at all."""
    import json

    import jsonschema_rs

    from aligncat.schema import SchemaValidator, bundled_schema

    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for name in ("paper", "dataset", "benchmark", "resource", "catalog", "taxonomy", "tags"):
        walk(bundled_schema(name))
    assert not [p for p in patterns if "\\d" in p or "\\w" in p], "write [0-9] / [A-Za-z0-9_]: \\d is Unicode in re"
    samples = ["alpha2019-base", "alpha2019-base\n", "1905.00001", "1905.00001\n", "\u0661\u0669\u0660\u0665.00001",
               "10.1234/x", "10.1234/x\n", "https://example.org/a", "https://example.org/a\n", "en", "en\n",
               "#00ff00", "#00ff00\n", "0000-0002-1825-0097", "P19-1001", "9780262035613", "x", " ", "",
               "https://example.org/a$b", "2019-02-29", "\u00a0", "a\u2028b", "\ufeff", "https://x.org/a\ufeffb",
               "https://x.org/a\x1cb", "a\x85", "\x1f", "a\u3000", "https://x.org/\u205f"]
    slow = SchemaValidator("paper")._slow.__class__
    for pattern in sorted(patterns):
        schema = {"type": "string", "pattern": pattern}
        fast = jsonschema_rs.Draft202012Validator(schema)
        for s in samples:
            assert fast.is_valid(s) == slow(schema).is_valid(s), (pattern, s)
    json.dumps(sorted(patterns))  # the schemas' patterns are plain JSON strings


def test_a_fast_refusal_is_never_let_through(tmp_path) -> None:
    """Should the validators ever disagree again, the record is refused with what jsonschema-rs found."""
    from aligncat.schema import SchemaValidator
    from aligncat.source import SourceFile

    v = SchemaValidator("paper")
    if v._fast is None:
        pytest.skip("jsonschema-rs is not installed")

    class AcceptsAll:
        def iter_errors(self, data):
            return iter(())

        def is_valid(self, data):
            return True

    data, _ = read_record(MINI / RECORD, RECORD, "paper")
    data = dict(data, id="Not A Slug")
    v._slow_validator = AcceptsAll()
    src = SourceFile(MINI / RECORD, RECORD, text=(MINI / RECORD).read_text())
    assert v.validate(src, data) == 1
    (d,) = src.diagnostics
    assert d.code == "invalid-value" and d.pointer == "/id" and d.is_error


def test_floats_are_checked_strictly_even_without_the_source_stage() -> None:
    from aligncat.schema import validator_for

    data, _ = read_record(MINI / RECORD, RECORD, "paper")
    assert validator_for("paper").is_valid(data)
    assert not validator_for("paper").is_valid(dict(data, year=2019.0))
    assert not validator_for("paper").is_valid(dict(data, date="2019-02-29"))
    assert not validator_for("paper").is_valid(dict(data, date="2020-05-01"))  # year is 2019
