"""Site stage, build speed: the shortcuts the build takes must not change what it produces.

- MkDocs gets the raw HTML blocks of generated pages through Markdown's HTML store without parsing them
  (mkdocs_plugin.RawHtmlPassThrough): every page must come out as plain Markdown makes it (up to the line breaks
  Markdown puts between top-level HTML elements), with the same search index and anchor checks.
- BibTeX and CSL-JSON are formatted once per record per build (render.citations): every .bib download must be
  what `aligncat export bibtex` writes for the same records.
- Zensical rebuilds differentially (no --clean): a changed record shows up, a removed one goes away.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from aligncat import load_catalog
from aligncat.site import build_site, render_site, run_engine

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_catalog"
CATALOGS = {"mini": MINI, "shipped": REPO / "catalog"}


def _normalise(html: str) -> str:
    return re.sub(r">\s*\n\s*<", "><", html)


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_raw_html_pass_through_gives_the_pages_markdown_gives(tmp_path, name):
    catalog = load_catalog(CATALOGS[name])
    sites = {}
    for mode in ("markdown", "pass-through"):
        site = tmp_path / mode
        result = render_site(catalog, tmp_path / f"build-{mode}", project_root=REPO, site_dir=site)
        generated = {p.path for p in result.pages if p.path.endswith(".md")}
        run_engine(result.config_file, "mkdocs", generated=generated if mode == "pass-through" else None)
        sites[mode] = site
    pages = sorted(p.relative_to(sites["markdown"]) for p in sites["markdown"].rglob("*.html"))
    assert len(pages) > 20
    differ = [
        str(rel)
        for rel in pages
        if _normalise((sites["markdown"] / rel).read_text(encoding="utf-8"))
        != _normalise((sites["pass-through"] / rel).read_text(encoding="utf-8"))
    ]
    assert differ == []
    # The search index holds the same sections with the same words.
    index = {
        mode: json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        for mode, site in sites.items()
    }
    assert len(index["markdown"]) == len(index["pass-through"])
    for a, b in zip(index["markdown"], index["pass-through"], strict=True):
        assert (a["location"], a["title"]) == (b["location"], b["title"])
        assert a["text"].split() == b["text"].replace("><", "> <").split() or re.sub(r"\s+", "", a["text"]) == (
            re.sub(r"\s+", "", b["text"])
        )
    # The fast path covers the generated pages: every block that starts with an HTML tag is one it passes.
    from aligncat.site.plugin import raw_html_block

    slow = []
    for path in (tmp_path / "build-pass-through" / "docs").rglob("*.md"):
        if "guide" in path.parts:
            continue
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for chunk in body.split("\n\n"):
            chunk = chunk.strip("\n")
            if re.match(r"<(?!script)[a-z]", chunk) and not raw_html_block(chunk):
                slow.append((path.name, chunk[:80]))
    assert slow == []


def test_raw_html_block_takes_only_whole_balanced_block_elements():
    from aligncat.site.plugin import raw_html_block

    assert raw_html_block('<p class="x">text <a href="y">link</a></p>')
    assert raw_html_block("<div><div>a</div>\n<ul><li>b</li></ul></div>")
    assert not raw_html_block("<div>\nopened here, closed after a blank line")
    assert not raw_html_block("<div><div>a</div>")  # unbalanced
    assert not raw_html_block('<div markdown="1">**bold**</div>')  # asks for Markdown inside
    assert not raw_html_block('<span class="x">inline</span>')  # Markdown wraps it in a paragraph
    assert not raw_html_block("# Heading")
    assert not raw_html_block("    <div>code</div>")  # indented: a code block
    assert not raw_html_block("<p>a</p> trailing text")


def test_anchor_ids_inside_raw_html_still_satisfy_links(tmp_path):
    """A hand-written page linking to an id that only exists in a generated HTML block builds strictly."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs" / "overrides", project / "docs" / "overrides")
    if (REPO / "node_modules").is_dir():
        (project / "node_modules").symlink_to(REPO / "node_modules")
    (project / "docs" / "notes.md").write_text(
        "# Notes\n\nSee [the BibTeX](../records/beta2020-method.md#bibtex-beta2020-method) and "
        "[a missing one](../records/beta2020-method.md#no-such-anchor).\n"
    )
    from aligncat.site import SiteError

    with pytest.raises(SiteError) as err:
        build_site(load_catalog(MINI), tmp_path / "site", project_root=project, build_dir=tmp_path / "b")
    assert "no-such-anchor" in str(err.value)
    assert "bibtex-beta2020-method" not in str(err.value)


