"""Identity stage: a work's identifiers and URLs normalised, and the one duplicate rule used by the importers, `new`
and validate's duplicate-work rule.

Two records are the same work when they share an identity key: a normalised arXiv id, DOI, ACL Anthology id,
OpenReview id, ISBN or PubMed id, or the canonical URL of their paper page (arXiv abs/pdf/html pages, doi.org
links, Anthology and OpenReview pages all reduce to the id they carry). Titles are compared only after that, and
only with evidence: the same title (up to case, punctuation, stop words, word breaks, plurals and British
spelling) is a duplicate when the years agree within one and the first authors agree (or one side names none);
a title that is merely close (a word added or changed) is at most a *possible* duplicate, which the importers
import and name. Distinct identifiers of one scheme always mean distinct works (a technical report and its
successor, the yearly editions of a benchmark), and titles that differ in a number (Part I and Part II, BenchX
2023 and BenchX 2024) are never the same work.

Over 500 lines because each identifier scheme's normal form and each piece of evidence the duplicate rule weighs
are cases of one rule, kept next to each other so importers, `new` and validate agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

# Identifier schemes that name exactly one work. Two records holding different values of one of these are two works.
STRONG_SCHEMES = ("arxiv", "doi", "acl", "openreview", "isbn", "pmid")
# Link types whose URL is the work itself (a code or data link may be shared by several works).
WORK_LINK_TYPES = ("paper", "pdf")
URL_TITLE_THRESHOLD = 70  # a shared paper URL with titles at least this alike is a duplicate
POSSIBLE_TITLE_THRESHOLD = 90  # rapidfuzz ratio (0-100) on normalised titles: above it, a possible duplicate

DUPLICATE, POSSIBLE = "duplicate", "possible duplicate"

_NEW_ARXIV = r"\d{4}\.\d{4,5}"
_OLD_ARXIV = r"[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_ID_RE = re.compile(rf"^(?:arxiv:\s*)?({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d+)?(?:\.pdf)?$", re.I)
_ARXIV_IN_TEXT_RE = re.compile(
    rf"arxiv(?:\.org)?[:/\s.]*(?:abs/|pdf/|html/|format/)?\s*({_NEW_ARXIV}|{_OLD_ARXIV})"
    r"(?:v\d+)?",
    re.I,
)
_ARXIV_HOSTS = (
    "arxiv.org",
    "export.arxiv.org",
    "ar5iv.org",
    "ar5iv.labs.arxiv.org",
    "alphaxiv.org",
    "huggingface.co",
    "hf.co",
    "semanticscholar.org",
    "paperswithcode.com",
)
_ARXIV_PATH_RE = re.compile(
    rf"^/(?:abs|pdf|html|format|papers|paper|arxiv)/({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d+)?"
    r"(?:\.pdf)?/?$",
    re.I,
)
_DOI_RE = re.compile(r"(10\.\d{4,9}/[^\s\"<>{}]+)")
_DOI_FIELD_RE = re.compile(r"(10\.\d{4,9}/\S+)")
_ARXIV_DOI_RE = re.compile(rf"^10\.48550/arxiv\.({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d+)?$", re.I)
_ACL_DOI_RE = re.compile(r"^10\.18653/v1/(.+)$", re.I)
_ACL_ID_RE = re.compile(r"^(?:[A-Z]\d{2}-\d{4}|\d{4}\.[a-z0-9\-]+\.\d+)$", re.I)
_OPENREVIEW_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|trk|ref_src|igshid|_hsenc|_hsmi|ref)$", re.I)


# --- identifiers ----------------------------------------------------------------------------------------------------


def normalise_arxiv(text: str | None) -> str | None:
    """The arXiv id, without version, in an id ('2203.02155v2', 'arXiv:2203.02155', 'cs/0112017'), an arXiv URL
    (abs, pdf, html, versions), an arXiv DOI (10.48550/arXiv.2203.02155, bare or as a doi.org URL) or a text
    naming one ('arXiv preprint arXiv:2203.02155'); None when there is none."""
    if not text:
        return None
    s = text.strip()
    m = _ARXIV_ID_RE.match(s)
    if m:
        return _arxiv_case(m.group(1))
    if "/" in s and ("://" in s or s.lower().startswith(("arxiv.org", "www.arxiv.org"))):
        return ids_from_url(s).get("arxiv")
    doi = normalise_doi(s) if s.lower().startswith(("10.", "doi:")) else None
    if doi:
        m = _ARXIV_DOI_RE.match(doi)
        return _arxiv_case(m.group(1)) if m else None
    m = _ARXIV_IN_TEXT_RE.search(s)
    return _arxiv_case(m.group(1)) if m else None


def _arxiv_case(value: str) -> str:
    if "/" in value:  # old style: archive in lower case, subject class upper case ('math.GT/0309136')
        archive, _, number = value.partition("/")
        name, dot, sub = archive.partition(".")
        return f"{name.lower()}{dot}{sub.upper()}/{number}"
    return value


def normalise_doi(text: str | None, *, in_text: bool = True) -> str | None:
    """The DOI in 'doi:10.x/y', 'https://doi.org/10.x/y', 'https://dx.doi.org/10.x/y' or '10.x/y', case kept
    (DOIs compare case-insensitively: normalise_identifier lowers it), URL escapes undone; in running text (in_text) a trailing full stop, comma or
    bracket is dropped. None when there is none."""
    if not text:
        return None
    s = unquote(text.strip())
    m = (_DOI_RE if in_text else _DOI_FIELD_RE).search(s)
    if not m:
        return None
    doi = m.group(1).rstrip(".,;:)]}") if in_text else m.group(1)  # a DOI in prose ends before its full stop
    return doi


def normalise_acl(text: str | None) -> str | None:
    """The ACL Anthology id in an id ('2022.acl-long.229', 'P19-1001'), an Anthology URL or an ACL DOI."""
    if not text:
        return None
    s = text.strip()
    if _ACL_ID_RE.match(s):
        return s if "." in s else s.upper()
    if "://" in s:
        return ids_from_url(s).get("acl")
    doi = normalise_doi(s)
    m = _ACL_DOI_RE.match(doi) if doi else None
    if m and _ACL_ID_RE.match(m.group(1)):
        return m.group(1) if "." in m.group(1) else m.group(1).upper()
    return None


def normalise_openreview(text: str | None) -> str | None:
    """The OpenReview forum id in an id or an openreview.net forum/pdf URL ('...forum?id=TG8KACxEON')."""
    if not text:
        return None
    s = text.strip()
    if "://" in s:
        return ids_from_url(s).get("openreview")
    return s if _OPENREVIEW_ID_RE.match(s) else None


def normalise_identifier(scheme: str, value: str) -> str:
    """One identifier's normal form within its scheme (the value as given, trimmed, when it cannot be read)."""
    value = str(value).strip()
    found = {
        "arxiv": normalise_arxiv,
        "doi": lambda v: normalise_doi(v, in_text=False),
        "acl": normalise_acl,
        "openreview": normalise_openreview,
    }.get(scheme)
    if found is not None:
        out = found(value)
        if out:
            return out.lower() if scheme in ("arxiv", "doi") else out
        return value.lower()
    if scheme == "isbn":
        return re.sub(r"[^0-9X]", "", value.upper())
    return value.lower()


