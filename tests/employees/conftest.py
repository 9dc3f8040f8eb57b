"""The whole committed corpus loaded once per module: 145 families, as employees see them."""

from __future__ import annotations

import pytest

from ladder.handbook.sources import collect_sources
from ladder.models import Grade, ImportRun, JobFamily
from ladder.services import family_import
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = family_import(
            sources=collect_sources([CORPUS / "handbook", CORPUS / "handbook-current"])
        )
        yield summary
        JobFamily.objects.all().delete()
        Grade.objects.all().delete()
        ImportRun.objects.all().delete()
