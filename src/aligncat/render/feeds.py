"""Render stage, feeds: the catalog's Atom feed of new records, and one per category and per tag, so a
reader can follow "new reward-model benchmarks" in a feed reader.

A feed's id is its own address when the site's address is known (`site_url`); without it, a `urn:uuid:` made
from the repository's address (or the catalog's title) and the feed's path, the same on every build. Entry links
are absolute with `site_url`, else relative to the feed's own address (which Atom resolves against it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator

from ..load import Catalog
from ..model import CatalogInfo, Record
from . import Page, RenderContext
from .jinja import render
from .text import browser_relative_url

FEED = "feed.xml"
FEED_LIMIT = 100  # entries per feed: the most recently added records


# Every feed sits at the site's root: the theme (mkdocs-material) fetches `sitemap.xml` from the folder of each
# `<link rel="alternate">` in a page's head (it reads them as language versions), and only the root has one.


def category_feed_path(category_id: str) -> str:
    return f"feed-category-{category_id}.xml"


def tag_feed_path(tag_id: str) -> str:
    return f"feed-tag-{tag_id}.xml"


def _info(catalog: Catalog, ctx: RenderContext) -> CatalogInfo:
    return ctx.info or catalog.info


def feed_id(info: CatalogInfo, path: str) -> str:
    """An absolute, stable id for the feed (or entry) at `path`: its address, or a name-based UUID."""
    if info.site_url:
        return info.site_url.rstrip("/") + "/" + path
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, info.repository or f"aligncat:{info.title}")
    return uuid.uuid5(namespace, path).urn


def _link(info: CatalogInfo, feed_path: str, target: str) -> str:
    if info.site_url:
        return info.site_url.rstrip("/") + "/" + target
    return browser_relative_url(feed_path, target)


def recent(records: Iterable[Record]) -> list[Record]:
    """Records with an `added` date, newest first (ties by id), at most FEED_LIMIT."""
    added = (r for r in records if r.added)
    return sorted(added, key=lambda r: (r.added, r.id), reverse=True)[:FEED_LIMIT]


def atom_feed(catalog: Catalog, info: CatalogInfo, path: str, title: str, records: list[Record]) -> str:
    """An Atom feed (RFC 4287) at `path` of the site, one entry per record (title, link, authors, summary),
    rendered with the feed.xml template (a catalog may override it)."""
    updated = max((r.added for r in records if r.added), default="1970-01-01")
    entries = []
    for r in records:
        page = f"records/{r.id}/"
        entries.append(
            {
                "title": r.title,
                "id": feed_id(info, page),
                "link": _link(info, path, page),
                "updated": r.added or updated,
                "authors": r.display_authors[:10],
                "summary": " ".join(r.summary.split()) if r.summary else None,
            }
        )
    return render(
        catalog.root,
        "feed.xml",
        title=title,
        author=info.title,
        feed_id=feed_id(info, path),
        updated=updated,
        self_href=_link(info, path, path),
        home_href=_link(info, path, "") if info.site_url else None,
        entries=entries,
    )


def feed_title(catalog: Catalog, what: str | None = None) -> str:
    """The feed's title as a feed reader lists it: "<catalog>: new records" or "<catalog>: new in <what>"."""
    return f"{catalog.info.title}: new in {what}" if what else f"{catalog.info.title}: new records"


def feed_pages(catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
    info = _info(catalog, ctx)
    yield Page(FEED, atom_feed(catalog, info, FEED, feed_title(catalog), recent(catalog.records.values())))
    for c in catalog.taxonomy.categories.values():
        path = category_feed_path(c.id)
        yield Page(
            path, atom_feed(catalog, info, path, feed_title(catalog, c.title), recent(catalog.in_category(c.id)))
        )
    used = {t for r in catalog.records.values() for t in r.tags}
    for t in sorted(used):
        tag = catalog.tags.get(t)
        path = tag_feed_path(t)
        title = feed_title(catalog, tag.title if tag else t)
        yield Page(path, atom_feed(catalog, info, path, title, recent(catalog.by_tag.get(t, ()))))
