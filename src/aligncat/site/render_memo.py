"""Site stage, the render memo: what `aligncat serve` keeps in memory between two renders so that a saved edit
re-renders only the record pages it can change (issue 13).

Rendering every record page again was most of a rebuild's time (8 s of 13 s at 1,000 records, under profile). A
record page is a pure function of the catalog, the render context, the templates and the engine's link style, so
the memo keys each page by a digest of those inputs, split in two:

- the record's own data, whole (every field of its dataclass, its file's path included);
- everything else the page can read, the same for every page (the *shared digest*): the catalog's settings,
  taxonomy, tags and every other catalog field but its indexes (which are made from what is digested), the
  render context, the engine, the package's templates and the catalog's overrides (file names and bytes), and
  every record's fields *except* OWN_ONLY: fields a record page reads of its own record only.

So an edit of a summary (or an author, a note, a link, ...) re-renders the one page, while an edit of anything a
page can read of another record (a title, a short name, a year, a relation, a category, a tag) or of the taxonomy
re-renders every record page: never stale, at worst as slow as before. Fields are left out by name (OWN_ONLY), not
picked in, so a field added to the model later is in the shared digest until someone shows it is own-only;
tests/test_render_memo.py checks, on the real catalog, that changing each OWN_ONLY field of a record changes no
other record's page, and that memoized renders equal fresh ones byte for byte through a sequence of edits.

The related works (aligncat.related, 1.6 s at 1,000 records, computed for the whole catalog) are memoized by the
shared digest too: they read relations, categories, tags and the taxonomy, all of which it covers.

The other page sources but the feeds and the citation files (blind_sources(): taxonomy and category pages, index
and tag pages, the graph and timeline, home, news, about) are memoized whole, by the same kind of digest with only
BLIND left out (summary, notes, provenance: what none of them shows of any record), together with what they left
in the render context (the scripts and styles they ask for), which a reused source puts back. So a summary edit
renders the one record page, the feeds and the citation files; tests/test_render_memo.py checks that changing each
BLIND field of every record changes none of these sources' pages nor the context.

The memo lives in memory only (held by serve.Preview), so nothing is written and nothing needs sealing; it keeps
the entries of the last render only.
"""

from __future__ import annotations

import copy
import hashlib
import io
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from ..load import Catalog
from ..model import Record
from ..render import Page, RenderContext
from .config import folder_digest

# Fields a record page reads of its own record only (never of a related, neighbouring or linked record). Checked
# by tests/test_render_memo.py::test_own_only_fields_change_only_their_own_page.
OWN_ONLY = frozenset(
    {"summary", "notes", "provenance", "authors", "authors_truncated", "venue", "venue_type", "date", "added"}
)


