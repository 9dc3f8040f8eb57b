"""Three real versions of Sales Operations imported in order: history list and diff pages."""

from __future__ import annotations

import pytest
from django.test import Client

from ladder.handbook.sources import Source
from ladder.models import FamilyVersion, JobFamily, Level
from ladder.services import family_import
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
VERSIONS = [
    CORPUS / "handbook" / "sales--sales-operations.md",
    ROOT / "fixtures" / "handbook" / "sales-operations.md",
    CORPUS / "handbook-current" / "sales" / "sales-operations" / "_index.md",
]

pytestmark = [
    pytest.mark.django_db,
]


def import_in_order(one_run: bool = False) -> None:
    sources = [Source(str(p), p.read_bytes()) for p in VERSIONS]
    if one_run:
        family_import(sources=sources)
    else:
        for source in sources:
            family_import(sources=[source])


@pytest.mark.parametrize("one_run", [False, True], ids=["three-runs", "one-run"])
def test_importing_three_versions_keeps_each_and_shows_the_latest(one_run):
    import_in_order(one_run)
    family = JobFamily.objects.get(slug="sales-operations")
    versions = list(FamilyVersion.objects.filter(family=family).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.source_name for v in versions] == [str(p) for p in VERSIONS]
    assert all(v.checksum and v.imported_at for v in versions)
    assert family.source == VERSIONS[2].read_text()
    assert Level.objects.filter(family=family, slug="senior-sales-operations-analyst").exists()
    assert not Level.objects.filter(family=family, slug="sr-sales-operations-manager").exists()


def test_a_run_adds_its_new_versions_after_the_stored_ones():
    """Versions of a run are written together at its end: numbering goes on from the stored
    versions, and a source stored before is not kept twice."""
    family_import(sources=[Source(str(VERSIONS[0]), VERSIONS[0].read_bytes())])
    import_in_order(one_run=True)
    family = JobFamily.objects.get(slug="sales-operations")
    versions = list(FamilyVersion.objects.filter(family=family).order_by("number"))
    assert [(v.number, v.source_name) for v in versions] == [
        (n, str(p)) for n, p in enumerate(VERSIONS, start=1)
    ]
    # The family's "created" history record is the import's, like its levels' and items'.
    created = family.history.get(history_type="+")
    assert created.history_change_reason == "import"
    assert created.title == family.title


def test_history_page_lists_versions_newest_first(client: Client):
    import_in_order()
    body = client.get("/families/sales-operations/history/").content.decode()
    assert body.index("Version 3") < body.index("Version 2") < body.index("Version 1")
    assert "/families/sales-operations/history/2/3/" in body
    assert "/families/sales-operations/history/1/3/" in body
    assert "History · 3 versions" in client.get("/families/sales-operations/").content.decode()


def test_diff_page_shows_renames_removals_and_reworded_items(
    client: Client, django_assert_max_num_queries
):
    import_in_order()
    with django_assert_max_num_queries(4):
        response = client.get("/families/sales-operations/history/2/3/")
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "<del>Sr. Sales Operations Analyst</del> → <ins>Senior Sales Operations Analyst</ins>"
        in body
    )
    assert "2 levels removed" in body
    assert "Sr. Sales Operations Manager" in body
    assert "global <ins>B2B</ins> SaaS sales" in body
    assert '<li class="diff-removed"><span class="cell-tag">removed</span>BA/BS degree</li>' in body


def test_unknown_versions_are_404(client: Client):
    import_in_order()
    assert client.get("/families/sales-operations/history/1/9/").status_code == 404
    assert client.get("/families/nope/history/").status_code == 404
