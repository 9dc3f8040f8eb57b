"""An HR editor edits an item in the admin, sees the effective preview and the level page change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from ladder.handbook.sources import Source
from ladder.models import Item, Level
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


def test_hr_editor_edits_an_item_and_sees_the_preview_and_level_page(live_server, page, artifacts):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    user = User.objects.create_user("hana", password="a-long-passphrase", is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"))
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "hana")
    page.fill("#id_password", "a-long-passphrase")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    manager = Level.objects.get(slug="manager-sales-operations")
    item = Item.objects.get(level=manager, section="requirements", position=0)
    page.goto(f"{live_server.url}/admin/ladder/level/{manager.pk}/change/")
    field = page.locator("textarea").filter(has_text="BA/BS degree").first
    field.fill("BA/BS degree, or equivalent experience in sales operations")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    preview = page.locator(".effective-preview").nth(1).inner_text()
    assert "BA/BS degree, or equivalent experience in sales operations" in preview
    page.screenshot(path=str(artifacts / "admin-level.png"), full_page=True, caret="initial")
    item.refresh_from_db()
    assert item.text == "BA/BS degree, or equivalent experience in sales operations"

    # The change reaches the level page of a level that inherits it.
    page.goto(f"{live_server.url}/families/sales-operations/senior-manager-sales-operations/")
    assert "BA/BS degree, or equivalent experience in sales operations" in page.content()
    assert errors == []
