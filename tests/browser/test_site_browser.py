"""Browser tests of the built site (issue 4's Done-when): search, filters in the URL, relations, no
third-party
requests, hostile text shown as text, axe audit, citing; on the toy catalog and on the real catalog."""

from __future__ import annotations

import json
import re

import pytest
from conftest import HOSTILE_TITLE

pytestmark = pytest.mark.browser

# Per site: a search query, the record page it must reach, and a record with relations both ways.
SITES = {
    "toy": {
        "server": "toy_server",
        "search": [("ToyBench", "toybench2021"), ("Beta", "beta2020-method")],
        "both_ways": "beta2020-method",
        "category": "def-two",
    },
    "real": {
        "server": "real_server",
        "search": [("InstructGPT", "ouyang2022-instructgpt"), ("Ouyang", "ouyang2022-instructgpt")],
        "both_ways": "ouyang2022-instructgpt",
        "category": "def-preferences",
    },
}


# The toy catalog built with Zensical: same pages and script, Zensical's own theme (links are written for it).
ZENSICAL = {"server": "toy_zensical_server", "both_ways": "beta2020-method", "category": "def-two"}


def _spec(request, name, spec):
    spec = dict(spec)
    spec["name"] = name
    spec["server"] = request.getfixturevalue(spec["server"])
    return spec


@pytest.fixture(params=sorted(SITES))
def site(request):
    return _spec(request, request.param, SITES[request.param])


@pytest.fixture(params=[*sorted(SITES), "toy-zensical"])
def any_site(request):
    """Like `site`, plus the Zensical build, for what must work the same in both engines."""
    spec = ZENSICAL if request.param == "toy-zensical" else SITES[request.param]
    return _spec(request, request.param, spec)


def search_for(page, server, query: str) -> list[tuple[str, str]]:
    """Type a query into the site's search box; the results as (title text, href)."""
    page.goto(server.url(""))
    page.wait_for_load_state("networkidle")  # the search worker has fetched its index
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=20)  # as a person types: the theme searches on key events
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    results.first.wait_for(timeout=15000)
    return settled_results(page, ".md-search-result__item > a.md-search-result__link")


