"""What an employee meets with the whole corpus loaded (issue 16, "Employees")."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from ladder.handbook.sources import Source
from ladder.models import FamilyVersion, Grade, JobFamily, Level
from ladder.rendering import markdown_to_html
from ladder.services import family_import

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_home_groups_families_by_department_with_counts(client: Client, corpus):
    page = soup(client.get("/"))
    groups = {
        d.select_one(".department-name").get_text(): d for d in page.select("details.department")
    }
    assert {"Engineering", "Finance", "Marketing", "Sales", "Alliances"} <= set(groups)
    # The split family under handbook-current/alliances/ belongs to Alliances, not to its folder.
    alliances = [a.get_text() for a in groups["Alliances"].select(".family-card h3 a")]
    assert "Technology Partner Manager" in alliances
    # A department's own page (product.md beside product--….md) sits in that department.
    assert "Other" not in groups
    engineering = groups["Engineering"]
    cards = engineering.select(".family-card")
    counts = engineering.select_one(".department-counts").get_text()
    assert counts.startswith(f"{len(cards)} families · ")
    levels = sum(int(c.select_one(".family-facts span").get_text().split()[0]) for c in cards)
    assert counts.endswith(f" · {levels} levels")
    # Collapsed until opened, so the page is a list of departments, not of 145 cards.
    assert "open" not in engineering.attrs


def test_home_hides_pages_without_levels_and_counts_only_families(client: Client, corpus):
    empty = [f.title for f in JobFamily.objects.all() if not f.levels.exists()]
    page = soup(client.get("/"))
    titles = [a.get_text() for a in page.select(".family-card h3 a")]
    assert empty and not set(empty) & set(titles)
    assert len(titles) == JobFamily.objects.count() - len(empty)


def test_home_cards_render_markdown_sanitised(client: Client, corpus):
    body = client.get("/").content.decode()
    cards = "".join(str(c) for c in soup(client.get("/")).select(".family-description"))
    assert "**" not in cards and "](" not in cards
    assert "<script" not in body.split("</head>")[1]
    # Rendered, not shown as markup: no escaped tag in any card, and the bold and links of the
    # descriptions are elements (the truncation once escaped the whole description).
    assert "&lt;" not in cards
    descriptions = soup(client.get("/")).select(".family-description")
    assert any(d.select("strong") for d in descriptions)
    assert any(d.select("a[href]") for d in descriptions)


def test_filter_as_you_type_works_as_a_plain_get_form_and_as_a_fragment(client: Client, corpus):
    page = soup(client.get("/?filter=security"))
    titles = [a.get_text() for a in page.select(".family-card h3 a")]
    assert len(titles) >= 3 and all("Security" in t for t in titles)
    assert page.select_one("#family-filter")["value"] == "security"
    assert all("open" in d.attrs for d in page.select("details.department"))
    form = page.select_one("form.family-filter")
    assert form["method"] == "get" and form["action"] == "/"
    fragment = client.get("/?filter=security", headers={**HTMX, "HX-Target": "family-groups"})
    body = fragment.content.decode().strip()
    assert body.startswith('<div id="family-groups"') and "<html" not in body
    nothing = client.get("/?filter=zzzz-nothing").content.decode()
    assert "No family matches “zzzz-nothing”" in nothing


def test_one_grade_is_not_plural(client: Client, db):
    page = (
        b"---\ntitle: Tea Roles\n---\n## Tea Levels\n### Taster\n"
        b"The Taster is a grade 10.\n- Taste\n"
    )
    family_import(sources=[Source("tea.md", page)])
    card = next(c for c in soup(client.get("/")).select(".family-card") if "Tea" in c.h3.text)
    facts = card.select_one(".family-facts").get_text(" ", strip=True)
    assert "Grade 10" in facts and "Grades" not in facts


def test_a_grade_without_levels_is_404_like_an_unknown_grade(client: Client, corpus):
    Grade.objects.get_or_create(number="6.5")
    assert client.get("/grades/6.5/").status_code == 404
    assert client.get("/grades/13/").status_code == 404
    held = Level.objects.filter(grade__isnull=False).first().grade
    assert client.get(held.get_absolute_url()).status_code == 200


def _mixed_section(page: BeautifulSoup):
    """The first section listing an inherited item before an item new at this level."""
    for section in page.select(".level-section"):
        kinds = [li["class"][1] for li in section.select("ul.items > li")]
        if "is-inherited" in kinds and "is-own" in kinds[kinds.index("is-inherited") :]:
            return section
    return None


def test_level_page_can_show_what_is_new_first_keeping_handbook_order(client: Client, corpus):
    for level in Level.objects.select_related("family").order_by("family__slug", "position"):
        url = level.get_absolute_url()
        page = soup(client.get(url))
        section = _mixed_section(page)
        if section is not None:
            break
    else:
        pytest.fail("no level in the corpus mixes inherited and own items")
    assert section.select_one(".section-summary a").get_text() == "Show what is new first"
    default = [li["class"][1] for li in section.select("ul.items > li")]
    reordered_page = soup(client.get(url + "?order=new"))
    moved = reordered_page.select_one(f"#{section['id']}")
    reordered = [li["class"][1] for li in moved.select("ul.items > li")]
    assert sorted(default) == sorted(reordered)
    assert reordered == sorted(reordered, key=lambda c: c != "is-own")
    # Within each group the handbook order holds.
    for kind in ("is-own", "is-inherited"):
        before = [li.get_text() for li in section.select(f"ul.items > li.{kind}")]
        after = [li.get_text() for li in moved.select(f"ul.items > li.{kind}")]
        assert before == after
    assert moved.select_one(".section-summary a").get_text() == "Handbook order"


def test_handbook_relative_links_never_point_inside_ladder(client: Client, corpus, settings):
    # Every corpus page names its site through its own links (about.gitlab.com), so none of its
    # /handbook/ links points inside Ladder.
    assert not JobFamily.objects.filter(base_url="").exists()
    body = "".join(
        client.get(lv.get_absolute_url()).content.decode()
        for lv in Level.objects.order_by("family__slug", "position")[:40]
    )
    assert not re.search(r'href="/handbook/', body)
    # With no site known at all, such a link stays text.
    settings.LADDER_HANDBOOK_BASE_URL = ""
    assert markdown_to_html("[x](/handbook/y/)", "") == "x"
    # With a site named (front matter, --base-url or the setting), they point there.
    assert markdown_to_html("[x](/handbook/y/)", "https://handbook.example.org") == (
        '<a href="https://handbook.example.org/handbook/y/" rel="noopener noreferrer nofollow">'
        "x</a>"
    )
    settings.LADDER_HANDBOOK_BASE_URL = "https://handbook.example.org"
    assert "https://handbook.example.org/handbook/y/" in markdown_to_html("[x](/handbook/y/)")


def test_front_matter_names_the_handbook_site(db):
    page = (
        b"---\ntitle: Tea Roles\nbase_url: https://tea.example.org\n---\n"
        b"## Tea Levels\n### Taster\nThe Taster is a grade 10.\n"
        b"- Taste teas as the [tea guide](/handbook/teas/) says\n"
    )
    family_import(sources=[Source("tea.md", page)])
    assert JobFamily.objects.get(slug="tea").base_url == "https://tea.example.org"
    item = Level.objects.get(family__slug="tea").items.get()
    assert 'href="https://tea.example.org/handbook/teas/"' in item.html


def test_history_shows_the_file_name_not_the_server_path(client: Client, corpus):
    version = FamilyVersion.objects.select_related("family").first()
    assert version.source_name.startswith("/")
    body = client.get(f"/families/{version.family.slug}/history/").content.decode()
    assert version.source_name not in body
    assert version.source_name.rsplit("/", 1)[-1] in body