def _read_only(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


class _ValuePickler(pickle.Pickler):
    """Pickles a value whole, read-only mappings (the catalog's) included."""

    def reducer_override(self, obj):
        if type(obj) is MappingProxyType:
            return _read_only, (dict(obj),)
        return NotImplemented


def _digest(obj: object) -> bytes:
    """A digest of a value, by value: pickled without pickle's memo (which writes a repeated object once, by
    identity, so equal values loaded twice could pickle differently). A value that cannot be pickled is a
    TypeError (or a pickle.PicklingError): the memo is then not used."""
    out = io.BytesIO()
    pickler = _ValuePickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(obj)
    return hashlib.blake2b(out.getbuffer(), digest_size=20).digest()


def _shared_view(record: Record, omit: frozenset[str]) -> tuple:
    """A record as another record's page may read it: every field but `omit`."""
    return (type(record).__module__, type(record).__qualname__) + tuple(
        (f.name, getattr(record, f.name)) for f in fields(record) if f.name not in omit
    )


def _context_state(ctx: RenderContext) -> list[tuple[str, object]]:
    return [(f.name, copy.deepcopy(getattr(ctx, f.name))) for f in fields(ctx)]


_CATALOG_DIGESTS: dict[frozenset[str], tuple[Catalog, bytes]] = {}


def _catalog_digest(catalog: Catalog, omit: frozenset[str]) -> bytes:
    """The digest of the catalog (all its fields but its indexes, every record but the fields `omit`) and of the
    templates it renders with (the package's and its overrides), computed once per catalog and `omit` (a render
    digests it for each memoized source; a catalog is never changed, and a preview loads a new one on any edit,
    a template's included)."""
    from ..render.jinja import TEMPLATES, overrides_folder

    hit = _CATALOG_DIGESTS.get(omit)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    if hit is not None:  # one catalog at a time: keeps no old catalog alive
        _CATALOG_DIGESTS.clear()
    catalog_fields = [(f.name, getattr(catalog, f.name)) for f in fields(catalog) if f.name not in ("records", "_index")]
    digest = _digest(
        (
            catalog_fields,
            [_shared_view(r, omit) for r in catalog.records.values()],
            (folder_digest(TEMPLATES), folder_digest(overrides_folder(catalog.root))),
        )
    )
    _CATALOG_DIGESTS[omit] = (catalog, digest)
    return digest


def shared_digest(catalog: Catalog, ctx: RenderContext, link_style: str, omit: frozenset[str] | None = None) -> bytes:
    """The digest of everything a page can read but the fields `omit` (default OWN_ONLY) of the records: see the
    module's docstring."""
    omit = OWN_ONLY if omit is None else omit
    return _digest((_catalog_digest(catalog, omit), _context_state(ctx), link_style))


# Fields no page reads of any record but its own record page, its feeds and the citation exports (its formatted
# references): the page sources of blind_sources() are memoized whole by everything but these. Checked by
# tests/test_render_memo.py::test_blind_sources_read_no_blind_field.
BLIND = frozenset({"summary", "notes", "provenance"})


def blind_sources() -> tuple:
    """The page sources that read no BLIND field of any record (render.page_source_table says which): all but the
    record pages, the feeds and the citation files and page."""
    from ..render import page_source_table

    return tuple(source for source, shows_summaries in page_source_table() if not shows_summaries)


@dataclass
class RenderMemo:
    """Record pages, related works and the blind sources' pages from the previous render, by the digest of their
    inputs."""

    pages: dict[bytes, str] = field(default_factory=dict)
    related: tuple[bytes, dict] | None = None
    reused: int = 0  # record pages taken from the memo in the last render
    rendered: int = 0  # record pages rendered afresh in the last render
    sources_reused: list[str] = field(default_factory=list)  # the blind sources taken from the memo in the last render
    # a blind source's pages, with the render context as the source left it, by their inputs' digest: the last
    # render's (_previous) and this one's (_current), whose catalog is _render
    _previous: dict[bytes, tuple[list[Page], list]] = field(default_factory=dict, repr=False)
    _current: dict[bytes, tuple[list[Page], list]] = field(default_factory=dict, repr=False)
    _render: object = field(default=None, repr=False)

    def page_sources(self, sources: list) -> list:
        """`sources` (render.page_sources()) with the record pages and the blind sources memoized."""
        from ..render import pages as render_pages

        self.sources_reused = []
        blind = blind_sources()
        return [
            self.record_pages if s is render_pages.record_pages else self._memoized(s) if s in blind else s
            for s in sources
        ]

    def _memoized(self, source):
        def memoized(catalog: Catalog, ctx: RenderContext) -> list[Page]:
            from ..render.text import LINK_STYLE

            if self._render is not catalog:  # a new render: keep the entries of the last one only
                self._render, self._previous, self._current = catalog, self._current, {}
            try:
                key = _digest(
                    (source.__module__, source.__qualname__, shared_digest(catalog, ctx, LINK_STYLE.get(), BLIND))
                )
            except (TypeError, pickle.PicklingError):  # an input the memo cannot digest: render it
                return list(source(catalog, ctx))
            hit = self._previous.get(key) or self._current.get(key)
            if hit is None:
                hit = (list(source(catalog, ctx)), _context_state(ctx))
            else:
                for name, value in hit[1]:  # what the source did to the context (the scripts it asked for)
                    setattr(ctx, name, copy.deepcopy(value))
                self.sources_reused.append(source.__name__)
            self._current[key] = hit
            return hit[0]

        memoized.__name__ = memoized.__qualname__ = source.__name__
        memoized.__module__ = source.__module__
        return memoized

    def record_pages(self, catalog: Catalog, ctx: RenderContext) -> Iterator[Page]:
        """render.pages.record_pages, each page rendered only when its inputs' digest is not in the memo."""
        from ..render import record_sections
        from ..render import related_section as related
        from ..render.pages import record_path, render_record_page
        from ..render.text import LINK_STYLE

        sections = record_sections()
        try:
            shared = shared_digest(catalog, ctx, LINK_STYLE.get())
        except (TypeError, pickle.PicklingError):  # an input the memo cannot digest: render every page
            self.pages, self.related = {}, None
            self.reused, self.rendered = 0, len(catalog.records)
            for record in catalog.records.values():
                yield Page(record_path(record.id), render_record_page(catalog, record, ctx, sections))
            return
        kept: dict[bytes, str] = {}
        self.reused = self.rendered = 0
        related_ready = False
        for record in catalog.records.values():
            key = _digest((shared, record))
            content = self.pages.get(key)
            if content is None:
                if not related_ready:
                    if self.related is not None and self.related[0] == shared:
                        related.remember(catalog, self.related[1])
                    else:
                        self.related = (shared, related.related_of(catalog))
                    related_ready = True
                content = render_record_page(catalog, record, ctx, sections)
                self.rendered += 1
            else:
                self.reused += 1
            kept[key] = content
            yield Page(record_path(record.id), content)
        self.pages = kept
