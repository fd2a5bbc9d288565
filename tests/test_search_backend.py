"""The search backend choice (site stage): lunr for small catalogs, Pagefind for large ones or when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aligncat.site import search
from aligncat.load import load_catalog

MINI = Path(__file__).parent / "data" / "mini_catalog"


@pytest.fixture(scope="module")
def mini():
    return load_catalog(MINI)


def test_small_catalog_keeps_lunr_and_large_one_gets_pagefind(mini, monkeypatch) -> None:
    monkeypatch.delenv(search.ENV_BACKEND, raising=False)
    assert search.choose_backend(mini, search.backend_setting({})) == "lunr"
    monkeypatch.setattr(search, "PAGEFIND_FROM_RECORDS", len(mini.records))
    assert search.choose_backend(mini, "auto") == "pagefind"
    monkeypatch.setattr(search, "pagefind_executable", lambda: None)
    assert search.choose_backend(mini, "auto") == "lunr"  # no binary: fall back rather than fail
    with pytest.raises(search.SearchError, match="not installed"):
        search.choose_backend(mini, "pagefind")


def test_setting_comes_from_mkdocs_extra_or_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(search.ENV_BACKEND, raising=False)
    assert search.backend_setting({"extra": {"search_backend": "Pagefind"}}) == "pagefind"
    assert search.backend_setting({"extra": None}) == "auto"
    with pytest.raises(
        search.SearchError, match="extra.search_backend is 'elastic'; choose one of: auto, lunr"
    ):
        search.backend_setting({"extra": {"search_backend": "elastic"}})
    monkeypatch.setenv(search.ENV_BACKEND, "lunr")
    assert search.backend_setting({"extra": {"search_backend": "pagefind"}}) == "lunr"


def test_pagefind_config_drops_the_lunr_plugin_and_its_features() -> None:
    cfg = {
        "plugins": ["search", {"tags": {}}],
        "theme": {"features": ["search.highlight", "navigation.tabs"]},
    }
    out = search.configure(cfg, "pagefind")
    assert out["plugins"] == [{"tags": {}}]
    assert out["theme"]["features"] == ["navigation.tabs"]
    assert out["extra"]["search_backend"] == "pagefind"
    kept = search.configure({"plugins": ["search"]}, "lunr")
    assert kept["plugins"] == ["search"]


def test_record_filters_name_kind_year_and_goal_levels(mini) -> None:
    record = mini.records["toybench2021"]
    from aligncat.render.pages import search_filters

    html = search_filters(mini, record, None)
    assert 'data-pagefind-filter="kind:benchmark"' in html
    assert 'data-pagefind-filter="year:2021"' in html
    assert 'data-pagefind-filter="goal level:Level One"' in html and "Level Three" in html
    assert html.startswith("<div") and " hidden>" in html


def test_filter_values_cannot_break_out_of_the_attribute() -> None:
    from aligncat.render.jinja import render
    from aligncat.render.pages import _filter_value

    assert (
        _filter_value('a "quoted",  <b>') == 'a "quoted" <b>'
    )  # no comma: Pagefind splits filters at commas
    html = render(None, "record_search_filters.html", filters=[("kind", _filter_value('a "quoted", <b>'))])
    assert 'data-pagefind-filter="kind:a &#34;quoted&#34; &lt;b&gt;"' in html


def test_record_pages_carry_the_search_filters_whatever_was_imported_first() -> None:
    """The record sections are listed in render, not registered by importing aligncat.search: a fresh
    interpreter that never imports it still gets them (so do the MkDocs plugin and `aligncat build`)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from aligncat.load import load_catalog\n"
        "from aligncat.site import generate_pages\n"
        f"pages, _ = generate_pages(load_catalog({str(MINI)!r}))\n"
        "page = next(p for p in pages if p.path == 'records/toybench2021.md')\n"
        "assert 'data-pagefind-filter=\"kind:benchmark\"' in page.content, page.content\n"
        "assert 'aligncat.site.search' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_search_page_loads_only_files_of_this_site() -> None:
    page = search.search_page()
    assert page.path == "find.md" and page.title == "Search"
    for src in ("../pagefind/pagefind-ui.js", "../pagefind/pagefind-ui.css"):
        assert src in page.content
    assert "http://" not in page.content and "https://" not in page.content


