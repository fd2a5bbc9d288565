"""Site stage: strict builds of the toy catalog with MkDocs and Zensical, the build command, its errors."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligncat import load_catalog
from aligncat.cli import main
from aligncat.site import SiteError, build_site, render_site

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_catalog"
KEY_PAGES = [
    "index.html",
    "taxonomy/index.html",
    "taxonomy/def-two/index.html",
    "records/beta2020-method/index.html",
    "browse/index.html",
    "browse/papers/index.html",
    "browse/compare-benchmarks/index.html",
    "tags/index.html",
    "new/index.html",
    "feed.xml",
    "cite/index.html",
    "data/citations.json",
    "assets/aligncat/aligncat.js",
]


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def built(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"site-{request.param}")
    build_site(
        load_catalog(MINI), out / "site", engine=request.param, project_root=REPO, build_dir=out / "build"
    )
    return request.param, out / "site"


def test_key_pages_exist_with_each_engine(built):
    engine, site = built
    missing = [p for p in KEY_PAGES if not (site / p).is_file()]
    assert missing == [], engine


def test_search_index_covers_titles_authors_and_aliases(built):
    engine, site = built
    index = site / ("search/search_index.json" if engine == "mkdocs" else "search.json")
    text = index.read_text(encoding="utf-8")
    for needle in ("Beta: Learning from Toy Preferences", "Bea Beta", "ToyBench", "fictional method"):
        assert needle in text, (engine, needle)


def test_pages_reference_no_third_party_host(built):
    """No script, style, font, image or frame from another host (links to papers are not loaded)."""
    engine, site = built
    loaded = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="(https?:)?//', re.I)
    offenders = []
    for page in site.rglob("*.html"):
        for match in loaded.finditer(page.read_text(encoding="utf-8")):
            tag = match.group(0)
            if 'rel="canonical"' in tag or 'rel="alternate"' in tag:
                continue
            offenders.append((page.relative_to(site).as_posix(), tag))
    assert offenders == []
    for css in site.rglob("*.css"):
        assert not re.search(r"@import\s+url\((['\"]?)https?:", css.read_text(encoding="utf-8")), css


def test_record_page_meta_tags_in_head(built):
    engine, site = built
    head = (site / "records/beta2020-method/index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta name="citation_title" content="Beta: Learning from Toy Preferences">' in head
    dataset = (site / "records/toyinst2020-data/index.html").read_text(encoding="utf-8").split("</head>")[0]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', dataset, re.S)
    assert block and json.loads(block.group(1))["@type"] == "Dataset"


def _project_copy(tmp_path: Path, *, npm: bool = True) -> Path:
    """A project folder with the repository's mkdocs.yml and theme override (and node_modules if asked)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs" / "overrides", project / "docs" / "overrides")
    if npm and (REPO / "node_modules").is_dir():
        (project / "node_modules").symlink_to(REPO / "node_modules")
    return project


def test_broken_link_in_a_docs_page_fails_the_build(tmp_path):
    project = _project_copy(tmp_path)
    (project / "docs" / "guide.md").write_text("# Guide\n\nSee [the missing page](nowhere.md).\n")
    with pytest.raises(SiteError, match="mkdocs build failed"):
        build_site(load_catalog(MINI), tmp_path / "site", project_root=project, build_dir=tmp_path / "b")


def test_hand_written_pages_live_under_guide_and_cannot_hide_generated_ones(tmp_path, monkeypatch):
    project = _project_copy(tmp_path)
    (project / "docs" / "cite.md").write_text("# My citing notes\n")
    result = render_site(load_catalog(MINI), tmp_path / "b", project_root=project)
    assert (result.docs_dir / "guide" / "cite.md").read_text() == "# My citing notes\n"
    assert "How to cite" in (result.docs_dir / "cite.md").read_text()
    assert "My citing notes: guide/cite.md" in result.config_file.read_text()  # in the Engine docs menu

    from aligncat import render
    from aligncat.render import Page

    def same_address(catalog, ctx):
        yield Page("tags.md", "# Tags again\n")  # tags/index.md has the address tags/ too

    monkeypatch.setattr(render, "page_sources", lambda real=render.page_sources: [*real(), same_address])
    with pytest.raises(SiteError, match=r"pages tags/index.md and tags.md both have the address /tags/"):
        render_site(load_catalog(MINI), tmp_path / "c", project_root=project)


def test_bad_site_config_names_file_and_line(tmp_path):
    project = _project_copy(tmp_path)
    (project / "mkdocs.yml").write_text("theme:\n  name: material\n  features: [a\n")
    with pytest.raises(SiteError, match=r"mkdocs\.yml:\d+:\d+: cannot read the site config"):
        render_site(load_catalog(MINI), tmp_path / "b", project_root=project)


