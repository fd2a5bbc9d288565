"""Render stage helpers: escaping of record text for Markdown lines and scripts, safe URLs, and links between
generated pages.

HTML escaping is the template engine's (render/jinja.py: autoescape on); what it cannot know is here: Markdown's
own syntax in a heading (`md_text`, the templates' `|md`), JSON inside a `<script>` (`json_for_script`, the
templates' `|script_json`) and which URLs may be links at all (`safe_url`). A title holding `<script>` or a
Markdown link is therefore shown as the characters it is, never run or followed.
"""

from __future__ import annotations

import contextvars
import html
import json
import posixpath
import re
from urllib.parse import urlsplit

# Python-Markdown's backslash-escapable characters: the syntax of the extensions the site enables (no pymdownx
# inline syntax is enabled, so `~ ^ = :` need nothing). `<`, `>` and `&` go to html.escape: a backslash before
# them would stay visible.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
SAFE_URL_SCHEMES = ("http", "https", "mailto", "ftp")


def md_text(value: object) -> str:
    """Plain text for a Markdown line (heading, list item, table cell): no Markdown, no HTML, one line."""
    text = " ".join(str(value).split())
    return html.escape(_MARKDOWN_SPECIALS.sub(r"\\\1", text), quote=False)


def safe_url(url: str | None) -> str | None:
    """The URL if it is absolute http(s), mailto or ftp, else None: `javascript:` and friends never link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_URL_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url


def json_for_script(data: object) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` at all (written as \\u escapes, still
    valid JSON), so neither `</script>` nor `<!--` can appear; U+2028/9 are escaped for old parsers."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def page_url(path: str) -> str:
    """The site URL (directory style, relative to the site root) of a generated Markdown file."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


# How links in generated HTML are written. MkDocs leaves links inside raw HTML alone, so they must be final
# URLs ("url"); Zensical resolves them like Markdown links, from the source file ("source": `x.md` paths).
LINK_STYLE: contextvars.ContextVar[str] = contextvars.ContextVar("aligncat_link_style", default="url")


def relative_url(from_page: str, to_path: str) -> str:
    """A link (for an href) from the page generated from `from_page` to the page or file `to_path`."""
    if LINK_STYLE.get() == "source":
        return _relpath("/" + to_path, "/" + posixpath.dirname(from_page))
    return browser_relative_url(from_page, to_path)


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two absolute paths, without its normalisation (several times faster); paths with
    `.` or `..` segments or doubled slashes go to posixpath.relpath."""
    if "/." in path or "/." in start or "//" in path or "//" in start:
        return posixpath.relpath(path, start)
    to = [p for p in path.split("/") if p]
    base = [p for p in start.split("/") if p]
    common = 0
    for a, b in zip(to, base):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


def browser_relative_url(from_page: str, to_path: str) -> str:
    """The URL of `to_path` relative to the page's address, as a script sees it (no engine rewrites)."""
    base = page_url(from_page)
    base_dir = "/" + (base if base.endswith("/") or not base else posixpath.dirname(base) + "/")
    target = page_url(to_path)
    is_dir = target == "" or target.endswith("/")
    rel = _relpath("/" + target, base_dir)
    if is_dir:
        rel = "./" if rel == "." else rel.rstrip("/") + "/"
    return rel


# The restricted Markdown of descriptions (catalog.yaml, taxonomy.yaml, tags.yaml): emphasis, strong, code and
# links to absolute http(s) addresses, in one paragraph. Nothing else is syntax: raw HTML, attribute lists
# (`{: style=... }`), images, headings and lists come out as the characters they are.
_INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\[(?P<label>[^\[\]]+)\]\((?P<url>[^()\s]+)\)"
    r"|\*\*(?P<strong>[^*]+)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|(?<![A-Za-z0-9])_(?P<em2>[^_\s](?:[^_]*[^_\s])?)_(?![A-Za-z0-9])"
)
# Characters a later Markdown pass (or attr_list) could read as syntax, written as character references.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]#!"})


def _inert(text: str) -> str:
    return html.escape(text, quote=True).translate(_INERT)


def description_parts(value: object) -> list[dict]:
    """A description written in restricted Markdown, parsed: a list of parts, each `{"kind": "text", "html":
    ...}` (escaped, with every character Markdown or its extensions could still read as syntax written as a
    character reference, so it stays text wherever a page puts it) or `code` (html), `strong`/`em` (parts),
    `link` (href: an absolute http(s) address only; parts). templates/description.html writes them as HTML."""
    text = " ".join(str(value).split())
    out: list[dict] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append({"kind": "text", "html": _inert(text[pos : m.start()])})
        pos = m.end()
        if m.group("code") is not None:
            out.append({"kind": "code", "html": _inert(m.group("code"))})
        elif m.group("label") is not None:
            url = safe_url(m.group("url"))
            label = description_parts(m.group("label"))
            if url and urlsplit(url).scheme.lower() in ("http", "https"):
                out.append({"kind": "link", "href": url, "parts": label})
            else:  # any other address: the text, unlinked
                out.extend(label)
        elif m.group("strong") is not None:
            out.append({"kind": "strong", "parts": description_parts(m.group("strong"))})
        else:
            out.append({"kind": "em", "parts": description_parts(m.group("em") or m.group("em2"))})
    if pos < len(text):
        out.append({"kind": "text", "html": _inert(text[pos:])})
    return out
