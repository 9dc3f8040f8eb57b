"""Postings in the database: import command, pages, level confirmation, API."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from ladder.handbook.sources import Source as HandbookSource
from ladder.services import family_import
from postings.models import Posting
from tests.conftest import ROOT
from tests.dbstate import fingerprint
from tests.groups import group

pytestmark = pytest.mark.django_db
SEEDS = ROOT / "fixtures" / "postings"


@pytest.fixture
def ladder():
    path = ROOT / "fixtures" / "handbook" / "sales-operations.md"
    family_import(sources=[HandbookSource(str(path), path.read_bytes())])


@pytest.fixture
def postings(ladder):
    call_command("import_postings", str(SEEDS), stdout=StringIO())
    return {p.source_name: p for p in Posting.objects.all()}


@pytest.fixture
def staff(client: Client) -> User:
    user = User.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(group("Recruiters"))
    client.force_login(user)
    return user


def test_import_command_is_idempotent():
    out = StringIO()
    call_command("import_postings", str(SEEDS), stdout=out)
    assert "Imported 4 postings." in out.getvalue()
    before = fingerprint("postings")
    out = StringIO()
    call_command("import_postings", str(SEEDS), stdout=out)
    assert "Imported 0 postings; 4 already imported (unchanged)." in out.getvalue()
    assert fingerprint("postings") == before


def test_a_bad_file_fails_the_run_and_writes_nothing(tmp_path):
    (tmp_path / "good.txt").write_text("Sales Analyst\n\nRequirements:\n- SQL\n- Excel\n")
    (tmp_path / "empty.html").write_bytes(b"")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_postings", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "empty.html: empty file" in err.getvalue()
    assert Posting.objects.count() == 0


def test_detail_page_shows_facts_and_suggested_levels(client: Client, postings):
    posting = postings["sr-manager-sales-operations.html"]
    body = client.get(f"/postings/{posting.pk}/").content.decode()
    assert "8–10 years" in body
    assert "Senior Manager, Sales Operations" in body
    assert "high confidence" in body
    assert (
        f"/postings/{posting.pk}/compare/sales-operations/senior-manager-sales-operations/" in body
    )


def test_staff_confirm_a_level_who_and_when_are_kept(client: Client, postings, staff):
    posting = postings["sr-manager-sales-operations.html"]
    from ladder.models import Level

    level = Level.objects.get(slug="senior-manager-sales-operations")
    response = client.post(f"/postings/{posting.pk}/level/", {"level": level.pk})
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.level == level
    assert posting.level_confirmed_by == staff
    assert posting.level_confirmed_at is not None


def test_non_staff_cannot_confirm_or_upload(client: Client, postings):
    posting = postings["sr-manager-sales-operations.html"]
    assert client.post(f"/postings/{posting.pk}/level/", {"level": ""}).status_code == 302
    posting.refresh_from_db()
    assert posting.level is None
    assert client.get("/postings/upload/").status_code == 302


def test_upload_form(client: Client, ladder, staff):
    good = SimpleUploadedFile("analyst.txt", b"Sales Analyst\n\nRequirements:\n- SQL\n- Excel\n")
    response = client.post("/postings/upload/", {"files": [good]})
    assert response.status_code == 302
    assert Posting.objects.get().title == "Sales Analyst"
    bad = SimpleUploadedFile("../../etc/passwd.html", b"\x00\x01binary")
    response = client.post("/postings/upload/", {"files": [bad]})
    assert response.status_code == 400
    assert "passwd.html: binary file" in response.content.decode()
    assert Posting.objects.count() == 1


def test_pasted_text_with_an_inline_tag_is_read_as_text(client: Client, ladder, staff):
    path = ROOT / "tests/data/corpus/postings/jobboard-md/sales-operations-primer-Ufjtd.md"
    body = path.read_text().split("---\n", 2)[2]
    # The page as a browser shows it and a person copies it: no markdown marks.
    body = re.sub(r"^#+ |\*\*", "", body, flags=re.M).replace("*   ", "- ")
    text = "Sales Operations\n\n" + body.replace("An interest", "An <b>interest</b>")
    response = client.post("/postings/upload/", {"text": text})
    assert response.status_code == 302
    posting = Posting.objects.get()
    assert (posting.format, posting.title) == ("text", "Sales Operations")
    texts = [item.text for item in posting.items.all()]
    assert "An interest in data and how we can use it to continuously improve" in texts
    assert not any("<" in t for t in texts)


def test_compare_with_a_level_and_with_a_grade(client: Client, postings):
    posting = postings["sr-manager-go-to-market-and-sales-operations.html"]
    url = f"/postings/{posting.pk}/compare/sales-operations/senior-manager-sales-operations/"
    body = client.get(url).content.decode()
    assert "covered by the ladder" in body
    assert "What the level asks that the posting does not" in body
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="posting-comparison"' in partial.content
    grade = client.get(f"/postings/{posting.pk}/compare/grade/7/").content.decode()
    assert "Sr. Sales Operations Analyst" in grade and "Sr. Sales Operations Manager" in grade
    picked = client.get(url + "?level=sales-operations/manager-sales-operations")
    assert picked.status_code == 302
    assert picked["Location"].endswith("/compare/sales-operations/manager-sales-operations/")


def test_api(client: Client, postings, django_assert_max_num_queries):
    posting = postings["sr-manager-sales-operations.html"]
    data = client.get(f"/api/postings/{posting.pk}/").json()
    assert set(data) == {
        "id",
        "title",
        "company",
        "years_min",
        "years_max",
        "degree",
        "people_management",
        "items",
        "level",
        "matches",
    }
    assert (data["years_min"], data["years_max"]) == (8, 10)
    assert data["level"] is None
    assert data["matches"][0]["level"] == "sales-operations/senior-manager-sales-operations"
    assert data["matches"][0]["grade"] == 9
    assert len(data["matches"]) == 5
    assert {"section", "text"} == set(data["items"][0])
    listing = client.get("/api/postings/").json()
    assert [p["id"] for p in listing] == sorted(p.pk for p in postings.values())
    assert client.get("/api/postings/999999/").status_code == 404


@pytest.mark.django_db
def test_one_worker_builds_the_level_index_the_others_wait_for_it(ladder, monkeypatch):
    """Right after an edit every worker wants the index: a second one must not build a copy."""
    import threading

    from django.core.cache import cache

    from postings import services

    key = services._index_key(services.content_version())
    built = services._build_level_index()
    cache.add(f"{key}:building", 1, 30)  # another worker is building it

    version = services.content_version()  # read here: the timer's thread has no transaction

    def builder_finishes() -> None:
        services._publish_index(version, built)
        cache.delete(f"{key}:building")

    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("built a copy"))
    timer = threading.Timer(0.3, builder_finishes)
    timer.start()
    try:
        index = services.level_index()
    finally:
        timer.join()
    assert [p.key for p in index.profiles] == [p.key for p in built.profiles]


@pytest.mark.django_db
def test_a_dead_builder_does_not_leave_matching_waiting_for_ever(ladder, monkeypatch):
    from django.core.cache import cache

    from postings import services

    key = services._index_key(services.content_version())
    cache.add(f"{key}:building", 1, 1)  # its builder died: the marker expires
    monkeypatch.setattr(services, "INDEX_BUILD_SECONDS", 5)
    index = services.level_index()
    assert len(index.profiles) == 17
    assert cache.get(key) is not None


def test_the_list_filters_by_title_company_or_level_without_javascript_and_as_you_type(
    client: Client, postings
):
    page = BeautifulSoup(client.get("/postings/?filter=sales+manager").content, "html.parser")
    titles = [a.get_text() for a in page.select(".posting-card a strong")]
    assert sorted(titles) == [
        "Inside Sales Manager (Team Manager)",
        "Sr Manager Sales Operations",
        "Sr Manager, Go to Market and Sales Operations",
    ]
    assert "3 of 4 postings match “sales manager”" in page.get_text()
    assert page.select_one("#posting-filter")["value"] == "sales manager"
    by_company = client.get("/postings/?filter=microsoft").content.decode()
    assert "ATU Lead Commercial" in by_company and "Amazon" not in by_company
    fragment = client.get(
        "/postings/?filter=amazon", headers={"HX-Request": "true", "HX-Target": "posting-results"}
    ).content.decode()
    assert fragment.strip().startswith('<div id="posting-results"') and "<html" not in fragment
    assert "Sr Manager Sales Operations" in fragment
    nothing = client.get("/postings/?filter=astronaut").content.decode()
    assert "No posting matches “astronaut”" in nothing
