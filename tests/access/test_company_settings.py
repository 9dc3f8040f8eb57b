"""A company's settings: check --deploy stays clean with all of them on; mistakes are refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-for-the-deploy-check-" + "abcdefghij" * 5,
    "DJANGO_ALLOWED_HOSTS": "ladder.example.org",
}
COMPANY = {
    "LADDER_PRIVATE": "1",
    "LADDER_OIDC_ISSUER": "https://login.example.org/realms/staff",
    "LADDER_OIDC_CLIENT_ID": "ladder",
    "LADDER_OIDC_CLIENT_SECRET": "s3cret",
    "LADDER_TRUSTED_PROXIES": "10.0.0.10",
    "LADDER_TRUSTED_HEADER": "X-Remote-User",
    "DJANGO_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
    "DJANGO_CACHE_LOCATION": "redis://127.0.0.1:9/0",
}


def _check(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LADDER_"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "ladder.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_every_company_setting_on():
    result = _check("--deploy", env={**PRODUCTION, **COMPANY})
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LADDER_OIDC_ISSUER": "https://login.example.org"},
            "LADDER_OIDC_ISSUER needs LADDER_OIDC_CLIENT_ID and LADDER_OIDC_CLIENT_SECRET",
        ),
        ({"LADDER_OIDC_GROUPS": "HR editors"}, "LADDER_OIDC_GROUPS must be claimed=Group pairs"),
        ({"LADDER_PRIVATE": "maybe"}, "LADDER_PRIVATE must be a boolean"),
    ],
)
def test_mistakes_are_refused_at_start_with_one_clear_message(env, message):
    result = _check(env={"DJANGO_DEBUG": "1", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_providers_origin_may_receive_the_sign_out_form():
    # Signing out answers with a redirect to the provider's sign-out page; browsers hold a
    # form's redirects to the Content-Security-Policy form-action list.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LADDER_"))}
    code = "from django.conf import settings; print(*settings.SECURE_CSP['form-action'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "1", **{k: v for k, v in COMPANY.items() if "OIDC" in k}},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["'self'", "https://login.example.org"], result.stderr
