"""Session 6's browser review of the real corpus: three misreadings, each a general rule.

The pages are the real ones under ``tests/data/corpus``; the short pages written here only pin
the rule's edges (what it must not catch).
"""

from __future__ import annotations

import pytest

from ladder.handbook import infer_base_url, parse_extends, parse_handbook
from ladder.handbook.phrases import PREVIOUS_LEVEL
from ladder.handbook.sources import Source, parse_sources
from ladder.inheritance import resolve_import
from ladder.models import JobFamily, Level
from ladder.rendering import markdown_to_html
from ladder.services import family_import
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"


def page(name: str):
    path = CORPUS / name
    return parse_handbook(path.read_bytes(), path.name)


# 1. A list right under a paragraph line is a list.


def test_lists_under_the_opening_paragraphs_are_kept_in_the_family_description():
    family = page("handbook/finance--data-science.md")
    lead = "Data Scientists work with peers on the Data Team and functional teams to:"
    assert f"{lead}\n\n- perform ad-hoc exploratory analysis\n" in family.description
    assert "- account scoring\n" in family.description
    assert family.description.index("- account scoring") < family.description.index(
        "Data Scientists are a part of the"
    )


def test_a_list_after_a_blank_line_in_the_opening_is_kept_too():
    family = page("handbook/sales--renewal-operations-analyst.md")
    assert "Key objectives include:\n\n- Optimize and scale the renewal management" in (
        family.description
    )


def test_a_list_line_right_under_a_paragraph_line_renders_as_a_list():
    html = markdown_to_html(
        "Teams to:\n  * perform analysis\n  * solve problems\n\nExample projects include:\n"
        "- account scoring\n",
        inline=False,
    )
    assert "<p>Teams to:</p>\n<ul>\n<li>perform analysis</li>\n<li>solve problems</li>" in html
    assert "<p>Example projects include:</p>\n<ul>\n<li>account scoring</li>" in html


def test_what_is_not_a_list_start_stays_in_its_paragraph():
    # CommonMark's edges: an ordered list starting past 1, a line indented as code, a rule.
    html = markdown_to_html("Ranges:\n2. is the second\n\nWrapped\n     - deep\n", inline=False)
    assert "<li>" not in html
    # Lines inside a list and in code fences are left alone.
    assert markdown_to_html("- a\n  wrapped\n- b\n", inline=False) == (
        "<ul>\n<li>a\n  wrapped</li>\n<li>b</li>\n</ul>"
    )


# 2. "has all of the responsibilities of X, plus:" is inheritance.


def test_has_all_of_the_responsibilities_of_a_level_plus_is_read_as_extends():
    result = resolve_import([page("handbook/finance--data-science.md")])
    extends = {
        lv.title: sorted(link for item in lv.items() for link in item.extends)
        for lv in result.levels()
    }
    assert extends["Senior Data Scientist"] == [
        ("data-science/data-scientist-intermediate", "requirements"),
        ("data-science/data-scientist-intermediate", "responsibilities"),
    ]
    assert extends["Principal Data Scientist"] == [
        ("data-science/staff-data-scientist", "requirements"),
        ("data-science/staff-data-scientist", "responsibilities"),
    ]
    senior = next(lv for lv in result.levels() if lv.title == "Senior Data Scientist")
    assert "has all of the responsibilities" not in senior.parsed.description


@pytest.mark.parametrize(
    ("line", "target", "section"),
    [
        (
            "The Senior Data Scientist has all of the responsibilities of an Intermediate Data "
            "Scientist, plus:",
            "Intermediate Data Scientist",
            "responsibilities",
        ),
        (
            "The Staff Data Scientist meets all of the requirements of a Senior Data Scientist, "
            "plus:",
            "Senior Data Scientist",
            "requirements",
        ),
        (
            "All the responsibilities of an IT Compliance Engineer, plus:",
            "IT Compliance Engineer",
            "responsibilities",
        ),
        (
            "The Lead has all the responsibilities of the Senior Analyst role as well as the "
            "following:",
            "Senior Analyst",
            "responsibilities",
        ),
        (
            "Everything an Intermediate Data Scientist does, plus:",
            "Intermediate Data Scientist",
            None,
        ),
        (
            "A Staff Engineer does everything a Senior Engineer does, plus:",
            "Senior Engineer",
            None,
        ),
        (
            "In addition to the responsibilities of a Security Analyst, the Senior Security "
            "Analyst will:",
            "Security Analyst",
            "responsibilities",
        ),
    ],
)
def test_close_variants_of_the_inheritance_phrasing(line: str, target: str, section: str | None):
    ref = parse_extends(line, 1)
    assert (ref.target, ref.section) == (target, section)


def test_includes_all_of_the_requirements_above_plus_is_the_level_before():
    # finance--it-compliance.md: each level's "### Requirements" opens with this line.
    ref = parse_extends("This role includes all of the requirements above, plus:", 1)
    assert (ref.target, ref.section) == (PREVIOUS_LEVEL, "requirements")


