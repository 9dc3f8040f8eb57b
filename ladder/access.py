"""Who may see the ladder: the private-ladder gate and sign-in by a trusted proxy's header.

``LADDER_PRIVATE=1`` turns Ladder into an internal site: every page and the JSON API need a
signed-in person; the sign-in pages, static files and the health check stay open. The page
cache (ladder/caching.py) stays out of the way in private mode: it only ever serves visitors
who are not signed in, and those are exactly the ones a private ladder turns away.

``LADDER_TRUSTED_HEADER`` lets a company's SSO proxy sign people in by a request header
(Django's ``RemoteUserMiddleware``). The header is believed only from the addresses in
``LADDER_TRUSTED_PROXIES``; from anywhere else it is ignored, as anyone can send a header.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

# Paths a visitor who is not signed in may still reach on a private ladder: the ways to sign
# in (the admin has its own staff check), the health check and static files.
OPEN_PREFIXES = ("/accounts/", "/oidc/", "/admin/", "/healthz", "/favicon.ico")


def _is_open(path: str) -> bool:
    return path.startswith((*OPEN_PREFIXES, "/" + settings.STATIC_URL.lstrip("/")))


class PrivateLadderMiddleware:
    """With ``LADDER_PRIVATE`` on, send visitors who are not signed in to the sign-in page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.LADDER_PRIVATE
            and not request.user.is_authenticated
            and not _is_open(request.path_info)
        ):
            if request.path_info.startswith("/api/"):
                # A script gets a status it can act on, not an HTML sign-in page.
                return JsonResponse({"error": "This ladder is private: sign in first."}, status=401)
            if request.headers.get("HX-Request"):
                # A fragment request whose session ran out: send the whole page to sign in,
                # not the sign-in page into the fragment's place.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                next_url = urlunsplit(("", "", current.path, current.query, "")) or "/"
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(next_url)["Location"]
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def trusted_proxy(request: HttpRequest) -> bool:
    """True when the request comes straight from one of the configured proxies."""
    return request.META.get("REMOTE_ADDR", "") in settings.LADDER_TRUSTED_PROXIES


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address, for the failed-login lockout (django-axes).

    Behind a trusted proxy it is the last address of X-Forwarded-For: the one the proxy itself
    appended. Earlier entries come from the visitor and could be anything.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and trusted_proxy(request):
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR")


def trusted_header_key() -> str:
    """The request.META key of ``LADDER_TRUSTED_HEADER`` ("X-Remote-User" → HTTP_X_REMOTE_USER)."""
    return "HTTP_" + settings.LADDER_TRUSTED_HEADER.upper().replace("-", "_")


class TrustedHeaderMiddleware(RemoteUserMiddleware):
    """Sign in the person named by the SSO proxy's header; off unless the header is configured."""

    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.LADDER_TRUSTED_HEADER:
            return self.get_response(request)
        return super().__call__(request)

    def get_username(self, request: HttpRequest) -> str:
        # KeyError is how RemoteUserMiddleware hears "no header": a header from anyone but the
        # proxy counts as none, so nobody can sign in as someone else by sending it.
        if not trusted_proxy(request):
            raise KeyError(self.header)
        username = request.META[trusted_header_key()].strip()
        if not username:
            raise KeyError(self.header)
        return username


class TrustedHeaderBackend(RemoteUserBackend):
    """People the proxy vouches for get an account on their first visit."""

    def authenticate(self, request: HttpRequest | None, remote_user: str | None = None):
        if not settings.LADDER_TRUSTED_HEADER or request is None or not trusted_proxy(request):
            return None
        return super().authenticate(request, remote_user)

    def configure_user(self, request: HttpRequest, user, created: bool = True):
        if created:
            # The proxy vouches for them; no password of Ladder's may ever open the account.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request (every web sign-in).

    Code that checks a password without a request (the test client's ``login``, a shell) has
    no address to count failures against; axes would refuse it outright, so it is let through
    to the password check like any other backend's caller.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
