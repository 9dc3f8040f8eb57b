"""Failed-login lockout (django-axes) on the sign-in page and the admin's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase"


@pytest.fixture
def erin():
    return get_user_model().objects.create_user("erin", "erin@example.org", PASSWORD)


def _sign_in(client: Client, password: str, url: str = "/accounts/login/", **extra):
    return client.post(url, {"username": "erin", "password": password}, **extra)


def test_five_wrong_passwords_lock_the_name_even_against_the_right_one(client: Client, erin):
    for _ in range(4):
        assert _sign_in(client, "wrong").status_code == 200  # the form again, with its error
    locked = _sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert _sign_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_is_locked_too(client: Client, erin):
    erin.is_staff = True
    erin.save()
    for _ in range(5):
        _sign_in(client, "wrong", url="/admin/login/")
    assert _sign_in(client, PASSWORD, url="/admin/login/").status_code == 429


def test_a_right_password_before_the_limit_resets_the_count(client: Client, erin):
    for _ in range(4):
        _sign_in(client, "wrong")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "wrong").status_code == 200


def test_another_address_is_not_locked_out(client: Client, erin):
    for _ in range(5):
        _sign_in(client, "wrong", REMOTE_ADDR="10.0.0.1")
    assert _sign_in(client, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client: Client, settings, erin):
    settings.LADDER_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(5):
        _sign_in(client, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    locked = _sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert locked.status_code == 429
    # Another person behind the same proxy is not locked out.
    other = _sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 302


def test_a_forwarded_address_from_anyone_else_is_not_believed(client: Client, erin):
    for forged in range(5):
        _sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{forged}")
    assert _sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429
