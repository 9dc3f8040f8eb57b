"""Real Chromium: click through the ladder, search as you type, save a screenshot of each page."""

from __future__ import annotations

import re

import pytest

from tests.ladder.test_views import import_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console_errors(page) -> list[str]:
    # CSP violations (an inline style or script) surface as console errors: keep them at zero.
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_index_to_family_to_level_to_next_level_by_clicking(
    live_server, page, artifacts, console_errors
):
    import_seed()
    page.goto(live_server.url + "/")
    page.screenshot(path=str(artifacts / "index.png"), full_page=True)

    page.get_by_role("link", name="Sales Operations", exact=True).click()
    page.wait_for_url("**/families/sales-operations/")
    assert page.locator("svg.chart a.chart-box").count() == 18
    page.screenshot(path=str(artifacts / "family.png"), full_page=True)

    # A box in the SVG chart is a real link.
    page.locator('svg.chart a.chart-box[href$="/manager-sales-operations/"]').click()
    page.wait_for_url("**/families/sales-operations/manager-sales-operations/")
    assert page.locator("h1").inner_text() == "Manager, Sales Operations"

    page.locator("a[rel=next]").click()
    page.wait_for_url("**/families/sales-operations/senior-manager-sales-operations/")
    assert page.locator("h1").inner_text() == "Senior Manager, Sales Operations"

    page.goto(live_server.url + "/families/sales-operations/senior-channel-operations-manager/")
    assert page.locator(".item-from").first.is_visible()
    page.screenshot(path=str(artifacts / "level.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "level-phone.png"), full_page=True)
    # Nothing spills sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "level-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/grades/9/")
    assert page.locator(".level-list a").count() == 2
    page.screenshot(path=str(artifacts / "grade.png"), full_page=True)
    assert console_errors == []


def test_search_as_you_type_swaps_results_without_reloading(
    live_server, page, artifacts, console_errors
):
    import_seed()
    page.goto(live_server.url + "/search/")
    page.evaluate("window.__marker = 1")
    page.locator("#search-q").press_sequentially("forecast", delay=20)
    page.wait_for_selector("#search-results mark")
    page.wait_for_url(re.compile(r"/search/\?q=forecast(&|$)"))
    assert page.evaluate("window.__marker") == 1  # the page was not reloaded
    assert "Lead and facilitate forecast calls" in page.locator("#search-results").inner_text()
    assert page.locator("#search-results h1").count() == 0
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)

    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially("quota", delay=20)
    page.wait_for_url(re.compile(r"q=quota(&|$)"))
    page.wait_for_selector("#search-results mark:text-is('quota')")
    assert page.evaluate("window.__marker") == 1
    # A filter swaps the results too, and the address keeps it.
    page.select_option("#search-grade", "10")
    page.wait_for_url(re.compile(r"q=quota&grade=10"))
    page.wait_for_selector("#search-results .search-status")
    assert "grade 10" in page.locator("#search-results .result-meta").first.inner_text()
    assert page.evaluate("window.__marker") == 1
    assert console_errors == []
