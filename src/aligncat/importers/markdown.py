"""Import stage, awesome-list Markdown: list items, entry paragraphs and table rows become records.

Real lists write an entry in many ways: a linked or bold title, a plain title followed by `[[Paper]](url)` links,
authors in italics, after `<br>` or on a sub-bullet, the year in the line, in the venue, in an arXiv id or in the
nearest year heading, tables with title/authors/venue/year/link columns. `read_markdown` reads them all and
accounts for every list item and table row that holds a link: an entry (a `ListItem`) or a `Skipped` line saying
why it is not one (a table-of-contents link, a news line, a licence or contributors section).

Over 500 lines because the ways real lists write an entry are many and each needs its own reader (list items,
entry paragraphs, tables by header, year headings), tested in tests/test_import_markdown.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..checks import strip_tracking
from ..identity import identity_keys
from ..model import Taxonomy
from .common import SKIPPED, UNUSABLE, Entry, normalise_title, today

_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_ITEM_RE = re.compile(r"^(\s*)(?:\d+[.)]|[-*+])(\s+)(.*)$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# [text](url) with one level of nested brackets in the text and of parentheses in the URL
_LINK_RE = re.compile(
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]{0,300}\]){0,600})\]\(\s*<?((?:[^\s()<>]|\([^\s()]{0,300}\)){1,2000})>?"
    r"(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
)
_BARE_URL_RE = re.compile(r"(?<![(\[<\"'=])\bhttps?://[^\s<>()\]\[|\"']+[^\s<>()\]\[|\"'.,;:]")
_IMAGE_RE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)|<img\b[^>\n]{0,600}>", re.I)
_BADGE_LINK_RE = re.compile(
    r"\[\s*(?:!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)|<img\b[^>\n]{0,600}>)\s*\]\([^)\n]{0,2000}\)", re.I
)
_SHIELD_RE = re.compile(r"img\.shields\.io/badge/([^\s\"')?]+)", re.I)
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC_RE = re.compile(r"(?<![*\w])\*(?!\*)([^*]+?)\*(?![*\w])|(?<![_\w])_(?!_)([^_]+?)_(?![_\w])")
_YEAR_RE = re.compile(r"(?<![\d./-])(1[89]\d\d|20\d\d)(?![\d])")
_TAG_RE = re.compile(r"</?(?:u|b|i|em|strong|sup|sub|span|font|p|div|a|center)\b[^>]*>", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_NEWS_RE = re.compile(r"^\W{0,3}\[?\s*(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\s*\]?")
_DATE_PREFIX_RE = re.compile(r"^\s*[(\[]\s*(\d{4})(?:[-/.]\d{1,2})?\s*[)\]]\s*")
_MONTH_DATE_RE = re.compile(
    r"\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+((?:19|20)\d\d)\b"
)
_LABEL_RE = re.compile(r"^\s*([A-Za-z][A-Za-z /&-]{0,24}?)\s*[:：]\s*(.*)$")
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "la",
    "le",
    "di",
    "da",
    "du",
    "dos",
    "des",
    "del",
    "bin",
    "al",
    "el",
    "ten",
    "ter",
    "y",
}
_ORG_WORDS = re.compile(
    r"\b(?:team|lab|labs|group|inc|ltd|university|institute|openai|deepmind|anthropic|google|meta|"
    r"microsoft|research|foundation|workshop|community|contributors|corporation|ai2)\b",
    re.I,
)
_GENERIC_LABELS = {
    "paper",
    "pdf",
    "arxiv",
    "code",
    "github",
    "link",
    "url",
    "project",
    "website",
    "homepage",
    "data",
    "dataset",
    "blog",
    "demo",
    "video",
    "slides",
    "page",
    "source",
    "here",
    "official",
    "model",
    "models",
    "checkpoint",
    "huggingface",
    "hf",
    "leaderboard",
    "docs",
    "repo",
    "web",
}

# Sections that hold no entries: their linked items are reported as 'not an entry' with the section's name.
_NON_ENTRY_SECTIONS = re.compile(
    r"^(?:table of contents|contents|toc|news|updates?|latest news|what'?s new|changelog|change log|"
    r"news and updates|licen[cs]e|contributing|contribution|contributors?|acknowledge?ments?|thanks|"
    r"star history|citation|cite|how to cite|contact|maintainers?|sponsors?|other languages?|"
    r"other language support)\b",
    re.I,
)

# Link labels seen in awesome lists, mapped onto the record's link types.
LINK_TYPES = {
    "paper": "paper",
    "pdf": "pdf",
    "arxiv": "paper",
    "openreview": "paper",
    "acl": "paper",
    "code": "code",
    "github": "code",
    "official": "code",
    "repo": "code",
    "source": "code",
    "data": "data",
    "dataset": "data",
    "datasets": "data",
    "hf dataset": "data",
    "project": "project",
    "project page": "project",
    "homepage": "project",
    "website": "project",
    "page": "project",
    "web": "project",
    "checkpoint": "checkpoint",
    "model": "model",
    "models": "model",
    "huggingface": "model",
    "weights": "checkpoint",
    "blog": "blog",
    "leaderboard": "leaderboard",
    "demo": "demo",
    "docs": "documentation",
    "documentation": "documentation",
    "video": "video",
    "slides": "other",
    "url": "other",
    "link": "other",
}
# Sub-bullet labels (opendilab style) and what they hold.
_VENUE_LABELS = {
    "publisher",
    "venue",
    "conference",
    "journal",
    "published",
    "published in",
    "publication",
    "in",
}
_AUTHOR_LABELS = {"author", "authors", "by"}
_KEYWORD_LABELS = {"keyword", "keywords", "key words", "tags", "tag", "topics"}
_LINK_LABELS = {
    "code",
    "github",
    "repo",
    "paper",
    "pdf",
    "project",
    "homepage",
    "website",
    "blog",
    "demo",
    "model",
    "checkpoint",
    "video",
    "leaderboard",
    "docs",
    "documentation",
}
_IGNORED_LABELS = {
    "dataset",
    "datasets",
    "data",
    "env",
    "envs",
    "environment",
    "task",
    "tasks",
    "benchmark",
    "benchmarks",
    "note",
    "notes",
    "tldr",
    "summary",
    "abstract",
    "institution",
    "affiliation",
    "organization",
    "method",
    "model size",
    "size",
    "license",
    "language",
    "type",
}
_PREPRINT_VENUES = {
    "arxiv",
    "corr",
    "preprint",
    "arxiv preprint",
    "biorxiv",
    "ssrn",
    "openreview",
    "techrxiv",
}


@dataclass
class ListItem:
    """One entry as the list gives it (before it becomes a record)."""

    line: int
    heading: str | None
    title: str
    authors: str | None
    venue: str | None
    year: int | None
    links: list[tuple[str, str]]
    year_source: str = ""
    short_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    kind: str | None = None
    end_line: int | None = None
    year_conflict: str = ""  # the entry's year and its link's identifier disagree (see _choose_year)
    doubtful_id: str | None = None  # 'arxiv:1506.06724': an identifier not to record, for that reason


@dataclass
class Skipped:
    """A list item or table row with a link that is not an entry, and why; or an entry with no usable title."""

    line: int
    reason: str
    end_line: int | None = None
    unusable: bool = False  # True: looks like an entry but cannot become one (reported as unusable)


# --- small text helpers -----------------------------------------------------------------------------------------


def _heading_text(text: str) -> str:
    """A heading's text without an optional closing run of '#' (CommonMark: preceded by a space, as in 'C#' not)."""
    text = text.rstrip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1].isspace()):
        text = bare.rstrip()
    return text


