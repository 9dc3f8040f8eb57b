"""Issue 14b: a real page nobody had keyed (marketing--product-marketing-manager.md) and the
engineering pages with the same shape, each rule with the real lines that showed it.

The pages are cut down to what the rule needs; the lines are as the handbook writes them.
"""

from __future__ import annotations

from decimal import Decimal

from ladder.handbook import parse_handbook
from ladder.inheritance import resolve_import
from tests.handbook.test_real_lines import GRADES, resolved

PMM_OPENING = (
    "---\ntitle: Product Marketing Manager\n---\n"
    "Product Marketing Managers at GitLab have a unique opportunity to contribute to our "
    "mission.\n\n"
    f"### Job Grade \n\nThe Product Marketing Manager is a [grade 7]({GRADES}).\n\n"
    "### Responsibilities\n\n#### Who, Where and Why\n\n"
    "* Research and define our enterprise buyer and user personas.\n"
    "* Identify and define the key value drivers which differentiate GitLab in the market.\n\n"
    "#### Proof\n\n* Document and demonstrate GitLab value in analyst market research reports.\n\n"
    "### Requirements\n\n* 3-4 years of experience in product marketing.\n"
    "* Ability to use GitLab.\n\n"
)
PMM_LEVELS = (
    "## Senior Product Marketing Manager\n\n"
    "Senior product marketing managers are leaders and bring deep experience in a specific "
    "domain.\n\n"
    f"### Job Grade \n\nThe Senior Product Marketing Manager is a [grade 8]({GRADES}).\n\n"
    "### Senior Product Marketing Managers also\n\n"
    "* Develop and implement GTM strategies and campaigns.\n"
    "* Research and support pricing and packaging decisions.\n"
    "* Define and lead market research projects into specific market segments.\n\n"
    "### Senior PMM Requirements\n\n"
    "* At least 6 years enterprise software marketing experience.\n\n"
    "## Principal Product Marketing Manager \n\n"
    f"### Job Grade \n\nThe Principal Product Marketing Manager is a [grade 9]({GRADES}).\n\n"
    "**Market Justification:** The principal level of this role exists at GitLab to ensure thought "
    "leadership in the market to inform future strategy. This is a very niche role, with a "
    "specialised skill set reporting to the Director, Product Marketing.\n\n"
    "### Responsibilies \n\n* Extends that of  the Senior Product Marketing Manager \n"
    "* Fosters collaborative decision making and problem solving across the departments \n"
)
PMM_SPECIALIZATIONS = (
    "## Specializations\n\n### Security \n\n"
    "As a Product Marketing Manager, Security you will work closely with our marketing team.\n\n"
    "#### Requirements\n\n* Security certifications such as CISSP a plus.\n\n"
    "### Developer (create)\n\n"
    "As a Sr.  Product Marketing Manager, Developer (Create), you will work closely with sales.\n\n"
    "#### Requirements\n\n* Experience with git, perforce, bitbucket, Gerrit, code reviews.\n\n"
    "### Competitive Intelligence \n\n"
    "As a Competitive Intelligence Product Marketer, you will work closely with a wide range of "
    "cross-functional teams.\n\n"
    "#### Requirements\n\n* Prior experience in Product Development is a plus.\n\n"
    "#### Responsibilities\n\n* Develop, organize, and maintain a competitive information "
    "repository.\n\n"
    "#### Senior Responsibilities\n\n* Drive deep competitor analysis.\n\n"
    "### Analyst Relations \n\n"
    "As a Analyst Relations Product Marketer, you will design, execute, and manage GitLab's "
    "overall industry analyst strategy.\n\n"
    "#### Requirements\n* Strong analytical skills.\n\n"
    "#### Senior Responsibilities\n"
    "* Extends that of the Analyst Relations Manager responsibilities\n"
    "* Be a leader in working cross-functionally.\n\n"
    "#### Staff Responsibilities\n"
    "* Extends that of the Senior Analyst Relations Manager responsibilities\n\n"
    "## Career Ladder \n\nThe next step is to be a Manager, Product Marketing.\n"
)


def test_an_opening_grade_sentence_naming_a_role_no_level_takes_is_a_base_level():
    levels = resolved(PMM_OPENING + PMM_LEVELS)
    assert list(levels) == [
        "Product Marketing Manager",
        "Senior Product Marketing Manager",
        "Principal Product Marketing Manager",
    ]
    assert [lv.grade for lv in levels.values()] == [Decimal(7), Decimal(8), Decimal(9)]
    base = levels["Product Marketing Manager"]
    # The opening's lists are the base role's own: captions over their bullets, as written.
    captions = [i.text for i in base.sections["responsibilities"]]
    assert captions == ["**Who, Where and Why**", "**Proof**"]
    assert [len(i.children) for i in base.sections["responsibilities"]] == [2, 1]
    assert [i.text for i in base.sections["requirements"]] == [
        "3-4 years of experience in product marketing.",
        "Ability to use GitLab.",
    ]


def test_without_the_base_level_each_level_keeps_its_own_grade_and_lists():
    # The same page with no opening grade sentence: the opening lists stay the family's.
    page = PMM_OPENING.replace(
        f"### Job Grade \n\nThe Product Marketing Manager is a [grade 7]({GRADES}).\n\n", ""
    )
    levels = resolved(page + PMM_LEVELS)
    assert "Product Marketing Manager" not in levels
    assert [lv.grade for lv in levels.values()] == [Decimal(8), Decimal(9)]


