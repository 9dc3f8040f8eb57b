"""Rank ladder levels against a job posting, and pair a posting's items with a level's.

Pure and fast: plain data in (:class:`~postings.parsing.ParsedPosting`, :class:`LevelProfile`),
plain data out (:class:`Match`, :class:`ItemPair`). No Django.

The job family first, then the level on that family's own scale, because that is how a
recruiter reads a posting, and because across a whole ladder (150+ families) level-by-level
scores let one shared word ("executive", "engineer") pull in the wrong family:

1. *Every family* gets a score from arrays built once per ladder (:func:`build_index`): how
   well the posting's title words (seniority words removed: :func:`title_words`) match the
   family's title or one of its level titles, weighted by how rare each word is among titles,
   a title whose head word (its last job word: what the job is) is not the posting title's
   counting half; a TF-IDF cosine of the posting's text against the family's whole text (its
   titles and every item of its levels); a small penalty when the family's titles name
   words the posting says nowhere; and a larger one when the family's own name names only
   jobs (occupations) the posting names nowhere, in its title or in its text.
2. In the best :data:`CANDIDATE_FAMILIES` families, each level is placed by seniority on the
   family's own scale (the title's rank word, a manager title without reports read as an
   individual contributor), years asked against the level's grade, and its own title words.
3. Only the levels returned get their items paired with the posting's (rapidfuzz), for the
   explanation and the comparison pages.

Which signals are used, and the figures each one moved on the hand-read key, are in the README
("Matching postings"). Confidence is "high" only when the title names the family's job and the
family's text agrees; "low" when neither the title nor the text points at the family.

>>> from postings.parsing import parse_posting
>>> posting = parse_posting("Sales Analyst\\n\\nRequirements:\\n- SQL and Excel skills\\n")
>>> level = LevelProfile("sales/analyst", "Sales Analyst", "Sales", 6.0,
...                      (("requirements", "SQL and Excel skills"),))
>>> [(m.key, m.pairs[0].status) for m in rank_levels(posting, [level])]
[('sales/analyst', 'covered')]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from postings.embedding import embed, normalise, token_sums
from postings.occupations import (
    OCCUPATIONS,
    head_occupations,
    occupations,
    text_occupations,
)
from postings.occupations import join_compounds as _join_compounds
from postings.parsing import ASKED, ParsedPosting

CANDIDATES = 30  # levels returned when no limit is given
CANDIDATE_FAMILIES = 10  # families whose levels are placed one by one after the first pass
COVERED, PARTLY = 70.0, 50.0  # item similarity (0-100) for "covered" and "partly"
# Family score: title words against the family's titles, and the family's whole text. The
# weights were chosen on the hand-read key (README, "Matching postings"): either alone places
# about 40 % of the postings, together about 50 %; the text breaks the ties of a generic title.
FAMILY_WEIGHTS = {"title": 0.5, "text": 0.5}
# The family's text agreement: half the TF-IDF cosine (shared words; this high counts as full
# agreement, real ones are 0.05-0.45), half the embedding cosine (meaning; WordLlama cosines of
# long texts sit high, 0.4-0.9, so below the floor is none and from the top full agreement).
_TEXT_FULL = 0.35
_MEANING_FLOOR, _MEANING_FULL = 0.6, 0.85
# Level score inside a family: seniority on the family's scale, years vs grade, title words.
LEVEL_WEIGHTS = {"seniority": 0.5, "years": 0.25, "title": 0.25}
# A title without a seniority word says little about seniority ("Site Reliability Engineer" is
# posted for every level): then the years asked decide, when the posting states them.
LEVEL_WEIGHTS_BY_YEARS = {"seniority": 0.15, "years": 0.6, "title": 0.25}
# The suggestion's score: mostly the family (the family is what a wrong match gets wrong).
SCORE_WEIGHTS = {"family": 0.9, "level": 0.1}
# Confidence: "high" needs the title to name the family's job (title fit) and its text to
# agree (text share); "medium" needs one of them.
HIGH_COVER, HIGH_TITLE, HIGH_TEXT = 0.999, 0.5, 0.5
HIGH_TEXT_BEHIND = 0.1  # how far the family's text agreement may trail the best family's
MEDIUM_TITLE, MEDIUM_TEXT = 0.5, 0.6
# A family's levels after its best count this much less (they follow every candidate family's
# best level, a recruiter's alternatives, in the list).
OTHER_LEVEL_DISCOUNT = 0.1
# A title's meaning (embedding cosine of its job words with the family's and levels' titles)
# counts, at this share, when it says more than the shared words: "Talent Acquisition" and
# "Recruiter" share none. Above about 0.8 it outvotes words too often.
TITLE_MEANING = 0.7
# Title fit: mostly the Dice of the rarity-weighted words (both titles' words count), a little
# of the cover (how much of the ladder title the posting names), which keeps "Sr Manager, Go to
# Market and Sales Operations" close to "Senior Manager, Sales Operations".
_COVER_SHARE = 0.15
# A family all of whose titles name words the posting never says, in its title or anywhere in
# its text ("Operations", "Strategy", "Systems" for a seller's posting), is less likely: its score
# loses this much times the rarity-weighted share of its best title's words the posting lacks.
MISSING_TITLE_WORDS = 0.03
# Head agreement: a title's last job word names what the job is ("Sales Operations Analyst" is an
# analyst, "Sales Executive" an executive), the words before it the domain. A ladder title whose
# head is not the posting's keeps this share of its title fit (1 - HEAD_AGREEMENT); measured on
# the hand-read key (README, "Matching postings").
HEAD_AGREEMENT = 0.5
# Occupations (postings.occupations): a title's occupations join its job words as one word each
# ("@sales") of this fixed weight (a word's rarity weight is 1-7 in a ladder of hundreds of
# titles; fixed, so a family refreshed alone weighs them as a full build does), so that
# "Account Executive" and "Inside Sales Representative" share a job word; a title whose head
# names the posting's head occupation agrees on its head, and one naming only other occupations
# keeps (1 - OCCUPATION_CLASH) of its fit ("Sales Engineer" is not a "Security Research
# Engineer"). Measured on the hand-read key (README, "Matching postings").
OCCUPATION_WEIGHT = 12.0
OCCUPATION_CLASH = 0.6
# A family none of whose levels sits near the posting's rank on the seniority scale (a seller's
# posting against a ladder of sales managers) loses this much times how far its nearest level is
# (0 when one is within a rank, all of it from three ranks away, as in the level score).
FAMILY_RANK = 0.3
# A family whose own name (its page title, not a level's) names occupations, none of which the
# posting names anywhere (its title, or a phrase of two words or more in its text), loses this
# much: a "Business Development Manager" posting about selling, whose text never speaks of
# partnerships, against a partnerships family that has a "business development" level. Only when
# the posting's title names an occupation (otherwise nothing is known to disagree). Measured on
# the hand-read key (README, "Matching postings").
FAMILY_OCCUPATION = 0.2
QUOTE = 80  # characters of an item quoted in an explanation, cut at a word boundary
# Explanations quote item pairs whose meaning is this close too (embedding cosine; unrelated
# sentences sharing "sales" sit at 0.3-0.5, restatements at 0.55+), among the best few.
PAIR_MEANING, PAIR_CANDIDATES = 0.55, 8

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


@dataclass(frozen=True)
class LevelProfile:
    key: str  # "<family-slug>/<level-slug>"
    title: str
    family: str  # family title
    grade: float | None
    items: tuple[tuple[str, str], ...]  # (section, text) effective items


@dataclass
class ItemPair:
    posting_text: str
    level_text: str | None  # None when the level has no items at all
    score: float  # similarity 0-100
    status: str  # "covered", "partly" or "missing"
    section: str  # the posting item's section


@dataclass
class Match:
    key: str
    title: str
    grade: float | None
    score: float  # 0-1
    confidence: str  # "high", "medium" or "low"
    explanation: list[str] = field(default_factory=list)
    pairs: list[ItemPair] = field(default_factory=list)


# --------------------------------------------------------------------------- words


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "er", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _normal_title(title: str) -> str:
    lowered = title.lower().replace("’", "'")
    lowered = re.sub(r"\bsr\b\.?", "senior", lowered)
    lowered = re.sub(r"\bjr\b\.?", "junior", lowered)
    return re.sub(r"\bvice[- ]president\b", "vp", lowered)


def tokens(text: str) -> list[str]:
    """Stemmed content words: what the similarity measures compare.

    >>> tokens("Sr. Manager of Sales Operations, forecasting")
    ['senior', 'manag', 'sale', 'oper', 'forecast']
    """
    words = re.findall(r"[a-z0-9][a-z0-9+#&]*", _normal_title(text))
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1 and not w.isdigit()]


def _normal(text: str) -> str:
    return " ".join(tokens(text))


def seniority(title: str) -> int:
    """Ladder rank of a title: intern 0, associate/junior 1, plain or intermediate 2, senior 3,
    lead/staff/principal 4, manager 5, senior manager 6, director 7, senior director 8,
    VP/head of 9, SVP 10, C-level 11. "Sr" is senior; an account or product manager is an
    individual contributor (2, or 3 when senior).

    >>> seniority("Sr Manager, Sales Operations"), seniority("Inside Sales Manager (Team Manager)")
    (6, 5)
    """
    lowered = _NOT_PEOPLE_MANAGERS.sub("specialist", _normal_title(title))
    for pattern, rank in _SENIORITY:
        if re.search(pattern, lowered):
            return rank
    return 2


def _title_word(word: str) -> str:
    # Plurals and "-ering" fold ("Engineers", "Engineering" → "engineer"); other suffixes stay,
    # because "Accounting" is not "Account" and "Marketing" is not "Market".
    if word.endswith("ering"):
        word = word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _title_sequence(title: str) -> list[str]:
    lowered = re.sub(r"\([^)]*\)", " ", _normal_title(title))
    return [
        _title_word(w)
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
    return frozenset(_join_compounds(_title_sequence(title), known))


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
    if rank == _PLAIN_RANK and not _states_rank(posting.title):
        return rank, "No seniority word in the title"
    return rank, _RANK_WORDS[rank]


def _states_rank(title: str) -> bool:
    """Does the title carry a seniority word at all ("Intermediate" does; "Data Engineer" does
    not, and then says nothing about seniority)?"""
    lowered = _NOT_PEOPLE_MANAGERS.sub("specialist", _normal_title(title))
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


def _years_fit(posting: ParsedPosting, grade: float | None) -> float:
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


def _status(score: float) -> str:
    return "covered" if score >= COVERED else "partly" if score >= PARTLY else "missing"


# --------------------------------------------------------------------------- index


class Ragged(Sequence[np.ndarray]):
    """Lists of ints as one flat array and offsets: one object to pickle, not thousands."""

    def __init__(self, rows: Sequence[Sequence[int]]) -> None:
        self.offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        self.offsets[1:] = np.cumsum([len(row) for row in rows])
        self.flat = np.fromiter(
            (value for row in rows for value in row), dtype=np.int32, count=int(self.offsets[-1])
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.flat[self.offsets[i] : self.offsets[i + 1]]


class Profiles(Sequence[LevelProfile]):
    """Level profiles stored compactly, each rebuilt on access.

    The index is cached and unpickled for every match; as frozen objects holding tuples of
    items, a large ladder's profiles took most of that time.
    """

    def __init__(self, profiles: Sequence[LevelProfile]) -> None:
        self.keys = [p.key for p in profiles]
        self.titles = [p.title for p in profiles]
        families: dict[str, str] = {}
        self.families = [families.setdefault(p.family, p.family) for p in profiles]
        self.grades = [p.grade for p in profiles]
        pairs: dict[tuple[str, str], int] = {}
        rows = [[pairs.setdefault(item, len(pairs)) for item in p.items] for p in profiles]
        self.pairs = list(pairs)
        self.items = Ragged(rows)

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return LevelProfile(
            key=self.keys[i],
            title=self.titles[i],
            family=self.families[i],
            grade=self.grades[i],
            items=tuple(self.pairs[j] for j in self.items[i]),
        )


@dataclass
class LevelIndex:
    """Everything about the ladder that does not depend on the posting; build once, reuse.

    Rows are only ever appended after a build: :func:`index_replace` marks a replaced family's
    rows dead (``family_alive``, ``alive``) and appends the new ones, :func:`index_compact`
    drops the dead rows. Title sets are therefore reached through ``family_sets`` and
    ``level_sets`` rather than by position.
    """

    profiles: Profiles
    families: list[str]  # family key (the part of a level key before "/"), in first-seen order
    family_titles: list[str]
    level_family: np.ndarray  # per level: index into families
    family_levels: Ragged  # per family: its level indexes, in ladder order
    # TF-IDF of each family's whole text (titles and every distinct item of its levels)
    vocabulary: dict[str, int]
    idf: np.ndarray
    # term t's families and weights: term_rows / term_weights[term_offsets[t]:term_offsets[t+1]]
    # (flat arrays, not a dict of small arrays: the index is unpickled from the cache per match)
    term_offsets: np.ndarray
    term_rows: np.ndarray
    term_weights: np.ndarray
    norms: np.ndarray
    family_vectors: np.ndarray  # per family: the embedding of its whole text (postings.embedding)
    # Title words: one set per family title and one per level title, found through
    # family_sets / level_sets (a build puts the families' first: set f, then set F + i)
    # (word ids and Ragged rows rather than sets and dicts of arrays: they unpickle at once)
    title_vocabulary: list[str]
    title_ids: dict[str, int]
    title_idf: np.ndarray  # per word
    title_holders: Ragged  # per word: the sets holding it
    title_sets: Ragged  # per set: its word ids
    title_weights: np.ndarray  # per set: the sum of its words' idf
    # Per title set, the embedding of its job words, as blocks read one after the other: a
    # replace appends a block rather than copying 50 MB of vectors at 3,000 families.
    title_vectors: list[np.ndarray]
    family_sets: np.ndarray  # per family: its title's set
    level_sets: np.ndarray  # per level: its title's set
    ranks: np.ndarray  # seniority() of each level title
    item_texts: list[str]  # distinct normalised item texts of all levels
    level_items: Ragged  # per level: indexes into item_texts, in item order
    # False for the families and levels index_replace replaced (their rows stay, never
    # ranked); None: all live. A level is dead exactly when its family is.
    family_alive: np.ndarray | None = None
    alive: np.ndarray | None = None
    # Per title set, the id of its head word (the last job word: _head_word), -1 when that
    # word is no title word; None in an index pickled before heads were kept (no head signal).
    title_heads: np.ndarray | None = None


def family_key(level_key: str) -> str:
    return level_key.split("/", 1)[0]


def _tfidf_rows(bags: Sequence[Counter[str]]) -> tuple[dict, np.ndarray, tuple, np.ndarray]:
    """An inverted TF-IDF index over ``bags``: vocabulary, idf, (term offsets, rows, weights)
    with term t's rows and weights between offsets t and t + 1, and the rows' norms.

    >>> vocabulary, idf, (offsets, rows, weights), norms = _tfidf_rows([Counter("ab"),
    ...                                                                 Counter("b")])
    >>> t = vocabulary["b"]
    >>> sorted(vocabulary), rows[offsets[t] : offsets[t + 1]].tolist()
    (['a', 'b'], [0, 1])
    """
    terms = sorted(set().union(*bags)) if bags else []
    vocabulary = {term: i for i, term in enumerate(terms)}
    rows, tids, counts = _bag_triples(bags, vocabulary)
    df = np.bincount(tids, minlength=len(terms)).astype(np.float32)
    n = max(1, len(bags))
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    weights = ((1 + np.log(counts)) * idf[tids]).astype(np.float32)
    norms = _row_norms(rows, weights, len(bags))
    order = np.argsort(tids, kind="stable")
    offsets = np.searchsorted(tids[order], np.arange(len(terms) + 1)).astype(np.int64)
    return vocabulary, idf, (offsets, rows[order], weights[order]), norms


def _bag_triples(
    bags: Sequence[Counter[str]], vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One flat (row, term id, count) triple per distinct term of a bag: numpy does the rest."""
    lengths = np.fromiter((len(bag) for bag in bags), dtype=np.int64, count=len(bags))
    rows = np.repeat(np.arange(len(bags), dtype=np.int32), lengths)
    tids = np.fromiter(
        (vocabulary[t] for bag in bags for t in bag), dtype=np.int32, count=int(lengths.sum())
    )
    counts = np.fromiter(
        (c for bag in bags for c in bag.values()), dtype=np.float32, count=int(lengths.sum())
    )
    return rows, tids, counts


