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
    # math_mode="verbatim": a title with $x^2$ keeps its formula readable instead of losing the dollar signs.
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


_SPACE_RE = re.compile(r"\s+")


def latex_to_text(value: str) -> str:
    """Plain text of a LaTeX field value: '{\\\\"O}zt{\\\\"u}rk \\\\& {GPT}' -> 'Öztürk & GPT', white space folded."""
    if (
        "\\" not in value
        and "{" not in value
        and "~" not in value
        and "-" not in value
        and "`" not in value
        and "'" not in value
    ):
        return _SPACE_RE.sub(" ", value).strip()
    text = _converter().latex_to_text(value)
    return _SPACE_RE.sub(" ", text.replace("\xa0", " ")).strip()
