"""The whole real corpus in one run, and facts of pages across departments, checked by hand
against the markdown (line numbers in the comments)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ladder.handbook.sources import collect_sources
from ladder.models import JobFamily, Level
from ladder.services import family_import
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = family_import(
            sources=collect_sources([CORPUS / "handbook", CORPUS / "handbook-current"])
        )
        yield summary
        JobFamily.objects.all().delete()
        from ladder.models import Grade, ImportRun

        Grade.objects.all().delete()
        ImportRun.objects.all().delete()


def family_of(name: str) -> JobFamily:
    return JobFamily.objects.get(source_name__endswith=name)


def level(family: JobFamily, slug: str) -> Level:
    return Level.objects.get(family=family, slug=slug)


def grade(lv: Level) -> Decimal | None:
    return lv.grade.number if lv.grade_id else None


def extends(lv: Level) -> set[str]:
    return {i.extends_level.slug for i in lv.items.all() if i.extends_level_id}


def test_every_page_imports_and_warnings_are_counted_by_kind(corpus):
    assert JobFamily.objects.count() >= 140
    assert corpus.warning_kinds["tolerant-title"] > 0
    assert set(corpus.warning_kinds) <= {
        "duplicate-level",
        "empty-level",
        "erb",
        "external-title",
        "front-matter",
        "grade",
        "mermaid",
        "no-levels",
        "self-extends",
        "shortcode",
        "tolerant-title",
        "unknown-extends",
        "unknown-title",
        "html",
        "fence",
    }
    # Real oddities named by the page they are in.
    assert any(
        "finance--program-management-BT.md:1: front matter has no opening" in w
        for w in corpus.warnings
    )
    assert any("extends itself" in w for w in corpus.warnings)


def test_payroll(corpus):
    fam = family_of("handbook/finance--payroll.md")
    assert grade(level(fam, "payroll-specialist")) == 5  # line 43
    analyst = level(fam, "payroll-analyst-us")
    assert grade(analyst) == 6 and extends(analyst) == {"payroll-specialist"}  # 66, 70
    manager = level(fam, "manager-payroll")
    assert grade(manager) == 8  # line 156: "is a grade 8." without a link
    assert extends(manager) == {"senior-payroll-analyst"}  # line 160


def test_learning_and_development(corpus):
    fam = family_of("people-ops--learning-development.md")
    assert grade(level(fam, "associate-learning-development-program-manager")) == 5
    senior = level(fam, "senior-learning-development-program-manager")
    assert grade(senior) == 7  # line 73, a sentence naming another title under its heading
    assert extends(senior) == {"intermediate-learning-development-program-manager"}
    director = level(fam, "director-learning-development")
    assert grade(director) == 10 and extends(director) == {"senior-manager-learning-development"}


def test_tax(corpus):
    fam = family_of("finance--tax.md")
    staff = level(fam, "staff-tax-analyst")
    assert grade(staff) == 8 and extends(staff) == {"senior-tax-analyst"}  # 78, 82
    manager = level(fam, "manager-tax")
    assert grade(manager) == 8 and extends(manager) == {"staff-tax-analyst"}  # 101, 107
    assert level(fam, "junior-tax-analyst").reports_to == manager  # line 20


def test_sales_strategy_copied_grade_sentence_goes_to_its_heading(corpus):
    fam = family_of("sales--sales-strategy.md")
    senior = level(fam, "sales-strategy-senior-manager")
    assert grade(senior) == 9 and extends(senior) == {"sales-strategy-manager"}  # 90, 94
    assert grade(level(fam, "director-sales-strategy")) == 10  # line 107 names the senior mgr
    assert grade(level(fam, "vice-president-sales-strategy-analytics")) == 12


def test_backend_engineering_role_sentences_extend(corpus):
    fam = family_of("engineering--development--backend.md")
    senior = level(fam, "senior-backend-engineer")
    assert grade(senior) == 7 and extends(senior) == {"backend-engineer"}  # 129, 133
    staff = level(fam, "staff-backend-engineer")
    assert grade(staff) == 8 and extends(staff) == {"senior-backend-engineer"}  # 157, 161
    assert grade(level(fam, "backend-engineering-manager")) == 8  # "role is a grade 8"


def test_program_management_page_without_opening_front_matter_line(corpus):
    fam = family_of("finance--program-management-BT.md")
    assert fam.title == "Program Management, Business Technology"
    grades = [grade(lv) for lv in fam.levels.order_by("position")]
    assert grades == [6, 7, 8, 10, 11]
    assert extends(level(fam, "director-business-technology-program-management")) == {
        "staff-business-technology-program-manager"  # line 104, "Extends: …"
    }


def test_family_split_across_pages_imports_as_one(corpus):
    fam = family_of("technology-partner-manager/_index.md")
    levels = list(fam.levels.order_by("position"))
    assert [(lv.title, grade(lv)) for lv in levels] == [
        ("Associate Technology Partner Manager", 5),
        ("Technology Partner Manager (Intermediate)", 6),
        ("Senior Technology Partner Manager", 7),
    ]
    assert extends(levels[2]) == {"technology-partner-manager-intermediate"}
    assert fam.hiring_process  # from _index.md
    assert levels[0].reports_to_title == "Manager, Technology Partner Managers"


def test_analytics_and_insights_copied_sentence(corpus):
    fam = family_of("finance--analytics-and-insights.md")
    assert grade(level(fam, "analytics-and-insights-analyst")) == 6  # line 42
    assert grade(level(fam, "analytics-and-insights-senior-analyst")) == 7  # line 66


def test_it_systems_engineer_senior_job_grade_heading(corpus):
    fam = family_of("finance--it-systems-engineer.md")
    assert grade(level(fam, "it-systems-engineer-intermediate")) == 6
    assert grade(level(fam, "senior-it-systems-engineer")) == 7  # "#### Senior Job Grade"


def test_grades_from_markdown_tables(corpus):
    fam = family_of("alliances--alliances-job-family-matrix.md")
    assert grade(level(fam, "junior-alliances-business-development-manager")) == 8  # line 10
    assert grade(level(fam, "junior-alliances-partner-manager")) == 5  # line 22
    assert grade(level(fam, "vp-alliances")) == 12


def test_esg_restated_headings_merge(corpus):
    fam = family_of("legal-and-corporate-affairs--environmental-social-governance.md")
    assert fam.levels.count() == 2
    manager = level(fam, "esg-manager")
    assert grade(manager) == 7
    assert manager.reports_to == level(fam, "senior-director-esg")


def test_single_role_page(corpus):
    fam = family_of("handbook/chief-executive-officer.md")
    (ceo,) = fam.levels.all()
    assert ceo.title == "Chief Executive Officer"
    assert len(ceo.effective["responsibilities"]) > 5


def test_page_with_only_a_template_tag_has_no_levels(corpus):
    fam = family_of("handbook/product.md")
    assert fam.title == "Product"
    assert fam.levels.count() == 0


def test_renewals_roles_declared_by_their_grade_headings(corpus):
    fam = family_of("sales--renewal-operations-analyst.md")
    assert grade(level(fam, "senior-renewals-operations-analyst")) == 7
    assert grade(level(fam, "manager-renewal-operations")) == 8  # line 67
    senior_manager = level(fam, "senior-manager-renewal-operations")
    assert grade(senior_manager) == 9 and extends(senior_manager) == {"manager-renewal-operations"}


def test_deal_desk_current_page(corpus):
    fam = family_of("handbook-current/sales/deal-desk.md")
    analyst = level(fam, "deal-desk-analyst")
    assert grade(analyst) == 6 and extends(analyst) == {"deal-desk-specialist"}
    # Line 243 is a "Senior Manager" grade heading copied under the Senior Director.
    assert grade(level(fam, "senior-director-deal-desk")) == 11
    assert grade(level(fam, "senior-manager-deal-desk")) == 9


def test_latest_sales_operations_version_wins(corpus):
    fam = JobFamily.objects.get(slug="sales-operations")
    assert fam.source_name.endswith("handbook-current/sales/sales-operations/_index.md")
    assert fam.versions.count() == 2
    assert grade(level(fam, "senior-sales-operations-analyst")) == 7