def test_bib_downloads_are_what_the_bibtex_export_writes():
    from aligncat.export import available_formats
    from aligncat.render.citations import bibtex_file, csl_item, entry_for

    catalog = load_catalog(MINI)
    export = available_formats()["bibtex"].export
    slices = [tuple(catalog.records.values())]
    slices += [catalog.in_category(c) for c in catalog.taxonomy.categories]
    slices += [tuple(m) for m in catalog.by_tag.values()]
    slices = [s for s in slices if s]
    assert len(slices) > 5
    for records in slices:
        assert bibtex_file(catalog, records) == export(catalog, records)
    csl = json.loads(available_formats()["csl-json"].export(catalog, tuple(catalog.records.values())))
    for item in csl:
        record = catalog.records[item["id"]]
        assert csl_item(catalog, record) == item
        whole = export(catalog, (record,))
        assert entry_for(catalog, record, "bibtex") == (
            "\n".join(line for line in whole.splitlines() if not line.startswith("%")).strip() + "\n"
        )


def test_cff_export_is_the_same_with_libyaml():
    from aligncat.export.cff import catalog_citation, export_cff

    catalog = load_catalog(REPO / "catalog")
    records = tuple(catalog.records.values())
    body = yaml.safe_dump(catalog_citation(catalog, records), sort_keys=False, allow_unicode=True, width=110)
    assert export_cff(catalog, records).split("\n", 1)[1] == body


def test_zensical_rebuild_is_differential_and_drops_removed_pages(tmp_path):
    pytest.importorskip("zensical")
    catalog_dir = tmp_path / "cat"
    shutil.copytree(MINI, catalog_dir)
    extra = catalog_dir / "resources" / "extra2022-notes.yaml"  # a record nothing points at, removed below
    extra.write_text(
        "id: extra2022-notes\nkind: resource\ntitle: Extra Notes to Remove\nauthors:\n- {literal: Toy Lab}\n"
        "year: 2022\nvenue_type: blog\nlinks:\n- {type: blog, url: 'https://example.org/blog/extra'}\n"
        "categories: [def-two]\nsummary: A record that the test removes.\nresource:\n  type: blog-post\n"
    )
    work, site = tmp_path / "build", tmp_path / "site"

    def build():
        return build_site(
            load_catalog(catalog_dir), site, engine="zensical", project_root=REPO, build_dir=work
        )

    build()
    record = catalog_dir / "papers" / "beta2020-method.yaml"
    page = site / "records" / "beta2020-method" / "index.html"
    assert "A fictional method that learns" in page.read_text(encoding="utf-8")
    untouched = work / "docs" / "assets" / "aligncat" / "aligncat.js"
    stamp = untouched.stat().st_mtime_ns
    record.write_text(record.read_text().replace("A fictional method that learns", "A fictional method, edited,"))
    result = build()
    assert not result.config_changed and result.removed == 0  # so the engine ran without --clean
    assert "A fictional method, edited," in page.read_text(encoding="utf-8")
    assert untouched.stat().st_mtime_ns == stamp  # unchanged files are not rewritten
    edited = load_catalog(catalog_dir)
    feeds = 1 + sum(1 for c in edited.taxonomy.categories if any(r.id == "beta2020-method"
                                                                 for r in edited.in_category(c)))
    feeds += len(edited.records["beta2020-method"].tags)
    # the record's page and the feeds that hold it (the catalog's, its categories' and their parents', its tags')
    assert 0 < result.written <= 1 + feeds
    assert (site / "records" / "extra2022-notes" / "index.html").is_file()
    extra.unlink()
    result = build()
    assert result.removed > 0  # its page and YAML copy: the engine ran with --clean
    assert not (site / "records" / "extra2022-notes" / "index.html").exists()


def test_fast_relative_paths_agree_with_the_standard_library():
    import posixpath
    import random

    from aligncat.render.text import _relpath

    rng = random.Random(7)
    segments = ["a", "b", "records", "x.md", "index.md", "tags", ".", "..", ""]
    for _ in range(5000):
        path = "/" + "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4)))
        start = "/" + "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4)))
        for p in (path, path + "/"):
            assert _relpath(p, start) == posixpath.relpath(p, start), (p, start)