def _row_norms(rows: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=n)).astype(np.float32)
    norms[norms == 0] = 1.0
    return norms


@dataclass
class _FamilyParts:
    """What each family of some levels gives on its own, before any ladder-wide weighting."""

    keys: list[str]  # family keys, in first-seen order
    titles: list[str]
    level_family: np.ndarray  # per level: index into keys
    members: list[list[int]]  # per family: its level indexes
    bags: list[Counter[str]]  # per family: the tokens of its titles (three times) and items
    sums: np.ndarray  # per family: token-vector sums of the same text (postings.embedding)


def _item_words(profiles: Sequence[LevelProfile]) -> dict[str, list[str]]:
    # Inherited items repeat across levels: tokenise each distinct text once.
    words: dict[str, list[str]] = {}
    for profile in profiles:
        for _, text in profile.items:
            if text not in words:
                words[text] = tokens(text)
    return words


def _family_parts(profiles: Sequence[LevelProfile], words: dict[str, list[str]]) -> _FamilyParts:
    families: dict[str, int] = {}
    family_titles: list[str] = []
    members: list[list[int]] = []
    level_family = np.zeros(len(profiles), dtype=np.int32)
    for level, profile in enumerate(profiles):
        f = families.setdefault(family_key(profile.key), len(families))
        if f == len(members):
            members.append([])
            family_titles.append(profile.family)
        members[f].append(level)
        level_family[level] = f

    # A family's text: its titles (three times: they name the job) and its distinct items.
    # Token-vector sums of each distinct item, once: a family's meaning vector is the sum of
    # its titles' (its own three times) and its distinct items', as if read as one text.
    item_list = list(words)
    item_row = {text: row for row, text in enumerate(item_list)}
    item_sums, _ = token_sums(item_list)
    bags = []
    title_texts = []
    family_items: list[list[int]] = []
    for f, levels in enumerate(members):
        titles = " ".join(dict.fromkeys([family_titles[f]] + [profiles[i].title for i in levels]))
        bag = Counter(tokens(titles) * 3)
        seen: dict[str, None] = {}
        for i in levels:
            for _, text in profiles[i].items:
                if text not in seen:
                    seen[text] = None
                    bag.update(words[text])
        bags.append(bag)
        title_texts += [f"{family_titles[f]}.", f"{titles}."]
        family_items.append([item_row[text] for text in seen])
    title_sums, _ = token_sums(title_texts)
    family_sums = 3 * title_sums[0::2] + title_sums[1::2]
    for f, rows in enumerate(family_items):
        if rows:
            family_sums[f] += item_sums[rows].sum(axis=0)
    return _FamilyParts(list(families), family_titles, level_family, members, bags, family_sums)