def _strip_md(text: str) -> str:
    text = _IMAGE_RE.sub(" ", text)
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    text = _TAG_RE.sub("", text)
    text = re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", "", text)
    text = re.sub(r"\\(?=[^\w\s])", "", text)  # Markdown escapes: \_ \* \[
    return re.sub(r"\s+", " ", text).strip(" .,:;-–—\\")


def _clean_title(text: str) -> str:
    t = _strip_md(text).strip(" .,:;")
    # quotes around the whole title go; a quoted word at its start or end stays ('“Misusing” Large Language …')
    while len(t) > 1 and t[0] in "\"“'‘「" and t[-1] in "\"”'’」":
        inner = t[1:-1]
        # strip the pair only when what is inside is balanced: '""Going on a vacation" takes … Understanding"'
        if inner.count('"') % 2 or inner.count("“") != inner.count("”"):
            break
        t = inner.strip(" .,:;")
    if t.count('"') == 1 or (t.count("“") + t.count("”")) == 1:
        t = t.strip('"“”')
    return re.sub(r"\s+", " ", t).strip(" .,:;")


def _label(text: str) -> str:
    """A link's text as a lower-case label: '[Paper]' and '**Code**' give 'paper' and 'code'."""
    return _clean_title(text).strip("[]() ").lower()


def _is_anchor(url: str) -> bool:
    return url.startswith("#") or url.lower().startswith(("mailto:", "javascript:"))


def arxiv_of(url: str) -> str | None:
    """The arXiv id a URL names: arxiv.org abs/pdf/html (any version), the arXiv DOI, Hugging Face paper pages."""
    u = unquote(url)
    m = re.search(
        r"(?:arxiv\.org/(?:abs|pdf|html|format)/|huggingface\.co/papers/|alphaxiv\.org/abs/|"
        r"10\.48550/arxiv\.|ar5iv(?:\.labs\.arxiv)?\.org/(?:abs|html)/)"
        r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
        u,
        re.I,
    )
    return m.group(1) if m else None


def identifiers_of(url: str) -> dict[str, str]:
    """Persistent identifiers a paper link carries: arXiv, DOI, ACL Anthology, OpenReview."""
    out: dict[str, str] = {}
    a = arxiv_of(url)
    if a:
        out["arxiv"] = a
        return out
    m = re.search(r"(?:doi\.org/|dl\.acm\.org/doi/(?:abs/|pdf/|full/)?)(10\.\d{4,9}/[^\s?#]+)", url, re.I)
    if m:
        doi = unquote(m.group(1)).rstrip("/.")
        if re.fullmatch(r"10\.[0-9]{4,9}/[!-~]+", doi):
            out["doi"] = doi
    m = re.search(r"aclanthology\.org/([A-Z]\d{2}-\d{4}|\d{4}\.[a-z0-9\-]+\.\d+)(?:\.pdf|/)?", url)
    if m:
        out["acl"] = m.group(1)
    m = re.search(r"openreview\.net/(?:forum|pdf)\?id=([A-Za-z0-9_\-]+)", url)
    if m:
        out["openreview"] = m.group(1)
    return out


def year_of_identifier(scheme: str, value: str) -> int | None:
    """The year an identifier encodes: arXiv 2311.01234 is November 2023; ACL P19-1001 and 2022.acl-long.1."""
    if scheme == "arxiv":
        m = re.fullmatch(r"(\d\d)(\d\d)\.\d{4,5}", value)
        if m:
            yy, mm = int(m.group(1)), int(m.group(2))
            if 7 <= yy <= 99 and 1 <= mm <= 12 and not (yy == 7 and mm < 4):
                return 2000 + yy
            return None
        m = re.search(r"/(\d\d)(\d\d)\d{3}$", value)
        if m:
            yy = int(m.group(1))
            return 1900 + yy if yy >= 91 else 2000 + yy
    if scheme == "acl":
        m = re.fullmatch(r"(\d{4})\..+", value)
        if m:
            return int(m.group(1))
        m = re.fullmatch(r"[A-Z](\d\d)-\d{4}", value)
        if m:
            yy = int(m.group(1))
            return 1900 + yy if yy >= 50 else 2000 + yy
    return None


def _heading_year(heading: str) -> int | None:
    """A heading that names one year ('2024', 'Year 2024', '2024 papers'); not a range ('2020 and before')."""
    t = _strip_md(heading).lower()
    m = re.fullmatch(r"(?:year\s+|in\s+)?((?:19|20)\d\d)(?:\s+(?:papers?|works?|publications?))?", t)
    return int(m.group(1)) if m else None


