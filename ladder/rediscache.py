"""Django's Redis cache, made so that a Redis outage costs speed and never a page.

Every cache read in Ladder has the database behind it (pages, the content version, the
posting index), so an unreachable Redis is answered as a miss: reads return the default, writes
store nothing, and the request goes on to the database. The client gives up at once (no
retries, short timeouts), and after a failed call a circuit breaker answers every call of this
process as a miss without touching the network for ``BREAKER_SECONDS``: a stopped Redis costs
one refused connection per process and second, not one per call (and a hung one, whose every
connect would wait out the timeout, costs the same). One warning per process and minute goes to
the log rather than one per call.

Settings pick this class when ``DJANGO_CACHE_BACKEND`` names Django's ``RedisCache``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = logging.getLogger(__name__)

# Short enough that a hung Redis keeps p99 low, long enough for a busy one on a LAN.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
WARN_EVERY_SECONDS = 60.0
# After a connection failure, calls skip Redis for this long; the first call after it tries
# again, so hits resume within about a second of Redis coming back.
BREAKER_SECONDS = 1.0

# Server location → monotonic time until which calls skip it. Per process on purpose: it is a
# circuit breaker, not data (Django makes one cache object per thread; they share this).
_open_until: dict[str, float] = {}


class RedisCache(DjangoRedisCache):
    """Django's ``RedisCache``; an unreachable server reads as empty and stores nothing."""

    _last_warning = 0.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        # redis-py retries a refused connection with back-off by default: ~0.2 s a call.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)

    def _call(self, operation: str, fallback: Any, call: Callable[[], Any]) -> Any:
        """``call()``, or ``fallback`` when Redis fails or failed less than a breaker ago."""
        if time.monotonic() < _open_until.get(self._location, 0.0):
            return fallback
        try:
            return call()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            _open_until[self._location] = time.monotonic() + BREAKER_SECONDS
            self._unavailable(operation, exc)
        except RedisError as exc:  # an answer, not an outage: no reason to stop asking
            self._unavailable(operation, exc)
        return fallback

    def _unavailable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - RedisCache._last_warning > WARN_EVERY_SECONDS:
            RedisCache._last_warning = now
            log.warning(
                "Redis cache unavailable (%s): %s; serving from the database", operation, exc
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        # Nobody can hold the key in an unreachable cache: the caller goes first (the posting
        # index, for one, is then built here instead of waited for).
        return self._call(
            "add", True, lambda: super(RedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key, default=None, version=None):
        return self._call(
            "get", default, lambda: super(RedisCache, self).get(key, default, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call("set", None, lambda: super(RedisCache, self).set(key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(
            "touch", False, lambda: super(RedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None) -> bool:
        return self._call("delete", False, lambda: super(RedisCache, self).delete(key, version))

    def get_many(self, keys, version=None) -> dict:
        return self._call("get_many", {}, lambda: super(RedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None) -> bool:
        return self._call("has_key", False, lambda: super(RedisCache, self).has_key(key, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._call(
            "set_many", list(data), lambda: super(RedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys, version=None) -> None:
        self._call("delete_many", None, lambda: super(RedisCache, self).delete_many(keys, version))
