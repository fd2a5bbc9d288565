"""The render memo of `aligncat serve` (site/render_memo.py): through a sequence of edits, on the toy and the real
catalog, a render that reuses the memo writes exactly the files a fresh render writes; a summary edit reuses the
other pages; and each field the memo calls own-only changes no other record's page."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from aligncat.load import load_catalog
from aligncat.render import RenderContext
from aligncat.render import pages as render_pages
from aligncat.site import render_memo
from aligncat.site.docs import generate_pages
from aligncat.site.render_memo import BLIND, OWN_ONLY, RenderMemo, blind_sources

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_catalog"
REAL = REPO / "catalog"


def _file(root: Path, record_id: str) -> Path:
    return next(p for p in root.rglob(f"{record_id}.yaml") if "vocabularies" not in p.parts)


class _Loader(yaml.SafeLoader):
    """Reads dates as the strings the catalog writes (written back quoted, as the schema wants them)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _edit(root: Path, record_id: str, change) -> None:
    path = _file(root, record_id)
    data = _read(path)
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _hubs(root: Path) -> list[str]:
    """Record ids, the most related first (most incoming relations, then outgoing)."""
    catalog = load_catalog(root)
    return sorted(
        catalog.records,
        key=lambda i: (-len(catalog.incoming(i)), -len(catalog.records[i].relations), i),
    )


