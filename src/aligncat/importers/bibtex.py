"""Import stage, BibTeX: read real bibliographies (one or several .bib files) into record data, accounting for every
entry.

bibtexparser 2.x splits the text into blocks and raw field values; the values are resolved here, as BibTeX does:
`#` concatenation of quoted, braced, numeric and @string parts in every field (macros from every file given, and
the month names); field names in any case; `crossref` and `xdata` inheritance (a child takes year, booktitle,
publisher... from its parent, never the parent's identifiers); `and others` marks the author list truncated.
`url`, `doi`, `eprint`/`archivePrefix`, `ee`, `howpublished = {\\url{...}}` become links and identifiers, never
a venue. LaTeX is decoded to Unicode text (accents, `\\$`, `{\\v{C}}`, `$\\tau$` -> τ).

Over 500 lines because real bibliographies need every one of these readings (string macros across files,
crossref and xdata inheritance, identifiers hidden in URLs, LaTeX to Unicode) to give one record per entry.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as BibEntry
from bibtexparser.model import String as BibString

from ..identity import ids_from_url, normalise_arxiv, normalise_doi
from ..rules import strip_tracking
from .common import NOT_A_WORK, Entry, today
from .latex import latex_to_text
from .venues import short_venue

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_MONTH_NAMES = (
    "January February March April May June July August September October November December".split()
)
# The macros every BibTeX style defines.
DEFAULT_MACROS = {m: _MONTH_NAMES[i - 1] for m, i in MONTHS.items()}

# (venue_type, field naming the venue) per BibTeX entry type; misc is decided from its fields.
ENTRY_VENUES = {
    "article": ("journal", "journal"),
    "inproceedings": ("conference", "booktitle"),
    "conference": ("conference", "booktitle"),
    "book": ("book", "publisher"),
    "mvbook": ("book", "publisher"),
    "inbook": ("chapter", "booktitle"),
    "incollection": ("chapter", "booktitle"),
    "bookinbook": ("chapter", "booktitle"),
    "phdthesis": ("thesis", "school"),
    "mastersthesis": ("thesis", "school"),
    "thesis": ("thesis", "school"),
    "techreport": ("report", "institution"),
    "report": ("report", "institution"),
    "online": ("website", None),
    "electronic": ("website", None),
    "www": ("website", None),
    "software": ("software", None),
    "dataset": (None, None),
    "misc": (None, "howpublished"),
    "unpublished": (None, None),
}
# Entry types that hold data for other entries, not a work of their own: reported, never imported.
CONTAINER_TYPES = {"proceedings", "mvproceedings", "xdata", "set", "collection", "mvcollection", "periodical"}
# What a child takes from its crossref or xdata parent. Never the parent's doi, url, isbn or eprint: those
# identify the volume, not the paper.
INHERITED = (
    "year", "date", "month", "booktitle", "booksubtitle", "eventtitle", "publisher", "address", "location",
    "organization", "series", "journal", "journaltitle", "institution", "school", "howpublished", "venue",
)
_KIND_NOTES = {"dataset": "dataset", "benchmark": "benchmark"}
_URL_IN_TEXT = re.compile(r"\\(?:url|href)\s*\{([^{}\s]+)\}")
_BARE_URL = re.compile(r"^https?://\S+$")
_ISBN_RE = re.compile(r"^(97[89])?\d{9}[\dX]$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\s*$")
MIN_YEAR, MAX_YEAR = 1000, 2100


class _BadName(Exception):
    """An author name the name splitter refuses (a trailing comma, too many commas)."""


class MacroError(Exception):
    """A value names an @string macro that no file defines."""


@dataclass
class _Raw:
    """One entry's fields (lower-case names, raw BibTeX values) and where it was read."""

    key: str
    type: str
    fields: dict[str, str]
    where: str
    source_name: str
    line: int
    inherited: list[str] = field(default_factory=list)


# --- values -----------------------------------------------------------------------------------------------------