def _looks_like_names(text: str) -> bool:
    """True for 'A. Author, B. Author and C. Author', 'Ouyang et al.', 'Ethayarajh, Kawin and Zhang, Heidi'."""
    t = re.sub(r"\bet\s*al\b\.?", "", text).strip(" ,.;")
    if not t or len(t) > 3000 or re.search(r"https?://|\d{3,}|[\[\]()|]", t):
        return False
    parts = [p.strip() for p in re.split(r",|;|\s+and\s+|\s*&\s*|，|、", t) if p.strip()]
    if not parts:
        return False
    good = 0
    for p in parts:
        words = p.replace(".", ". ").split()
        if not 1 <= len(words) <= 6:
            return False
        if all(
            w[0].isupper() or w.lower() in _PARTICLES or not w[0].isascii() or w[0] in "'’" for w in words
        ):
            good += 1
    return good >= max(1, (len(parts) * 3 + 3) // 4)


def _venue_year(text: str) -> tuple[str | None, int | None]:
    """'arXiv 2023.', 'ACL 2023 (Findings)', 'ICLR, 2024', 'Front. Artif. Intell. 2023' -> (venue, year)."""
    t = _strip_md(text)
    t = re.sub(r"^(?:et\s*al\.?\s*)", "", t.strip(" .,;:-–—")).strip()
    m = re.search(
        r"(?:^|(?<=[\s(,.;]))([A-Za-z][\w.&'’/+\- ]{0,70}?(?:\s*\([A-Za-z][\w &-]{1,30}\))?)?[\s,'’(-]{0,6}"
        r"\b(1[89]\d\d|20\d\d)\b\)?"
        r"(?:\s*(\((?:[A-Za-z][\w &-]{1,30})\)))?",
        t,
    )
    if not m:
        return None, None
    year = int(m.group(2))
    venue = (m.group(1) or "").strip(" ,.;:-'’(")
    venue = re.sub(r"^(?:in|In|proc\.?|Proceedings of( the)?)\s+", "", venue).strip()
    if m.group(3) and venue:
        venue = f"{venue} {m.group(3)}"
    if venue and (
        len(venue) < 2
        or not re.search(r"[A-Za-z]{2}", venue)
        or len(venue.split()) > 8
        or re.fullmatch(
            r"(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?", venue, re.I
        )
    ):
        venue = ""
    return venue or None, year


def _badge_hints(text: str) -> tuple[str | None, int | None, str | None]:
    """Shields badges: 'badge/EMNLP-2023-blue' gives a venue and year; 'badge/Dataset-blue' a kind."""
    venue = year = kind = None
    for raw in _SHIELD_RE.findall(text):
        parts = [unquote(p).replace("_", " ") for p in raw.split("-")]
        label = " ".join(p for p in parts[:-1] if p) if len(parts) > 1 else parts[0]
        low = label.lower()
        if "dataset" in low:
            kind = "dataset"
        elif "benchmark" in low:
            kind = "benchmark"
        m = re.fullmatch(r"([A-Za-z][\w &.]{1,30}?)\s+((?:19|20)\d\d)", label)
        if m:
            venue, year = m.group(1), int(m.group(2))
    return venue, year, kind


# --- one entry's text -> a ListItem ---------------------------------------------------------------------------


def _link_type(label: str, url: str) -> str:
    low = _label(label)
    t = LINK_TYPES.get(low)
    if t:
        return t
    for word, typ in LINK_TYPES.items():
        if re.search(rf"\b{re.escape(word)}\b", low):
            return typ
    return "other"


_PAPER_HOSTS = re.compile(
    r"(?:arxiv\.org|doi\.org|aclanthology\.org|aclweb\.org|openreview\.net|proceedings\.|papers\.nips\.cc|"
    r"neurips\.cc|mlr\.press|jmlr\.org|dl\.acm\.org|ieeexplore|springer|sciencedirect|nature\.com|science\.org|"
    r"aaai\.org|ijcai\.org|thecvf\.com|ecva\.net|semanticscholar\.org|researchgate\.net|ssrn\.com|"
    r"huggingface\.co/papers|alphaxiv|ar5iv|frontiersin\.org|plos|pnas\.org|wiley\.com|tandfonline|"
    r"mdpi\.com|biorxiv|medrxiv|pubmed|ncbi\.nlm|jstor|sagepub|cambridge\.org|oup\.com|iclr\.cc|"
    r"papers\.cfm|/abs/|/pdf/|\.pdf(?:$|[?#]))",
    re.I,
)


def _url_type(url: str) -> str:
    """The type of a title link, from where it points: only a paper page or PDF is 'paper' (an identity of the
    work); a project page or homepage that several versions of a work share is 'project'."""
    low = url.lower()
    if "github.com" in low or "gitlab.com" in low:
        return "code"
    if "huggingface.co/datasets" in low:
        return "data"
    if _PAPER_HOSTS.search(low):
        return "paper"
    if re.search(r"/blog/|medium\.com|substack\.com|notion\.site|lesswrong\.com|/posts?/", low):
        return "blog"
    if "huggingface.co/" in low:
        return "model"
    return "project"


def _split_title(head: str) -> tuple[str | None, str | None, str, str | None]:
    """(title, title url, the text after the title, short name) of an entry's first line; no title: (None, …)."""
    h = head.strip()
    short = None
    # 'NQ: **"Title"**' and '<u>T5</u>: **"Title"**': a short name before the title
    m = re.match(r"^([^*\"\[\]:]{1,40}?):\s+(?=\*\*|__|\"|“|\[)", h)
    if m and not re.search(r"https?://", m.group(1)):
        short = _strip_md(m.group(1)) or None
        h = h[m.end() :]
    # **Title**, **[Title](url)**, [**Title**](url), **"Title"**
    m = re.match(r"^\[\s*(\*\*|__)(.+?)\1\s*\]\(\s*<?((?:[^\s()<>]|\([^\s()]*\))+)>?\s*\)", h, re.S)
    if m:
        return _clean_title(m.group(2)), m.group(3), h[m.end() :], short
    m = re.match(r"^(\*\*|__)(.+?)\1", h, re.S)
    if m:
        inner = m.group(2)
        lk = _LINK_RE.search(inner)
        return _clean_title(inner), (lk.group(2) if lk else None), h[m.end() :], short
    m = re.match(r"^[\"“](.+?)[\"”]", h)
    if m:
        return _clean_title(m.group(1)), None, h[m.end() :], short
    m = _LINK_RE.match(h)
    if m:
        label = _clean_title(m.group(1))
        if label and _label(label) not in _GENERIC_LABELS:
            return label, m.group(2), h[m.end() :], short
        if short:  # '<u>CommonCrawl</u>: [[Source](url)]': the name is the title
            return short, None, h, None
        return None, None, h, short
    # a plain title: the text up to the first link, italic author list or '<br>'
    stop = len(h)
    for pat in (
        r"\s\[\[|\[\[|\s\[(?=[^\]]*\]\()|\[(?=[^\]]*\]\()",
        r"\(\s*https?://",
        r"https?://",
        r"(?<=[.,:])\s+[*_](?=[A-Z\w])",
        r"\s[*_](?=[A-Z][^*_]*[*_])",
        "\n",
    ):
        mm = re.search(pat, h)
        if mm and mm.start() < stop:
            stop = mm.start()
    title = _clean_title(h[:stop])
    if not title:
        return (short, None, h, None) if short else (None, None, h, None)
    # 'Name - a description' with the link after: the title is the whole plain part, kept as written
    return title, None, h[stop:], short


def parse_item(
    body: str,
    line: int,
    heading: str | None,
    children: list[str] | None = None,
    year_heading: int | None = None,
) -> ListItem | None:
    """One entry's text (its first line, continuation and sub-bullets) as a ListItem; None when it has no title."""
    children = children or []
    full = body
    b_venue, b_year, b_kind = _badge_hints(full)
    head = _BADGE_LINK_RE.sub(" ", body)
    head = _IMAGE_RE.sub(" ", head)
    head = _TAG_RE.sub("", head).strip()
    head = re.sub(r"^\\?[-–—•·]\s*", "", head)
    date_year = None
    m = _DATE_PREFIX_RE.match(head)
    if m:
        date_year = int(m.group(1))
        head = head[m.end() :]
    # '[OpenAI] [Title](url)': a bracketed source label before the title
    publisher = None
    m = re.match(r"^\[([^\]\[]{1,40})\]\s*(?=\[|\*\*)", head)
    if m and not re.match(r"\s*\(", head[m.end() :]):
        publisher = m.group(1).strip()
        head = head[m.end() :]
    parts = _BR_RE.split(head)
    first = parts[0].strip()
    title, title_url, rest, short = _split_title(first)
    rest = " ".join([rest] + [p for p in parts[1:]])
    if not title or len(title) < 2 or not re.search(r"\w", title):
        return None
    if title_url is None:
        # 'Most of the papers are credited to [RLHF papers](url).': prose around a named link, not an entry
        lk = _LINK_RE.search(rest)
        after = _strip_md(_LINK_RE.sub(" ", rest[lk.end() :])) if lk else ""
        if (
            lk
            and _label(lk.group(1)) not in _GENERIC_LABELS
            and len(title.split()) >= 3
            and not rest[: lk.start()].strip(" ([")
            and (
                len(after.split()) >= 2
                or re.search(
                    r"\b(?:is|are|was|were|please|refer|see|credited|thanks|we|our|you)\b", title, re.I
                )
            )
        ):
            raise _Prose
    if title_url and _is_anchor(title_url):
        return None
    # a short name in parentheses right after the title: '(InstructGPT)'
    m = re.match(r"^\s*[.,]?\s*\(([^()]{2,40})\)", rest)
    if m and not _YEAR_RE.fullmatch(m.group(1).strip()) and not _venue_year(m.group(1))[1]:
        short = short or _strip_md(m.group(1))
        rest = rest[m.end() :]
    links: list[tuple[str, str]] = []
    if title_url and not _is_anchor(title_url):
        links.append((_url_type(title_url), title_url))
    for label, url in _LINK_RE.findall(rest):
        if not _is_anchor(url):
            links.append((_link_type(label, url), url))
    for url in _BARE_URL_RE.findall(_LINK_RE.sub(" ", rest)):
        links.append(("paper" if not links else "other", url))
    if not links and not _BOLD_RE.search(first) and not re.match(r"^\s*[\"“]", first):
        return None  # a line of prose: no link and no bold or quoted title
    plain_rest = _LINK_RE.sub(" ", rest)
    plain_rest = _BARE_URL_RE.sub(" ", plain_rest)
    authors = None
    venue = None
    year = None
    # authors in italics ('*A. Author et al.*', '_A, B_'), possibly after 'by'
    for im in _ITALIC_RE.finditer(plain_rest):
        cand = (im.group(1) or im.group(2) or "").strip(" ,")
        if cand.endswith(".") and not cand.endswith("al."):
            cand = cand.rstrip(".")
        if _looks_like_names(cand):
            authors = cand
            after = plain_rest[im.end() :]
            venue, year = _venue_year(after)
            if year is None:
                venue, year = _venue_year(plain_rest[: im.start()])
            break
    if authors is None:
        text = _strip_md(plain_rest)
        text = re.sub(r"^(?:by\s+|[-–—:,]\s*)", "", text).strip()
        # 'A. Author, B. Author. Venue 2022' / 'A, B. arXiv, 2024.'
        m = re.match(r"^(.+?)\.\s+([A-Za-z][\w.&'’/+\- ]{0,60}?),?\s*\(?((?:19|20)\d\d)\)?\.?\s*$", text)
        if m and _looks_like_names(m.group(1)):
            authors, venue, year = m.group(1).strip(), m.group(2).strip(" ,.") or None, int(m.group(3))
        elif text and _looks_like_names(text) and ("," in text or " and " in text or "et al" in text):
            authors = text
        elif len(text.split()) > 8:
            # a description ('- A trend that starts from X (ACL 2022) ...'): a year inside it names another work;
            # only a closing 'Venue 2022.' is the entry's own
            m = re.search(
                r"(?:^|[.;]\s+)([A-Za-z][\w.&'’/+\- ]{0,40}?),?\s*\(?((?:19|20)\d\d)\)?\.?\s*$", text
            )
            if m and len(m.group(1).split()) <= 4:
                venue, year = m.group(1).strip(" ,.") or None, int(m.group(2))
        else:
            venue, year = _venue_year(plain_rest)
    keywords: list[str] = []
    for child in children:
        c = child.strip()
        c = re.sub(r"^(?:\d+[.)]|[-*+])\s+", "", c)
        lm = _LABEL_RE.match(_TAG_RE.sub("", c))
        label = lm.group(1).strip().lower() if lm else None
        value = lm.group(2) if lm else c
        if label in _KEYWORD_LABELS:
            keywords += [k for k in (_strip_md(x) for x in re.split(r"[,，;]", value)) if k]
        elif label in _VENUE_LABELS:
            v, y = _venue_year(value)
            venue = venue or v or (_strip_md(value) or None)
            year = year or y
        elif label in _AUTHOR_LABELS:
            authors = authors or _strip_md(value) or None
        elif label in _LINK_LABELS:
            for _label_text, url in _LINK_RE.findall(value):
                if not _is_anchor(url):
                    links.append((LINK_TYPES.get(label, "other"), url))
            for url in _BARE_URL_RE.findall(_LINK_RE.sub(" ", value)):
                links.append((LINK_TYPES.get(label, "other"), url))
        elif label in _IGNORED_LABELS or label:
            continue
        else:
            text = _strip_md(value)
            text = re.sub(r"^by\s+", "", text)
            m = re.match(r"^(.+?)\.\s+([A-Za-z][\w.&'’/+\- ]{0,60}?),?\s*\(?((?:19|20)\d\d)\)?\.?\s*$", text)
            if authors is None and m and _looks_like_names(m.group(1)):
                authors = m.group(1).strip()
                venue = venue or (m.group(2).strip(" ,.") or None)
                year = year or int(m.group(3))
            elif authors is None and _looks_like_names(text):
                authors = text
            else:
                v, y = _venue_year(text)
                if y and len(text) < 80:
                    venue, year = venue or v, year or y
    if not venue and b_venue:
        venue = b_venue
    if not venue and publisher:
        venue = publisher
    # the venue keeps its own year ('ICLR 2021' for a paper first on arXiv in 2020)
    if venue and (year or b_year) and not _YEAR_RE.search(venue) and venue.lower() not in _PREPRINT_VENUES:
        venue = f"{venue} {year or b_year}"
    # The year: an identifier in the paper's own link first (the first public release), then the line, then the
    # date before the title, then a date line ('20 Jun 2023'), then the nearest year heading.
    line_year = year or b_year
    if line_year is None:
        md = _MONTH_DATE_RE.search(plain_rest)
        if md:
            line_year = int(md.group(1))
    year, source, conflict, doubtful = _choose_year(
        links,
        line_year,
        "the entry",
        [(date_year, "the date before the title"), (year_heading, f"the heading '{year_heading}'")],
    )
    return ListItem(
        line,
        heading,
        title,
        authors,
        venue,
        year,
        links,
        source,
        short,
        keywords,
        b_kind,
        year_conflict=conflict,
        doubtful_id=doubtful,
    )


def _choose_year(
    links: list[tuple[str, str]],
    line_year: int | None,
    line_source: str,
    fallbacks: list[tuple[int | None, str]],
) -> tuple[int | None, str, str, str | None]:
    """(year, where it came from, a conflict note or '', the identifier to distrust) for one entry.

    The paper link's identifier gives the first public release (arXiv 2311. is 2023) when it agrees with the year
    the entry states (at most two years before it, or one after: lists often give the year a work was announced);
    when the two disagree more, the link may point to
    another paper: the entry's own year is kept, the identifier is not recorded, and a note says so.
    """
    for typ, url in links:
        if typ not in ("paper", "pdf", "other"):
            continue
        for scheme, value in identifiers_of(url).items():
            y = year_of_identifier(scheme, value)
            if not y:
                continue
            if line_year is None or -1 <= line_year - y <= 2:
                return y, f"{scheme} id {value}", "", None
            note = (
                f"the entry says {line_year} but its link's {scheme} id {value} is from {y}: one of the two is "
                f"wrong; the year {line_year} was kept and the id left out"
            )
            return line_year, line_source, note, f"{scheme}:{value}"
    if line_year:
        return line_year, line_source, "", None
    for y, where in fallbacks:
        if y:
            return y, where, "", None
    return None, "", "", None


# --- the document walk ----------------------------------------------------------------------------------------


def _indent(s: str) -> int:
    e = s.expandtabs(4)
    return len(e) - len(e.lstrip(" "))


def _has_link(text: str) -> bool:
    return bool(_LINK_RE.search(text) or _BARE_URL_RE.search(text))


def _only_anchor_links(text: str) -> bool:
    urls = [u for _, u in _LINK_RE.findall(text)] + _BARE_URL_RE.findall(_LINK_RE.sub(" ", text))
    return bool(urls) and all(_is_anchor(u) for u in urls)


def _only_badges(text: str) -> bool:
    rest = _BADGE_LINK_RE.sub(" ", text)
    rest = _IMAGE_RE.sub(" ", rest)
    return not _has_link(rest) and bool(_SHIELD_RE.search(text) or _IMAGE_RE.search(text))


def _split_cells(row: str) -> list[str]:
    s = row.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, depth = [], "", 0
    for ch in s:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(0, depth - 1)
        if ch == "|" and depth == 0 and not cur.endswith("\\"):
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
    cells.append(cur.strip())
    return cells


_COLUMNS = {
    "title": (
        "title",
        "paper title",
        "paper",
        "papers",
        "name",
        "work",
        "article",
        "benchmark",
        "dataset",
        "model",
        "method",
        "tool",
        "project",
        "resource",
        "publication",
        "platform",
        "leaderboard",
        "framework",
        "library",
        "corpus",
        "task",
    ),
    "authors": ("authors", "author", "by", "people"),
    "venue": ("venue", "conference", "conf", "journal", "published", "publisher", "source", "pub", "where"),
    "year": ("year", "date", "time", "release", "release date", "published date", "publish date", "pub date"),
    "link": (
        "link",
        "links",
        "url",
        "paper link",
        "code",
        "github",
        "repo",
        "website",
        "homepage",
        "pdf",
        "project",
        "resources",
        "source",
    ),
}


def _table_columns(header: list[str]) -> dict[str, int]:
    names = [_strip_md(h).lower().strip() for h in header]
    cols: dict[str, int] = {}
    for role in ("title", "authors", "venue", "year", "link"):
        for i, n in enumerate(names):
            if i in cols.values():
                continue
            if n in _COLUMNS[role] or any(
                n.startswith(w + " ") or n.endswith(" " + w) for w in _COLUMNS[role]
            ):
                cols[role] = i
                break
    return cols


def _table_row_item(
    cells: list[str],
    cols: dict[str, int],
    header: list[str],
    line: int,
    heading: str | None,
    year_heading: int | None,
) -> ListItem | Skipped | None:
    def cell(role: str) -> str:
        i = cols.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    row = " | ".join(cells)
    if not _has_link(row):
        return None
    if _only_anchor_links(row):
        return Skipped(line, "table-of-contents link")
    links: list[tuple[str, str]] = []
    title_cell = cell("title")
    # '| OpenLLM [[Link](url)] |': a generic link inside the title cell is a link, not part of the title
    generic = [m for m in _LINK_RE.finditer(title_cell) if _label(m.group(1)) in _GENERIC_LABELS]
    if generic and _clean_title(_LINK_RE.sub(" ", title_cell)):
        for m in generic:
            links.append((_link_type(m.group(1), m.group(2)), m.group(2)))
        title_cell = re.sub(
            r"\[\s*\]|\(\s*\)",
            " ",
            _LINK_RE.sub(lambda m: " " if _label(m.group(1)) in _GENERIC_LABELS else m.group(0), title_cell),
        )
    title = ""
    # the title cell's own link; else the first cell with a non-generic linked text
    candidates = [title_cell] + [c for c in cells if c is not title_cell]
    for c in candidates:
        if not c:
            continue
        stripped = _IMAGE_RE.sub(" ", _BADGE_LINK_RE.sub(" ", c))
        lk = _LINK_RE.search(stripped)
        text = _clean_title(stripped)
        if c is title_cell and text:
            title = text
            if lk:
                links.append((_url_type(lk.group(2)), lk.group(2)))
            break
        if lk and _label(lk.group(1)) not in _GENERIC_LABELS and not title_cell:
            title = _clean_title(lk.group(1))
            links.append((_url_type(lk.group(2)), lk.group(2)))
            break
    if not title:
        return Skipped(
            line,
            "a table row with a link but no title (no title, paper or name column filled in)",
            unusable=True,
        )
    for i, c in enumerate(cells):
        for label, url in _LINK_RE.findall(c):
            if _is_anchor(url) or any(url == u for _, u in links):
                continue
            hdr = header[i] if i < len(header) else ""
            typ = _link_type(label, url)
            if typ == "other":
                typ = _link_type(hdr, url)
            if typ == "other" and not links:
                typ = _url_type(url)
            links.append((typ, url))
        for url in _BARE_URL_RE.findall(_LINK_RE.sub(" ", c)):
            if all(url != u for _, u in links):
                links.append(("other" if links else _url_type(url), url))
    authors = _strip_md(cell("authors")) or None
    venue_text = cell("venue")
    venue, vyear = _venue_year(venue_text) if venue_text else (None, None)
    if venue_text and not venue:
        v = _strip_md(venue_text)
        venue = v if v and v not in ("-", "—") and not _YEAR_RE.fullmatch(v) else None
    if venue and vyear and not _YEAR_RE.search(venue) and venue.lower() not in _PREPRINT_VENUES:
        venue = f"{venue} {vyear}"
    year_text = _strip_md(cell("year"))
    ym = _YEAR_RE.search(year_text)
    line_year = int(ym.group(1)) if ym else vyear
    year, source, conflict, doubtful = _choose_year(
        links, line_year, "the table row", [(year_heading, f"the heading '{year_heading}'")]
    )
    return ListItem(
        line,
        heading,
        title,
        authors,
        venue,
        year,
        links,
        source,
        year_conflict=conflict,
        doubtful_id=doubtful,
    )


class _Prose(Exception):
    """Raised by parse_item for a sentence that merely contains a link."""


@dataclass
class _Block:
    line: int
    end: int
    head: str  # the entry's own text (first line and its continuation lines, joined)
    children: list[tuple[int, str]]  # (line, raw text) of the lines under it, sub-bullets included


def _collect_item(lines: list[str], i: int, skip: set[int]) -> tuple[_Block, int]:
    m = _ITEM_RE.match(lines[i])
    assert m
    ind = _indent(m.group(1))
    content_col = ind + len(lines[i].expandtabs(4).lstrip()) - len(m.group(3).expandtabs(4))
    head = [m.group(3)]
    children: list[tuple[int, str]] = []
    j = i + 1
    in_children = False
    blank = False
    while j < len(lines):
        if j in skip:
            break
        raw = lines[j]
        if not raw.strip():
            blank = True
            j += 1
            continue
        ind_j = _indent(raw)
        if _HEADING_RE.match(raw) or _FENCE_RE.match(raw):
            break
        im = _ITEM_RE.match(raw)
        if im and _indent(im.group(1)) <= ind:
            break
        if blank and (ind_j <= ind or ind_j < 2):
            break
        if raw.lstrip().startswith("|") and ind_j < content_col:
            break
        if (
            im
            or in_children
            or (
                blank
                and ind_j >= content_col
                and not head[-1].rstrip().endswith("\\")
                and _ITEM_RE.match(raw)
            )
        ):
            in_children = True
            children.append((j + 1, raw))
        elif blank:
            # an indented paragraph after a blank line (tjunlp style: the authors line); part of the entry
            head.append(raw.strip())
        else:
            head.append(raw.strip())
        blank = False
        j += 1
    end = j
    while end - 1 > i and not lines[end - 1].strip():
        end -= 1
    return _Block(i + 1, end, "\n".join(head), children), j


def _section_reason(headings: list[tuple[int, str]]) -> str | None:
    for _, h in headings:
        if _NON_ENTRY_SECTIONS.match(_strip_md(h)):
            return f"in the '{_strip_md(h)}' section"
    return None


def read_markdown(text: str) -> tuple[list[ListItem], list[Skipped]]:
    """Every entry of an awesome list, and every linked line that is not one (with the reason)."""
    # one-line HTML comments go (a multi-line comment is skipped below); the line numbers stay
    lines = [re.sub(r"<!--.*?-->", "", ln) if "<!--" in ln else ln for ln in text.splitlines()]
    items: list[ListItem] = []
    skipped: list[Skipped] = []
    headings: list[tuple[int, str]] = []
    skip: set[int] = set()
    # fenced code and HTML comments hold no entries
    in_fence = None
    in_comment = False
    for n, raw in enumerate(lines):
        if in_comment:
            skip.add(n)
            if "-->" in raw:
                in_comment = False
            continue
        fm = _FENCE_RE.match(raw)
        if in_fence:
            skip.add(n)
            if fm and fm.group(1) == in_fence:
                in_fence = None
            continue
        if fm:
            in_fence = fm.group(1)
            skip.add(n)
            continue
        if "<!--" in raw and "-->" not in raw.split("<!--", 1)[1]:
            in_comment = True
            skip.add(n)

    def current_heading() -> str | None:
        return headings[-1][1] if headings else None

    def year_heading() -> int | None:
        if year_marker:
            return year_marker[0]
        for _, h in reversed(headings):
            y = _heading_year(h)
            if y:
                return y
        return None

    def handle_block(block: _Block) -> None:
        section = _section_reason(headings)
        whole = block.head + "\n" + "\n".join(t for _, t in block.children)
        if not _has_link(whole) and not _BOLD_RE.search(block.head):
            return
        if section and _has_link(whole):
            skipped.append(Skipped(block.line, f"{section}", block.end))
            return
        if not _has_link(block.head):
            # a grouping bullet ('- **Category**') whose sub-bullets are the entries
            sub = [(ln, t) for ln, t in block.children]
            if sub and any(_has_link(t) for _, t in sub):
                walk([t for _, t in sub], [ln for ln, _ in sub])
                return
            if not _has_link(whole):
                return
        if _only_anchor_links(block.head):
            skipped.append(Skipped(block.line, "table-of-contents link", block.end))
            sub = [(ln, t) for ln, t in block.children if _has_link(t) and not _only_anchor_links(t)]
            if sub:
                walk([t for _, t in block.children], [ln for ln, _ in block.children])
            return
        if _only_badges(block.head) and not _BOLD_RE.search(block.head):
            skipped.append(Skipped(block.line, "badges or images only", block.end))
            return
        if _NEWS_RE.match(_TAG_RE.sub("", block.head)):
            skipped.append(Skipped(block.line, "a dated news line", block.end))
            return
        low = _strip_md(block.head).lower()
        if re.search(
            r"\b(?:licen[cs]ed? under|released under the|thanks? (?:to|goes)|contributors?\b|"
            r"star history|cite (?:this|our)|pull requests? (?:are )?welcome)",
            low,
        ):
            skipped.append(Skipped(block.line, "licence, thanks or contributing line", block.end))
            return
        # children that are sub-entries of their own (a parent with a title of its own keeps them as metadata,
        # unless a child starts with a linked or bold title of its own and names no label)
        try:
            item = parse_item(
                block.head, block.line, current_heading(), [t for _, t in block.children], year_heading()
            )
        except _Prose:
            skipped.append(Skipped(block.line, "a sentence with a link", block.end))
            return
        if item is None:
            skipped.append(
                Skipped(
                    block.line,
                    "a list item with a link but no title the importer can read: "
                    "give the title as a link, in bold, or before the links",
                    block.end,
                    unusable=True,
                )
            )
            return
        item.end_line = block.end
        items.append(item)

    def walk(sub_lines: list[str], numbers: list[int]) -> None:
        # re-read a block's sub-bullets as a document of their own (dedented)
        if not sub_lines:
            return
        ind = min(_indent(t) for t in sub_lines if t.strip())
        k = 0
        while k < len(sub_lines):
            raw = sub_lines[k]
            stripped = raw[ind:] if len(raw) - len(raw.lstrip()) >= ind else raw.lstrip()
            if _ITEM_RE.match(stripped):
                local = [stripped] + [
                    s[ind:] if len(s) - len(s.lstrip()) >= ind else s.lstrip() for s in sub_lines[k + 1 :]
                ]
                block, nxt = _collect_item(local, 0, set())
                block.line = numbers[k]
                block.children = [(numbers[k + c_ln - 1], t) for c_ln, t in block.children]
                block.end = numbers[min(k + nxt - 1, len(numbers) - 1)]
                handle_block(block)
                k += max(1, nxt)
            else:
                k += 1

    last_table: tuple[list[str], dict[str, int], int] | None = None
    year_marker: list[int] = []
    n = 0
    while n < len(lines):
        if n in skip:
            n += 1
            continue
        raw = lines[n]
        h = _HEADING_RE.match(raw)
        if h:
            level = len(h.group(1))
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, _strip_md(_heading_text(h.group(2)))))
            year_marker.clear()
            n += 1
            continue
        ym = re.fullmatch(r"\s*(\*\*|__|\*|_)((?:19|20)\d\d)\1\s*:?\s*", raw)
        if ym:  # '*2022*' on a line of its own: a year heading in all but name
            year_marker[:] = [int(ym.group(2))]
            n += 1
            continue
        if raw.lstrip().startswith("|") or (
            n + 1 < len(lines) and "|" in raw and _TABLE_SEP_RE.match(lines[n + 1])
        ):
            has_header = n + 1 < len(lines) and _TABLE_SEP_RE.match(lines[n + 1])
            # rows after a blank line below a table continue it (GitHub shows them as text; the author meant rows)
            continues = not has_header and last_table is not None and n - last_table[2] <= 3
            if has_header or continues:
                if has_header:
                    header = _split_cells(raw)
                    cols = _table_columns(header)
                    m = n + 2
                    if _has_link(raw) and not _only_anchor_links(raw):
                        skipped.append(Skipped(n + 1, "a table's header row"))
                else:
                    header, cols = last_table[0], last_table[1]
                    m = n
                section = _section_reason(headings)
                while m < len(lines) and "|" in lines[m] and lines[m].strip() and m not in skip:
                    cells = _split_cells(lines[m])
                    if _has_link(lines[m]):
                        if section:
                            skipped.append(Skipped(m + 1, f"{section}"))
                        elif _only_badges(lines[m]):
                            skipped.append(Skipped(m + 1, "badges or images only"))
                        else:
                            r = _table_row_item(cells, cols, header, m + 1, current_heading(), year_heading())
                            if isinstance(r, Skipped):
                                skipped.append(r)
                            elif r is not None:
                                items.append(r)
                    m += 1
                last_table = (header, cols, m)
                n = m
                continue
        if _ITEM_RE.match(raw):
            block, nxt = _collect_item(lines, n, skip)
            handle_block(block)
            n = nxt
            continue
        if raw.strip():
            # a paragraph: jxzhangjhu style '**Title** \' / '*Authors* \' / 'venue [[Paper](url)] \' is an entry
            m = n
            para: list[str] = []
            while (
                m < len(lines)
                and lines[m].strip()
                and m not in skip
                and not _HEADING_RE.match(lines[m])
                and not _ITEM_RE.match(lines[m])
                and not lines[m].lstrip().startswith("|")
            ):
                para.append(lines[m])
                m += 1
            if not para:
                n += 1
                continue
            joined = "\n".join(p.rstrip().rstrip("\\").rstrip() for p in para)
            first = _TAG_RE.sub("", para[0]).strip()
            if _has_link(joined) and (first.startswith(("**", "__", "[**")) or _BOLD_RE.match(first)):
                section = _section_reason(headings)
                if section:
                    skipped.append(Skipped(n + 1, f"{section}", m))
                else:
                    head = joined.replace("\n", " <br> ")
                    item = parse_item(head, n + 1, current_heading(), None, year_heading())
                    if item is None:
                        skipped.append(
                            Skipped(
                                n + 1,
                                "an entry paragraph with no title the importer can read",
                                m,
                                unusable=True,
                            )
                        )
                    else:
                        item.end_line = m
                        items.append(item)
            n = m
            continue
        n += 1
    return items, skipped