def test_a_page_level_grade_every_level_takes_opens_no_base_level():
    # handbook--sales--smb-customer-advocate.yaml: when the levels state no grade of their own,
    # the page-level sentence is their grade, not another role's.
    family = parse_handbook(
        "---\ntitle: SMB Account Executive Roles\n---\n"
        f"## Job Grade\n\nThe SMB Account Executive is a [grade 6]({GRADES}).\n\n"
        "## Responsibilities\n\n- Own the sales cycle\n\n"
        "## SMB First Order Account Executive\n\n### Responsibilities\n\n- Land new logos\n\n"
        "## SMB Named Account Executive\n\n### Responsibilities\n\n- Grow named accounts\n"
    )
    assert [lv.title for lv in family.levels] == [
        "SMB First Order Account Executive",
        "SMB Named Account Executive",
    ]


def test_an_also_heading_under_a_level_is_its_responsibilities():
    levels = resolved(PMM_OPENING + PMM_LEVELS)
    senior = levels["Senior Product Marketing Manager"]
    assert len(senior.sections["responsibilities"]) == 3
    assert senior.sections["general"] == []


def test_a_reporting_to_sentence_beside_the_grade_names_the_manager():
    levels = resolved(PMM_OPENING + PMM_LEVELS)
    assert levels["Principal Product Marketing Manager"].reports_to_title == (
        "Director, Product Marketing"
    )


def test_reporting_to_at_the_start_of_a_sentence():
    # sales--director-of-field-enablement.md
    family = parse_handbook(
        "---\ntitle: Field Enablement\n---\n## Director, Field Enablement\n\n"
        "Reporting to the VP of Field Operations, they are responsible for building and managing a "
        "virtual, world-class global sales training and enablement program.\n\n"
        "### Responsibilities\n\n- Lead enablement\n\n"
        "## Senior Internal Auditor\n\n"
        "The senior internal auditor will also assist internal audit management with periodic "
        "reporting to the audit committee.\n\n### Responsibilities\n\n- Audit\n"
    )
    director, auditor = family.levels
    assert director.reports_to == "VP of Field Operations"
    # The sentence says more than whom the level reports to: it stays in the description.
    assert "they are responsible for building" in director.description
    # Reporting as work (to a committee) names no manager.
    assert auditor.reports_to in ("", None)


def test_specializations_children_are_focus_areas_not_levels():
    family = parse_handbook(PMM_OPENING + PMM_LEVELS + PMM_SPECIALIZATIONS)
    assert [lv.title for lv in family.levels] == [
        "Product Marketing Manager",
        "Senior Product Marketing Manager",
        "Principal Product Marketing Manager",
    ]
    # The focus areas stay readable, in the family's description.
    focus = ("Security", "Developer (create)", "Competitive Intelligence", "Analyst Relations")
    for title in focus:
        assert f"**{title}**" in family.description
    assert resolve_import([family]).errors == []


def test_a_specialty_named_by_the_levels_role_is_still_a_level():
    # finance--data-analyst.md: "#### Web Analyst" under a specialty of a page whose levels are
    # analysts is a role of its own (it shares their role noun).
    family = parse_handbook(
        "---\ntitle: Data Analyst\n---\n## Data Analyst\n\n### Responsibilities\n\n- Analyse\n\n"
        "## Senior Data Analyst\n\n### Responsibilities\n\n- Analyse more\n\n"
        "## Specialties\n\n### Web Analyst\n\n"
        "As a Web Analyst you will own our web metrics.\n\n"
        "#### Requirements\n\n- Google Analytics\n"
    )
    assert "Web Analyst" in [lv.title for lv in family.levels]


def test_a_note_set_off_by_a_rule_or_a_callout_is_not_an_item():
    # engineering--threat-intelligence-engineer.md l.44-55 and
    # engineering--vulnerability-research-engineer.md l.83-96.
    family = parse_handbook(
        "---\ntitle: Threat Intelligence Engineer\n---\n## Levels\n\n"
        "### Senior Threat Intelligence Engineer\n\n#### Responsibilities\n"
        "* Leverages security expertise in at least one specialty area\n"
        "* Screen security candidates during hiring process\n\n***\n\n"
        "A Senior Security Engineer may want to pursue the security engineering management track "
        "at this point.\n\n***\n\n"
        "### Senior Vulnerability Research Engineer\n\n#### Responsibilities\n"
        "* Experiment with technology.\n\n\n"
        "A Senior Vulnerability Research Engineer may want to pursue the vulnerability research "
        "management track at this point.\n{: .alert .alert-info}\n"
    )
    tie, vre = family.levels
    assert [i.text for i in tie.sections["responsibilities"]] == [
        "Leverages security expertise in at least one specialty area",
        "Screen security candidates during hiring process",
    ]
    assert "management track" in tie.description
    assert [i.text for i in vre.sections["responsibilities"]] == ["Experiment with technology."]
    assert "management track" in vre.description
    assert "{:" not in vre.description


def test_a_paragraph_after_a_list_without_a_rule_is_still_an_item():
    # Prose in a section is content unless the page sets it off.
    family = parse_handbook(
        "---\ntitle: Analyst\n---\n## Analyst\n\n### Responsibilities\n\n- Analyse\n\n"
        "Present findings to the leadership team.\n"
    )
    assert [i.text for i in family.levels[0].sections["responsibilities"]] == [
        "Analyse",
        "Present findings to the leadership team.",
    ]
