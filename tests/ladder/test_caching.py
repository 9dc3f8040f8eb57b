"""Whole-page cache: served from the cache until the next import or edit, per-visitor pages not."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from ladder import caching
from ladder.caching import PageCacheMiddleware
from ladder.handbook.sources import Source
from ladder.services import bump_content_version, content_version, family_import
from tests.conftest import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


def test_cached_until_the_next_import(client: Client, django_assert_max_num_queries):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = "/families/sales-operations/sr-sales-operations-analyst/"
    first = client.get(url)
    assert "Lead and facilitate forecast calls" in first.content.decode()
    with django_assert_max_num_queries(1):  # only the content version
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    version = content_version()
    edited = SEED.read_text().replace("Lead and facilitate forecast calls", "Run the forecast")
    family_import(sources=[Source(str(SEED), edited.encode())])
    assert content_version() == version + 1
    assert "Run the forecast" in client.get(url).content.decode()


def test_a_page_stored_by_another_release_is_not_served(client: Client, monkeypatch):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = "/families/sales-operations/sr-sales-operations-analyst/"
    first = client.get(url).content.decode()
    # The same release serves the stored page, even when the templates change on disk…
    monkeypatch.setattr("ladder.views.render", _marked_render)
    assert client.get(url).content.decode() == first
    # …and a new release renders its own (new markup, its own static files).
    monkeypatch.setattr(caching, "release", lambda: "next-release")
    assert "<!-- the next release -->" in client.get(url).content.decode()


def _marked_render(request, template, context=None, *args, **kwargs):
    from django.shortcuts import render

    response = render(request, template, context, *args, **kwargs)
    response.content += b"<!-- the next release -->"
    return response


def test_the_release_fingerprint_follows_the_files(tmp_path, settings):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    settings.BASE_DIR = tmp_path
    caching.release.cache_clear()
    try:
        before = caching.release()
        page.write_text("<p>two</p>")
        caching.release.cache_clear()
        assert caching.release() != before
    finally:
        caching.release.cache_clear()


def test_reimporting_the_same_page_keeps_the_cache(client: Client):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    version = content_version()
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    assert content_version() == version


def test_signed_in_people_are_never_served_from_the_cache(client: Client, admin_user):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    client.get("/")  # cached for anonymous visitors
    client.force_login(admin_user)
    assert "Admin</a>" in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_costs_no_query_and_keeps_its_headers(
    client: Client, django_assert_num_queries
):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = "/families/sales-operations/sr-sales-operations-analyst/"
    first = client.get(url)
    with django_assert_num_queries(0):  # the version and the page both come from the cache
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Vary"):
        assert again.headers.get(header) == first.headers.get(header), header
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in again.headers


@pytest.mark.django_db(transaction=True)
def test_an_edit_shows_at_once_on_every_worker(client: Client):
    """The new number is published to the shared cache when the import commits."""
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = "/families/sales-operations/sr-sales-operations-analyst/"
    assert "Lead and facilitate forecast calls" in client.get(url).content.decode()
    edited = SEED.read_text().replace("Lead and facilitate forecast calls", "Run the forecast")
    family_import(sources=[Source(str(SEED), edited.encode())])
    assert "Run the forecast" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_publishes_nothing(client: Client):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    version = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        bump_content_version()
        raise RuntimeError("import failed half way")
    assert content_version() == version


def test_htmx_partials_and_full_pages_are_cached_apart(client: Client):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = (
        "/compare/?level=sales-operations/sales-operations-analyst"
        "&level=sales-operations/sr-sales-operations-analyst"
    )
    full = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "comparison"})
    assert full.status_code == partial.status_code == 200
    assert b"<html" in full.content
    assert b"<html" not in partial.content
    assert b"<html" in client.get(url).content


def test_an_unknown_host_is_refused_even_when_the_page_is_cached(client: Client):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    assert client.get("/").status_code == 200
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_a_missing_page_is_cached_as_a_404(client: Client, django_assert_max_num_queries):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    assert client.get("/families/no-such-family/").status_code == 404
    with django_assert_max_num_queries(1):  # only the content version
        assert client.get("/families/no-such-family/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_process_local_cache_always_asks_the_database(
    client: Client, settings, django_assert_num_queries
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    client.get("/")
    with django_assert_num_queries(1):  # the version: another worker may have changed it
        response = client.get("/")
    assert response.status_code == 200


def _renders(delay: float = 0.3) -> tuple[list[str], PageCacheMiddleware]:
    """A page cache in front of a slow cacheable view that records each render."""
    rendered: list[str] = []

    def view(request):
        request.ladder_cacheable = True
        rendered.append(request.path)
        time.sleep(delay)
        return HttpResponse(f"page {len(rendered)}")

    return rendered, PageCacheMiddleware(view)


@pytest.mark.django_db(transaction=True)
def test_readers_of_one_missing_page_wait_for_one_render(settings):
    settings.LADDER_PAGE_RENDER_WAIT_SECONDS = 5
    # A cache whose add() is atomic (Redis's is; the file cache's checks, then writes, so two
    # readers may both claim a render now and then: a second render, never a wrong page).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    rendered, middleware = _renders()
    pages = _at_once(middleware, "/families/sales-operations/", 5)
    assert rendered == ["/families/sales-operations/"]
    assert pages == [b"page 1"] * 5
    # Another page is its own render.
    middleware(RequestFactory().get("/families/sales-operations/history/"))
    assert len(rendered) == 2


@pytest.mark.django_db(transaction=True)
def test_a_render_that_stores_nothing_or_fails_holds_no_one_up(settings):
    settings.LADDER_PAGE_RENDER_WAIT_SECONDS = 5
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    rendered: list[str] = []

    def not_cached(request):  # a view that does not opt in
        rendered.append(request.path)
        return HttpResponse("fresh")

    middleware = PageCacheMiddleware(not_cached)
    start = time.monotonic()
    for _ in range(3):
        assert middleware(RequestFactory().get("/grades/")).content == b"fresh"
    assert len(rendered) == 3
    assert time.monotonic() - start < 1  # no one waited

    def failing(request):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        PageCacheMiddleware(failing)(RequestFactory().get("/families/sales-operations/"))
    rendered_after, middleware = _renders(delay=0)
    start = time.monotonic()
    assert middleware(RequestFactory().get("/families/sales-operations/")).status_code == 200
    assert rendered_after and time.monotonic() - start < 1


@pytest.mark.django_db(transaction=True)
def test_a_render_that_takes_too_long_is_not_waited_for(settings):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    settings.LADDER_PAGE_RENDER_WAIT_SECONDS = 0.1
    rendered, middleware = _renders(delay=0.5)
    _at_once(middleware, "/families/sales-operations/", 2)
    assert len(rendered) == 2
    # Turned off, every reader renders its own.
    settings.LADDER_PAGE_RENDER_WAIT_SECONDS = 0
    rendered, middleware = _renders(delay=0.3)
    _at_once(middleware, "/families/sales-operations/history/", 3)
    assert len(rendered) == 3


def _at_once(middleware: PageCacheMiddleware, path: str, readers: int) -> list[bytes]:
    """The pages ``readers`` requests for ``path`` get, all sent at the same moment."""
    requests = [RequestFactory().get(path) for _ in range(readers)]
    with ThreadPoolExecutor(readers) as pool:
        return [response.content for response in pool.map(middleware, requests)]