def _title_set_words(titles: Sequence[str], known: Iterable[str] = ()) -> list[list[str]]:
    """Each title's job words, sorted; two adjacent words written as one in another title (or
    in ``known``, the words of titles already indexed) are joined."""
    sequences = [_title_sequence(t) for t in titles]
    single = set(known).union(*sequences)
    return [
        sorted(set(_join_compounds(seq, single)) | _occupation_words(title) | _head_words(title))
        for seq, title in zip(sequences, titles, strict=True)
    ]


def _occupation_words(title: str) -> frozenset[str]:
    """A title's occupations as title words ("@sales"; no real word starts with "@" or "^"),
    and its head's ("^sales", weightless: they only mark which title sets name that job)."""
    return frozenset(f"@{name}" for name in occupations(title))


def _head_words(title: str) -> frozenset[str]:
    return frozenset(f"^{name}" for name in head_occupations(title))


def _spoken(words: Iterable[str]) -> str:
    """Title words as text to embed: occupation words left out (they are no English)."""
    return " ".join(w for w in words if w[:1] not in "@^")


def _title_idf(word: str, n_sets: int, held: int) -> float:
    if word.startswith("@"):
        return OCCUPATION_WEIGHT
    if word.startswith("^"):
        return 0.0
    return math.log((1 + n_sets) / (1 + held)) + 1


def _level_item_rows(
    profiles: Sequence[LevelProfile], words: dict[str, list[str]], item_ids: dict[str, int]
) -> list[list[int]]:
    """Per level, its items as ids of distinct normalised texts; ``item_ids`` grows."""
    return [
        [item_ids.setdefault(" ".join(words[text]), len(item_ids)) for _, text in p.items]
        for p in profiles
    ]


def build_index(profiles: Sequence[LevelProfile]) -> LevelIndex:
    """The matcher's view of every family and level; build once per ladder version and cache it.

    >>> index = build_index([LevelProfile("f/a", "Analyst", "Sales", 6.0, (("requirements",
    ...                                   "SQL"),))])
    >>> index.families, index.item_texts
    (['f'], ['sql'])
    """
    words = _item_words(profiles)
    parts = _family_parts(profiles, words)
    vocabulary, idf, (term_offsets, term_rows, term_weights), norms = _tfidf_rows(parts.bags)

    set_words = _title_set_words(parts.titles + [p.title for p in profiles])
    title_vocabulary = sorted({word for words_of_title in set_words for word in words_of_title})
    title_ids = {word: i for i, word in enumerate(title_vocabulary)}
    set_rows = [[title_ids[word] for word in words_of_title] for words_of_title in set_words]
    holders: list[list[int]] = [[] for _ in title_vocabulary]
    for i, row in enumerate(set_rows):
        for word in row:
            holders[word].append(i)
    n_sets = max(1, len(set_rows))
    title_idf = np.array(
        [_title_idf(w, n_sets, len(h)) for w, h in zip(title_vocabulary, holders, strict=True)],
        dtype=np.float32,
    )

    item_ids: dict[str, int] = {}
    level_items = Ragged(_level_item_rows(profiles, words, item_ids))
    n_families = len(parts.keys)
    return LevelIndex(
        profiles=Profiles(profiles),
        families=parts.keys,
        family_titles=parts.titles,
        level_family=parts.level_family,
        family_levels=Ragged(parts.members),
        vocabulary=vocabulary,
        idf=idf,
        term_offsets=term_offsets,
        term_rows=term_rows,
        term_weights=term_weights,
        norms=norms,
        family_vectors=normalise(parts.sums),
        title_vocabulary=title_vocabulary,
        title_ids=title_ids,
        title_idf=title_idf,
        title_holders=Ragged(holders),
        title_sets=Ragged(set_rows),
        title_weights=_set_weights(set_rows, title_idf),
        title_vectors=[embed([_spoken(words_of_title) for words_of_title in set_words])],
        family_sets=np.arange(n_families, dtype=np.int32),
        level_sets=np.arange(n_families, n_families + len(profiles), dtype=np.int32),
        ranks=np.array([seniority(p.title) for p in profiles], dtype=np.float32),
        item_texts=list(item_ids),
        level_items=level_items,
        title_heads=_heads(parts.titles + [p.title for p in profiles], title_ids),
    )


