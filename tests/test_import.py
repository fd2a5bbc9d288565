"""Importers: BibTeX (accents, macros, broken entries), awesome-list Markdown (three styles), arXiv (recorded)."""

from __future__ import annotations

import shutil
from pathlib import Path

import bibtexparser
import pytest
import yaml
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.export import export
from aligncat.importers.arxiv import LookupError_, fetch_arxiv, parse_arxiv_atom
from aligncat.importers.bibtex import parse_bibtex
from aligncat.importers.markdown import items_to_entries, parse_item, parse_markdown

from catalogs import empty_catalog_at  # tests/catalogs.py

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_catalog"
IMPORT = DATA / "import"


@pytest.fixture()
def toy(tmp_path):
    """A writable copy of the toy catalog."""
    dest = tmp_path / "catalog"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture()
def empty_catalog(tmp_path):
    """The toy catalog's settings, taxonomy and tags with no records (the survey reference dropped)."""
    return empty_catalog_at(tmp_path / "empty")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# --- BibTeX ---------------------------------------------------------------------------------------------------


def test_messy_bibtex_accounts_for_every_entry():
    entries = parse_bibtex((IMPORT / "messy.bib").read_text(), "messy.bib")
    keys = [e.source for e in entries]
    assert len(entries) == 6, keys  # 5 entries that parse, 1 malformed; @string and @comment are not entries
    by_key = {e.data["id"]: e.data for e in entries if e.data}
    fair = by_key["mueller2021fair"]
    assert fair["title"] == "Über Fairness: Aligning LLMs with Café Values & Norms"
    assert fair["authors"] == [
        {"family": "Müller", "given": "Jörg"},
        {"family": "de la Cruz", "given": "María"},
        {"literal": "The ACME Collective"},
    ]
    assert fair["venue"] == "NeurIPS 2021"  # @string macro resolved, then the short name with the year
    assert fair["date"] == "2021-12"  # month macro
    assert fair["identifiers"] == {"doi": "10.5555/fake.2021.42"}  # URL prefix dropped
    ranking = by_key["nguyen2023ranking"]
    assert ranking["identifiers"] == {"arxiv": "2305.12345"}  # version dropped
    assert ranking["authors"][0] == {"family": "Nguyễn", "given": "Văn"}
    assert ranking["venue"] == "arXiv" and ranking["venue_type"] == "preprint"
    unusable = {e.source: e.reason for e in entries if e.data is None}
    assert any("broken2022" in r and "closing" in r for r in unusable.values()), unusable
    assert any("no year" in r for r in unusable.values()), unusable


def test_cli_import_bibtex_reports_duplicates_and_unusable_and_writes_valid_records(toy):
    res = run("import", "bibtex", IMPORT / "messy.bib", "--catalog", toy)
    assert res.exit_code == 1  # unusable entries make the import fail loudly, after writing the good ones
    out = res.output
    assert "duplicate of 'beta2020-method'" in out
    assert "6 entries: 3 imported, 1 duplicates, 0 in the way of existing files, 2 unusable" in out
    cat = load_catalog(toy)
    assert not cat.errors, [str(d) for d in cat.errors]
    assert {"mueller2021fair", "nguyen2023ranking", "workshop2022"} <= set(cat.records)


def test_import_never_overwrites_without_force(toy):
    assert run("import", "bibtex", IMPORT / "messy.bib", "--catalog", toy).exit_code == 1
    path = toy / "papers" / "nguyen2023ranking.yaml"
    path.write_text(path.read_text().replace("Ranking Responses", "Hand-edited Title"))
    before = path.read_text()
    res = run("import", "bibtex", IMPORT / "messy.bib", "--catalog", toy)
    # now a duplicate of the record it created (same arXiv id), and the file is untouched
    assert "nguyen2023ranking.yaml" not in res.output.split("imported as")[-1] or "duplicate" in res.output
    assert "duplicate of 'nguyen2023ranking' (same arxiv 2305.12345)" in res.output
    assert path.read_text() == before


