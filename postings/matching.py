"""Rank ladder levels against a job posting, and pair a posting's items with a level's.

Pure and fast: plain data in (:class:`~postings.parsing.ParsedPosting`, :class:`LevelProfile`),
plain data out (:class:`Match`, :class:`ItemPair`). No Django.

Two stages, so one posting against thousands of levels stays in milliseconds:

1. *Every* level gets a cheap score from arrays built once per ladder (:func:`build_index`):
   a TF-IDF cosine over word stems (an inverted index, numpy scatter-add), title similarity
   (one rapidfuzz ``cdist`` row), seniority distance and years-vs-grade fit.
2. The best :data:`CANDIDATES` levels are scored in detail: their items and the posting's
   asked items are compared in one ``cdist`` over the distinct texts (inherited items repeat
   across levels, so there are far fewer than levels × items).

The final score blends (:data:`WEIGHTS`) item coverage both ways, the cosine, title and job-family
words, seniority and years. Confidence is not the score alone: a posting whose title does not
name the level's job family (an "Inside Sales Manager" against Sales *Operations*, a Data
Engineer against anything in sales) is never "high", and without any family word it is "low".

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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from postings.parsing import ASKED, ParsedPosting

CANDIDATES = 30  # levels scored item by item after the cheap first pass
COVERED, PARTLY = 70.0, 50.0  # item similarity (0-100) for "covered" and "partly"
# Item similarity → credit: nothing below 40 (unrelated sentences share a few words), full
# credit from 80.
_CREDIT_FLOOR, _CREDIT_FULL = 40.0, 80.0
WEIGHTS = {
    "items": 0.35,  # posting items covered by the level (0.65) and level items asked (0.35)
    "cosine": 0.10,  # TF-IDF cosine of the whole texts
    "title": 0.25,  # title similarity (0.5) and job-family words in the title (0.5)
    "seniority": 0.18,  # seniority(title) distance: 0 → 1, 3+ steps → 0
    "years": 0.12,  # years asked vs the grade's usual band
}
HIGH, MEDIUM = 0.60, 0.45  # confidence thresholds on the blended score (with family rules)

# A string of words reads better than a 90-line literal.
_STOP = frozenset(
    """a an and are as at be been by for from has have in is it its of on or our the their this
    to was we will with you your who what which within across into over per able ability
    strong excellent experience years year work working team teams role including etc new
    other all any can must may should would also well more most such using use via e.g i.e
    plus ideal preferred required requirements responsibilities job position company""".split()  # noqa: SIM905
)
# Words in a family title that say nothing about the job family.
_FAMILY_NOISE = frozenset({"role", "roles", "job", "family", "families", "level", "levels"})
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


def _credit(scores: np.ndarray) -> float:
    """Mean credit of item similarities: 0 up to the floor, 1 from "full", linear between."""
    if not scores.size:
        return 0.0
    credit = (scores.astype(np.float32) - _CREDIT_FLOOR) / (_CREDIT_FULL - _CREDIT_FLOOR)
    return float(np.clip(credit, 0, 1).mean())


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
    """Everything about the levels that does not depend on the posting; build once, reuse."""

    profiles: Profiles
    vocabulary: dict[str, int]
    idf: np.ndarray
    postings: dict[int, tuple[np.ndarray, np.ndarray]]  # term → (level indexes, weights)
    norms: np.ndarray
    family_words: list[frozenset[str]]
    titles: list[str]  # normalised, for rapidfuzz
    ranks: np.ndarray  # seniority() of each title
    item_texts: list[str]  # distinct normalised item texts of all levels
    level_items: Ragged  # per level: indexes into item_texts, in item order


def build_index(profiles: Sequence[LevelProfile]) -> LevelIndex:
    """The matcher's view of every level; build once per ladder version and cache it.

    >>> index = build_index([LevelProfile("f/a", "Analyst", "Sales", 6.0, (("requirements",
    ...                                   "SQL"),))])
    >>> len(index.profiles), index.item_texts
    (1, ['sql'])
    """
    # Inherited items repeat across levels: tokenise each distinct text once.
    words: dict[str, list[str]] = {}
    for profile in profiles:
        for _, text in profile.items:
            if text not in words:
                words[text] = tokens(text)
    counts = []
    for profile in profiles:
        bag = Counter(tokens(profile.title))
        for _, text in profile.items:
            bag.update(words[text])
        counts.append(bag)
    df: Counter[str] = Counter()
    for bag in counts:
        df.update(bag.keys())
    n = max(1, len(profiles))
    terms = sorted(df)
    vocabulary = {term: i for i, term in enumerate(terms)}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in terms], dtype=np.float32)
    rows: dict[int, tuple[list[int], list[float]]] = {}
    norms = np.ones(len(profiles), dtype=np.float32)
    for level, bag in enumerate(counts):
        total = 0.0
        for term, count in bag.items():
            tid = vocabulary[term]
            weight = (1 + math.log(count)) * float(idf[tid])
            total += weight * weight
            idx, weights = rows.setdefault(tid, ([], []))
            idx.append(level)
            weights.append(weight)
        norms[level] = math.sqrt(total) or 1.0
    item_ids: dict[str, int] = {}
    level_items = Ragged(
        [
            [item_ids.setdefault(" ".join(words[text]), len(item_ids)) for _, text in p.items]
            for p in profiles
        ]
    )
    family_words: dict[str, frozenset[str]] = {}
    for p in profiles:
        if p.family not in family_words:
            family_words[p.family] = frozenset(tokens(p.family)) - _FAMILY_NOISE
    return LevelIndex(
        profiles=Profiles(profiles),
        vocabulary=vocabulary,
        idf=idf,
        postings={
            tid: (np.array(idx, dtype=np.int32), np.array(w, dtype=np.float32))
            for tid, (idx, w) in rows.items()
        },
        norms=norms,
        family_words=[family_words[p.family] for p in profiles],
        titles=[_normal(p.title) for p in profiles],
        ranks=np.array([seniority(p.title) for p in profiles], dtype=np.float32),
        item_texts=list(item_ids),
        level_items=level_items,
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


def _cosine(index: LevelIndex, text: str) -> np.ndarray:
    scores = np.zeros(len(index.profiles), dtype=np.float32)
    query_norm = 0.0
    for term, count in Counter(tokens(text)).items():
        tid = index.vocabulary.get(term)
        if tid is None:
            continue
        weight = (1 + math.log(count)) * float(index.idf[tid])
        query_norm += weight * weight
        idx, weights = index.postings[tid]
        scores[idx] += weight * weights
    return scores / (index.norms * (math.sqrt(query_norm) or 1.0))


def _confidence(score: float, family_in_title: float, family_in_text: bool) -> str:
    # Only a posting whose title names the level's whole job family can be "high"; one that
    # names none of it and never mentions the family is "low" however many generic items
    # ("strong communication skills") it shares.
    if score >= HIGH and family_in_title == 1.0:
        return "high"
    if score >= MEDIUM and (family_in_title >= 0.5 or family_in_text):
        return "medium"
    return "low"


def rank_levels(
    posting: ParsedPosting,
    levels: LevelIndex | Sequence[LevelProfile],
    limit: int | None = None,
) -> list[Match]:
    """Levels for a posting, best first, each with a score in [0, 1], a confidence, the item
    pairs and a short explanation. Only the first pass's best :data:`CANDIDATES` levels are
    returned (the others score lower on every part). Pass a :class:`LevelIndex`
    (:func:`build_index`) when ranking many postings against the same ladder.

    >>> rank_levels(posting, build_index(profiles), limit=3)  # doctest: +SKIP
    [Match(key='sales-operations/senior-manager-sales-operations', score=0.71, ...), ...]
    """
    index = _index_of(levels)
    if not index.profiles:
        return []
    asked = posting_items(posting)
    title = _normal(posting.title)
    title_words = set(title.split())
    body_words = set(tokens(posting.text or " ".join(t for _, t in asked)))
    rank = seniority(posting.title)

    # First pass over every level: arrays only.
    cosine = _cosine(index, f"{posting.title} {posting.title} " + " ".join(t for _, t in asked))
    title_sim = process.cdist([title], index.titles, scorer=fuzz.token_set_ratio, workers=1)[0]
    seniority_fit = np.clip(1 - np.abs(index.ranks - rank) / 3, 0, 1)
    first = (
        WEIGHTS["items"] * np.minimum(1, cosine * 2)  # stands in for item coverage
        + WEIGHTS["cosine"] * np.minimum(1, cosine * 2)
        + WEIGHTS["title"] * title_sim / 100
        + WEIGHTS["seniority"] * seniority_fit
    )
    count = min(CANDIDATES, len(index.profiles))
    top = np.argpartition(-first, count - 1)[:count] if count < len(first) else np.arange(count)

    # Second pass: items of the candidates against the posting's, distinct texts only.
    used = sorted({int(i) for level in top for i in index.level_items[int(level)]})
    column = {item: col for col, item in enumerate(used)}
    scores = _similarity([_normal(t) for _, t in asked], [index.item_texts[i] for i in used])

    matches = []
    for level in (int(i) for i in top):
        profile = index.profiles[level]
        cols = [column[int(i)] for i in index.level_items[level]]
        grid = scores[:, cols] if asked else np.zeros((0, len(cols)), dtype=np.uint8)
        pairs = _pairs(asked, [t for _, t in profile.items], grid)
        forward = _credit(grid.max(axis=1)) if grid.size else 0.0
        backward = _credit(grid.max(axis=0)) if grid.size else 0.0
        family = index.family_words[level]
        in_title = len(family & title_words) / len(family) if family else 0.0
        in_text = bool(family) and family <= body_words
        title_score = 0.5 * float(title_sim[level]) / 100 + 0.5 * in_title
        years = _years_fit(posting, profile.grade)
        score = (
            WEIGHTS["items"] * (0.65 * forward + 0.35 * backward)
            + WEIGHTS["cosine"] * min(1.0, float(cosine[level]) * 2)
            + WEIGHTS["title"] * title_score
            + WEIGHTS["seniority"] * float(seniority_fit[level])
            + WEIGHTS["years"] * years
        )
        score = round(max(0.0, min(1.0, score)), 4)
        matches.append(
            Match(
                key=profile.key,
                title=profile.title,
                grade=profile.grade,
                score=score,
                confidence=_confidence(score, in_title, in_text),
                explanation=_explain(posting, profile, pairs, in_title, rank),
                pairs=pairs,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches[:limit] if limit else matches


def _explain(
    posting: ParsedPosting,
    profile: LevelProfile,
    pairs: list[ItemPair],
    in_title: float,
    rank: int,
) -> list[str]:
    covered = sum(p.status == "covered" for p in pairs)
    partly = sum(p.status == "partly" for p in pairs)
    level_rank = seniority(profile.title)
    family = (
        "same job family"
        if in_title == 1
        else "partly the same job family"
        if in_title
        else "another job family"
    )
    steps = "same seniority" if level_rank == rank else f"seniority {level_rank - rank:+d} steps"
    lines = [
        f"{covered} of {len(pairs)} posting items covered, {partly} partly",
        f"title: {family} ({profile.family}); {steps}",
    ]
    band = expected_years(profile.grade)
    if band and posting.years_min is not None:
        asked = (
            f"{posting.years_min}+"
            if posting.years_max is None
            else f"{posting.years_min}-{posting.years_max}"
        )
        usual = f"{band[0]}+" if band[1] is None else f"{band[0]}-{band[1]}"
        lines.append(f"{asked} years asked; grade {profile.grade:g} usually {usual}")
    best = sorted((p for p in pairs if p.status != "missing"), key=lambda p: -p.score)[:2]
    lines += [f"“{quote(p.posting_text)}” ≈ “{quote(p.level_text or '')}”" for p in best]
    return lines


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
