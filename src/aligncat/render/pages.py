"""Render stage, core pages: home, taxonomy and categories, records, index tables, benchmarks, tags, news,
cite.

Each page is Markdown whose structure the site's Markdown extensions understand; every record field is escaped
(render.text) and every link between generated pages is computed here, so the site never depends on an
engine's
link rewriting for HTML blocks. Tables carry their filterable values as data attributes; the site's script
(assets/aligncat.js) filters and sorts them and keeps the filter in the URL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from ..load import Catalog
from ..model import RELATION_TYPES, Category, Record
from . import RECORD_SECTIONS, Page, RenderContext, page_source
from .citations import CITATIONS_JSON, bib_path_for_category, bib_path_for_tag, citation_meta, dataset_jsonld
from .citations import formats_available as citation_formats
from .text import browser_relative_url, external_link, h, json_for_script, md_text, relative_url, safe_url

KIND_TITLES = {"paper": "Papers", "dataset": "Datasets", "benchmark": "Benchmarks", "resource": "Resources"}
KIND_SINGULAR = {"paper": "Paper", "dataset": "Dataset", "benchmark": "Benchmark", "resource": "Resource"}
IDENTIFIER_URLS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "doi": "https://doi.org/{}",
    "acl": "https://aclanthology.org/{}",
    "openreview": "https://openreview.net/forum?id={}",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}",
    "isbn": None,
}
HOME = "index.md"
TAXONOMY = "taxonomy/index.md"
ALL_INDEX = "browse/index.md"
COMPARE = "browse/compare-benchmarks.md"
TAGS = "tags/index.md"
NEWS = "new.md"
FEED = "feed.xml"
CITE = "cite.md"


# --- paths --------------------------------------------------------------------------------------------------


def record_path(record_id: str) -> str:
    return f"records/{record_id}.md"


def category_path(category_id: str) -> str:
    return f"taxonomy/{category_id}.md"


def tag_path(tag_id: str) -> str:
    return f"tags/{tag_id}.md"


def kind_index_path(kind: str) -> str:
    return f"browse/{kind}s.md"


def source_copy_path(record: Record) -> str:
    return f"records/{record.id}.yaml"


def front_matter(**values: object) -> str:
    """YAML front matter written as JSON values (JSON is YAML), so no record text can break out of it."""
    import json

    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items() if v is not None]
    return "---\n" + "\n".join(lines) + "\n---\n\n" if lines else ""


def wide(*, toc: bool = False, title: str | None = None) -> str:
    """Front matter that hides the side bars (tables need the room); keeps the table of contents if asked.

    A title is given escaped: the theme prints the front-matter title unescaped in <title> and the header."""
    return front_matter(
        title=h(title) if title else None, hide=["navigation"] if toc else ["navigation", "toc"]
    )


def licence_of(record: Record) -> str | None:
    for attr in ("dataset", "benchmark", "resource"):
        info = getattr(record, attr, None)
        if info is not None and getattr(info, "license", None):
            return info.license
    return None


def protocols_of(record: Record) -> tuple[str, ...]:
    info = getattr(record, "benchmark", None)
    return info.protocol if info is not None else ()


def repo_relative_path(catalog: Catalog, record: Record) -> str:
    """The record's file relative to the repository root (edit_base + this): catalog/papers/x.yaml."""
    root = catalog.root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return (root / record.path).relative_to(folder).as_posix()
    return f"{root.name}/{record.path}"


# --- small pieces -------------------------------------------------------------------------------------------


def record_link(catalog: Catalog, from_page: str, record_id: str, text: str | None = None) -> str:
    """HTML link to a record page, or the escaped id when the record does not exist (yet)."""
    record = catalog.records.get(record_id)
    if record is None:
        return f'<span class="ac-missing" title="no such record in the catalog">{h(text or record_id)}</span>'
    return f'<a href="{relative_url(from_page, record_path(record_id))}">{h(text or record.title)}</a>'


def category_link(catalog: Catalog, from_page: str, category_id: str) -> str:
    cat = catalog.taxonomy.categories.get(category_id)
    if cat is None:
        return f'<span class="ac-missing">{h(category_id)}</span>'
    return f'<a href="{relative_url(from_page, category_path(category_id))}">{h(cat.title)}</a>'


def category_trail(catalog: Catalog, category_id: str) -> str:
    return " › ".join(c.title for c in catalog.taxonomy.ancestors(category_id))


def tag_title(catalog: Catalog, tag_id: str) -> str:
    tag = catalog.tags.get(tag_id)
    return tag.title if tag else tag_id


def tag_link(catalog: Catalog, from_page: str, tag_id: str) -> str:
    return (
        f'<a class="ac-tag" href="{relative_url(from_page, tag_path(tag_id))}">'
        f"{h(tag_title(catalog, tag_id))}</a>"
    )


def goal_badge(catalog: Catalog, level_id: str) -> str:
    level = catalog.taxonomy.goal_level(level_id)
    if level is None:
        return ""
    colour = f' style="--ac-level:{h(level.color)}"' if level.color else ""
    return f'<span class="ac-level"{colour}>{h(level.title)}</span>'