def ids_from_url(url: str | None) -> dict[str, str]:
    """The identifiers an address carries: arXiv (abs/pdf/html/versions and mirrors), DOI (doi.org, and arXiv or
    ACL DOIs turned into their ids), ACL Anthology and OpenReview (forum, pdf)."""
    out: dict[str, str] = {}
    if not url:
        return out
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return out
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = unquote(parts.path)
    if host in _ARXIV_HOSTS or host.endswith(".arxiv.org"):
        m = _ARXIV_PATH_RE.match(path)
        if m and (host.endswith("arxiv.org") or host.startswith("ar5iv") or m.group(1)[:1].isdigit()):
            out["arxiv"] = _arxiv_case(m.group(1))
    elif host in ("doi.org", "dx.doi.org") or host.endswith(".doi.org"):
        doi = normalise_doi(path.lstrip("/"))
        if doi:
            a = _ARXIV_DOI_RE.match(doi)
            acl = _ACL_DOI_RE.match(doi)
            if a:
                out["arxiv"] = _arxiv_case(a.group(1))
            else:
                out["doi"] = doi
                if acl and _ACL_ID_RE.match(acl.group(1)):
                    out["acl"] = acl.group(1)
    elif host in ("aclanthology.org", "aclweb.org"):
        seg = path.strip("/").removeprefix("anthology/").removesuffix(".pdf").strip("/")
        seg = seg.split("/")[-1] if seg else seg
        if _ACL_ID_RE.match(seg):
            out["acl"] = seg if "." in seg else seg.upper()
    elif host == "openreview.net":
        q = dict(parse_qsl(parts.query))
        if path.rstrip("/") in ("/forum", "/pdf") and _OPENREVIEW_ID_RE.match(q.get("id", "")):
            out["openreview"] = q["id"]
    return out


