"""Error pages in the site's layout.

A database outage (PostgreSQL restarting, a failover) is not a bug in Ladder: answer 503 with
a page that says so, and let ``CONN_HEALTH_CHECKS`` reconnect on the next request.
"""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _render(template: str, status: int, request: HttpRequest | None = None) -> HttpResponse:
    try:
        body = render_to_string(template, {"status": status}, request=request)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1>"
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("404.html", 404, request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("400.html", 400, request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("403.html", 403, request)


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    ):
        # No request context here: the context processors would query the dead database.
        return _render("503.html", 503)
    return _render("500.html", 500)
