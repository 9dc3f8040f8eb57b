"""Matching postings to levels: the seed expectations, other job families, item pairs.

No database: the levels come from the seed handbook page through a tiny local reader (the real
handbook importer lives in ``ladder/handbook.py``; these tests must not depend on it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postings.matching import (
    LevelProfile,
    build_index,
    compare_items,
    expected_years,
    rank_levels,
    seniority,
    unasked_items,
)
from postings.parsing import ParsedPosting, parse_posting

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "tests" / "data" / "corpus"
ENGINEERING = sorted((CORPUS / "postings" / "jobboard-html").glob("*.html"))

GRADES = {
    "Associate Sales Operations Analyst": 5,
    "Sales Operations Analyst": 6,
    "Sr. Sales Operations Analyst": 7,
    "Sr. Sales Operations Manager": 7,
    "Manager, Sales Operations": 8,
    "Senior Manager, Sales Operations": 9,
    "Director, Sales Operations": 10,
    "Senior Director, Sales Operations": 11,
}
SENIOR_MANAGER = "sales-operations/senior-manager-sales-operations"
MANAGER_TRACK = {
    "sales-operations/manager-sales-operations",
    SENIOR_MANAGER,
    "sales-operations/director-sales-operations",
}
SALES_OPS = [
    "sr-manager-go-to-market-and-sales-operations.html",
    "sr-manager-sales-operations.html",
]
SALES_MANAGEMENT = ["inside-sales-manager.html", "atu-sales-manager.txt"]
RANK = {"low": 0, "medium": 1, "high": 2}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def sales_operations_levels() -> list[LevelProfile]:
    """The seed page's levels: `#### <Role> Responsibilities|Requirements` bullet lists up to
    `## Specialties`; "Extends that of the <Role> …" copies that role's items of the section."""
    text = (FIXTURES / "handbook" / "sales-operations.md").read_text("utf-8")
    text = text.split("## Specialties")[0]
    items: dict[str, dict[str, list[str]]] = {}
    extends: list[tuple[str, str, str]] = []  # (role, section, parent)
    role = section = ""
    for line in text.splitlines():
        heading = re.match(r"#### (.+?) (Responsibilities|Requirements)\s*$", line)
        if heading:
            role, section = heading[1], heading[2].lower()
            items.setdefault(role, {"responsibilities": [], "requirements": []})
            continue
        if line.startswith("#"):
            role = ""
            continue
        bullet = re.match(r"- (.+)", line)
        if not (role and bullet):
            continue
        parent = re.match(
            r"Extends that of the (.+?)(?: Responsibilities| Requirements)?\.?$", bullet[1]
        )
        if parent:
            extends.append((role, section, parent[1]))
        else:
            items[role][section].append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", bullet[1]))
    for child, name, parent in extends:  # parents come first on the page
        items[child][name] = items[parent][name] + items[child][name]
    return [
        LevelProfile(
            key=f"sales-operations/{_slug(title)}",
            title=title,
            family="Sales Operations",
            grade=float(GRADES[title]) if title in GRADES else None,
            items=tuple(
                (name, t) for name in ("responsibilities", "requirements") for t in lists[name]
            ),
        )
        for title, lists in items.items()
    ]


@pytest.fixture(scope="module")
def levels() -> list[LevelProfile]:
    return sales_operations_levels()


@pytest.fixture(scope="module")
def index(levels):
    return build_index(levels)


def seed(name: str) -> ParsedPosting:
    return parse_posting((FIXTURES / "postings" / name).read_bytes(), name)


def test_local_handbook_reader_copies_inherited_items(levels):
    by_title = {level.title: level for level in levels}
    assert set(GRADES) <= set(by_title)
    senior = by_title["Senior Manager, Sales Operations"]
    manager = by_title["Manager, Sales Operations"]
    assert sum(s == "responsibilities" for s, _ in senior.items) == 14
    assert sum(s == "requirements" for s, _ in senior.items) == 12 + 3
    assert set(manager.items) < set(senior.items)


