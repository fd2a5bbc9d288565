"""The loader's fuzzing, in every `make test`: 10,000 deterministic mutations of the real records in catalog/, with
0 crashes, 0 runs over 2 s and a located, fixable reason for every refusal (the bar of docs/security.md).

The budget is ALIGNCAT_FUZZ_MUTATIONS (10,000 by default), split in four shards so that pytest-xdist runs them side
by side; the seed is fixed (ALIGNCAT_FUZZ_SEED, 14), so a failure names a mutation anyone can replay with
`python tests/fuzz_loader.py --seed S --mutations N`. Every crash the fuzzer ever found is a named case below.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fuzz_loader import HARD_LIMIT_SECONDS, SLOW_RUN_SECONDS, check_outcome, mutated, real_records, run

from aligncat import load_catalog
from aligncat.export import available_formats, export
from aligncat.load import read_record

MUTATIONS = int(os.environ.get("ALIGNCAT_FUZZ_MUTATIONS", "10000"))
SEED = int(os.environ.get("ALIGNCAT_FUZZ_SEED", "14"))
SHARDS = 4
PIPELINE_MUTATIONS = int(os.environ.get("ALIGNCAT_FUZZ_PIPELINE", "300"))
MINI = Path(__file__).parent / "data" / "mini_catalog"
RECORDS = real_records()


def _report(outcome) -> str:
    lines = [outcome.summary()]
    for label, items in (("crash", outcome.crashed), ("hang", outcome.hung),
                         ("bad outcome", outcome.invalid_outcomes)):
        for n, text, detail in items[:3]:
            lines.append(f"{label} at mutation {n} (seed {SEED}): {text[:300]!r}\n{detail}")
    return "\n".join(lines)


def test_the_fuzzer_has_real_records_to_mutate() -> None:
    assert len(RECORDS) >= 50, "the fuzzer mutates the shipped catalog's records"
    assert {kind for _, kind, _ in RECORDS} == {"paper", "dataset", "benchmark", "resource"}
    assert SLOW_RUN_SECONDS == 2.0 and HARD_LIMIT_SECONDS > SLOW_RUN_SECONDS


@pytest.mark.parametrize("shard", range(SHARDS))
def test_fuzzed_records_never_crash_hang_or_go_unexplained(shard: int) -> None:
    size = -(-MUTATIONS // SHARDS)
    start = shard * size
    outcome = run(min(size, MUTATIONS - start), SEED, RECORDS, start=start)
    print(f"shard {shard}: {outcome.summary()}")
    assert outcome.tried == min(size, MUTATIONS - start)
    assert not outcome.crashed and not outcome.hung and not outcome.invalid_outcomes, _report(outcome)
    # The mutations reach both outcomes: a fuzzer whose every input is refused at the first byte tests nothing.
    assert outcome.records > outcome.tried * 0.03 and outcome.diagnosed > outcome.tried * 0.5, outcome.summary()


def test_fuzzed_records_go_through_the_whole_pipeline(tmp_path) -> None:
    """A mutated record in a catalog: load, every rule, every export format; GraphML still parses as XML."""
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    loaded = 0
    for n in range(PIPELINE_MUTATIONS):
        rel, _, text = mutated(10_000_000 + n, SEED, RECORDS)
        target = root / rel
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        catalog = load_catalog(root)
        for d in catalog.diagnostics:
            assert d.message and d.code and d.path, d
        for fmt in available_formats():
            export(catalog, fmt)
        ET.fromstring(export(catalog, "graphml"))
        loaded += target.stem in catalog.records
        target.unlink()
    assert loaded > 0


# Every crash the fuzzer found (on the code before issue 14), reduced to the line that caused it: the code it is
# now reported with, and where. Each raised inside PyYAML's constructors (or Python's int()) before.
HEAD = "id: x2020\nkind: paper\ntitle: T\nyear: 2020\n"
FOUND_CRASHES = {
    "float-tag-on-a-name": ("authors:\n- {family: !!float Doe, given: Jo}\n", "yaml-tag", 6, 12),
    "timestamp-tag-on-a-name": ("authors:\n- {family: !!timestamp Doe, given: Jo}\n", "yaml-tag", 6, 12),
    "int-tag-on-a-short-name": ("short_name: !!int MIC\n", "yaml-tag", 5, 13),
    "int-tag-on-a-folded-summary": ("summary: !!int >-\n  A summary that folds\n  over two lines.\n", "yaml-tag", 5, 10),
    "int-tag-on-a-provenance-source": ("provenance:\n- fields: [title]\n  source: !!int the survey's figure\n",
                                       "yaml-tag", 7, 11),
    "bool-tag-on-maybe": ("summary: !!bool maybe\n", "yaml-tag", 5, 10),
    "float-tag-on-a-summary": ("summary: !!float a summary of the work\n", "yaml-tag", 5, 10),
    "5000-digit-link-type": ("links:\n- type: " + "9" * 5000 + "\n  url: https://example.org/\n",
                             "number-too-large", 6, 9),
    "time-zone-99-hours-as-venue-type": ("venue_type: 2020-01-01 10:00:00 +99:00\n", "invalid-date", 5, 13),
    "february-31-as-venue": ("venue: 2022-02-31\n", "invalid-date", 5, 8),
    "hour-25-in-a-list": ("aliases:\n- 2023-01-01T25:00:00Z\n", "invalid-date", 6, 3),
    "month-13-as-aliases": ("aliases: 2023-13-01\n", "invalid-date", 5, 10),
    "binary-number-without-digits": ("year: 0b_\n", "yaml11-value", 4, 7),
}
# What it found that did not crash but was wrong: positions past the end of the file, years read as floats, and
# values that jsonschema-rs refused and jsonschema let through, so they loaded with no diagnostic at all: a URL
# holding U+FEFF (their \s differ) and a slug ending in a newline (Python's '$' matches before it).
FOUND_WRONG = {
    "newline-after-a-slug": ('tags:\n- "toy\\n"\n', "invalid-value", 6, 3),
    "error-past-the-last-line": ("authors: [{family: Doe, given: Jo", "yaml-syntax", 5, 34),
    "float-year": ("year: 2023.0\n", "wrong-type", 4, 7),
    "zero-width-no-break-space-in-a-url": ("links:\n- {type: paper, url: 'https://example.org/a\ufeffb'}\n",
                                           "invalid-value", 6, 22),
}


@pytest.mark.parametrize("name", sorted(FOUND_CRASHES) + sorted(FOUND_WRONG))
def test_what_the_fuzzer_found(tmp_path, name: str) -> None:
    body, code, line, col = FOUND_CRASHES.get(name) or FOUND_WRONG[name]
    text = HEAD + body
    if body.startswith("year:"):
        text = text.replace("year: 2020\n", "")
    path = tmp_path / "x2020.yaml"
    path.write_text(text, encoding="utf-8")
    data, diags = read_record(path, "papers/x2020.yaml", "paper")
    assert check_outcome("papers/x2020.yaml", text, data, diags) is None
    assert data is None
    assert (code, line, col) in [(d.code, d.line, d.col) for d in diags], [d.to_text() for d in diags]
