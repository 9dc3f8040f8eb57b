"""Which job a title names, whatever words it uses (postings.occupations), and what the
matcher does with it: synonyms agree, other occupations count less, and a family none of whose
levels is near the posting's seniority counts less."""

from __future__ import annotations

from pathlib import Path

import pytest

from postings import level_index, matching
from postings.level_index import LevelProfile, build_index
from postings.matching import rank_levels
from postings.occupations import OCCUPATIONS, head_occupations, occupations, text_occupations
from postings.parsing import ParsedPosting, PostingItem

TITLES = Path(__file__).resolve().parent.parent / "data" / "job_titles.txt"


def _read_titles() -> list[tuple[str, frozenset[str]]]:
    """tests/data/job_titles.txt: title, tab, the occupations it names ("-": none)."""
    rows = []
    for line in TITLES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        title, expected = line.split("\t")
        rows.append((title, frozenset() if expected == "-" else frozenset(expected.split(","))))
    return rows


JOB_TITLES = _read_titles()


def test_the_titles_file_is_well_formed():
    titles = [title for title, _ in JOB_TITLES]
    assert len(titles) > 400
    assert len(set(titles)) == len(titles), "a title is listed twice"
    unknown = {name for _, names in JOB_TITLES for name in names} - set(OCCUPATIONS)
    assert not unknown, f"occupations the thesaurus does not have: {unknown}"


@pytest.mark.parametrize(("title", "expected"), JOB_TITLES, ids=[t for t, _ in JOB_TITLES])
def test_each_listed_title_names_its_occupations(title, expected):
    assert occupations(title) == expected


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
    assert head_occupations("Chief Executive Officer") == {"executive"}
    # "and" joins a second head; a qualifier before the head is none.
    assert head_occupations("Head of Legal & Compliance") == {"legal", "risk-compliance"}
    assert head_occupations("Sales and Marketing Director") == {"sales", "marketing"}
    assert head_occupations("Marketing Project Manager") == {"program-management"}
    assert head_occupations("Learning & Development Program Manager") == {"program-management"}
    assert head_occupations("Senior Manager") == frozenset()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Gender markers of German and French postings name no job, bracketed or not.
        ("Account Executive (m/w/d)", {"sales"}),
        ("Account Executive m/w/d", {"sales"}),
        ("Sales Manager w/m/divers", {"sales"}),
        ("Chargé de clientèle H/F", set()),
        # One word written apart, hyphenated or joined.
        ("Front-End Engineer", {"software-engineering"}),
        ("Front End Engineer", {"software-engineering"}),
        ("Pre-Sales Consultant", {"solutions"}),
        ("Help Desk Technician", {"it"}),
        ("Go-to-Market Operations Manager", {"revenue-operations"}),
        ("Go To Market Operations Manager", {"revenue-operations"}),
        # British spellings and plurals.
        ("Programme Manager", {"program-management"}),
        ("Organisational Development Partner", {"learning-development"}),
        ("Recruiters", {"recruiting"}),
        # Abbreviations.
        ("CSM", {"customer-success"}),
        ("Senior SRE", {"infrastructure"}),
        ("FP&A Manager", {"finance"}),
        ("HRBP", {"people"}),
        ("Sr. Mktg Mgr", {"marketing"}),
        ("BD Manager", {"sales"}),
        ("Sales Ops Analyst", {"revenue-operations"}),
        # "Head of X", "X Lead", "VP, X": the holder words keep X.
        ("Head of Customer Success", {"customer-success"}),
        ("Customer Success Lead", {"customer-success"}),
        ("Vice-President, Marketing", {"marketing"}),
        # Level codes, places and students' titles say how high or where, not which job.
        ("Software Engineer L5", {"software-engineering"}),
        ("Account Executive Germany", {"sales"}),
        ("Werkstudent Marketing (m/w/d)", {"marketing"}),
    ],
)
def test_spellings_of_one_title_name_one_occupation(title, expected):
    assert occupations(title) == expected


def test_a_broad_word_names_a_job_only_when_the_title_says_nothing_else():
    assert occupations("Engineering Manager") == {"software-engineering"}
    assert occupations("Manufacturing Engineering Manager") == frozenset()
    assert occupations("Head of Product") == {"product-management"}
    assert occupations("Product Security Engineer") == {"security"}
    assert occupations("Operations Manager") == {"strategy-operations"}
    assert occupations("Finance Operations Manager") == {"finance"}


def test_a_holder_word_that_is_also_a_phrase_gives_way_to_the_job_before_it():
    assert occupations("Developer") == {"software-engineering"}
    assert occupations("Business Intelligence Developer") == {"data-analysis"}
    # "Staff" is seniority, except in "Chief of Staff" (and "Chief" alone names nothing).
    assert occupations("Chief of Staff") == {"strategy-operations"}
    assert occupations("Chief Growth Officer") == frozenset()