def _split_concat(raw: str) -> list[str]:
    """The top-level parts of a value joined with '#': '"a" # b # {c}' -> ['"a"', 'b', '{c}']."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or raw[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def resolve_value(raw: str, macros: dict[str, str]) -> str:
    """A raw BibTeX value as its text: each '#' part unquoted, unbraced, or looked up as a macro (any case)."""
    out = []
    for part in _split_concat(raw.strip()):
        if not part:
            continue
        if (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"' and len(part) > 1):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        else:
            name = part.lower()
            if name in macros:
                out.append(macros[name])
            elif name in DEFAULT_MACROS:
                out.append(DEFAULT_MACROS[name])
            else:
                raise MacroError(part)
    return "".join(out)


# --- reading ----------------------------------------------------------------------------------------------------


def _quiet_parse(text: str) -> Any:
    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.CRITICAL)  # each broken block is reported here, once, as an entry
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        log.setLevel(level)


def _display_name(source_name: str) -> str:
    """The file's name as provenance may record it: never a local absolute path."""
    p = PurePath(source_name)
    return p.name if p.is_absolute() else source_name


def parse_bibtex(text: str, source_name: str, *, kind: str = "paper") -> list[Entry]:
    """Every entry of one BibTeX text as an Entry (see parse_bibtex_files)."""
    return parse_bibtex_files([(text, source_name)], kind=kind)


def parse_bibtex_files(files: list[tuple[str, str]], *, kind: str = "paper") -> list[Entry]:
    """Every entry of one or more BibTeX texts (read as one bibliography: macros and crossref parents may sit in
    any of them) as an Entry: usable ones carry record data, the others the reason. @string, @preamble and
    @comment are not entries; @proceedings and other parent volumes are reported as such and not imported."""
    macros: dict[str, str] = {}
    raws: list[_Raw] = []
    broken: list[Entry] = []
    for text, name in files:
        library = _quiet_parse(text)
        lines = text.count("\n") + 1
        for block in sorted(library.blocks, key=lambda b: b.start_line if b.start_line is not None else lines):
            line = (block.start_line or 0) + 1
            where = f"{name}:{line}"
            if isinstance(block, BibString):
                try:
                    macros[block.key.lower()] = resolve_value(str(block.value), macros)
                except MacroError as e:
                    broken.append(Entry(where, None, reason=f"@string {block.key} uses the undefined macro "
                                        f"'{e}'; define it first"))
            elif isinstance(block, BibEntry):
                fields: dict[str, str] = {}
                for f in block.fields:
                    fields.setdefault(f.key.lower(), str(f.value))  # field names in any case; the first wins
                raws.append(_Raw(block.key, block.entry_type.lower(), fields, f"{where} ({block.key})", name, line))
            elif isinstance(block, DuplicateBlockKeyBlock):
                broken.append(Entry(where, None, reason=f"the key '{block.key}' is used by an earlier entry; give "
                                    "this entry its own key"))
            elif isinstance(block, ParsingFailedBlock):
                broken.append(Entry(where, None, reason=_failure_reason(block)))
    by_key = {r.key.lower(): r for r in raws}
    children: dict[str, int] = {}
    for r in raws:
        for parent in _parents(r):
            children[parent.lower()] = children.get(parent.lower(), 0) + 1
    entries = list(broken)
    for r in raws:
        if r.type in CONTAINER_TYPES or (r.type in ("book", "mvbook") and children.get(r.key.lower())
                                         and _is_proceedings_volume(r, macros)):
            n = children.get(r.key.lower(), 0)
            used = f"; {n} entr{'y takes' if n == 1 else 'ies take'} its fields" if n else ""
            entries.append(Entry(r.where, None, outcome=NOT_A_WORK,
                                 reason=f"a @{r.type} entry (a volume that holds works, not a work){used}; "
                                 "not imported"))
            continue
        entries.append(_entry(r, by_key, macros, kind))
    entries.sort(key=lambda e: _order(e.source, [n for _, n in files]))
    return entries


def _is_proceedings_volume(r: _Raw, macros: dict[str, str]) -> bool:
    """A @book that other entries crossref and whose title says it is a volume of proceedings (DBLP and many lab
    bibliographies write conference volumes so)."""
    text = " ".join(r.fields.get(k, "") for k in ("title", "booktitle")).lower()
    for k in ("title", "booktitle"):
        try:
            text += " " + resolve_value(r.fields.get(k, ""), macros).lower()
        except MacroError:
            pass
    return "proceedings" in text or "conference" in text or "workshop" in text


