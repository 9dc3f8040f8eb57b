"""Django's Redis cache, made so that a Redis outage costs speed and never a page.

Every cache read in Ladder has the database behind it (pages, the content version, the
posting index), so an unreachable Redis is answered as a miss: reads return the default, writes
store nothing, and the request goes on to the database. The client gives up at once (no
retries, short timeouts) so a stopped Redis adds well under a millisecond per call, and one
warning per process and minute goes to the log rather than one per call.

Settings pick this class when ``DJANGO_CACHE_BACKEND`` names Django's ``RedisCache``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)

# Short enough that a hung Redis keeps p99 low, long enough for a busy one on a LAN.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
WARN_EVERY_SECONDS = 60.0


class RedisCache(DjangoRedisCache):
    """Django's ``RedisCache``; an unreachable server reads as empty and stores nothing."""

    _last_warning = 0.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        # redis-py retries a refused connection with back-off by default: ~0.2 s a call.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})

    def _unavailable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - RedisCache._last_warning > WARN_EVERY_SECONDS:
            RedisCache._last_warning = now
            log.warning(
                "Redis cache unavailable (%s): %s; serving from the database", operation, exc
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            self._unavailable("add", exc)
            # Nobody can hold the key in an unreachable cache: the caller goes first (the
            # posting index, for one, is then built here instead of waited for).
            return True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            self._unavailable("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            self._unavailable("set", exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            self._unavailable("touch", exc)
            return False

    def delete(self, key, version=None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as exc:
            self._unavailable("delete", exc)
            return False

    def get_many(self, keys, version=None) -> dict:
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            self._unavailable("get_many", exc)
            return {}

    def has_key(self, key, version=None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            self._unavailable("has_key", exc)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            self._unavailable("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            self._unavailable("delete_many", exc)