def parse_markdown(text: str) -> list[ListItem]:
    """The entries of an awesome list (see read_markdown for the lines that are not entries)."""
    return read_markdown(text)[0]


# --- ListItems -> Entries ---------------------------------------------------------------------------------------


def category_for(heading: str | None, taxonomy: Taxonomy | None, mapping: Mapping[str, str]) -> str | None:
    """The category a heading names: the mapping option first, then a category whose title (or id) matches."""
    if heading is None:
        return None
    if heading in mapping:
        return mapping[heading]
    key = normalise_title(heading)
    if taxonomy is None:
        return None
    for c in taxonomy.categories.values():  # tree order: the primary scheme wins a tie
        if normalise_title(c.title) == key or c.id == key.replace(" ", "-"):
            return c.id
    return None


def _authors(text: str | None) -> tuple[list[dict[str, str]], bool]:
    """Author dicts from a list's author text, and whether the list was cut short ('et al.')."""
    if not text:
        return [], False
    t = _strip_md(text)
    truncated = bool(re.search(r"\bet\s*al\b\.?|\.\.\.|…", t)) or bool(
        re.search(r"(?<=[a-z])et\s*al\.?\s*$", t)
    )
    # 'Ouyang et al.', and the list's typos 'Touvronet al.' (the space went missing)
    t = re.sub(r"(?:\s+|(?<=[a-z]))et\s*al\b\.?", "", t)
    t = re.sub(r"\.\.\.|…", "", t).strip(" ,;")
    t = re.sub(r"^(?:by)\s+", "", t)
    out: list[dict[str, str]] = []
    if not t:
        return [], truncated
    # 'Ethayarajh, Kawin and Zhang, Heidi': BibTeX-like 'Family, Given' pairs joined by 'and'
    # 'Ye, Xi et al.': one 'Family, Given' pair, the rest cut
    pair = [p.strip() for p in t.split(",")]
    if truncated and len(pair) == 2 and all(len(p.split()) == 1 and p[:1].isupper() for p in pair):
        return [{"family": pair[0], "given": pair[1]}], truncated
    and_parts = [p.strip() for p in re.split(r"\s+and\s+", t) if p.strip()]
    if len(and_parts) > 1 and all(p.count(",") == 1 for p in and_parts):
        for p in and_parts:
            fam, giv = (x.strip() for x in p.split(","))
            out.append({"family": fam, "given": giv} if giv else {"family": fam})
        return out, truncated
    for part in re.split(r",\s*|;\s*|\s+and\s+|\s*&\s*|，|、", t):
        part = part.strip(" .")
        if part.lower().startswith("and "):
            part = part[4:].strip()
        if not part:
            continue
        if _ORG_WORDS.search(part) or not _looks_like_names(part):
            out.append({"literal": part[:300]})
            continue
        words = part.split()
        if len(words) == 1:
            out.append({"family": part})
            continue
        # particles go with the family name: 'Leandro von Werra' -> family 'von Werra'
        k = len(words) - 1
        while k > 1 and words[k - 1].lower() in _PARTICLES:
            k -= 1
        out.append({"family": " ".join(words[k:]), "given": " ".join(words[:k])})
    return out, truncated


