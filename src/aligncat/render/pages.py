"""Render stage, core pages: home, taxonomy and categories, records, index tables, benchmarks, tags, news.

Each page is a template (render/templates/, overridable by a catalog: render/jinja.py) fed by a small view model
built here: plain data with every link between generated pages already computed relative to the page, so the site
never depends on an engine's link rewriting for HTML blocks. Tables carry their filterable values as data
attributes; the site's script (assets/aligncat.js) filters and sorts them and keeps the filter in the URL.

Over 500 lines because it builds the view model of every core page; each page's view model is small and they
share the link and table helpers at the top.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from markupsafe import Markup, escape

from ..load import Catalog
from ..model import RELATION_TYPES, Category, GoalLevel, Record
from . import Page, RenderContext
from .citations import CITATIONS_JSON, bib_path_for_category, bib_path_for_tag, citation_meta, dataset_jsonld
from .citations import formats_available as citation_formats
from .feeds import FEED, category_feed_path, feed_title, tag_feed_path
from .jinja import render
from .text import browser_relative_url, json_for_script, relative_url, safe_url

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
ABOUT = "about.md"
CONTRIBUTE = "contribute.md"
CITE = "cite.md"


class Link(NamedTuple):
    """A link as templates get it: `href` relative to the page (None: the target does not exist), its text."""

    href: str | None
    text: str


class Download(NamedTuple):
    href: str
    text: str
    filename: str | None = None


# --- paths --------------------------------------------------------------------------------------------------


def record_path(record_id: str) -> str:
    return f"records/{record_id}.md"


def category_path(category_id: str) -> str:
    return f"taxonomy/{category_id}.md"


def tag_path(tag_id: str) -> str:
    return f"tags/{tag_id}.md"


def kind_index_path(kind: str) -> str:
    return f"browse/{kind}s.md"


def front_matter(**values: object) -> Markup:
    """YAML front matter written as JSON values (JSON is YAML), so no record text can break out of it."""
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items() if v is not None]
    return Markup("---\n" + "\n".join(lines) + "\n---\n\n" if lines else "")


def wide(*, toc: bool = False, title: str | None = None, feed: list[str] | None = None) -> Markup:
    """Front matter that hides the side bars (tables need the room); keeps the table of contents if asked.

    A title is given escaped: the theme prints the front-matter title unescaped in <title> and the header.
    `feed` is [title, path] of the page's own Atom feed, announced in its head (docs/overrides/main.html)."""
    return front_matter(
        title=str(escape(title)) if title else None,
        hide=["navigation"] if toc else ["navigation", "toc"],
        aligncat_feed=feed,
    )


NOT_STATED = "NOASSERTION"  # SPDX's "the source states no licence"


def licence_text(licence: str | None) -> str:
    """A licence as a reader reads it: SPDX's NOASSERTION is "not stated by the source"."""
    return "not stated by the source" if licence == NOT_STATED else (licence or "")


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


def page(catalog: Catalog, template: str, page_path: str, **variables: object) -> str:
    """Render one page's template (the catalog's override if it has one) with its view model."""
    return render(catalog.root, template, page=page_path, **variables)


# --- small pieces of view models ----------------------------------------------------------------------------


def record_link(catalog: Catalog, from_page: str, record_id: str, text: str | None = None) -> Link:
    """A link to a record page; href None when the record does not exist (yet): the id is shown unlinked."""
    record = catalog.records.get(record_id)
    if record is None:
        return Link(None, text or record_id)
    return Link(relative_url(from_page, record_path(record_id)), text or record.title)


def category_link(catalog: Catalog, from_page: str, category_id: str) -> Link:
    cat = catalog.taxonomy.categories.get(category_id)
    if cat is None:
        return Link(None, category_id)
    return Link(relative_url(from_page, category_path(category_id)), cat.title)


def category_trail(catalog: Catalog, category_id: str) -> str:
    return " › ".join(c.title for c in catalog.taxonomy.ancestors(category_id))


def tag_title(catalog: Catalog, tag_id: str) -> str:
    tag = catalog.tags.get(tag_id)
    return tag.title if tag else tag_id


def tag_link(catalog: Catalog, from_page: str, tag_id: str) -> Link:
    return Link(relative_url(from_page, tag_path(tag_id)), tag_title(catalog, tag_id))


def goal_levels(catalog: Catalog, level_ids: Iterable[str]) -> list[GoalLevel | None]:
    """The goal levels for badges (None for an id the taxonomy does not define: no badge)."""
    return [catalog.taxonomy.goal_level(g) for g in level_ids]


def authors_text(record: Record, limit: int | None = None) -> str:
    names = list(record.display_authors)
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + " et al."
    return ", ".join(names)


