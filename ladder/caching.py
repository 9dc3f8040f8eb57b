"""Whole-page caching for anonymous GET requests, keyed by the content version.

A page is cached until the ladder or the postings next change (``SiteVersion``); signed-in
people (staff see edit controls) and anything but a plain 200/404 bypass the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from ladder.services import content_version

PERSONAL_COOKIES = ("sessionid", "messages")


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        personal = any(
            name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
        )
        if request.method != "GET" or personal or settings.LADDER_PAGE_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = (
            f"ladder:page:{content_version()}:{request.headers.get('HX-Request', '')}:"
            f"{request.headers.get('HX-Target', '')}:"
            f"{request.headers.get('HX-History-Restore-Request', '')}:{digest}"
        )
        hit = cache.get(key)
        if hit is not None:
            content, content_type, status = hit
            return HttpResponse(content, content_type=content_type, status=status)
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404) and not response.streaming and not response.cookies:
            cache.set(
                key,
                (response.content, response["Content-Type"], response.status_code),
                settings.LADDER_PAGE_CACHE_SECONDS,
            )
        return response

    return wrapped
