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

The memo lives in memory only (held by serve.Preview), so nothing is written and nothing needs sealing; it keeps
the entries of the last render only.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType

from ..load import Catalog
from ..model import Record
from ..render import Page, RenderContext

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


def _files_digest(folder: Path) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        return []
    return [
        (p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()
    ]


def _shared_view(record: Record) -> tuple:
    """A record as another record's page may read it: every field but OWN_ONLY."""
    return (type(record).__module__, type(record).__qualname__) + tuple(
        (f.name, getattr(record, f.name)) for f in fields(record) if f.name not in OWN_ONLY
    )


def shared_digest(catalog: Catalog, ctx: RenderContext, link_style: str) -> bytes:
    """The digest of everything a record page can read besides its own record (see the module's docstring)."""
    from ..render.jinja import TEMPLATES, overrides_folder

    catalog_fields = [(f.name, getattr(catalog, f.name)) for f in fields(catalog) if f.name not in ("records", "_index")]
    context = [(f.name, getattr(ctx, f.name)) for f in fields(ctx)]
    return _digest(
        (
            catalog_fields,
            context,
            link_style,
            _files_digest(TEMPLATES),
            _files_digest(overrides_folder(catalog.root)),
            [_shared_view(r) for r in catalog.records.values()],
        )
    )


@dataclass
class RenderMemo:
    """Record pages and related works from the previous render, by the digest of their inputs."""

    pages: dict[bytes, str] = field(default_factory=dict)
    related: tuple[bytes, dict] | None = None
    reused: int = 0  # record pages taken from the memo in the last render
    rendered: int = 0  # record pages rendered afresh in the last render

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
