"""Whole-page caching for anonymous GET requests, keyed by the content version.

Views opt in with ``@cached_page``; ``PageCacheMiddleware`` does the caching. It sits right
after WhiteNoise, so a hit skips sessions, CSRF, authentication, URL resolution and the view
and costs one shared-cache read for the content version plus one for the page: no query. The
stored response keeps the headers the inner middleware added (CSP, frame options, Vary), so a
page from the cache is the same page. Signed-in people (staff see edit controls), anything
but a plain 200/404 and any response that sets a cookie bypass the cache.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from ladder.access import trusted_header_key
from ladder.services import content_version

log = logging.getLogger(__name__)

PERSONAL_COOKIES = ("sessionid", "messages")
# Request headers that change what a cached view answers (HTMX asks for a partial).
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
# Cookies are personal; a response that sets one is not stored at all, this is belt and braces.
UNSTORED_HEADERS = {"set-cookie"}


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let ``PageCacheMiddleware`` keep this view's answers until the next import or edit."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # On the request, not the response: a 404 raised by the view is cacheable too.
        request.ladder_cacheable = True
        return view(request, *args, **kwargs)

    return wrapped


def _is_personal(request: HttpRequest) -> bool:
    names = (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
    return any(name in request.COOKIES for name in names)


def page_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it must not come from the cache."""
    if request.method != "GET" or settings.LADDER_PAGE_CACHE_SECONDS <= 0:
        return None
    if _is_personal(request):
        return None
    if settings.LADDER_PRIVATE:
        # Only visitors who are not signed in are served from here, and a private ladder shows
        # them nothing; a page stored while the ladder was public must not reach them either.
        return None
    if settings.LADDER_TRUSTED_HEADER and trusted_header_key() in request.META:
        # The proxy names a person: TrustedHeaderMiddleware signs them in further down.
        return None
    # get_host() checks ALLOWED_HOSTS, which the skipped CommonMiddleware would have done; in
    # the key so that no page rendered for one host name is served for another.
    host = request.get_host()
    varying = ":".join(request.headers.get(name, "") for name in VARY_HEADERS)
    raw = f"{host}\n{varying}\n{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"ladder:page:{content_version()}:{digest}"


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            key = page_key(request)
            hit = cache.get(key) if key else None
        except DisallowedHost:
            key = hit = None  # CommonMiddleware answers 400 and logs it
        except Exception:  # noqa: BLE001 - a cache or database outage: the normal path answers
            if request.method == "GET":
                log.warning("page cache unavailable for %s", request.path, exc_info=True)
            key = hit = None
        if hit is not None:
            content, status, headers = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if key and self._storable(request, response):
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in UNSTORED_HEADERS
            ]
            try:
                cache.set(
                    key,
                    (response.content, response.status_code, headers),
                    settings.LADDER_PAGE_CACHE_SECONDS,
                )
            except Exception:  # noqa: BLE001 - a cache outage must not fail the page
                log.warning("page cache could not store %s", request.path, exc_info=True)
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            getattr(request, "ladder_cacheable", False)
            and response.status_code in (200, 404)
            and not response.streaming
            and not response.cookies
        )
