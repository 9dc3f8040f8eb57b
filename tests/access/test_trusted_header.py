"""Sign-in by the SSO proxy's header: off by default, believed only from the proxy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
PROXY = "10.1.2.3"


@pytest.fixture
def proxied(settings) -> None:
    settings.LADDER_TRUSTED_HEADER = "X-Remote-User"
    settings.LADDER_TRUSTED_PROXIES = [PROXY]
    settings.LADDER_PRIVATE = True


def test_the_proxy_signs_a_person_in_and_an_account_is_made(client: Client, proxied):
    response = client.get("/", HTTP_X_REMOTE_USER="dana", REMOTE_ADDR=PROXY)
    assert response.status_code == 200
    assert "Sign out" in response.content.decode()
    user = get_user_model().objects.get(username="dana")
    assert not user.is_staff and not user.has_usable_password()
    # The session carries on; the proxy sends the header with every request anyway.
    assert client.get("/", HTTP_X_REMOTE_USER="dana", REMOTE_ADDR=PROXY).status_code == 200


def test_the_header_from_anyone_but_the_proxy_is_ignored(client: Client, proxied):
    response = client.get("/", HTTP_X_REMOTE_USER="dana", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="dana").exists()


def test_off_by_default(client: Client, settings):
    settings.LADDER_PRIVATE = True
    response = client.get("/", HTTP_REMOTE_USER="dana", HTTP_X_REMOTE_USER="dana")
    assert response.status_code == 302
    assert not get_user_model().objects.exists()


def test_another_name_in_the_header_ends_the_first_session(client: Client, proxied):
    client.get("/", HTTP_X_REMOTE_USER="dana", REMOTE_ADDR=PROXY)
    client.get("/", HTTP_X_REMOTE_USER="eve", REMOTE_ADDR=PROXY)
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="eve").pk)


def test_a_page_cached_for_visitors_is_not_served_to_a_proxied_person(
    client: Client, settings, tmp_path, admin_user
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    settings.LADDER_TRUSTED_HEADER = "X-Remote-User"
    settings.LADDER_TRUSTED_PROXIES = [PROXY]
    assert "Admin</a>" not in client.get("/").content.decode()  # cached for visitors
    staff = Client()
    page = staff.get("/", HTTP_X_REMOTE_USER=admin_user.username, REMOTE_ADDR=PROXY)
    assert "Admin</a>" in page.content.decode()


def test_the_header_without_a_proxy_address_is_refused_at_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LADDER_"))}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "1", "LADDER_TRUSTED_HEADER": "X-Remote-User"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LADDER_TRUSTED_HEADER needs LADDER_TRUSTED_PROXIES" in result.stderr
