"""``/healthz`` for load balancers: 200 when the database and the cache answer, 503 otherwise.

It names no person and no page content, is never cached (by Ladder or by a proxy), and costs
one ``SELECT 1`` plus one cache write and read.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not healthy", said by the status
        log.warning("health check: database unavailable", exc_info=True)
        return False


def _cache() -> bool:
    token = secrets.token_hex(8)
    try:
        cache.set("ladder:healthz", token, 10)
        return cache.get("ladder:healthz") == token
    except Exception:  # noqa: BLE001
        log.warning("health check: cache unavailable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "cache": _cache()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
