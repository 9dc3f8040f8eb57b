"""The pure parser and resolver on the seed page and on small hand-written pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ladder.handbook import HandbookError, normalize_title, parse_extends, parse_handbook, slugify
from ladder.inheritance import (
    CycleError,
    Node,
    NodeItem,
    effective_items,
    find_cycle,
    resolve_import,
)
from tests.conftest import ROOT

SEED = (ROOT / "fixtures" / "handbook" / "sales-operations.md").read_bytes()

# slug: (grade, inferred, group, effective (responsibilities, requirements, general))
SEED_LEVELS = {
    "associate-sales-operations-analyst": (5, False, "Sales Operations Analyst Levels", (8, 10, 0)),
    "sales-operations-analyst": (6, False, "Sales Operations Analyst Levels", (13, 6, 0)),
    # No grade sentence: the grade of the same role without its specialty qualifier (issue 14).
    "sales-operations-analyst-sales-tech-stack": (
        6,
        True,
        "Sales Operations Analyst Levels",
        (9, 11, 0),
    ),
    "sr-sales-operations-analyst": (7, False, "Sales Operations Analyst Levels", (17, 3, 0)),
    "sr-sales-operations-manager": (7, False, "Sales Operations Analyst Levels", (11, 11, 0)),
    "manager-sales-operations": (8, False, "Manager, Sales Operations Levels", (14, 12, 0)),
    "senior-manager-sales-operations": (9, False, "Manager, Sales Operations Levels", (14, 15, 0)),
    "director-sales-operations": (10, False, "Director, Sales Operations Levels", (8, 11, 0)),
    "senior-director-sales-operations": (
        11,
        False,
        "Director, Sales Operations Levels",
        (9, 11, 0),
    ),
    "sales-operations-analyst-channel": (6, True, "Specialties › Channel", (10, 1, 0)),
    "manager-sales-operations-channel": (8, True, "Specialties › Channel", (14, 12, 1)),
    "senior-channel-operations-manager": (9, True, "Specialties › Channel", (23, 22, 0)),
    "director-sales-operations-channel": (10, True, "Specialties › Channel", (15, 14, 0)),
    # "Senior Director, Sales Operations" states 11; a person reads 11, not the 10 it extends.
    "senior-director-sales-operations-channel": (11, True, "Specialties › Channel", (24, 0, 0)),
    "manager-sales-operations-alliances": (8, True, "Specialties › Alliances", (14, 12, 6)),
    "alliance-operations-program-specialist": (None, False, "Specialties › Alliances", (0, 0, 9)),
    "partner-operations-project-manager": (8, True, "Specialties", (14, 12, 8)),
}


@pytest.fixture(scope="module")
def seed():
    family = parse_handbook(SEED, "sales-operations.md")
    resolved = resolve_import([family])
    assert resolved.errors == []
    return family, resolved, resolved.graph()


def test_family_title_slug_and_base_url(seed):
    family, _, _ = seed
    assert family.title == "Sales Operations"
    assert family.slug == "sales-operations"
    assert family.base_url == "https://about.gitlab.com"
    assert family.performance_indicators[0] == "IACV vs. plan > 1"
    assert family.career_ladder == [
        "The next step in the Sales Operations job family is not yet defined at GitLab."
    ]
    assert len(family.hiring_process) == 6


def test_every_seed_level_has_its_grade_group_and_effective_counts(seed):
    _, resolved, graph = seed
    levels = {lv.slug: lv for lv in resolved.families[0].levels}
    assert list(levels) == list(SEED_LEVELS)
    for slug, (grade, inferred, group, counts) in SEED_LEVELS.items():
        level = levels[slug]
        assert level.grade == (Decimal(grade) if grade is not None else None), slug
        assert level.grade_inferred is inferred, slug
        assert level.parsed.group == group, slug
        eff = effective_items(levels[slug].key, graph)
        got = tuple(len(eff[s]) for s in ("responsibilities", "requirements", "general"))
        assert got == counts, slug


def test_inherited_items_are_spliced_at_the_extends_position(seed):
    _, resolved, graph = seed
    eff = effective_items("sales-operations/sr-sales-operations-analyst", graph)
    texts = [item.text for item in eff["responsibilities"]]
    assert texts[0] == "Lead and facilitate forecast calls"
    assert eff["responsibilities"][0].source == "sales-operations/sr-sales-operations-analyst"
    # Then the analyst's effective list: the associate's 8 first, then the analyst's own 5.
    assert eff["responsibilities"][1].source == (
        "sales-operations/associate-sales-operations-analyst"
    )
    assert eff["responsibilities"][9].source == "sales-operations/sales-operations-analyst"
    analyst = effective_items("sales-operations/sales-operations-analyst", graph)
    assert [i.own for i in analyst["responsibilities"]] == [False] * 8 + [True] * 5


def test_section_heading_naming_another_role_belongs_to_that_role(seed):
    family, _, _ = seed
    manager = family.level_by_title("Sr. Sales Operations Manager")
    analyst = family.level_by_title("Sr. Sales Operations Analyst")
    assert len(manager.sections["responsibilities"]) == 11
    assert len(manager.sections["requirements"]) == 11
    assert len(analyst.sections["responsibilities"]) == 5


def test_reports_to_resolves_tolerantly_and_keeps_external_links(seed):
    family, resolved, _ = seed
    levels = {lv.slug: lv for lv in resolved.families[0].levels}
    director = levels["director-sales-operations"]
    assert director.reports_to_key == "sales-operations/senior-director-sales-operations"
    analyst = levels["sales-operations-analyst"]
    assert analyst.reports_to_key == "sales-operations/manager-sales-operations"
    top = levels["senior-director-sales-operations"]
    assert top.reports_to_key is None
    assert top.reports_to_title == "VP, Field Operations"
    assert top.reports_to_link == (
        "https://about.gitlab.com/job-families/sales/vp-of-field-operations/"
    )
    messages = [w.message for w in resolved.families[0].warnings]
    assert (
        "reports to 'Sr. Director, Sales Operations' read as 'Senior Director, Sales Operations'"
        in (messages)
    )
    assert "reports to 'Manager, Sales Operation' read as 'Manager, Sales Operations'" in messages
    assert any("Sales Operatios Analyst" in m for m in messages)


def test_nested_bullets_stay_under_their_parent(seed):
    family, _, _ = seed
    level = family.level_by_title("Partner Operations Project Manager")
    parents = [i for i in level.sections["general"] if i.children]
    assert [c.text for c in parents[0].children] == ["Including automation with QTC with Partners"]


def test_extends_phrasings():
    cases = {
        "Extends that of the Associate Sales Operations Analyst Responsibilities": (
            "Associate Sales Operations Analyst",
            "responsibilities",
        ),
        "Extends that of the Manager, Sales Operations": ("Manager, Sales Operations", None),
        "Extends that of the Manager, Sales Operations Requirements.": (
            "Manager, Sales Operations",
            "requirements",
        ),
        "Extends the payroll specialist requirements": ("payroll specialist", "requirements"),
        "Extends responsibilities of Sr Program Managers": (
            "Sr Program Managers",
            "responsibilities",
        ),
        "Extends: Staff Business Technology Program Manager": (
            "Staff Business Technology Program Manager",
            None,
        ),
        "Extends that of the [Distinguished Engineer](#distinguished-engineer) requirements": (
            "Distinguished Engineer",
            "requirements",
        ),
        "Extends the responsibilities and requirements of the [Fullstack Engineer](/x/)": (
            "Fullstack Engineer",
            None,
        ),
    }
    for text, (target, section) in cases.items():
        ref = parse_extends(text, 1)
        assert ref is not None, text
        assert (ref.target, ref.section) == (target, section), text
    assert parse_extends("Lead and facilitate forecast calls", 1) is None


def test_titles_normalise_abbreviations_case_and_punctuation():
    assert normalize_title("Sr. Director, Sales Operations") == normalize_title(
        "senior director sales operations"
    )
    assert slugify("Sales Operations Analyst (Channel)") == "sales-operations-analyst-channel"
    assert slugify("Manager, Sales Operations") == "manager-sales-operations"


PAGE = """---
title: "Tea Roles"
---
## Tea Levels
### Taster
#### Job Grade
The Taster is a [grade 5](https://example.org/grades)
#### Taster Responsibilities
- Taste tea
### Senior Taster
#### Job Grade
The Senior Taster is a grade 9.5.
#### Senior Taster Responsibilities
- Extends that of the Taster Responsibilities
- Teach tasting
### Lead Taster
#### Lead Taster Responsibilities
- Extends that of the Senior Tastr Responsibilities
### Head Taster
The Head Taster is a grade 11 or 12.
- Extends that of the Taster or Senior Taster
"""


def test_grades_decimals_ranges_inference_and_two_parents():
    family = parse_handbook(PAGE, "tea.md")
    resolved = resolve_import([family])
    assert resolved.errors == []
    levels = {lv.slug: lv for lv in resolved.families[0].levels}
    assert levels["senior-taster"].grade == Decimal("9.5")
    assert levels["lead-taster"].grade == Decimal("9.5")
    assert levels["lead-taster"].grade_inferred
    assert (levels["head-taster"].grade, levels["head-taster"].grade_max) == (
        Decimal("11"),
        Decimal("12"),
    )
    graph = resolved.graph()
    head = effective_items("tea/head-taster", graph)
    assert [i.text for i in head["responsibilities"]] == ["Taste tea", "Teach tasting"]
    warnings = [w.message for w in resolved.families[0].warnings]
    assert "extends 'Senior Tastr' read as 'Senior Taster'" in warnings


def test_extends_cycle_is_an_error_naming_the_cycle():
    page = PAGE.replace("- Taste tea", "- Extends that of the Lead Taster Responsibilities")
    resolved = resolve_import([parse_handbook(page, "tea.md")])
    assert len(resolved.errors) == 1
    message = str(resolved.errors[0])
    assert "extends cycle" in message
    assert "Taster → Lead Taster → Senior Taster → Taster" in message
    assert resolved.errors[0].name == "tea.md"


def test_unknown_extends_target_is_a_warning_or_a_strict_error():
    page = PAGE.replace("Extends that of the Taster Responsibilities", "Extends that of the Potter")
    resolved = resolve_import([parse_handbook(page, "tea.md")])
    assert resolved.errors == []
    assert any(w.kind == "unknown-extends" for w in resolved.families[0].warnings)
    strict = resolve_import([parse_handbook(page, "tea.md")], strict=True)
    assert "extends 'Potter', which matches no level" in str(strict.errors[0])


def test_effective_items_refuse_cycles_and_show_repeats_once():
    graph = {
        "a": Node(
            "a", "A", {"requirements": [NodeItem("Be kind."), NodeItem("", extends=[("b", None)])]}
        ),
        "b": Node("b", "B", {"requirements": [NodeItem("be kind"), NodeItem("Be brave")]}),
    }
    eff = effective_items("a", graph)
    assert [i.text for i in eff["requirements"]] == ["Be kind.", "Be brave"]
    graph["b"].sections["requirements"].append(NodeItem("", extends=[("a", None)]))
    with pytest.raises(CycleError):
        effective_items("a", graph)
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty page"),
        (b"   \n\t\n", "empty page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"---\ntitle: X\n---\n\xff\xfe\xfa bad", "not valid UTF-8"),
        (b"## Levels\n### Taster\n- Taste\n", "no front matter"),
        (b"---\ntitle: [unclosed\n---\n", "not valid YAML"),
        (b"x" * (20 * 1024 * 1024), "20.0 MB"),
        (b"---\ntitle: T\n---\n## Levels\n### A\nThe A is a grade ten.\n- x\n", "'ten' is not"),
        (b"---\ntitle: T\n---\n## Levels\n### A\nThe A is a grade 999.\n- x\n", "outside"),
    ],
)
def test_bad_pages_raise_a_clear_error(data, message):
    with pytest.raises(HandbookError) as info:
        parse_handbook(data, "bad.md")
    assert message in str(info.value)


def test_utf16_with_bom_is_refused_with_a_clear_message():
    text = "---\ntitle: Tea Roles\n---\n## Levels\n### Taster\n- Taste tea\n"
    with pytest.raises(HandbookError, match="UTF-16 text; save the page as UTF-8"):
        parse_handbook(text.encode("utf-16"), "tea.md")
