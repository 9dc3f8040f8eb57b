"""Browse pages: index, ladder, level, grade, search — facts, safety, htmx and query counts."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.handbook.sources import Source, collect_sources
from ladder.models import Grade, Level
from ladder.services import family_import
from tests.conftest import ROOT

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
FAMILY = "/families/sales-operations/"
GRADE_LINK = "https://about.gitlab.com/handbook/total-rewards/compensation/#job-grades"

TRACKS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
STEPS = [
    "Associate",
    "Junior",
    "Intermediate",
    "Senior",
    "Staff",
    "Principal",
    "Distinguished",
    "Fellow",
    "Chief",
    "Master",
]


def big_family_markdown(depth: int = 5) -> str:
    """50 levels on 5 tracks; on each track levels 1..depth extend the one before (a chain of
    ``depth`` extends), every level reports to the next, the top one to an outside VP."""
    out = [
        "---",
        'title: "Widget Engineering Roles"',
        'description: "A generated family."',
        "---",
        "",
        "Widget engineers build widgets. This family is generated for query-count tests.",
        "",
    ]
    for track in TRACKS:
        out += [f"## {track} Widget Engineer Levels", ""]
        titles = [f"{step} {track} Widget Engineer" for step in STEPS]
        for i, title in enumerate(titles):
            out += [f"### {title}", ""]
            if i + 1 < len(titles):
                out += [f"The {title} reports to the {titles[i + 1]}.", ""]
            else:
                out += [f"The {title} reports to the [VP, Widgets](/job-families/vp-widgets/).", ""]
            if i != 2:  # level 2 states no grade: it is inferred from level 1
                out += ["#### Job Grade", "", f"The {title} is a [grade {4 + i}]({GRADE_LINK})", ""]
            for section in ("Responsibilities", "Requirements"):
                out += [f"#### {title} {section}", ""]
                if 1 <= i <= depth:
                    out.append(f"- Extends that of the {titles[i - 1]} {section}")
                for n in range(4):
                    out.append(
                        f"- {track} {section.lower()} duty {n} at step {i}: forecast widgets"
                    )
                out.append(f"- Coordinate {track} step {i} rollouts")
                out.append(f"  - Including {track} step {i} partner rollouts")
                out.append("")
    return "\n".join(out) + "\n"


def import_seed() -> None:
    family_import(sources=collect_sources([SEED]))


def import_big() -> None:
    source = Source("widget-engineering.md", big_family_markdown().encode())
    family_import(sources=[source])


@pytest.fixture
def seed(db):
    import_seed()


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def level_url(slug: str, family: str = "sales-operations") -> str:
    return f"/families/{family}/{slug}/"


# --------------------------------------------------------------------------- index


def test_index_lists_each_family_with_its_level_count_and_grade_range(client, seed):
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    card = page.select_one(".family-card")
    assert card.h3.a["href"] == FAMILY
    assert card.h3.a.get_text() == "Sales Operations"
    facts = card.select_one(".family-facts").get_text(" ", strip=True)
    assert "17 levels" in facts
    assert "Grades 5–11" in facts
    form = page.select_one("main form[role=search]")
    assert (form["action"], form["method"]) == ("/search/", "get")
    assert page.select_one("label[for=index-q]")
    assert [a["href"] for a in page.select(".grade-pills a")][:2] == ["/grades/5/", "/grades/6/"]


def test_index_without_families_says_how_to_load_them(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No job family has been imported yet" in response.content


# --------------------------------------------------------------------------- family


def test_family_chart_has_a_linked_box_per_level_and_reports_to_lines(client, seed):
    response = client.get(FAMILY)
    assert response.status_code == 200
    page = soup(response)
    boxes = page.select("svg.chart a.chart-box")
    hrefs = {a["href"] for a in boxes}
    for level in Level.objects.all():
        assert level_url(level.slug) in hrefs
    # The outside manager of the Senior Director is a box of its own, linking out.
    external = page.select_one("a.chart-box.is-external")
    assert external["href"] == "https://about.gitlab.com/job-families/sales/vp-of-field-operations/"
    assert "VP, Field Operations" in external.get_text()
    # Associate, Analyst → Manager; Manager, Senior Manager → Director; Director → Senior
    # Director; Senior Director → VP (outside).
    assert len(page.select("svg.chart path.chart-edge")) == 6
    assert len(page.select("svg.chart path.chart-edge-external")) == 1
    rows = [t.get_text() for t in page.select(".chart-row-label")]
    assert rows[0] == "Reports to"
    assert rows[1:8] == [f"Grade {n}" for n in range(11, 4, -1)]
    assert rows[-1] == "No grade"
    columns = [t.get_text(" ", strip=True) for t in page.select(".chart-col-label")]
    assert columns[:3] == [
        "Sales Operations Analyst",
        "Manager, Sales Operations",
        "Director, Sales Operations",
    ]


def test_inferred_grades_look_different_and_say_why(client, seed):
    page = soup(client.get(FAMILY))
    inferred = page.select("a.chart-box.is-inferred")
    assert len(inferred) == Level.objects.filter(grade_inferred=True).count() == 8
    box = next(a for a in inferred if "senior-channel-operations-manager" in a["href"])
    why = box.title.get_text()
    assert "Grade 9 is inferred" in why
    assert "Senior Manager, Sales Operations" in why
    assert box["aria-label"] == why
    assert "grade 9 · inferred" in box.get_text()
    stated = next(
        a for a in page.select("a.chart-box") if a["href"] == level_url("sales-operations-analyst")
    )
    assert "is-inferred" not in stated["class"]


def test_family_page_shows_description_indicators_career_ladder_and_hiring(client, seed):
    page = soup(client.get(FAMILY))
    headings = [h.get_text() for h in page.select("main h2")]
    assert headings == [
        "The ladder",
        "Levels by track",
        "About the family",
        "Performance indicators",
        "Career ladder",
        "Hiring process",
    ]
    indicators = page.select_one("#performance-indicators-heading").find_parent("section")
    assert [li.get_text() for li in indicators.select("li")][:2] == [
        "IACV vs. plan > 1",
        "IACV efficiency > 1.0",
    ]
    hiring = page.select_one("#hiring-process-heading").find_parent("section")
    assert hiring.select_one('a[href="https://about.gitlab.com/handbook/hiring/"]')


# --------------------------------------------------------------------------- level


def test_level_page_marks_inherited_items_with_a_link_to_their_level(client, seed):
    response = client.get(level_url("senior-channel-operations-manager"))
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Senior Channel Operations Manager"
    sources = {(a.get_text(), a["href"]) for a in page.select(".item.is-inherited > .item-from a")}
    assert (
        "Senior Manager, Sales Operations",
        level_url("senior-manager-sales-operations"),
    ) in sources
    assert ("Manager, Sales Operations", level_url("manager-sales-operations")) in sources
    assert "from Senior Manager, Sales Operations" in page.get_text(" ", strip=True)
    own = page.select("#responsibilities .item.is-own")
    assert own[0].get_text(" ", strip=True).startswith("Develop, manage, and improve operational")
    assert not own[0].select(".item-from")
    # The grade is inferred, and the page says from where.
    grade = page.select_one(".fact dd").get_text(" ", strip=True)
    assert "Grade 9" in grade
    assert "inferred" in grade
    assert "Senior Manager, Sales Operations" in grade


def test_senior_director_reports_to_an_outside_title_with_its_link(client, seed):
    page = soup(client.get(level_url("senior-director-sales-operations")))
    fact = next(f for f in page.select(".fact") if f.dt.get_text() == "Reports to")
    link = fact.dd.a
    assert link.get_text() == "VP, Field Operations"
    assert link["href"] == "https://about.gitlab.com/job-families/sales/vp-of-field-operations/"
    assert "outside this family" in fact.dd.get_text()
    reporting = next(f for f in page.select(".fact") if f.dt.get_text() == "Reporting to it")
    assert [a["href"] for a in reporting.select("a")] == [level_url("director-sales-operations")]


def test_sales_operations_analyst_has_13_responsibilities_and_neighbours_on_its_track(client, seed):
    page = soup(client.get(level_url("sales-operations-analyst")))
    assert len(page.select("#responsibilities > ul.items > li")) == 13
    assert page.select_one("#responsibilities .count").get_text() == "13"
    assert page.select_one("a[rel=prev]")["href"] == level_url("associate-sales-operations-analyst")
    # The Sales Tech Stack specialty takes the analyst's grade 6 and follows it on the track.
    assert page.select_one("a[rel=next]")["href"] == level_url(
        "sales-operations-analyst-sales-tech-stack"
    )
    manager = next(f for f in page.select(".fact") if f.dt.get_text() == "Reports to")
    assert manager.dd.a["href"] == level_url("manager-sales-operations")
    assert page.select_one(".fact dd a")["href"] == "/grades/6/"


def test_manager_page_lists_the_levels_reporting_to_it(client, seed):
    page = soup(client.get(level_url("manager-sales-operations")))
    reporting = next(f for f in page.select(".fact") if f.dt.get_text() == "Reporting to it")
    assert [a.get_text() for a in reporting.select("a")] == [
        "Associate Sales Operations Analyst",
        "Sales Operations Analyst",
    ]
    # First on its track: no previous step, Senior Manager next.
    assert page.select_one("a[rel=prev]") is None
    assert page.select_one("a[rel=next]")["href"] == level_url("senior-manager-sales-operations")


def test_nested_bullets_keep_their_nesting(client, seed):
    page = soup(client.get(level_url("partner-operations-project-manager")))
    nested = page.select("#general ul.items li ul.items li")
    assert [li.get_text(" ", strip=True) for li in nested] == [
        "Including automation with QTC with Partners",
        "Can include data loads in SFDC, reporting, and comp validation",
    ]


def test_markdown_from_the_handbook_is_rendered_safely(client, db):
    page_md = (
        '---\ntitle: "Risky Roles"\n---\n\n## Risky Levels\n\n### Risky Analyst\n\n'
        "The Risky Analyst reports to the [Boss](javascript:alert(1)).\n\n"
        "#### Risky Analyst Responsibilities\n\n"
        "- Uses <script>alert(1)</script> and <img src=x onerror=alert(2)> daily\n"
        "- Reads the [handbook](/handbook/values/) and [bad](javascript:alert(3))\n"
    )
    family_import(sources=[Source("risky.md", page_md.encode())])
    response = client.get("/families/risky/risky-analyst/")
    assert response.status_code == 200
    body = response.content.decode()
    main = body[body.index("<main") :]
    assert "<script>alert" not in main
    assert "onerror" not in main
    assert "javascript:" not in main
    # No handbook site known: the handbook-relative link is kept as text, never a link that
    # would open inside Ladder and 404.
    assert 'href="/handbook/values/"' not in main
    assert "Reads the handbook and" in main


# --------------------------------------------------------------------------- grade


def test_grade_page_lists_every_level_at_that_grade_with_its_meaning(client, seed):
    Grade.objects.filter(number=9).update(description="Leads **a team** of managers.")
    response = client.get("/grades/9/")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Grade 9"
    assert page.select_one(".grade-meaning strong").get_text() == "a team"
    titles = [a.get_text() for a in page.select(".level-list a")]
    assert titles == ["Senior Manager, Sales Operations", "Senior Channel Operations Manager"]
    assert page.select_one(".level-list .badge-inferred")


def test_decimal_grades_and_grade_ranges_have_pages(client, seed):
    Grade.objects.create(number="9.5", description="Between nine and ten.")
    Level.objects.filter(slug="senior-manager-sales-operations").update(grade_max=10)
    page = soup(client.get("/grades/9.5/"))
    assert page.h1.get_text(strip=True) == "Grade 9.5"
    assert "Between nine and ten." in page.get_text()
    assert [a.get_text() for a in page.select(".level-list a")] == [
        "Senior Manager, Sales Operations"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/families/no-such-family/",
        "/families/sales-operations/no-such-level/",
        "/families/no-such-family/manager-sales-operations/",
        "/grades/42/",
        "/grades/9.5/",
    ],
)
def test_unknown_addresses_get_the_404_page_in_the_site_layout(client, seed, url):
    response = client.get(url)
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text() == "Page not found"
    assert page.select_one("header.site-header a.brand")


# --------------------------------------------------------------------------- query counts

QUERY_BOUND = 7  # level page: level, reports, track, extends, families, family levels


def _count(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_generated_family_has_50_levels_and_inheritance_depth_5(db):
    import_big()
    levels = Level.objects.filter(family__slug="widget-engineering")
    assert levels.count() == 50
    deepest = levels.get(slug="principal-alpha-widget-engineer")
    sources = {item["source"] for item in deepest.effective["responsibilities"]}
    assert len(sources) == 6  # its own items and five levels up the chain
    assert levels.get(slug="intermediate-alpha-widget-engineer").grade_inferred


def test_page_query_counts_do_not_grow_with_levels_items_or_inheritance_depth(
    client, db, django_assert_max_num_queries
):
    import_seed()
    htmx = {"headers": {"HX-Request": "true"}}
    small = {
        "index": ("/", {}),
        "family": (FAMILY, {}),
        "level": (level_url("senior-channel-operations-manager"), {}),
        "grade": ("/grades/9/", {}),
        "search": ("/search/?q=forecast+planning", {}),
        "search partial": ("/search/?q=forecast+planning", htmx),
    }
    small_counts = {name: _count(client, url, **kw) for name, (url, kw) in small.items()}

    import_big()
    big = dict(small)
    big["family"] = ("/families/widget-engineering/", {})
    big["level"] = (level_url("principal-alpha-widget-engineer", "widget-engineering"), {})
    for name, (url, kwargs) in big.items():
        expected = small_counts[name]
        assert expected <= QUERY_BOUND, (name, expected)
        with django_assert_max_num_queries(expected):
            big_count = _count(client, url, **kwargs)
        assert big_count == expected, name
    assert small_counts == {
        "index": 2,
        "family": 3,  # + the version count for the history link
        # level, reports, family levels (track and picker), extends: another family's level
        # is found by typing (compare/find/), the page lists no family but its own
        "level": 4,
        "grade": 2,
        # one query: the ranked page of the full-text index with its levels and total; + the
        # grades for the filter (cached per content version, with its number) on the whole page
        "search": 3,
        "search partial": 1,
    }
    # The big family's pages really are big.
    assert (
        len(re.findall(r'class="chart-box[ "]', client.get(big["family"][0]).content.decode()))
        == 51
    )


def test_an_inherited_item_whose_source_is_unknown_is_still_shown(client, seed):
    level = Level.objects.get(slug="sales-operations-analyst")
    level.effective["responsibilities"][0].update(source="", source_key="", source_title="Gone")
    level.save(update_fields=["effective"])
    page = soup(client.get(level_url("sales-operations-analyst")))
    first = page.select_one("#responsibilities .item")
    assert first.select_one(".item-from").get_text(" ", strip=True) == "from Gone"
    assert first.select_one(".item-from a") is None