def external(url: str | None, text: str) -> Link:
    """A link to another site; href None (the text alone) when the URL is not a safe absolute one."""
    return Link(safe_url(url), text)


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


_VENUE_DETAIL = re.compile(r"[\s,(]*\b(?:(?:19|20)\d{2}\b|\d+\(\d+\)).*$")


def venue_series(venue: str | None) -> str:
    """The venue without its year, volume or track ("NeurIPS 2023 Datasets and Benchmarks Track" -> "NeurIPS",
    "Journal of Machine Learning Research 25(70), 2024" -> "Journal of Machine Learning Research"): what the
    venue filter offers, so one choice finds a conference's every year."""
    if not venue:
        return ""
    return _VENUE_DETAIL.sub("", venue).strip(" ,;:(") or venue.strip()


def record_table(
    catalog: Catalog,
    page_path: str,
    records: Iterable[Record],
    *,
    columns: Iterable[str],
    filters: Iterable[str] = (),
    table_id: str = "records",
    export: bool = True,
) -> dict:
    """The view model of a table of records (record_table.html), each row with its filterable values.

    Filters: year (range), goal, perspective, kind, tag, license, protocol, and a text box. The script keeps
    the filter in the URL's query string (?goal=...&tag=...) so a filtered view can be shared.
    """
    rows = sorted(records, key=lambda r: (-r.year, r.title.lower()))
    columns = list(columns)
    filters = list(filters)
    wanted = set(columns)
    out_rows = []
    for r in rows:
        goals = catalog.goal_levels_of(r)
        data = [
            ("id", r.id),
            ("year", str(r.year)),
            ("kind", r.kind),
            ("goal", " ".join(goals)),
            ("perspective", " ".join(catalog.perspectives_of(r))),
            ("tag", " ".join(r.tags)),
            ("license", licence_of(r) or ""),
            ("protocol", " ".join(protocols_of(r))),
            ("venue", venue_series(r.venue)),
            ("author", "|".join(" ".join(a.split()).lower() for a in r.display_authors)),
            (
                "text",
                " ".join(
                    [r.title, r.short_name or "", *r.aliases, *r.display_authors, r.venue or ""]
                ).lower(),
            ),
        ]
        row = {"data": data, "year": r.year, "kind": KIND_SINGULAR[r.kind]}
        if "title" in wanted:
            row["title"] = record_link(catalog, page_path, r.id)
            row["short"] = (
                r.short_name if r.short_name and r.short_name.lower() not in r.title.lower() else None
            )
        if "authors" in wanted:
            row["authors"] = authors_text(r, 3)
        if "goal" in wanted:
            row["goals"] = goal_levels(catalog, goals)
        if "tags" in wanted:
            row["tags"] = [tag_link(catalog, page_path, t) for t in r.tags]
        row["license"] = licence_text(licence_of(r))
        row["protocol"] = ", ".join(protocols_of(r))
        row["venue"] = r.venue or ""
        out_rows.append(row)
    return {
        "id": table_id,
        "form": filter_form(catalog, rows, filters, table_id, page_path, export) if filters else None,
        "columns": [(c, TABLE_COLUMNS[c]) for c in columns],
        "rows": out_rows,
    }


def filter_form(
    catalog: Catalog, rows: list[Record], filters: list[str], table_id: str, page_path: str, export: bool
) -> dict:
    """The view model of a table's filter form (filter_form.html): the choices its rows offer."""
    selects: list[tuple[str, str, list[tuple[str, str]]]] = []

    def select(name: str, label: str, options: list[tuple[str, str]]) -> None:
        if options:
            selects.append((name, label, options))

    years = sorted({r.year for r in rows})
    if "goal" in filters:
        used = {g for r in rows for g in catalog.goal_levels_of(r)}
        select("goal", "Goal level", [(g.id, g.title) for g in catalog.taxonomy.goal_levels if g.id in used])
    if "perspective" in filters:
        used = {p for r in rows for p in catalog.perspectives_of(r)}
        select(
            "perspective",
            "Perspective",
            [(p.id, p.title) for p in catalog.taxonomy.perspectives if p.id in used],
        )
    if "kind" in filters:
        used = {r.kind for r in rows}
        select("kind", "Kind", [(k, KIND_SINGULAR[k]) for k in KIND_TITLES if k in used])
    if "tag" in filters:
        used = sorted({t for r in rows for t in r.tags}, key=lambda t: tag_title(catalog, t).lower())
        select("tag", "Tag", [(t, tag_title(catalog, t)) for t in used])
    if "license" in filters:
        licences = sorted({lic for lic in map(licence_of, rows) if lic})
        select("license", "Licence", [(x, licence_text(x)) for x in licences])
    if "protocol" in filters:
        select("protocol", "Protocol", [(x, x) for x in sorted({p for r in rows for p in protocols_of(r)})])
    if "venue" in filters:
        series = sorted({v for r in rows if (v := venue_series(r.venue))}, key=str.lower)
        select("venue", "Venue", [(v, v) for v in series])
    return {
        "table_id": table_id,
        "years": (years[0], years[-1]) if "year" in filters and years else None,
        "author": "author" in filters,
        "selects": selects,
        # read by the script, not rewritten by an engine
        "export_url": browser_relative_url(page_path, CITATIONS_JSON)
        if export and citation_formats()
        else None,
    }


