"""One write path: the seven findings of issue 15, each as a test an HR admin's session would
hit (every change reaches every reader at once, can be undone, and means one thing)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ladder.caching import LADDER, POSTINGS, content_version
from ladder.handbook.sources import Source
from ladder.models import Item, JobFamily, Level
from ladder.services import family_import
from postings.services import collect_sources, posting_import, posting_link_level
from tests.conftest import ALPHA_PAGE, BETA_PAGE, ROOT, SEED_PAGE, admin_form_data, admin_new_item

pytestmark = pytest.mark.django_db
LEVEL_URL = "/families/sales-operations/sr-sales-operations-analyst/"
ALPHA, BETA = ALPHA_PAGE, BETA_PAGE


def fresh(client: Client, settings, url: str) -> bytes:
    """The page as the view renders it now, never from the cache."""
    seconds = settings.LADDER_PAGE_CACHE_SECONDS
    settings.LADDER_PAGE_CACHE_SECONDS = 0
    try:
        return client.get(url).content
    finally:
        settings.LADDER_PAGE_CACHE_SECONDS = seconds


def change_url(obj) -> str:
    return f"/admin/ladder/{obj._meta.model_name}/{obj.pk}/change/"


def save_level_form(client: Client, level: Level, **changes) -> None:
    data = admin_form_data(client.get(change_url(level)))
    data.update(changes)
    response = client.post(change_url(level), {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]


def item_field(data: dict, startswith: str) -> str:
    return next(k for k, v in data.items() if k.endswith("-text") and str(v).startswith(startswith))


def revert_level(client: Client, level: Level, record, **changes) -> None:
    url = f"/admin/ladder/level/{level.pk}/history/{record.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    data = {**admin_form_data(page), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def reimport(client: Client, family: JobFamily, data: bytes, name: str = "page.md", **apply):
    url = f"/admin/ladder/jobfamily/{family.pk}/reimport/"
    preview = client.post(url, {"source": SimpleUploadedFile(name, data)})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    token = preview.context["apply"].initial["token"]
    return preview, client.post(url, {"token": token, **apply})


# --------------------------------------------------------------------------- 1


def test_1_a_level_revert_reaches_visitors_at_once(page_cache, seeded_ladder, hr_client, visitor):
    level = Level.objects.get(slug="sr-sales-operations-analyst")
    imported = level.history.order_by("history_date").first()
    original = level.grade.number
    assert "Grade " + level.grade_display in visitor.get(LEVEL_URL).content.decode()
    save_level_form(hr_client, level, grade_number=str(original + Decimal("0.5")))
    assert visitor.get(LEVEL_URL).content == fresh(visitor, page_cache, LEVEL_URL)
    family_page = "/families/sales-operations/"
    visitor.get(family_page)  # cached with the edited grade

    revert_level(hr_client, level, imported)

    level.refresh_from_db()
    assert level.grade.number == original
    for url in (LEVEL_URL, family_page):
        assert visitor.get(url).content == fresh(visitor, page_cache, url), url


# --------------------------------------------------------------------------- 2


def _edit_first_requirement(client: Client, level: Level, text: str) -> str:
    data = admin_form_data(client.get(change_url(level)))
    key = item_field(data, "BA/BS")
    original = data[key]
    data[key] = text
    response = client.post(change_url(level), {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return original


def _everyone_sees(text: str, level: Level, client: Client, visitor: Client) -> None:
    level.refresh_from_db()
    api = visitor.get(f"/api/families/{level.family.slug}/").json()
    data = next(lv for lv in api["levels"] if lv["slug"] == level.slug)
    assert text in [i["text"] for i in data["requirements"]]
    assert text in visitor.get(level.get_absolute_url()).content.decode()
    assert text in client.get(change_url(level)).content.decode()  # the admin's own preview
    assert text in [i.text for i in level.items.all()]


@pytest.mark.parametrize("changed_page", [False, True])
def test_2_reimport_keeps_admin_edits_everywhere_and_for_good(
    page_cache, seeded_ladder, hr_client, visitor, changed_page
):
    level = Level.objects.get(slug="manager-sales-operations")
    _edit_first_requirement(hr_client, level, "BA/BS degree or ten years of practice")
    page = SEED_PAGE.read_bytes()
    if changed_page:
        page = page.replace(b"Ability to use GitLab", b"Ability to use GitLab daily")
    preview, applied = reimport(hr_client, seeded_ladder, page)
    assert "BA/BS degree or ten years of practice" in preview.content.decode()
    assert applied.status_code == 302, applied.content.decode()[:3000]
    _everyone_sees("BA/BS degree or ten years of practice", level, hr_client, visitor)

    other = Level.objects.get(slug="sales-operations-analyst")
    save_level_form(hr_client, other, description="An unrelated edit.")
    _everyone_sees("BA/BS degree or ten years of practice", level, hr_client, visitor)


def test_2_reimport_overwriting_admin_edits_shows_the_page_everywhere(
    page_cache, seeded_ladder, hr_client, visitor
):
    level = Level.objects.get(slug="manager-sales-operations")
    original = _edit_first_requirement(hr_client, level, "BA/BS degree or ten years of practice")
    _, applied = reimport(
        hr_client, seeded_ladder, SEED_PAGE.read_bytes(), overwrite_admin_edits="on"
    )
    assert applied.status_code == 302
    _everyone_sees(original, level, hr_client, visitor)
    assert "ten years of practice" not in visitor.get(level.get_absolute_url()).content.decode()


# --------------------------------------------------------------------------- 3


def test_3_every_imported_item_has_its_baseline_and_an_item_edit_can_be_undone(
    seeded_ladder, hr_client, visitor
):
    items = Item.objects.filter(level__family=seeded_ladder)
    with_history = set(Item.history.filter(history_type="+").values_list("id", flat=True))
    assert set(items.values_list("pk", flat=True)) <= with_history
    item = items.filter(text__startswith="BA/BS").first()
    original = item.text
    data = admin_form_data(hr_client.get(change_url(item)))
    response = hr_client.post(change_url(item), {**data, "text": "A degree", "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    baseline = item.history.order_by("history_date").first()
    assert baseline.text == original
    url = f"/admin/ladder/item/{item.pk}/history/{baseline.history_id}/"
    response = hr_client.post(url, admin_form_data(hr_client.get(url)))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.text == original
    assert original in visitor.get(item.level.get_absolute_url()).content.decode()


def test_3_a_level_revert_offers_and_restores_the_items_saved_with_it(
    seeded_ladder, hr_client, visitor
):
    level = Level.objects.get(slug="manager-sales-operations")
    imported = level.history.order_by("history_date").first()
    original = _edit_first_requirement(hr_client, level, "A degree")
    url = f"/admin/ladder/level/{level.pk}/history/{imported.history_id}/"
    assert "items saved with this version" in hr_client.get(url).content.decode()
    revert_level(hr_client, level, imported, restore_items="on")
    assert original in [i.text for i in level.items.all()]
    assert "A degree" not in [i.text for i in level.items.all()]
    page = visitor.get(level.get_absolute_url()).content.decode()
    assert original in page and "A degree" not in page


# --------------------------------------------------------------------------- 4


def test_4_the_levels_list_counts_items_once_when_searching_their_text(seeded_ladder, hr_client):
    response = hr_client.get("/admin/ladder/level/?q=sales")
    assert response.status_code == 200
    shown = {level.pk: level.item_count for level in response.context["cl"].result_list}
    assert shown
    for pk, count in shown.items():
        assert count == Item.objects.filter(level_id=pk).count()


# --------------------------------------------------------------------------- 5


def test_5_reimporting_another_familys_page_names_both_and_needs_a_confirmation(hr_client):
    family_import(sources=[Source("alpha.md", ALPHA)])
    alpha = JobFamily.objects.get(slug="alpha")
    before = list(Item.objects.filter(level__family=alpha).values_list("text", flat=True))
    url = f"/admin/ladder/jobfamily/{alpha.pk}/reimport/"
    preview = hr_client.post(url, {"source": SimpleUploadedFile("beta.md", BETA)})
    body = preview.content.decode()
    assert "Beta" in body and "not <strong>Alpha</strong>" in body
    token = preview.context["apply"].initial["token"]
    refused = hr_client.post(url, {"token": token})
    assert refused.status_code == 400
    assert "not of “Alpha”" in refused.content.decode()
    assert list(Item.objects.filter(level__family=alpha).values_list("text", flat=True)) == before
    applied = hr_client.post(url, {"token": token, "confirm_other_family": "on"})
    assert applied.status_code == 302
    assert "Lead beta work" in Item.objects.filter(level__family=alpha).values_list(
        "text", flat=True
    )
    assert not JobFamily.objects.filter(slug="beta").exists()


# --------------------------------------------------------------------------- 6


def test_6_posting_writes_leave_ladder_pages_and_the_level_index_cached(
    page_cache, seeded_ladder, visitor, hr_editor
):
    ladder = content_version(LADDER)
    postings = content_version(POSTINGS)
    summary = posting_import(sources=collect_sources([ROOT / "fixtures" / "postings"]))
    posting = summary.created[0]
    posting_link_level(posting=posting, level=Level.objects.first(), user=hr_editor)
    assert content_version(LADDER) == ladder
    assert content_version(POSTINGS) == postings + 2
    # A posting page shows the posting's new state at once.
    assert visitor.get(f"/postings/{posting.pk}/").status_code == 200


def test_6_a_cached_ladder_page_survives_a_posting_import(page_cache, seeded_ladder, visitor):
    first = visitor.get(LEVEL_URL).content
    Level.objects.filter(slug="sr-sales-operations-analyst").update(description="Not seen yet")
    posting_import(sources=collect_sources([ROOT / "fixtures" / "postings"]))
    assert visitor.get(LEVEL_URL).content == first  # served from the cache, not re-rendered


# --------------------------------------------------------------------------- 7


def test_7_own_means_the_same_level_not_the_same_slug(hr_client, visitor):
    family_import(sources=[Source("alpha.md", ALPHA), Source("beta.md", BETA)])
    beta = Level.objects.get(family__slug="beta", slug="analyst")
    alpha = Level.objects.get(family__slug="alpha", slug="analyst")
    data = admin_form_data(hr_client.get(change_url(beta)))
    admin_new_item(data, "responsibilities", position="0", extends_level=str(alpha.pk))
    response = hr_client.post(change_url(beta), {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    admin_page = hr_client.get(change_url(beta)).content.decode()
    own = re.findall(r"<li class='own depth-\d'>(.*?)</li>", admin_page)
    inherited = re.findall(r"<li class='inherited depth-\d'>(.*?)</li>", admin_page)
    assert any("Alpha duty one" in row for row in inherited), inherited
    assert not any("Alpha duty" in row for row in own), own
    page = visitor.get("/families/beta/analyst/").content.decode()
    assert re.search(r'class="item is-inherited"><span class="item-text">Alpha duty one', page)


# --------------------------------------------------------------------------- found by the scenarios


def test_an_import_removing_a_level_refreshes_the_families_extending_it(hr_client, visitor):
    from ladder.checking import CheckReport, check_effective

    family_import(sources=[Source("alpha.md", ALPHA), Source("beta.md", BETA)])
    beta = Level.objects.get(family__slug="beta", slug="analyst")
    senior = Level.objects.get(family__slug="alpha", slug="senior-analyst")
    data = admin_form_data(hr_client.get(change_url(beta)))
    admin_new_item(data, "responsibilities", position="5", extends_level=str(senior.pk))
    assert hr_client.post(change_url(beta), {**data, "_continue": "1"}).status_code == 302
    assert "Lead alpha work" in visitor.get("/families/beta/analyst/").content.decode()

    without_senior = ALPHA.split(b"### Senior Analyst")[0]
    family_import(sources=[Source("alpha.md", without_senior)])

    report = CheckReport()
    check_effective(report)
    assert report.differences == []
    page = visitor.get("/families/beta/analyst/").content.decode()
    assert "Lead alpha work" not in page
    assert '<span class="item-text"></span>' not in page


def test_a_grade_edit_in_the_admin_reaches_visitors_at_once(
    page_cache, seeded_ladder, hr_client, visitor, admin_user
):
    from ladder.models import Grade

    grade = Grade.objects.filter(levels__isnull=False).first()
    url = grade.get_absolute_url()
    visitor.get(url)  # cached
    admin = Client()
    admin.force_login(admin_user)  # grades are the superuser's, not the HR editors'
    response = admin.post(
        f"/admin/ladder/grade/{grade.pk}/change/",
        {"number": str(grade.number), "label": "", "description": "Leads a team", "link": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Leads a team" in visitor.get(url).content.decode()


def test_adding_a_level_with_items_in_the_admin_is_one_write(seeded_ladder, hr_client, visitor):
    page = hr_client.get("/admin/ladder/level/add/")
    data = admin_form_data(page)
    data.update(
        {
            "family": str(seeded_ladder.pk),
            "title": "Principal Sales Operations Analyst",
            "slug": "principal-sales-operations-analyst",
            "position": "40",
            "grade_number": "9",
        }
    )
    admin_new_item(
        data, "responsibilities", position="0", text="Set the **direction** of sales operations"
    )
    response = hr_client.post("/admin/ladder/level/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    level = Level.objects.get(slug="principal-sales-operations-analyst")
    assert level.grade.number == 9
    assert [i.text for i in level.items.all()] == ["Set the **direction** of sales operations"]
    assert level.items.get().history.count() == 1  # its baseline: created in the admin
    body = visitor.get(level.get_absolute_url()).content.decode()
    assert "<strong>direction</strong>" in body and "Grade 9" in body


def test_staff_outside_the_hr_editors_cannot_edit_or_revert(seeded_ladder, staff_user):
    client = Client()
    client.force_login(staff_user)
    level = Level.objects.get(slug="manager-sales-operations")
    record = level.history.earliest("history_date")
    assert client.get(change_url(level)).status_code == 403
    url = f"/admin/ladder/level/{level.pk}/history/{record.history_id}/"
    assert client.post(url, {"title": "Hijacked"}).status_code == 403
    level.refresh_from_db()
    assert level.title == "Manager, Sales Operations"
