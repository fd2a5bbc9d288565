"""Export stage, BibTeX: one entry per record, keyed by the record id, LaTeX specials escaped, capitals protected."""

from __future__ import annotations

import re
from functools import cache

from ..load import Catalog
from ..model import Author, Record
from . import _citation as cite
from . import register

# Characters with a meaning in LaTeX or BibTeX, written as commands every LaTeX since 2020 knows (textcomp is in
# the kernel). Braces are never written as \{ \}: BibTeX counts those too, so one unpaired brace in a title would
# break the whole file. "$" is "\$", not \textdollar{}: biber decodes \textdollar into a bare "$", which LaTeX
# then reads as math mode (biber keeps "\$", \textbackslash and \textbrace... as they are).
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in LATEX_ESCAPES))
_SPACE_RE = re.compile(r"\s+")

# Non-ASCII text is kept as UTF-8 (LaTeX reads UTF-8 input since 2018; biber, bibtexparser and pybtex keep it),
# except letters and symbols that only exist in math mode for pdfLaTeX (Greek, operators, arrows): those are written
# as the command every engine knows ("\ensuremath{\alpha}"), which biber leaves as it is. Other scripts (Cyrillic,
# CJK) stay UTF-8: a document in them loads their fonts or uses XeLaTeX or LuaLaTeX.
_NON_LATIN_RE = re.compile(r"[^\x00-\u024f\u2000-\u206f]")


@cache
def _encode_non_latin(ch: str) -> str:
    from pylatexenc.latexencode import unicode_to_latex

    from ..importers.latex import latex_to_text

    out = unicode_to_latex(ch, non_ascii_only=True, unknown_char_policy="keep", unknown_char_warning=False)
    # Only a command that reads back as the same character (our BibTeX importer, pybtex and biber agree on these).
    return "{" + out + "}" if out.startswith("\\ensuremath{") and latex_to_text(out) == ch else ch


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


# TeX turns -- into an en dash, `` and '' into curly quotes, ?` and !` into inverted marks: an empty group between
# the two characters keeps what the record says.
_LIGATURE_RE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters and fold runs of white space (BibTeX would fold them anyway)."""
    escaped = _ESCAPE_RE.sub(lambda m: LATEX_ESCAPES[m.group()], _SPACE_RE.sub(" ", text.strip()))
    escaped = _LIGATURE_RE.sub(r"\1{}", escaped)
    return _NON_LATIN_RE.sub(lambda m: _encode_non_latin(m.group()), escaped)


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


def _verbatim(value: str) -> str:
    # The url and doi fields are read verbatim (biblatex, \url, \doi): only URL characters reach them (see
    # _citation.safe_url), so a brace, a backslash or a line break can never end the field or start a command.
    return value.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def entry_fields(r: Record) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (field, raw BibTeX value) pairs of one record; macros are given without braces."""
    c = cite.citation(r)
    entry_type, venue_field = ENTRY_TYPES[c.genre]
    fields: list[tuple[str, str]] = [("title", "{" + protect_capitals(c.title) + "}")]
    if c.authors:
        names = [format_name(a) for a in c.authors] + (["others"] if c.truncated else [])
        fields.append(("author", "{" + " and ".join(names) + "}"))
    fields.append(("year", "{" + str(c.year) + "}"))
    if len(c.date_parts) > 1:
        fields.append(("month", cite.MONTH_MACROS[c.date_parts[1] - 1]))
    if c.venue:
        fields.append((venue_field, "{" + escape_latex(c.venue) + "}"))
    elif c.is_preprint and c.arxiv:
        fields.append(("howpublished", "{arXiv preprint arXiv:" + c.arxiv + "}"))
    if c.arxiv:
        fields += [("eprint", "{" + c.arxiv + "}"), ("archiveprefix", "{arXiv}")]
    if c.plain_doi:
        fields.append(("doi", "{" + c.plain_doi + "}"))
    url = c.url if c.plain_doi or not c.doi or not c.url or "doi.org" not in c.url else c.doi_url
    if url:
        fields.append(("url", "{" + _verbatim(url) + "}"))
    return entry_type, fields


def record_to_bibtex(r: Record) -> str:
    """One BibTeX entry; the key is the record id, which never changes once a record is published."""
    entry_type, fields = entry_fields(r)
    width = max(len(k) for k, _ in fields)
    body = ",\n".join(f"  {k.ljust(width)} = {v}" for k, v in fields)
    return f"@{entry_type}{{{r.id},\n{body}\n}}\n"


def file_header(catalog: Catalog, count: int) -> str:
    """The comment line that opens every .bib file. BibTeX reads any '@' outside an entry as the start of one, so
    the catalog's title is written on one line with '@' spelled out: a title can never forge an entry."""
    title = " ".join(catalog.info.title.split()).replace("@", "(at)")
    return f"% {title}: {count} entries, exported by aligncat\n"


@register(
    "bibtex", ".bib", "application/x-bibtex", "BibTeX entries keyed by record id (for LaTeX, Zotero, JabRef)"
)
def export_bibtex(catalog: Catalog, records: tuple[Record, ...]) -> str:
    header = file_header(catalog, len(records))
    return header + "".join("\n" + record_to_bibtex(r) for r in sorted(records, key=lambda r: r.id))