def test_import_dry_run_writes_nothing(toy):
    before = sorted(p.name for p in toy.rglob("*.yaml"))
    res = run("import", "bibtex", IMPORT / "messy.bib", "--catalog", toy, "--dry-run")
    assert "would import" in res.output
    assert sorted(p.name for p in toy.rglob("*.yaml")) == before


def test_bibtex_export_import_export_is_stable(empty_catalog):
    first = export(load_catalog(MINI), "bibtex")
    bib = empty_catalog.parent / "mini.bib"
    bib.write_text(first)
    res = run("import", "bibtex", bib, "--catalog", empty_catalog)
    assert res.exit_code == 0, res.output
    reimported = load_catalog(empty_catalog)
    assert not reimported.errors, [str(d) for d in reimported.errors]
    second = export(reimported, "bibtex")
    strip = lambda text: text.split("\n", 1)[1]  # noqa: E731  (the header line names the catalog)
    assert strip(second) == strip(first)
    assert sorted(reimported.records) == sorted(load_catalog(MINI).records)


# --- Markdown -------------------------------------------------------------------------------------------------


def test_survey_readme_style_merges_repeats_into_one_record_with_every_category(empty_catalog, tmp_path):
    real = load_catalog(Path(__file__).parents[1] / "catalog", checks=False)
    items = parse_markdown((IMPORT / "survey_readme.md").read_text())
    assert len(items) == 72  # every numbered line; the <details> table of contents is skipped
    entries = items_to_entries(items, "survey_readme.md", taxonomy=real.taxonomy)
    ouyang = next(
        e for e in entries if e.data and e.data["title"].startswith("Training language models to follow")
    )
    assert len(ouyang.merged_from) == 4
    assert ouyang.data["categories"] == [
        "def-preferences-demonstrations",
        "def-preferences-feedback",
        "def-values-principles-hhh",
        "def-values-representation-desirable-behaviors",
        "eval-preferences-human-evaluation",
    ]
    assert ouyang.data["authors"] == [{"family": "Ouyang"}]
    assert ouyang.data["venue"] == "Neurips 2022"
    assert sum(1 + len(e.merged_from) for e in entries) == 72  # every line lands in exactly one entry
    touvron = next(e for e in entries if e.data and e.data["title"].startswith("Llama 2"))
    assert touvron.data["authors"] == [{"family": "Touvron"}]  # 'Touvronet al.' in the source


def test_survey_readme_import_validates_against_the_real_taxonomy(tmp_path):
    root = tmp_path / "catalog"
    repo_catalog = Path(__file__).parents[1] / "catalog"
    root.mkdir()
    shutil.copy(repo_catalog / "taxonomy.yaml", root)
    shutil.copytree(repo_catalog / "vocabularies", root / "vocabularies")
    info = yaml.safe_load((repo_catalog / "catalog.yaml").read_text())
    info.pop("survey", None)
    (root / "catalog.yaml").write_text(yaml.safe_dump(info))
    res = run("import", "markdown", IMPORT / "survey_readme.md", "--catalog", root)
    assert "1 unusable" in res.output  # the World Values Survey line gives no year
    assert "has no year" in res.output
    cat = load_catalog(root)
    assert not cat.errors, [str(d) for d in cat.errors][:5]
    assert len(cat.records) == 48
    dpo = next(r for r in cat.records.values() if r.title.startswith("Direct preference optimization"))
    assert all("trk=" not in x.url for x in dpo.links)  # tracking parameters removed on import


def test_linked_title_style(toy):
    res = run(
        "import",
        "markdown",
        IMPORT / "style_linked_titles.md",
        "--catalog",
        toy,
        "--dry-run",
        "--map",
        "Human Feedback=def-two",
        "--map",
        "Benchmarks=eval-one",
    )
    assert "5 items" not in res.output
    entries = items_to_entries(
        parse_markdown((IMPORT / "style_linked_titles.md").read_text()),
        "x",
        mapping={"Human Feedback": "def-two", "Benchmarks": "eval-one"},
    )
    drlhp = entries[0].data
    assert drlhp["title"] == "Deep Reinforcement Learning from Human Preferences"
    assert drlhp["authors"][0] == {"family": "Christiano", "given": "Paul"}
    assert drlhp["venue"] == "NeurIPS 2017" and drlhp["year"] == 2017
    assert drlhp["categories"] == ["def-two", "eval-one"]  # listed twice (once with a versioned arXiv link)
    assert drlhp["identifiers"] == {"arxiv": "1706.03741"}
    assert {"type": "code", "url": "https://github.com/example/drlhp"} in drlhp["links"]
    assert len(entries) == 4 and "4 entries: 4 would import" in res.output


