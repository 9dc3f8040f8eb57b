"""A large import leaves the planner with statistics of the tables as they now are."""

from __future__ import annotations

import pytest
from django.db import connection

from ladder import bulk
from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner statistics (runs there)"
)
def test_a_large_import_analyzes_the_families_levels_and_items(monkeypatch):
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 1)  # the seed counts as large
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    # Never analyzed, PostgreSQL estimates -1 rows; after ANALYZE, the rows there are.
    for table in ("ladder_jobfamily", "ladder_level", "ladder_item"):
        assert _estimated_rows(table) >= 1, table
