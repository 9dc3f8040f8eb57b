from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_opens_in_headless_chromium(live_server, page, artifacts):
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert page.locator("a.brand").inner_text().strip().endswith("Ladder")
    # htmx loaded from our own static files (no CDN, CSP allows it).
    assert page.evaluate("typeof window.htmx") == "object"
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    assert errors == []
