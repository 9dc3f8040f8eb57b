"""The words of a job title and what they say: the job (its words without seniority words or
filler), its rank on the ladder's seniority scale, and the years of experience a grade usually
asks for. Plain functions, no Django; the matcher (:mod:`postings.matching`) and its index
(:mod:`postings.level_index`) read titles through them.
"""

from __future__ import annotations

import re
from collections.abc import Container

from postings.occupations import join_compounds as _join_compounds
from postings.parsing import ParsedPosting

# A string of words reads better than a 90-line literal.
_STOP = frozenset(
    """a an and are as at be been by for from has have in is it its of on or our the their this
    to was we will with you your who what which within across into over per able ability
    strong excellent experience years year work working team teams role including etc new
    other all any can must may should would also well more most such using use via e.g i.e
    plus ideal preferred required requirements responsibilities job position company""".split()  # noqa: SIM905
)
# Words of a title that say how senior, or nothing at all, rather than what the job is.
_TITLE_SENIORITY = frozenset(
    """intern internship junior jr associate intermediate mid senior sr staff principal lead
    distinguished i ii iii iv""".split()  # noqa: SIM905
)
_TITLE_FILLER = frozenset(
    """of and the for in to a an with at on role roles responsibilities job family families
    matrix level levels description""".split()  # noqa: SIM905
)
# What a posting's rank says in words, for explanations.
_RANK_WORDS = {
    0: "Intern",
    1: "Junior",
    2: "Intermediate",
    3: "Senior",
    4: "Lead/Staff/Principal",
    5: "Manager",
    6: "Senior Manager",
    7: "Director",
    8: "Senior Director",
    9: "VP/Head of",
    10: "SVP",
    11: "C-level",
}
_PLAIN_RANK, _MANAGER_RANK, _IC_SENIOR_RANK = 2, 5, 3
_NOT_PEOPLE_MANAGERS = re.compile(
    r"\b(?:account|accounts|program|project|product|partner|success|territory|channel account"
    r"|key account|relationship|case|office|community|marketing|campaign|category) manager\b"
)
# Ladder rank of a title. The first pattern that matches wins, so compound titles come first.
_SENIORITY = [
    (r"\b(?:chief|ceo|cfo|cro|coo|cto|cmo|c-level)\b", 11),
    (r"\b(?:svp|evp|senior vice president|executive vice president)\b", 10),
    (r"\b(?:vp|vice president|head of)\b", 9),
    (r"\bsenior director\b", 8),
    (r"\bdirector\b", 7),
    (r"\bsenior manager\b", 6),
    (r"\bmanager\b", 5),
    (r"\b(?:lead|staff|principal)\b", 4),
    (r"\bsenior\b", 3),
    (r"\b(?:intermediate|mid[- ]level)\b", 2),
    (r"\b(?:associate|junior|entry[- ]level)\b", 1),
    (r"\b(?:intern|internship|trainee|apprentice)\b", 0),
]
# Years of experience a grade usually asks for; grades outside 4-15 are clamped.
_GRADE_YEARS: dict[int, tuple[int, int | None]] = {
    4: (0, 1),
    5: (0, 2),
    6: (2, 4),
    7: (4, 6),
    8: (5, 8),
    9: (7, 10),
    10: (9, 12),
    11: (11, None),
    12: (13, None),
    13: (15, None),
    14: (17, None),
    15: (20, None),
}


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "er", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def normal_title(title: str) -> str:
    lowered = title.lower().replace("’", "'")
    lowered = re.sub(r"\bsr\b\.?", "senior", lowered)
    lowered = re.sub(r"\bjr\b\.?", "junior", lowered)
    return re.sub(r"\bvice[- ]president\b", "vp", lowered)


def tokens(text: str) -> list[str]:
    """Stemmed content words: what the similarity measures compare.

    >>> tokens("Sr. Manager of Sales Operations, forecasting")
    ['senior', 'manag', 'sale', 'oper', 'forecast']
    """
    words = re.findall(r"[a-z0-9][a-z0-9+#&]*", normal_title(text))
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1 and not w.isdigit()]


def normal_text(text: str) -> str:
    return " ".join(tokens(text))


def seniority(title: str) -> int:
    """Ladder rank of a title: intern 0, associate/junior 1, plain or intermediate 2, senior 3,
    lead/staff/principal 4, manager 5, senior manager 6, director 7, senior director 8,
    VP/head of 9, SVP 10, C-level 11. "Sr" is senior; an account or product manager is an
    individual contributor (2, or 3 when senior).

    >>> seniority("Sr Manager, Sales Operations"), seniority("Inside Sales Manager (Team Manager)")
    (6, 5)
    """
    lowered = _NOT_PEOPLE_MANAGERS.sub("specialist", normal_title(title))
    for pattern, rank in _SENIORITY:
        if re.search(pattern, lowered):
            return rank
    return 2


