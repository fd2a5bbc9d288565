"""The one citation mapping (export/_citation.py) and the formatted references the site's Cite block shows."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest

from aligncat import load_catalog
from aligncat.export import _citation as cite
from aligncat.export import cite_block, entry, export, formatted
from aligncat.export.bibtex import record_to_bibtex
from aligncat.export.csl_json import record_to_csl
from aligncat.export.reference import STYLES
from aligncat.export.ris import record_to_ris
from aligncat.model import record_from_dict

ROOT = Path(__file__).resolve().parents[1]
KIND_WORDS = ("Benchmark", "Dataset", "Resource")


def _paper(**kw):
    d = {"id": "lin2021-truthfulqa", "kind": "paper", "title": "TruthfulQA", "year": 2021, "date": "2021-09-08",
         "authors": [{"family": "Lin", "given": "Stephanie"}], "venue": "ACL 2022", "venue_type": "conference",
         "identifiers": {"arxiv": "2109.07958"}}
    d.update(kw)
    return record_from_dict(d)


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(ROOT / "catalog")


def test_published_work_is_cited_with_its_venues_year_and_keeps_the_preprint_as_eprint():
    r = _paper()
    c = cite.citation(r)
    assert (c.year, c.date_parts) == (2022, (2022,))  # not the arXiv date 2021-09
    entry_ = bibtexparser.parse_string(record_to_bibtex(r)).entries[0]
    f = {k: v.value for k, v in entry_.fields_dict.items()}
    assert f["year"] == "2022" and "month" not in f and f["booktitle"] == "ACL 2022"
    assert (f["eprint"], f["archiveprefix"]) == ("2109.07958", "arXiv")
    item = record_to_csl(r)
    assert item["issued"] == {"date-parts": [[2022]]}
    assert "number" not in item and "archive" not in item and "archive_location" not in item
    assert "PY  - 2022" in record_to_ris(r)


def test_a_preprint_keeps_its_own_date_and_names_its_arxiv_id_once():
    r = _paper(venue="arXiv", venue_type="preprint")
    item = record_to_csl(r)
    assert item["issued"] == {"date-parts": [[2021, 9, 8]]}
    assert item["publisher"] == "arXiv" and item["number"] == "arXiv:2109.07958"
    assert json.dumps(item).count("2109.07958") == 2  # number and the URL, nothing else
    for style in STYLES:
        text = formatted(r, None, style)
        assert text.count("2109.07958") <= 2, (style, text)  # once as the id, at most once more in the link
        assert not re.search(r"2109\.07958\D+2109\.07958\D+2109\.07958", text)


def test_a_venue_year_before_the_first_release_is_not_taken_for_the_citation_year():
    assert cite.citation(_paper(venue="Proceedings of the 1999 Workshop", venue_type="workshop")).year == 2021


def test_truncated_author_lists_say_and_others_in_bibtex_and_name_no_one_called_others():
    r = _paper(authors=[{"family": "Lin", "given": "Stephanie"}, {"family": "others"}])
    f = bibtexparser.parse_string(record_to_bibtex(r)).entries[0].fields_dict
    assert f["author"].value == "Lin, Stephanie and others"
    assert [a["family"] for a in record_to_csl(r)["author"]] == ["Lin"]
    assert "AU  - others" not in record_to_ris(r) and "AU  - Lin, Stephanie" in record_to_ris(r)
    for style in STYLES:
        assert "others" not in formatted(r, None, style)


def test_no_catalog_vocabulary_is_printed_in_any_format(shipped):
    bib = export(shipped, "bibtex")
    assert "note" not in {k for e in bibtexparser.parse_string(bib).entries for k in e.fields_dict}
    csl = json.loads(export(shipped, "csl-json"))
    assert not [i["id"] for i in csl if i.get("genre") in KIND_WORDS]
    ris = export(shipped, "ris")
    assert not re.search(r"^M3  - ", ris, re.M)
    categories = {c.title for c in shipped.taxonomy.categories.values()}
    for item in csl:
        assert not {v for v in item.values() if isinstance(v, str)} & categories, item["id"]


def test_every_shipped_entry_whose_venue_names_a_year_has_that_year(shipped):
    entries = {e.key: e for e in bibtexparser.parse_string(export(shipped, "bibtex")).entries}
    checked = 0
    for r in shipped.records.values():
        vy = cite.venue_year(r)
        if vy is None or cite.genre(r) not in cite.PUBLISHED_GENRES:
            continue
        checked += 1
        assert entries[r.id].fields_dict["year"].value == str(vy), r.id
    assert checked > 100  # the shipped catalog names most venues with their year


def test_the_citation_key_is_the_record_id_whatever_the_record_says():
    a, b = _paper(), _paper(title="TruthfulQA: Measuring How Models Mimic Human Falsehoods", year=2020)
    assert record_to_bibtex(a).splitlines()[0] == record_to_bibtex(b).splitlines()[0] == (
        "@inproceedings{lin2021-truthfulqa,")
    assert record_to_csl(a)["id"] == record_to_csl(b)["id"] == "lin2021-truthfulqa"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_formatted_references_are_html_safe_and_carry_only_style_markup():
    r = _paper(title='<script>alert("x")</script> & <img src=x onerror=alert(1)> $5 "q"',
               authors=[{"literal": "<b>Lab</b> & Co"}], venue="<i>Venue</i> 2022")
    for style in STYLES:
        text = formatted(r, None, style)
        parser = _Tags()
        parser.feed(text)
        assert {t for t, _ in parser.tags} <= {"i", "b", "sup", "sub", "span", "u"}, (style, text)
        assert all(not attrs or attrs == [("class", "csl-sc")] or attrs == [("class", "csl-light")]
                   for _, attrs in parser.tags)
        assert "&lt;script&gt;" in text and "&amp;" in text, text


def test_formatted_styles_differ_and_the_numeric_label_is_dropped():
    r = _paper()
    apa, ieee, chicago = (formatted(r, None, s) for s in ("apa", "ieee", "chicago-author-date"))
    assert apa.startswith("Lin, S. (2022).") and ieee.startswith("S. Lin,") and chicago.startswith("Lin, S. 2022.")
    with pytest.raises(ValueError, match="unknown citation style"):
        formatted(r, None, "harvard-nonexistent")


def test_cite_block_gives_every_style_and_every_entry_for_each_shipped_record(shipped):
    some = sorted(shipped.records.values(), key=lambda r: r.id)[::25]
    for r in some:
        block = cite_block(r, shipped)
        assert set(block) == {*STYLES, "bibtex", "csl-json", "ris"}
        assert block["bibtex"] == record_to_bibtex(r) and entry(r, "ris") == record_to_ris(r)
        assert json.loads(block["csl-json"]) == [record_to_csl(r)]
        assert all(block[s] for s in STYLES)
