"""Single sign-on end to end against a real OpenID Connect provider on loopback.

``oidc-provider-mock`` runs in a thread on 127.0.0.1: discovery, authorization form, token and
userinfo endpoints, RS256-signed ID tokens, sign-out page. Nothing in Ladder is mocked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils.csp import CSP
from oidc_provider_mock import User, run_server_in_thread

from ladder.handbook.sources import Source
from ladder.oidc import discovery_key
from ladder.services import family_import
from tests.conftest import ROOT

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
LEVEL = "/families/sales-operations/sr-sales-operations-analyst/"
PEOPLE = [
    User(
        sub="ana",
        claims={
            "email": "ana@example.org",
            "given_name": "Ana",
            "family_name": "Lima",
            "groups": ["HR editors", "engineering"],
        },
    ),
    User(sub="rui", claims={"email": "rui@example.org", "groups": ["Recruiters"]}),
    User(sub="eve", claims={"email": "eve@example.org", "groups": []}),
]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread(user_claims=PEOPLE, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(settings, provider: str) -> str:
    """Ladder configured as the README says: issuer, client id and secret; private."""
    settings.LADDER_OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = "ladder"
    settings.OIDC_RP_CLIENT_SECRET = "ladder-secret"
    settings.LADDER_PRIVATE = True
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, provider]}
    Group.objects.get_or_create(name="Recruiters")  # made by the recruiters' migration
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    return provider


def _sign_in(client: Client, who: str, asked_for: str = LEVEL):
    """Follow the redirects a browser would, choosing ``who`` on the provider's form."""
    login = client.get(asked_for)
    assert login.status_code == 302
    page = client.get(login["Location"]).content.decode()
    sso_link = html.unescape(re.search(r'href="(/oidc/authenticate/[^"]*)"', page).group(1))
    start = client.get(sso_link)
    assert start.status_code == 302
    authorize = start["Location"]
    answer = requests.post(authorize, data={"sub": who}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})


@pytest.mark.django_db
def test_sign_in_lands_on_the_page_asked_for_with_groups_and_names(client: Client, sso):
    landed = _sign_in(client, "ana")
    assert landed.status_code == 302 and landed["Location"] == LEVEL
    page = client.get(LEVEL)
    assert page.status_code == 200 and "Lead and facilitate forecast calls" in page.content.decode()
    ana = get_user_model().objects.get(email="ana@example.org")
    assert (ana.username, ana.first_name, ana.last_name) == ("ana@example.org", "Ana", "Lima")
    assert [group.name for group in ana.groups.all()] == ["HR editors"]
    assert ana.is_staff and not ana.has_usable_password()
    assert client.get("/admin/ladder/level/").status_code == 200


@pytest.mark.django_db
def test_recruiters_and_people_without_a_group(client: Client, sso):
    _sign_in(client, "rui")
    rui = get_user_model().objects.get(email="rui@example.org")
    assert [group.name for group in rui.groups.all()] == ["Recruiters"] and rui.is_staff
    other = Client()
    _sign_in(other, "eve")
    eve = get_user_model().objects.get(email="eve@example.org")
    assert not eve.groups.exists() and not eve.is_staff
    assert other.get(LEVEL).status_code == 200
    assert other.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_groups_follow_the_provider_at_every_sign_in(client: Client, sso, provider: str):
    _sign_in(client, "ana")
    ana = get_user_model().objects.get(email="ana@example.org")
    by_hand = Group.objects.create(name="Auditors")
    ana.groups.add(by_hand)
    client.post("/accounts/logout/")
    # The provider moves Ana from HR to recruiting.
    requests.put(
        f"{provider}/users/ana",
        json={"email": "ana@example.org", "groups": ["Recruiters"]},
        timeout=10,
    ).raise_for_status()
    try:
        _sign_in(Client(), "ana")
        assert sorted(group.name for group in ana.groups.all()) == ["Auditors", "Recruiters"]
    finally:
        requests.put(f"{provider}/users/ana", json=PEOPLE[0].claims, timeout=10)


@pytest.mark.django_db
def test_sign_out_ends_the_session_at_the_provider_too(client: Client, sso, provider: str):
    _sign_in(client, "ana")
    out = client.post("/accounts/logout/")
    assert out.status_code == 302
    end_session = urlsplit(out["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == provider
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"]
    assert client.get(LEVEL).status_code == 302


@pytest.mark.django_db
def test_a_forged_callback_signs_nobody_in(client: Client, sso):
    client.get("/oidc/authenticate/", {"next": LEVEL})
    response = client.get("/oidc/callback/", {"code": "made-up", "state": "made-up"})
    assert response.status_code == 400  # state not in the session: SuspiciousOperation
    assert client.get(LEVEL).status_code == 302


@pytest.mark.django_db
def test_an_id_token_from_another_issuer_is_refused(client: Client, sso, settings):
    # Ladder trusts 127.0.0.1 as issuer, but the endpoints it was given are the provider's
    # under another name, whose tokens carry that name as issuer.
    settings.LADDER_OIDC_ISSUER = sso.replace("localhost", "127.0.0.1")
    document = requests.get(f"{sso}/.well-known/openid-configuration", timeout=10).json()
    cache.set(discovery_key(settings.LADDER_OIDC_ISSUER), document)
    response = _sign_in(client, "ana")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?failed=sso"
    assert "did not complete" in client.get(response["Location"]).content.decode()
    assert client.get(LEVEL).status_code == 302
    assert not get_user_model().objects.filter(email="ana@example.org").exists()


@pytest.mark.django_db
def test_django_accounts_keep_working_beside_single_sign_on(client: Client, sso):
    get_user_model().objects.create_user("local", "local@example.org", "a-long-passphrase")
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your company account" in page
    response = client.post(
        "/accounts/login/", {"username": "local", "password": "a-long-passphrase", "next": LEVEL}
    )
    assert response.status_code == 302 and response["Location"] == LEVEL
    assert client.get(LEVEL).status_code == 200


@pytest.mark.django_db
def test_without_an_issuer_single_sign_on_is_off(client: Client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "company account" not in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_unreachable_provider_gets_a_clear_503(client: Client, settings):
    settings.LADDER_OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_RP_CLIENT_ID = "ladder"
    settings.OIDC_RP_CLIENT_SECRET = "ladder-secret"
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 503
    assert "Single sign-on is unavailable" in response.content.decode()
