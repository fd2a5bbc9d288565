"""Search finds a record by its own short name and an author by their own paper first (issue 17), in both
backends: MkDocs' lunr (the short name, aliases, id and authors in the page's most weighted field) and Pagefind
(the same terms in an element it weights 10 and 5), on the real catalog."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from conftest import REAL_CATALOG, SiteServer, build_once, serve_folder

pytestmark = pytest.mark.browser
SEARCH_TIMEOUT_MS = 30_000
# (query, the record it must rank first): a short name that other titles share a word with ("Safe RLHF" was
# ranked above the HH-RLHF dataset), and an author's surname (their own paper above those that cite it).
QUERIES = [("HH-RLHF", "bai2022-hh-rlhf"), ("Ouyang", "ouyang2022-instructgpt")]


@pytest.fixture(scope="session")
def real_pagefind_server(tmp_path_factory) -> Iterator[SiteServer]:
    from aligncat.site.search import ENV_BACKEND

    old = os.environ.get(ENV_BACKEND)
    os.environ[ENV_BACKEND] = "pagefind"
    try:
        site = build_once(tmp_path_factory, "real-pagefind", lambda folder: REAL_CATALOG)
    finally:
        if old is None:
            os.environ.pop(ENV_BACKEND, None)
        else:
            os.environ[ENV_BACKEND] = old
    yield from serve_folder(site)


def _records_in(server, ids) -> None:
    for rid in ids:
        if not (server.root / "records" / rid / "index.html").exists():
            pytest.skip(f"the real catalog no longer has {rid}")


@pytest.mark.parametrize("query,expected", QUERIES)
def test_lunr_ranks_the_record_first(page, real_server, query, expected):
    _records_in(real_server, [expected])
    page.goto(real_server.url(""))
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    page.locator(".md-search-result__item").first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    first = page.locator(".md-search-result__item > a").first.get_attribute("href")
    assert f"/records/{expected}/" in first, first
    assert page.console_errors == []


@pytest.mark.parametrize("query,expected", QUERIES)
def test_pagefind_ranks_the_record_first(page, real_pagefind_server, query, expected):
    _records_in(real_pagefind_server, [expected])
    page.goto(real_pagefind_server.url(f"find/?q={query}"))
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    first = page.locator(".pagefind-ui__result-link").first.get_attribute("href")
    assert first.endswith(f"/records/{expected}/"), first
    assert page.console_errors == [] and page.external_requests == []
