"""Which job a title names, whatever words it uses (postings.occupations), and what the
matcher does with it: synonyms agree, other occupations count less, and a family none of whose
levels is near the posting's seniority counts less."""

from __future__ import annotations

import pytest

from postings import matching
from postings.matching import LevelProfile, build_index, rank_levels
from postings.occupations import head_occupations, occupations
from postings.parsing import ParsedPosting


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Different words, one job.
        ("Account Executive", {"sales"}),
        ("Inside Sales Representative", {"sales"}),
        ("Manager, Inside Sales", {"sales"}),
        ("VP of Sales", {"sales"}),
        ("Recruiting Coordinator", {"recruiting", "recruiting-coordination"}),
        ("Senior Candidate Experience Specialist", {"recruiting", "recruiting-coordination"}),
        ("Solutions Engineer", {"solutions"}),
        ("Staff Technical Architect", {"solutions"}),
        # A phrase followed by another job's words is that job's qualifier, not the job.
        ("Sales Operations Analyst", {"revenue-operations"}),
        ("Customer Success Operations Analyst", {"revenue-operations"}),
        ("Analyst, Online Sales & Self Service Operations", set()),
        # A parenthesis qualifies, it does not name the job.
        ("Sales Operations Analyst (Channel)", {"revenue-operations"}),
        # A broad phrase gives way to a precise one in the same part.
        ("Manager, Support Engineering", {"support"}),
        ("Backend Engineering Manager", {"software-engineering"}),
        # Two jobs in one title, and one word naming two occupations.
        ("Alliances Business Development Manager", {"partnerships", "sales"}),
        # Seniority and holder words name no job.
        ("Senior Manager", set()),
        ("Intermediate", set()),
        ("", set()),
    ],
)
def test_occupations_of_real_titles(title, expected):
    assert occupations(title) == expected


def test_the_head_occupation_is_the_last_phrase_of_the_first_part_naming_one():
    assert head_occupations("Executive Sales Administrator") == {"administration"}
    assert occupations("Executive Sales Administrator") == {"administration", "sales"}
    assert head_occupations("Director / Manager, Enterprise Sales, EMEA") == {"sales"}
    assert head_occupations("Chief Executive Officer") == frozenset()


def _levels(slug: str, family: str, titles: dict[str, float], item: str) -> list[LevelProfile]:
    return [
        LevelProfile(f"{slug}/{t.lower().replace(' ', '-')}", t, family, g, (("reqs", item),))
        for t, g in titles.items()
    ]


# Real titles: the sellers' family shares no word with "Account Executive"; the
# administrators' shares "executive"; the sales managers' ladder names sales too.
LADDER = (
    _levels(
        "inside-sales",
        "Inside Sales",
        {"Inside Sales Representative": 6.0, "Senior Inside Sales Representative": 7.0},
        "Close deals and own a quota",
    )
    + _levels(
        "executive-business-administrator",
        "Executive Business Administrator",
        {"Executive Business Administrator": 6.0, "Senior Executive Business Administrator": 7.0},
        "Manage calendars and travel for executives",
    )
    + _levels(
        "sales-management",
        "Sales Management",
        {"Area Sales Manager": 9.0, "Senior Area Sales Manager": 10.0},
        "Lead a team of account executives to their quota",
    )
)


def _families(posting: ParsedPosting, index) -> list[str]:
    return list(dict.fromkeys(m.key.split("/")[0] for m in rank_levels(posting, index)))


def test_a_seller_title_finds_the_sellers_family_without_a_shared_word(monkeypatch):
    posting = ParsedPosting("Senior Account Executive", "", "", "text", [], years_min=4)
    index = build_index(LADDER)
    assert _families(posting, index)[0] == "inside-sales"
    best = rank_levels(posting, index)[0]
    assert best.key == "inside-sales/senior-inside-sales-representative"
    assert "are both sales jobs" in best.explanation[1]
    # Without occupations, the shared word "executive" wins.
    monkeypatch.setattr(matching, "OCCUPATION_WEIGHT", 0.0)
    monkeypatch.setattr(matching, "OCCUPATION_CLASH", 0.0)
    monkeypatch.setattr(matching, "FAMILY_RANK", 0.0)
    assert _families(posting, build_index(LADDER))[0] != "inside-sales"


def test_an_individual_posting_prefers_a_family_with_a_level_near_its_rank(monkeypatch):
    # Both families name sales; only one has a level near a senior individual contributor.
    posting = ParsedPosting("Senior Account Executive", "", "", "text", [], years_min=4)
    index = build_index(LADDER)
    scores = {m.key.split("/")[0]: m.score for m in rank_levels(posting, index)}
    monkeypatch.setattr(matching, "FAMILY_RANK", 0.0)
    plain = {m.key.split("/")[0]: m.score for m in rank_levels(posting, index)}
    assert scores["sales-management"] < plain["sales-management"] - 0.1
    assert scores["inside-sales"] == plain["inside-sales"]


def test_a_title_naming_another_occupation_counts_less(monkeypatch):
    ladder = _levels(
        "security-research",
        "Security Research",
        {"Security Research Engineer": 7.0},
        "Find vulnerabilities in our product",
    ) + _levels(
        "solutions-architects",
        "Solutions Architects",
        {"Solutions Architect": 7.0},
        "Run technical evaluations with prospects",
    )
    posting = ParsedPosting("Sales Engineer", "", "", "text", [])
    index = build_index(ladder)
    scores = {m.key.split("/")[0]: m.score for m in rank_levels(posting, index)}
    assert max(scores, key=scores.get) == "solutions-architects"
    monkeypatch.setattr(matching, "OCCUPATION_CLASH", 0.0)
    plain = {m.key.split("/")[0]: m.score for m in rank_levels(posting, index)}
    assert scores["security-research"] < plain["security-research"]
