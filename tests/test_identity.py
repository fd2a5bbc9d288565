"""identity.py: identifiers and URLs normalised, and the duplicate rule (identity first, then title with evidence)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from aligncat import load_catalog
from aligncat.identity import (
    DUPLICATE,
    POSSIBLE,
    Work,
    WorkIndex,
    canonical_url,
    compare,
    duplicates,
    ids_from_url,
    normalise_acl,
    normalise_arxiv,
    normalise_doi,
    normalise_identifier,
    normalise_openreview,
)

MINI = Path(__file__).parent / "data" / "mini_catalog"


@pytest.mark.parametrize(
    "text",
    [
        "2203.02155",
        "2203.02155v3",
        "arXiv:2203.02155",
        "arXiv: 2203.02155v1",
        "https://arxiv.org/abs/2203.02155",
        "https://arxiv.org/abs/2203.02155v2",
        "http://www.arxiv.org/pdf/2203.02155v1.pdf",
        "https://arxiv.org/pdf/2203.02155",
        "https://arxiv.org/html/2203.02155v1",
        "https://export.arxiv.org/abs/2203.02155",
        "10.48550/arXiv.2203.02155",
        "https://doi.org/10.48550/ARXIV.2203.02155",
        "arXiv preprint arXiv:2203.02155",
        "https://huggingface.co/papers/2203.02155",
    ],
)
def test_every_spelling_of_an_arxiv_id_normalises_to_it(text):
    assert normalise_arxiv(text) == "2203.02155"


def test_old_style_arxiv_ids_and_non_ids():
    assert normalise_arxiv("cs/0112017v1") == "cs/0112017"
    assert normalise_arxiv("https://arxiv.org/abs/math.GT/0309136") == "math.GT/0309136"
    assert normalise_arxiv("2203.021") is None  # too few digits
    assert normalise_arxiv("https://example.org/2203.02155") is None  # not an arXiv page
    assert normalise_arxiv("10.18653/v1/2022.acl-long.229") is None


def test_doi_acl_and_openreview_forms():
    for text in (
        "10.1145/3442188.3445922",
        "doi:10.1145/3442188.3445922",
        "https://doi.org/10.1145/3442188.3445922",
        "http://dx.doi.org/10.1145/3442188.3445922.",
        "https://doi.org/10.1145%2F3442188.3445922",
    ):
        assert normalise_doi(text) == "10.1145/3442188.3445922", text
    assert normalise_identifier("doi", "https://doi.org/10.1000/ABC") == "10.1000/abc"  # DOIs are case-insensitive
    for text in (
        "2022.acl-long.229",
        "https://aclanthology.org/2022.acl-long.229/",
        "https://aclanthology.org/2022.acl-long.229.pdf",
        "10.18653/v1/2022.acl-long.229",
    ):
        assert normalise_acl(text) == "2022.acl-long.229", text
    assert normalise_acl("https://www.aclweb.org/anthology/P19-1001.pdf") == "P19-1001"
    assert normalise_openreview("https://openreview.net/forum?id=TG8KACxEON") == "TG8KACxEON"
    assert normalise_openreview("https://openreview.net/pdf?id=TG8KACxEON&noteId=x") == "TG8KACxEON"
    assert ids_from_url("https://doi.org/10.18653/v1/2022.acl-long.229") == {
        "doi": "10.18653/v1/2022.acl-long.229",
        "acl": "2022.acl-long.229",
    }
    assert ids_from_url("https://openreview.net/group?id=ICLR.cc") == {}  # a venue page, not a paper


def test_canonical_url_folds_spellings_of_one_address():
    a = canonical_url("https://www.Example.org/paper/?utm_source=x&b=2&a=1#section")
    assert a == canonical_url("http://example.org/paper?a=1&b=2") == "example.org/paper?a=1&b=2"
    assert canonical_url("https://arxiv.org/pdf/2203.02155v2.pdf") == "arxiv:2203.02155"
    assert canonical_url("javascript:alert(1)") is None


def work(title, year=2023, first="Ouyang", rid="x", **ids):
    data = {"title": title, "year": year, "identifiers": ids}
    if first:
        data["authors"] = [{"family": first, "given": "A."}]
    return Work.of(data, rid)


def test_same_id_under_another_title_is_always_caught():
    old = work(
        "Training language models to follow instructions with human feedback",
        2022,
        rid="old",
        arxiv="2203.02155",
    )
    new = Work.of(
        {
            "title": "InstructGPT: aligning models",
            "year": 2024,
            "links": [{"type": "pdf", "url": "https://arxiv.org/pdf/2203.02155v1.pdf"}],
        },
        "new",
    )
    v = compare(new, old)
    assert v.outcome == DUPLICATE and v.reason == "same arxiv 2203.02155" and v.pointer == "links/0/url"
    # and an arXiv DOI counts as the arXiv id
    assert compare(work("Other", doi="10.48550/arXiv.2203.02155"), old).outcome == DUPLICATE


def test_distinct_identifiers_are_distinct_works_whatever_the_titles():
    report = work(
        "A General Language Assistant as a Laboratory for Alignment", 2021, "Askell", "r", arxiv="2112.00861"
    )
    successor = work(
        "A General Language Assistant as a Laboratory for Alignment", 2023, "Askell", "s", arxiv="2312.00001"
    )
    assert compare(successor, report) is None
    assert compare(work("Same", doi="10.1/a"), work("Same", doi="10.1/b")) is None


def test_numbered_titles_are_distinct_works():
    one = work("Learning to Rank Responses, Part I: Theory", rid="p1")
    two = work("Learning to Rank Responses, Part II: Theory", rid="p2")
    assert compare(two, one) is None
    series = [work(f"The Toy Alignment Benchmark {y}", y, "Bench", f"b{y}") for y in (2021, 2022, 2023)]
    assert list(duplicates(series)) == []


def test_title_match_needs_years_and_first_authors_to_be_a_duplicate():
    old = work(
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
        2023,
        "Rafailov",
        "o",
    )
    near = work(
        "Direct Preference Optimisation: Your Language Model is Secretly a Reward Model",
        2024,
        "Rafailov",
        "n",
    )
    v = compare(near, old)
    assert v.outcome == DUPLICATE and "year within one" in v.reason and "same first author" in v.reason
    later = work(
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model", 2027, "Rafailov"
    )
    assert (
        compare(later, old).outcome == POSSIBLE
    )  # years far apart: imported, naming the record it resembles
    other_author = work(
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model", 2023, "Smith"
    )
    v = compare(other_author, old)
    assert v.outcome == POSSIBLE and "different first authors" in v.reason
    no_author = work("Direct Preference Optimisation: Your Language Model is Secretly a Reward Model", 2023, None)
    assert compare(no_author, old).outcome == DUPLICATE  # spelling aside the same title, the same year
    one_word = work("Direct Preference Optimization: Your Language Model is Secretly a Good Reward Model", 2023,
                    "Rafailov")
    v = compare(one_word, old)  # a word added: maybe another work by the same author, so only possible
    assert v.outcome == POSSIBLE and "title matches at" in v.reason
    exact_no_author = work(
        "Direct Preference Optimization: your language model is secretly a reward model!", 2023, None
    )
    assert compare(exact_no_author, old).outcome == DUPLICATE  # the same title, the same year
    assert compare(work("Something else entirely", 2023, "Rafailov"), old) is None


def test_index_finds_identity_before_titles_and_possible_duplicates_last():
    idx = WorkIndex()
    idx.add(work("Alpha method", 2020, "Alpha", "alpha", arxiv="2001.00001"))
    idx.add(work("Beta: Learning from Toy Preferences", 2020, "Beta", "beta"))
    assert idx.find(work("Totally renamed", 2020, "Zed", "", arxiv="2001.00001")).record_id == "alpha"
    assert idx.find(work("Beta: learning from toy preference", 2020, "Beta", "")).outcome == DUPLICATE
    v = idx.find(work("Beta: learning from toy preference", 2020, "Gamma", ""))
    assert v.outcome == POSSIBLE and v.record_id == "beta"
    # the record has no arXiv id: the title, year and first author are the evidence
    assert (
        idx.find(work("Beta: learning from toy preference", 2020, "Beta", "", arxiv="2001.00009")).outcome
        == DUPLICATE
    )
    idx.add(work("Gamma report", 2020, "Gamma", "gamma", arxiv="2001.00002"))
    assert idx.find(work("Gamma report", 2020, "Gamma", "", arxiv="2001.00003")) is None


def test_validate_rule_uses_the_same_module(tmp_path):
    cat = tmp_path / "catalog"
    shutil.copytree(MINI, cat)
    alpha = yaml.safe_load((cat / "papers" / "alpha2019-base.yaml").read_text())
    # the same arXiv id in a link and another title: caught
    (cat / "papers" / "zz2019-renamed.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "zz2019-renamed",
                "kind": "paper",
                "title": "A Renamed Toy Method",
                "year": 2019,
                "links": [{"type": "paper", "url": "https://arxiv.org/abs/1905.00001v2"}],
            }
        )
    )
    # the same title with another arXiv id: a distinct work, not reported
    (cat / "papers" / "zz2021-successor.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "zz2021-successor",
                "kind": "paper",
                "title": alpha["title"],
                "year": 2021,
                "identifiers": {"arxiv": "2101.99999"},
            }
        )
    )
    errors = [d for d in load_catalog(cat).errors if d.code == "duplicate-work"]
    assert [(Path(d.path).name, d.message.split(" (")[0]) for d in errors] == [
        ("zz2019-renamed.yaml", "same arxiv as 'alpha2019-base'")
    ]


def test_a_thesis_and_a_paper_of_one_title_author_and_year_are_two_works(tmp_path):
    def form(venue_type, rid):
        return Work.of({"title": "Ant colony optimisation for scheduling", "year": 2004, "venue_type": venue_type,
                        "authors": [{"family": "Blum", "given": "C."}]}, rid)

    thesis, article = form("thesis", "t"), form("journal", "a")
    v = compare(thesis, article)
    assert v.outcome == POSSIBLE and "one a thesis, the other a journal" in v.reason
    assert compare(form("journal", "b"), article).outcome == DUPLICATE  # two articles of one title: one work
    assert compare(form("", "c"), article).outcome == DUPLICATE  # no form named: the title decides
    # the cached form of a record (validate's rule) keeps the form too
    from aligncat.identity import work_keys

    keys = work_keys([], "Ant colony optimisation for scheduling", (), {"family": "Blum"}, "thesis")
    cached = Work.from_work_keys("t", 2004, keys)
    assert cached.form == "thesis" and all(k[0] != "venue_type" for k in cached.keys)
    assert compare(cached, article).outcome == POSSIBLE
