"""Recruiters: paste or upload postings, confirm levels from a grouped, filterable picker, and
keep postings in the admin with history; never edit the ladder."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client

from ladder.handbook.sources import Source
from ladder.models import Level
from ladder.services import family_import
from postings.models import Posting
from postings.services import Source as PostingSource
from postings.services import posting_import
from tests.conftest import ROOT
from tests.groups import group

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
POSTING = ROOT / "fixtures" / "postings" / "sr-manager-sales-operations.html"
PASTED = """Senior Sales Operations Analyst

About the role
You will own our forecasting process.

Responsibilities
- Own the weekly forecast call with sales leadership
- Build Salesforce dashboards for the field

Requirements
- 5+ years of experience in sales operations
- Advanced Excel and SQL
"""


@pytest.fixture
def ladder(db) -> None:
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])


@pytest.fixture
def rita(db) -> User:
    user = User.objects.create_user("rita", password="a-long-passphrase", is_staff=True)
    user.groups.add(group("Recruiters"))
    return user


@pytest.fixture
def recruiter(rita) -> Client:
    client = Client()
    client.force_login(rita)
    return client


@pytest.fixture
def posting(ladder) -> Posting:
    return posting_import(sources=[PostingSource(POSTING.name, POSTING.read_bytes())]).created[0]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_the_recruiters_group_handles_postings_and_only_reads_the_ladder(rita):
    assert rita.has_perms(
        ["postings.add_posting", "postings.change_posting", "postings.delete_posting"]
    )
    for model in ("jobfamily", "level", "item", "grade"):
        assert rita.has_perm(f"ladder.view_{model}")
        assert not rita.has_perm(f"ladder.change_{model}")
        assert not rita.has_perm(f"ladder.add_{model}")
        assert not rita.has_perm(f"ladder.delete_{model}")


def test_a_recruiter_pastes_a_posting(recruiter: Client, ladder):
    page = soup(recruiter.get("/postings/upload/"))
    assert page.select_one("textarea[name=text]")
    response = recruiter.post("/postings/upload/", {"text": PASTED})
    posting = Posting.objects.get()
    assert response.status_code == 302 and response["Location"] == posting.get_absolute_url()
    assert posting.title == "Senior Sales Operations Analyst"
    assert posting.format == "text" and posting.source_name == "pasted.txt"
    texts = list(posting.items.values_list("section", "text"))
    assert ("requirements", "Advanced Excel and SQL") in texts


def test_an_empty_upload_says_what_to_do_and_imports_nothing(recruiter: Client, ladder):
    response = recruiter.post("/postings/upload/", {"text": "   "})
    assert response.status_code == 400
    assert "Choose a posting file or paste the text of a posting." in response.content.decode()
    assert not Posting.objects.exists()


def test_only_recruiters_import_and_confirm(client: Client, posting):
    assert client.get("/postings/upload/").status_code == 302  # to the sign-in page
    User.objects.create_user("sam", password="a-long-passphrase", is_staff=True)
    client.login(username="sam", password="a-long-passphrase")
    assert client.get("/postings/upload/").status_code == 403
    level = Level.objects.first()
    assert client.post(f"/postings/{posting.pk}/level/", {"level": level.pk}).status_code == 403
    posting.refresh_from_db()
    assert posting.level is None


def test_the_postings_page_links_to_the_import_for_recruiters_and_sign_in_for_visitors(
    client: Client, recruiter: Client, ladder
):
    anonymous = client.get("/postings/").content.decode()
    assert "sign in to import postings" in anonymous
    assert 'href="/admin/login/?next=/postings/upload/"' in anonymous
    signed_in = recruiter.get("/postings/").content.decode()
    assert 'href="/postings/upload/"' in signed_in


def test_confirm_picker_groups_levels_by_family_with_the_best_match_preselected(
    recruiter: Client, posting
):
    page = soup(recruiter.get(posting.get_absolute_url()))
    select = page.select_one("select#confirm-level")
    groups = select.select("optgroup")
    assert [g["label"] for g in groups] == ["Sales Operations"]
    assert len(select.select("optgroup option")) == Level.objects.count()
    best = page.select_one(".matches .match a strong").get_text()
    assert select.select_one("option[selected]").get_text().startswith(best)
    # No two options of a family read alike.
    labels = [o.get_text() for o in groups[0].select("option")]
    assert len(labels) == len(set(labels))


def test_same_titles_in_two_families_sit_under_their_family(recruiter: Client, posting):
    for family in ("Marketing", "Product"):
        page = (
            f"---\ntitle: {family} Growth Roles\n---\n## {family} Growth Levels\n### Growth\n"
            f"The Growth is a grade 7.\n- Grow {family.lower()}\n"
        )
        family_import(sources=[Source(f"{family}.md", page.encode())])
    page = soup(recruiter.get(posting.get_absolute_url()))
    for family in ("Marketing", "Product"):
        group = page.select_one(f"optgroup[label='{family} Growth']")
        assert [o.get_text() for o in group.select("option")] == ["Growth · grade 7"]


def test_type_to_filter_works_without_javascript_and_as_a_fragment(recruiter: Client, posting):
    url = posting.get_absolute_url()
    page = soup(recruiter.get(url + "?level_filter=director"))
    options = page.select("select#confirm-level optgroup option")
    assert options and all("Director" in o.get_text() for o in options)
    assert page.select_one("select#confirm-level option[selected]") == options[0]
    fragment = recruiter.get(
        url + "?level_filter=director", headers={"HX-Request": "true", "HX-Target": "confirm-level"}
    ).content.decode()
    assert fragment.startswith('<option value="">— no level —</option><optgroup')
    assert "<html" not in fragment
    assert re.findall(r"<option value=\"\d+\"", fragment)
    # A filter nothing matches says so, rather than leaving "— no level —" alone.
    none = soup(recruiter.get(url + "?level_filter=astronaut"))
    assert none.select_one("select#confirm-level option[disabled]").get_text() == (
        "No level matches “astronaut”"
    )


def test_a_recruiter_confirms_a_level(recruiter: Client, rita, posting):
    level = Level.objects.get(slug="senior-manager-sales-operations")
    response = recruiter.post(f"/postings/{posting.pk}/level/", {"level": level.pk})
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.level == level and posting.level_confirmed_by == rita
    assert recruiter.post(f"/postings/{posting.pk}/level/", {"level": "999999"}).status_code == 302
    posting.refresh_from_db()
    assert posting.level == level  # a level that does not exist changes nothing
    # Who confirmed it is for colleagues who are signed in, not for every visitor.
    assert f"by {rita.username}" in recruiter.get(posting.get_absolute_url()).content.decode()
    public = Client().get(posting.get_absolute_url()).content.decode()
    assert level.title in public and rita.username not in public and "confirmed " in public


def test_postings_in_the_admin_edited_and_deleted_with_history(recruiter: Client, posting):
    changelist = recruiter.get("/admin/postings/posting/")
    assert changelist.status_code == 200
    assert posting.title in changelist.content.decode()
    form = recruiter.get(f"/admin/postings/posting/{posting.pk}/change/")
    assert form.status_code == 200
    data = {
        "title": posting.title,
        "company": "Acme Analytics",
        "location": "Remote",
        "years_min": posting.years_min or "",
        "years_max": posting.years_max or "",
        "degree": posting.degree,
        "people_management": "on" if posting.people_management else "",
        "level": "",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    saved = recruiter.post(f"/admin/postings/posting/{posting.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    posting.refresh_from_db()
    assert posting.company == "Acme Analytics"
    assert posting.history.first().history_user.username == "rita"
    assert recruiter.get(f"/admin/postings/posting/{posting.pk}/history/").status_code == 200

    deleted = recruiter.post(f"/admin/postings/posting/{posting.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Posting.objects.filter(pk=posting.pk).exists()
    assert Posting.history.filter(id=posting.pk, history_type="-").exists()


def test_recruiters_cannot_edit_the_ladder_in_the_admin(recruiter: Client, ladder):
    level = Level.objects.first()
    page = recruiter.get(f"/admin/ladder/level/{level.pk}/change/")
    assert page.status_code == 200  # may read it
    assert b'name="_save"' not in page.content
    assert recruiter.get("/admin/ladder/jobfamily/import/").status_code == 403


STATED = """Senior Sales Operations Analyst
Company: Acme Analytics
Location: Remote, United States
Salary: $120,000 – $150,000 per year

