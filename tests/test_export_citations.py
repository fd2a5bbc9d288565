"""Citation exports (BibTeX, CSL-JSON, RIS, CFF): golden files on the toy catalog and parse-back properties."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse
from pybtex.richtext import Text

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.export import Selection, available_formats, export
from aligncat.export.bibtex import record_to_bibtex
from aligncat.importers.latex import latex_to_text
from aligncat.model import record_from_dict

MINI = Path(__file__).parent / "data" / "mini_catalog"
GOLDEN = Path(__file__).parent / "data" / "golden" / "export"
CITATION_FORMATS = {"bibtex": "mini.bib", "csl-json": "mini.csl.json", "ris": "mini.ris", "cff": "mini.cff"}


@pytest.fixture(scope="module")
def mini():
    return load_catalog(MINI)


@pytest.mark.parametrize("fmt", sorted(CITATION_FORMATS))
def test_export_matches_golden_file(mini, fmt):
    """Exports change only on purpose: regenerate with ALIGNCAT_UPDATE_GOLDEN=1 and review the diff."""
    golden = GOLDEN / CITATION_FORMATS[fmt]
    text = export(mini, fmt)
    if os.environ.get("ALIGNCAT_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_formats_are_registered_with_suffix_and_media_type():
    formats = available_formats()
    assert formats["bibtex"].suffix == ".bib" and formats["bibtex"].media_type == "application/x-bibtex"
    assert formats["ris"].suffix == ".ris"
    assert formats["cff"].suffix == ".cff"
    assert formats["csl-json"].media_type == "application/vnd.citationstyles.csl+json"


def test_bibtex_keys_are_record_ids_and_stable_across_slices(mini):
    whole = bibtexparser.parse_string(export(mini, "bibtex"))
    assert [e.key for e in whole.entries] == sorted(mini.records)
    assert not whole.failed_blocks
    part = bibtexparser.parse_string(export(mini, "bibtex", Selection(categories=("eval",))))
    assert {e.key for e in part.entries} == {r.id for r in mini.in_category("eval")}
    for e in part.entries:  # an entry reads the same whatever slice it was exported in
        assert e.raw == next(x for x in whole.entries if x.key == e.key).raw


def test_bibtex_parses_in_pybtex_with_every_author(mini):
    db = pybtex_parse(export(mini, "bibtex"), "bibtex")
    alpha = db.entries["alpha2019-base"]
    assert [str(p) for p in alpha.persons["author"]] == ["Alpha, Ada", "Brook, Ben Q.", "{Toy Lab}"]
    assert alpha.fields["month"] == "May"  # the month macro resolved
    assert alpha.type == "inproceedings" and alpha.fields["booktitle"] == "Toy Conference 2019"


def test_slices_select_records_for_every_format(mini):
    sel = Selection(kinds=("dataset", "benchmark"))
    ids = {r.id for r in sel.apply(mini)}
    assert ids == {"toyinst2020-data", "toyinst2021-v2", "toybench2021"}
    assert {i["id"] for i in json.loads(export(mini, "csl-json", sel))} == ids
    ris = export(mini, "ris", sel)
    assert {line[6:] for line in ris.splitlines() if line.startswith("ID  - ")} == ids
    assert ris.count("ER  - ") == 3


def test_cli_export_writes_a_slice_atomically(tmp_path):
    out = tmp_path / "eval.bib"
    res = CliRunner().invoke(main, ["export", "bibtex", str(MINI), "--tag", "toy-eval", "-o", str(out)])
    assert res.exit_code == 0, res.output
    lib = bibtexparser.parse_string(out.read_text())
    assert [e.key for e in lib.entries] == ["toybench2021"]


# --- escaping survives a real parser --------------------------------------------------------------------------

# Text a title, venue or name can hold: letters of any script, digits, punctuation, TeX's specials and ligatures.
_SPECIALS = "&%#_~\\-`'?!\"@,.:;()[]<>/|*+="
_PYBTEX_UNSAFE = (
    "${}^"  # pybtex's LaTeX decoder leaves \textdollar & co. undecoded (checked separately below)
)
_text = (
    st.text(
        alphabet=st.one_of(
            st.characters(categories=("Lu", "Ll", "Nd"), max_codepoint=0x30FF),
            st.sampled_from(_SPECIALS + _PYBTEX_UNSAFE + " "),
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


def _record(title: str, venue: str, family: str, given: str):
    return record_from_dict(
        {
            "id": "x2020-prop",
            "kind": "paper",
            "title": title,
            "year": 2020,
            "venue": venue,
            "venue_type": "conference",
            "authors": [{"family": family, "given": given}, {"literal": venue}],
        }
    )


def _names(text: str) -> str:
    return text.replace(" and ", " ").replace(",", "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, venue=_text, family=_text, given_name=_text)
def test_escaping_survives_bibtexparser(title, venue, family, given_name):
    entry = record_to_bibtex(_record(title, venue, family, given_name))
    lib = bibtexparser.parse_string(entry)
    assert not lib.failed_blocks, entry
    fields = lib.entries[0].fields_dict
    assert latex_to_text(fields["title"].value) == title
    assert latex_to_text(fields["booktitle"].value) == venue
    names = bibtexparser.parse_string(entry, append_middleware=[bibtexparser.middlewares.SeparateCoAuthors()])
    authors = names.entries[0].fields_dict["author"].value
    assert len(authors) == 2, entry  # an 'and' inside a name never splits it
    assert latex_to_text(authors[1]) == venue


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, venue=_text, family=_text, given_name=_text)
def test_escaping_survives_pybtex(title, venue, family, given_name):
    entry = record_to_bibtex(_record(title, venue, family, given_name))
    db = pybtex_parse(entry, "bibtex")
    e = db.entries["x2020-prop"]
    assert len(e.persons["author"]) == 2, entry
    # pybtex keeps the raw field; our decoder reads it back exactly, and pybtex's own LaTeX reader agrees on the
    # characters it knows.
    assert latex_to_text(e.fields["title"]) == title
    assert latex_to_text(e.fields["booktitle"]) == venue
    if not set(title) & set(_PYBTEX_UNSAFE) and "\\ensuremath" not in e.fields["title"]:
        # (pybtex's reader knows no \ensuremath: Greek and math symbols are checked by our decoder and biber)
        assert Text.from_latex(e.fields["title"]).render_as("text") == title
    person = e.persons["author"][0]
    # BibTeX reads leading lower-case words of a family name as its 'von' part: together they are the family.
    assert latex_to_text(" ".join(person.prelast_names + person.last_names)) == family


def test_dollar_caret_and_braces_are_written_as_commands_biber_keeps():
    # "\$", not \textdollar{}: biber turns \textdollar into a bare "$" (math mode in the document)
    r = _record("Cost $5 {x^2}", "V", "F", "G")
    entry = record_to_bibtex(r)
    assert r"\$5 \textbraceleft{}x\textasciicircum{}2\textbraceright{}" in entry
    assert pybtex_parse(entry, "bibtex").entries["x2020-prop"].fields["title"].count("{") == pybtex_parse(
        entry, "bibtex"
    ).entries["x2020-prop"].fields["title"].count("}")


# --- CITATION.cff is valid for cffconvert --------------------------------------------------------------------


def _cffconvert() -> Path | None:
    """cffconvert in .venv-cffconvert/ (it pins jsonschema<4, so it cannot live in ours); see tests/consumers.py."""
    import consumers

    return consumers.cffconvert()


@pytest.fixture(scope="session")
def cffconvert():
    exe = _cffconvert()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("could not install cffconvert into a throwaway venv; CITATION.cff went unvalidated")
        pytest.skip("cffconvert could not be installed (no package registry?)")
    return exe


@pytest.mark.parametrize("source", ["toy-export", "repo-citation"])
def test_cff_is_valid_for_cffconvert(cffconvert, mini, tmp_path, source):
    import subprocess

    if source == "toy-export":
        path = tmp_path / "CITATION.cff"
        path.write_text(export(mini, "cff"), encoding="utf-8")
    else:
        path = Path(__file__).parents[1] / "CITATION.cff"
    res = subprocess.run(
        [str(cffconvert), "--validate", "-i", str(path)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "valid" in res.stdout


def test_cff_credits_the_survey_authors_and_prefers_the_survey(mini):
    import yaml

    doc = yaml.safe_load(export(mini, "cff"))
    assert doc["authors"] == [{"family-names": "Zeta", "given-names": "Zoe"}]
    assert doc["preferred-citation"]["title"] == "Zeta: A Survey of Toy Alignment Goals"
    assert len(doc["references"]) == len(mini.records)
