"""What a reader meets first, at a desktop (1366x900) and a phone (390x844) size: a shared filtered table opens
without the search overlay, the venue and author filters, the phone's folded filter form, the feeds announced
in every page's head."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def sized(request, chromium):
    """A page at the desktop or the phone size (a phone context is a touch device, as Material sees it)."""
    phone = request.param == "phone"
    context = chromium.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.size = request.param
    try:
        yield pg
    finally:
        context.close()


def _search_open(page) -> bool:
    # Material opens its search overlay by checking this toggle (and focusing the search box).
    return page.evaluate("document.querySelector('input[data-md-toggle=search]').checked")


def test_a_reloaded_filtered_link_shows_no_search_overlay(sized, real_server) -> None:
    page = sized
    page.goto(real_server.url("browse/?kind=dataset&find=preference"))
    page.wait_for_load_state("networkidle")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the theme opens the overlay after its search index is loaded
    assert not _search_open(page)
    assert page.locator('input[data-filter="find"]').input_value() == "preference"
    rows = page.locator("table#records tbody tr:not([hidden])")
    assert 0 < rows.count() < page.locator("table#records tbody tr").count()
    for row in rows.all():
        assert row.get_attribute("data-kind") == "dataset" and "preference" in row.get_attribute("data-text")
    # The control: the parameter the table used before (?q=) is the theme's, and it does open the overlay.
    page.goto(real_server.url("browse/?kind=dataset&q=preference"))
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelector('input[data-md-toggle=search]').checked", timeout=5000)
    assert not page.console_errors, page.console_errors


def test_typing_in_the_text_filter_writes_find_not_q(page, toy_server) -> None:
    page.goto(toy_server.url("browse/"))
    page.wait_for_load_state("networkidle")  # the site's script is set up
    page.fill('input[data-filter="find"]', "beta")
    query = page.evaluate("location.search")  # page.url follows history.replaceState only a moment later
    assert "find=beta" in query and "q=" not in query


def test_the_venue_filter_finds_every_year_of_a_venue(page, real_server) -> None:
    page.goto(real_server.url("browse/"))
    page.wait_for_load_state("networkidle")
    options = page.locator('select[data-filter="venue"] option').evaluate_all("os => os.map(o => o.value)")
    assert "NeurIPS" in options and "ICLR" in options and not any(o.endswith("2024") for o in options)
    page.select_option('select[data-filter="venue"]', "NeurIPS")
    visible = page.locator("table#records tbody tr:not([hidden])")
    assert visible.count() > 5
    venues = {row.locator("td.ac-col-venue").inner_text() for row in visible.all()}
    assert all(v.startswith("NeurIPS") for v in venues) and len(venues) > 1, venues  # several years
    assert "venue=NeurIPS" in page.evaluate("location.search")
    page.reload()
    assert page.locator("table#records tbody tr:not([hidden])").count() == visible.count()


def test_the_author_filter_matches_one_author_by_any_part_of_the_name(page, toy_server) -> None:
    page.goto(toy_server.url("browse/"))
    page.wait_for_load_state("networkidle")  # the site's script is set up
    page.fill('input[data-filter="author"]', "ada alpha")
    visible = page.locator("table#records tbody tr:not([hidden])")
    assert visible.count() >= 2
    for row in visible.all():
        assert "ada alpha" in row.get_attribute("data-author").split("|")
    assert "author=ada+alpha" in page.evaluate("location.search")
    page.fill('input[data-filter="author"]', "ada beta")  # two authors' names mixed: nobody
    assert visible.count() == 0


def test_on_a_phone_the_filter_form_folds_behind_one_button(sized, toy_server) -> None:
    page = sized
    page.goto(toy_server.url("browse/?goal=level-two"))
    page.wait_for_load_state("networkidle")
    form = page.locator("form.ac-filters")
    toggle = page.locator("button.ac-filters-toggle")
    first_row = page.locator("table#records tbody tr:not([hidden])").first
    if page.size == "desktop":
        assert form.is_visible() and not toggle.is_visible()
        return
    assert toggle.is_visible() and not form.is_visible()
    assert "1 active" in toggle.inner_text()
    assert first_row.bounding_box()["y"] < PHONE["height"]  # the table starts on the first screen
    toggle.click()
    assert form.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.locator('select[data-filter="goal"]').input_value() == "level-two"
    toggle.click()
    assert not form.is_visible()


def test_every_page_announces_the_feeds(page, toy_server) -> None:
    page.goto(toy_server.url("records/beta2020-method/"))
    feeds = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feeds.count() == 1
    page.goto(toy_server.url("taxonomy/def-two/"))
    hrefs = page.locator('link[rel="alternate"][type="application/atom+xml"]').evaluate_all(
        "ls => ls.map(l => l.href)"
    )
    assert hrefs == [toy_server.url("feed.xml"), toy_server.url("feed-category-def-two.xml")]
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok and b"<feed" in response.body()


def test_a_record_pages_paper_and_cite_controls_are_on_the_first_screen(sized, toy_server, real_server) -> None:
    page = sized
    height = PHONE["height"] if page.size == "phone" else DESKTOP["height"]
    for server, record in ((toy_server, "beta2020-method"), (real_server, "ouyang2022-instructgpt")):
        page.goto(server.url(f"records/{record}/"))
        page.wait_for_load_state("networkidle")
        for name in ("Paper", "Cite"):
            control = page.locator(".ac-actions .md-button", has_text=name).first
            box = control.bounding_box()
            assert box and control.is_visible() and box["y"] + box["height"] <= height, (record, name, box)
        summary = page.locator("h2#summary")
        assert summary.count() == 1 and summary.bounding_box()["y"] > 0


def test_the_cite_panel_copies_each_format(page, toy_server) -> None:
    page.goto(toy_server.url("records/beta2020-method/"))
    page.wait_for_load_state("networkidle")
    panel = page.locator("details#cite")
    assert not panel.is_visible()
    page.click("a.ac-cite-open")
    assert panel.is_visible() and panel.evaluate("d => d.open")
    box = panel.bounding_box()
    assert box["y"] < DESKTOP["height"]  # it opens where the reader is, under the button
    for name, source in (("APA", "#cite-apa-beta2020-method"), ("BibTeX", "#bibtex-beta2020-method code"),
                         ("RIS", "#ris-beta2020-method code"), ("CSL-JSON", "#csl-json-beta2020-method code")):
        page.locator("details#cite button.ac-copy", has_text=f"Copy {name}").click()
        page.wait_for_timeout(100)
        copied = page.evaluate("navigator.clipboard.readText()")
        expected = page.locator(source).inner_text().strip()
        assert copied.strip() == expected and expected, name
    page.goto(toy_server.url("records/beta2020-method/#cite"))
    page.wait_for_load_state("networkidle")
    assert page.locator("details#cite").evaluate("d => d.open")


def test_details_are_plain_controls_not_admonitions(sized, toy_server) -> None:
    page = sized
    page.goto(toy_server.url("taxonomy/"))
    details = page.locator(".ac-tree details").first
    style = details.evaluate(
        """d => { const s = getComputedStyle(d), m = getComputedStyle(d.querySelector('summary'), '::before');
                  return {border: s.borderTopWidth, shadow: s.boxShadow, icon: m.content}; }"""
    )
    assert style == {"border": "0px", "shadow": "none", "icon": "none"}, style


def test_the_cite_page_shows_citation_cff_whole(sized, real_server) -> None:
    page = sized
    page.goto(real_server.url("cite/"))
    cff = page.locator("pre.ac-cff")
    assert cff.count() == 1
    overflow = cff.evaluate("p => { const c = p.querySelector('code'); return c.scrollWidth - c.clientWidth; }")
    assert overflow <= 1, overflow
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_axe_finds_nothing_on_the_new_record_page_at_both_sizes(sized, toy_server, axe) -> None:
    page = sized
    for path in ("records/beta2020-method/", "browse/", "taxonomy/"):
        page.goto(toy_server.url(path))
        page.wait_for_load_state("networkidle")
        if path.startswith("records"):
            page.click("a.ac-cite-open")
        assert axe(page) == [], path
