"""BibTeX import of real bibliographies: # concatenation, macros, crossref/xdata, truncated author lists, links and
identifiers, LaTeX to Unicode, short venues, distinct works kept apart, and nothing invalid ever written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.importers.bibtex import parse_bibtex, parse_bibtex_files, resolve_value
from aligncat.importers.common import SKIPPED, UNUSABLE

from catalogs import empty_catalog_at  # tests/catalogs.py

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_catalog"
FEATURES = DATA / "import" / "features.bib"


@pytest.fixture()
def empty_catalog(tmp_path):
    return empty_catalog_at(tmp_path / "empty")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def entries():
    return {e.source.split("(")[-1].rstrip(")"): e for e in parse_bibtex(FEATURES.read_text(), "features.bib")}


def test_concatenation_resolves_quoted_braced_numeric_and_macro_parts():
    macros = {"and": " and ", "kim": "Kim, Jae"}
    assert resolve_value('Kim #and# {Park, Min} # " and " # "Lee, {B}o"', macros) == (
        "Kim, Jae and Park, Min and Lee, {B}o")
    assert resolve_value("2021", {}) == "2021"
    assert resolve_value("SEP", {}) == "September"  # month macros, any case
    assert resolve_value('"a # b" # {c # d}', {}) == "a # bc # d"  # a '#' inside a part is text


def test_macros_concatenation_and_field_names_in_any_case(entries):
    kim = entries["KimNo2021"].data
    assert kim["title"] == "Reward models that Listen closely"  # TITLE = "..." # {...} # "..."
    assert kim["authors"] == [{"family": "Kim", "given": "Jae"}, {"family": "No", "given": "Seo-yeon"},
                              {"family": "Park", "given": "Min"}]


def test_crossref_child_inherits_year_booktitle_and_not_the_parents_identifiers(entries):
    kim = entries["KimNo2021"].data
    assert kim["year"] == 2021 and kim["date"] == "2021-09"
    assert kim["venue"] == "TCAS 2021" and kim["venue_type"] == "conference"  # short venue from the booktitle
    assert "identifiers" not in kim  # the parent's DOI names the volume, not the paper
    assert "crossref parent 'TCAS2021'" in kim["provenance"][0]["source"]
    parent = entries["TCAS2021"]
    assert parent.outcome == SKIPPED and "@proceedings" in parent.reason and "1 entry takes its fields" in parent.reason
    assert entries["xdatachild"].data["year"] == 2020  # from its @xdata parent
    assert entries["toyseries"].data is None


def test_and_others_marks_the_list_truncated_and_is_not_an_author(entries):
    data = entries["trunc2022"].data
    assert [a["family"] for a in data["authors"]] == ["Novak", "Svoboda"]
    assert data["authors_truncated"] is True


def test_latex_accents_escaped_dollars_and_math_become_unicode(entries):
    assert entries["trunc2022"].data["title"] == "A Český look at $100 and τ-calibration"


def test_urls_and_ids_are_links_and_identifiers_never_venues(entries):
    trunc = entries["trunc2022"].data
    assert trunc["links"] == [{"type": "paper", "url": "https://example.org/toy/trunc2022"}]
    assert "venue" not in trunc  # howpublished = {\url{...}} is a link
    assert entries["arxivdoi2023"].data["identifiers"] == {"arxiv": "2301.00042"}  # an arXiv DOI is the arXiv id
    e = entries["eprint2023"].data
    assert e["identifiers"] == {"arxiv": "2302.00077"} and e["venue"] == "arXiv" and e["date"] == "2024-03"
    o = entries["orpaper2024"].data
    assert o["identifiers"] == {"openreview": "ToyForum123"} and o["venue"] == "ICLR 2024"
    a = entries["aclpaper2023"].data
    assert a["identifiers"] == {"acl": "2023.findings-emnlp.999"} and a["venue"] == "Findings of EMNLP 2023"


def test_unusable_entries_say_why(entries):
    assert "title is empty once its LaTeX is decoded" in entries["emptytitle"].reason
    assert "\\ToyMacroName" in entries["emptytitle"].reason
    assert "macro 'nobody_defined_this'" in entries["undefinedmacro"].reason
    assert "crossref parent 'NOWHERE2020' is not in the files given" in entries["orphan2020"].reason


def test_macros_and_parents_may_sit_in_other_files():
    macros = "@string{tc = {Proceedings of the Toy Conference}}\n@string{and = \" and \"}\n@string{ann = {Ann, Ada}}\n"
    refs = "@inproceedings{k1, title = {T}, author = ann #and# {Bo, Bea}, crossref = {P}}\n"
    parents = "@proceedings{P, title = tc, year = 2020}\n"
    got = parse_bibtex_files([(macros, "m.bib"), (refs, "r.bib"), (parents, "p.bib")])
    child = next(e for e in got if e.data)
    assert child.data["year"] == 2020 and child.data["venue"] == "Toy Conference 2020"
    assert [a["family"] for a in child.data["authors"]] == ["Ann", "Bo"]
    assert [e.source for e in got] == ["r.bib:1 (k1)", "p.bib:1 (P)"]


def test_import_writes_only_valid_records_keeps_distinct_works_and_quotes_what_yaml_retypes(empty_catalog):
    res = run("import", "bibtex", FEATURES, "--catalog", empty_catalog)
    assert res.exit_code == 1, res.output  # three unusable entries
    assert "17 entries: 14 imported, 0 duplicates, 0 in the way of existing files, 3 unusable; 2 not entries" in res.output
    cat = load_catalog(empty_catalog)
    assert not cat.errors, [str(d) for d in cat.errors]
    # distinct arXiv ids, numbered editions and parts: none dropped as a duplicate
    assert {"report2021", "report2023", "bench2022", "bench2023", "part1", "part2", "smith1759"} <= set(cat.records)
    text = (empty_catalog / "papers" / "kimno2021.yaml").read_text()
    assert "{family: 'No', given: Seo-yeon}" in text and "date: '2021-09'" in text
    assert yaml.safe_load(text)["authors"][1]["family"] == "No"
    for path in (empty_catalog / "papers").glob("*.yaml"):
        source = yaml.safe_load(path.read_text())["provenance"][0]["source"]
        assert str(FEATURES.parent) not in source and "features.bib" in source  # no local absolute path
    # the same file again: every work is found by identity or by title with evidence
    again = run("import", "bibtex", FEATURES, "--catalog", empty_catalog)
    assert "14 duplicates" in again.output, again.output


def test_a_record_that_would_not_validate_is_not_written(empty_catalog):
    bib = (
        "@misc{long, title = {" + "Very long title " * 40 + "}, author = {A, B}, year = 2020}\n"
        "@misc{badauthor, title = {Fine Title}, author = {" + "x" * 250 + ", Y}, year = 2020}\n"
    )
    res = run("import", "bibtex", "-", "--catalog", empty_catalog, input=bib)
    assert res.exit_code == 1
    assert "(long): invalid: would not pass `aligncat validate`, so it is not written: /title [" in res.output
    assert "fix this in the source entry" in res.output
    assert "(badauthor): imported as" in res.output and "left out, as it would not validate: authors" in res.output
    assert not (empty_catalog / "papers" / "long.yaml").exists()
    assert not load_catalog(empty_catalog).errors


def test_import_refuses_an_id_used_in_another_kind_folder(empty_catalog):
    (empty_catalog / "datasets").mkdir()
    shutil.copy(MINI / "datasets" / "toyinst2020-data.yaml", empty_catalog / "datasets")
    bib = "@misc{toyinst2020-data, title = {Something New}, author = {Zed, Z}, year = 2024}"
    res = run("import", "bibtex", "-", "--catalog", empty_catalog, input=bib)
    assert res.exit_code == 0, res.output
    assert "toyinst2020-data.yaml" not in res.output  # the key is taken: another id is made
    cat = load_catalog(empty_catalog)
    assert not cat.errors and len(cat.records) == 2


def test_parse_reports_every_block(entries):
    assert sum(1 for e in entries.values() if e.data is None and e.outcome != SKIPPED) == 3
    assert all(e.outcome in ("imported", SKIPPED, UNUSABLE) for e in entries.values())


def test_a_truncated_list_is_exported_with_and_others(empty_catalog):
    from aligncat.export import export

    run("import", "bibtex", FEATURES, "--catalog", empty_catalog)
    bib = export(load_catalog(empty_catalog), "bibtex")
    assert "Novak, Jan and Svoboda, Eva and others" in bib


def test_a_book_that_entries_crossref_as_their_proceedings_is_a_volume_not_a_work():
    bib = (
        "@incollection{ch1, title = {A Chapter}, author = {Ana, A}, crossref = {VOL}}\n"
        "@book{VOL, title = {Proceedings of the Toy Workshop}, editor = {Ed, E}, publisher = {Toy}, year = 2019}\n"
        "@book{handbook, title = {A Toy Handbook}, editor = {Ed, E and Fa, F}, publisher = {Toy}, year = 2018}\n"
    )
    got = {e.source.split("(")[-1].rstrip(")"): e for e in parse_bibtex(bib, "b.bib")}
    assert got["VOL"].outcome == SKIPPED and got["ch1"].data["year"] == 2019
    hb = got["handbook"].data  # a book nobody crossrefs is a work; its editors stand in for authors, and it says so
    assert [a["family"] for a in hb["authors"]] == ["Ed", "Fa"] and "editors" in hb["notes"][0]


def test_short_venue_keeps_what_it_cannot_shorten_as_written():
    from aligncat.importers.venues import short_venue

    assert short_venue("Nature Mach. Intell.", "journal", 2023)[0] == "Nature Mach. Intell."  # its abbreviation dots
    assert short_venue("Some Workshop Series 2022.", "conference", 2022)[0] == "Some Workshop Series 2022"
    assert short_venue("ß", "conference", 1900) == ("ß", "conference", False)  # 'ß'.upper() is 'SS'
    assert short_venue(":.", "conference", 1900)[0] == ":."
    assert short_venue("eLife", "conference", 2020)[0] == "eLife"  # nothing stripped: not re-capitalised
    assert short_venue("Proceedings of the international foo meeting", "conference", 2020)[0] == (
        "International foo meeting 2020")
