from __future__ import annotations

import pytest
from django.test import Client

from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    path = ROOT / "fixtures" / "handbook" / "sales-operations.md"
    family_import(sources=[Source(str(path), path.read_bytes())])


def test_family_list(client: Client, seed):
    data = client.get("/api/families/").json()
    assert data == [
        {
            "slug": "sales-operations",
            "title": "Sales Operations",
            "url": "http://testserver/api/families/sales-operations/",
            "levels": 17,
        }
    ]


def test_family_detail_has_effective_lists_with_sources(
    client: Client, seed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get("/api/families/sales-operations/")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Sales Operations"
    assert data["performance_indicators"][0] == "IACV vs. plan > 1"
    levels = {lv["slug"]: lv for lv in data["levels"]}
    assert len(levels) == 17
    senior = levels["senior-manager-sales-operations"]
    assert senior["grade"] == 9
    assert senior["grade_inferred"] is False
    assert senior["group"] == "Manager, Sales Operations Levels"
    assert senior["extends"] == [
        {"section": "responsibilities", "level": "manager-sales-operations"},
        {"section": "requirements", "level": "manager-sales-operations"},
    ]
    assert len(senior["responsibilities"]) == 14
    assert len(senior["requirements"]) == 15
    assert {i["source"] for i in senior["responsibilities"]} == {"manager-sales-operations"}
    assert senior["requirements"][-1]["source"] == "senior-manager-sales-operations"
    assert senior["reports_to"]["slug"] == "director-sales-operations"
    top = levels["senior-director-sales-operations"]
    assert top["reports_to"] == {
        "title": "VP, Field Operations",
        "slug": None,
        "url": "https://about.gitlab.com/job-families/sales/vp-of-field-operations/",
    }
    channel = levels["senior-channel-operations-manager"]
    assert (channel["grade"], channel["grade_inferred"]) == (9, True)
    # No grade sentence: the same role without its specialty qualifier states 6 (issue 14).
    tech = levels["sales-operations-analyst-sales-tech-stack"]
    assert (tech["grade"], tech["grade_inferred"]) == (6, True)
    assert tech["grade_reason"] == (
        "the grade of Sales Operations Analyst, the same role without a specialty"
    )
    assert channel["grade_reason"] == (
        "the grade of Senior Manager, Sales Operations, which it extends"
    )
    director = levels["director-sales-operations"]
    linked = [i for i in director["responsibilities"] if "Sales Handbook" in i["text"]][0]
    assert '<a href="https://about.gitlab.com/handbook/sales/"' in linked["html"]


def test_unknown_family_is_a_json_404(client: Client, db):
    response = client.get("/api/families/nope/")
    assert response.status_code == 404
    assert response.json() == {"error": "no job family 'nope'"}