def test_rerender_rewrites_only_what_changed(tmp_path):
    catalog = load_catalog(MINI)
    first = render_site(catalog, tmp_path / "b", project_root=REPO, site_dir=tmp_path / "site")
    assert first.written > 20
    again = render_site(catalog, tmp_path / "b", project_root=REPO, site_dir=tmp_path / "site")
    assert again.written == 0
    stray = first.docs_dir / "records" / "gone.md"
    stray.write_text("# old page of a deleted record\n")
    assert render_site(catalog, tmp_path / "b", project_root=REPO, site_dir=tmp_path / "site").written == 1
    assert not stray.exists()


def test_build_command_builds_and_refuses_to_replace_foreign_files(tmp_path):
    runner = CliRunner()
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    args = ["build", str(MINI), "--project", str(REPO), "--site-dir", str(target)]
    refused = runner.invoke(main, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (target / "notes.txt").read_text() == "mine"
    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (target / "index.html").is_file() and not (target / "notes.txt").exists()
    again = runner.invoke(main, args)  # a folder aligncat built is replaced without --force
    assert again.exit_code == 0, again.output


def test_build_command_stops_on_an_invalid_catalog(tmp_path):
    bad = tmp_path / "cat"
    shutil.copytree(MINI, bad)
    (bad / "papers" / "alpha2019-base.yaml").write_text("id: alpha2019-base\nkind: paper\ntitel: x\n")
    result = CliRunner().invoke(
        main, ["build", str(bad), "--project", str(REPO), "--site-dir", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert "papers/alpha2019-base.yaml:3:1" in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_serve_rebuilds_when_a_record_changes(tmp_path, engine):
    """`aligncat serve` on a copy of the toy catalog: an edited title shows up in the served page."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    catalog = tmp_path / "cat"
    shutil.copytree(MINI, catalog)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "aligncat"
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  (closed with the process below)
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            str(catalog),
            "--engine",
            engine,
            "--project",
            str(REPO),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def page_until(needle: str, limit: float = 30) -> str:
        deadline = time.monotonic() + limit
        last = ""
        while time.monotonic() < deadline:
            try:
                last = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/records/beta2020-method/", timeout=2
                ).read()
                last = last.decode()
                if needle in last:
                    return last
            except OSError:
                pass
            time.sleep(0.3)
        log.flush()
        raise AssertionError(
            f"{needle!r} did not appear within {limit} s; serve said:\n"
            + (tmp_path / "serve.log").read_text()
        )

    try:
        page_until("Learning from Toy Preferences")
        record = catalog / "papers" / "beta2020-method.yaml"
        record.write_text(record.read_text().replace("Learning from Toy Preferences", "Learning from Edits"))
        page_until("Learning from Edits")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    # Stopping aligncat stops the engine's server too (Zensical's runs in a process of its own).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError(f"something still serves on port {port} after aligncat serve was stopped")


def _site_pages(site: Path) -> list[str]:
    # The search index and sitemaps list the same pages in the same order either way; the build's own mark is
    # aligncat build's alone.
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != ".aligncat-site")


def test_mkdocs_plugin_and_aligncat_build_make_the_same_pages_and_nav(tmp_path):
    """One rendering path: plain `mkdocs build` with `- aligncat` in plugins gives the very pages, files and
    navigation (in the same order, Engine docs and all) that `aligncat build` gives."""
    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    project = _project_copy(tmp_path)
    (project / "docs" / "notes.md").write_text(
        "# Our notes\n\nSee [the other note](more/other.md).\n\n| Work | Year |\n| --- | ---: |\n| a | 2020 |\n"
    )
    (project / "docs" / "more").mkdir()
    (project / "docs" / "more" / "other.md").write_text("# Other note\n")
    built = build_site(load_catalog(MINI), tmp_path / "site-build", project_root=project, build_dir=tmp_path / "b")
    generated_cfg = yaml.safe_load(built.config_file.read_text())

    cfg = yaml.safe_load((project / "mkdocs.yml").read_text())
    cfg["plugins"] = ["search", {"aligncat": {"catalog": str(MINI)}}]
    cfg["theme"]["custom_dir"] = "docs/overrides"
    cfg["site_name"] = generated_cfg["site_name"]
    (project / "mkdocs.yml").write_text(yaml.safe_dump(cfg))
    config = load_config(config_file=str(project / "mkdocs.yml"), strict=True, site_dir=str(tmp_path / "site-plugin"))
    build(config)
    assert _site_pages(tmp_path / "site-plugin") == _site_pages(tmp_path / "site-build")
    assert config.nav == generated_cfg["nav"]
    assert [list(x)[0] for x in config.nav][-1] == "Engine docs" and "records" not in json.dumps(config.nav)
    for page in ("records/beta2020-method/index.html", "guide/notes/index.html", "index.html"):
        a = (tmp_path / "site-plugin" / page).read_text()
        b = (tmp_path / "site-build" / page).read_text()
        body = lambda html: html[html.index('<article'):html.index("</article>")]  # noqa: E731
        assert body(a) == body(b), page
    # Both ways, Markdown's table alignment is an attribute, not an inline style (the CSP's style-src is 'self').
    notes = (tmp_path / "site-plugin" / "guide/notes/index.html").read_text()
    assert '<th align="right">Year</th>' in notes and "style=" not in notes


def test_a_failed_build_leaves_the_previous_site_and_does_not_block_the_next(tmp_path):
    from aligncat.site.build import SITE_MARK

    project = _project_copy(tmp_path)
    site = tmp_path / "site"
    build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")
    before = {p: (site / p).read_bytes() for p in _site_pages(site)}
    (project / "docs" / "broken.md").write_text("# Broken\n\nSee [the missing page](nowhere.md).\n")
    with pytest.raises(SiteError, match="mkdocs build failed"):
        build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")
    assert {p: (site / p).read_bytes() for p in _site_pages(site)} == before  # untouched, not half replaced
    assert (site / SITE_MARK).is_file()
    assert not (tmp_path / ".site.aligncat-new").exists() or True  # may stay until the next build clears it
    (project / "docs" / "broken.md").unlink()
    build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")  # no --force needed
    assert not (tmp_path / ".site.aligncat-new").exists() and not (tmp_path / ".site.aligncat-old").exists()
    assert (site / "guide" / "broken").exists() is False


def test_a_killed_build_leaves_the_previous_site_and_never_blocks_the_next(tmp_path):
    """A build killed half-way (SIGKILL while MkDocs writes the pages) leaves the old site whole; its lock dies
    with it and its half-built folder is cleared by the next build."""
    import signal
    import subprocess
    import sys

    project = _project_copy(tmp_path)
    site = tmp_path / "site"
    build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")
    before = {p: (site / p).read_bytes() for p in _site_pages(site)}
    code = (
        "import os, signal, sys\n"
        "import mkdocs.commands.build as mk\n"
        "from aligncat.load import load_catalog\n"
        "from aligncat.site import build_site\n"
        "real = mk._build_page\n"
        "count = [0]\n"
        "def dying(*a, **k):\n"
        "    count[0] += 1\n"
        "    real(*a, **k)\n"
        "    if count[0] == 5: os.kill(os.getpid(), signal.SIGKILL)\n"
        "mk._build_page = dying\n"
        f"build_site(load_catalog({str(MINI)!r}), {str(site)!r}, project_root={str(project)!r}, "
        f"build_dir={str(tmp_path / 'b')!r})\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "ALIGNCAT_NO_CACHE": "1"})
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / ".site.aligncat-new").is_dir()  # the half-built site, beside the real one
    assert {p: (site / p).read_bytes() for p in _site_pages(site)} == before
    build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")
    assert not (tmp_path / ".site.aligncat-new").exists()


def test_two_builds_at_once_are_refused_with_a_clear_message(tmp_path):
    from aligncat.site import BuildLocked
    from aligncat.site.build import _locked

    project = _project_copy(tmp_path)
    site = tmp_path / "site"
    with _locked(tmp_path / ".site.aligncat-lock", str(site)):  # what a running build holds
        with pytest.raises(BuildLocked, match=rf"{site} is being built by another aligncat build \(process {os.getpid()}\)"):
            build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")
    build_site(load_catalog(MINI), site, project_root=project, build_dir=tmp_path / "b")  # free again
    assert (site / "index.html").is_file()


def test_npm_files_a_page_asks_for_are_copied_and_missing_ones_explained(tmp_path, monkeypatch):
    from aligncat import render
    from aligncat.render import Page

    def wants_npm(catalog, ctx):
        ctx.npm_assets.setdefault("axe-core", []).append("axe.min.js")
        ctx.extra_javascript.append("assets/vendor/axe-core/axe.min.js")
        yield Page("npm-test.md", "# npm test\n")

    monkeypatch.setattr(render, "page_sources", lambda real=render.page_sources: [*real(), wants_npm])
    if not (REPO / "node_modules" / "axe-core" / "axe.min.js").is_file():
        pytest.fail("run `npm ci` at the repository root (package-lock.json lists axe-core)")
    result = render_site(load_catalog(MINI), tmp_path / "b", project_root=REPO, site_dir=tmp_path / "site")
    assert (result.docs_dir / "assets/vendor/axe-core/axe.min.js").is_file()
    assert "assets/vendor/axe-core/axe.min.js" in result.config_file.read_text()
    project = _project_copy(tmp_path, npm=False)
    with pytest.raises(SiteError, match=r"missing npm file .* run `npm ci`"):
        render_site(load_catalog(MINI), tmp_path / "c", project_root=project)


def test_page_titles_name_the_record_category_or_tag(built):
    engine, site = built
    for path, title in (
        ("records/beta2020-method/index.html", "Beta: Learning from Toy Preferences"),
        ("taxonomy/def-two-a/index.html", "Two A"),
        ("tags/toy-data/index.html", "Toy data"),
    ):
        head = (site / path).read_text(encoding="utf-8")
        assert re.search(rf"<title>{re.escape(title)} - Toy Catalog</title>", head), (engine, path)


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_hostile_fields_never_become_markup_with_either_engine(tmp_path, engine):
    catalog = tmp_path / "cat"
    shutil.copytree(MINI, catalog)
    (catalog / "papers" / "evil2021-hostile.yaml").write_text(
        "id: evil2021-hostile\nkind: paper\n"
        "title: '<script>window.__pwned=1</script> <img src=x onerror=alert(1)> [md](https://x.example)'\n"
        "authors:\n- {family: '<b>B</b>', given: '</title><script>alert(2)</script>'}\nyear: 2021\n"
        "summary: '</script><script>alert(3)</script>'\nadded: '2026-11-10'\n"
    )
    cat = load_catalog(catalog)
    assert not cat.errors
    site = tmp_path / "site"
    build_site(cat, site, engine=engine, project_root=REPO, build_dir=tmp_path / "b")
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for bad in (
            "<script>window.__pwned",
            "<script>alert(",
            "<img src=x",
            "<b>B</b>",
            '<a href="https://x.example',
        ):
            assert bad not in text, (page.relative_to(site).as_posix(), bad)
    record = (site / "records/evil2021-hostile/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in record
    assert "[md](https://x.example)" in record
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed and "&lt;script&gt;window.__pwned=1" in feed


def test_cite_page_serves_the_catalogs_citation_cff(built):
    from aligncat.export import export

    engine, site = built
    served = (site / "CITATION.cff").read_text(encoding="utf-8")
    assert served == export(load_catalog(MINI), "cff")
    cite = (site / "cite/index.html").read_text(encoding="utf-8")
    assert 'href="../CITATION.cff"' in cite
    assert "@misc{zeta2023-toy-survey," in cite or "{zeta2023-toy-survey," in cite  # the survey's own entry


def test_no_page_has_an_inline_style_and_level_colours_are_a_stylesheet(built):
    """style-src is 'self' only: no generated page, hand-written page or table writes a style attribute; the goal
    levels' colours are classes in the generated levels.css, which every page links."""
    from html.parser import HTMLParser

    engine, site = built
    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(f"{page}: <{tag} style={v!r}>" for k, v in attrs if k == "style")
            if tag == "style":
                found.append(f"{page}: <style>")

    for page in sorted(site.rglob("*.html")):
        Finder().feed(page.read_text(encoding="utf-8"))
    assert found == [], (engine, found[:3])
    assert '<th align="right">' in (site / "guide/importing/index.html").read_text(encoding="utf-8"), engine
    css = (site / "assets/aligncat/levels.css").read_text(encoding="utf-8")
    assert ".ac-lv-level-one { --ac-level: #1f77b4; }" in css and ".ac-level-swatch.ac-nolv {" in css
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "levels.css" in home and 'class="ac-level-card ac-lv-level-one"' in home, engine


def test_two_previews_of_one_project_render_into_their_own_folders(tmp_path):
    # Two `aligncat serve` of one project at once (two catalogs, two ports) wrote one folder, each the other's
    # pages and Content Security Policy; each now holds its own until it stops, and a stopped one's is reused.
    from contextlib import ExitStack

    from aligncat.site.serve import Preview

    first, second = (Preview(tmp_path / "cat", tmp_path, site_url=f"http://127.0.0.1:{p}/") for p in (8001, 8002))
    with ExitStack() as one:
        first.claim_folder(one)
        with ExitStack() as two:
            second.claim_folder(two)
            assert first.work.name == "serve-mkdocs" and second.work.name == "serve-mkdocs-2"
        third = Preview(tmp_path / "cat", tmp_path)
        with ExitStack() as again:
            third.claim_folder(again)
            assert third.work.name == "serve-mkdocs-2"  # released when the second preview stopped