def _site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_mkdocs_rebuild_from_the_page_cache_writes_what_a_build_without_it_writes(tmp_path, name, monkeypatch):
    """mkdocs_cache.PageCache: after edits, the reused pages and the rebuilt ones make the very site (every file,
    the search index included) that a build without the cache makes."""
    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)
    catalog_dir = tmp_path / "cat"
    shutil.copytree(CATALOGS[name], catalog_dir)
    work, site = tmp_path / "build", tmp_path / "site"

    def build(out: Path = site, build_dir: Path = work):
        return build_site(load_catalog(catalog_dir), out, project_root=REPO, build_dir=build_dir)

    first = build()
    assert first.reused == 0
    pages = len(list((work / "page-cache").glob("*.page")))  # one per page: generated and hand-written
    assert pages > sum(1 for p in first.pages if p.path.endswith(".md")) > 20
    again = build()
    assert again.reused == pages  # nothing changed: every page comes from the cache
    # A summary edit (its page, the listings that quote it) and a title edit (every page that names the record).
    papers = sorted((catalog_dir / "papers").glob("*.yaml"))
    a, b = papers[1], papers[-1]
    data = yaml.safe_load(a.read_text(encoding="utf-8"))
    data["summary"] = "Edited for the cache test. " + data["summary"]
    a.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    text = b.read_text(encoding="utf-8")
    b.write_text(re.sub(r"(?m)^title: (.+)$", r"title: \1 Retitled", text, count=1), encoding="utf-8")
    rebuilt = build()
    assert 0 < rebuilt.reused < pages
    # A record added (a page more) and one removed (a page less): only the pages that show them are rebuilt.
    new = catalog_dir / "resources" / "extra2022-notes.yaml"
    new.write_text(
        "id: extra2022-notes\nkind: resource\ntitle: Extra Notes\nauthors:\n- {literal: Toy Lab}\n"
        "year: 2022\nvenue_type: blog\nlinks:\n- {type: blog, url: 'https://example.org/blog/extra'}\n"
        "categories: [def-two]\nsummary: A record the test adds.\nresource:\n  type: blog-post\n"
        if name == "mini" else (MINI / "resources" / "toyblog2022-notes.yaml").read_text().replace(
            "toyblog2022-notes", "extra2022-notes").replace("categories: [", "categories: [").replace(
            "Toy Blog", "Extra Blog"),
        encoding="utf-8",
    )
    lonely = [p for p in sorted(catalog_dir.glob("*/*.yaml"))
              if p.stem not in "".join(q.read_text(encoding="utf-8") for q in catalog_dir.glob("*/*.yaml")
                                       if q != p) and p not in (new, a, b) and p.parent.name != "vocabularies"]
    lonely[0].unlink()
    changed = build()
    assert changed.removed > 0 and 0 < changed.reused < pages
    monkeypatch.setenv("ALIGNCAT_NO_CACHE", "1")
    fresh = build(tmp_path / "fresh", tmp_path / "build-fresh")
    assert fresh.reused == 0 and not (tmp_path / "build-fresh" / "page-cache").exists()
    mine, theirs = _site_files(site), _site_files(tmp_path / "fresh")
    assert sorted(mine) == sorted(theirs)
    assert [f for f in mine if mine[f] != theirs[f]] == []
    assert b"Edited for the cache test." in mine[f"records/{a.stem}/index.html"]
    # The cache keeps only what the last build used: a page each.
    assert len(list((work / "page-cache").glob("*.page"))) == len(list((work / "docs").rglob("*.md")))


def test_a_damaged_page_cache_is_not_believed(tmp_path, monkeypatch):
    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)
    work, site = tmp_path / "build", tmp_path / "site"
    build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work)
    good = _site_files(site)
    cached = sorted((work / "page-cache").glob("*.page"))
    for i, path in enumerate(cached):
        raw = path.read_bytes()
        # a flipped byte in the compressed page, a header that is not JSON, a file cut short
        path.write_bytes([raw[:-5] + bytes([raw[-5] ^ 0xFF]) + raw[-4:], b"{not json\n" + raw, raw[:40]][i % 3])
    result = build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work)
    assert result.reused == 0
    assert _site_files(site) == good


def test_a_forged_page_cache_entry_cannot_change_the_site(tmp_path, monkeypatch):
    """The build folder is in the project, where a pull request could add files: an entry that was not sealed with
    this user's key (a crafted one, or one from another machine) is never reused."""
    import hashlib
    import hmac
    import zlib

    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    work, site = tmp_path / "build", tmp_path / "site"
    build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work)
    good = _site_files(site)
    # The attacker knows every input of an entry's name and content, not the user's key: every entry is forged.
    for entry in (work / "page-cache").glob("*.page"):
        _, head, body = entry.read_bytes().split(b"\n", 2)
        forged = head + b"\n" + zlib.compress(zlib.decompress(body).replace(b"</body>", b"<p>INJECTED</p></body>"))
        entry.write_bytes(hmac.new(b"\0" * 32, forged, hashlib.sha256).hexdigest().encode() + b"\n" + forged)
    assert build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work).reused == 0
    assert _site_files(site) == good
    # Another user's (or machine's) cache: nothing is reused either.
    assert build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work).reused > 20
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    assert build_site(load_catalog(MINI), site, project_root=REPO, build_dir=work).reused == 0