def test_the_longest_phrase_wins_wherever_it_starts():
    # "Outbound Sales" is a phrase, but the title is a sales development representative.
    assert occupations("Outbound Sales Development Representative") == {"sales-development"}
    assert occupations("Sales Engineering Manager") == {"solutions"}


def test_a_later_part_adds_a_job_only_when_it_names_a_person():
    # A function after the title says whom the job serves.
    assert occupations("Product Manager - Marketing") == {"product-management"}
    assert occupations("Talent Acquisition Partner - Business and Sales") == {"recruiting"}
    # A person's title there is a second job.
    assert occupations("Solution Architect - Data Engineer") == {"solutions", "data-engineering"}
    # A first part naming no job leaves the title to the next one.
    assert occupations("Manager, Customer Success Operations") == {"revenue-operations"}


def test_whom_or_where_the_job_serves_is_not_the_job():
    assert occupations("Executive Assistant to the CEO") == {"administration"}
    assert occupations("Chief of Staff to the CTO") == {"strategy-operations"}
    assert occupations("Software Engineer at Acme Security") == {"software-engineering"}
    assert occupations("Account Executive in Cybersecurity") == {"sales"}
    # "in Test" is part of the job's name, and "to" inside a process name is no cut.
    assert occupations("Software Engineer in Test") == {"quality-engineering"}
    assert occupations("Quote to Cash Analyst") == {"revenue-operations"}


def test_a_qualifier_shared_across_and_is_read_into_the_second_phrase():
    # Sales strategy and sales analytics, not sales strategy and any analytics.
    assert occupations("VP, Sales Strategy & Analytics") == {"revenue-operations"}
    assert occupations("Director, Data and Analytics") == {"data-analysis"}


def test_a_phrase_naming_two_occupations_belongs_to_both():
    assert occupations("Account Manager") == {"sales", "customer-success"}
    assert occupations("Head of Data") == {"data-engineering", "data-analysis", "data-science"}


def test_occupations_are_cached_and_fast():
    titles = [title for title, _ in JOB_TITLES]
    occupations.cache_clear()
    for title in titles:
        occupations(title)
    info = occupations.cache_info()
    assert info.misses == len(titles)
    for title in titles:
        occupations(title)
    assert occupations.cache_info().hits == info.hits + len(titles)


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
    monkeypatch.setattr(level_index, "OCCUPATION_WEIGHT", 0.0)
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


def test_a_text_names_occupations_by_phrases_of_two_words_or_more():
    assert text_occupations("You will join the enterprise sales team.") == {"sales"}
    assert text_occupations("Work with our partner managers.") == {"partnerships"}
    # One word in prose is a topic, not a job.
    assert text_occupations("Sales experience is a plus; strong design sense.") == frozenset()
    # A phrase naming two jobs settles nothing.
    assert text_occupations("Five years of business development.") == frozenset()


# An alliances family with a business development level, and the sellers' family.
PARTNER_LADDER = (
    _levels(
        "alliances",
        "Alliances",
        {"Alliances Partner Manager": 7.0, "Alliances Business Development Manager": 8.0},
        "Build joint go-to-market plans with technology partners",
    )
    + LADDER[:2]
)


def _bd_posting(text: str) -> ParsedPosting:
    return ParsedPosting(
        "Business Development Manager",
        "",
        "",
        "text",
        [PostingItem("responsibilities", text)],
        years_min=3,
    )


def test_a_family_whose_name_is_another_job_the_posting_never_names_ranks_lower(monkeypatch):
    posting = _bd_posting("Prospect new customers and close deals against a quota")
    index = build_index(PARTNER_LADDER)
    best = rank_levels(posting, index)[0]
    assert best.key.startswith("inside-sales/")
    alliances = next(m for m in rank_levels(posting, index) if m.key.startswith("alliances/"))
    assert "names partnerships work, which this posting names nowhere" in " ".join(
        alliances.explanation
    )
    assert not any("names nowhere" in line for line in best.explanation)
    # Without the signal, the shared words "business development manager" win.
    monkeypatch.setattr(matching, "FAMILY_OCCUPATION", 0.0)
    assert _families(posting, index)[0] == "alliances"


def test_a_posting_whose_text_names_the_familys_job_keeps_it():
    # The same title, about partners: the alliances family is not ranked lower.
    posting = _bd_posting("Recruit channel partners and work with our partner managers")
    matches = rank_levels(posting, build_index(PARTNER_LADDER))
    assert matches[0].key.startswith("alliances/")
    assert not any("names nowhere" in line for m in matches for line in m.explanation)


def test_a_posting_title_naming_no_occupation_ranks_no_family_lower():
    posting = ParsedPosting("Ninja", "", "", "text", [PostingItem("responsibilities", "Do it")])
    index = build_index(PARTNER_LADDER)
    assert not matching._other_occupation_families(index, posting, frozenset()).any()