# --- pages --------------------------------------------------------------------------------------------------


def _counts(catalog: Catalog) -> dict[str, int]:
    return {k: len(catalog.by_kind.get(k, ())) for k in KIND_TITLES}


def home_page(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    info = catalog.info
    tax = catalog.taxonomy
    counts = _counts(catalog)
    stats = [
        {"href": relative_url(HOME, kind_index_path(k)), "count": n, "noun": KIND_TITLES[k].lower()}
        for k, n in counts.items()
        if n
    ]
    levels = []
    for i, level in enumerate(tax.goal_levels):
        members = sum(1 for r in catalog.records.values() if level.id in catalog.goal_levels_of(r))
        cats = [
            c
            for c in tax.categories.values()
            if c.scheme == tax.primary.id
            and c.goal_level == level.id
            and (c.parent is None or tax.categories[c.parent].goal_level != level.id)
        ]
        levels.append(
            {
                "number": i + 1,
                "level": level,
                "count": members,
                "browse": f"{relative_url(HOME, ALL_INDEX)}?goal={quote(level.id)}",
                "categories": [
                    Link(
                        relative_url(HOME, category_path(c.id)),
                        (tax.categories[c.parent].title + ": " if c.parent else "") + c.title,
                    )
                    for c in cats
                ],
            }
        )
    perspectives = [
        {
            "title": p.title,
            "count": sum(1 for r in catalog.records.values() if p.id in catalog.perspectives_of(r)),
            "description": p.description,
        }
        for p in tax.perspectives
    ]
    recent = sorted(
        (r for r in catalog.records.values() if r.added), key=lambda r: (r.added, r.id), reverse=True
    )[:5]
    text = page(
        catalog,
        "home.md",
        HOME,
        front_matter=wide(toc=True),
        info=info,
        # restricted Markdown, as every description (render.text.description_html): catalog.yaml is a file a
        # pull request can change like any record
        description=info.description.strip() if info.description else None,
        stats=stats,
        relations=sum(len(r.relations) for r in catalog.records.values()),
        levels=levels,
        perspectives=perspectives,
        links={
            "taxonomy": TAXONOMY,
            "browse": ALL_INDEX,
            "compare": COMPARE,
            "tags": TAGS,
            "news": NEWS,
            "cite": CITE,
        },
        has_benchmarks=bool(counts["benchmark"]),
        recent=[{"link": record_link(catalog, HOME, r.id), "year": r.year, "added": r.added} for r in recent],
    )
    yield Page(HOME, text, title="Home")


def _category_counts(catalog: Catalog) -> dict[str, int]:
    return {cid: len(catalog.in_category(cid)) for cid in catalog.taxonomy.categories}


def _tree(catalog: Catalog, page_path: str, roots: Iterable[str], counts: dict[str, int]) -> list[dict]:
    tax = catalog.taxonomy

    def node(cid: str) -> dict:
        c = tax.categories[cid]
        show_level = c.goal_level and (
            c.parent is None or tax.categories[c.parent].goal_level != c.goal_level
        )
        return {
            "href": relative_url(page_path, category_path(cid)),
            "title": c.title,
            "count": counts[cid],
            "badge": tax.goal_level(c.goal_level) if show_level else None,
            "children": [node(k) for k in c.children],
        }

    return [node(r) for r in roots]


def _grid(catalog: Catalog, counts: dict[str, int]) -> dict:
    tax = catalog.taxonomy
    rows = []
    for level in tax.goal_levels:
        cells = []
        for p in tax.perspectives:
            cats = [
                c
                for c in tax.categories.values()
                if c.scheme == tax.primary.id and c.goal_level == level.id and c.perspective == p.id
            ]
            top = [c for c in cats if c.parent is None or tax.categories[c.parent].goal_level != level.id]
            heads = [
                {
                    "href": relative_url(TAXONOMY, category_path(c.id)),
                    "title": c.title,
                    "count": counts[c.id],
                    "subs": [
                        {
                            "href": relative_url(TAXONOMY, category_path(s.id)),
                            "title": s.title,
                            "count": counts[s.id],
                        }
                        for s in tax.descendants(c.id)
                    ],
                }
                for c in top
            ]
            in_cell = sum(
                1
                for r in catalog.records.values()
                if level.id in catalog.goal_levels_of(r) and p.id in catalog.perspectives_of(r)
            )
            browse = None
            if in_cell:  # the same slice as a shareable, filterable table
                query = f"?goal={quote(level.id)}&perspective={quote(p.id)}"
                browse = {"href": relative_url(TAXONOMY, ALL_INDEX) + query, "count": in_cell}
            cells.append({"perspective": p.title, "heads": heads, "browse": browse})
        rows.append({"level": level, "cells": cells})
    return {"perspectives": [p.title for p in tax.perspectives], "rows": rows}


def taxonomy_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    tax = catalog.taxonomy
    counts = _category_counts(catalog)
    text = page(
        catalog,
        "taxonomy.md",
        TAXONOMY,
        front_matter=wide(toc=True),
        grid=_grid(catalog, counts) if tax.goal_levels and tax.perspectives else None,
        schemes=[
            {
                "title": s.title,
                "description": s.description,
                "tree": _tree(catalog, TAXONOMY, s.roots, counts),
            }
            for s in tax.schemes
        ],
    )
    yield Page(TAXONOMY, text, title="Taxonomy")
    for c in tax.categories.values():
        yield Page(category_path(c.id), _category_page(catalog, c, counts))


def _category_page(catalog: Catalog, c: Category, counts: dict[str, int]) -> str:
    tax = catalog.taxonomy
    page_path = category_path(c.id)
    scheme = next(s for s in tax.schemes if s.id == c.scheme)
    trail: list = [Link(relative_url(page_path, TAXONOMY), "Taxonomy"), scheme.title]
    trail += [category_link(catalog, page_path, a.id) for a in tax.ancestors(c.id)[:-1]]
    facts: list[tuple[str, object]] = []
    if c.goal_level:
        facts.append(("goal", tax.goal_level(c.goal_level)))
    if c.perspective:
        p = next((p for p in tax.perspectives if p.id == c.perspective), None)
        facts.append(("perspective", p.title if p else c.perspective))
    if c.section:
        facts.append(("section", c.section))
    if c.maps_to:
        facts.append(("maps_to", [category_link(catalog, page_path, m) for m in c.maps_to]))
    records = catalog.in_category(c.id)
    table = None
    if records:
        table = record_table(
            catalog,
            page_path,
            records,
            columns=("title", "year", "kind", "authors", "tags"),
            filters=("year", "kind", "tag"),
            export=False,
        )
    return page(
        catalog,
        "category.md",
        page_path,
        front_matter=wide(title=c.title, feed=[feed_title(catalog, c.title), category_feed_path(c.id)]),
        feed_href=relative_url(page_path, category_feed_path(c.id)),
        category=c,
        trail=trail,
        facts=facts,
        children=[{"link": category_link(catalog, page_path, k), "count": counts[k]} for k in c.children],
        table=table,
        download=Download(
            relative_url(page_path, bib_path_for_category(c.id)), "Download these as BibTeX", f"{c.id}.bib"
        )
        if records and citation_formats()
        else None,
    )


def index_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    table = record_table(
        catalog,
        ALL_INDEX,
        list(catalog.records.values()),
        columns=("title", "year", "kind", "authors", "venue", "goal", "tags"),
        filters=("year", "goal", "perspective", "kind", "tag", "license", "protocol", "venue", "author"),
    )
    text = page(
        catalog, "listing.md", ALL_INDEX, front_matter=wide(), title="All records", intro=True, table=table
    )
    yield Page(ALL_INDEX, text, title="Browse")
    for kind, title in KIND_TITLES.items():
        records = catalog.by_kind.get(kind, ())
        if not records and kind == "resource":
            continue
        columns = ["title", "year", "authors", "venue", "goal", "tags"]
        filters = ["year", "goal", "perspective", "tag", "venue", "author"]
        if kind in ("dataset", "benchmark", "resource"):
            columns.insert(5, "license")
            filters.append("license")
        if kind == "benchmark":
            columns.insert(5, "protocol")
            filters.append("protocol")
        path = kind_index_path(kind)
        table = record_table(catalog, path, records, columns=columns, filters=filters)
        yield Page(
            path,
            page(catalog, "listing.md", path, front_matter=wide(), title=title, intro=False, table=table),
        )


COMPARE_COLUMNS = [
    ("title", "Benchmark"),
    ("year", "Year"),
    ("evaluates", "Evaluates"),
    ("goal", "Goal level"),
    ("protocol", "Protocol"),
    ("metrics", "Metrics"),
    ("judge", "Judge"),
    ("size", "Size"),
    ("languages", "Languages"),
    ("license", "Licence"),
]


def benchmark_comparison(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    benches = sorted(catalog.by_kind.get("benchmark", ()), key=lambda r: r.label.lower())
    if not benches:
        return
    rows = []
    for r in benches:
        b = r.benchmark
        rows.append(
            {
                "data": [
                    ("id", r.id),
                    ("year", str(r.year)),
                    ("kind", "benchmark"),
                    ("goal", " ".join(catalog.goal_levels_of(r))),
                    ("protocol", " ".join(protocols_of(r))),
                    ("license", licence_of(r) or ""),
                    ("text", (r.title + " " + (r.short_name or "") + " " + " ".join(r.aliases)).lower()),
                ],
                "title": record_link(catalog, COMPARE, r.id, r.label),
                "year": r.year,
                "info": b,
                "goals": goal_levels(catalog, catalog.goal_levels_of(r)),
                "size": (b.size or (str(b.instances) if b.instances else "")) if b is not None else "",
            }
        )
    form = filter_form(catalog, benches, ["year", "goal", "protocol", "license"], "compare", COMPARE, True)
    text = page(
        catalog, "compare.md", COMPARE, front_matter=wide(), form=form, columns=COMPARE_COLUMNS, rows=rows
    )
    yield Page(COMPARE, text, title="Benchmarks")


def tag_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    used = {t for r in catalog.records.values() for t in r.tags}
    ordered = sorted(used, key=lambda t: tag_title(catalog, t).lower())
    tags = []
    for t in ordered:
        tag = catalog.tags.get(t)
        tags.append(
            {
                "link": tag_link(catalog, TAGS, t),
                "count": len(catalog.by_tag.get(t, ())),
                "description": tag.description if tag else None,
                "feed_href": relative_url(TAGS, tag_feed_path(t)),
            }
        )
    yield Page(TAGS, page(catalog, "tags.md", TAGS, tags=tags), title="Tags")
    for t in ordered:
        path = tag_path(t)
        tag = catalog.tags.get(t)
        table = record_table(
            catalog,
            path,
            catalog.by_tag.get(t, ()),
            columns=("title", "year", "kind", "authors", "goal"),
            filters=("year", "kind", "goal"),
            export=False,
        )
        text = page(
            catalog,
            "tag.md",
            path,
            front_matter=wide(
                title=tag_title(catalog, t), feed=[feed_title(catalog, tag_title(catalog, t)), tag_feed_path(t)]
            ),
            feed_href=relative_url(path, tag_feed_path(t)),
            title=tag_title(catalog, t),
            description=tag.description if tag else None,
            tags_href=relative_url(path, TAGS),
            download=Download(relative_url(path, bib_path_for_tag(t)), "Download these as BibTeX", f"{t}.bib")
            if citation_formats()
            else None,
            table=table,
        )
        yield Page(path, text)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def month_title(month: str) -> str:
    """"2026-11" as "November 2026"."""
    year, _, number = month.partition("-")
    return f"{MONTHS[int(number) - 1]} {year}" if number.isdigit() and 1 <= int(number) <= 12 else month


def news_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    records = sorted(
        (r for r in catalog.records.values() if r.added), key=lambda r: (r.added, r.id), reverse=True
    )
    by_month: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_month[r.added[:7]].append(
            {
                "added": r.added,
                "link": record_link(catalog, NEWS, r.id),
                "year": r.year,
                "kind": KIND_SINGULAR[r.kind].lower(),
            }
        )
    months = [{"month": month_title(m), "records": items} for m, items in by_month.items()]
    yield Page(
        NEWS,
        page(
            catalog, "new.md", NEWS, feed_href=relative_url(NEWS, FEED), tags_href=relative_url(NEWS, TAGS),
            months=months,
        ),
        title="What's new",
    )


def _repository_root(catalog: Catalog) -> Path | None:
    root = catalog.root.resolve()
    return next((f for f in (root, *root.parents) if (f / ".git").exists()), None)


def about_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    """The reader's About and Contribute pages: what the catalog is and where it lives; how to add a work or
    correct a record (links to the repository's forms when it is on GitHub)."""
    from urllib.parse import urlsplit

    from ..repository import REPORT_TEMPLATE, folder_url, issue_form_url, source_url

    info = ctx.info or catalog.info
    repo_root = _repository_root(catalog)
    contributing = (
        source_url(info, "CONTRIBUTING.md") if repo_root and (repo_root / "CONTRIBUTING.md").is_file() else None
    )
    catalog_rel = catalog.root.resolve().relative_to(repo_root).as_posix() if repo_root else None
    survey = catalog.records.get(info.survey) if info.survey else None
    counts = _counts(catalog)
    repository = None
    if info.repository:
        parts = urlsplit(info.repository)
        repository = {"href": info.repository, "name": (parts.hostname or "") + parts.path.rstrip("/")}
    about = page(
        catalog,
        "about.md",
        ABOUT,
        info=info,
        description=info.description.strip() if info.description else None,
        survey=record_link(catalog, ABOUT, survey.id) if survey else None,
        counts=[(KIND_TITLES[k].lower(), n) for k, n in counts.items() if n],
        relations=sum(len(r.relations) for r in catalog.records.values()),
        licence=info.license,
        repository=repository,
        contributing=contributing,
        contribute_href=relative_url(ABOUT, CONTRIBUTE),
        cite_href=relative_url(ABOUT, CITE),
        engine_href=folder_url(info, "docs") if repo_root and (repo_root / "docs").is_dir() else None,
        commit=ctx.build.commit[:10] if ctx.build.commit else None,
    )
    yield Page(ABOUT, about, title="About")
    contribute = page(
        catalog,
        "contribute.md",
        CONTRIBUTE,
        propose=issue_form_url(info, "propose-resource.yml")
        if repo_root and (repo_root / ".github" / "ISSUE_TEMPLATE" / "propose-resource.yml").is_file()
        else None,
        report=issue_form_url(info, REPORT_TEMPLATE),
        folder=folder_url(info, catalog_rel) if catalog_rel is not None else None,
        contributing=contributing,
        format_href=source_url(info, "docs/record-format.md")
        if repo_root and (repo_root / "docs" / "record-format.md").is_file()
        else None,
        cite_href=relative_url(CONTRIBUTE, CITE),
    )
    yield Page(CONTRIBUTE, contribute, title="Contribute")


# --- record pages -------------------------------------------------------------------------------------------


def _identifier(scheme: str, value: str) -> Link:
    pattern = IDENTIFIER_URLS.get(scheme)
    text = f"{scheme}: {value}"
    return external(pattern.format(quote(value, safe="/:.-_")), text) if pattern else Link(None, text)


def _relations(catalog: Catalog, record: Record, page_path: str) -> dict:
    outgoing: dict[str, list[dict]] = defaultdict(list)
    for rel in record.relations:
        rt = RELATION_TYPES.get(rel.type)
        outgoing[rt.label if rt else rel.type].append(
            {"link": record_link(catalog, page_path, rel.target), "reason": rel.reason}
        )
    incoming: dict[str, list[dict]] = defaultdict(list)
    for source, rel in sorted(catalog.incoming(record.id), key=lambda x: (x[0].year, x[0].id)):
        rt = RELATION_TYPES.get(rel.type)
        incoming[rt.inverse_label if rt else rel.type].append(
            {"link": record_link(catalog, page_path, source.id), "year": source.year, "reason": rel.reason}
        )
    # what the work builds on, and what builds on it, come first: the lineage is what a reader follows
    first_out = RELATION_TYPES["builds_on"].label if "builds_on" in RELATION_TYPES else None
    first_in = RELATION_TYPES["builds_on"].inverse_label if "builds_on" in RELATION_TYPES else None
    return {
        "outgoing": sorted(outgoing.items(), key=lambda kv: kv[0] != first_out),
        "incoming": sorted(incoming.items(), key=lambda kv: kv[0] != first_in),
    }


def _categories(catalog: Catalog, record: Record, page_path: str) -> list[tuple[str | None, list[list]]]:
    """The record's categories as trails from their roots, grouped under each taxonomy scheme's title (no title
    when there is one scheme)."""
    tax = catalog.taxonomy
    by_scheme: dict[str, list[list]] = defaultdict(list)
    for cid in record.categories:
        cat = tax.categories.get(cid)
        trail = [category_link(catalog, page_path, a.id) for a in tax.ancestors(cid)] if cat else [cid]
        by_scheme[cat.scheme if cat else ""].append(trail)
    if len(by_scheme) == 1:
        return [(None, next(iter(by_scheme.values())))]
    titles = {s.id: s.title for s in tax.schemes}
    return [(titles.get(sid, "other"), trails) for sid, trails in by_scheme.items()]


CATEGORIES_SHOWN = 3  # categories named on the record page's one line; the others behind "more"


def _category_line(catalog: Catalog, record: Record, page_path: str) -> dict:
    """The record's categories as one line (the first few, by name) and, behind "more", every trail from its
    root grouped by scheme (record_facts.html)."""
    tax = catalog.taxonomy
    named: list[Link] = []
    for cid in record.categories:
        link = category_link(catalog, page_path, cid)
        if link not in named:
            named.append(link)
    return {
        "first": named[:CATEGORIES_SHOWN],
        "more": max(0, len(named) - CATEGORIES_SHOWN),
        "trails": _categories(catalog, record, page_path),
        "expandable": len(named) > CATEGORIES_SHOWN or any(len(tax.ancestors(c)) > 1 for c in record.categories),
    }


def _info_rows(record: Record) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    d = getattr(record, "dataset", None)
    if d is not None:
        rows += [
            ("Size", d.size or (str(d.instances) if d.instances else "")),
            ("Instances", str(d.instances or "")),
            ("Languages", ", ".join(d.languages)),
            ("Modality", ", ".join(d.modality)),
            ("Licence", licence_text(d.license)),
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
            ("Licence", licence_text(b.license)),
        ]
    res = getattr(record, "resource", None)
    if res is not None:
        rows += [("Resource type", res.type), ("Licence", licence_text(res.license))]
    return [(k, v) for k, v in rows if v]


def record_facts(catalog: Catalog, record: Record, page_path: str) -> list[tuple[str, str, object]]:
    """The facts list of a record page (record_facts.html): (label, how to show it, value)."""
    facts: list[tuple[str, str, object]] = []
    levels = catalog.goal_levels_of(record)
    if levels:
        facts.append(("Goal level", "badges", goal_levels(catalog, levels)))
    persp = [p.title for p in catalog.taxonomy.perspectives if p.id in catalog.perspectives_of(record)]
    if persp:
        facts.append(("Perspective", "text", ", ".join(persp)))
    if record.categories:
        facts.append(("Categories", "categories", _category_line(catalog, record, page_path)))
    if record.tags:
        facts.append(("Tags", "tags", [tag_link(catalog, page_path, t) for t in record.tags]))
    if record.date or record.year:
        facts.append(("Date", "text", record.date or str(record.year)))
    if record.venue:
        facts.append(
            ("Venue", "text", record.venue + (f" ({record.venue_type})" if record.venue_type else ""))
        )
    if record.identifiers:
        facts.append(("Identifiers", "links", [_identifier(s, v) for s, v in record.identifiers]))
    if record.links:
        facts.append(
            ("Links", "links", [external(x.url, x.label or x.type.capitalize()) for x in record.links])
        )
    facts += [(k, "text", v) for k, v in _info_rows(record)]
    if record.added:
        facts.append(("Added", "text", record.added))
    return facts


def _edit(catalog: Catalog, record: Record, ctx: RenderContext) -> dict:
    """Links to the record's YAML file in the repository (to read or edit it) and to a prefilled error report;
    without a repository, the file's text itself, shown on the page. The site never serves the YAML as a file
    of its own: a file a contributor wrote, on the site's origin, is one `<script src>` away from running
    (docs/security.md)."""
    from ..repository import edit_url, report_url, source_url

    info = ctx.info or catalog.info
    rel = repo_relative_path(catalog, record)
    address = (info.site_url.rstrip("/") + f"/records/{record.id}/") if info.site_url else None
    out: dict = {
        "path": rel,
        "edit": edit_url(info, rel),
        "source": source_url(info, rel),
        "report": report_url(info, record.id, rel, address),
        "text": None,
    }
    if not (out["edit"] or out["source"]):
        try:
            out["text"] = (Path(catalog.root) / record.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    return out


RecordSection = Callable[[Catalog, Record, RenderContext], str]
AUTHORS_SHOWN = 8  # authors named on a record page's first screen; the others behind "and N more"
VERSION_OF_RECORD = ("doi", "acl", "openreview", "pmid")  # identifiers that name a published version


def _actions(record: Record) -> list[Link]:
    """The row of links under a record's title: Paper (the version of record when an identifier or a paper
    link names one, else the paper link), arXiv, PDF, Code, Data, Project; each at most once, http(s) only."""
    ids = dict(record.identifiers)
    by_type: dict[str, list[str]] = defaultdict(list)
    for x in record.links:
        if safe_url(x.url):
            by_type[x.type].append(x.url)
    arxiv = f"https://arxiv.org/abs/{quote(ids['arxiv'], safe='/.')}" if "arxiv" in ids else None
    paper = next(
        (pattern.format(quote(ids[s], safe="/:.-_")) for s in VERSION_OF_RECORD
         if s in ids and (pattern := IDENTIFIER_URLS.get(s))),
        None,
    )
    if paper is None:
        papers = by_type.get("paper", []) + by_type.get("preprint", [])
        paper = next((u for u in papers if "arxiv.org/" not in u), None) or next(iter(papers), None)
    pdf = next(iter(by_type.get("pdf", [])), None)
    if pdf is None and arxiv:
        pdf = f"https://arxiv.org/pdf/{quote(ids['arxiv'], safe='/.')}"
    out = [
        ("Paper", paper),
        ("arXiv", arxiv if arxiv != paper else None),
        ("PDF", pdf),
        ("Code", next(iter(by_type.get("code", [])), None)),
        ("Data", next(iter(by_type.get("data", [])), None)),
        ("Project", next(iter(by_type.get("project", []) + by_type.get("leaderboard", [])), None)),
    ]
    return [external(url, label) for label, url in out if url]


def _cite(catalog: Catalog, record: Record) -> dict | None:
    """The Cite panel: formatted references (APA, IEEE) and the entries to copy (BibTeX, CSL-JSON, RIS), from
    the export stage (export.reference); None when the exports are not available."""
    from .citations import entry_for

    bibtex = entry_for(catalog, record, "bibtex")
    if bibtex is None:
        return None
    try:
        from ..export import reference
    except ImportError:  # pragma: no cover - the export stage always ships it
        reference = None
    styles = []
    entries = [("bibtex", "BibTeX", bibtex.strip())]
    if reference is not None:
        for style in CITE_STYLES:
            try:
                # citeproc's markup is HTML-safe (export.reference: every record character escaped, only <i>,
                # <b>, <sup>, <sub> and a small-caps span)
                styles.append((style, reference.STYLES[style], Markup(reference.formatted(record, catalog, style))))
            except ImportError:
                break
        entries += [("csl-json", "CSL-JSON", reference.entry(record, "csl-json").strip()),
                    ("ris", "RIS", reference.entry(record, "ris").strip())]
    return {"styles": styles, "entries": entries}


CITE_STYLES = ("apa", "ieee")  # formatted references on a record page (each costs citeproc ~2 ms a record)


def render_record_page(
    catalog: Catalog, record: Record, ctx: RenderContext, sections: Iterable[RecordSection] | None = None
) -> str:
    """A record's page (record.md), with the Markdown of the record sections (render.RECORD_SECTIONS)."""
    from . import record_sections
    from .citations import entry_for
    from .search_terms import search_terms

    page_path = record_path(record.id)
    meta = citation_meta(catalog, record)
    jsonld = dataset_jsonld(catalog, record, ctx) if record.kind == "dataset" else None
    names = list(dict.fromkeys(n for n in (record.short_name, *record.aliases) if n and n != record.title))
    added = []
    for section in record_sections() if sections is None else sections:
        text = section(catalog, record, ctx)
        if text:
            added.append(Markup(text.rstrip()))
    bibtex = entry_for(catalog, record, "bibtex")
    authors = list(record.display_authors)
    return page(
        catalog,
        "record.md",
        page_path,
        # The theme prints the front-matter title unescaped (in <title> and the header), so it is given escaped.
        front_matter=front_matter(
            title=str(escape(record.title)),
            aligncat_meta=meta or None,
            aligncat_jsonld=json_for_script(jsonld) if jsonld else None,
            search={"boost": 2},
            # lunr's most weighted field (search_terms.py): the short name, aliases, id and authors. Escaped as
            # the title is: Zensical prints front-matter tags into the page unescaped (md-tags)
            tags=[str(escape(t)) for t in search_terms(record).all] or None,
        ),
        record=record,
        kind=KIND_SINGULAR[record.kind],
        names=names,
        authors=authors[:AUTHORS_SHOWN],
        more_authors=authors[AUTHORS_SHOWN:],
        actions=_actions(record),
        cite=_cite(catalog, record),
        facts=record_facts(catalog, record, page_path),
        relations=_relations(catalog, record, page_path)
        if record.relations or catalog.incoming(record.id)
        else None,
        sections=added,
        bibtex=bibtex.strip() if bibtex is not None else None,
        edit=_edit(catalog, record, ctx),
    )


def record_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    from . import record_sections

    sections = record_sections()
    for record in catalog.records.values():
        yield Page(record_path(record.id), render_record_page(catalog, record, ctx, sections))


def _filter_value(text: str) -> str:
    # Pagefind reads "key:value" and splits several filters at commas: keep values free of commas.
    return " ".join(text.replace(",", " ").split())


def search_filters(catalog: Catalog, record: Record, ctx: RenderContext) -> str:
    from .search_terms import AUTHOR_WEIGHT, NAME_WEIGHT, search_terms

    """Invisible markers giving Pagefind the record's kind, year and goal levels as search filters (a record
    section; harmless with lunr, which does not read them)."""
    levels = {g.id: g.title for g in catalog.taxonomy.goal_levels}
    pairs = [("kind", record.kind), ("year", str(record.year))]
    pairs += [("goal level", levels.get(g, g)) for g in catalog.goal_levels_of(record)]
    terms = search_terms(record)
    return render(
        catalog.root,
        "record_search_filters.html",
        filters=[(k, _filter_value(v)) for k, v in pairs],
        terms=terms,
        name_weight=NAME_WEIGHT,
        author_weight=AUTHOR_WEIGHT,
    )
