"""`aligncat new`: scaffolds records that validate, from flags or BibTeX, and never overwrites without --force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main

MINI = Path(__file__).parent / "data" / "mini_catalog"


@pytest.fixture()
def toy(tmp_path):
    dest = tmp_path / "catalog"
    shutil.copytree(MINI, dest)
    return dest


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_new_paper_from_flags_validates(toy):
    res = run(
        "new",
        "paper",
        "--catalog",
        toy,
        "--title",
        "Omega: A New Toy Method",
        "--year",
        "2024",
        "--author",
        "Omega, Oz",
        "--author",
        "Toy Lab",
        "--category",
        "def-one",
        "--url",
        "https://example.org/omega",
        "--summary",
        "A fictional method added by the new command's test.",
    )
    assert res.exit_code == 0, res.output
    path = toy / "papers" / "omega2024-omega-new-toy.yaml"
    assert f"wrote {path}" in res.output
    cat = load_catalog(toy)
    assert not cat.errors, [str(d) for d in cat.errors]
    r = cat.records["omega2024-omega-new-toy"]
    assert r.display_authors == ("Oz Omega", "Toy Lab") and r.categories == ("def-one",)
    assert r.link("paper") == "https://example.org/omega"


def test_new_resource_needs_its_type_and_gets_it(toy):
    res = run(
        "new",
        "resource",
        "--catalog",
        toy,
        "--title",
        "A Toy Tool",
        "--year",
        "2024",
        "--resource-type",
        "tool",
        "--id",
        "toytool2024",
    )
    assert res.exit_code == 0, res.output
    assert load_catalog(toy).records["toytool2024"].resource.type == "tool"


def test_new_from_bibtex_on_stdin(toy):
    bib = "@inproceedings{Kappa2024, title={{Kappa}: Toy {RLHF}}, author={Kappa, Kay}, year=2024, booktitle={Toy Conf}}"
    res = run("new", "--bibtex", "-", "--catalog", toy, input=bib)
    assert res.exit_code == 0, res.output
    r = load_catalog(toy).records["kappa2024"]
    assert r.title == "Kappa: Toy RLHF" and r.venue == "Toy Conf" and r.venue_type == "conference"


def test_new_refuses_a_duplicate_and_an_existing_file(toy):
    res = run(
        "new", "paper", "--catalog", toy, "--title", "Beta: Learning from Toy Preferences", "--year", "2020"
    )
    assert res.exit_code == 1 and "duplicate of 'beta2020-method'" in res.output
    path = toy / "papers" / "x2024.yaml"
    path.write_text("# someone's draft\n")
    res = run(
        "new",
        "paper",
        "--catalog",
        toy,
        "--title",
        "Something Else Entirely",
        "--year",
        "2024",
        "--id",
        "x2024",
    )
    assert res.exit_code == 1 and "pass --force" in res.output
    assert path.read_text() == "# someone's draft\n"


def test_new_rejects_unknown_category_and_missing_title(toy):
    res = run("new", "paper", "--catalog", toy, "--title", "T", "--year", "2024", "--category", "nope")
    assert res.exit_code == 2 and "no category 'nope'" in res.output
    res = run("new", "paper", "--catalog", toy, "--year", "2024")
    assert res.exit_code == 2 and "--title" in res.output


def test_new_dry_run_prints_without_writing(toy):
    before = sorted(p.name for p in toy.rglob("*.yaml"))
    res = run("new", "dataset", "--catalog", toy, "--title", "Toy Data Three", "--year", "2024", "--dry-run")
    assert res.exit_code == 0 and "kind: dataset" in res.output and "title: Toy Data Three" in res.output
    assert sorted(p.name for p in toy.rglob("*.yaml")) == before


def test_new_checks_tags_categories_year_and_url_with_suggestions(toy):
    res = run("new", "paper", "--catalog", toy, "--title", "T", "--year", "2024", "--tag", "toy-methd",
              "--category", "def-on")
    assert res.exit_code == 2
    assert "no tag 'toy-methd' (did you mean 'toy-method'?)" in res.output
    assert "no category 'def-on' (did you mean 'def-one'?)" in res.output
    res = run("new", "paper", "--catalog", toy, "--title", "T", "--year", "20240")
    assert res.exit_code == 2 and "--year 20240 is not plausible" in res.output
    res = run("new", "paper", "--catalog", toy, "--title", "T", "--year", "2024", "--url", "javascript:alert(1)")
    assert res.exit_code == 2 and "is not an http(s) address" in res.output
    # an 18th-century book is a plausible year
    res = run("new", "resource", "--catalog", toy, "--title", "A Toy Treatise of Old Values", "--year", "1739",
              "--resource-type", "book", "--author", "Hume, David")
    assert res.exit_code == 0, res.output
    assert not load_catalog(toy).errors


def test_new_looks_for_a_duplicate_before_any_network_lookup(toy, monkeypatch):
    import aligncat.importers.arxiv as arxiv

    def no_network(*a, **k):
        raise AssertionError("looked up arXiv for a work the catalog already holds")

    monkeypatch.setattr(arxiv, "fetch_arxiv", no_network)
    res = run("new", "--arxiv", "https://arxiv.org/abs/1905.00001v3", "--catalog", toy)
    assert res.exit_code == 1 and "duplicate of 'alpha2019-base' (same arxiv 1905.00001)" in res.output


def test_new_refuses_an_id_used_by_a_record_of_another_kind(toy):
    res = run("new", "paper", "--catalog", toy, "--title", "Something New", "--year", "2024",
              "--id", "toyinst2020-data")
    assert res.exit_code == 1 and "already used by" in res.output
    assert not (toy / "papers" / "toyinst2020-data.yaml").exists()


def test_new_writes_what_yaml_would_retype_quoted(toy):
    res = run("new", "paper", "--catalog", toy, "--title", "No", "--year", "2024", "--author", "No, Yes",
              "--id", "no2024")
    assert res.exit_code == 0, res.output
    r = load_catalog(toy).records["no2024"]
    assert r.title == "No" and r.authors[0].family == "No" and r.authors[0].given == "Yes"