def _heads(titles: Sequence[str], title_ids: dict[str, int]) -> np.ndarray:
    """Per title, the id of its head word (:func:`_head_word`), -1 when no title holds it."""
    return np.array([title_ids.get(_head_word(t), -1) for t in titles], dtype=np.int32)


def _set_weights(set_rows: Sequence[Sequence[int]], title_idf: np.ndarray) -> np.ndarray:
    return np.array([title_idf[row].sum() for row in set_rows], dtype=np.float32)


# --------------------------------------------------------------------------- one family anew


def _ragged_concat(left: Ragged, rows: Sequence[Sequence[int]]) -> Ragged:
    right = Ragged(rows)
    out = Ragged([])
    out.offsets = np.concatenate([left.offsets, right.offsets[1:] + left.offsets[-1]])
    out.flat = np.concatenate([left.flat, right.flat])
    return out


def _ragged_take(ragged: Ragged, rows: np.ndarray, remap: np.ndarray | None = None) -> Ragged:
    """The rows ``rows`` of ``ragged``, in that order, their values through ``remap`` (values
    mapped to -1 are dropped); array work, no loop over rows."""
    starts = ragged.offsets[rows]
    lengths = ragged.offsets[rows + 1] - starts
    # Positions of the chosen rows' values in flat: each run start, then +1 along the run.
    ends = np.cumsum(lengths)
    positions = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(
        starts - ends + lengths, lengths
    )
    values = ragged.flat[positions]
    row_of = np.repeat(np.arange(len(rows)), lengths)
    if remap is not None:
        values = remap[values]
        kept = values >= 0
        values, row_of = values[kept], row_of[kept]
    out = Ragged([])
    out.offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    out.offsets[1:] = np.cumsum(np.bincount(row_of, minlength=len(rows)))
    out.flat = values.astype(np.int32)
    return out


