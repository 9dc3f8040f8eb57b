"""The employee journey in Chromium with the whole corpus loaded: find a family among 145, read a
level (new items first), compare with the keyboard alone; no page scrolls sideways at 390 or
1,280 px and no page type has a serious or critical axe-core violation."""

from __future__ import annotations

import pytest

from ladder.models import FamilyVersion, JobFamily, Level
from postings.models import Posting
from tests.journeys.helpers import (
    assert_accessible,
    assert_no_sideways_scroll,
    load_corpus,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _widest_families(count: int) -> list[JobFamily]:
    """Families whose pages hold the longest unbroken strings (URLs): the likeliest to overflow."""

    def longest_word(family: JobFamily) -> int:
        return max((len(w) for w in family.source.split()), default=0)

    return sorted(JobFamily.objects.filter(levels__isnull=False).distinct(), key=longest_word)[
        -count:
    ]


def test_employee_journey(live_server, browser, artifacts):
    load_corpus(postings=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    base = live_server.url

    # Home: departments, not one endless list; type to filter (htmx), no reload.
    page.goto(f"{base}/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    page.evaluate("window.__marker = 1")
    page.fill("#family-filter", "backend")
    wait_until(
        page,
        "document.querySelectorAll('#family-groups .family-card').length > 0 && "
        "[...document.querySelectorAll('#family-groups .family-card h3')]"
        ".every(h => /backend/i.test(h.textContent))",
    )
    assert page.evaluate("window.__marker") == 1
    assert "filter=backend" in page.url
    page.screenshot(path=str(artifacts / "journey-employee-home.png"), full_page=True)

    # A family, then a level with what is new first.
    page.locator("#family-groups .family-card h3 a").first.click()
    page.wait_for_selector(".page-head h1")
    level = (
        Level.objects.filter(family__slug="backend-engineering", items__extends_level__isnull=False)
        .order_by("position")
        .first()
    )
    page.goto(f"{base}{level.get_absolute_url()}")
    link = page.get_by_role("link", name="Show what is new first").first
    if link.count():
        link.click()
        page.wait_for_selector("text=Handbook order")
    page.screenshot(path=str(artifacts / "journey-employee-level.png"), full_page=True)

    # Compare with the keyboard alone: focus stays on the control in use, one history entry.
    page.goto(f"{base}/compare/")
    page.focus("#family-0")
    page.keyboard.press("ArrowDown")  # the first family
    page.wait_for_selector("#level-0 option:nth-child(2)", state="attached")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "level-0"
    history_before = page.evaluate("history.length")
    page.keyboard.press("ArrowDown")  # one level: an unfinished selection
    page.wait_for_selector(".compare-hint")
    assert page.evaluate("document.activeElement.id") == "level-0"
    assert page.locator("body .site-header").count() == 1  # the page was not replaced
    page.focus("#family-1")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#level-1 option:nth-child(2)", state="attached")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#comparison table.compare-table")
    assert page.evaluate("document.activeElement.id") == "level-1"
    page.keyboard.press("ArrowDown")  # the next level: replaces, does not push
    page.wait_for_timeout(600)
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert page.evaluate("history.length") - history_before <= 1
    page.screenshot(path=str(artifacts / "journey-employee-compare.png"), full_page=True)
    compare_url = page.url
    assert errors == []
    context.close()

    # Every page type: no sideways scroll at either width, no serious axe violation.
    family = JobFamily.objects.get(slug="backend-engineering")
    version = FamilyVersion.objects.filter(family=family).first()
    posting = Posting.objects.order_by("pk").first()
    grade = level.grade or Level.objects.filter(grade__isnull=False).first().grade
    pages = {
        "home": "/",
        "family": family.get_absolute_url(),
        "level": level.get_absolute_url(),
        "grade": grade.get_absolute_url(),
        "search": "/search/?q=forecast",
        "compare": compare_url.removeprefix(base),
        "history": f"/families/{family.slug}/history/",
        "postings": "/postings/",
        "posting": posting.get_absolute_url(),
        "posting compare": f"/postings/{posting.pk}/compare/{family.slug}/{level.slug}/",
    }
    if version:
        pages["history"] = f"/families/{family.slug}/history/"
    for wide in _widest_families(6):
        pages[f"family {wide.slug}"] = wide.get_absolute_url()
        first = wide.levels.order_by("position").first()
        pages[f"level {first.key}"] = first.get_absolute_url()
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(f"{base}{path}")
            assert_no_sideways_scroll(page, f"{name} at {width}px")
            if width == 1280 and not name.startswith(("family ", "level ")):
                assert_accessible(page, name)
        page.goto(f"{base}/")
        page.screenshot(path=str(artifacts / f"journey-employee-home-{width}.png"), full_page=True)
        context.close()


def test_enter_in_a_search_box_sends_one_request(live_server, browser):
    """Typing filters as you go; Enter sends the form once (a "search" event trigger beside
    the form's submit sent every request twice)."""
    load_corpus(postings=False)
    page = browser.new_context().new_page()
    base = live_server.url
    level = Level.objects.filter(family__slug="backend-engineering").first()
    boxes = [("/", "#family-filter", "backend"), ("/search/", "#search-q", "forecast")]
    boxes.append((level.get_absolute_url(), "#compare-find", "senior"))
    for path, box, words in boxes:
        page.goto(f"{base}{path}")
        page.fill(box, words)
        page.wait_for_timeout(600)  # the typing's own request, after its 250 ms pause
        sent: list[str] = []
        page.on("request", lambda r, sent=sent: r.headers.get("hx-request") and sent.append(r.url))
        page.press(box, "Enter")
        page.wait_for_timeout(800)
        assert len(sent) == 1, (path, sent)