def _order(source: str, names: list[str]) -> tuple[int, int]:
    for i, n in enumerate(names):
        if source.startswith(n + ":"):
            m = re.match(r"(\d+)", source[len(n) + 1 :])
            return i, int(m.group(1)) if m else 0
    return len(names), 0


def _parents(r: _Raw) -> list[str]:
    out = []
    for name in ("crossref", "xdata"):
        raw = r.fields.get(name)
        if raw:
            text = raw.strip().strip("{}\"")
            out += [k.strip() for k in text.split(",") if k.strip()]
    return out


def _failure_reason(block: Any) -> str:
    name = type(block).__name__
    err = getattr(block, "error", None)
    raw = (getattr(block, "raw", "") or "").strip().splitlines()
    head = raw[0][:60] if raw else ""
    if name == "DuplicateFieldKeyBlock":
        return f"a field appears twice in '{head}': keep one ({err})"
    detail = (
        (getattr(err, "abort_reason", None) or str(err) or type(err).__name__).strip()
        if err
        else "cannot parse"
    )
    return f"not valid BibTeX in '{head}': {detail}; check braces, commas and quotes"


def _inherit(r: _Raw, by_key: dict[str, _Raw], seen: frozenset[str] = frozenset()) -> tuple[dict[str, str], list]:
    """The entry's fields with its crossref/xdata parents' fields added (recursively), and the parents used."""
    fields = dict(r.fields)
    used: list[_Raw] = []
    missing: list[str] = []
    for key in _parents(r):
        parent = by_key.get(key.lower())
        if parent is None:
            missing.append(key)
            continue
        if parent.key.lower() in seen or parent is r:
            continue
        pfields, pused, pmissing = _inherit_full(parent, by_key, seen | {r.key.lower()})
        used += [parent, *pused]
        missing += pmissing
        for name in INHERITED:
            if name in pfields and name not in fields:
                fields[name] = pfields[name]
        # biblatex: a parent volume's title is the child's booktitle
        if "title" in pfields and "booktitle" not in fields and parent.type in CONTAINER_TYPES | {"book", "mvbook"}:
            fields["booktitle"] = pfields["title"]
    fields.pop("crossref", None)
    fields.pop("xdata", None)
    return fields, (used, missing)


def _inherit_full(r: _Raw, by_key: dict[str, _Raw], seen: frozenset[str]) -> tuple[dict[str, str], list, list]:
    fields, (used, missing) = _inherit(r, by_key, seen)
    return fields, used, missing


# --- one entry --------------------------------------------------------------------------------------------------


