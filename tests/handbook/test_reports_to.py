"""Who a level reports to, read the way a person reads it (session 7).

Before these rules `make accuracy` read reports-to right for 218 of 241 hand-read levels: the
manager's title kept "role at GitLab" or the clause after it, a manager named once in the page's
opening or in a list bullet was not carried to the levels, and "reports intot" or a sentence
without "to" was missed. The real pages are under ``tests/data/corpus``; the short pages pin
each rule's edges (what it must not catch).
"""

from __future__ import annotations

import pytest

from ladder.handbook import parse_handbook
from ladder.handbook.phrases import manager_title, reports_bullet, reports_statement
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"


def managers(source: str | bytes, name: str = "page.md") -> dict[str, str]:
    return {lv.title: lv.reports_to for lv in parse_handbook(source, name).levels}


def real(name: str) -> dict[str, str]:
    path = CORPUS / name
    return managers(path.read_bytes(), path.name)


# The manager's title ends where the title ends.


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "[Security Manager, Application Security](#x) role at GitLab",
            "Security Manager, Application Security",
        ),
        (
            "Manager, Governance and Field Security at GitLab",
            "Manager, Governance and Field Security",
        ),
        (
            "Senior Director of Sales Systems  and leads a team of business system architects",
            "Senior Director of Sales Systems",
        ),
        ("[Director of Marketing](/m) working closely with the CMO", "Director of Marketing"),
        ("Director, Sales Operations, who sets the plan", "Director, Sales Operations"),
        ("VP, Field Operations; the team is global", "VP, Field Operations"),
        (
            "a team member of the [Strategy Team](/s), an organization that rolls into the CEO",
            "a team member of the Strategy Team",
        ),
        ("CFO, which sets the budget", "CFO"),
        # What belongs to a title stays.
        ("Director of Sales and Operations", "Director of Sales and Operations"),
        ("Manager, Partner and Channel Marketing", "Manager, Partner and Channel Marketing"),
        ("Head of Talent at scale", "Head of Talent at scale"),
    ],
)
def test_the_managers_title_leaves_out_what_follows_it(raw, title):
    assert manager_title(raw)[0] == title


def test_the_managers_link_is_kept():
    assert manager_title("[Manager, Data](/job-families/finance/manager-data) at GitLab") == (
        "Manager, Data",
        "/job-families/finance/manager-data",
    )


def test_real_pages_give_the_title_without_role_at_gitlab_or_the_clause_after_it():
    security = real("handbook/engineering--application-security.md")
    assert security["Senior Application Security Engineer"] == (
        "Security Manager, Application Security"
    )
    field = real("handbook/engineering--field-security.md")
    assert field["Senior Field Security Engineer"] == "Manager, Governance and Field Security"
    systems = real("handbook/sales--senior-manager-sales-systems.md")
    assert systems["Director, Sales Systems"] == "Senior Director of Sales Systems"


# Sentences a person reads as reports-to.


def test_reports_into_and_its_typo_intot():
    said = reports_statement("The Insides Sales Representative reports intot the Manager, Sales.")
    assert (said.subject, said.manager) == ("Insides Sales Representative", "Manager, Sales")
    assert (
        reports_statement("The Analyst reports in to the Manager, Tax.").manager == "Manager, Tax"
    )


def test_reports_the_manager_without_to_is_read_only_for_the_level_itself():
    page = (
        "---\ntitle: Instructors\n---\n## Levels\n### Senior Technical Instructor\n"
        "The Senior Techincal Instructor reports the Senior Manager, Education Services.\n"
        "#### Responsibilities\n- Teach\n"
        "### Technical Instructor\nThe team reports the Quarterly Figures.\n"
        "#### Responsibilities\n- Teach\n"
    )
    found = managers(page)
    assert found["Senior Technical Instructor"] == "Senior Manager, Education Services"
    assert found["Technical Instructor"] == ""


