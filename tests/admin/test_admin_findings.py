"""Admin findings of issue 16: autocomplete ranking, the level list's cost, page furniture."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ladder.handbook.sources import Source
from ladder.models import JobFamily
from ladder.services import family_import
from tests.conftest import ROOT
from tests.groups import group

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
AUTOCOMPLETE = "/admin/autocomplete/?app_label=ladder&model_name=item&field_name=extends_level"


@pytest.fixture
def hr(db) -> Client:
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    user = User.objects.create_user("hr", password="a-long-passphrase", is_staff=True)
    user.groups.add(group("HR editors"))
    client = Client()
    client.force_login(user)
    return client


def test_extends_autocomplete_ranks_the_exact_title_first_and_names_the_family(hr: Client):
    other = (
        b"---\ntitle: Sales Roles\n---\n## Sales Levels\n### Account Manager\n"
        b"The Account Manager is a grade 7.\n- Manage accounts\n"
    )
    family_import(sources=[Source("sales.md", other)])
    results = hr.get(AUTOCOMPLETE + "&term=Manager, Sales Operations").json()["results"]
    assert results[0]["text"] == "Manager, Sales Operations — Sales Operations"
    prefix = [r["text"] for r in hr.get(AUTOCOMPLETE + "&term=manager").json()["results"]]
    assert prefix[0].startswith("Manager"), prefix
    assert all(" — " in text for text in prefix)


def test_level_list_reads_neither_effective_lists_nor_pages(
    hr: Client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as captured:
        response = hr.get("/admin/ladder/level/")
    assert response.status_code == 200
    sql = "\n".join(q["sql"] for q in captured.captured_queries)
    assert '"ladder_level"."effective"' not in sql
    assert 'GROUP BY "ladder_level"."id"' not in sql  # no count over a join of every column
    assert response.content.decode().count('class="action-select"') == 17


def test_reimport_page_has_one_title_and_admin_breadcrumbs(hr: Client):
    family = JobFamily.objects.get()
    body = hr.get(f"/admin/ladder/jobfamily/{family.pk}/reimport/").content.decode()
    assert body.count(f"Re-import {family.title}</h1>") == 1
    assert '<ol class="breadcrumbs">' in body
    for url in ("/admin/ladder/jobfamily/import/",):
        assert '<ol class="breadcrumbs">' in hr.get(url).content.decode()