About the role
You will own our forecasting process end to end.

What you'll do
- Own the weekly forecast call with sales leadership
- Build Salesforce dashboards for the field

What you'll need
- 5+ years of experience in sales operations
- Advanced Excel and SQL

About Acme
We are a leading provider of analytics.
"""


def test_plain_text_headings_are_headings_not_items():
    from postings.parsing import parse_posting

    parsed = parse_posting(STATED, "pasted.txt")
    texts = [i.text for i in parsed.items]
    for heading in ("About the role", "What you'll do", "What you'll need", "About Acme"):
        assert not any(t.startswith(heading) for t in texts), texts
    sections = {i.text: i.section for i in parsed.items}
    # "About the role" is the role, not the company.
    assert sections["You will own our forecasting process end to end."] == "responsibilities"
    assert sections["Advanced Excel and SQL"] == "requirements"
    assert sections["We are a leading provider of analytics."] == "about"


def test_company_location_and_pay_range_are_read_when_stated(recruiter: Client, ladder):
    from postings.parsing import parse_posting

    parsed = parse_posting(STATED, "pasted.txt")
    assert (parsed.company, parsed.location, parsed.pay) == (
        "Acme Analytics",
        "Remote, United States",
        "$120,000 – $150,000 per year",
    )
    assert not any(i.text.startswith(("Company:", "Location:", "Salary:")) for i in parsed.items)
    inline = parse_posting("Analyst\n\nRequirements:\n- SQL\n\nThe range is $90k-$110k a year.\n")
    assert inline.pay == "$90k-$110k a year"
    recruiter.post("/postings/upload/", {"text": STATED})
    posting = Posting.objects.get()
    page = recruiter.get(posting.get_absolute_url()).content.decode()
    assert "Acme Analytics · Remote, United States" in page
    assert "$120,000 – $150,000 per year" in page


def test_quoted_evidence_is_cut_between_words_with_an_ellipsis():
    from postings.matching import quote

    text = "Partner with sales leadership to run the weekly forecast and pipeline review calls"
    short = quote(text)
    assert short.endswith("…") and len(short) <= 71
    assert text.startswith(short[:-1])
    assert text[len(short) - 1] == " "  # the cut falls between two words
    assert quote("Short one") == "Short one"