def _entry(r: _Raw, by_key: dict[str, _Raw], macros: dict[str, str], default_kind: str) -> Entry:
    fields_raw, (parents, missing) = _inherit(r, by_key)
    values: dict[str, str] = {}
    dropped: list[str] = []
    for name, raw in fields_raw.items():
        try:
            values[name] = resolve_value(raw, macros)
        except MacroError as e:
            if name in ("title", "author", "year"):
                return Entry(r.where, None, reason=f"its {name} uses the @string macro '{e}' that no file given "
                             "defines; import the file that defines it too (aligncat import bibtex macros.bib "
                             f"{_display_name(r.source_name)})")
            dropped.append(f"{name} (undefined macro '{e}')")
    problems = []
    title = latex_to_text(values.get("title", ""))
    if not values.get("title", "").strip():
        problems.append("no title")
    elif not title:
        commands = re.findall(r"\\[A-Za-z]+", values["title"])
        problems.append("the title is empty once its LaTeX is decoded"
                        + (f" (it is made of the command {', '.join(dict.fromkeys(commands))}, defined outside the "
                           "bibliography: write the title out)" if commands else ""))
    year, date = _year_and_date(values)
    if year is None:
        got = values.get("year") or values.get("date")
        problems.append(f"no four-digit year (got {got!r})" if got else "no year")
        if missing:
            problems[-1] += f" (its crossref parent '{missing[0]}' is not in the files given)"
    elif not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(f"the year {year} is not plausible (between {MIN_YEAR} and {MAX_YEAR})")
    if problems:
        return Entry(r.where, None, reason=" and ".join(problems) + "; fix the entry and import again")

    etype = r.type
    note = latex_to_text(values.get("note", "")).strip().lower()
    kind = _KIND_NOTES.get(note, "dataset" if etype == "dataset" else default_kind)
    data: dict[str, Any] = {"id": r.key.lower(), "kind": kind, "title": title}
    try:
        authors, truncated = _authors(values.get("author", ""))
        if not authors and values.get("editor") and etype in ("book", "mvbook", "collection"):
            authors, truncated = _authors(values["editor"])
            edited = bool(authors)
        else:
            edited = False
    except _BadName as e:
        return Entry(r.where, None, reason=f"{e}; fix the entry and import again")
    if authors:
        data["authors"] = authors
    if truncated:
        data["authors_truncated"] = True
    data["year"] = year
    if date:
        data["date"] = date

    identifiers, links = _ids_and_links(values)
    venue_type, venue_field = ENTRY_VENUES.get(etype, (None, "howpublished"))
    raw_venue = values.get(venue_field, "") if venue_field else ""
    if etype == "article" and not raw_venue:
        raw_venue = values.get("journaltitle", "")
    venue_text = latex_to_text(_URL_IN_TEXT.sub("", raw_venue)).strip()
    if _BARE_URL.match(venue_text) or venue_text.lower().startswith(("http://", "https://", "www.")):
        venue_text = ""  # a URL is a link, never a venue
    notes: list[str] = []
    venue, venue_type, shortened = short_venue(venue_text, venue_type, year, arxiv="arxiv" in identifiers)
    if not venue and etype in ("misc", "unpublished", "article") and "arxiv" in identifiers:
        venue, venue_type = "arXiv", "preprint"
    if venue:
        data["venue"] = venue
        if shortened:
            notes.append(f"venue shortened from '{venue_text}'")
    if venue_type and (venue or venue_type in ("website", "software")):
        data["venue_type"] = venue_type
    if identifiers:
        data["identifiers"] = identifiers
    if links:
        data["links"] = links
    data["added"] = today()
    file_name = _display_name(r.source_name)
    source = f"BibTeX entry '{r.key}' in {file_name} (line {r.line})"
    if parents:
        source += " and its crossref parent " + ", ".join(f"'{p.key}'" for p in parents)
    data["provenance"] = [
        {
            "fields": [
                k for k in ("title", "authors", "year", "date", "venue", "identifiers", "links") if k in data
            ],
            "source": source,
        }
    ]
    if edited:
        notes.append("the authors are the book's editors (the entry names no author)")
    if truncated:
        notes.append("the entry lists only the first authors ('and others'); add the others from the work")
    if dropped:
        notes.append("left out: " + "; ".join(dropped))
    if notes:
        data["notes"] = notes
    return Entry(r.where, data)


def _year_and_date(values: dict[str, str]) -> tuple[int | None, str | None]:
    year = None
    y = latex_to_text(values.get("year", "")) if values.get("year") else ""
    m = _YEAR_RE.match(y)
    if m:
        year = int(m.group(1))
    d = _DATE_RE.match(values.get("date", "")) if values.get("date") else None
    if d and year is None:
        year = int(d.group(1))
    if year is None:
        return None, None
    if d and int(d.group(1)) == year:
        month, day = d.group(2), d.group(3)
        if month and 1 <= int(month) <= 12:
            return year, f"{year}-{month}" + (f"-{day}" if day and 1 <= int(day) <= 31 else "")
    mon = _month(values.get("month"))
    return year, (f"{year}-{mon:02d}" if mon else None)


def _month(value: str | None) -> int | None:
    if not value:
        return None
    text = latex_to_text(str(value)).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text[:3])