def _venue_fields(venue: str, year: int) -> dict[str, str]:
    v = venue.strip()
    if v.lower().rstrip(".") in _PREPRINT_VENUES or v.lower().startswith("arxiv"):
        return {"venue": "arXiv", "venue_type": "preprint"}
    v = v[:280]
    if not v or not re.search(r"[A-Za-z]{2}", v):
        return {}
    # the venue as the list gives it with its year ('NeurIPS 2022'); a venue without one takes the record's
    return {"venue": v if _YEAR_RE.search(v) else f"{v} {year}"}


def _title_key(title: str) -> str:
    """A title as repeats of it compare; a title in another script keeps its letters (normalise_title keeps ASCII
    only, which would make every Chinese title the same empty key)."""
    key = normalise_title(title)
    letters = re.findall(r"\w", title)
    if len(key.replace(" ", "")) < len(letters) / 2:
        key = " ".join(re.findall(r"\w+", title.casefold()))
    return key


def _names_one_work(a: str, b: str) -> bool:
    """Two titles under one identifier that still name one work: a name and the full title ('HELM' and 'Holistic
    Evaluation of Language Models', 'OPT-1.3|6.7B' and 'OPT: Open Pre-trained …'), or one inside the other."""
    na, nb = _title_key(a), _title_key(b)
    if not na or not nb or na in nb or nb in na:
        return True
    # exactly one of the two is a name: two different names ('GPT 3.0', 'GPT-Neo') are two things
    return sum(len(t.split()) <= 4 and len(t) <= 32 for t in (a, b)) == 1