@pytest.mark.parametrize("name", SALES_OPS)
def test_sales_operations_postings_rank_senior_manager_first_or_next_to_it(index, name):
    matches = rank_levels(seed(name), index)
    best = matches[0]
    assert best.key in MANAGER_TRACK
    assert best.key == SENIOR_MANAGER or abs(best.grade - 9) <= 1
    assert SENIOR_MANAGER in [m.key for m in matches[:2]]
    assert best.confidence == "high"
    assert 0 <= best.score <= 1
    assert any("covered" in line for line in best.explanation)
    assert matches == sorted(matches, key=lambda m: -m.score)


def test_sales_management_postings_score_lower_and_are_not_confident(index):
    ops = [rank_levels(seed(name), index)[0] for name in SALES_OPS]
    for name in SALES_MANAGEMENT:
        best = rank_levels(seed(name), index)[0]
        assert best.confidence != "high", name
        assert all(best.score < o.score for o in ops), name
        assert all(RANK[best.confidence] <= RANK[o.confidence] for o in ops), name


@pytest.mark.parametrize("path", ENGINEERING, ids=lambda p: p.name[:32])
def test_engineering_postings_never_match_sales_operations_confidently(index, path):
    matches = rank_levels(parse_posting(path.read_bytes(), path.name), index)
    assert matches
    assert {m.confidence for m in matches} == {"low"}


def test_plain_list_of_levels_works_like_an_index_and_limit_cuts(levels):
    posting = seed("sr-manager-sales-operations.html")
    from_list = rank_levels(posting, levels, limit=3)
    from_index = rank_levels(posting, build_index(levels), limit=3)
    assert len(from_list) == 3
    assert [(m.key, m.score) for m in from_list] == [(m.key, m.score) for m in from_index]
    assert rank_levels(posting, []) == []


def test_years_decide_between_levels_of_the_same_title_words():
    def level(key: str, grade: float) -> LevelProfile:
        return LevelProfile(key, "Sales Operations Analyst", "Sales Operations", grade, ())

    junior = ParsedPosting("Sales Operations Analyst", "", "", "text", [], years_min=1, years_max=2)
    senior = ParsedPosting("Sales Operations Analyst", "", "", "text", [], years_min=9)
    pair = [level("f/g5", 5), level("f/g10", 10)]
    assert rank_levels(junior, pair)[0].key == "f/g5"
    assert rank_levels(senior, pair)[0].key == "f/g10"


def test_seniority_follows_the_ladder():
    order = [
        "Sales Operations Intern",
        "Associate Sales Operations Analyst",
        "Sales Operations Analyst",
        "Sr. Sales Operations Analyst",
        "Staff Engineer",
        "Manager, Sales Operations",
        "Sr Manager Sales Operations",
        "Director, Sales Operations",
        "Senior Director, Sales Operations",
        "VP of Sales",
    ]
    ranks = [seniority(title) for title in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert seniority("Inside Sales Manager (Team Manager)") == seniority("Manager, Sales")
    assert seniority("Sr Manager, Go to Market") == seniority("Senior Manager, Sales Operations")
    assert seniority("Team Lead, Sales") == seniority("Staff Engineer")
    assert seniority("Account Manager") < seniority("Manager, Sales Operations")


def test_expected_years_grow_with_the_grade():
    assert expected_years(5) == (0, 2)
    assert expected_years(9) == (7, 10)
    assert expected_years(11) == (11, None)
    assert expected_years(None) is None
    lows = [expected_years(g)[0] for g in range(5, 12)]
    assert lows == sorted(lows)


def test_compare_items_marks_covered_partly_missing():
    level = [
        ("requirements", "Strong analytical ability and able to prioritize multiple projects"),
        ("responsibilities", "Lead and facilitate forecast calls"),
    ]
    pairs = compare_items(
        [
            ("requirements", "Strong analytical ability"),
            ("responsibilities", "Run the forecast process with regional sales leaders"),
            ("requirements", "Fluent in Klingon"),
        ],
        level,
    )
    assert [p.status for p in pairs] == ["covered", "partly", "missing"]
    assert pairs[0].level_text == level[0][1]
    assert pairs[0].section == "requirements"
    assert compare_items([], level) == []
    assert compare_items([("requirements", "x")], [])[0].status == "missing"


def test_unasked_items_are_the_level_items_no_posting_item_matches():
    level = [("requirements", "Deep SFDC expertise"), ("responsibilities", "Run QBRs each quarter")]
    assert unasked_items([("requirements", "SFDC expertise")], level) == [level[1]]
    assert unasked_items([], level) == level
