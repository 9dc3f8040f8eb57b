"""A Redis outage costs speed, never a page (ladder/rediscache.py); /healthz reports it."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
NOBODY = "redis://127.0.0.1:9/0"  # nothing listens on the discard port: refused at once


@pytest.fixture
def dead_redis(settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "ladder.rediscache.RedisCache", "LOCATION": NOBODY}}
    settings.LADDER_PAGE_CACHE_SECONDS = 600


def test_settings_pick_the_tolerant_backend_for_djangos_redis_cache(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LADDER_"))}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_DEBUG": "1",
            "DJANGO_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
            "DJANGO_CACHE_LOCATION": NOBODY,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "ladder.rediscache.RedisCache", result.stderr


def test_reads_miss_and_writes_store_nothing_quickly(dead_redis):
    started = time.monotonic()
    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("lock", 1) is True  # nobody can hold a key in an unreachable cache
    assert cache.delete("anything") is False
    assert time.monotonic() - started < 0.5


def test_pages_are_served_from_the_database_while_redis_is_down(client: Client, dead_redis):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    for url in ("/", "/families/sales-operations/", "/search/?q=forecast", "/postings/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/families/sales-operations/sr-sales-operations-analyst/").status_code == 200


def test_the_health_check_reports_the_outage(client: Client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


@pytest.fixture
def connects(dead_redis, monkeypatch) -> list[float]:
    """Every TCP connect the Redis client tries, as its monotonic time; the breaker closed."""
    import redis.connection

    from ladder import rediscache

    monkeypatch.setattr(rediscache, "_open_until", {})
    tried: list[float] = []
    real = redis.connection.Connection._connect

    def counting(self):
        tried.append(time.monotonic())
        return real(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting)
    return tried


def test_after_a_failure_calls_skip_redis_for_the_breaker_window(connects):
    from ladder import rediscache

    assert cache.get("page") is None
    assert len(connects) == 1  # refused once, no retry
    for _ in range(50):
        assert cache.get("page", "miss") == "miss"
        cache.set("page", 1)
        assert cache.get_many(["a"]) == {}
    assert len(connects) == 1  # the breaker answered: no connect at all
    # Once the window has passed, the next call tries again (and opens the breaker again).
    time.sleep(rediscache.BREAKER_SECONDS + 0.05)
    assert cache.get("page") is None
    assert cache.get("page") is None
    assert len(connects) == 2


def test_the_breaker_is_shared_by_every_thread_of_the_process(connects):
    import threading

    assert cache.get("page") is None  # this thread's cache object opens it
    answers = []
    # Django gives each thread its own cache object (and connection pool).
    thread = threading.Thread(target=lambda: answers.append(cache.get("page", "miss")))
    thread.start()
    thread.join()
    assert answers == ["miss"]
    assert len(connects) == 1


def test_a_request_pays_no_connect_while_the_breaker_is_open(client: Client, connects):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    assert client.get("/families/sales-operations/").status_code == 200
    assert len(connects) == 1  # the request's first cache read; every later one skipped
