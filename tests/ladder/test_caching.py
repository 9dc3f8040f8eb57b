"""Whole-page cache: served from the cache until the next import or edit, per-visitor pages not."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from ladder.services import Source, content_version, family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_cached_until_the_next_import(client: Client, django_assert_max_num_queries):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    url = "/families/sales-operations/sr-sales-operations-analyst/"
    first = client.get(url)
    assert "Lead and facilitate forecast calls" in first.content.decode()
    with django_assert_max_num_queries(1):  # only the content version
        again = client.get(url)
    assert again.content == first.content
    version = content_version()
    edited = SEED.read_text().replace("Lead and facilitate forecast calls", "Run the forecast")
    family_import(sources=[Source(str(SEED), edited.encode())])
    assert content_version() == version + 1
    assert "Run the forecast" in client.get(url).content.decode()


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