def test_record_pages_give_both_backends_the_short_name_aliases_id_and_authors(mini) -> None:
    from aligncat.render import RenderContext
    from aligncat.render.pages import render_record_page, search_filters
    from aligncat.render.search_terms import search_terms

    record = next(r for r in mini.records.values() if r.short_name and r.authors)
    terms = search_terms(record)
    assert terms.names[0] == record.short_name and record.id in terms.names
    assert terms.authors == tuple(a.display for a in record.authors)
    page = render_record_page(mini, record, RenderContext())
    front = page.split("---")[1]
    assert f"tags: {json.dumps(list(terms.all), ensure_ascii=False)}" in front  # lunr's most weighted field
    block = search_filters(mini, record, None)
    assert f'<p data-pagefind-weight="10" data-pagefind-meta="aligncat_names">{record.short_name}' in block
    assert f'<p data-pagefind-weight="5" data-pagefind-meta="aligncat_authors">{record.authors[0].display}' in block


def test_search_terms_are_each_given_once() -> None:
    from aligncat.model import Author, Paper
    from aligncat.render.search_terms import search_terms

    r = Paper(id="x2020-y", kind="paper", title="T", year=2020, short_name="HH-RLHF",
              aliases=("hh-rlhf", "Anthropic  HH"), authors=(Author("Bai", "Yuntao"), Author("Bai", "Yuntao")))
    terms = search_terms(r)
    assert terms.names == ("HH-RLHF", "Anthropic HH", "x2020-y")
    assert terms.authors == ("Yuntao Bai",)


@pytest.mark.parametrize(
    "backend,engine,files",
    [
        (
            "lunr",
            "mkdocs",
            {
                "assets/aligncat/search-match.js": "script",
                "assets/aligncat/search-rank.js": "script",
                "assets/javascripts/workers/aligncat-search.js": "worker",
            },
        ),
        ("lunr", "zensical", {}),  # Zensical's own search: nothing of lunr's to wrap
        (
            "pagefind",
            "mkdocs",
            {"assets/aligncat/search-match.js": "script", "assets/aligncat/pagefind/pagefind.js": "script"},
        ),
        (
            "pagefind",
            "zensical",
            {"assets/aligncat/search-match.js": "script", "assets/aligncat/pagefind/pagefind.js": "script"},
        ),
    ],
)
def test_the_search_ranking_files_are_in_the_site_and_allowed_by_the_policy(
    mini, monkeypatch, backend, engine, files
) -> None:
    # The files that put an exact match first (tests/browser/test_search_boost.py proves what they do) are copied
    # into the site, and the policy names each by its address as what it is loaded as, and nothing else of them.
    from aligncat.site import site_plan
    from aligncat.site.docs import ASSETS_DIR

    if backend == "pagefind" and search.pagefind_executable() is None:
        pytest.skip("Pagefind is not installed")
    monkeypatch.setenv(search.ENV_BACKEND, backend)
    plan = site_plan(mini, Path(__file__).parents[1], {}, engine=engine)
    assert plan.backend == backend
    ranking = {rel: kind for rel, kind in plan.search_rank_assets.values()}
    assert ranking == files
    for rel in files:
        assert Path(plan.files[rel]).parent == ASSETS_DIR and Path(plan.files[rel]).is_file(), rel
    base = "https://example.org/survey/"
    policy = dict(p.split(" ", 1) for p in plan.csp({"site_url": base}).split("; "))
    for rel, kind in files.items():
        assert base + rel in policy["script-src" if kind == "script" else "worker-src"].split(), (rel, kind)
    extra = plan.theme_extra({"site_url": base})
    assert extra.get("aligncat_search_rank") == (
        "assets/aligncat/search-rank.js" if "assets/aligncat/search-rank.js" in files else None
    )
