"""yamlio: the one writer quotes what YAML 1.1 or 1.2 would re-type, and random text round-trips through PyYAML's
safe loader (pure and libyaml) and ruamel, in block and flow context, through `new`'s writer and through `fmt`."""

from __future__ import annotations

import io

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from aligncat.fmt import format_text
from aligncat.yamlio import dump, needs_quotes, record_yaml

_RUAMEL = YAML(typ="safe", pure=True)


def readers(text: str) -> list[object]:
    out = [yaml.load(text, Loader=yaml.SafeLoader), _RUAMEL.load(io.StringIO(text))]
    if hasattr(yaml, "CSafeLoader"):
        out.append(yaml.load(text, Loader=yaml.CSafeLoader))
    return out


TRICKY = [
    "On",
    "on",
    "No",
    "NO",
    "no",
    "Yes",
    "Off",
    "y",
    "Y",
    "n",
    "N",
    "null",
    "Null",
    "~",
    "",
    "true",
    "False",
    "1e3",
    "1E3",
    "12:30",
    "190:20:30",
    "2024-03",
    "2024-03-05",
    "2024-03-05 12:30:00",
    "012",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    ".5",
    "-.inf",
    ".NaN",
    "=",
    "<<",
    "? x",
    "x?",
    "a #b",
    "a#b",
    "a: b",
    "a:",
    ":a",
    "- x",
    "[x]",
    "{x}",
    "x, y",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "'x",
    '"x',
    " lead",
    "trail ",
    "https://example.org/a?b=c&d=e#frag",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "\x07bell",
    "é ünïcödé",
    "No",
    "O'Brien",
    "2203.02155",
    "10.1000/xyz",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_scalars_read_back_identical_in_block_and_flow(text):
    data = {"value": text, "items": [text, "x"], "authors": [{"family": text, "given": "A"}]}
    written = dump(data)
    for got in readers(written):
        assert got == data, (text, written)


def test_a_korean_surname_and_a_partial_date_are_quoted():
    text = record_yaml(
        {
            "id": "no2024-x",
            "kind": "paper",
            "title": "T",
            "year": 2024,
            "date": "2024-03",
            "authors": [{"family": "No", "given": "Ji-won"}],
        }
    )
    assert "- {family: 'No', given: Ji-won}" in text and "date: '2024-03'" in text
    assert yaml.safe_load(text)["authors"][0]["family"] == "No"


def test_plain_text_stays_plain():
    assert not needs_quotes("Reinforcement learning from human feedback")
    assert not needs_quotes("Ouyang")
    assert needs_quotes("https://x.org/a?b", flow=True) and not needs_quotes("https://x.org/a?b", flow=False)


def test_fmt_quotes_a_hand_written_value_yaml11_reads_as_a_boolean():
    text = "id: no2024-x\nkind: paper\ntitle: T\nauthors:\n- {family: No, given: Ji-won}\nyear: 2024\n"
    out = format_text(text, schema_name="paper")
    assert "{family: 'No', given: Ji-won}" in out
    assert format_text(out, schema_name="paper") == out  # idempotent


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, _TEXT)
def test_random_strings_round_trip_through_every_reader(a, b):
    data = {
        "title": a,
        "tags": [a, b],
        "authors": [{"family": a, "given": b}],
        "links": [{"type": b, "url": a}],
        "notes": [b],
    }
    written = dump(data)
    for got in readers(written):
        assert got == data, written
    # and fmt leaves the writer's output as it is, values unchanged
    again = format_text(written, schema_name="paper")
    for got in readers(again):
        assert got == data, again


def test_a_record_written_by_the_writer_is_already_canonical():
    data = {"year": 2024, "title": "No: a study", "kind": "paper", "id": "x2024-no",
            "links": [{"url": "https://x.org/a?b=c#d", "type": "paper"}],
            "authors": [{"given": "Ji-won", "family": "No"}], "notes": ["On", "a: b"],
            "identifiers": {"doi": "10.1/X", "arxiv": "2401.00001"}, "date": "2024-03"}
    text = record_yaml(data)
    assert format_text(text, schema_name="paper") == text
    assert text.splitlines()[:3] == ["id: x2024-no", "kind: paper", "title: 'No: a study'"]
    assert "- {family: 'No', given: Ji-won}" in text and "- {type: paper, url: 'https://x.org/a?b=c#d'}" in text
    for got in readers(text):
        assert got == data
