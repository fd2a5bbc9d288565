"""Import stage, LaTeX text: decode the LaTeX found in BibTeX fields (accents, escapes, braces) into plain Unicode."""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

# textcomp commands that pylatexenc does not know; aligncat's BibTeX export writes them for $ ^ { }.
_EXTRA_MACROS = {
    "textdollar": "$",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "textunderscore": "_",
}


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    db.add_context_category(
        "aligncat-textcomp",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=text) for name, text in _EXTRA_MACROS.items()],
    )
    # math_mode="text": '$\\tau$-Bench' reads 'τ-Bench'; a formula keeps its text ('$x^2$' -> 'x^2').
    return LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=True)


_SPACE_RE = re.compile(r"\s+")


_HREF_RE = re.compile(r"\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_URL_RE = re.compile(r"\\url\s*\{([^{}]*)\}")


def latex_to_text(value: str) -> str:
    """Plain text of a LaTeX field value: '{\\\\"O}zt{\\\\"u}rk \\\\& {GPT}' -> 'Öztürk & GPT', '$\\\\tau$' -> 'τ',
    white space folded. Never raises: text pylatexenc cannot read keeps its letters, braces and backslashes dropped."""
    if not any(c in value for c in "\\{}~-`'$"):
        return _SPACE_RE.sub(" ", value).strip()
    value = _HREF_RE.sub(lambda m: m.group(2), value)
    value = _URL_RE.sub(lambda m: m.group(1), value)
    try:
        text = _converter().latex_to_text(value)
    except Exception:  # noqa: BLE001  (pylatexenc fails on some malformed macros; fall back to the letters)
        text = re.sub(r"\\[A-Za-z]+\s*|[{}\\]", "", value)
    return _SPACE_RE.sub(" ", text.replace("\xa0", " ")).strip()