def settled_results(page, selector: str, *, quiet_ms: int = 400, timeout_ms: int = 15000) -> list[tuple[str, str]]:
    """The (text, href) of the result links once the list has stopped changing for `quiet_ms`: the theme redraws
    the list for each key typed, so links read one by one can vanish in between (a flaky test on a busy machine).
    Read in one evaluate, so the snapshot is one state of the list."""
    snapshot = "s => [...document.querySelectorAll(s)].map(a => [a.innerText, a.getAttribute('href')])"
    last, since = None, 0
    for _ in range(timeout_ms // 100):
        now = [tuple(x) for x in page.evaluate(snapshot, selector)]
        if now == last:
            since += 100
            if since >= quiet_ms:
                return now
        else:
            last, since = now, 0
        page.wait_for_timeout(100)
    return last or []


def test_search_finds_a_record_and_opens_it(page, site):
    server = site["server"]
    for query, record_id in site["search"]:
        found = search_for(page, server, query)
        hrefs = [href for _, href in found]
        assert any(f"records/{record_id}/" in href for href in hrefs[:3]), (query, found[:5])
    link = page.locator(
        f'.md-search-result__item > a.md-search-result__link[href*="records/{record_id}/"]'
    ).first
    link.click()
    page.wait_for_url(re.compile(f"records/{record_id}/"))
    assert page.locator("h1").first.is_visible()
    assert page.external_requests == []


def test_search_reward_model_lands_on_reward_model_pages(page, real_server):
    found = search_for(page, real_server, "reward model")
    top = " ".join(text.lower() for text, _ in found[:3])
    assert "reward model" in top, found[:5]


def test_filter_narrows_the_table_and_survives_a_reload(page, any_site):
    site = any_site
    server = site["server"]
    page.goto(server.url("browse/"))
    rows = page.locator("table#records tbody tr")
    total = rows.count()
    assert total > 3
    level = page.locator('select[data-filter="goal"] option').nth(1).get_attribute("value")
    page.select_option('select[data-filter="goal"]', level)
    page.fill('input[data-filter="from"]', "2021")
    visible = page.locator("table#records tbody tr:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total
    for row in visible.all():
        assert level in row.get_attribute("data-goal").split()
        assert int(row.get_attribute("data-year")) >= 2021
    assert f"goal={level}" in page.url and "from=2021" in page.url
    page.reload()
    assert page.locator('select[data-filter="goal"]').input_value() == level
    assert page.locator("table#records tbody tr:not([hidden])").count() == shown
    assert f"{shown} records of {total}" in page.locator("#records-count").inner_text()
    # the same address opened fresh (a shared link) gives the same view
    url = page.url
    page.goto(server.url(""))
    page.goto(url)
    assert page.locator("table#records tbody tr:not([hidden])").count() == shown


def test_sorting_by_year_orders_rows(page, toy_server):
    page.goto(toy_server.url("browse/"))
    page.click('th[data-sort="year"] button')
    years = [
        int(y)
        for y in page.locator("table#records tbody tr").evaluate_all("rows => rows.map(r => r.dataset.year)")
    ]
    assert years == sorted(years)
    assert "sort=year" in page.url and "dir=asc" in page.url


def test_record_page_shows_relations_both_ways(page, any_site):
    site = any_site
    server = site["server"]
    page.goto(server.url(f"records/{site['both_ways']}/"))
    out = page.locator(".ac-rel-out")
    incoming = page.locator(".ac-rel-in")
    assert out.locator("a").count() >= 1
    assert incoming.locator("a").count() >= 1
    # following an outgoing link reaches a page that lists this record as incoming
    target = out.locator("a").first
    target.click()
    page.wait_for_load_state()
    assert page.locator(f'.ac-rel-in a[href$="/{site["both_ways"]}/"]').count() >= 1


def test_pages_make_no_request_to_another_host(page, any_site):
    site = any_site
    server = site["server"]
    for path in (
        "",
        "taxonomy/",
        "browse/",
        f"records/{site['both_ways']}/",
        f"taxonomy/{site['category']}/",
        "tags/",
        "new/",
        "cite/",
    ):
        page.goto(server.url(path))
        page.wait_for_load_state("networkidle")
    assert page.external_requests == []
    assert page.console_errors == []


def test_hostile_record_is_shown_as_text(page, hostile_server):
    page.goto(hostile_server.url("records/evil2021-hostile/"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") is None
    heading = page.locator("article h1").first.inner_text()
    assert heading.replace("¶", "").strip() == HOSTILE_TITLE
    assert page.title().startswith(HOSTILE_TITLE)
    article = page.locator("article")
    assert article.locator("script").count() == 0
    assert article.locator("img").count() == 0
    assert article.locator('a[href^="javascript:"]').count() == 0
    assert "[a link](https://example.org)" in article.inner_text()
    assert "<b>Bold</b>" in article.inner_text()
    # the index table and search show it as text too
    page.goto(hostile_server.url("browse/"))
    assert page.evaluate("window.__pwned") is None
    assert HOSTILE_TITLE in page.locator('tr[data-id="evil2021-hostile"]').inner_text()


def _axe_pages(site_spec) -> list[str]:
    return [
        "",
        f"taxonomy/{site_spec['category']}/",
        f"records/{site_spec['both_ways']}/",
        "browse/",
        "browse/papers/",
        "taxonomy/",
    ]


def test_axe_finds_no_serious_violations(chromium, axe, site):
    """Home, category, record, index (and graph, when built) pages, in the light and the dark palette."""
    server = site["server"]
    paths = _axe_pages(site)
    if (server.root / "graph" / "index.html").exists():
        paths.append("graph/")
    problems = {}
    for scheme in ("light", "dark"):  # the theme picks its palette from the reader's preference
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        pg = context.new_page()
        try:
            for path in paths:
                pg.goto(server.url(path))
                found = axe(pg)
                if found:
                    problems[f"{path or 'home'} ({scheme})"] = found
        finally:
            context.close()
    assert problems == {}, json.dumps(problems, indent=1)


def test_phone_width_has_no_sideways_scrolling(chromium, toy_server):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    try:
        for path in ("", "records/beta2020-method/", "taxonomy/", "browse/"):
            pg.goto(toy_server.url(path))
            overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (path, overflow)
    finally:
        context.close()


def test_dark_palette_toggle(page, toy_server):
    page.goto(toy_server.url(""))
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}


def test_screenshots_of_main_pages(chromium, real_server, toy_server, artifacts_dir):
    """Leaves PNGs in tests/artifacts/ for a person to look at (desktop and phone)."""
    shots = {
        "home": "",
        "record": "records/ouyang2022-instructgpt/",
        "index": "browse/?goal=human-values",
        "taxonomy": "taxonomy/",
    }
    for width, suffix in ((1280, ""), (390, "-phone")):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        pg = context.new_page()
        try:
            for name, path in shots.items():
                pg.goto(real_server.url(path))
                pg.wait_for_load_state("networkidle")
                out = artifacts_dir / f"site-{name}{suffix}.png"
                pg.screenshot(path=str(out))
                assert out.stat().st_size > 10_000
        finally:
            context.close()


def test_copy_bibtex_puts_the_entry_on_the_clipboard(page, toy_server):
    page.goto(toy_server.url("records/beta2020-method/"))
    page.wait_for_load_state("networkidle")
    page.click("a.ac-cite-open")  # the Cite button under the title opens the panel
    page.click("#bibtex-beta2020-method button.ac-copy")
    page.locator("#bibtex-beta2020-method .ac-copied", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.lstrip().startswith("@") and "beta2020-method" in copied
    assert copied.strip() == page.locator("#bibtex-beta2020-method code").inner_text().strip()


def test_export_this_view_downloads_exactly_the_filtered_records(page, toy_server):
    page.goto(toy_server.url("browse/?kind=paper&from=2020"))
    visible = page.locator("table#records tbody tr:not([hidden])").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"
    )
    assert 0 < len(visible) < page.locator("table#records tbody tr").count()
    with page.expect_download() as info:
        page.click('button[data-export="bibtex"]')
    bib = open(info.value.path(), encoding="utf-8").read()
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)
    assert sorted(keys) == sorted(visible)
    # named after the view: the site, the page, each filter set, the years from-to
    assert re.fullmatch(r"toy-catalog-[a-z0-9-]+-paper-2020-\.bib", info.value.suggested_filename), (
        info.value.suggested_filename)
    with page.expect_download() as info:
        page.click('button[data-export="csl-json"]')
    assert info.value.suggested_filename.endswith("-paper-2020-.json")
    items = json.load(open(info.value.path(), encoding="utf-8"))
    assert sorted(item["id"] for item in items) == sorted(visible)


def test_category_and_tag_bib_downloads_hold_their_records(page, toy_server):
    from conftest import MINI_CATALOG

    from aligncat import load_catalog

    catalog = load_catalog(MINI_CATALOG)
    for path, expected in (
        ("taxonomy/def-two/", {r.id for r in catalog.in_category("def-two")}),
        ("tags/toy-data/", {r.id for r in catalog.by_tag["toy-data"]}),
    ):
        page.goto(toy_server.url(path))
        rows = set(page.locator("table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)"))
        assert rows == expected and len(rows) >= 2
        with page.expect_download() as info:
            page.click("a.ac-download")
        bib = open(info.value.path(), encoding="utf-8").read()
        assert set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)) == rows


