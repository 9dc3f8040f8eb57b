from __future__ import annotations

import pytest

from tests.history.test_history_pages import import_in_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_three_version_history_renders_in_chromium(live_server, page, artifacts):
    import_in_order()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(f"{live_server.url}/families/sales-operations/history/")
    page.get_by_role("link", name="What changed from version 2").click()
    page.wait_for_url("**/history/2/3/")
    assert page.locator("details.diff-renamed").count() == 1
    assert page.locator(".diff-level.diff-removed").count() == 2
    page.screenshot(path=str(artifacts / "history-diff.png"), full_page=True, caret="initial")
    assert errors == []