def authors_text(record: Record, limit: int | None = None) -> str:
    names = list(record.display_authors)
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + " et al."
    return ", ".join(names)


def download_link(from_page: str, target: str, text: str, filename: str | None = None) -> str:
    name = f' download="{h(filename)}"' if filename else " download"
    return f'<a class="md-button ac-download" href="{relative_url(from_page, target)}"{name}>{h(text)}</a>'


# --- the filterable record table ----------------------------------------------------------------------------

TABLE_COLUMNS = {
    "title": "Title",
    "year": "Year",
    "kind": "Kind",
    "authors": "Authors",
    "goal": "Goal level",
    "tags": "Tags",
    "license": "Licence",
    "protocol": "Protocol",
    "venue": "Venue",
}


def record_table(
    catalog: Catalog,
    page: str,
    records: Iterable[Record],
    *,
    columns: Iterable[str],
    filters: Iterable[str] = (),
    table_id: str = "records",
    export: bool = True,
) -> str:
    """An HTML table of records, each row carrying its filterable values, with a filter form above it.

    Filters: year (range), goal, perspective, kind, tag, license, protocol, and a text box. The script keeps
    the filter in the URL's query string (?goal=...&tag=...) so a filtered view can be shared.
    """
    rows = sorted(records, key=lambda r: (-r.year, r.title.lower()))
    columns = list(columns)
    filters = list(filters)
    out = []
    if filters:
        out.append(_filter_form(catalog, rows, filters, table_id, page, export))
    out.append(
        f'<p class="ac-count" id="{table_id}-count" aria-live="polite" data-search-exclude>'
        f"{len(rows)} records</p>"
    )
    head = "".join(
        f'<th scope="col" class="ac-col-{c}" data-sort="{c}"><button type="button" class="ac-sort">'
        f"{TABLE_COLUMNS[c]}</button></th>"
        for c in columns
    )
    out.append(
        '<div class="ac-table-wrap" data-search-exclude>'
        f'<table class="ac-index" id="{table_id}" data-filterable>'
        f"<thead><tr>{head}</tr></thead><tbody>"
    )
    for r in rows:
        data = {
            "id": r.id,
            "year": str(r.year),
            "kind": r.kind,
            "goal": " ".join(catalog.goal_levels_of(r)),
            "perspective": " ".join(catalog.perspectives_of(r)),
            "tag": " ".join(r.tags),
            "license": licence_of(r) or "",
            "protocol": " ".join(protocols_of(r)),
            "text": " ".join(
                [r.title, r.short_name or "", *r.aliases, *r.display_authors, r.venue or ""]
            ).lower(),
        }
        attrs = " ".join(f'data-{k}="{h(v)}"' for k, v in data.items())
        cells = []
        for c in columns:
            if c == "title":
                extra = (
                    f' <span class="ac-short">({h(r.short_name)})</span>'
                    if r.short_name and r.short_name.lower() not in r.title.lower()
                    else ""
                )
                cells.append(
                    f'<td data-value="{h(r.title.lower())}">{record_link(catalog, page, r.id)}{extra}</td>'
                )
            elif c == "year":
                cells.append(f'<td data-value="{r.year}">{r.year}</td>')
            elif c == "kind":
                cells.append(f'<td class="ac-col-kind">{KIND_SINGULAR[r.kind]}</td>')
            elif c == "authors":
                cells.append(f'<td class="ac-col-authors">{h(authors_text(r, 3))}</td>')
            elif c == "goal":
                cells.append(
                    "<td>" + " ".join(goal_badge(catalog, g) for g in catalog.goal_levels_of(r)) + "</td>"
                )
            elif c == "tags":
                cells.append(
                    '<td class="ac-col-tags">'
                    + " ".join(tag_link(catalog, page, t) for t in r.tags)
                    + "</td>"
                )
            elif c == "license":
                cells.append(f"<td>{h(licence_of(r) or '')}</td>")
            elif c == "protocol":
                cells.append(f"<td>{h(', '.join(protocols_of(r)))}</td>")
            elif c == "venue":
                cells.append(f'<td class="ac-col-venue">{h(r.venue or "")}</td>')
        out.append(f"<tr {attrs}>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out) + "\n"


def _filter_form(
    catalog: Catalog, rows: list[Record], filters: list[str], table_id: str, page: str, export: bool
) -> str:
    def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
        if len(options) < 1:
            return ""
        opts = "".join(f'<option value="{h(v)}">{h(t)}</option>' for v, t in options)
        return (
            f'<label>{h(label)} <select name="{name}" data-filter="{name}">'
            f'<option value="">any</option>{opts}</select></label>'
        )

    parts = [
        f'<form class="ac-filters" data-for="{table_id}" aria-label="Filter the table" data-search-exclude>',
        '<label>Text <input type="search" name="q" data-filter="q" '
        'placeholder="title, author, venue"></label>',
    ]
    years = sorted({r.year for r in rows})
    if "year" in filters and years:
        parts.append(
            f'<label>From <input type="number" name="from" data-filter="from" min="{years[0]}" '
            f'max="{years[-1]}" placeholder="{years[0]}" inputmode="numeric"></label>'
        )
        parts.append(
            f'<label>To <input type="number" name="to" data-filter="to" min="{years[0]}" '
            f'max="{years[-1]}" placeholder="{years[-1]}" inputmode="numeric"></label>'
        )
    if "goal" in filters:
        used = {g for r in rows for g in catalog.goal_levels_of(r)}
        parts.append(
            select(
                "goal", "Goal level", [(g.id, g.title) for g in catalog.taxonomy.goal_levels if g.id in used]
            )
        )
    if "perspective" in filters:
        used = {p for r in rows for p in catalog.perspectives_of(r)}
        parts.append(
            select(
                "perspective",
                "Perspective",
                [(p.id, p.title) for p in catalog.taxonomy.perspectives if p.id in used],
            )
        )
    if "kind" in filters:
        used = {r.kind for r in rows}
        parts.append(select("kind", "Kind", [(k, KIND_SINGULAR[k]) for k in KIND_TITLES if k in used]))
    if "tag" in filters:
        used = sorted({t for r in rows for t in r.tags}, key=lambda t: tag_title(catalog, t).lower())
        parts.append(select("tag", "Tag", [(t, tag_title(catalog, t)) for t in used]))
    if "license" in filters:
        used = sorted({lic for r in rows if (lic := licence_of(r))})
        if used:
            parts.append(select("license", "Licence", [(x, x) for x in used]))
    if "protocol" in filters:
        used = sorted({p for r in rows for p in protocols_of(r)})
        if used:
            parts.append(select("protocol", "Protocol", [(x, x) for x in used]))
    parts.append('<button type="reset" class="md-button ac-reset">Clear filters</button>')
    if export and citation_formats():
        data_url = browser_relative_url(page, CITATIONS_JSON)  # read by the script, not rewritten
        parts.append(
            f'<span class="ac-export" data-citations="{h(data_url)}">Export this view: '
            '<button type="button" class="md-button" data-export="bibtex">BibTeX</button> '
            '<button type="button" class="md-button" data-export="csl-json">CSL-JSON</button></span>'
        )
    parts.append("</form>")
    return "".join(parts)


# --- pages --------------------------------------------------------------------------------------------------


def _counts(catalog: Catalog) -> dict[str, int]:
    return {k: len(catalog.by_kind.get(k, ())) for k in KIND_TITLES}


@page_source
def home_page(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    info = catalog.info
    tax = catalog.taxonomy
    counts = _counts(catalog)
    lines = [wide(toc=True), f"# {md_text(info.title)}", ""]
    if info.description:
        # catalog.yaml is the maintainers' own text (not a record): its Markdown is rendered as written.
        lines += [info.description.strip(), ""]
    stats = " · ".join(
        f'<a href="{relative_url(HOME, kind_index_path(k))}"><strong>{n}</strong> '
        f"{KIND_TITLES[k].lower()}</a>"
        for k, n in counts.items()
        if n
    )
    relations = sum(len(r.relations) for r in catalog.records.values())
    lines += [f'<p class="ac-stats">{stats} · <strong>{relations}</strong> relations</p>', ""]
    if tax.goal_levels:
        lines += ["## Goal levels", ""]
        lines.append(
            "From the most explicit to the most intrinsic, the catalog sorts works by what they align a "
            "model with:"
        )
        lines.append("")
        cards = ['<div class="ac-levels">']
        for i, level in enumerate(tax.goal_levels):
            members = [r for r in catalog.records.values() if level.id in catalog.goal_levels_of(r)]
            cats = [
                c
                for c in tax.categories.values()
                if c.scheme == tax.primary.id
                and c.goal_level == level.id
                and (c.parent is None or tax.categories[c.parent].goal_level != level.id)
            ]
            links = " · ".join(
                f'<a href="{relative_url(HOME, category_path(c.id))}">'
                f"{h(tax.categories[c.parent].title + ': ' if c.parent else '')}{h(c.title)}</a>"
                for c in cats
            )
            colour = f' style="--ac-level:{h(level.color)}"' if level.color else ""
            cards.append(
                f'<section class="ac-level-card"{colour}><h3 id="level-{h(level.id)}">{i + 1}. '
                f"{h(level.title)}</h3><p>{h(level.description or '')}</p>"
                f'<p class="ac-level-count"><a href="{relative_url(HOME, ALL_INDEX)}?goal={quote(level.id)}">'
                f"<strong>{len(members)}</strong> records</a></p>"
                f"<p>{links}</p></section>"
            )
            if i < len(tax.goal_levels) - 1:
                cards.append('<div class="ac-level-arrow" aria-hidden="true">→</div>')
        cards.append("</div>")
        lines += ["\n".join(cards), ""]
    if tax.perspectives:
        lines += ["## Perspectives", ""]
        for p in tax.perspectives:
            n = sum(1 for r in catalog.records.values() if p.id in catalog.perspectives_of(r))
            desc = f": {md_text(p.description)}" if p.description else ""
            lines.append(f"- **{md_text(p.title)}** ({n} records){desc}")
        lines.append("")
    lines += ["## Explore", ""]
    lines.append(f"- [The taxonomy]({TAXONOMY}): every category, with its records.")
    lines.append(
        f"- [All records]({ALL_INDEX}): one table to filter by year, goal level, perspective, kind, tag "
        "and licence; the filter stays in the address so a view can be shared."
    )
    if counts["benchmark"]:
        lines.append(f"- [Benchmark comparison]({COMPARE}): what each benchmark evaluates, and how.")
    lines.append(f"- [Tags]({TAGS}) · [What's new]({NEWS}) · [How to cite]({CITE})")
    lines.append("")
    recent = sorted(
        (r for r in catalog.records.values() if r.added), key=lambda r: (r.added, r.id), reverse=True
    )[:5]
    if recent:
        lines += ["## Recently added", ""]
        lines.append(
            "<ul data-search-exclude>"
            + "".join(
                f"<li>{record_link(catalog, HOME, r.id)} ({r.year}), added {h(r.added)}</li>" for r in recent
            )
            + "</ul>"
        )
        lines.append("")
    yield Page(HOME, "\n".join(lines), title="Home")


def _category_counts(catalog: Catalog) -> dict[str, int]:
    return {cid: len(catalog.in_category(cid)) for cid in catalog.taxonomy.categories}


def _tree_html(catalog: Catalog, page: str, roots: Iterable[str], counts: dict[str, int]) -> str:
    tax = catalog.taxonomy

    def node(cid: str) -> str:
        c = tax.categories[cid]
        label = (
            f'<a href="{relative_url(page, category_path(cid))}">{h(c.title)}</a> '
            f'<span class="ac-n" title="records in it or below">{counts[cid]}</span>'
        )
        badge = (
            goal_badge(catalog, c.goal_level)
            if c.goal_level and (c.parent is None or tax.categories[c.parent].goal_level != c.goal_level)
            else ""
        )
        if not c.children:
            return f"<li>{label} {badge}</li>"
        kids = "".join(node(k) for k in c.children)
        # The link stays outside <summary>: a link inside the toggle would be a control inside a control.
        return (
            f'<li>{label} {badge}<details open><summary><span class="ac-sub">{len(c.children)} '
            f"sub-categories</span></summary><ul>{kids}</ul></details></li>"
        )

    return '<ul class="ac-tree">' + "".join(node(r) for r in roots) + "</ul>"


@page_source
def taxonomy_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    tax = catalog.taxonomy
    counts = _category_counts(catalog)
    lines = [wide(toc=True), "# Taxonomy", ""]
    if tax.goal_levels and tax.perspectives:
        lines.append(
            "Each cell holds the categories of one goal level seen from one perspective; click one to see "
            "its records. The full trees follow."
        )
        lines.append("")
        grid = [
            '<div class="ac-table-wrap" data-search-exclude><table class="ac-grid"><thead><tr>'
            '<th scope="col">Goal level</th>'
        ]
        grid += [f'<th scope="col">{h(p.title)}</th>' for p in tax.perspectives]
        grid.append("</tr></thead><tbody>")
        for level in tax.goal_levels:
            colour = f' style="--ac-level:{h(level.color)}"' if level.color else ""
            grid.append(f'<tr><th scope="row" class="ac-grid-level"{colour}>{h(level.title)}</th>')
            for p in tax.perspectives:
                cats = [
                    c
                    for c in tax.categories.values()
                    if c.scheme == tax.primary.id and c.goal_level == level.id and c.perspective == p.id
                ]
                top = [c for c in cats if c.parent is None or tax.categories[c.parent].goal_level != level.id]
                cell = []
                for c in top:
                    subs = [s for s in tax.descendants(c.id)]
                    sub_html = "".join(
                        f'<li><a href="{relative_url(TAXONOMY, category_path(s.id))}">{h(s.title)}'
                        f'</a> <span class="ac-n">{counts[s.id]}</span></li>'
                        for s in subs
                    )
                    cell.append(
                        f'<a class="ac-cell-head" href="{relative_url(TAXONOMY, category_path(c.id))}">'
                        f'{h(c.title)}</a> <span class="ac-n">{counts[c.id]}</span>'
                        + (f"<ul>{sub_html}</ul>" if sub_html else "")
                    )
                in_cell = sum(
                    1
                    for r in catalog.records.values()
                    if level.id in catalog.goal_levels_of(r) and p.id in catalog.perspectives_of(r)
                )
                if in_cell:  # the same slice as a shareable, filterable table
                    query = f"?goal={quote(level.id)}&perspective={quote(p.id)}"
                    browse = relative_url(TAXONOMY, ALL_INDEX) + query
                    cell.append(f'<p class="ac-cell-all"><a href="{h(browse)}">All {in_cell} records</a></p>')
                grid.append(f'<td data-label="{h(p.title)}">{"".join(cell)}</td>')
            grid.append("</tr>")
        grid.append("</tbody></table></div>")
        lines += ["".join(grid), ""]
    for scheme in tax.schemes:
        lines += [f"## {md_text(scheme.title)}", ""]
        if scheme.description:
            lines += [f"<p>{h(scheme.description)}</p>", ""]
        lines += [_tree_html(catalog, TAXONOMY, scheme.roots, counts), ""]
    yield Page(TAXONOMY, "\n".join(lines), title="Taxonomy")
    for c in tax.categories.values():
        yield Page(category_path(c.id), _category_page(catalog, c, counts))


def _category_page(catalog: Catalog, c: Category, counts: dict[str, int]) -> str:
    tax = catalog.taxonomy
    page = category_path(c.id)
    scheme = next(s for s in tax.schemes if s.id == c.scheme)
    trail = [f'<a href="{relative_url(page, TAXONOMY)}">Taxonomy</a>', h(scheme.title)]
    trail += [category_link(catalog, page, a.id) for a in tax.ancestors(c.id)[:-1]]
    lines = [
        wide(title=c.title),
        f'<nav class="ac-trail" aria-label="Breadcrumb">{" › ".join(trail)}</nav>',
        "",
        f"# {md_text(c.title)}",
        "",
    ]
    facts = []
    if c.goal_level:
        facts.append(f"Goal level: {goal_badge(catalog, c.goal_level)}")
    if c.perspective:
        p = next((p for p in tax.perspectives if p.id == c.perspective), None)
        facts.append(f"Perspective: {h(p.title if p else c.perspective)}")
    if c.section:
        facts.append(f"Survey section: {h(c.section)}")
    if c.maps_to:
        facts.append("Corresponds to: " + ", ".join(category_link(catalog, page, m) for m in c.maps_to))
    if facts:
        lines += ['<p class="ac-facts">' + " · ".join(facts) + "</p>", ""]
    if c.description:
        lines += [f"<p>{h(c.description)}</p>", ""]
    if c.children:
        lines += ["## Sub-categories", ""]
        lines += [
            "<ul>"
            + "".join(
                f'<li>{category_link(catalog, page, k)} <span class="ac-n">{counts[k]}</span></li>'
                for k in c.children
            )
            + "</ul>",
            "",
        ]
    records = catalog.in_category(c.id)
    lines += ["## Records", ""]
    if records:
        if citation_formats():
            lines += [
                "<p>"
                + download_link(page, bib_path_for_category(c.id), "Download these as BibTeX", f"{c.id}.bib")
                + "</p>",
                "",
            ]
        lines.append(
            record_table(
                catalog,
                page,
                records,
                columns=("title", "year", "kind", "authors", "tags"),
                filters=("year", "kind", "tag"),
                export=False,
            )
        )
    else:
        lines += ["<p>No record is filed here yet.</p>", ""]
    return "\n".join(lines)


@page_source
def index_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    all_records = list(catalog.records.values())
    lines = [
        wide(),
        "# All records",
        "",
        "<p>Filter by any column; the address bar keeps the filter, so a filtered view can be shared or "
        "bookmarked. Click a column title to sort.</p>",
        "",
        record_table(
            catalog,
            ALL_INDEX,
            all_records,
            columns=("title", "year", "kind", "authors", "goal", "tags"),
            filters=("year", "goal", "perspective", "kind", "tag", "license", "protocol"),
        ),
    ]
    yield Page(ALL_INDEX, "\n".join(lines), title="Browse")
    for kind, title in KIND_TITLES.items():
        records = catalog.by_kind.get(kind, ())
        if not records and kind == "resource":
            continue
        columns = ["title", "year", "authors", "goal", "tags"]
        filters = ["year", "goal", "perspective", "tag"]
        if kind in ("dataset", "benchmark", "resource"):
            columns.insert(4, "license")
            filters.append("license")
        if kind == "benchmark":
            columns.insert(4, "protocol")
            filters.append("protocol")
        if kind == "paper":
            columns.insert(3, "venue")
        lines = [
            wide(),
            f"# {title}",
            "",
            record_table(catalog, kind_index_path(kind), records, columns=columns, filters=filters),
        ]
        yield Page(kind_index_path(kind), "\n".join(lines))


@page_source
def benchmark_comparison(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    benches = sorted(catalog.by_kind.get("benchmark", ()), key=lambda r: r.label.lower())
    if not benches:
        return
    page = COMPARE
    head = [
        "Benchmark",
        "Year",
        "Evaluates",
        "Goal level",
        "Protocol",
        "Metrics",
        "Judge",
        "Size",
        "Languages",
        "Licence",
    ]
    keys = [
        "title",
        "year",
        "evaluates",
        "goal",
        "protocol",
        "metrics",
        "judge",
        "size",
        "languages",
        "license",
    ]
    rows = []
    for r in benches:
        b = r.benchmark
        cells = [
            f'<td data-value="{h(r.label.lower())}">{record_link(catalog, page, r.id, r.label)}</td>',
            f'<td data-value="{r.year}">{r.year}</td>',
        ]
        if b is None:
            cells += ["<td></td>"] * 8
        else:
            cells += [
                f"<td>{h(b.evaluates or '')}</td>",
                "<td>" + " ".join(goal_badge(catalog, g) for g in catalog.goal_levels_of(r)) + "</td>",
                f"<td>{h(', '.join(b.protocol))}</td>",
                f"<td>{h(', '.join(b.metrics))}</td>",
                f"<td>{h(b.judge or '')}</td>",
                f'<td data-value="{b.instances or 0}">'
                f"{h(b.size or (str(b.instances) if b.instances else ''))}"
                "</td>",
                f"<td>{h(', '.join(b.languages))}</td>",
                f"<td>{h(b.license or '')}</td>",
            ]
        data = (
            f'data-id="{h(r.id)}" data-year="{r.year}" data-kind="benchmark" '
            f'data-goal="{h(" ".join(catalog.goal_levels_of(r)))}" '
            f'data-protocol="{h(" ".join(protocols_of(r)))}" data-license="{h(licence_of(r) or "")}" '
            f'data-text="{h((r.title + " " + (r.short_name or "") + " " + " ".join(r.aliases)).lower())}"'
        )
        rows.append(f"<tr {data}>{''.join(cells)}</tr>")
    header = "".join(
        f'<th scope="col" data-sort="{k}"><button type="button" class="ac-sort">{t}</button></th>'
        for k, t in zip(keys, head, strict=True)
    )
    table = (
        '<div class="ac-table-wrap" data-search-exclude>'
        '<table class="ac-index ac-compare" id="compare" data-filterable>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    lines = [
        wide(),
        "# Benchmark comparison",
        "",
        f"<p>{len(benches)} benchmarks side by side: what each evaluates and how. "
        "Click a column title to sort.</p>",
        "",
        _filter_form(catalog, benches, ["year", "goal", "protocol", "license"], "compare", page, export=True),
        f'<p class="ac-count" id="compare-count" aria-live="polite" data-search-exclude>{len(benches)} '
        "records</p>",
        table,
        "",
    ]
    yield Page(page, "\n".join(lines), title="Benchmarks")


@page_source
def tag_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    used = {t for r in catalog.records.values() for t in r.tags}
    ordered = sorted(used, key=lambda t: tag_title(catalog, t).lower())
    lines = ["# Tags", ""]
    items = []
    for t in ordered:
        tag = catalog.tags.get(t)
        desc = f" — {h(tag.description)}" if tag and tag.description else ""
        items.append(
            f'<li>{tag_link(catalog, TAGS, t)} <span class="ac-n">{len(catalog.by_tag.get(t, ()))}'
            f"</span>{desc}</li>"
        )
    lines += ['<ul class="ac-tag-list">' + "".join(items) + "</ul>", ""]
    yield Page(TAGS, "\n".join(lines), title="Tags")
    for t in ordered:
        page = tag_path(t)
        tag = catalog.tags.get(t)
        body = [
            wide(title=tag_title(catalog, t)),
            '<nav class="ac-trail" aria-label="Breadcrumb">'
            f'<a href="{relative_url(page, TAGS)}">Tags</a></nav>',
            "",
            f"# {md_text(tag_title(catalog, t))}",
            "",
        ]
        if tag and tag.description:
            body += [f"<p>{h(tag.description)}</p>", ""]
        if citation_formats():
            body += [
                f"<p>{download_link(page, bib_path_for_tag(t), 'Download these as BibTeX', f'{t}.bib')}</p>",
                "",
            ]
        body.append(
            record_table(
                catalog,
                page,
                catalog.by_tag.get(t, ()),
                columns=("title", "year", "kind", "authors", "goal"),
                filters=("year", "kind", "goal"),
                export=False,
            )
        )
        yield Page(page, "\n".join(body))


def _feed(catalog: Catalog, records: list[Record]) -> str:
    from html import escape as x

    base = (catalog.info.site_url or "").rstrip("/") + "/" if catalog.info.site_url else ""
    updated = max((r.added for r in records), default="1970-01-01")
    feed_id = (base + FEED) if base else f"tag:aligncat.invalid,2000:{catalog.info.title}"
    entries = []
    for r in records:
        link = base + f"records/{r.id}/" if base else f"records/{r.id}/"
        authors = "".join(f"<author><name>{x(a)}</name></author>" for a in r.display_authors[:10])
        summary = f"<summary>{x(r.summary)}</summary>" if r.summary else ""
        entry_id = link if base else f"tag:aligncat.invalid,{r.added}:{r.id}"  # an id must be absolute
        entries.append(
            f"<entry><title>{x(r.title)}</title><id>{x(entry_id)}</id>"
            f'<link href="{x(link)}"/><updated>{x(r.added or updated)}T00:00:00Z</updated>'
            f"{authors}{summary}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{x(catalog.info.title)}: new records</title><id>{x(feed_id)}</id>"
        f"<updated>{x(updated)}T00:00:00Z</updated><author><name>{x(catalog.info.title)}</name></author>"
        f'<link rel="self" href="{x(base + FEED if base else FEED)}"/>' + "".join(entries) + "</feed>\n"
    )


@page_source
def news_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    records = sorted(
        (r for r in catalog.records.values() if r.added), key=lambda r: (r.added, r.id), reverse=True
    )
    lines = [
        "# What's new",
        "",
        "<p>Records by the date they were added. "
        f'<a href="{relative_url(NEWS, FEED)}" type="application/atom+xml">'
        "Subscribe to the Atom feed</a>.</p>",
        "",
    ]
    by_month: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_month[r.added[:7]].append(r)
    for month, items in by_month.items():
        lines += [f"## {md_text(month)}", ""]
        lines.append(
            "<ul data-search-exclude>"
            + "".join(
                f"<li>{h(r.added)}: {record_link(catalog, NEWS, r.id)} ({r.year}, "
                f"{KIND_SINGULAR[r.kind].lower()})</li>"
                for r in items
            )
            + "</ul>"
        )
        lines.append("")
    yield Page(NEWS, "\n".join(lines), title="What's new")
    yield Page(FEED, _feed(catalog, records[:100]))


# --- record pages -------------------------------------------------------------------------------------------


def _identifier_html(scheme: str, value: str) -> str:
    pattern = IDENTIFIER_URLS.get(scheme)
    text = f"{scheme}: {value}"
    if pattern:
        from urllib.parse import quote

        return external_link(pattern.format(quote(value, safe="/:.-_")), text)
    return h(text)


def _relations_html(catalog: Catalog, record: Record, page: str) -> str:
    out_groups: dict[str, list[str]] = defaultdict(list)
    for rel in record.relations:
        rt = RELATION_TYPES.get(rel.type)
        why = f' <span class="ac-why">— {h(rel.reason)}</span>' if rel.reason else ""
        out_groups[rt.label if rt else rel.type].append(
            f"<li>{record_link(catalog, page, rel.target)}{why}</li>"
        )
    in_groups: dict[str, list[str]] = defaultdict(list)
    for source, rel in sorted(catalog.incoming(record.id), key=lambda x: (x[0].year, x[0].id)):
        rt = RELATION_TYPES.get(rel.type)
        why = f' <span class="ac-why">— {h(rel.reason)}</span>' if rel.reason else ""
        in_groups[rt.inverse_label if rt else rel.type].append(
            f"<li>{record_link(catalog, page, source.id)} ({source.year}){why}</li>"
        )
    parts = []
    if out_groups:
        parts.append('<div class="ac-rel ac-rel-out"><h3 id="relations-out">This work</h3>')
        for label, items in out_groups.items():
            parts.append(f'<p class="ac-rel-label">{h(label)}</p><ul>{"".join(items)}</ul>')
        parts.append("</div>")
    if in_groups:
        parts.append('<div class="ac-rel ac-rel-in"><h3 id="relations-in">Other works</h3>')
        for label, items in in_groups.items():
            parts.append(
                f'<p class="ac-rel-label">{h(label[:1].upper() + label[1:])}</p><ul>{"".join(items)}</ul>'
            )
        parts.append("</div>")
    return "".join(parts)


def _categories_html(catalog: Catalog, record: Record, page: str) -> str:
    """The record's categories as trails from their roots, grouped under each taxonomy scheme's title."""
    tax = catalog.taxonomy
    by_scheme: dict[str, list[str]] = defaultdict(list)
    for cid in record.categories:
        cat = tax.categories.get(cid)
        trail = " › ".join(category_link(catalog, page, a.id) for a in tax.ancestors(cid)) if cat else h(cid)
        by_scheme[cat.scheme if cat else ""].append(trail)
    if len(by_scheme) == 1:
        return "<br>".join(next(iter(by_scheme.values())))
    titles = {s.id: s.title for s in tax.schemes}
    return "".join(
        f'<span class="ac-scheme">{h(titles.get(sid, "other"))}</span><br>' + "<br>".join(trails) + "<br>"
        for sid, trails in by_scheme.items()
    )


def _info_rows(record: Record) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    d = getattr(record, "dataset", None)
    if d is not None:
        rows += [
            ("Size", d.size or (str(d.instances) if d.instances else "")),
            ("Instances", str(d.instances or "")),
            ("Languages", ", ".join(d.languages)),
            ("Modality", ", ".join(d.modality)),
            ("Licence", d.license or ""),
            ("Construction", ", ".join(d.construction)),
            ("How it was made", d.construction_note or ""),
        ]
    b = getattr(record, "benchmark", None)
    if b is not None:
        rows += [
            ("Evaluates", b.evaluates or ""),
            ("Protocol", ", ".join(b.protocol)),
            ("Metrics", ", ".join(b.metrics)),
            ("Judge", b.judge or ""),
            ("Size", b.size or (str(b.instances) if b.instances else "")),
            ("Languages", ", ".join(b.languages)),
            ("Licence", b.license or ""),
        ]
    res = getattr(record, "resource", None)
    if res is not None:
        rows += [("Resource type", res.type), ("Licence", res.license or "")]
    return [(k, v) for k, v in rows if v]


def render_record_page(catalog: Catalog, record: Record, ctx: RenderContext) -> str:
    page = record_path(record.id)
    meta = citation_meta(catalog, record)
    jsonld = dataset_jsonld(catalog, record, ctx) if record.kind == "dataset" else None
    # The theme prints the front-matter title unescaped (in <title> and the header), so it is given escaped.
    lines = [
        front_matter(
            title=h(record.title),
            aligncat_meta=meta or None,
            aligncat_jsonld=json_for_script(jsonld) if jsonld else None,
            search={"boost": 2},
        )
    ]
    lines += [
        f'<p class="ac-kind">{KIND_SINGULAR[record.kind]} · {record.year}'
        + (f" · {h(record.venue)}" if record.venue else "")
        + "</p>",
        "",
    ]
    lines += [f"# {md_text(record.title)}", ""]
    names = list(dict.fromkeys(n for n in (record.short_name, *record.aliases) if n and n != record.title))
    if names:
        lines += [f'<p class="ac-aka">Also known as: {h(", ".join(names))}</p>', ""]
    if record.authors:
        lines += [f'<p class="ac-authors">{h(authors_text(record))}</p>', ""]
    facts: list[tuple[str, str]] = []
    levels = catalog.goal_levels_of(record)
    if levels:
        facts.append(("Goal level", " ".join(goal_badge(catalog, g) for g in levels)))
    persp = [p.title for p in catalog.taxonomy.perspectives if p.id in catalog.perspectives_of(record)]
    if persp:
        facts.append(("Perspective", h(", ".join(persp))))
    if record.categories:
        facts.append(("Categories", _categories_html(catalog, record, page)))
    if record.tags:
        facts.append(("Tags", " ".join(tag_link(catalog, page, t) for t in record.tags)))
    if record.date or record.year:
        facts.append(("Date", h(record.date or str(record.year))))
    if record.venue:
        facts.append(("Venue", h(record.venue + (f" ({record.venue_type})" if record.venue_type else ""))))
    if record.identifiers:
        facts.append(("Identifiers", " · ".join(_identifier_html(s, v) for s, v in record.identifiers)))
    if record.links:
        facts.append(
            ("Links", " · ".join(external_link(x.url, x.label or x.type.capitalize()) for x in record.links))
        )
    facts += [(k, h(v)) for k, v in _info_rows(record)]
    if record.added:
        facts.append(("Added", h(record.added)))
    lines.append(
        '<dl class="ac-facts-list">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    )
    lines.append("")
    if record.summary:
        lines += ["## Summary", "", f'<p class="ac-summary">{h(" ".join(record.summary.split()))}</p>', ""]
    if record.relations or catalog.incoming(record.id):
        lines += ["## Relations", "", _relations_html(catalog, record, page), ""]
    for _, section in RECORD_SECTIONS:
        text = section(catalog, record, ctx)
        if text:
            lines += [text.rstrip(), ""]
    cite = _cite_block(catalog, record, page)
    if cite:
        lines += ["## Cite", "", cite, ""]
    lines += [_edit_link(catalog, record, ctx, page), ""]
    return "\n".join(lines)


def _cite_block(catalog: Catalog, record: Record, page: str) -> str:
    from .citations import entry_for

    bibtex = entry_for(catalog, record, "bibtex")
    if bibtex is None:
        return ""
    return (
        f'<div class="ac-cite" id="bibtex-{h(record.id)}" data-search-exclude>'
        f'<pre class="ac-bibtex"><code>{h(bibtex.strip())}'
        f'</code></pre><p><button type="button" class="md-button md-button--primary ac-copy" '
        f'data-copy="bibtex-{h(record.id)}">Copy BibTeX</button> '
        f'<span class="ac-copied" role="status" aria-live="polite"></span></p></div>'
    )


def _edit_link(catalog: Catalog, record: Record, ctx: RenderContext, page: str) -> str:
    base = safe_url(ctx.edit_base or catalog.info.edit_base)
    if base:
        url = base + repo_relative_path(catalog, record)
        return (
            f'<p class="ac-edit"><a href="{h(url)}" rel="noopener noreferrer">Edit this record</a> '
            "(its YAML file)</p>"
        )
    return (
        f'<p class="ac-edit"><a href="{relative_url(page, source_copy_path(record))}">'
        "This record's YAML file"
        "</a>: correct it and send the change to the catalog's maintainers.</p>"
    )


@page_source
def record_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    with_copy = not safe_url(ctx.edit_base or catalog.info.edit_base)
    for record in catalog.records.values():
        yield Page(record_path(record.id), render_record_page(catalog, record, ctx))
        if with_copy:
            src = Path(catalog.root) / record.path
            if src.is_file():
                yield Page(source_copy_path(record), src.read_bytes())