def test_a_reports_to_bullet_in_a_levels_list_names_its_manager_and_stays_an_item():
    family = parse_handbook(
        "---\ntitle: Analysts\n---\n## Levels\n### Web Analyst\n#### Responsibilities\n"
        "- Grow traffic\n- Reports to [Director of Marketing](/m) working closely with the CMO\n"
        "### Data Analyst\n#### Responsibilities\n- Pushes reports to the wiki\n"
    )
    web, data = family.levels
    assert web.reports_to == "Director of Marketing"
    assert web.reports_to_link == "/m"
    assert len(web.sections["responsibilities"]) == 2
    assert data.reports_to == ""
    assert reports_bullet("Reports directly to the VP, Sales.") == ("VP, Sales", "")
    assert reports_bullet("Create reports to share with the team") is None


def test_the_real_web_analyst_bullet():
    assert real("handbook/finance--data-analyst.md")["Web Analyst"] == (
        "Director of Marketing Strategy and Performance"
    )


# A manager named once, in the page's opening, for the levels it is about.


def test_the_opening_names_the_manager_of_every_level_of_its_role():
    found = real("handbook/sales--professional-services-architect.md")
    assert set(found.values()) == {"Regional Manager"}
    assert len(found) == 3


def test_this_job_family_reports_to_reaches_its_roles_levels_but_not_the_manager_itself():
    found = real("handbook/sales--professional-services-education-services.md")
    manager = "Senior Manager of Education Curriculum Development"
    assert found["Lab Curriculum Developer (Intermediate)"] == manager
    assert found["Senior Lab Curriculum Developer"] == manager
    assert found[manager] == "Senior Director, Global Education"
    # Another role on the page keeps its own sentences.
    assert found["Senior Technical Instructor"] == "Senior Manager, Professional Education Services"


def test_the_base_roles_manager_reaches_its_variant():
    found = real("handbook/sales--area-vice-president-of-sales.md")
    assert found["Area Vice President (Public Sector)"] == "VP, Enterprise Sales"


def test_an_opening_about_one_manager_title_does_not_reach_other_ranks():
    page = (
        "---\ntitle: Data\n---\nThe Manager, Data reports to the Director, Data.\n\n"
        "## Levels\n### Manager, Data\n#### Responsibilities\n- Lead\n"
        "### Senior Manager, Data\n#### Responsibilities\n- Lead more\n"
        "### Director, Data\n#### Responsibilities\n- Set direction\n"
        "### Data Analyst\n#### Responsibilities\n- Analyse\n"
    )
    found = managers(page)
    assert found["Manager, Data"] == "Director, Data"
    assert found["Senior Manager, Data"] == ""
    assert found["Director, Data"] == ""
    assert found["Data Analyst"] == ""


def test_an_opening_about_a_senior_individual_contributor_does_not_reach_the_others():
    page = (
        "---\ntitle: Analysts\n---\nThe Senior Analyst reports to the Manager, Analytics.\n\n"
        "## Levels\n### Analyst\n#### Responsibilities\n- Analyse\n"
        "### Senior Analyst\n#### Responsibilities\n- Analyse more\n"
    )
    assert managers(page) == {"Analyst": "", "Senior Analyst": "Manager, Analytics"}


def test_a_levels_own_sentence_wins_over_the_opening():
    page = (
        "---\ntitle: Engineers\n---\nThis job family reports to the Manager, Engineering.\n\n"
        "## Levels\n### Engineer\n#### Responsibilities\n- Build\n"
        "### Staff Engineer\nThe Staff Engineer reports to the Director, Engineering.\n"
        "#### Responsibilities\n- Build more\n"
        "### Manager, Engineering\n#### Responsibilities\n- Lead\n"
    )
    assert managers(page) == {
        "Engineer": "Manager, Engineering",
        "Staff Engineer": "Director, Engineering",
        "Manager, Engineering": "",
    }


def test_this_position_in_the_opening_is_not_every_level():
    # An export writes each specialty's prose into the opening: "This position reports to the
    # Gitaly Lead" is one specialty's sentence, not the family's.
    page = (
        "---\ntitle: Engineers\n---\n**Gitaly**\n\nThis position reports to the Gitaly Lead.\n\n"
        "## Levels\n### Engineer\n#### Responsibilities\n- Build\n"
    )
    assert managers(page) == {"Engineer": ""}
