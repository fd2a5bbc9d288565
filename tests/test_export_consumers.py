"""The citation exports as the programs people cite with read them (not only our own parsers): LaTeX with BibTeX
(plain, plainnat, an acl_natbib-like style) and with biblatex + biber, Pandoc --citeproc and citeproc-py (APA,
Chicago author-date, IEEE), rispy, cffconvert. Over the shipped catalog and over a catalog of hostile-but-valid
records (tests/hostile_citations.py). In CI (.ci/run installs the programs) a missing program is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import consumers as C
import hostile_citations as H
from aligncat import load_catalog
from aligncat.export import export, formatted
from aligncat.export.reference import STYLES

ROOT = Path(__file__).resolve().parents[1]


def _need(*programs: str) -> None:
    if not C.have(*programs):
        if os.environ.get("CI"):
            pytest.fail(f"{' and '.join(programs)} missing: .ci/run installs them; the citation checks did not run")
        pytest.skip(f"needs {', '.join(programs)}")


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(ROOT / "catalog")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = H.build(tmp_path_factory.mktemp("hostile") / "catalog")
    cat = load_catalog(root)
    errors = [d for d in cat.diagnostics if d.is_error]
    assert not errors, [str(d) for d in errors]  # hostile, but every record is one `validate` accepts
    assert len(cat.records) == len(load_catalog(H.MINI).records) + len(H.RECORDS) + 1
    return cat


CATALOGS = ["shipped", "hostile"]


# --- LaTeX --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", CATALOGS)
@pytest.mark.parametrize("style", ["plain", "plainnat", "acl-like"])
def test_bibtex_export_compiles_with_bibtex_styles(request, which, style, tmp_path):
    _need("pdflatex", "bibtex", "kpsewhich")
    cat = request.getfixturevalue(which)
    run = C.compile_bibtex(export(cat, "bibtex"), tmp_path, style)
    assert run.latex_errors == [], "\n".join(run.latex_errors[:20])
    assert run.bib_errors == [], run.bib_errors[:20]
    assert run.entries == len(cat.records)  # every record is an entry: none lost, none forged


@pytest.mark.parametrize("which", CATALOGS)
def test_bibtex_export_compiles_with_biblatex_and_biber_without_a_warning(request, which, tmp_path):
    _need("pdflatex", "biber")
    cat = request.getfixturevalue(which)
    run = C.compile_biblatex(export(cat, "bibtex"), tmp_path)
    assert run.bib_errors == [] and run.bib_warnings == [], (run.bib_errors + run.bib_warnings)[:20]
    assert run.latex_errors == [], "\n".join(run.latex_errors[:20])
    assert run.entries == len(cat.records)


@pytest.mark.parametrize("engine", ["bibtex-plainnat", "bibtex-plainnat-nourl", "bibtex-acl-like", "biber"])
def test_hostile_values_read_and_run_nothing_outside_the_document(hostile, engine, tmp_path):
    """Compiled even with -shell-escape: no payload in a title, name, venue, DOI or URL reads a file or runs one."""
    _need("pdflatex", "bibtex", "biber")
    bib = export(hostile, "bibtex")
    work = tmp_path / "doc"
    if engine == "biber":
        run = C.compile_biblatex(bib, work, shell_escape=True)
    else:
        run = C.compile_bibtex(bib, work, engine.removeprefix("bibtex-"), shell_escape=True)
    assert run.entries == len(hostile.records)
    assert run.foreign_inputs == [], run.foreign_inputs
    assert H.PAYLOAD_FILE not in run.inputs
    assert "root:" not in run.log  # nothing of /etc/passwd typeset
    assert not [p.name for p in tmp_path.rglob("pwned*")], "a \\write18 payload ran"
    assert "runsystem(touch" not in run.log


def test_the_catalog_title_forges_no_entry(hostile):
    bib = export(hostile, "bibtex")
    assert "forged-entry" not in [line.split("{")[1].rstrip(",") for line in bib.splitlines() if line.startswith("@")]
    assert bib.splitlines()[0].startswith("% Hostile Catalog (at)misc") and bib.count("\n@") == len(hostile.records)


# --- CSL: Pandoc and citeproc-py ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", CATALOGS)
@pytest.mark.parametrize("style", C.CSL_STYLES)
def test_pandoc_citeproc_prints_no_id_twice_and_no_author_called_others(request, which, style, tmp_path):
    _need("pandoc")
    cat = request.getfixturevalue(which)
    items = json.loads(export(cat, "csl-json"))
    entries = C.pandoc_bibliography(items, style, tmp_path)
    assert not [e for e in entries if e.startswith("PANDOC WARNING")], entries[-5:]
    assert len(entries) == len(items)
    assert all(len(e.split()) >= 4 for e in entries), [e for e in entries if len(e.split()) < 4][:3]  # text, not a label
    assert [e for e in entries if C.repeated_identifiers(e)] == []
    assert [e for e in entries if C.prints_others(e)] == []
    kind_words = [e for e in entries if any(f"{w}." in e.split(". ") or f"[{w}]" in e
                                            for w in ("Benchmark", "Dataset"))]
    assert kind_words == []


@pytest.mark.parametrize("which", CATALOGS)
def test_citeproc_py_renders_every_record_in_every_style(request, which):
    cat = request.getfixturevalue(which)
    for r in cat.records.values():
        for style in STYLES:
            text = formatted(r, cat, style)
            assert text and not C.prints_others(text), (r.id, style, text)
            assert not C.repeated_identifiers(text), (r.id, style, text)


def test_shipped_published_works_print_the_venues_year_in_apa(shipped, tmp_path):
    _need("pandoc")
    r = shipped.records["lin2022-truthfulqa"] if "lin2022-truthfulqa" in shipped.records else None
    if r is None:
        pytest.skip("the shipped catalog has no TruthfulQA record")
    (entry,) = C.pandoc_bibliography(json.loads(export(shipped, "csl-json", _ids(r.id))), "apa", tmp_path)
    assert entry.startswith("Lin, S., Hilton, J., & Evans, O. (2022).") and "ACL 2022" in entry


def _ids(*ids):
    from aligncat.export import Selection

    return Selection(ids=ids)


# --- RIS: rispy ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", CATALOGS)
def test_rispy_reads_the_ris_export_back_field_for_field(request, which):
    import rispy

    from aligncat.export import _citation as cite

    cat = request.getfixturevalue(which)
    refs = {e["id"]: e for e in rispy.loads(export(cat, "ris"))}
    assert set(refs) == set(cat.records)
    for r in cat.records.values():
        c, e = cite.citation(r), refs[r.id]
        assert e["title"] == c.title
        assert e.get("authors", []) == [a.literal or (f"{a.family}, {a.given}" if a.given else a.family)
                                        for a in c.authors]
        assert e["year"] == str(c.year)
        assert e.get("doi") == c.doi
        assert e.get("urls") == ([c.url] if c.url else None)
        venue = e.get("secondary_title") or e.get("publisher")
        assert venue == (c.venue or ("arXiv" if c.is_preprint and c.arxiv else None)), r.id
        assert "others" not in [a.lower() for a in e.get("authors", [])]


# --- CFF: cffconvert ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cffconvert_exe():
    exe = C.cffconvert()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("could not install cffconvert into .venv-cffconvert; the CFF export went unvalidated")
        pytest.skip("cffconvert could not be installed (no package registry?)")
    return exe


@pytest.mark.parametrize("which", CATALOGS)
def test_cffconvert_validates_the_cff_export(request, which, cffconvert_exe, tmp_path):
    cat = request.getfixturevalue(which)
    path = tmp_path / "CITATION.cff"
    path.write_text(export(cat, "cff"), encoding="utf-8")
    res = C.cff_validate(cffconvert_exe, path)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]


def test_cff_says_what_it_adjusted(hostile):
    head = [ln for ln in export(hostile, "cff").splitlines() if ln.startswith("# adjusted for CFF:")]
    assert any("samename2023-wang" in ln and "repeated author" in ln for ln in head), head
    assert any("sici1998-doi" in ln and "doi.org URL" in ln for ln in head), head  # "<" ">" are outside it
    assert any("payload2023-write18" in ln and "doi.org URL" in ln for ln in head), head
    assert any("license" in ln and "not an SPDX id" in ln for ln in head), head