def title_word(word: str) -> str:
    # Plurals and "-ering" fold ("Engineers", "Engineering" → "engineer"); other suffixes stay,
    # because "Accounting" is not "Account" and "Marketing" is not "Market".
    if word.endswith("ering"):
        word = word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def title_sequence(title: str) -> list[str]:
    lowered = re.sub(r"\([^)]*\)", " ", normal_title(title))
    return [
        title_word(w)
        for w in re.findall(r"[a-z0-9]+", lowered)
        if w not in _TITLE_SENIORITY and w not in _TITLE_FILLER
    ]


def title_words(title: str, known: Container[str] = ()) -> frozenset[str]:
    """What a title says the job is: its words without seniority words, filler or a
    parenthesis; plurals and "-ering" folded, "Vice President" read as "VP", and two words
    that ``known`` holds as one joined.

    >>> sorted(title_words("Sr. Staff Machine Learning Engineers (Remote)"))
    ['engineer', 'learning', 'machine']
    >>> sorted(title_words("Vice President, Backend Engineering"))
    ['backend', 'engineer', 'vp']
    >>> sorted(title_words("Full Stack Engineer", known={"fullstack"}))
    ['engineer', 'fullstack']
    """
    return frozenset(_join_compounds(title_sequence(title), known))


def posting_rank(posting: ParsedPosting) -> tuple[int, str]:
    """The posting's rank on the :func:`seniority` scale, and why in words. A manager or
    director title whose posting describes no one to manage is read as a senior individual
    contributor ("Sales Director" carrying a quota alone).

    >>> from postings.parsing import ParsedPosting
    >>> posting_rank(ParsedPosting("Sales Director", "", "", "text"))
    (3, 'Director in the title but no reports described: a senior individual contributor')
    """
    rank = seniority(posting.title)
    if rank >= _MANAGER_RANK and not posting.people_management:
        return _IC_SENIOR_RANK, (
            f"{_RANK_WORDS[rank]} in the title but no reports described: "
            "a senior individual contributor"
        )
    if rank == _PLAIN_RANK and not states_rank(posting.title):
        return rank, "No seniority word in the title"
    return rank, _RANK_WORDS[rank]


def states_rank(title: str) -> bool:
    """Does the title carry a seniority word at all ("Intermediate" does; "Data Engineer" does
    not, and then says nothing about seniority)?"""
    lowered = _NOT_PEOPLE_MANAGERS.sub("specialist", normal_title(title))
    return any(re.search(pattern, lowered) for pattern, _ in _SENIORITY)


def expected_years(grade: float | None) -> tuple[int, int | None] | None:
    """The years of experience a grade usually asks for, as (low, high); high is None for
    "11+". Grade 5 ≈ 0-2, 6 ≈ 2-4, 7 ≈ 4-6, 8 ≈ 5-8, 9 ≈ 7-10, 10 ≈ 9-12, 11 ≈ 11+.

    >>> expected_years(9), expected_years(11), expected_years(None)
    ((7, 10), (11, None), None)
    """
    if grade is None:
        return None
    return _GRADE_YEARS[max(4, min(15, int(round(grade))))]


def years_fit(posting: ParsedPosting, grade: float | None) -> float:
    """1 when the asked years fall in the grade's band, less per year of gap; 0.5 unknown."""
    band = expected_years(grade)
    if band is None or posting.years_min is None:
        return 0.5
    # "4+ years" reads as "about 4 to 7": postings state the floor, not the ceiling.
    asked_low = posting.years_min
    asked_high = posting.years_max if posting.years_max is not None else asked_low + 3
    low, high = band
    gap = max(0, low - asked_high, asked_low - (high if high is not None else asked_low))
    return max(0.0, 1 - gap / 4)


def head_word(title: str) -> str:
    """The last job word of a title, which names what the job is in English ("Recruiting
    Coordinator" is a coordinator)."""
    lowered = re.sub(r"\([^)]*\)", " ", title.lower())
    lowered = re.split(r"\s[-–—|/]\s|,", lowered)[0]
    words = [
        title_word(w)
        for w in re.findall(r"[a-z0-9]+", lowered)
        if w not in _TITLE_SENIORITY and w not in _TITLE_FILLER
    ]
    return words[-1] if words else ""
