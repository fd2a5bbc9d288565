"""The citation checks' figures (docs/citing.md): the exports of a catalog run through LaTeX + BibTeX, biblatex +
biber, Pandoc, rispy and cffconvert, with what each program reported counted.

Usage: python scripts/citation_checks.py [CATALOG ...]   (default: catalog/ and the hostile fixture catalog)
Run it with another checkout's package first on PYTHONPATH to measure that code (how docs/citing.md shows what
the checks caught on the code before them); the checks themselves always come from this checkout's tests/.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT / "tests"))

import consumers as C  # noqa: E402
import hostile_citations as H  # noqa: E402

_YEAR_RE = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")


def figures(root: Path, work: Path) -> dict[str, object]:
    import rispy

    from aligncat import load_catalog
    from aligncat.export import export

    cat = load_catalog(root)
    out: dict[str, object] = {"records": len(cat.records)}
    bib = export(cat, "bibtex")
    for style in ("plain", "plainnat", "acl-like", "plainnat-nourl"):
        run = C.compile_bibtex(bib, work / f"bib-{style}", style, shell_escape=True)
        out[f"bibtex {style}: LaTeX errors"] = len(run.latex_errors)
        out[f"bibtex {style}: BibTeX errors"] = len(run.bib_errors)
        out[f"bibtex {style}: entries typeset"] = run.entries
        out[f"bibtex {style}: files read outside the document"] = len(run.foreign_inputs)
    run = C.compile_biblatex(bib, work / "biber", shell_escape=True)
    out["biblatex: LaTeX errors"] = len(run.latex_errors)
    out["biber: errors"] = len(run.bib_errors)
    out["biber: warnings"] = len(run.bib_warnings)
    out["biblatex: entries typeset"] = run.entries
    out["biblatex: files read outside the document"] = len(run.foreign_inputs)
    out["shell commands run (-shell-escape)"] = len(list(work.rglob("pwned*")))
    # venue year vs the year printed, and kind words, in the BibTeX export
    import bibtexparser

    lib = bibtexparser.parse_string(bib)
    years = {e.key: e.fields_dict["year"].value for e in lib.entries if "year" in e.fields_dict}
    wrong = 0
    for r in cat.records.values():
        found = _YEAR_RE.findall(r.venue or "") if (r.venue or "").lower() != "arxiv" else []
        if found and int(found[-1]) >= r.year and years.get(r.id) != found[-1]:
            wrong += 1
    out["BibTeX entries whose year is not their venue's"] = wrong
    out["BibTeX entries printing a kind word (note)"] = sum(
        1 for e in lib.entries if "note" in e.fields_dict and e.fields_dict["note"].value in ("Benchmark", "Dataset"))
    items = json.loads(export(cat, "csl-json"))
    for style in C.CSL_STYLES:
        entries = C.pandoc_bibliography(items, style, work / f"pandoc-{style}")
        out[f"Pandoc {style}: entries with an id printed twice"] = sum(1 for e in entries if C.repeated_identifiers(e))
        out[f"Pandoc {style}: entries naming 'others'"] = sum(1 for e in entries if C.prints_others(e))
    refs = rispy.loads(export(cat, "ris"))
    out["RIS: references rispy reads"] = len(refs)
    out["RIS: authors called 'others'"] = sum(1 for e in refs for a in e.get("authors", []) if a.lower() == "others")
    exe = C.cffconvert()
    cff = work / "CITATION.cff"
    cff.write_text(export(cat, "cff"), encoding="utf-8")
    out["cffconvert --validate"] = "valid" if exe and C.cff_validate(exe, cff).returncode == 0 else "INVALID"
    return out


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        roots = [Path(a) for a in argv] or [ROOT / "catalog", H.build(Path(tmp) / "hostile")]
        results = [(str(r), figures(r, Path(tmp) / f"work{i}")) for i, r in enumerate(roots)]
    keys = list(results[0][1])
    print("| check | " + " | ".join(Path(n).name for n, _ in results) + " |")
    print("| --- | " + " | ".join("---" for _ in results) + " |")
    for k in keys:
        print(f"| {k} | " + " | ".join(str(res.get(k, "-")) for _, res in results) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
