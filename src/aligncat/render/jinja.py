"""Render stage, templates: the Jinja2 environment every page and fragment is rendered with.

Templates live in `render/templates/`; a catalog overrides any of them by putting a file of the same name in its own
`overrides/aligncat/` folder (`catalog/overrides/aligncat/record.md` replaces the record page), the way
mkdocs-material's users override the theme's partials. docs/site.md lists the templates and their variables.

- Autoescape is on for every template: a record's text is escaped by the engine, never by hand. What is already
  HTML (a fragment, a macro's output) is `Markup`; nothing else is.
- `|md` writes text for a Markdown line (a heading): Markdown's specials backslash-escaped, then HTML-escaped.
- `|script_json` is the one way to put data into a `<script>`: JSON with no `<`, `>` or `&` (render.text).
- `|description` writes a description from catalog.yaml, taxonomy.yaml or tags.yaml (restricted Markdown:
  emphasis, strong, code, http(s) links; nothing else, so no raw HTML and no attribute list) as HTML.
- `url(target)` is the link from the page being rendered (the `page` variable) to another generated file.
- In `.html` and `.svg` templates (fragments), a line break and the indentation after it are removed, so a
  fragment can be written one element a line and still come out as one line of HTML (a blank line would end
  Markdown's raw HTML block). Write a space where one is wanted inside a line. `.md` and `.xml` templates keep
  their lines as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from .text import description_parts, json_for_script, md_text, relative_url, safe_url

TEMPLATES = Path(__file__).parent / "templates"
OVERRIDES = ("overrides", "aligncat")  # inside the catalog folder
_JOIN = re.compile(r"\n[ \t]*")


class _JoinLines(Extension):
    """Fragments (`.html`, `.svg`) come out as one line: a line break and the indentation after it vanish."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name and name.endswith((".html", ".svg")):
            return _JOIN.sub("", source)
        return source


@jinja2.pass_context
def _url(context, target: str) -> str:
    return relative_url(context["page"], target)


@jinja2.pass_environment
def _description(env: jinja2.Environment, value: object) -> Markup:
    """`|description`: restricted Markdown (render.text.description_parts) through description.html."""
    return Markup(env.get_template("description.html").render(parts=description_parts(value)))


def overrides_folder(catalog_root: Path | str) -> Path:
    """Where a catalog's own templates go: <catalog>/overrides/aligncat/."""
    return Path(catalog_root).joinpath(*OVERRIDES)


@lru_cache(maxsize=8)
def _environment(overrides: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides:
        loaders.append(jinja2.FileSystemLoader(overrides))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        extensions=[_JoinLines],
        auto_reload=True,  # `aligncat serve`: an edited override is read again
    )
    env.filters["md"] = lambda value: Markup(md_text(value))
    env.filters["script_json"] = lambda value: Markup(json_for_script(value))
    env.filters["description"] = _description
    env.globals["url"] = _url
    env.globals["safe_url"] = safe_url
    return env


def environment(catalog_root: Path | str | None = None) -> jinja2.Environment:
    """The environment for a catalog: its overrides folder (if it has one) first, then the package's templates."""
    folder = overrides_folder(catalog_root) if catalog_root is not None else None
    return _environment(str(folder.resolve()) if folder is not None and folder.is_dir() else None)


def render(catalog_root: Path | str | None, name: str, **variables: object) -> str:
    """Render one template with its view model."""
    try:
        return environment(catalog_root).get_template(name).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
        ) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"template {name}: {exc.message}; see docs/site.md for the variables each template is given"
        ) from exc


def fragment(catalog_root: Path | str | None, name: str, **variables: object) -> Markup:
    """A fragment's HTML, as Markup (for a view model that hands it to a page template)."""
    return Markup(render(catalog_root, name, **variables))


class TemplateError(Exception):
    """A catalog's template override that cannot be rendered, with its file and line."""