def test_zensical_site_searches_and_filters_too(page, toy_zensical_server):
    """The Zensical build has the same features: its own search finds a record, the table filter works."""
    server = toy_zensical_server
    page.goto(server.url(""))
    page.wait_for_load_state("networkidle")
    page.click(".md-search__button")
    page.keyboard.type("ToyBench", delay=20)
    hit = page.locator('a[href*="records/toybench2021/?h="]').first  # result links carry the query
    hit.wait_for()
    hit.click()
    page.wait_for_url(re.compile("records/toybench2021/"))
    page.goto(server.url("browse/?kind=dataset"))
    shown = page.locator("table#records tbody tr:not([hidden])").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert shown and set(shown) == {"dataset"}
    page.goto(server.url("browse/papers/?from=2021"))
    ids = page.locator("table#records tbody tr:not([hidden])").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"
    )
    assert ids
    with page.expect_download() as info:  # the citation data is found from a nested page too
        page.click('button[data-export="bibtex"]')
    bib = open(info.value.path(), encoding="utf-8").read()
    assert sorted(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)) == sorted(ids)
    page.goto(server.url("taxonomy/def-two/"))
    with page.expect_download() as info:
        page.click("a.ac-download")
    assert "@" in open(info.value.path(), encoding="utf-8").read()
    assert page.external_requests == []


def test_hostile_record_in_search_results_stays_text(page, hostile_server):
    """The search index and the result list show the hostile title as text too (no <img onerror> runs)."""
    found = search_for(page, hostile_server, "onerror")
    assert any("records/evil2021-hostile/" in href for _, href in found), found
    results = page.locator(".md-search-result")
    assert results.locator("img, script").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert "window.__pwned" in results.inner_text()


def test_taxonomy_cell_opens_its_slice_as_a_filtered_table(page, any_site):
    site = any_site
    server = site["server"]
    page.goto(server.url("taxonomy/"))
    link = page.locator(".ac-cell-all a").first
    expected = int(re.search(r"All (\d+) records", link.inner_text()).group(1))
    link.click()
    page.wait_for_url(re.compile(r"browse/\?goal=.+&perspective=.+"))
    assert page.locator("table#records tbody tr:not([hidden])").count() == expected


def test_benchmark_comparison_filters_by_protocol(page, toy_server):
    page.goto(toy_server.url("browse/compare-benchmarks/?protocol=pairwise"))
    rows = page.locator("table#compare tbody tr:not([hidden])")
    assert rows.count() >= 1
    for protocols in rows.evaluate_all("rows => rows.map(r => r.dataset.protocol)"):
        assert "pairwise" in protocols.split()
