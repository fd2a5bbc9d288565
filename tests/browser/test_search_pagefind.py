"""Pagefind search on a built site (site stage, search): results, filters, links, nothing from other hosts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
# Pagefind compiles its WebAssembly on first use: on a loaded 2-core CI machine that can take a few seconds.
SEARCH_TIMEOUT_MS = 30_000


def test_pagefind_bundle_replaces_the_lunr_index(pagefind_toy_site) -> None:
    assert (pagefind_toy_site / "pagefind" / "pagefind-ui.js").is_file()
    assert any((pagefind_toy_site / "pagefind" / "index").iterdir())
    assert not (pagefind_toy_site / "search" / "search_index.json").exists()


def test_query_shows_records_with_filters_and_opens_the_record(page, pagefind_server) -> None:
    page.goto(pagefind_server.url("find/?q=preferences"))
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert any("Beta" in t for t in titles), titles
    assert all("¶" not in t for t in titles)  # heading permalinks are not indexed
    # Pagefind UI draws the filter panel after the first results, once it has loaded the filter index: wait for it.
    page.wait_for_function(
        "() => document.querySelectorAll('.pagefind-ui__filter-name').length >= 3", timeout=SEARCH_TIMEOUT_MS
    )
    filters = page.locator(".pagefind-ui__filter-name").all_inner_texts()
    assert {"Kind", "Year", "Goal level"} <= {f.strip().capitalize() for f in filters}, filters
    page.locator(".pagefind-ui__result-link", has_text="Beta").first.click()
    page.wait_for_url("**/records/beta2020-method/", timeout=SEARCH_TIMEOUT_MS)
    assert page.locator("h1").first.inner_text().startswith("Beta")
    assert page.external_requests == [] and page.console_errors == []


def test_kind_filter_narrows_results(page, pagefind_server) -> None:
    page.goto(pagefind_server.url("find/?q=toy"))
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    page.get_by_label("dataset", exact=False).first.check()
    page.wait_for_function(
        # A function, not a bare expression: Playwright evaluates bare expressions with eval, which the site's
        # Content Security Policy refuses (microsoft/playwright#7395).
        "() => document.querySelectorAll('.pagefind-ui__result-link').length === 2", timeout=SEARCH_TIMEOUT_MS
    )
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert sorted(titles) == sorted(["ToyInst, a Toy Instruction Dataset", "ToyInst 2, Translated"]), titles
