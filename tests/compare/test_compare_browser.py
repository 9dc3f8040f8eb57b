"""Compare in real Chromium: no reload, shareable URL, back button, and no JavaScript."""

from __future__ import annotations

import pytest

from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT
from tests.journeys.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


@pytest.fixture
def seed():
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])


def test_pick_a_level_compares_without_reload_then_back_and_direct_url(
    live_server, page, artifacts, seed
):
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    start = f"{live_server.url}/families/sales-operations/manager-sales-operations/"
    page.goto(start)
    page.evaluate("window.__marker = 42")
    page.select_option("#compare-level", "sales-operations/senior-manager-sales-operations")
    page.wait_for_selector("#comparison table.compare-table")
    assert page.evaluate("window.__marker") == 42  # no reload happened
    assert "/compare/?" in page.url and "senior-manager-sales-operations" in page.url
    assert page.locator("#comparison .cell-added").count() == 3
    page.screenshot(
        path=str(artifacts / "compare-on-level-page.png"), full_page=True, caret="initial"
    )
    shared_url = page.url

    page.go_back()
    page.wait_for_url(start)
    assert page.locator("#comparison table").count() == 0

    page.goto(shared_url)  # the same URL opened directly renders the same comparison
    assert page.locator("h1").inner_text() == "Compare levels"
    assert page.locator("#comparison .cell-added").count() == 3
    assert page.locator("#comparison .row-same").count() == 26

    # Add a third column from the compare page: the area swaps, no reload.
    page.evaluate("window.__marker = 7")
    page.select_option("#family-2", "sales-operations")
    page.wait_for_selector(
        "#level-2 option[value='sales-operations/director-sales-operations']", state="attached"
    )
    page.select_option("#level-2", "sales-operations/director-sales-operations")
    page.wait_for_selector("#comparison table.cols-3")
    assert page.evaluate("window.__marker") == 7
    assert "director-sales-operations" in page.url
    page.screenshot(path=str(artifacts / "compare-three.png"), full_page=True, caret="initial")
    assert errors == []


def test_whats_new_at_the_next_level_in_one_click(live_server, page, seed):
    page.goto(f"{live_server.url}/families/sales-operations/manager-sales-operations/")
    page.get_by_role("link", name="What’s new at Senior Manager, Sales Operations").click()
    page.wait_for_selector("#comparison table")
    assert page.locator("#comparison .row-same").count() == 0
    assert page.locator("#comparison .cell-added").count() == 3


def test_compare_form_works_with_javascript_disabled(live_server, browser, artifacts, seed):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/families/sales-operations/manager-sales-operations/")
    page.select_option("#compare-level", "sales-operations/senior-manager-sales-operations")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert "/compare/?" in page.url
    assert page.locator("#comparison .cell-added").count() == 3
    page.screenshot(path=str(artifacts / "compare-no-js.png"), full_page=True, caret="initial")
    context.close()


def test_find_a_level_of_another_family_by_keyboard_as_you_type(live_server, page, artifacts, seed):
    """The level page lists no other family: typing finds a level, Tab and Enter compare."""
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    start = f"{live_server.url}/families/sales-operations/manager-sales-operations/"
    page.goto(start)
    page.evaluate("window.__marker = 42")
    page.focus("#compare-find")
    page.keyboard.type("director sales")
    page.wait_for_selector("#compare-matches a")
    assert page.evaluate("window.__marker") == 42  # matches came without a reload
    assert page.evaluate("document.activeElement.id") == "compare-find"  # typing goes on
    titles = page.locator("#compare-matches a").all_inner_texts()
    assert titles and all("Director" in title for title in titles)
    assert_accessible(page, "level page with matches")
    page.locator(".compare-box").screenshot(path=str(artifacts / "compare-find.png"))
    page.keyboard.press("Tab")  # the Find button
    page.keyboard.press("Tab")  # the first match
    assert page.evaluate("document.activeElement.textContent") == titles[0]
    page.keyboard.press("Enter")
    page.wait_for_selector("#comparison table.compare-table")
    assert page.evaluate("window.__marker") == 42
    assert "/compare/?" in page.url and "director" in page.url
    assert errors == []


def test_find_a_level_works_with_javascript_disabled(live_server, browser, seed):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/families/sales-operations/manager-sales-operations/")
    page.fill("#compare-find", "senior manager")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    link = page.locator(".level-matches a").first
    assert link.inner_text() == "Senior Manager, Sales Operations"
    link.click()
    page.wait_for_load_state()
    assert page.locator("#comparison .cell-added").count() == 3
    context.close()