def canonical_url(url: str | None) -> str | None:
    """An address in the form two spellings of it share: https, host without 'www.', no fragment, no tracking
    parameters, no trailing slash. An address carrying an identifier reduces to it ('arxiv:2203.02155')."""
    if not url:
        return None
    ids = ids_from_url(url)
    for scheme in ("arxiv", "acl", "openreview", "doi"):
        if scheme in ids:
            return f"{scheme}:{ids[scheme].lower() if scheme in ('arxiv', 'doi') else ids[scheme]}"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{query}" if query else "")


# --- what identifies a work -----------------------------------------------------------------------------------------


def identity_keys(
    identifiers: Mapping[str, str] | Iterable[tuple[str, str]], links: Iterable[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """(JSON pointer, key) pairs naming a work: 'scheme:value' for each identifier, then for each paper or pdf
    link the key its URL reduces to (an identifier it carries, else 'url:<canonical>'). Repeats are dropped."""
    items = identifiers.items() if isinstance(identifiers, Mapping) else identifiers
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for scheme, value in items:
        if not isinstance(value, str) or not value.strip():
            continue
        key = f"{scheme}:{normalise_identifier(scheme, value)}"
        if scheme == "doi":  # an arXiv DOI is the arXiv id; an ACL DOI also names the Anthology id
            a = _ARXIV_DOI_RE.match(normalise_doi(value) or "")
            if a:
                key = f"arxiv:{_arxiv_case(a.group(1)).lower()}"
        if key not in seen:
            seen.add(key)
            out.append((f"identifiers/{scheme}", key))
    for i, (ltype, url) in enumerate(links):
        if ltype not in WORK_LINK_TYPES:
            continue
        c = canonical_url(url)
        if not c:
            continue
        key = c if re.match(r"^(arxiv|acl|openreview|doi):", c) else f"url:{c}"
        if key not in seen:
            seen.add(key)
            out.append((f"links/{i}/url", key))
    return out


def normalise_title(title: str) -> str:
    """Lower-case letters and digits only, accents removed: how two spellings of one title compare."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def person_key(author: Mapping[str, Any] | None) -> str:
    """A first author's comparable name: the family name (or an organisation's name), ASCII letters only."""
    if not author:
        return ""
    name = author.get("family") or author.get("literal") or ""
    return re.sub(
        r"[^a-z]", "", unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    )


_TITLE_STOPWORDS = frozenset("a an the of for and in on to with via from by at as is are its".split())


def _stem(word: str) -> str:
    for old, new in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"), ("our", "or")):
        if word.endswith(old) and len(word) > len(old) + 2:
            word = word[: -len(old)] + new
            break
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def title_key(normal_title: str) -> str:
    """A title as two spellings of it share: stop words, word breaks ('real-time', 'realtime'), plurals and
    British spellings ('optimisation') folded. Titles with equal keys name the same work (given the evidence);
    titles whose keys differ by a word are at most possible duplicates."""
    return "".join(_stem(w) for w in normal_title.split() if w not in _TITLE_STOPWORDS)


def _number_tokens(normal_title: str) -> tuple[str, ...]:
    return tuple(sorted(t for t in normal_title.split() if t.isdigit() or t in _ROMAN))


@dataclass(frozen=True)
class Work:
    """What the duplicate rule knows of one work: its id (if it has one yet), title, year, first author and keys."""

    id: str
    title: str  # normalised
    year: int | None
    first_author: str  # person_key of the first author, '' when none is named
    keys: tuple[tuple[str, str], ...]  # identity_keys (pointer, key)
    form: str = ""  # venue_type: a thesis and a paper of one title, author and year are two works

    @classmethod
    def of(cls, data: Mapping[str, Any], record_id: str | None = None) -> Work:
        """From record-shaped data (what an importer or `new` is about to write, or a loaded record's dict)."""
        links = [
            (x.get("type", ""), x.get("url", "")) for x in data.get("links") or () if isinstance(x, Mapping)
        ]
        authors = data.get("authors") or []
        year = data.get("year")
        return cls(
            str(data.get("id") or "") if record_id is None else record_id,
            normalise_title(str(data.get("title") or "")),
            year if isinstance(year, int) else None,
            person_key(authors[0] if authors else None),
            tuple(identity_keys(data.get("identifiers") or {}, links)),
            str(data.get("venue_type") or ""),
        )

    @classmethod
    def from_work_keys(cls, record_id: str, year: int | None, work_keys: Iterable[tuple[str, str]]) -> Work:
        """From a RecordFacts' work_keys (what `work_keys` below made) and year."""
        title, author, form, keys = "", "", "", []
        for what, value in work_keys:
            if what == "title":
                title = value
            elif what == "authors/0":
                author = value
            elif what == "venue_type":
                form = value
            else:
                keys.append((what, value))
        return cls(record_id, title, year, author, tuple(keys), form)

    @property
    def schemes(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for _, key in self.keys:
            scheme, _, value = key.partition(":")
            out.setdefault(scheme, set()).add(value)
        return out


def work_keys(
    identifiers: Iterable[tuple[str, str]],
    title: str,
    links: Iterable[tuple[str, str]] = (),
    first_author: Mapping[str, Any] | None = None,
    venue_type: str | None = None,
) -> tuple[tuple[str, str], ...]:
    """What validate's duplicate-work rule compares, as plain strings (the validate cache stores them): identity
    keys, then ('title', normalised title), ('authors/0', first author's key) and ('venue_type', form) if named."""
    keys = identity_keys(list(identifiers), links)
    keys.append(("title", normalise_title(title)))
    keys.append(("authors/0", person_key(first_author)))
    if venue_type:
        keys.append(("venue_type", venue_type))
    return tuple(keys)


@dataclass(frozen=True)
class Verdict:
    """What the rule says of a new work against one existing work."""

    record_id: str
    outcome: str  # DUPLICATE or POSSIBLE
    reason: str  # 'same arxiv 2203.02155', 'title matches at 96%, same year, same first author'
    pointer: str = ""  # where in the new work the evidence sits ('identifiers/arxiv', 'title')


def distinct_ids(a: Work, b: Work) -> str | None:
    """The scheme in which two works hold different identifiers (so they are distinct works), if any."""
    sa, sb = a.schemes, b.schemes
    for scheme in STRONG_SCHEMES:
        if scheme in sa and scheme in sb and not (sa[scheme] & sb[scheme]):
            return scheme
    return None


def shared_key(a: Work, b: Work) -> tuple[str, str] | None:
    """(pointer in a, key) of the first identity key two works share."""
    theirs = {k for _, k in b.keys}
    for pointer, key in a.keys:
        if key in theirs:
            return pointer, key
    return None


def _key_verdict(new: Work, old: Work, pointer: str, key: str, possible: bool) -> Verdict | None:
    """A shared identifier is a duplicate. A shared paper URL alone (no identifier in it) is one only when the
    titles are alike too: a listing page or a repository may be linked by several works."""
    scheme, _, value = key.partition(":")
    if scheme != "url":
        return Verdict(old.id, DUPLICATE, f"same {scheme} {value}", pointer)
    from rapidfuzz import fuzz

    if new.title and old.title and fuzz.ratio(new.title, old.title) >= URL_TITLE_THRESHOLD:
        return Verdict(old.id, DUPLICATE, f"same url {value}", pointer)
    if possible:
        return Verdict(old.id, POSSIBLE, f"same url {value} but another title", pointer)
    return None


def compare(new: Work, old: Work, *, possible: bool = True) -> Verdict | None:
    """The verdict on `new` against `old`: a duplicate (shared identity key, or a title match with evidence), a
    possible duplicate (a close title without the evidence; only when `possible`), or None."""
    hit = shared_key(new, old)
    if hit:
        return _key_verdict(new, old, hit[0], hit[1], possible)
    if distinct_ids(new, old) or not new.title or not old.title:
        return None
    if _number_tokens(new.title) != _number_tokens(old.title):
        return None  # Part I / Part II, BenchX 2023 / BenchX 2024: numbered works are distinct
    exact = new.title == old.title
    same_words = exact or title_key(new.title) == title_key(old.title)
    if same_words:
        score = 100.0
    else:
        from rapidfuzz import fuzz

        score = fuzz.ratio(new.title, old.title)
        if not possible or score < POSSIBLE_TITLE_THRESHOLD:
            return None
    years_agree = new.year is not None and old.year is not None and abs(new.year - old.year) <= 1
    both_named = bool(new.first_author and old.first_author)
    authors_agree = both_named and new.first_author == old.first_author
    what = "same title" if exact else ("same title but for spelling" if same_words else f"title matches at {score:.0f}%")
    # a thesis and the article or book made from it share title, author and often year, yet are two works
    forms_differ = (new.form == "thesis") != (old.form == "thesis") and bool(new.form and old.form)
    if same_words and years_agree and (authors_agree or not both_named) and not forms_differ:
        evidence = "year within one" if new.year != old.year else "same year"
        who = ", same first author" if authors_agree else ""
        return Verdict(old.id, DUPLICATE, f"{what}, {evidence}{who}", "title")
    if not possible:
        return None
    why = []
    if not years_agree:
        why.append(f"years {new.year} and {old.year}" if new.year and old.year else "a year missing")
    if forms_differ:
        why.append(f"one a {new.form}, the other a {old.form}")
    if both_named and not authors_agree:
        why.append("different first authors")
    elif not both_named:
        why.append("a first author missing")
    return Verdict(old.id, POSSIBLE, f"{what} but {', '.join(why) or 'titles differ'}", "title")


@dataclass
class WorkIndex:
    """Works already known (the catalog's records, then each one an import adds), to find a new work's duplicate."""

    by_key: dict[str, Work] = field(default_factory=dict)
    by_title: dict[str, list[Work]] = field(default_factory=dict)
    by_author: dict[str, list[Work]] = field(default_factory=dict)
    works: list[Work] = field(default_factory=list)

    @staticmethod
    def index_keys(work: Work) -> tuple[str, ...]:
        """Every key `add` files a work under (its identity keys, its title's key, its first author): `find` with
        `possible=False` compares a work only with works sharing one of these (validate's duplicate-work rule
        re-checks a changed record's such peers only)."""
        keys = [key for _, key in work.keys]
        if work.title:
            keys.append("title\0" + title_key(work.title))
        if work.first_author:
            keys.append("author\0" + work.first_author)
        return tuple(keys)

    def add(self, work: Work) -> None:
        for _, key in work.keys:
            self.by_key.setdefault(key, work)
        if work.title:
            self.by_title.setdefault(title_key(work.title), []).append(work)
        if work.first_author:
            self.by_author.setdefault(work.first_author, []).append(work)
        self.works.append(work)

    def find(self, new: Work, *, possible: bool = True) -> Verdict | None:
        """The best verdict on `new`: a duplicate by identity first, then by title with evidence; else (when
        `possible`) the closest possible duplicate."""
        weak: Verdict | None = None
        for pointer, key in new.keys:
            old = self.by_key.get(key)
            if old is not None and old.id != new.id:
                v = _key_verdict(new, old, pointer, key, possible)
                if v is not None and v.outcome == DUPLICATE:
                    return v
                weak = weak or v
        # A title duplicate needs the same first author (or an exactly equal title): look there, not everywhere.
        candidates = list(self.by_title.get(title_key(new.title), ()))
        if new.first_author:
            candidates += self.by_author.get(new.first_author, ())
        best_possible: Verdict | None = weak
        for old in candidates:
            if old.id == new.id and new.id:
                continue
            v = compare(new, old, possible=possible)
            if v and v.outcome == DUPLICATE:
                return v
            if v and best_possible is None:
                best_possible = v
        if not possible or not new.title:
            return best_possible
        from rapidfuzz import fuzz, process

        titles = [w.title for w in self.works]
        for _, _, i in process.extract(
            new.title, titles, scorer=fuzz.ratio, score_cutoff=POSSIBLE_TITLE_THRESHOLD, limit=5
        ):
            old = self.works[i]
            if old.id == new.id and new.id:
                continue
            v = compare(new, old)
            if v and (v.outcome == DUPLICATE or best_possible is None):
                return v
        return best_possible


def duplicates(works: Iterable[Work]) -> Iterator[tuple[Work, Verdict]]:
    """Each work that duplicates an earlier one (in the order given), with the verdict naming the earlier one; for
    validate's duplicate-work rule (certain duplicates only, never possible ones)."""
    index = WorkIndex()
    for w in works:
        v = index.find(w, possible=False)
        if v is not None and v.outcome == DUPLICATE:
            yield w, v
        index.add(w)
