"""The recruiter journey in Chromium: paste a posting, read its facts and suggested levels,
filter the grouped level picker by typing, confirm the level; then the posting in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from ladder.handbook.sources import Source
from ladder.services import family_import
from postings.models import Posting
from tests.conftest import ROOT
from tests.groups import group
from tests.journeys.helpers import assert_accessible, sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
PASTED = """Senior Sales Operations Manager
Company: Acme Analytics
Location: Remote, United States
Salary: $140,000 – $170,000 per year

About the role
You will run the revenue operations of a growing sales team.

What you'll do
- Own the forecasting process and the weekly forecast call with sales leadership
- Manage a team of sales operations analysts
- Build territory and quota plans with finance

What you'll need
- 8+ years of experience in sales operations
- Experience managing people
- Expert in Salesforce reporting
"""


def test_recruiter_from_paste_to_confirmed_level(live_server, browser, artifacts):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    rita = User.objects.create_user("rita", password="a-long-passphrase", is_staff=True)
    rita.groups.add(group("Recruiters"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    base = live_server.url
    sign_in(page, base, "rita", "a-long-passphrase")

    page.goto(f"{base}/postings/")
    page.get_by_role("link", name="Import postings").click()
    page.fill("textarea[name=text]", PASTED)
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("h1:has-text('Senior Sales Operations Manager')")
    body = page.inner_text("main")
    assert "Acme Analytics · Remote, United States" in body
    assert "$140,000 – $170,000 per year" in body
    assert "What you'll do" not in page.inner_text(".posting-section")

    # The picker: grouped by family, the best match preselected; typing narrows it in place.
    best = page.inner_text(".matches .match strong")
    selected = page.evaluate(
        "document.querySelector('#confirm-level').selectedOptions[0].textContent"
    )
    assert selected.startswith(best)
    page.evaluate("window.__marker = 3")
    page.fill("#level-filter", "director")
    wait_until(
        page,
        "[...document.querySelectorAll('#confirm-level optgroup option')]"
        ".every(o => /Director/.test(o.textContent))",
    )
    assert page.evaluate("window.__marker") == 3
    page.screenshot(path=str(artifacts / "journey-recruiter-picker.png"))
    chosen = page.evaluate(
        "document.querySelector('#confirm-level').selectedOptions[0].textContent"
    )
    # One click saves: the button does not move when the filtered list changes width.
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".messages :text('Confirmed: ')")
    posting = Posting.objects.get()
    assert posting.level is not None and chosen.startswith(posting.level.title)
    assert posting.level_confirmed_by == rita
    page.screenshot(path=str(artifacts / "journey-recruiter-confirmed.png"), full_page=True)

    # In the admin: edit, with history.
    page.goto(f"{base}/admin/postings/posting/{posting.pk}/change/")
    page.fill("#id_location", "Remote, Canada")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.goto(f"{base}/admin/postings/posting/{posting.pk}/history/")
    assert "rita" in page.inner_text("#content")
    assert errors == [], errors
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "rita", "a-long-passphrase")
    for path in (
        "/postings/upload/",
        posting.get_absolute_url(),
        f"/admin/postings/posting/{posting.pk}/change/",
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, path)
    context.close()
