"""Import stage, venues: a short venue ('NeurIPS 2022', 'Findings of ACL 2023') from a full booktitle or journal name,
where it can be derived sensibly; otherwise the name tidied ('Proceedings of the' and locations dropped)."""

from __future__ import annotations

import re

# Full names of common computer-science venues and the short names they are cited by. Matched case-insensitively
# as whole phrases inside the full name; the first match wins, so the longer phrases come first.
KNOWN_VENUES: tuple[tuple[str, str, str], ...] = (
    # (phrase, short name, venue type)
    ("findings of the association for computational linguistics", "Findings of ACL", "conference"),
    ("transactions of the association for computational linguistics", "TACL", "journal"),
    ("north american chapter of the association for computational linguistics", "NAACL", "conference"),
    ("european chapter of the association for computational linguistics", "EACL", "conference"),
    ("asia-pacific chapter of the association for computational linguistics", "AACL", "conference"),
    ("annual meeting of the association for computational linguistics", "ACL", "conference"),
    ("empirical methods in natural language processing", "EMNLP", "conference"),
    ("international conference on computational linguistics", "COLING", "conference"),
    ("neural information processing systems", "NeurIPS", "conference"),
    ("international conference on learning representations", "ICLR", "conference"),
    ("international conference on machine learning", "ICML", "conference"),
    ("aaai/acm conference on ai, ethics, and society", "AIES", "conference"),
    ("aaai conference on artificial intelligence", "AAAI", "conference"),
    ("international joint conference on artificial intelligence", "IJCAI", "conference"),
    ("conference on computer vision and pattern recognition", "CVPR", "conference"),
    ("international conference on computer vision", "ICCV", "conference"),
    ("european conference on computer vision", "ECCV", "conference"),
    ("conference on fairness, accountability, and transparency", "FAccT", "conference"),
    ("conference on language modeling", "COLM", "conference"),
    ("conference on uncertainty in artificial intelligence", "UAI", "conference"),
    ("international conference on artificial intelligence and statistics", "AISTATS", "conference"),
    ("conference on robot learning", "CoRL", "conference"),
    ("knowledge discovery and data mining", "KDD", "conference"),
    ("the web conference", "WWW", "conference"),
    ("transactions on machine learning research", "TMLR", "journal"),
    ("journal of machine learning research", "JMLR", "journal"),
    ("journal of artificial intelligence research", "JAIR", "journal"),
)
_ACRONYM_IN_PARENS = re.compile(
    r"\(\s*\{?([A-Z][A-Za-z]*[A-Z][A-Za-z\-&]*|[A-Z]{2,}[a-z]?)\}?(?:[\s'’-]*(\d{2}|\d{4}))?\s*\)"
)
_COLON_ACRONYM = re.compile(r":\s*([A-Z][A-Za-z]*[A-Z][A-Za-z\-&]*)\s+(\d{4})\s*$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_YEAR_DOT = re.compile(r"(?<!\d)(19|20)\d{2}\.$")
_LEADING = re.compile(
    r"^(?:in\s+)?(?:proceedings|proc\.)\s+(?:of\s+)?(?:the\s+)?(?:\d{4}\s+)?(?:\d+(?:st|nd|rd|th)\s+)?"
    r"(?:annual\s+)?",
    re.I,
)
_ORDINAL = re.compile(r"^(?:the\s+)?(?:\d{4}\s+)?(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth)\s+", re.I)


def _with_year(name: str, year: int) -> str:
    return name if _YEAR.search(name) else f"{name} {year}"


def short_venue(
    text: str, venue_type: str | None, year: int, *, arxiv: bool = False
) -> tuple[str, str | None, bool]:
    """(venue, venue_type, shortened) for a venue text read from an entry."""
    text = " ".join(text.split())
    if _YEAR_DOT.search(text):
        text = text[:-1]  # 'NeurIPS 2022.': a list's full stop; an abbreviation's ('Mach. Intell.') stays
    if not text:
        return "", venue_type, False
    low = text.lower()
    if low.startswith("arxiv") or low in ("corr", "corr abs", "arxiv.org") or low.startswith("arxiv preprint"):
        return "arXiv", "preprint", False
    if venue_type in ("book", "thesis", "report"):
        return text, venue_type, False  # a publisher, school or institution: kept as written
    workshop = "workshop" in low
    kind = "workshop" if workshop and venue_type in ("conference", None, "chapter") else venue_type
    if not workshop:
        m = _COLON_ACRONYM.search(text)  # 'Findings of the Association ...: EMNLP 2023'
        if m and low.startswith("findings"):
            return f"Findings of {m.group(1)} {m.group(2)}", "conference", True
        for phrase, short, vtype in KNOWN_VENUES:
            if phrase in low:
                if vtype == "journal":
                    return short, "journal", short != text
                if short == "Findings of ACL" and m:
                    return f"Findings of {m.group(1)} {m.group(2)}", "conference", True
                return _with_year(short, year), "workshop" if workshop else vtype, True
        p = _ACRONYM_IN_PARENS.search(text)  # '... Computation (CEC 2003), Canberra'
        if p and venue_type in ("conference", "chapter", None):
            short = p.group(1)
            y = p.group(2)
            if y:
                y = y if len(y) == 4 else (("20" if int(y) < 50 else "19") + y)
                return f"{short} {y}", kind or "conference", True
            return _with_year(short, year), kind or "conference", True
    if venue_type in ("conference", "chapter") or workshop:
        tidy = _LEADING.sub("", text)
        tidy = _ORDINAL.sub("", tidy)
        tidy = tidy.split(", ")[0] if len(tidy) > 80 else tidy  # drop ', City, Country, dates'
        if tidy == text:
            return text[:300], kind, False  # as written (what aligncat's own export writes comes back unchanged)
        first = tidy[:1].upper()  # 'Proceedings of the international ...': the name that is left starts it
        tidy = (first if len(first) == 1 else tidy[:1]) + tidy[1:]  # 'ß'.upper() is 'SS': left as written
        return _with_year(tidy[:290], year), kind, True
    return text[:300], kind, False