def _runs_append(
    offsets: np.ndarray,
    flats: Sequence[np.ndarray],
    keys: np.ndarray,
    values: Sequence[np.ndarray],
    n_keys: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Runs stored as offsets and flat arrays (a term's families, a word's title sets) with
    ``values[j][k]`` added at the end of run ``keys[k]``; runs past the old ones start empty.
    One copy of each array (np.insert), not a re-sort of the whole index.

    >>> offsets, (flat,) = _runs_append(np.array([0, 2, 3]), [np.array([5, 6, 7])],
    ...                                 np.array([2, 0]), [np.array([9, 8])], 3)
    >>> offsets.tolist(), flat.tolist()
    ([0, 3, 4, 5], [5, 6, 8, 7, 9])
    """
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    grown = np.concatenate([offsets, np.full(n_keys + 1 - len(offsets), offsets[-1])])
    at = grown[keys + 1]
    out = [
        np.insert(flat, at, value[order].astype(flat.dtype))
        for flat, value in zip(flats, values, strict=True)
    ]
    added = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n_keys))])
    return (grown + added).astype(np.int64), out


def _profiles_concat(left: Profiles, right: Profiles) -> Profiles:
    out = Profiles([])
    out.keys = left.keys + right.keys
    out.titles = left.titles + right.titles
    out.families = left.families + right.families
    out.grades = left.grades + right.grades
    out.pairs = left.pairs + right.pairs
    out.items = _ragged_concat(
        left.items, [right.items[i] + len(left.pairs) for i in range(len(right))]
    )
    return out


def index_replace(
    index: LevelIndex,
    *,
    families: Sequence[str] = (),
    profiles: Sequence[LevelProfile] = (),
    deltas: Sequence[tuple[Sequence[str], Sequence[LevelProfile]]] = (),
) -> LevelIndex:
    """A new index: the levels of ``families`` (family slugs) replaced by ``profiles`` (the
    new levels of those families, none for a family deleted), every other row reused as it
    is; milliseconds, not a rebuild.

    Replaced families and their levels stay in place, marked dead (renumbering every row would
    cost what a rebuild does); the new ones are appended. Words keep the idf of the last full
    build (one family moves document frequencies by one in thousands), a new word gets its idf
    from the live families (title words: sets) holding it now; ``build_index`` again gives the
    exact figures. ``index`` itself is not changed: readers may still hold it.

    >>> one = LevelProfile("f/a", "Analyst", "Sales", 6.0, (("requirements", "SQL"),))
    >>> two = LevelProfile("f/a", "Analyst", "Sales", 6.0, (("requirements", "Excel"),))
    >>> new = index_replace(build_index([one]), families=["f"], profiles=[two])
    >>> [p.items for p, live in zip(new.profiles, new.alive) if live]
    [(('requirements', 'Excel'),)]

    ``deltas``, earlier ``(families, profiles)`` replacements, are applied first, in order
    (a worker catching up on several edits): each costs one family's work, not a build.
    """
    steps = [*deltas, *([(families, profiles)] if families or profiles else [])]
    for step_families, step_profiles in steps[:-1]:
        index = _replace(index, families=step_families, profiles=step_profiles)
    if not steps:
        return index
    return _replace(index, families=steps[-1][0], profiles=steps[-1][1])


def _replace(
    index: LevelIndex, *, families: Sequence[str], profiles: Sequence[LevelProfile]
) -> LevelIndex:
    slugs = set(families)
    strays = sorted({family_key(p.key) for p in profiles} - slugs)
    if strays:
        raise ValueError(f"levels of families not being replaced: {', '.join(strays)}")
    old_alive = np.ones(len(index.families), dtype=bool)
    if index.family_alive is not None:
        old_alive &= index.family_alive
    old_alive &= np.fromiter((key not in slugs for key in index.families), dtype=bool)
    words = _item_words(profiles)
    parts = _family_parts(profiles, words)
    n_families, n_levels, n_sets = len(index.families), len(index.profiles), len(index.title_sets)
    family_alive = np.concatenate([old_alive, np.ones(len(parts.keys), dtype=bool)])
    live_families = int(family_alive.sum())

    # TF-IDF rows of the new families, weighted by the kept idf.
    vocabulary = index.vocabulary
    idf = index.idf
    new_terms = sorted(set().union(*parts.bags) - vocabulary.keys())
    if new_terms:
        vocabulary = {**vocabulary, **{t: len(vocabulary) + i for i, t in enumerate(new_terms)}}
        unseen = set(new_terms)
        df = Counter(t for bag in parts.bags for t in bag if t in unseen)
        fresh = [math.log((1 + live_families) / (1 + df[t])) + 1 for t in new_terms]
        idf = np.concatenate([idf, np.array(fresh, dtype=np.float32)])
    rows, tids, counts = _bag_triples(parts.bags, vocabulary)
    weights = ((1 + np.log(counts)) * idf[tids]).astype(np.float32)
    norms = _row_norms(rows, weights, len(parts.keys))
    term_offsets, (term_rows, term_weights) = _runs_append(
        index.term_offsets,
        [index.term_rows, index.term_weights],
        tids,
        [rows + n_families, weights],
        len(idf),
    )

    # Title sets of the new families, then of the new levels, after every existing set.
    set_words = _title_set_words(parts.titles + [p.title for p in profiles], index.title_ids.keys())
    title_vocabulary, title_ids, title_idf = (
        index.title_vocabulary,
        index.title_ids,
        index.title_idf,
    )
    new_words = sorted({w for ws in set_words for w in ws} - title_ids.keys())
    if new_words:
        title_vocabulary = title_vocabulary + new_words
        title_ids = {**title_ids, **{w: len(title_ids) + i for i, w in enumerate(new_words)}}
        held = Counter(w for ws in set_words for w in ws)
        live_sets = live_families + int(old_alive[index.level_family].sum()) + len(profiles)
        fresh = [_title_idf(w, live_sets, held[w]) for w in new_words]
        title_idf = np.concatenate([title_idf, np.array(fresh, dtype=np.float32)])
    set_rows = [[title_ids[w] for w in ws] for ws in set_words]
    lengths = [len(row) for row in set_rows]
    holder_offsets, (holder_flat,) = _runs_append(
        index.title_holders.offsets,
        [index.title_holders.flat],
        np.fromiter((w for row in set_rows for w in row), dtype=np.int64, count=sum(lengths)),
        [np.repeat(np.arange(n_sets, n_sets + len(set_rows)), lengths)],
        len(title_vocabulary),
    )
    holders = Ragged([])
    holders.offsets, holders.flat = holder_offsets, holder_flat

    texts = len(index.item_texts)
    item_ids: dict[str, int] = {}
    item_rows = _level_item_rows(profiles, words, item_ids)
    new_family_sets = n_sets + np.arange(len(parts.keys), dtype=np.int32)
    return LevelIndex(
        profiles=_profiles_concat(index.profiles, Profiles(profiles)),
        families=index.families + parts.keys,
        family_titles=index.family_titles + parts.titles,
        level_family=np.concatenate([index.level_family, parts.level_family + n_families]),
        family_levels=_ragged_concat(
            index.family_levels, [[n_levels + i for i in m] for m in parts.members]
        ),
        vocabulary=vocabulary,
        idf=idf,
        term_offsets=term_offsets,
        term_rows=term_rows,
        term_weights=term_weights,
        norms=np.concatenate([index.norms, norms]),
        family_vectors=np.concatenate([index.family_vectors, normalise(parts.sums)]),
        title_vocabulary=title_vocabulary,
        title_ids=title_ids,
        title_idf=title_idf,
        title_holders=holders,
        title_sets=_ragged_concat(index.title_sets, set_rows),
        title_weights=np.concatenate([index.title_weights, _set_weights(set_rows, title_idf)]),
        title_vectors=[*index.title_vectors, embed([_spoken(ws) for ws in set_words])],
        family_sets=np.concatenate([index.family_sets, new_family_sets]),
        level_sets=np.concatenate(
            [
                index.level_sets,
                n_sets + len(parts.keys) + np.arange(len(profiles), dtype=np.int32),
            ]
        ),
        ranks=np.concatenate(
            [index.ranks, np.array([seniority(p.title) for p in profiles], dtype=np.float32)]
        ),
        item_texts=index.item_texts + list(item_ids),
        level_items=_ragged_concat(
            index.level_items, [[texts + i for i in row] for row in item_rows]
        ),
        family_alive=family_alive,
        alive=family_alive[np.concatenate([index.level_family, parts.level_family + n_families])],
        title_heads=None
        if index.title_heads is None
        else np.concatenate(
            [index.title_heads, _heads(parts.titles + [p.title for p in profiles], title_ids)]
        ),
    )


def index_compact(index: LevelIndex) -> LevelIndex:
    """The same index without the rows ``index_replace`` marked dead, renumbered: families,
    then levels, then title sets in the order ``build_index`` gives them. Array work, no text
    is tokenised or embedded again (the words' idf stay those of the last full build).

    >>> one = LevelProfile("f/a", "Analyst", "Sales", 6.0, (("requirements", "SQL"),))
    >>> index = index_replace(build_index([one]), families=["f"], profiles=[one])
    >>> len(index.profiles), len(index_compact(index).profiles)
    (2, 1)
    """
    if index.family_alive is None:
        return index
    keep_families = np.flatnonzero(index.family_alive)
    keep = np.flatnonzero(index.family_alive[index.level_family])
    family_remap = np.full(len(index.families), -1, dtype=np.int64)
    family_remap[keep_families] = np.arange(len(keep_families))
    level_remap = np.full(len(index.profiles), -1, dtype=np.int64)
    level_remap[keep] = np.arange(len(keep))
    # Title sets: the kept families' own, then the kept levels'.
    keep_sets = np.concatenate([index.family_sets[keep_families], index.level_sets[keep]])
    set_remap = np.full(len(index.title_sets), -1, dtype=np.int64)
    set_remap[keep_sets] = np.arange(len(keep_sets))

    # Term runs: drop the dead families' entries (a term left on no family keeps its empty
    # run: the vocabulary still names it).
    term_of = np.repeat(np.arange(len(index.idf)), np.diff(index.term_offsets))
    moved = family_remap[index.term_rows]
    live = moved >= 0
    term_offsets = np.zeros(len(index.idf) + 1, dtype=np.int64)
    term_offsets[1:] = np.cumsum(np.bincount(term_of[live], minlength=len(index.idf)))

    # Item texts and pairs no kept level uses any more go too.
    level_items = _ragged_take(index.level_items, keep)
    used_texts = np.unique(level_items.flat)
    text_remap = np.full(len(index.item_texts), -1, dtype=np.int64)
    text_remap[used_texts] = np.arange(len(used_texts))
    level_items.flat = text_remap[level_items.flat].astype(np.int32)
    old = index.profiles
    profiles = Profiles([])
    profiles.keys = [old.keys[i] for i in keep]
    profiles.titles = [old.titles[i] for i in keep]
    profiles.families = [old.families[i] for i in keep]
    profiles.grades = [old.grades[i] for i in keep]
    profiles.items = _ragged_take(old.items, keep)
    used_pairs = np.unique(profiles.items.flat)
    pair_remap = np.full(len(old.pairs), -1, dtype=np.int64)
    pair_remap[used_pairs] = np.arange(len(used_pairs))
    profiles.items.flat = pair_remap[profiles.items.flat].astype(np.int32)
    profiles.pairs = [old.pairs[i] for i in used_pairs]

    n_families = len(keep_families)
    return LevelIndex(
        profiles=profiles,
        families=[index.families[i] for i in keep_families],
        family_titles=[index.family_titles[i] for i in keep_families],
        level_family=family_remap[index.level_family[keep]].astype(np.int32),
        family_levels=_ragged_take(index.family_levels, keep_families, level_remap),
        vocabulary=index.vocabulary,
        idf=index.idf,
        term_offsets=term_offsets,
        term_rows=moved[live].astype(np.int32),
        term_weights=index.term_weights[live],
        norms=index.norms[keep_families],
        family_vectors=index.family_vectors[keep_families],
        title_vocabulary=index.title_vocabulary,
        title_ids=index.title_ids,
        title_idf=index.title_idf,
        title_holders=_ragged_take(
            index.title_holders, np.arange(len(index.title_vocabulary)), set_remap
        ),
        title_sets=_ragged_take(index.title_sets, keep_sets),
        title_weights=index.title_weights[keep_sets],
        title_vectors=[np.concatenate(index.title_vectors)[keep_sets]],
        family_sets=np.arange(n_families, dtype=np.int32),
        level_sets=np.arange(n_families, n_families + len(keep), dtype=np.int32),
        ranks=index.ranks[keep],
        item_texts=[index.item_texts[i] for i in used_texts],
        level_items=level_items,
        title_heads=None if index.title_heads is None else index.title_heads[keep_sets],
    )


# The last index built from a plain sequence, keyed by the identity of its (frozen) profiles:
# the same profiles give the same index even in a new list, and the index holds them alive,
# so an id cannot be reused by another profile while the entry exists.
_last_index: tuple[tuple[int, ...], LevelIndex] | None = None


def _index_of(levels: LevelIndex | Sequence[LevelProfile]) -> LevelIndex:
    global _last_index
    if isinstance(levels, LevelIndex):
        return levels
    key = tuple(map(id, levels))
    if _last_index is not None and _last_index[0] == key:
        return _last_index[1]
    index = build_index(levels)
    _last_index = (key, index)
    return index


# --------------------------------------------------------------------------- items


def posting_items(posting: ParsedPosting) -> list[tuple[str, str]]:
    """The (section, text) items a level is measured against: what the job asks and does.

    >>> from postings.parsing import PostingItem
    >>> posting_items(ParsedPosting("T", "", "", "text", [PostingItem("about", "We sell"),
    ...                                                   PostingItem("requirements", "SQL")]))
    [('requirements', 'SQL')]
    """
    asked = [(i.section, i.text) for i in posting.items if i.section in ASKED]
    # A posting with no recognisable sections still says something about the job.
    return asked or [(i.section, i.text) for i in posting.items if i.section == "other"]


def _similarity(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Item similarity 0-100 of normalised texts, all pairs at once."""
    if not left or not right:
        return np.zeros((len(left), len(right)), dtype=np.uint8)
    # workers=-1: the one expensive step; rapidfuzz releases the GIL and uses every core.
    return process.cdist(left, right, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=-1)


def _pairs(
    items: Sequence[tuple[str, str]], level_texts: Sequence[str], scores: np.ndarray
) -> list[ItemPair]:
    if not len(level_texts):
        return [ItemPair(text, None, 0.0, "missing", section) for section, text in items]
    best = scores.argmax(axis=1)
    pairs = []
    for row, (section, text) in enumerate(items):
        score = float(scores[row, best[row]])
        pairs.append(ItemPair(text, level_texts[int(best[row])], score, _status(score), section))
    return pairs


def compare_items(
    posting_items: Sequence[tuple[str, str]], level_items: Sequence[tuple[str, str]]
) -> list[ItemPair]:
    """Each posting item with its most similar level item: covered, partly or missing.

    >>> [p.status for p in compare_items([("requirements", "Strong SQL skills"),
    ...                                   ("requirements", "Fluent in Klingon")],
    ...                                  [("requirements", "SQL skills and Excel")])]
    ['covered', 'missing']
    """
    if not posting_items:
        return []
    scores = _similarity(
        [_normal(t) for _, t in posting_items], [_normal(t) for _, t in level_items]
    )
    return _pairs(posting_items, [t for _, t in level_items], scores)


def unasked_items(
    posting_items: Sequence[tuple[str, str]], level_items: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The level's items no posting item asks for (not even partly), in level order.

    >>> unasked_items([("requirements", "SQL skills")],
    ...               [("requirements", "SQL skills"), ("responsibilities", "Run QBRs")])
    [('responsibilities', 'Run QBRs')]
    """
    if not level_items:
        return []
    if not posting_items:
        return list(level_items)
    scores = _similarity(
        [_normal(t) for _, t in level_items], [_normal(t) for _, t in posting_items]
    )
    return [
        item for item, best in zip(level_items, scores.max(axis=1), strict=True) if best < PARTLY
    ]


# --------------------------------------------------------------------------- ranking


def _family_text(index: LevelIndex, text: str) -> np.ndarray:
    """How well ``text`` agrees with every family's whole text, 0-1: shared rare words
    (TF-IDF cosine) and meaning (embedding cosine), half each."""
    words = np.minimum(1.0, _family_words(index, text) / _TEXT_FULL)
    # einsum, not "@": a matrix-vector product goes to a multi-threaded BLAS, which on a busy
    # two-core machine waited 10+ ms for its threads; einsum's own loop takes well under 1 ms.
    meaning = np.einsum("fd,d->f", index.family_vectors, embed([text])[0])
    meaning = np.clip((meaning - _MEANING_FLOOR) / (_MEANING_FULL - _MEANING_FLOOR), 0, 1)
    return np.minimum(1.0, 0.5 * words + 0.5 * meaning)


def _family_words(index: LevelIndex, text: str) -> np.ndarray:
    """TF-IDF cosine of ``text`` against every family's whole text."""
    scores = np.zeros(len(index.families), dtype=np.float32)
    query_norm = 0.0
    for term, count in Counter(tokens(text)).items():
        tid = index.vocabulary.get(term)
        if tid is None:
            continue
        weight = (1 + math.log(count)) * float(index.idf[tid])
        query_norm += weight * weight
        start, end = index.term_offsets[tid], index.term_offsets[tid + 1]
        scores[index.term_rows[start:end]] += weight * index.term_weights[start:end]
    return scores / (index.norms * (math.sqrt(query_norm) or 1.0))


def _title_fit(index: LevelIndex, words: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per title set (families' titles, then levels'): how much of the posting title's words it
    holds and how much of its words the posting title holds, weighted by rarity, averaged (the
    fit: 1 is the same job words; a shared common word such as "manager" alone scores little);
    and the second part alone (the cover: 1 when the posting title names every job word of it).
    """
    fit = np.zeros(len(index.title_sets), dtype=np.float32)
    # A word no title holds is as rare as a word can be: it counts fully against every title
    # (every live one: as many as build_index would count).
    n_sets = len(index.title_sets)
    if index.family_alive is not None:
        n_sets = int(index.family_alive.sum()) + int(index.family_alive[index.level_family].sum())
    unseen = math.log(1 + n_sets) + 1
    ids = [index.title_ids.get(w) for w in words]
    asked = 0.0
    for word, i in zip(words, ids, strict=True):
        if i is not None:
            asked += float(index.title_idf[i])
        else:  # an occupation's weight is fixed, held or not
            asked += OCCUPATION_WEIGHT if word.startswith("@") else unseen
    if not asked:
        return fit, fit.copy()
    shared = np.zeros(len(index.title_sets), dtype=np.float32)
    for i in ids:
        if i is not None:
            shared[index.title_holders[i]] += index.title_idf[i]
    cover = shared / np.maximum(index.title_weights, 1e-6)
    dice = 2 * shared / (asked + np.maximum(index.title_weights, 1e-6))
    return (1 - _COVER_SHARE) * dice + _COVER_SHARE * cover, cover


def _occupation_sets(
    index: LevelIndex, words: frozenset[str], heads: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per title set: whether its head names the job the posting title's head names (``heads``,
    "^" words), and whether it names occupations, none of them the posting's (``words``' "@"
    words; when the posting's title names any)."""
    n_sets = len(index.title_sets)
    same_head = np.zeros(n_sets, dtype=bool)
    shared = np.zeros(n_sets, dtype=bool)
    any_named = np.zeros(n_sets, dtype=bool)
    if not any(w.startswith("@") for w in words):
        return same_head, any_named
    for name in OCCUPATIONS:
        if (i := index.title_ids.get(f"@{name}")) is not None:
            holders = index.title_holders[i]
            any_named[holders] = True
            if f"@{name}" in words:
                shared[holders] = True
        if f"^{name}" in heads and (i := index.title_ids.get(f"^{name}")) is not None:
            same_head[index.title_holders[i]] = True
    return same_head, any_named & ~shared


def _missing_title_words(index: LevelIndex, posting: ParsedPosting) -> np.ndarray:
    """Per family, the rarity-weighted share of its title's words that the posting says
    nowhere (title or any item), for the family's title or level title that lacks least."""
    said = " ".join([posting.title, *(item.text for item in posting.items)])
    words = _join_compounds(
        [_title_word(w) for w in re.findall(r"[a-z0-9]+", _normal_title(said))], index.title_ids
    )
    present = np.zeros(len(index.title_sets), dtype=np.float32)
    for word in set(words):
        i = index.title_ids.get(word)
        if i is not None:
            present[index.title_holders[i]] += index.title_idf[i]
    # Occupation words are read from a title, never said: only the real words count.
    weights = index.title_weights.copy()
    for name in OCCUPATIONS:
        if (i := index.title_ids.get(f"@{name}")) is not None:
            weights[index.title_holders[i]] -= index.title_idf[i]
    missing = 1 - np.minimum(1.0, present / np.maximum(weights, 1e-6))
    # A title with no job word at all ("Intermediate") says nothing: nothing missing.
    missing[weights <= 1e-6] = 0
    family = missing[index.family_sets]
    np.minimum.at(family, index.level_family, missing[index.level_sets])
    return family


def _head_word(title: str) -> str:
    """The last job word of a title, which names what the job is in English ("Recruiting
    Coordinator" is a coordinator)."""
    lowered = re.sub(r"\([^)]*\)", " ", title.lower())
    lowered = re.split(r"\s[-–—|/]\s|,", lowered)[0]
    words = [
        _title_word(w)
        for w in re.findall(r"[a-z0-9]+", lowered)
        if w not in _TITLE_SENIORITY and w not in _TITLE_FILLER
    ]
    return words[-1] if words else ""


def _confidence(
    title: float, cover: float, text: float, head: bool = True, text_best: float = 0.0
) -> str:
    # Only a posting whose title names the family's whole job (every job word of the family's
    # or one of its levels' titles, including the title's head word), and whose text reads
    # like this family about as well as like any other, can be "high"; one whose title names
    # another job and whose text points nowhere in particular is "low" however high its rank
    # among weak candidates.
    if (
        head
        and cover >= HIGH_COVER
        and title >= HIGH_TITLE
        and text >= max(HIGH_TEXT, text_best - HIGH_TEXT_BEHIND)
    ):
        return "high"
    if title >= MEDIUM_TITLE or (title > 0 and text >= MEDIUM_TEXT):
        return "medium"
    return "low"


@dataclass
class _Placed:
    level: int
    score: float
    family_title: float
    family_cover: float
    family_text: float
    title_level: int  # the level whose title words matched best (-1: the family's own title)
    seniority: float
    years: float
    other_job: bool = False  # the family's name names only jobs the posting never names


def _other_occupation_families(
    index: LevelIndex, posting: ParsedPosting, words: frozenset[str]
) -> np.ndarray:
    """Per family, 1.0 when its own title names occupations and the posting names none of them
    (in its title's occupations, ``words``' "@" words, or in a phrase of its text), else 0.0.
    Read from the title sets' occupation words already in the index: nothing new to keep."""
    said = {w[1:] for w in words if w.startswith("@")}
    other = np.zeros(len(index.families), dtype=np.float32)
    if not said:
        return other
    for item in posting.items:
        said |= text_occupations(item.text)
    names_any = np.zeros(len(index.title_sets), dtype=bool)
    names_said = np.zeros(len(index.title_sets), dtype=bool)
    for name in OCCUPATIONS:
        if (i := index.title_ids.get(f"@{name}")) is not None:
            names_any[index.title_holders[i]] = True
            if name in said:
                names_said[index.title_holders[i]] = True
    own = index.family_sets
    other[names_any[own] & ~names_said[own]] = 1.0
    return other


def rank_levels(
    posting: ParsedPosting,
    levels: LevelIndex | Sequence[LevelProfile],
    limit: int | None = None,
) -> list[Match]:
    """Levels for a posting, best first, each with a score in [0, 1], a confidence, the item
    pairs and a short explanation. Families are ranked first; the levels of the best
    :data:`CANDIDATE_FAMILIES` are then placed on each family's scale. At most ``limit`` (else
    :data:`CANDIDATES`) levels are returned. Pass a :class:`LevelIndex` (:func:`build_index`)
    when ranking many postings against the same ladder.

    >>> rank_levels(posting, build_index(profiles), limit=3)  # doctest: +SKIP
    [Match(key='sales-operations/senior-manager-sales-operations', score=0.86, ...), ...]
    """
    index = _index_of(levels)
    if not index.profiles:
        return []
    asked = posting_items(posting)
    words = title_words(posting.title, index.title_ids) | _occupation_words(posting.title)
    rank, rank_reason = posting_rank(posting)
    weights = LEVEL_WEIGHTS
    if posting.years_min is not None and not _states_rank(posting.title):
        weights = LEVEL_WEIGHTS_BY_YEARS
    n_families = len(index.families)
    live = index.family_alive
    n_live = n_families if live is None else int(live.sum())
    if not n_live:
        return []

    # First pass, every family: arrays only (a replaced family's dead rows too: masking them
    # costs more than scoring them).
    text_share = _family_text(index, " ".join([posting.title] * 3 + [t for _, t in asked]))
    fits, covers = _title_fit(index, words)
    asked_meaning = embed([_spoken(sorted(words))])[0]
    meaning = np.concatenate(
        [np.einsum("td,d->t", block, asked_meaning) for block in index.title_vectors]
    )
    named, other = _occupation_sets(index, words, _head_words(posting.title))
    if OCCUPATION_CLASH:
        fits = np.where(other, fits * (1 - OCCUPATION_CLASH), fits)
        meaning = np.where(other, meaning * (1 - OCCUPATION_CLASH), meaning)
    level_fits = fits[index.level_sets]
    family_title = fits[index.family_sets]
    np.maximum.at(family_title, index.level_family, level_fits)
    family_meaning = np.clip(meaning[index.family_sets], 0, 1)
    np.maximum.at(family_meaning, index.level_family, np.clip(meaning[index.level_sets], 0, 1))
    family_title = np.maximum(family_title, TITLE_MEANING * family_meaning)
    head_id = index.title_ids.get(_head_word(posting.title))
    if HEAD_AGREEMENT and index.title_heads is not None and head_id is not None:
        # The same fits, each title set's scaled by whether its head is the posting's (or it
        # names the posting's occupation); the family keeps its best title set. A head no live
        # title has says nothing (as after a full build, where that word would not be a title
        # word at all).
        same = (index.title_heads == head_id) | named
        family_same, level_same = same[index.family_sets], same[index.level_sets]
        if live is not None:
            family_same, level_same = family_same & live, level_same & index.alive
        if family_same.any() or level_same.any():
            agree = np.where(same, 1.0, 1.0 - HEAD_AGREEMENT)
            headed = np.maximum(fits, TITLE_MEANING * np.clip(meaning, 0, 1)) * agree
            family_title = headed[index.family_sets]
            np.maximum.at(family_title, index.level_family, headed[index.level_sets])
    family_cover = covers[index.family_sets]
    np.maximum.at(family_cover, index.level_family, covers[index.level_sets])
    family_score = FAMILY_WEIGHTS["title"] * family_title + FAMILY_WEIGHTS["text"] * text_share
    if MISSING_TITLE_WORDS:
        family_score = family_score - MISSING_TITLE_WORDS * _missing_title_words(index, posting)
    if FAMILY_RANK:
        near = np.clip(1 - np.maximum(np.abs(index.ranks - rank) - 1, 0) / 2, 0, 1)
        family_near = np.zeros(n_families, dtype=np.float32)
        np.maximum.at(family_near, index.level_family, near)
        family_score = family_score - FAMILY_RANK * (1 - family_near)
    other_job = np.zeros(n_families, dtype=np.float32)
    if FAMILY_OCCUPATION:
        other_job = _other_occupation_families(index, posting, words)
        family_score = family_score - FAMILY_OCCUPATION * other_job
    if live is not None:
        # Dead families never rank, nor set the best text agreement.
        family_score = np.where(live, family_score, -np.inf)
        text_best = float(text_share[live].max())
    else:
        text_best = float(text_share.max())
    count = min(CANDIDATE_FAMILIES, n_live)
    top = np.argpartition(-family_score, count - 1)[:count] if count < n_families else range(count)

    # Second pass: the levels of those families, placed on each family's own scale.
    head_in: dict[int, bool] = {}
    placed: list[_Placed] = []
    for f in (int(i) for i in top):
        members = [int(i) for i in index.family_levels[f]]
        best_title = max(members, key=lambda i: level_fits[i])
        title_level = best_title if level_fits[best_title] >= fits[f] else -1
        head_in[f] = head_id is not None and (
            head_id in index.title_sets[int(index.family_sets[f])]
            or any(head_id in index.title_sets[int(index.level_sets[i])] for i in members)
        )
        for level in members:
            fit = float(np.clip(1 - abs(float(index.ranks[level]) - rank) / 3, 0, 1))
            years = _years_fit(posting, index.profiles.grades[level])
            level_score = (
                weights["seniority"] * fit
                + weights["years"] * years
                + weights["title"] * float(level_fits[level])
            )
            score = (
                SCORE_WEIGHTS["family"] * float(family_score[f])
                + SCORE_WEIGHTS["level"] * level_score
            )
            placed.append(
                _Placed(
                    level,
                    round(max(0.0, min(1.0, score)), 4),
                    float(family_title[f]),
                    float(family_cover[f]),
                    float(text_share[f]),
                    # The level's own title when it matches as well as the best one.
                    level
                    if title_level >= 0 and level_fits[level] >= level_fits[title_level]
                    else title_level,
                    fit,
                    years,
                    bool(other_job[f]),
                )
            )
    # Each family's best level first (one per family, best family first), then the families'
    # other levels: three levels of one family at one grade tell a recruiter less than the
    # next family's best. Equal scores: a level with a grade first (it places the posting on
    # the scale), then the first of a family's tied levels.
    placed.sort(
        key=lambda p: (
            -p.score,
            index.profiles.grades[p.level] is None,
            index.profiles.keys[p.level],
        )
    )
    best: list[_Placed] = []
    others: list[_Placed] = []
    seen: set[int] = set()
    for p in placed:
        family = int(index.level_family[p.level])
        if family in seen:
            p.score = round(max(0.0, p.score - OTHER_LEVEL_DISCOUNT), 4)
            others.append(p)
        else:
            seen.add(family)
            best.append(p)
    placed = best + others
    placed = placed[: limit or CANDIDATES]

    # Items only for what is returned: the distinct texts of those levels, in one cdist.
    used = sorted({int(i) for p in placed for i in index.level_items[p.level]})
    column = {item: col for col, item in enumerate(used)}
    scores = _similarity([_normal(t) for _, t in asked], [index.item_texts[i] for i in used])
    matches = []
    for p in placed:
        profile = index.profiles[p.level]
        cols = [column[int(i)] for i in index.level_items[p.level]]
        grid = scores[:, cols] if asked else np.zeros((0, len(cols)), dtype=np.uint8)
        pairs = _pairs(asked, [t for _, t in profile.items], grid)
        matches.append(
            Match(
                key=profile.key,
                title=profile.title,
                grade=profile.grade,
                score=p.score,
                confidence=_confidence(
                    p.family_title,
                    p.family_cover,
                    p.family_text,
                    head_in[int(index.level_family[p.level])],
                    text_best,
                ),
                explanation=_explain(posting, index, profile, pairs, p, words, rank_reason),
                pairs=pairs,
            )
        )
    return matches


def _set_words(index: LevelIndex, title_set: int) -> frozenset[str]:
    return frozenset(index.title_vocabulary[int(i)] for i in index.title_sets[title_set])


def _explain(
    posting: ParsedPosting,
    index: LevelIndex,
    profile: LevelProfile,
    pairs: list[ItemPair],
    placed: _Placed,
    words: frozenset[str],
    rank_reason: str,
) -> list[str]:
    covered = sum(p.status == "covered" for p in pairs)
    partly = sum(p.status == "partly" for p in pairs)
    f = int(index.level_family[placed.level])
    if placed.title_level >= 0:
        named = index.profiles.titles[placed.title_level]
        title_set = int(index.level_sets[placed.title_level])
    else:
        named = index.family_titles[f]
        title_set = int(index.family_sets[f])
    shared = words & _set_words(index, title_set)
    same_jobs = sorted(w[1:].replace("-", " ") for w in shared if w.startswith("@"))
    shared_words = sorted(w for w in shared if not w.startswith("@"))
    if shared_words:
        title = (
            f"title: {', '.join(shared_words)} as in “{named}” "
            f"({placed.family_title:.0%} of the job words)"
        )
        if not _head_words(posting.title) & _set_words(index, title_set):
            title += _head_note(posting, index, title_set)
        if same_jobs:
            title += f"; both are {' and '.join(same_jobs)} jobs"
    elif same_jobs:
        title = (
            f"title: “{posting.title}” and “{named}” are both {' and '.join(same_jobs)} jobs "
            f"({placed.family_title:.0%} title agreement)"
        )
    else:
        title = f"title: no job word in common with {index.family_titles[f]}"
        if placed.family_title > 0:
            title += f", {placed.family_title:.0%} close in meaning"
    lines = [
        f"{covered} of {len(pairs)} posting items covered, {partly} partly",
        title,
        f"text: {placed.family_text:.0%} agreement with the {index.family_titles[f]} family",
    ]
    if placed.other_job:
        jobs = sorted(
            w[1:].replace("-", " ")
            for w in _set_words(index, int(index.family_sets[f]))
            if w.startswith("@")
        )
        lines.append(
            f"family: “{index.family_titles[f]}” names {' and '.join(jobs)} work, which "
            "this posting names nowhere (ranked lower)"
        )
    grade = f"grade {profile.grade:g}" if profile.grade is not None else "a level with no grade"
    seniority_line = f"{rank_reason} → {grade} on this family's scale ({profile.title})"
    if posting.years_min is not None:
        asked = (
            f"{posting.years_min}+"
            if posting.years_max is None
            else f"{posting.years_min}-{posting.years_max}"
        )
        seniority_line += f"; {asked} years asked"
        band = expected_years(profile.grade)
        if band:
            usual = f"{band[0]}+" if band[1] is None else f"{band[0]}-{band[1]}"
            seniority_line += f", grade {profile.grade:g} usually {usual}"
    lines.append(seniority_line)
    # Only pairs that truly match: similar wording (covered) and a similar meaning too, since
    # sharing a few words ("sales", "team") is not saying the same thing.
    covered_pairs = sorted((p for p in pairs if p.status == "covered"), key=lambda p: -p.score)
    covered_pairs = covered_pairs[:PAIR_CANDIDATES]
    vectors = embed([t for p in covered_pairs for t in (p.posting_text, p.level_text or "")])
    best = [
        p
        for i, p in enumerate(covered_pairs)
        if float(vectors[2 * i] @ vectors[2 * i + 1]) >= PAIR_MEANING
    ][:2]
    lines += [
        f"“{quote(p.posting_text, QUOTE)}” ≈ “{quote(p.level_text or '', QUOTE)}”" for p in best
    ]
    return lines


def _head_note(posting: ParsedPosting, index: LevelIndex, title_set: int) -> str:
    """Why a title sharing words counts less: it names another job (its head word)."""
    if not HEAD_AGREEMENT or index.title_heads is None:
        return ""
    asked = index.title_ids.get(_head_word(posting.title))
    head = int(index.title_heads[title_set])
    if asked is None or head < 0 or head == asked:
        return ""
    named, wanted = index.title_vocabulary[head], index.title_vocabulary[asked]
    return (
        f"; it names {_article(named)} {named}, the posting {_article(wanted)} {wanted} "
        f"({1 - HEAD_AGREEMENT:.0%} counted)"
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def quote(text: str, limit: int = 70) -> str:
    """A short quotation: whole words, with an ellipsis when cut.

    >>> quote("Own the weekly forecast call with sales leadership", 30)
    'Own the weekly forecast call…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"
