"""Issue 14's findings, each with the real handbook lines that showed it.

The pages around the lines are cut down to what the rule needs; the lines themselves are as the
handbook writes them, links included.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ladder.handbook import parse_handbook
from ladder.inheritance import resolve_import
from ladder.models import Level
from tests.dbstate import fingerprint

GRADES = "https://about.gitlab.com/handbook/total-rewards/compensation/compensation-calculator/"


def resolved(page: str):
    result = resolve_import([parse_handbook(page)])
    assert result.errors == []
    return {lv.title: lv for lv in result.levels()}


def test_a_job_grade_heading_beside_each_level_with_a_generic_grade_sentence():
    # "### Job Grade" at the same depth as the level heading, and the grade sentence naming the
    # role without its seniority: each grade goes to the level the heading sits beside.
    levels = resolved(
        "---\ntitle: Security Engineer\n---\n"
        "## Levels of Security Engineering roles\n\n"
        "### Intermediate Security Engineer\n\n"
        "### Job Grade\n\nThe Security Engineer is a grade 6.\n\n"
        "#### Responsibilities\n\n- Secure things\n\n"
        "### Senior Security Engineer\n\n"
        "### Job Grade\n\nThe Senior Security Engineer is a grade 7.\n\n"
        "#### Responsibilities\n\n- Secure bigger things\n"
    )
    assert levels["Intermediate Security Engineer"].grade == Decimal(6)
    assert levels["Senior Security Engineer"].grade == Decimal(7)
    assert "Levels of Security Engineering roles" not in levels


@pytest.mark.parametrize(
    ("sentence", "grade"),
    [
        (f"The Solutions Architect is a job grade [level 5]({GRADES}).", 5),
        (f"The Solutions Architect is a job grade [12]({GRADES}).", 12),
    ],
)
def test_job_grade_wording_with_the_number_inside_the_link(sentence: str, grade: int):
    levels = resolved(
        "---\ntitle: Solutions Architect\n---\n## Solutions Architect\n\n"
        f"### Job Grade\n\n{sentence}\n\n### Responsibilities\n\n- Architect solutions\n"
    )
    assert levels["Solutions Architect"].grade == Decimal(grade)
    assert not levels["Solutions Architect"].grade_inferred


def test_a_generic_grade_sentence_belongs_to_the_heading_it_sits_under():
    levels = resolved(
        "---\ntitle: Customer Success Management\n---\n"
        "## Director of Customer Success Management\n\n"
        "### Job Grade\n\nThe Director of CSM is a [grade 10]"
        f"({GRADES}).\n\n### Responsibilities\n\n- Lead CSMs\n\n"
        "## Senior Director of Customer Success Management\n\n"
        f"### Job Grade\n\nThe Director of CSM is a [grade level 11]({GRADES}).\n\n"
        "### Responsibilities\n\n- Lead directors\n"
    )
    assert levels["Director of Customer Success Management"].grade == Decimal(10)
    assert levels["Senior Director of Customer Success Management"].grade == Decimal(11)


def test_the_intermediate_level_named_without_its_seniority():
    levels = resolved(
        "---\ntitle: Business Systems Administrator\n---\n"
        "## Intermediate Business Systems Administrator\n\n### Job Grade\n\n"
        f"The Business Systems Administrator is a [grade 6]({GRADES}).\n\n"
        "### Responsibilities\n\n- Administer systems\n\n"
        "## Senior Business Systems Administrator\n\n### Job Grade\n\n"
        f"The Senior Business Systems Administrator is a [grade 7]({GRADES}).\n\n"
        "### Responsibilities\n\n- Administer more systems\n"
    )
    assert levels["Intermediate Business Systems Administrator"].grade == Decimal(6)
    assert levels["Senior Business Systems Administrator"].grade == Decimal(7)


def test_headings_that_are_not_levels():
    levels = resolved(
        "---\ntitle: Solutions Architect\n---\n"
        "## Go To Market (GTM)\n\n"
        "## Associate Solutions Architect\n\n"
        "### Associate Solutions Architect Responsibilities & Requirements\n\n"
        "- Learn the product\n- Bachelor's degree\n\n"
        "#### Nice to have\n\n- Cloud certifications\n\n"
        "## Vice President of Solution Architecture (SA)\n\n"
        "### Responsibilities\n\n- Lead the architects\n\n"
        "### Vice President of SA Requirements\n\n- 15 years of experience\n\n"
        "## Specialties\n\n### Strategic\n\nLarge accounts.\n\n### Growth\n\nGrowing accounts.\n\n"
        "### Scale\n\nMany accounts.\n"
    )
    assert list(levels) == [
        "Associate Solutions Architect",
        "Vice President of Solution Architecture (SA)",
    ]
    vp = levels["Vice President of Solution Architecture (SA)"]
    assert [i.text for i in vp.sections["requirements"]] == ["15 years of experience"]


def test_an_overview_repeating_the_intermediate_level_is_not_a_second_level():
    levels = resolved(
        "---\ntitle: Data Analyst\n---\n"
        "## Data Analyst\n\nData Analysts turn data into decisions.\n\n"
        "## Levels\n\n### Data Analyst (Intermediate)\n\n"
        f"The Data Analyst is a [grade 6]({GRADES}).\n\n"
        "#### Responsibilities\n\n- Analyse data\n\n"
        "### Senior Data Analyst\n\n"
        f"The Senior Data Analyst is a [grade 7]({GRADES}).\n\n"
        "#### Responsibilities\n\n- Extends that of the Data Analyst (Intermediate)\n- Mentor\n"
    )
    assert list(levels) == ["Data Analyst (Intermediate)", "Senior Data Analyst"]


def test_a_specialty_takes_the_stated_grade_of_the_same_role_without_it_before_its_parent():
    # "Senior Director, Sales Operations (Channel)" extends the Director (Channel) (grade 10 by
    # inference) and has no grade sentence; the page says the Senior Director is grade 11.
    levels = resolved(
        "---\ntitle: Sales Operations\n---\n"
        "## Director, Sales Operations\n\n"
        f"The Director, Sales Operations is a [grade 10]({GRADES}).\n\n"
        "### Responsibilities\n\n- Run sales operations\n\n"
        "## Senior Director, Sales Operations\n\n"
        f"The Senior Director, Sales Operations is a [grade 11]({GRADES}).\n\n"
        "### Responsibilities\n\n- Extends that of the Director, Sales Operations\n- Own more\n\n"
        "## Director, Sales Operations (Channel)\n\n"
        "### Responsibilities\n\n- Extends that of the Director, Sales Operations\n- Channel\n\n"
        "## Senior Director, Sales Operations (Channel)\n\n"
        "### Responsibilities\n\n- Extends that of the Director, Sales Operations (Channel)\n"
        "- Channel, more\n"
    )
    senior = levels["Senior Director, Sales Operations (Channel)"]
    assert (senior.grade, senior.grade_inferred) == (Decimal(11), True)
    assert "Senior Director, Sales Operations" in senior.grade_reason
    assert "without a specialty" in senior.grade_reason


def test_a_family_wide_grade_list_and_specialty_words():
    # engineering--security-analyst.md
    levels = resolved(
        "---\ntitle: Security Analyst\n---\n## Job Grade\n"
        f"The roles described below are grades: [6, 7, 8]({GRADES}#gitlab-job-grades)\n\n"
        "## Levels\n\n### Analyst\n\n#### Security Analyst Responsibilities\n\n- Triage\n\n"
        "### Senior Analyst\n\n#### Senior Security Analyst Responsibilities\n\n- Lead triage\n\n"
        "### Staff Analyst\n\n#### Staff Security Analyst Responsibilities\n\n- Set direction\n\n"
        "## Specialties\n\n### Anti-Abuse\n\n"
        "#### Senior Anti-Abuse Security Analyst Responsibilities\n\n- Fight abuse\n"
    )
    grades = {title: (lv.grade, lv.grade_inferred) for title, lv in levels.items()}
    assert grades == {
        "Security Analyst": (Decimal(6), False),
        "Senior Security Analyst": (Decimal(7), False),
        "Staff Security Analyst": (Decimal(8), False),
        "Senior Anti-Abuse Security Analyst": (Decimal(7), True),
    }


def test_a_grade_table_row_names_its_level_by_the_link_to_the_level_page():
    # sales--professional-services-architect.md
    levels = resolved(
        "---\ntitle: Professional Services Technical Architect\n---\n#### **Levels**\n\n"
        "| Professional Services Technical Architect |\n| - |\n"
        f"| [Intermediate](technical-architect) | [Grade 6]({GRADES}) |\n"
        f"| [Senior](senior-technical-architect) | [Grade 7]({GRADES}) |\n\n"
        "### **Technical Architect**\n\n#### **Responsibilities**\n\n- Architect\n\n"
        "### **Senior Technical Architect**\n\n#### **Responsibilities**\n\n- Architect more\n"
    )
    assert levels["Technical Architect"].grade == Decimal(6)
    assert levels["Senior Technical Architect"].grade == Decimal(7)


def test_variants_extending_the_page_role_make_the_page_role_a_level():
    # sales--area-vice-president-of-sales.md: only the Public Sector variant has a heading.
    levels = resolved(
        '---\ntitle: "Area Vice President"\n---\n\n'
        "The Area Vice President reports into the [VP, Enterprise Sales](/job-families/x/).\n\n"
        "## Responsibilities\n\n* Provide detailed and accurate sales forecasting\n\n"
        "## Requirements\n\n* Bachelor degree\n\n## Segment\n\n"
        "### Area Vice President (Public Sector)\n\n"
        "#### Area Vice President (Public Sector) Responsibilities\n\n"
        "* Extends that of the AVP Responsibilities\n* Focus within the Public Sector\n"
    )
    assert list(levels) == ["Area Vice President", "Area Vice President (Public Sector)"]
    base = levels["Area Vice President"]
    assert [i.text for i in base.sections["requirements"]] == ["Bachelor degree"]
    assert base.reports_to_title == "VP, Enterprise Sales"
    variant = levels["Area Vice President (Public Sector)"]
    assert variant.sections["responsibilities"][0].extends[0][0] == base.key


@pytest.mark.django_db
def test_strict_refuses_a_self_extending_page_whether_imported_before_or_not(tmp_path: Path):
    page = tmp_path / "widget.md"
    page.write_text(
        '---\ntitle: "Widget Analyst"\n---\n## Widget Analyst\n\n'
        "### Widget Analyst Job Grade\n\nThe Widget Analyst is a grade 6.\n\n"
        "### Widget Analyst Responsibilities\n\n- Extends that of the Widget Analyst\n"
        "- Count widgets\n"
    )

    def strict_fails() -> str:
        before = fingerprint("ladder")
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_handbook", "--strict", str(page), stdout=StringIO(), stderr=err)
        assert fingerprint("ladder") == before
        return err.getvalue()

    assert "extends itself" in strict_fails()  # never imported
    out = StringIO()
    call_command("import_handbook", str(page), stdout=out, stderr=StringIO())
    assert Level.objects.filter(title="Widget Analyst").exists()
    assert "extends itself" in strict_fails()  # imported before, unchanged
    # Without --strict an unchanged page still reports its warnings.
    out, err = StringIO(), StringIO()
    call_command("import_handbook", str(page), stdout=out, stderr=err)
    assert "Nothing changed" in out.getvalue()
    assert "1 warnings (self-extends 1)" in out.getvalue()
    assert "extends itself" in out.getvalue() + err.getvalue()


def test_lists_above_an_overview_and_the_same_responsibilities_as_another_level():
    # sales--professional-services-education-services.md, cut down.
    levels = resolved(
        '---\ntitle: "Global Education Services"\n---\n'
        "### Lab Curriculum Developer, Education Services\n"
        "The Lab Curriciulum Developer is responsible for lab systems.\n\n"
        "#### Responsibilities\n* Build virtual machines\n* Develop tooling\n\n"
        "#### Requirements\n* Hands-on experience supporting Linux and Mac\n\n#### Levels\n\n"
        "### Lab Curriculum Developer (Intermediate)\n\n#### Job Grade\n"
        f"The Lab Curriculum Developer is a [grade 6]({GRADES}).\n\n"
        "#### Responsibilities\n"
        "The Lab Curriculum Developer shares the same responsibilities outlined above.\n\n"
        "#### Requirements\nThe Lab Curriculum Developer position has all the same requirements "
        "as the ones outlined above plus the following:\n\n* 5+ years of experience in IT\n\n"
        "### Senior Lab Curriculum Developer\n\n#### Senior Lab Curriculum Developer Job Grade\n"
        f"The Senior Lab Curriculum Developer is a [grade 7]({GRADES}).\n\n"
        "#### Senior Lab Curriculum Developer Responsibilities\nThe Senior Lab Curriculum "
        "Developer has all the same responsibilities as the intermediate position plus the "
        "following:\n\n* Provide senior level technical guidance\n"
    )
    assert list(levels) == [
        "Lab Curriculum Developer (Intermediate)",
        "Senior Lab Curriculum Developer",
    ]
    mid = levels["Lab Curriculum Developer (Intermediate)"]
    assert [i.text for i in mid.sections["responsibilities"]] == [
        "Build virtual machines",
        "Develop tooling",
    ]
    assert [i.text for i in mid.sections["requirements"]][-2:] == [
        "Hands-on experience supporting Linux and Mac",
        "5+ years of experience in IT",
    ]
    senior = levels["Senior Lab Curriculum Developer"]
    assert senior.sections["responsibilities"][0].extends[0][0] == mid.key


def test_the_responsibilities_section_above_and_an_expectations_heading_with_captions():
    # finance--data-analyst.md and product--product-analyst.md, cut down.
    levels = resolved(
        '---\ntitle: "Data Analytics"\n---\n'
        "## Responsibilities\n* Collaborate with other functions\n* Build reports\n\n"
        "## Levels\n\n### Junior Data Analyst\n\n#### Junior Data Analyst Responsibilities\n\n"
        "The responsibilities of the Junior Data Analyst are listed in the Responsibilities "
        "section above.\n\n"
        "### Product Analyst (Intermediate)\n\n##### Expectations\n\n"
        "**Collaborate with product teams**\n\n"
        "- Perform strategic and ad-hoc analysis for product \n"
        "managers, engineers, UX, design\n- Serve as the Technical DRI\n\n"
        "**Demonstrate GitLab values on a daily basis**\n\n- Operate in an iterative mindset\n\n"
        "##### Requirements\n\nProduct Analysts are expected to meet the [base requirements]"
        "(#base-pa-requirements) outlined \nabove.\n"
    )
    junior = levels["Junior Data Analyst"]
    assert [i.text for i in junior.sections["responsibilities"]] == [
        "Collaborate with other functions",
        "Build reports",
    ]
    product = levels["Product Analyst (Intermediate)"]
    assert [i.text for i in product.sections["responsibilities"]] == [
        "**Collaborate with product teams**",
        "Perform strategic and ad-hoc analysis for product managers, engineers, UX, design",
        "Serve as the Technical DRI",
        "**Demonstrate GitLab values on a daily basis**",
        "Operate in an iterative mindset",
    ]
    # A pointer to another part of the page is about the list, not in it.
    assert product.sections["requirements"] == []
    assert "base requirements" in product.parsed.description


def test_a_copied_heading_and_a_longer_name_for_the_level_above():
    levels = resolved(
        "---\ntitle: Area Sales Manager\n---\n## Levels\n\n"
        "### Area Sales Manager (Intermediate)\n\n#### Area Sales Manager (Intermediate) "
        "Responsibilities\n\n* Lead\n\n#### Area Sales Manager (Intermediate) Requirements\n\n"
        "* Experience\n\n## Specialties\n\n### Federal\n\n"
        "#### Area Sales Manager (Federal/Public Sector) Requirements\n\n"
        "* Extends that of the Area Sales Manager (Intermediate) Responsibilities\n"
        "* Focus on the Federal segment\n\n"
        "#### Area Sales Manager (Federal/Public Sector) Requirements\n\n"
        "* Extends that of the Area Sales Manager (Intermediate) Requirements\n* Clearance\n\n"
        "## Tax Levels\n\n### Director, Tax\n\nThe Director, Tax reports to the VP, Tax.\n\n"
        "#### Director, Global Tax Accounting and Domestic Tax Responsibilities\n\n* Own tax\n"
    )
    federal = levels["Area Sales Manager (Federal/Public Sector)"]
    assert [i.text for i in federal.sections["responsibilities"]][1:] == [
        "Focus on the Federal segment"
    ]
    assert [i.text for i in federal.sections["requirements"]][1:] == ["Clearance"]
    assert "Director, Global Tax Accounting and Domestic Tax" not in levels
    assert [i.text for i in levels["Director, Tax"].sections["responsibilities"]] == ["Own tax"]


def test_a_thematic_break_is_markup_not_an_item():
    # engineering--development--backend.md: "***" between two paragraphs of a section.
    levels = resolved(
        "---\ntitle: Backend Engineer\n---\n## Senior Backend Engineer\n\n### Responsibilities\n\n"
        "- Solve technical problems of high scope and complexity.\n\n***\n\n* * *\n\n"
        "- Exert influence on the overall objectives of your team.\n"
    )
    items = [i.text for i in levels["Senior Backend Engineer"].sections["responsibilities"]]
    assert items == [
        "Solve technical problems of high scope and complexity.",
        "Exert influence on the overall objectives of your team.",
    ]