def test_bold_linked_title_style_and_unusable_line():
    entries = items_to_entries(
        parse_markdown((IMPORT / "style_bold_links.md").read_text()),
        "x",
        mapping={"Values": "def-three", "Evaluation": "eval-three"},
    )
    ethics = next(e.data for e in entries if e.data and "Shared Human Values" in e.data["title"])
    assert ethics["venue"] == "ICLR 2021"
    assert ethics["categories"] == ["def-three", "eval-three"]  # title case differs between the two listings
    assert [x["type"] for x in ethics["links"]] == ["paper", "data", "code"]
    # an entry with no year keeps its data (so that a duplicate of an existing record is found) and its problem
    assert any("no year" in e.problem for e in entries)


def test_prose_and_toc_lines_are_not_entries():
    assert parse_item("A line of prose in a list, with no title link and no bold text.", 1, None) is None
    assert parse_item("[Human Instructions](#human-instructions)", 1, None) is None


def test_import_markdown_rejects_unknown_category_in_map(toy):
    res = run("import", "markdown", IMPORT / "style_bold_links.md", "--catalog", toy, "--map", "Values=nope")
    assert res.exit_code == 2 and "no category 'nope'" in res.output


# --- arXiv ----------------------------------------------------------------------------------------------------


def test_arxiv_recorded_answer_becomes_a_record():
    data = parse_arxiv_atom((IMPORT / "arxiv_2101.00003.xml").read_text(), "2101.00003v2")
    assert data["title"] == "Gamma: Extending Beta to a Third Goal Level"  # line break folded
    assert data["authors"][:2] == [{"family": "Gamma", "given": "Gil"}, {"family": "Alpha", "given": "Ada"}]
    assert data["identifiers"] == {"arxiv": "2101.00003", "doi": "10.0000/toy.gamma"}
    assert data["date"] == "2021-01-04" and data["year"] == 2021


def test_arxiv_unknown_id_is_a_clear_error():
    with pytest.raises(LookupError_, match="arXiv has no paper 9912.99999"):
        parse_arxiv_atom((IMPORT / "arxiv_missing.xml").read_text(), "9912.99999")


def test_arxiv_network_failure_is_a_clear_error_within_the_timeout(monkeypatch):
    import urllib.request

    def refuse(*a, **k):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    with pytest.raises(LookupError_, match="could not reach arXiv"):
        fetch_arxiv("2203.02155", timeout=0.1)


def test_new_from_arxiv_uses_the_lookup(toy, monkeypatch):
    import aligncat.importers.arxiv as arxiv

    monkeypatch.setattr(arxiv, "fetch_arxiv", lambda i, **k: (IMPORT / "arxiv_2101.00003.xml").read_text())
    res = run("new", "--arxiv", "2101.00003", "--catalog", toy)
    assert res.exit_code == 1 and "duplicate of 'gamma2021-extension' (same arxiv 2101.00003)" in res.output
    res = run("new", "--arxiv", "arXiv:2101.00003v2", "--catalog", toy, "--force", "--id", "gamma2021-lookup")
    assert res.exit_code == 0, res.output
    assert load_catalog(toy).records["gamma2021-lookup"].venue == "Toy Conference 2021"


def test_bibtex_library_reads_our_import_fixture_the_same_way():
    # guards the fixture itself: bibtexparser finds the same blocks we report
    lib = bibtexparser.parse_string((IMPORT / "messy.bib").read_text())
    assert len(lib.entries) == 5 and len(lib.failed_blocks) == 1 and len(lib.strings) == 1
