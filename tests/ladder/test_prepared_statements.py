"""PostgreSQL prepares the queries a page runs again and again, never a search's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from ladder.search import parse_query, search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's prepared statements (runs there)"
    ),
]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_page_requested_again_runs_prepared_queries(seeded_ladder, settings):
    settings.LADDER_PAGE_CACHE_SECONDS = 0  # every request runs the view's queries
    client = Client()
    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
        assert client.get("/families/sales-operations/").status_code == 200
    assert any("ladder_level" in statement for statement in _prepared())


def test_a_search_is_planned_for_its_words_every_time(seeded_ladder):
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(threshold + 2):
        assert search(parse_query({"q": "forecast"})).hits
    assert not [s for s in _prepared() if "ladder_searchdocument" in s]
    # The connection's own setting is back for the next query.
    assert connection.connection.prepare_threshold == threshold