def _authors(raw: str) -> tuple[list[dict[str, str]], bool]:
    """The people of an author field, and whether the list was cut short with 'and others'."""
    if not raw.strip():
        return [], False
    out, truncated = [], False
    try:
        names = split_multiple_persons_names(" ".join(raw.split()))
    except Exception:  # noqa: BLE001  (unbalanced braces: treat the text as one name)
        names = [raw]
    for name in names:
        if name.strip().lower() in ("others", "et al", "et al.", "{others}"):
            truncated = True
            continue
        person = _person(name)
        if person:
            out.append(person)
    return out, truncated


def _person(name: str) -> dict[str, str] | None:
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
        text = latex_to_text(stripped)
        return {"literal": text} if text else None
    try:
        parts = parse_single_name_into_parts(stripped)
    except Exception as e:  # noqa: BLE001  (a name bibtexparser cannot split: the entry is reported)
        raise _BadName(f"the author '{stripped}' cannot be read ({e}); write it 'Family, Given'") from None
    first = " ".join(parts.first)
    von = " ".join(parts.von)
    last = " ".join(parts.last)
    jr = " ".join(parts.jr)
    family = latex_to_text(" ".join(x for x in (von, last) if x))
    if jr:
        family = f"{family}, {latex_to_text(jr)}"
    given = latex_to_text(first) if first else ""
    if not family:
        return {"literal": given} if given else None
    out = {"family": family}
    if given:
        out["given"] = given
    return out


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _urls(values: dict[str, str]) -> list[str]:
    """Every address the entry gives for itself: url, ee (DBLP), \\url{...} or \\href{...} in howpublished/note."""
    found = []
    for name in ("url", "ee", "pdf"):
        v = values.get(name, "").strip()
        for part in re.split(r"\s+", _URL_IN_TEXT.sub(lambda m: m.group(1), v)):
            if _BARE_URL.match(part):
                found.append(part)
    for name in ("howpublished", "note"):
        found += _URL_IN_TEXT.findall(values.get(name, ""))
        v = values.get(name, "").strip()
        if _BARE_URL.match(v):
            found.append(v)
    return list(dict.fromkeys(u.replace("\\_", "_").replace("\\%", "%").replace("\\&", "&") for u in found))


def _ids_and_links(values: dict[str, str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    ids: dict[str, str] = {}
    eprint = values.get("eprint", "").strip()
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "").strip().lower()
    if eprint and (prefix in ("arxiv", "") or "arxiv" in eprint.lower()):
        a = normalise_arxiv(eprint if prefix != "arxiv" or ":" in eprint else f"arXiv:{eprint}")
        if a:
            ids["arxiv"] = a
    doi = normalise_doi(values.get("doi"), in_text=False)
    if doi:
        a = normalise_arxiv(doi)
        if a:
            ids.setdefault("arxiv", a)
        elif re.match(r"^10\.[0-9]{4,9}/[!-~]+$", doi):
            ids["doi"] = doi
    urls = _urls(values)
    for u in urls:
        for scheme, value in ids_from_url(u).items():
            if scheme == "doi" and "doi" in ids:
                continue
            ids.setdefault(scheme, value)
    if "arxiv" not in ids:  # 'arXiv preprint arXiv:2203.02155' in journal / howpublished / note / volume
        for name in ("journal", "journaltitle", "howpublished", "note", "volume", "booktitle"):
            a = normalise_arxiv(values.get(name)) if "arxiv" in values.get(name, "").lower() else None
            if a:
                ids["arxiv"] = a
                break
        else:  # DBLP writes CoRR papers as journal = {CoRR}, volume = {abs/2203.02155}
            vol = values.get("volume", "")
            m = re.match(r"^abs/(\d{4}\.\d{4,5})$", vol.strip())
            if m and values.get("journal", "").strip().lower() in ("corr", "arxiv"):
                ids["arxiv"] = m.group(1)
    isbn = re.sub(r"[^0-9Xx]", "", values.get("isbn", "").split(",")[0]).upper()
    if isbn and _ISBN_RE.match(isbn):
        ids["isbn"] = isbn
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for u in urls:
        clean = strip_tracking(u)
        if clean in seen or not re.match(r"^https?://[^\s/$.?#][^\s]*$", clean):
            continue
        seen.add(clean)
        links.append({"type": "pdf" if clean.lower().endswith(".pdf") else "paper", "url": clean})
    return ids, links