def items_to_entries(
    items: list[ListItem],
    source_name: str,
    *,
    taxonomy: Taxonomy | None = None,
    mapping: Mapping[str, str] | None = None,
    kind: str = "paper",
    skipped: list[Skipped] | None = None,
    tag_ids: set[str] | frozenset[str] = frozenset(),
) -> list[Entry]:
    """Group repeats of one work (same identifier, or same title with no conflicting identifier) into one entry
    filed under every category it sits under; a line that is not an entry becomes a 'not an entry' Entry."""
    mapping = mapping or {}
    groups: list[list[ListItem]] = []
    by_ident: dict[tuple[str, str], int] = {}
    by_title: dict[str, int] = {}
    conflicts: dict[int, str] = {}

    def idents(item: ListItem) -> dict[str, str]:
        """The keys that name the item's work: its identifiers and its paper pages' canonical URLs."""
        out: dict[str, str] = {}
        for typ, url in item.links:
            if typ in ("paper", "pdf", "other"):
                for k, v in identifiers_of(url).items():
                    if f"{k}:{v}" != item.doubtful_id:
                        out.setdefault(k, v)
        for _, key in identity_keys({}, [(t, u) for t, u in item.links if t in ("paper", "pdf")]):
            scheme, _, value = key.partition(":")
            if scheme == "url":
                out.setdefault("url", value)
        return out

    for item in items:
        ids = idents(item)
        tkey = _title_key(item.title)
        hit = next((by_ident[(k, v.lower())] for k, v in ids.items() if (k, v.lower()) in by_ident), None)
        if hit is not None:
            g = groups[hit][0]
            from rapidfuzz import fuzz

            if fuzz.ratio(_title_key(g.title), tkey) < 80 and not _names_one_work(g.title, item.title):
                scheme, value = next((k, v) for k, v in ids.items() if (k, v.lower()) in by_ident)
                what = f"page {value}" if scheme == "url" else f"{scheme} id {value}"
                conflicts[id(item)] = (
                    f"links the same {what} as line {g.line} ('{g.title}') under another title: if the work was "
                    f"renamed, keep one of the two lines; else one of the two links is wrong: correct it in the list"
                )
                groups.append([item])
                continue
        if hit is None and tkey in by_title:
            other = groups[by_title[tkey]]
            other_ids = {k: v for i in other for k, v in idents(i).items()}
            # the same title is one work unless an identifier says otherwise (two pages of one paper are fine)
            if not any(
                k in other_ids and other_ids[k].lower() != v.lower() for k, v in ids.items() if k != "url"
            ):
                hit = by_title[tkey]
        if hit is None:
            groups.append([item])
            hit = len(groups) - 1
        else:
            groups[hit].append(item)
        for k, v in ids.items():
            by_ident.setdefault((k, v.lower()), hit)
        by_title.setdefault(tkey, hit)

    entries: list[Entry] = []
    for group in groups:
        first = group[0]
        where = f"{source_name}:{first.line}"
        if id(first) in conflicts:
            entries.append(Entry(where, None, reason=f"'{first.title}' {conflicts[id(first)]}"))
            entries[-1].outcome = UNUSABLE
            continue
        year = next((i.year for i in group if i.year), None)
        item_kind = next((i.kind for i in group if i.kind), None)
        data: dict[str, Any] = {
            "kind": item_kind if kind == "paper" and item_kind else kind,
            "title": first.title[:500],
        }
        short = next((i.short_name for i in group if i.short_name), None)
        if short and normalise_title(short) != normalise_title(first.title) and len(short) <= 60:
            data["short_name"] = short
        authors, truncated = _authors(next((i.authors for i in group if i.authors), None))
        if authors:
            data["authors"] = authors
        if year:
            data["year"] = year
        venue = next((i.venue for i in group if i.venue), None)
        if venue and year:
            data.update(_venue_fields(venue, year))
        ids: dict[str, str] = {}
        links: list[dict[str, str]] = []
        stripped = []
        for i in group:
            for t, u in i.links:
                u = u.strip()
                clean = strip_tracking(u) if re.match(r"https?://[^\s/$.?#][^\s]*$", u) else None
                if clean and clean != u:
                    stripped.append(u)
                if clean and clean not in {x["url"] for x in links} and len(clean) <= 2000:
                    links.append({"type": t, "url": clean})
                if t in ("paper", "pdf", "other"):
                    for k, v in identifiers_of(u).items():
                        if f"{k}:{v}" != i.doubtful_id:
                            ids.setdefault(k, v)
        if ids:
            data["identifiers"] = ids
        if links:
            data["links"] = links
        cats: list[str] = []
        unmapped: list[str] = []
        for i in group:
            c = category_for(i.heading, taxonomy, mapping)
            if c and c not in cats:
                cats.append(c)
            elif not c and i.heading and i.heading not in unmapped and not _heading_year(i.heading):
                unmapped.append(i.heading)
        if cats:
            data["categories"] = cats
        keywords = []
        for i in group:
            keywords += [k for k in i.keywords if k not in keywords]
        tags = [
            t for t in (re.sub(r"[^a-z0-9]+", "-", k.lower()).strip("-") for k in keywords) if t in tag_ids
        ]
        if tags:
            data["tags"] = list(dict.fromkeys(tags))
        data["added"] = today()
        fields = [k for k in ("title", "authors", "year", "venue", "links", "categories") if k in data]
        data["provenance"] = [
            {
                "fields": fields or ["title"],
                "source": f"{source_name} lines {', '.join(str(i.line) for i in group)}"[:500],
                **({"note": f"year from {first.year_source}"[:500]} if year and first.year_source else {}),
            }
        ]
        notes = []
        if unmapped:
            notes.append(f"listed under heading(s) with no matching category: {'; '.join(unmapped)}"[:1000])
        if stripped:
            notes.append(f"tracking parameters removed from {', '.join(stripped)}"[:1000])
        if truncated:
            notes.append("the list names only the first author(s); add the others from the paper")
        if keywords:
            notes.append(f"keywords in the list: {', '.join(keywords)}"[:1000])
        notes += list(dict.fromkeys(i.year_conflict[:1000] for i in group if i.year_conflict))
        if notes:
            data["notes"] = notes
        e = Entry(where, data)
        e.merged_from = [f"{source_name}:{i.line}" for i in group[1:]]
        if not year:
            e.problem = (
                f"'{first.title}' has no year (none in the entry, its links or the headings above it); "
                f"add one to the list entry, e.g. 'arXiv 2023'"
            )
        entries.append(e)
    for s in skipped or []:
        where = f"{source_name}:{s.line}" + (f"-{s.end_line}" if s.end_line and s.end_line > s.line else "")
        e = Entry(where, None, reason=s.reason)
        e.outcome = UNUSABLE if s.unusable else SKIPPED
        entries.append(e)
    return entries
