from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.test import Client

from tests.conftest import ROOT


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "ladder.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_is_one_clear_line():
    result = _manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_deploy_with_production_settings_prints_no_warning():
    result = _manage(
        "check",
        "--deploy",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3y-for-the-deploy-check-" + "abcdefghij" * 5,
            "DJANGO_ALLOWED_HOSTS": "ladder.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_bad_boolean_in_environment_is_refused():
    result = _manage("check", env={"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_database_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_home_page_uses_vendored_htmx_and_security_headers(client: Client, db):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/django_htmx/" in body or "htmx" in body
    assert "https://" not in body.split("<body")[0]  # no CDN in the head
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_url_is_a_404_page_in_the_site_layout(client: Client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"site-header" in response.content
