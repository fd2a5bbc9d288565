"""Export stage, BibTeX: one entry per record, keyed by the record id, LaTeX specials escaped, capitals protected."""

from __future__ import annotations

import re

from ..load import Catalog
from ..model import Author, Record
from . import _citation as cite
from . import register

# Characters with a meaning in LaTeX or BibTeX, written as commands every LaTeX since 2020 knows (textcomp is in
# the kernel). Braces are never written as \{ \}: BibTeX counts those too, so one unpaired brace in a title would
# break the whole file. Non-ASCII text is kept as UTF-8: biber, bibtexparser and pybtex all read it.
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\textdollar{}",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in LATEX_ESCAPES))
_SPACE_RE = re.compile(r"\s+")

# BibTeX entry type and the field that names the venue, per publication genre.
ENTRY_TYPES = {
    "conference": ("inproceedings", "booktitle"),
    "workshop": ("inproceedings", "booktitle"),
    "journal": ("article", "journal"),
    "preprint": ("misc", "howpublished"),
    "book": ("book", "publisher"),
    "chapter": ("incollection", "booktitle"),
    "thesis": ("phdthesis", "school"),
    "report": ("techreport", "institution"),
    "blog": ("misc", "howpublished"),
    "website": ("misc", "howpublished"),
    "software": ("misc", "howpublished"),
    "dataset": ("misc", "howpublished"),
    "other": ("misc", "howpublished"),
}

_NOTE_BY_KIND = {"dataset": "Dataset", "benchmark": "Benchmark"}


# TeX turns -- into an en dash, `` and '' into curly quotes, ?` and !` into inverted marks: an empty group between
# the two characters keeps what the record says.
_LIGATURE_RE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters and fold runs of white space (BibTeX would fold them anyway)."""
    escaped = _ESCAPE_RE.sub(lambda m: LATEX_ESCAPES[m.group()], _SPACE_RE.sub(" ", text.strip()))
    return _LIGATURE_RE.sub(r"\1{}", escaped)


def protect_capitals(text: str) -> str:
    """Escape a title and brace every run of words that holds a capital, so that styles keep 'GPT-4' and 'Alpha'.

    Styles lower-case titles except what is braced; bracing runs rather than single letters keeps kerning and
    reads well: 'Training {GPT} Models' stays 'Training GPT Models' in any style.
    """
    words = _SPACE_RE.sub(" ", text.strip()).split(" ")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            body = " ".join(escape_latex(w) for w in run)
            # A group that opens with a command is a BibTeX "special character", whose letters *are* case-changed;
            # an empty group in front keeps it protected.
            out.append("{" + ("{}" if body.startswith("\\") else "") + body + "}")
            run.clear()

    for w in words:
        if any(ch.isupper() for ch in w):
            run.append(w)
        else:
            flush()
            out.append(escape_latex(w))
    flush()
    return " ".join(out)


def format_name(a: Author) -> str:
    """'Family, Given' for people, a braced name for organisations (so 'and' or commas in it stay whole)."""
    if a.literal:
        return "{" + escape_latex(a.literal) + "}"
    family = _name_part(a.family or "")
    return f"{family}, {_name_part(a.given)}" if a.given else family


def _name_part(text: str) -> str:
    # BibTeX's name parser splits on commas and on the word 'and', and a command (an escaped special such as "\&")
    # next to a separator is misread by name splitters: braces keep such a part whole.
    escaped = escape_latex(text)
    needs_braces = "," in escaped or " and " in f" {escaped.lower()} " or "\\" in escaped
    return "{" + escaped + "}" if needs_braces else escaped


def _url_value(url: str) -> str:
    # Verbatim, as the url and doi fields are read by url-aware styles; only what would break BibTeX is encoded.
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def entry_fields(r: Record) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (field, raw BibTeX value) pairs of one record; macros are given without braces."""
    genre = cite.genre(r)
    entry_type, venue_field = ENTRY_TYPES[genre]
    fields: list[tuple[str, str]] = [("title", "{" + protect_capitals(r.title) + "}")]
    if r.authors:
        fields.append(("author", "{" + " and ".join(format_name(a) for a in r.authors) + "}"))
    fields.append(("year", "{" + str(r.year) + "}"))
    m = cite.month(r)
    if m:
        fields.append(("month", cite.MONTH_MACROS[m - 1]))
    arxiv = cite.arxiv_id(r)
    if r.venue and not (genre == "preprint" and cite.is_arxiv_venue(r)):
        fields.append((venue_field, "{" + escape_latex(r.venue) + "}"))
    elif genre == "preprint" and arxiv:
        fields.append(("howpublished", "{arXiv preprint arXiv:" + arxiv + "}"))
    if arxiv:
        fields += [("eprint", "{" + arxiv + "}"), ("archiveprefix", "{arXiv}")]
    if cite.doi(r):
        fields.append(("doi", "{" + _url_value(cite.doi(r) or "") + "}"))
    url = cite.best_url(r)
    if url:
        fields.append(("url", "{" + _url_value(url) + "}"))
    note = _NOTE_BY_KIND.get(r.kind)
    if note:
        fields.append(("note", "{" + note + "}"))
    return entry_type, fields


def record_to_bibtex(r: Record) -> str:
    """One BibTeX entry; the key is the record id, which never changes once a record is published."""
    entry_type, fields = entry_fields(r)
    width = max(len(k) for k, _ in fields)
    body = ",\n".join(f"  {k.ljust(width)} = {v}" for k, v in fields)
    return f"@{entry_type}{{{r.id},\n{body}\n}}\n"


@register(
    "bibtex", ".bib", "application/x-bibtex", "BibTeX entries keyed by record id (for LaTeX, Zotero, JabRef)"
)
def export_bibtex(catalog: Catalog, records: tuple[Record, ...]) -> str:
    header = f"% {catalog.info.title}: {len(records)} entries, exported by aligncat\n"
    return header + "".join("\n" + record_to_bibtex(r) for r in sorted(records, key=lambda r: r.id))
