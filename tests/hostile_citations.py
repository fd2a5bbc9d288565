"""A catalog of hostile-but-valid records for the citation exports: every LaTeX special, math and Greek,
unbalanced braces, truncated and repeated author lists, strange DOIs and URLs, LaTeX payloads in identifiers, and a
catalog title that tries to forge a BibTeX entry. Written for these tests (the works are fictional); built from the
toy catalog into a folder of the caller's choice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

MINI = Path(__file__).parent / "data" / "mini_catalog"

CATALOG_TITLE = "Hostile Catalog\n@misc{forged-entry, title = {Forged}}\n% and more"
PAYLOAD_FILE = "/etc/passwd"

_BASE = {"kind": "paper", "categories": ["def-one"], "summary": "A fictional work for the citation tests.",
         "added": "2026-12-01"}

RECORDS = [
    {"id": "specials2022-costs", "title": r"Costs of $5 & 100% #1 _under_ ^caret ~tilde \backslash {braced} text",
     "authors": [{"family": "O'Brien-Smith", "given": "Ann & Bo"}, {"literal": "Lab_#1 & 50% {Group}"}],
     "year": 2022, "date": "2022-05-03", "venue": "Findings of ACL 2023 & Co_op", "venue_type": "conference",
     "identifiers": {"arxiv": "2205.00001"}},
    {"id": "braces2021-unbalanced", "title": "An {unbalanced brace and }} extra } closing {",
     "authors": [{"family": "{Brace", "given": "Open}"}], "year": 2021, "venue": "arXiv",
     "venue_type": "preprint", "identifiers": {"arxiv": "2101.00009"}},
    {"id": "math2020-bounds", "title": "Bounds α ≤ β → ∞ for ∑ n and ℓ risk: Zürich, Kraków, Ærø – “quoted” … ı",
     "authors": [{"family": "Łukasiewicz", "given": "Jan"}, {"family": "Φιλίππα", "given": "Ψάπφω"}],
     "year": 2020, "venue": "Journal of Toy Results 12(3), 2021", "venue_type": "journal"},
    {"id": "payload2023-input", "title": r"\input{/etc/passwd} and \immediate\write18{touch pwned-title}",
     "authors": [{"family": "Aab", "given": r"\write18{touch pwned-name}"},
                 {"family": r"\input{/etc/passwd}", "given": "Payload"}],
     "year": 2023, "venue": r"\input{/etc/passwd} 2023", "venue_type": "workshop",
     "identifiers": {"doi": r"10.1234/\input/etc/passwd\relax"},
     "links": [{"type": "paper", "url": "https://example.org/\\input{/etc/passwd}\\write18{touch${IFS}pwned-url}"}]},
    {"id": "payload2023-write18", "title": "Shell escapes through identifiers", "year": 2023,
     "authors": [{"family": "Aaa", "given": "Shell"}], "venue": "TMLR 2024", "venue_type": "journal",
     # no spaces or braces needed: TeX's piped \input runs a shell command under -shell-escape
     "identifiers": {"doi": r"10.5555/\input|touch$IFS'pwned-doi'\relax"}},
    {"id": "sici1998-doi", "title": "An old DOI with angle brackets and a hash", "year": 1998,
     "authors": [{"family": "Old", "given": "Doi"}], "venue": "Journal of Toy Archives", "venue_type": "journal",
     "identifiers": {"doi": "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"},
     "links": [{"type": "paper", "url": "https://example.org/a_b/c%20d?x=1&y=~z#frag"}]},
    {"id": "percent2024-doi", "title": "A DOI with percent, tilde and caret", "year": 2024,
     "authors": [{"family": "Percent", "given": "Pat"}], "venue": "ICLR 2025", "venue_type": "conference",
     "identifiers": {"doi": "10.1234/50%off~a^b"}},
    {"id": "truncated2022-others", "title": "A Long Author List Cut Short", "year": 2022,
     "authors": [{"family": "Lin", "given": "Stephanie"}, {"family": "Hilton", "given": "Jacob"},
                 {"family": "others"}],
     "venue": "NeurIPS 2022", "venue_type": "conference"},
    {"id": "samename2023-wang", "title": "Two Authors Named Wei Wang", "year": 2023,
     "authors": [{"family": "Wang", "given": "Wei"}, {"family": "Wang", "given": "Wei"},
                 {"family": "Wang", "given": "Wei", "orcid": "0000-0002-1825-0097"}],
     "venue": "arXiv", "venue_type": "preprint", "identifiers": {"arxiv": "2301.00099"}},
    {"id": "capitals2023-gpt", "title": "GPT-4 and LLaMA on iPhone: eBay -- ``quotes'' and ?` marks",
     "authors": [{"literal": "Smith, Jones and Partners"}, {"family": "van der Berg", "given": "Jan"}],
     "year": 2023, "date": "2023-11", "venue": "EMNLP 2023", "venue_type": "conference"},
    {"id": "forged2022-entry", "title": "Title } @misc{forged-in-title, title={x}} {",
     "authors": [{"family": "Forger", "given": "F."}], "year": 2022, "venue": "arXiv", "venue_type": "preprint",
     "identifiers": {"arxiv": "2202.00042"}},
]
DATASET = {"id": "hostiledata2021-set", "kind": "dataset", "title": "HostileSet: a Dataset_With #Specials",
           "authors": [{"family": "Data", "given": "Dana"}], "year": 2021, "categories": ["def-one"],
           "summary": "A fictional dataset for the citation tests.", "added": "2026-12-01",
           "links": [{"type": "data", "url": "https://example.org/data_set/ü{x}"}]}


def build(dest: Path) -> Path:
    """The toy catalog plus the hostile records, at `dest`; returns the catalog root."""
    shutil.copytree(MINI, dest)
    info = yaml.safe_load((dest / "catalog.yaml").read_text(encoding="utf-8"))
    info["title"] = CATALOG_TITLE
    info["license"] = "Toy licence, ask first"
    (dest / "catalog.yaml").write_text(yaml.safe_dump(info, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    for rec in RECORDS:
        data = {"id": rec["id"], **_BASE, **{k: v for k, v in rec.items() if k != "id"}}
        (dest / "papers" / f"{rec['id']}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    (dest / "datasets" / f"{DATASET['id']}.yaml").write_text(
        yaml.safe_dump(DATASET, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return dest