def _edits(root: Path) -> list[tuple[str, object]]:
    """The sequence of edits the memo must follow: (name, function of the catalog folder), applied in order."""
    hubs = _hubs(root)
    hub, second, third = hubs[0], hubs[1], hubs[2]
    catalog = load_catalog(root)
    # nothing points at it (a relation to a missing record is an error), and not the catalog's survey
    leaf = next(i for i in reversed(hubs) if not catalog.incoming(i) and i != catalog.info.survey)
    category = next(iter(catalog.taxonomy.categories))

    def summary(root):
        _edit(root, hub, lambda d: d.update(summary="A summary edited in the preview."))

    def title(root):
        _edit(root, second, lambda d: d.update(title=d["title"] + " (edited)"))

    def short_name(root):
        _edit(root, hub, lambda d: d.update(short_name="EditedName"))

    def year(root):  # of the most related record whose year can move by one and keep the catalog valid
        for rid in hubs:
            path = _file(root, rid)
            text = path.read_text(encoding="utf-8")
            for delta in (1, -1):
                def move(d, delta=delta):
                    d["year"] += delta
                    if d.get("date"):  # a date in another year than the record's is an error
                        d["date"] = f"{d['year']}{d['date'][4:]}"
                _edit(root, rid, move)
                if not load_catalog(root).errors:
                    return
                path.write_text(text, encoding="utf-8")
        raise AssertionError("no record's year can change")

    def add_relation(root):
        _edit(root, third, lambda d: d.setdefault("relations", []).append(
            {"type": "builds_on", "target": second, "reason": "an edit of the preview"}))

    def remove_relation(root):
        _edit(root, hub, lambda d: d.update(relations=d.get("relations", [])[1:]))

    def add_record(root):
        src = _file(root, second)
        data = _read(src)
        hub_year = _read(_file(root, hub))["year"]
        data.update(id="zz2024-added", title="An Added Record", short_name="Added", year=max(data["year"], hub_year))
        data["relations"] = [{"type": "builds_on", "target": hub}]
        for duplicate in ("identifiers", "links", "aliases", "date"):  # another record's: the loader would merge them
            data.pop(duplicate, None)
        (src.parent / "zz2024-added.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def delete_record(root):  # the added record: its relation to the hub goes with it
        _file(root, "zz2024-added").unlink()

    def delete_another_record(root):
        _file(root, leaf).unlink()

    def category_title(root):
        path = root / "taxonomy.yaml"
        text = path.read_text(encoding="utf-8")
        title = catalog.taxonomy.categories[category].title
        old = f"title: {title}\n"
        assert old in text, old
        path.write_text(text.replace(old, f"title: {title} Edited\n", 1), encoding="utf-8")

    def template_override(root):  # a catalog's own template for the related works
        from aligncat.render.jinja import TEMPLATES, overrides_folder

        folder = overrides_folder(root)
        folder.mkdir(parents=True, exist_ok=True)
        text = (TEMPLATES / "record_related.md").read_text(encoding="utf-8")
        (folder / "record_related.md").write_text(text + "\nRelated works as this catalog shows them.\n", encoding="utf-8")

    return [(f.__name__, f) for f in (summary, title, short_name, year, add_relation, remove_relation, add_record,
                                      delete_record, delete_another_record, category_title,
                                      template_override)]


def _pages(root: Path, memo: RenderMemo | None = None) -> dict[str, str | bytes]:
    catalog = load_catalog(root)
    assert not catalog.errors, catalog.errors
    return {p.path: p.content for p in generate_pages(catalog, memo=memo)[0]}


def _same(fresh: dict, memoized: dict) -> list[str]:
    """The files that differ (or exist in one only)."""
    return sorted(p for p in fresh.keys() | memoized.keys() if fresh.get(p) != memoized.get(p))


@pytest.mark.parametrize("source", [MINI, REAL], ids=["mini", "real"])
def test_memoized_renders_equal_fresh_ones_through_a_sequence_of_edits(tmp_path, source):
    root = tmp_path / "catalog"
    shutil.copytree(source, root)
    memo = RenderMemo()
    _pages(root, memo)
    for name, edit in _edits(root):
        edit(root)
        memoized = _pages(root, memo)
        assert _same(_pages(root), memoized) == [], f"after the edit '{name}'"


def test_a_summary_edit_reuses_every_other_record_page(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(REAL, root)
    memo = RenderMemo()
    _pages(root, memo)
    assert memo.reused == 0 and memo.rendered > 200
    total = memo.rendered
    _pages(root, memo)
    assert (memo.reused, memo.rendered) == (total, 0)  # nothing changed: nothing rendered
    _edit(root, _hubs(root)[0], lambda d: d.update(summary="A summary edited in the preview."))
    _pages(root, memo)
    assert (memo.reused, memo.rendered) == (total - 1, 1)
    _edit(root, _hubs(root)[0], lambda d: d.update(title="A title edited in the preview."))
    _pages(root, memo)
    assert memo.rendered == total  # another page may show the title: every record page again


def test_a_key_leaving_out_an_input_fails_the_edit_sequence(tmp_path, monkeypatch):
    """The edit-sequence test can fail: with titles taken for own-only, a title edit leaves other pages stale."""
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    monkeypatch.setattr(render_memo, "OWN_ONLY", OWN_ONLY | {"title"})
    memo = RenderMemo()
    _pages(root, memo)
    dict(_edits(root))["title"](root)
    stale = _same(_pages(root), _pages(root, memo))
    assert stale and all(p.startswith("records/") for p in stale), stale


def test_own_only_fields_change_only_their_own_page():
    """Each OWN_ONLY field, changed on the most related records of the real catalog (to another record's value),
    changes no other record's page: a record page reads it of its own record only."""
    catalog = load_catalog(REAL)

    def record_pages(cat) -> dict[str, str]:
        return {p.path: p.content for p in render_pages.record_pages(cat, RenderContext())}

    before = record_pages(catalog)
    hubs = sorted(catalog.records, key=lambda i: (-len(catalog.incoming(i)), i))[:8]
    for name in sorted(OWN_ONLY):
        values = [getattr(r, name) for r in catalog.records.values() if hasattr(r, name)]
        records = dict(catalog.records)
        edited = set()
        for rid in hubs:
            old = getattr(records[rid], name)
            new = (not old) if isinstance(old, bool) else next(
                (v for v in values if v != old and v not in (None, (), "")), None)
            if new is None:
                continue
            records[rid] = dataclasses.replace(records[rid], **{name: new})
            edited.add(render_pages.record_path(rid))
        assert edited, name
        after = record_pages(dataclasses.replace(catalog, records=records, _index={}))
        changed = {p for p in before if before[p] != after[p]}
        assert changed <= edited, (name, sorted(changed - edited))
        # the edit shows on the record's own page (editors' notes and provenance are on no page)
        assert changed or name in ("notes", "provenance"), name


def test_a_summary_edit_reuses_the_pages_no_summary_shows(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(REAL, root)
    memo = RenderMemo()
    _pages(root, memo)
    assert memo.sources_reused == []
    _edit(root, _hubs(root)[0], lambda d: d.update(summary="A summary edited in the preview."))
    _pages(root, memo)
    assert sorted(memo.sources_reused) == sorted(s.__name__ for s in blind_sources())
    _edit(root, _hubs(root)[0], lambda d: d.update(title="A title edited in the preview."))
    _pages(root, memo)
    assert memo.sources_reused == []


def test_blind_sources_read_no_blind_field():
    """Each BLIND field changed on every record of the real catalog (to another record's value, or a new one)
    changes neither the pages of the blind sources nor what they leave in the render context."""
    from aligncat import render

    catalog = load_catalog(REAL)

    def run(cat) -> tuple[dict, RenderContext]:
        ctx = RenderContext()
        out = {}
        for source in render.page_sources():
            pages = list(source(cat, ctx))
            if source in blind_sources():
                out[source.__name__] = [(p.path, p.content, p.title) for p in pages]
        return out, ctx

    before, ctx_before = run(catalog)
    assert len(before) == len(blind_sources())
    records = list(catalog.records.values())
    some = {name: next((getattr(r, name) for r in records if getattr(r, name)), None) for name in BLIND}
    for name in sorted(BLIND):
        edited = {}
        for r in records:
            if name == "summary":
                new = f"Changed summary of {r.id}."
            elif name == "notes":
                new = (f"A changed note of {r.id}.",)
            else:  # another record's value, or none
                new = some[name] if getattr(r, name) != some[name] else ()
            edited[r.id] = dataclasses.replace(r, **{name: new})
        after, ctx_after = run(dataclasses.replace(catalog, records=edited, _index={}))
        assert after == before, name
        assert ctx_after == ctx_before, name