def test_the_page_cache_stays_off_with_a_plugin_it_does_not_know(tmp_path, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    from aligncat.site.mkdocs_engine import PageCache

    def config(*names, hooks=()):
        return SimpleNamespace(plugins={n: SimpleNamespace() for n in names}, hooks=list(hooks))

    assert PageCache(Path("x"), config("material/search", "aligncat-raw-html")).enabled
    assert not PageCache(Path("x"), config("material/search", "material/tags")).enabled
    assert not PageCache(Path("x"), config("search", hooks=["hooks.py"])).enabled


def test_a_changed_setting_or_template_rebuilds_every_page(tmp_path, monkeypatch):
    """The page cache's site key: a setting that shows on every page (the description) or a template edit."""
    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs", project / "docs")
    (project / "node_modules").symlink_to(REPO / "node_modules")
    work, site = tmp_path / "build", tmp_path / "site"

    def build():
        return build_site(load_catalog(MINI), site, project_root=project, build_dir=work)

    build()
    assert build().reused > 20
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        config + "\nsite_description: A description set for the cache test\n", encoding="utf-8"
    )
    assert build().reused == 0
    page = (site / "records" / "beta2020-method" / "index.html").read_text(encoding="utf-8")
    assert "A description set for the cache test" in page
    assert build().reused > 20
    override = next((project / "docs" / "overrides").rglob("*.html"))
    override.write_text(override.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    assert build().reused == 0


def test_a_draft_page_served_from_the_page_cache_keeps_its_content(tmp_path, monkeypatch):
    """`serve` shows drafts (MkDocs' draft_docs) marked DRAFT: such a page is neither reused nor kept, and a page
    found in the cache's first pass is still built with its content."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from aligncat.site.mkdocs_engine import mkdocs_build

    monkeypatch.delenv("ALIGNCAT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "mkdocs.yml").write_text(
        (REPO / "mkdocs.yml").read_text(encoding="utf-8") + '\ndraft_docs: "guide/design.md"\n', encoding="utf-8"
    )
    shutil.copytree(REPO / "docs", project / "docs")
    (project / "node_modules").symlink_to(REPO / "node_modules")
    site = tmp_path / "site"
    result = render_site(load_catalog(MINI), tmp_path / "build", project_root=project, site_dir=site)
    generated = {p.path for p in result.pages if p.path.endswith(".md")}
    reused = []
    for serve_url in (None, "http://127.0.0.1:8000/", "http://127.0.0.1:8000/"):
        cfg = load_config(config_file=str(result.config_file))
        reused.append(mkdocs_build(build, cfg, generated, tmp_path / "page-cache", serve_url=serve_url))
        draft = site / "guide" / "design" / "index.html"
        if serve_url is None:
            assert not draft.exists()  # `build` leaves drafts out
            continue
        html = draft.read_text(encoding="utf-8")
        assert "DRAFT" in html and "a library first" in html
    assert reused[2] > 20


def test_the_installed_mkdocs_still_has_the_private_functions_we_use():
    """site/mkdocs_engine.py is the one module using MkDocs' private API; each name it lists must still exist."""
    import importlib

    from aligncat.site.mkdocs_engine import PRIVATE_API

    missing = []
    for module, name in PRIVATE_API:
        obj = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(obj, part, None)
            if found is None and part.startswith("_"):
                # instance attributes are set in __init__ (or annotated on the class)
                found = part in getattr(obj, "__annotations__", {}) or part in _init_source(obj)
            if not found:
                missing.append(f"{module}.{name}")
                break
            obj = found
    assert missing == [], f"MkDocs changed: update site/mkdocs_engine.py for {missing}"


def _init_source(cls) -> str:
    import inspect

    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        return ""


def test_no_module_but_mkdocs_engine_uses_mkdocs_private_names():
    import re

    package = Path(__file__).parents[1] / "src" / "aligncat"
    private = re.compile(r"\b(_populate_page|_build_page|_inject_js_into_html|_title_from_render|_current_page)\b")
    users = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py") if private.search(p.read_text())
    )
    assert users == ["site/mkdocs_engine.py"]
