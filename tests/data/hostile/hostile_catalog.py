"""Test data: the toy catalog with hostile text (corpus.json) written into every field that reaches a page.

`make_hostile_catalog(folder)` copies tests/data/mini_catalog and puts a corpus string into each free-text value
(titles, names, summaries, venues, notes, labels, reasons, descriptions of the catalog, taxonomy and tags), plus
one record per hostile URL that the schema allows. Strings the source stage refuses outright (bidi controls) are
left out, so that the catalog is valid and its site can be built; tests check those refusals on their own.
"""

from __future__ import annotations

import json
import shutil
from itertools import cycle
from pathlib import Path

import yaml

HERE = Path(__file__).parent
MINI = HERE.parent / "mini_catalog"
CORPUS = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
REFUSED_AT_SOURCE = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069")
RENDERED_TEXT = [t for t in CORPUS["text"] if not any(c in t for c in REFUSED_AT_SOURCE)]
# Free-text fields: everything else (ids, kinds, enums, dates, URLs, slugs) is checked by the schema's form.
FREE_TEXT = {
    "title",
    "short_name",
    "family",
    "given",
    "literal",
    "summary",
    "venue",
    "reason",
    "label",
    "note",
    "notes",
    "description",
    "license",
    "evaluates",
    "judge",
    "size",
    "metrics",
    "aliases",
    "construction_note",
}


def _poison(node, texts, key=""):
    if isinstance(node, dict):
        return {k: _poison(v, texts, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_poison(v, texts, key) for v in node]
    if isinstance(node, str) and key in FREE_TEXT:
        text = next(texts)
        while key == "short_name" and len(text) + len(node) >= 80:  # the schema's limit for short names
            text = next(texts)
        return f"{text} {node}"  # keeps the original words, so a page still says what it is about
    return node


def make_hostile_catalog(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(MINI, folder)
    texts = cycle(RENDERED_TEXT)
    # The catalog's own title, description and licence may not hold '<', '>' or '"' (the theme prints them raw,
    # also inside attributes): the schema refuses them, so here they get the attacks that need none of them.
    settings_texts = cycle([t for t in RENDERED_TEXT if not set(t) & set('<>"')])
    for path in sorted(folder.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        poisoned = _poison(data, settings_texts if path.name == "catalog.yaml" else texts)
        path.write_text(
            yaml.safe_dump(poisoned, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
        )
    for n, url in enumerate(CORPUS["urls_allowed_as_text"]):
        base = yaml.safe_load((MINI / "papers" / "alpha2019-base.yaml").read_text(encoding="utf-8"))
        rid = f"evilurl{2019 + n}-link"
        base.update(
            id=rid,
            title=f"Hostile link {n}",
            short_name=None,
            identifiers=None,
            links=[{"type": "paper", "url": url, "label": RENDERED_TEXT[n]}],
            relations=[{"type": "builds_on", "target": "alpha2019-base", "reason": RENDERED_TEXT[-1 - n]}],
        )
        base = {k: v for k, v in base.items() if v is not None}
        (folder / "papers" / f"{rid}.yaml").write_text(
            yaml.safe_dump(base, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
        )
    return folder
