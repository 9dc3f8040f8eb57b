"""The level form's section groups in Chromium at 1,280 px: no sideways scroll, every item text
box on screen, an item added per group with JavaScript ("Add another") and without it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from ladder.handbook.sources import Source
from ladder.models import SECTION_CHOICES, Item, Level
from tests.conftest import SEED_PAGE
from tests.journeys.helpers import assert_accessible, assert_no_sideways_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-passphrase"


@pytest.fixture
def manager() -> Level:
    from ladder.services import family_import

    family_import(sources=[Source(str(SEED_PAGE), SEED_PAGE.read_bytes())])
    user = User.objects.create_user("hana", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"))
    return Level.objects.get(slug="manager-sales-operations")


def section_texts(level: Level, section: str) -> list[str]:
    items = Item.objects.filter(level=level, section=section).order_by("position", "id")
    return [item.text for item in items]


def test_the_grouped_form_fits_1280_px_and_adds_an_item_per_section(
    live_server, page, artifacts, manager
):
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, live_server.url, "hana", PASSWORD)
    url = f"{live_server.url}/admin/ladder/level/{manager.pk}/change/"
    page.goto(url)

    headings = page.locator("h2.inline-heading").all_inner_texts()
    assert [h.strip().lower() for h in headings] == [
        str(label).lower() for _, label in SECTION_CHOICES
    ]
    group = page.locator("#items-requirements-group")
    assert group.locator("textarea[name$='-text']").first.input_value() == "BA/BS degree"
    assert_no_sideways_scroll(page, "level change form at 1280px")
    width = page.evaluate("document.documentElement.clientWidth")
    boxes = page.locator("tr.form-row:not(.empty-form) textarea[name$='-text']")
    assert boxes.count() == len(manager.items.all()) + len(SECTION_CHOICES)  # + the blank rows
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        # On screen and wide enough to read a sentence.
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, index
        assert box["width"] >= 250, box
    assert_accessible(page, "level change form")

    # With JavaScript: "Add another" in the Requirements group, then edit one and delete one.
    group.get_by_role("button", name="Add another Requirements item").click()
    new_row = group.locator("tr.dynamic-items-requirements").last
    new_row.locator("textarea").fill("Fluent in **SQL**")
    responsibilities = page.locator("#items-responsibilities-group")
    responsibilities.locator("textarea[name$='-text']").first.fill("Lead the sales operations team")
    group.locator("input[name$='-DELETE']").nth(1).check()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.screenshot(path=str(artifacts / "admin-level-sections.png"), full_page=True)
    requirements = section_texts(manager, "requirements")
    assert requirements[-1] == "Fluent in **SQL**"
    assert len(requirements) == 12  # one added, one deleted
    assert section_texts(manager, "responsibilities")[0] == "Lead the sales operations team"
    assert errors == [], errors


def test_without_javascript_the_blank_row_of_a_group_adds_to_that_section(
    live_server, browser, manager
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "hana", PASSWORD)
        page.goto(f"{live_server.url}/admin/ladder/level/{manager.pk}/change/")
        assert_no_sideways_scroll(page, "level change form without JavaScript")
        blank = page.locator("#items-general-group tr.form-row:not(.has_original):not(.empty-form)")
        blank.locator("textarea").fill("Travel up to 10 %")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
    finally:
        context.close()
    assert section_texts(manager, "general") == ["Travel up to 10 %"]
    item = Item.objects.get(level=manager, section="general")
    assert item.position == 0
    assert item.history.get().history_user.username == "hana"
