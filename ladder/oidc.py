"""Single sign-on by OpenID Connect (mozilla-django-oidc), configured by the issuer alone.

The provider's endpoints come from its discovery document
(``<issuer>/.well-known/openid-configuration``), fetched when someone signs in and kept in the
shared cache for an hour, so a company gives three values: issuer, client id and secret.
Tokens are checked beyond what the library does: the ID token must come from the configured
issuer and be meant for this client.

Groups: the claim ``LADDER_OIDC_GROUPS_CLAIM`` lists the person's groups at the provider;
``LADDER_OIDC_GROUPS`` says which of them grant which Ladder group ("HR editors",
"Recruiters"). Membership of those Ladder groups follows the provider at every sign-in
(added and removed); groups the mapping does not name are left alone, so an administrator can
still grant them by hand.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


def discovery_key(issuer: str) -> str:
    return "ladder:oidc:discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:16]


def provider() -> dict[str, Any]:
    """The provider's discovery document: its endpoints, cached in the shared cache."""
    issuer = settings.LADDER_OIDC_ISSUER
    key = discovery_key(issuer)
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{issuer}: {exc}") from exc
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def group_mapping() -> dict[str, str]:
    """{claimed group: Ladder group} from ``LADDER_OIDC_GROUPS``."""
    pairs = (pair.split("=", 1) for pair in settings.LADDER_OIDC_GROUPS)
    return {claimed.strip(): group.strip() for claimed, group in pairs}


def username_from_claims(email: str | None, claims: dict[str, Any]) -> str:
    """A readable user name (it shows in the admin's history): the email, else the subject.

    >>> username_from_claims("ana@example.org", {"sub": "42"})
    'ana@example.org'
    """
    name = (email or claims.get("preferred_username") or claims.get("sub") or "").strip()
    if not name or len(name) > 150 or get_user_model().objects.filter(username=name).exists():
        # Taken by a local account with another email, or unusable: a stable opaque name.
        digest = hashlib.sha256(f"{settings.LADDER_OIDC_ISSUER}|{claims.get('sub')}".encode())
        name = "oidc-" + base64.b32encode(digest.digest()[:15]).decode().lower()
    return name


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with discovered endpoints, issuer/audience checks and
    groups from a claim."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads every endpoint here, and Django builds a backend for every
        # signed-in request (get_user): endpoints are looked up only when someone signs in.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 - the library's attribute name
        return provider()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider()["jwks_uri"]

    def authenticate(self, request: HttpRequest | None, **kwargs: Any):
        if not settings.LADDER_OIDC_ISSUER:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (ProviderUnavailable, requests.RequestException, SuspiciousOperation) as exc:
            # The person lands on the sign-in page with a message; the reason goes to the log.
            log.warning("OpenID Connect sign-in failed: %s", exc)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # The library checks the signature and nonce only.
        if payload.get("iss", "").rstrip("/") != settings.LADDER_OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token meant for another client")
        return payload

    def create_user(self, claims: dict[str, Any]):
        with transaction.atomic():
            user = super().create_user(claims)
            return self.update_user(user, claims)

    def update_user(self, user, claims: dict[str, Any]):
        """Names from the claims; the mapped Ladder groups exactly as the provider lists them."""
        claimed = claims.get(settings.LADDER_OIDC_GROUPS_CLAIM) or []
        if isinstance(claimed, str):
            claimed = [claimed]
        mapping = group_mapping()
        wanted = {mapping[name] for name in claimed if name in mapping}
        with transaction.atomic():
            user.first_name = str(claims.get("given_name", user.first_name))[:150]
            user.last_name = str(claims.get("family_name", user.last_name))[:150]
            user.email = claims.get("email", user.email)
            # HR editors work in the admin and recruiters upload postings: both are staff.
            # A superuser made with createsuperuser keeps their rights.
            user.is_staff = bool(wanted) or user.is_superuser
            user.save()
            managed = Group.objects.filter(name__in=set(mapping.values()))
            user.groups.remove(*[group for group in managed if group.name not in wanted])
            user.groups.add(*[group for group in managed if group.name in wanted])
            missing = wanted - {group.name for group in managed}
        if missing:
            log.warning("OpenID Connect groups name unknown Ladder groups: %s", sorted(missing))
        return user


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider; 404 when single sign-on is not configured."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.LADDER_OIDC_ISSUER:
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider()["authorization_endpoint"]
        except (ProviderUnavailable, KeyError):
            log.warning("OpenID Connect provider unavailable", exc_info=True)
            return render(request, "registration/sso_unavailable.html", status=503)
        return super().get(request)


def provider_logout_url(request: HttpRequest) -> str:
    """Where signing out goes: the provider's sign-out page when it has one, else the home."""
    home = request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not settings.LADDER_OIDC_ISSUER or not id_token:
        return settings.LOGOUT_REDIRECT_URL
    try:
        end_session = provider().get("end_session_endpoint")
    except ProviderUnavailable:
        end_session = None
    if not end_session:
        return settings.LOGOUT_REDIRECT_URL
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": home})
    return f"{end_session}?{query}"


def sign_in_url() -> str | None:
    """The single sign-on button's target, or None when it is not configured."""
    return reverse("oidc_authentication_init") if settings.LADDER_OIDC_ISSUER else None
