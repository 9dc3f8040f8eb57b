"""LADDER_PRIVATE: every page and the API need a signed-in person; the page cache never leaks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
LEVEL = "/families/sales-operations/sr-sales-operations-analyst/"


@pytest.fixture
def ladder(settings, tmp_path) -> None:
    # The production cache: shared by every worker, so it outlives a switch to private mode.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    cache.clear()
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])


@pytest.fixture
def employee():
    return get_user_model().objects.create_user("erin", "erin@example.org", "a-long-passphrase")


@pytest.mark.parametrize("path", ["/", LEVEL, "/search/?q=forecast", "/postings/", "/grades/5/"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Client, settings, ladder, path):
    settings.LADDER_PRIVATE = True
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_api_answers_401_without_a_session(client: Client, settings, ladder):
    settings.LADDER_PRIVATE = True
    response = client.get("/api/families/")
    assert response.status_code == 401
    assert response.json() == {"error": "This ladder is private: sign in first."}


def test_sign_in_page_static_files_and_health_stay_open(client: Client, settings, ladder):
    settings.LADDER_PRIVATE = True
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/ladder.css").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def test_signing_in_lands_on_the_page_asked_for(client: Client, settings, ladder, employee):
    settings.LADDER_PRIVATE = True
    login_url = client.get(LEVEL)["Location"]
    response = client.post(
        login_url, {"username": "erin", "password": "a-long-passphrase", "next": LEVEL}
    )
    assert response.status_code == 302 and response["Location"] == LEVEL
    page = client.get(LEVEL)
    assert page.status_code == 200
    assert "Lead and facilitate forecast calls" in page.content.decode()
    assert client.get("/api/families/").status_code == 200


def test_a_page_seen_by_a_signed_in_person_is_never_served_to_a_visitor(settings, ladder, employee):
    settings.LADDER_PRIVATE = True
    signed_in = Client()
    signed_in.force_login(employee)
    assert signed_in.get(LEVEL).status_code == 200
    assert signed_in.get(LEVEL).status_code == 200
    visitor = Client()
    response = visitor.get(LEVEL)
    assert response.status_code == 302
    assert b"forecast" not in response.content


def test_a_page_cached_while_public_is_not_served_once_private(settings, ladder):
    visitor = Client()
    public = visitor.get(LEVEL)
    assert public.status_code == 200 and b"forecast" in public.content
    settings.LADDER_PRIVATE = True  # same content version, same shared cache
    response = visitor.get(LEVEL)
    assert response.status_code == 302
    assert b"forecast" not in response.content


def test_an_expired_session_cookie_gets_no_cached_page(settings, ladder):
    settings.LADDER_PRIVATE = True
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert visitor.get(LEVEL).status_code == 302


def test_signing_out_closes_the_ladder_again(client: Client, settings, ladder, employee):
    settings.LADDER_PRIVATE = True
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert "Sign out" in page
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_public_ladder_stays_open(client: Client, ladder):
    assert client.get(LEVEL).status_code == 200
    assert client.get("/api/families/").status_code == 200


def test_an_htmx_request_without_a_session_sends_the_whole_page_to_sign_in(
    client: Client, settings, ladder
):
    settings.LADDER_PRIVATE = True
    response = client.get(
        "/search/?q=forecast",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/search/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/search/"