@pytest.mark.parametrize(
    "line",
    [
        "Candidates must meet all of the requirements of the role.",
        "Candidates must meet all of the requirements of the role, plus:",
        "You will meet all of the requirements of our customers.",
        "We do everything a customer does, plus more testing",
        # A sentence, not a lead-in: it says no "plus".
        "The Manager has all of the responsibilities of a Senior Engineer.",
        # finance--data-science.md's specialty: two sentences, the second its own lead-in.
        "The job requirements of this specialization include all of the requirements for the "
        "**Data Scientist** role. In addition, requirements for the specialization include:",
    ],
)
def test_sentences_that_are_not_inheritance(line: str):
    assert parse_extends(line, 1) is None


# 3. A page's site comes from links into the handbook, never from any outbound link.

STRAY_LINK_PAGES = [
    # Each links most to a site outside the handbook (en.wikipedia.org, youtu.be, youtube.com,
    # greatplacetowork.com), which used to become its base for "/handbook/…" links.
    "handbook/finance--data-science.md",
    "handbook/engineering--infrastructure-security.md",
    "handbook/chief-executive-officer--chief-of-staff.md",
    "handbook/people-ops--learning-development.md",
    "handbook/people-ops--people-communications-engagement.md",
]


def sources(*names: str) -> list[Source]:
    return [Source(name, (CORPUS / name).read_bytes()) for name in names]


def test_the_base_is_the_host_the_page_links_into_the_handbook_with():
    text = (CORPUS / "handbook/finance--data-science.md").read_text()
    assert infer_base_url(text) == "https://about.gitlab.com"
    # No link of the page goes into its handbook by a full address: no guess at all.
    text = (CORPUS / "handbook/engineering--infrastructure-security.md").read_text()
    assert infer_base_url(text) == ""


def test_every_page_of_an_import_takes_the_handbook_site_its_pages_link_into():
    parsed, errors = parse_sources(
        sources(*STRAY_LINK_PAGES, "handbook/finance--accounts-receivable.md"),
        base_url=None,
        grade_range=(1, 20),
    )
    assert errors == []
    assert {family.title: family.base_url for family in parsed} == dict.fromkeys(
        [family.title for family in parsed], "https://about.gitlab.com"
    )


def test_a_base_url_given_in_front_matter_is_kept():
    page_bytes = (
        b"---\ntitle: Tea Roles\nbase_url: https://tea.example.org\n---\n"
        b"## Tea Levels\n### Taster\n- Taste teas as the [guide](/handbook/teas/) says\n"
    )
    parsed, _ = parse_sources(
        [Source("tea.md", page_bytes), *sources("handbook/finance--data-science.md")],
        base_url=None,
        grade_range=(1, 20),
    )
    assert [family.base_url for family in parsed] == [
        "https://tea.example.org",
        "https://about.gitlab.com",
    ]


@pytest.mark.django_db
def test_root_relative_reports_to_links_resolve_against_the_handbook_site():
    family_import(
        sources=sources(
            "handbook/finance--accounts-receivable.md", "handbook/finance--data-science.md"
        )
    )
    links = set(
        Level.objects.filter(family__slug="accounts-receivable").values_list(
            "reports_to_link", flat=True
        )
    )
    assert links == {
        "https://about.gitlab.com/job-families/finance/billing/#senior-manager-billing"
    }
    assert JobFamily.objects.get(slug="accounts-receivable").base_url == "https://about.gitlab.com"


@pytest.mark.django_db
def test_with_no_site_known_a_root_relative_reports_to_link_is_dropped_not_left_to_404(settings):
    # The page alone names no site (its few absolute links go elsewhere).
    settings.LADDER_HANDBOOK_BASE_URL = ""
    family_import(sources=sources("handbook/finance--accounts-receivable.md"))
    level = Level.objects.get(title="Accounts Receivable Associate")
    assert (level.reports_to_title, level.reports_to_link) == ("Sr. Manager, Billing", "")
    # The setting names the site: the link points there.
    settings.LADDER_HANDBOOK_BASE_URL = "https://handbook.example.org"
    family_import(
        sources=sources("handbook/finance--accounts-receivable.md"), force=["accounts-receivable"]
    )
    level = Level.objects.get(title="Accounts Receivable Associate")
    assert level.reports_to_link == (
        "https://handbook.example.org/job-families/finance/billing/#senior-manager-billing"
    )


def test_a_list_of_levels_is_split_at_or_before_and():
    """ "Staff or Principal level Strategy and Operations" names two levels of the writer's
    family; split at "and" too, its last part ("Operations") was found in another family."""
    from ladder.inheritance import Candidate, TitleIndex

    index = TitleIndex(
        [
            Candidate("sao/staff", "Staff Strategy and Operations", "sao"),
            Candidate("sao/principal", "Principal Strategy and Operations", "sao"),
            Candidate("sao/data", "Strategy and Operations (Data)", "sao"),
            Candidate("support/operations", "Operations", "support"),
        ]
    )
    found = index.resolve("Staff or Principal level Strategy and Operations", "sao")
    assert found is not None and set(found.keys) == {"sao/staff", "sao/principal"}
    # "X and Y" still names two levels when the titles hold no "and".
    pair = TitleIndex(
        [Candidate("a/analyst", "Analyst", "a"), Candidate("a/lead", "Lead Analyst", "a")]
    ).resolve("Analyst and Lead Analyst", "a")
    assert pair is not None and set(pair.keys) == {"a/analyst", "a/lead"}
