"""Matching postings to levels: the seed expectations, other job families, item pairs.

No database: the levels come from the seed handbook page through a tiny local reader (the real
handbook importer lives in ``ladder/handbook.py``; these tests must not depend on it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postings import matching
from postings.level_index import LevelProfile, build_index
from postings.matching import OTHER_LEVEL_DISCOUNT, compare_items, quote, rank_levels, unasked_items
from postings.parsing import ParsedPosting, PostingItem, parse_posting
from postings.titles import expected_years, posting_rank, seniority, title_words

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


def _family(slug: str, name: str, titles: dict[str, float], items: tuple[str, ...]) -> list:
    return [
        LevelProfile(f"{slug}/{_slug(t)}", t, name, g, tuple(("requirements", i) for i in items))
        for t, g in titles.items()
    ]


TWO_FAMILIES = _family(
    "executive-business-administrator",
    "Executive Business Administrator",
    {"Executive Business Administrator": 6.0, "Senior Executive Business Administrator": 7.0},
    ("Manage the calendar and travel of executives", "Prepare board meeting materials"),
) + _family(
    "account-executive",
    "Account Executive",
    {"Account Executive": 6.0, "Senior Account Executive": 7.0, "Manager, Account Executives": 9},
    ("Close new business against a quarterly quota", "Run demos and negotiate contracts"),
)


def test_title_words_drop_seniority_and_fold_plurals_only():
    assert title_words("Sr. Staff Backend Engineers (Remote)") == {"backend", "engineer"}
    assert title_words("Manager, Backend Engineering") == {"manager", "backend", "engineer"}
    # Accounting is not an account, marketing is not a market.
    assert title_words("Accounting Manager") == {"accounting", "manager"}
    assert title_words("Mid Market Account Executive") == {"market", "account", "executive"}


def test_a_shared_word_does_not_pick_the_family_the_title_words_do():
    posting = ParsedPosting(
        "Senior Account Executive",
        "",
        "",
        "text",
        [],
        years_min=5,
        people_management=False,
        text="Close new business against a quota",
    )
    best = rank_levels(posting, TWO_FAMILIES)[0]
    assert best.key == "account-executive/senior-account-executive"
    assert best.grade == 7.0


def test_a_familys_other_levels_give_way_to_other_families_best_levels():
    posting = ParsedPosting("Senior Account Executive", "", "", "text", [], years_min=5)
    matches = rank_levels(posting, TWO_FAMILIES)
    own = [m for m in matches if m.key.startswith("account-executive/")]
    assert own[0].key == "account-executive/senior-account-executive"
    assert all(m.score <= own[0].score - OTHER_LEVEL_DISCOUNT for m in own[1:])
    # The other family's best level comes second, though it scores far lower than the
    # account executive family's other levels: one level per family first.
    families = [m.key.split("/")[0] for m in matches]
    assert families[:2] == ["account-executive", "executive-business-administrator"]
    assert matches[1].score < own[1].score


def test_a_director_title_without_reports_is_placed_as_a_senior_individual_contributor():
    alone = ParsedPosting("Account Executive Director", "", "", "text", [])
    leading = ParsedPosting(
        "Account Executive Director", "", "", "text", [], people_management=True
    )
    assert posting_rank(alone)[0] == seniority("Senior Account Executive")
    assert posting_rank(leading)[0] == seniority("Director, Sales")
    assert rank_levels(alone, TWO_FAMILIES)[0].title == "Senior Account Executive"
    assert rank_levels(leading, TWO_FAMILIES)[0].title == "Manager, Account Executives"


def test_explanations_quote_at_word_boundaries_and_give_the_seniority_reasoning(index):
    best = rank_levels(seed("sr-manager-sales-operations.html"), index)[0]
    quotes = [line for line in best.explanation if line.startswith("“")]
    for line in quotes:
        for quoted in line.split("” ≈ “"):
            quoted = quoted.strip("“”")
            assert len(quoted) <= 81
            if quoted.endswith("…"):
                assert not quoted[:-1].endswith(" ")
    assert any("on this family's scale" in line for line in best.explanation)
    assert any("years asked" in line for line in best.explanation)
    assert quote("Build dashboards and forecasts for the sales team", 30) == (
        "Build dashboards and forecasts…"
    )
    assert quote("short", 30) == "short"


@pytest.mark.parametrize(
    "title", ["", "Senior", "日本語の求人", "(Remote)", "Sr.", "Data Engineer" * 50]
)
def test_odd_titles_and_empty_levels_rank_without_error(title):
    levels = [
        LevelProfile("f/a", "Senior", "", None, ()),
        LevelProfile("g/b", "(Intermediate)", "Ωmega — 日本", 7.0, (("requirements", ""),)),
        LevelProfile("h/c", "Data Engineer", "Data", 6.0, (("requirements", "SQL"),)),
    ]
    items = [PostingItem("requirements", "SQL")] if title else []
    matches = rank_levels(ParsedPosting(title, "", "", "text", items), levels)
    assert {m.key for m in matches} == {"f/a", "g/b", "h/c"}
    assert all(0 <= m.score <= 1 and m.explanation for m in matches)
    # Only a title naming the job can be confident.
    assert all(m.confidence != "high" for m in matches if m.key != "h/c")


def test_several_replacements_at_once_rank_as_one_after_another():
    from postings.level_index import index_replace

    start = build_index(TWO_FAMILIES)
    first = [LevelProfile("account-executive/x", "Account Executive", "AE", 6.0, ())]
    second = [LevelProfile("account-executive/y", "Senior Account Executive", "AE", 7.0, ())]
    one_by_one = index_replace(
        index_replace(start, families=["account-executive"], profiles=first),
        families=["account-executive"],
        profiles=second,
    )
    at_once = index_replace(
        start, deltas=[(["account-executive"], first), (["account-executive"], second)]
    )
    posting = ParsedPosting("Senior Account Executive", "", "", "text", [], years_min=5)
    assert [(m.key, m.score) for m in rank_levels(posting, at_once)] == [
        (m.key, m.score) for m in rank_levels(posting, one_by_one)
    ]
    assert rank_levels(posting, at_once)[0].key == "account-executive/y"
    # The administrators' two levels stay; every account-executive level but the last is dead.
    expected = [True, True, False, False, False, False, True]
    assert at_once.alive.tolist() == one_by_one.alive.tolist() == expected


HEADS = [
    LevelProfile(
        "executive-administration/executive-sales-administrator",
        "Executive Sales Administrator",
        "Executive Administration",
        6.0,
        (("requirements", "Pipeline reports for the sales team"),),
    ),
    LevelProfile(
        "account-executives/account-executive",
        "Account Executive",
        "Account Executives",
        6.0,
        (("requirements", "Pipeline reports for the sales team"),),
    ),
]


def test_the_title_head_names_the_job_and_the_words_before_it_the_domain(monkeypatch):
    # "Sales Executive" shares both its words with "Executive Sales Administrator" and one with
    # "Account Executive"; only the second is an executive (the last job word, the head): the
    # first keeps half its title fit, the second all of it.
    posting = ParsedPosting("Sales Executive", "", "", "text", [])
    index = build_index(HEADS)
    assert index.title_heads.tolist() == [
        index.title_ids[w] for w in ("administration", "executive", "administrator", "executive")
    ]

    def scores() -> dict[str, float]:
        return {m.key.split("/")[0]: m.score for m in rank_levels(posting, index)}

    headed = scores()
    # The explanation says why the shared words count less.
    administrator = next(m for m in rank_levels(posting, index) if "administrator" in m.key)
    assert (
        "it names an administrator, the posting an executive (50% counted)"
        in (administrator.explanation[1])
    )
    monkeypatch.setattr(matching, "HEAD_AGREEMENT", 0.0)
    plain = scores()
    assert headed["account-executives"] == plain["account-executives"]
    assert headed["executive-administration"] < plain["executive-administration"] - 0.1


def test_a_head_no_title_has_changes_nothing(monkeypatch):
    posting = ParsedPosting("Sales Consultant", "", "", "text", [])
    index = build_index(HEADS)
    with_heads = [(m.key, m.score, m.confidence) for m in rank_levels(posting, index)]
    monkeypatch.setattr(matching, "HEAD_AGREEMENT", 0.0)
    assert [(m.key, m.score, m.confidence) for m in rank_levels(posting, index)] == with_heads


def test_a_family_whose_title_words_the_posting_never_says_counts_less(monkeypatch):
    items = (("requirements", "Pipeline reports for the sales team"),)
    index = build_index(
        [
            LevelProfile("strategy/analyst", "Sales Strategy Analyst", "Strategy", 6.0, items),
            LevelProfile("reps/representative", "Sales Representative", "Sales", 6.0, items),
        ]
    )
    silent = ParsedPosting("Sales Analyst", "", "", "text", [PostingItem("requirements", "SQL")])
    said = ParsedPosting(
        "Sales Analyst", "", "", "text", [PostingItem("requirements", "Sales strategy decks")]
    )
    # "Strategy" is said nowhere in the first posting: the strategy family's best title lacks
    # it; the second posting says it in an item, and nothing is missing.
    assert matching._missing_title_words(index, silent).tolist()[0] > 0.3
    assert matching._missing_title_words(index, said).tolist()[0] == 0.0
    scores = {m.key: m.score for m in rank_levels(silent, index)}
    monkeypatch.setattr(matching, "MISSING_TITLE_WORDS", 0.0)
    plain = {m.key: m.score for m in rank_levels(silent, index)}
    assert scores["strategy/analyst"] < plain["strategy/analyst"]
