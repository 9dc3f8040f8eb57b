"""Rank ladder levels against a job posting, and pair a posting's items with a level's.

Pure and fast. Two stages: a TF-IDF cosine over word stems (an inverted index with numpy
arrays, so one posting against thousands of levels costs a few milliseconds) picks candidates;
then item pairs are scored with rapidfuzz and blended with title, seniority and
years-of-experience fit. Weights and thresholds are constants below, tuned on the seed postings.

>>> index = build_index([LevelProfile("f/a", "Sales Analyst", "Sales", 6.0,
...                                   (("requirements", "SQL and Excel skills"),))])
>>> [m.key for m in rank_levels(posting, index)]  # doctest: +SKIP
['f/a']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from postings.parsing import ParsedPosting

CANDIDATES = 25  # levels scored in detail after the cosine pre-filter
COVERED, PARTLY = 70.0, 50.0  # item similarity (0-100) for "covered" and "partly"
WEIGHTS = {"items": 0.35, "cosine": 0.15, "title": 0.25, "seniority": 0.17, "years": 0.08}
HIGH, MEDIUM = 0.55, 0.42  # confidence thresholds on the blended score

_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "will",
        "with",
        "you",
        "your",
        "who",
        "what",
        "which",
        "within",
        "across",
        "into",
        "over",
        "per",
        "able",
        "ability",
        "strong",
        "excellent",
        "experience",
        "years",
        "year",
        "work",
        "working",
        "team",
        "teams",
        "role",
        "including",
        "etc",
        "new",
        "other",
        "all",
        "any",
        "can",
        "must",
        "may",
        "should",
        "would",
        "also",
        "well",
        "more",
        "most",
        "such",
        "using",
        "use",
        "via",
        "e.g",
        "i.e",
        "plus",
        "ideal",
        "preferred",
        "required",
        "requirements",
        "responsibilities",
        "job",
        "position",
        "company",
    }
)
_SENIORITY = [
    (r"\b(?:chief|ceo|cfo|cro|coo|cto|cmo|c-level)\b", 11),
    (r"\b(?:svp|evp|senior vice president|executive vice president)\b", 10),
    (r"\b(?:vp|vice president|head of)\b", 9),
    (r"\b(?:senior|sr\.?) director\b", 8),
    (r"\bdirector\b", 7),
    (r"\b(?:senior|sr\.?) manager\b", 6),
    (r"\b(?:manager|team lead|lead)\b", 5),
    (r"\b(?:staff|principal)\b", 4),
    (r"\b(?:senior|sr\.?)\b", 3),
    (r"\b(?:associate|junior|jr\.?|entry)\b", 1),
    (r"\b(?:intern|internship|trainee)\b", 0),
]
# Years of experience a grade usually asks for (this handbook's grades 4-15).
_GRADE_YEARS = {
    4: (0, 1),
    5: (0, 2),
    6: (2, 4),
    7: (4, 6),
    8: (5, 8),
    9: (7, 10),
    10: (9, 12),
    11: (11, 15),
    12: (13, 20),
    13: (15, 25),
    14: (18, 30),
    15: (20, 40),
}


@dataclass(frozen=True)
class LevelProfile:
    key: str  # "<family-slug>/<level-slug>"
    title: str
    family: str  # family title
    grade: float | None
    items: tuple[tuple[str, str], ...]  # (section, text), effective


@dataclass
class ItemPair:
    posting_text: str
    level_text: str | None
    score: float  # 0-100
    status: str  # covered, partly, missing
    section: str


@dataclass
class Match:
    key: str
    title: str
    grade: float | None
    score: float
    confidence: str
    explanation: list[str] = field(default_factory=list)
    pairs: list[ItemPair] = field(default_factory=list)


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "er", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9][a-z0-9+#&]*", text.lower().replace("sr.", "senior"))
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1 and not w.isdigit()]


def seniority(title: str) -> int:
    """Ladder rank of a title: intern 0 … individual contributor 2 … manager 5 … VP 9.

    >>> seniority("Sr Manager, Sales Operations"), seniority("Inside Sales Manager")
    (6, 5)
    """
    lowered = title.lower().replace("sr ", "senior ")
    for pattern, rank in _SENIORITY:
        if re.search(pattern, lowered):
            return rank
    return 2


def expected_years(grade: float | None) -> tuple[int, int] | None:
    if grade is None:
        return None
    return _GRADE_YEARS.get(max(4, min(15, int(round(grade)))))


@dataclass
class LevelIndex:
    profiles: list[LevelProfile]
    vocabulary: dict[str, int]
    idf: np.ndarray
    postings: dict[int, tuple[np.ndarray, np.ndarray]]  # term → (level indexes, weights)
    norms: np.ndarray
    family_words: list[set[str]]
    title_words: list[set[str]]


def build_index(profiles: Sequence[LevelProfile]) -> LevelIndex:
    """The cosine index over every level; build once per ladder version and cache it."""
    counts = [Counter(tokens(p.title + " " + " ".join(t for _, t in p.items))) for p in profiles]
    df: Counter[str] = Counter()
    for bag in counts:
        df.update(bag.keys())
    n = max(1, len(profiles))
    vocabulary = {term: i for i, term in enumerate(sorted(df))}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in sorted(df)], dtype=np.float32)
    rows: dict[int, tuple[list[int], list[float]]] = {}
    norms = np.zeros(n, dtype=np.float32)
    for level, bag in enumerate(counts):
        total = 0.0
        for term, count in bag.items():
            tid = vocabulary[term]
            weight = (1 + math.log(count)) * float(idf[tid])
            total += weight * weight
            rows.setdefault(tid, ([], []))
            rows[tid][0].append(level)
            rows[tid][1].append(weight)
        norms[level] = math.sqrt(total) or 1.0
    postings = {
        tid: (np.array(idx, dtype=np.int32), np.array(w, dtype=np.float32))
        for tid, (idx, w) in rows.items()
    }
    return LevelIndex(
        profiles=list(profiles),
        vocabulary=vocabulary,
        idf=idf,
        postings=postings,
        norms=norms,
        family_words=[set(tokens(p.family)) for p in profiles],
        title_words=[set(tokens(p.title)) for p in profiles],
    )


def _posting_sentences(posting: ParsedPosting) -> list[tuple[str, str]]:
    asked = [
        (i.section, i.text)
        for i in posting.items
        if i.section in ("responsibilities", "requirements")
    ]
    if not asked:
        asked = [(i.section, i.text) for i in posting.items if i.section == "other"]
    return asked


def compare_items(
    posting_items: Sequence[tuple[str, str]], level_items: Sequence[tuple[str, str]]
) -> list[ItemPair]:
    """Each posting item with its best level item: covered, partly, or missing."""
    if not posting_items:
        return []
    if not level_items:
        return [ItemPair(text, None, 0.0, "missing", section) for section, text in posting_items]
    scores = process.cdist(
        [t.lower() for _, t in posting_items],
        [t.lower() for _, t in level_items],
        scorer=fuzz.token_set_ratio,
        dtype=np.uint8,
    )
    pairs = []
    best = scores.argmax(axis=1)
    for row, (section, text) in enumerate(posting_items):
        col = int(best[row])
        score = float(scores[row, col])
        status = "covered" if score >= COVERED else "partly" if score >= PARTLY else "missing"
        pairs.append(ItemPair(text, level_items[col][1], score, status, section))
    return pairs


def rank_levels(
    posting: ParsedPosting, levels: LevelIndex | Sequence[LevelProfile], limit: int | None = None
) -> list[Match]:
    """Levels best first, each with a score in [0, 1], a confidence and an explanation."""
    index = levels if isinstance(levels, LevelIndex) else build_index(levels)
    if not index.profiles:
        return []
    asked = _posting_sentences(posting)
    bag = Counter(tokens(posting.title + " " + posting.title + " " + " ".join(t for _, t in asked)))
    scores = np.zeros(len(index.profiles), dtype=np.float32)
    query_norm = 0.0
    for term, count in bag.items():
        tid = index.vocabulary.get(term)
        if tid is None:
            continue
        weight = (1 + math.log(count)) * float(index.idf[tid])
        query_norm += weight * weight
        idx, w = index.postings[tid]
        scores[idx] += weight * w
    cosine = scores / (index.norms * (math.sqrt(query_norm) or 1.0))
    top = np.argsort(-cosine)[:CANDIDATES]
    title_tokens = set(tokens(posting.title))
    rank = seniority(posting.title)
    matches = []
    for level in top:
        profile = index.profiles[int(level)]
        pairs = compare_items(asked, profile.items)
        coverage = (
            sum(1.0 if p.status == "covered" else 0.5 if p.status == "partly" else 0 for p in pairs)
            / len(pairs)
            if pairs
            else 0.0
        )
        title_sim = (
            fuzz.token_set_ratio(
                posting.title.lower().replace("sr ", "senior "),
                profile.title.lower().replace("sr. ", "senior "),
            )
            / 100
        )
        domain = index.family_words[int(level)]
        domain_hit = bool(domain) and domain <= title_tokens
        title_score = 0.6 * title_sim + 0.4 * (1.0 if domain_hit else 0.0)
        level_rank = seniority(profile.title)
        seniority_fit = max(0.0, 1 - abs(level_rank - rank) / 3)
        band = expected_years(profile.grade)
        years_fit = 0.5
        if band and posting.years_min is not None:
            low, high = band
            gap = max(0, low - posting.years_min, posting.years_min - high)
            years_fit = max(0.0, 1 - gap / 4)
        score = (
            WEIGHTS["items"] * coverage
            + WEIGHTS["cosine"] * min(1.0, float(cosine[level]) * 2)
            + WEIGHTS["title"] * title_score
            + WEIGHTS["seniority"] * seniority_fit
            + WEIGHTS["years"] * years_fit
        )
        score = round(max(0.0, min(1.0, score)), 4)
        # A posting from another job family (its title does not name this family) is never
        # a confident match, however many generic items it shares.
        if domain_hit and score >= HIGH:
            confidence = "high"
        elif score >= MEDIUM and (domain_hit or coverage >= 0.5):
            confidence = "medium"
        else:
            confidence = "low"
        best = sorted((p for p in pairs if p.level_text), key=lambda p: -p.score)[:2]
        explanation = [
            f"{sum(p.status == 'covered' for p in pairs)} of {len(pairs)} posting items covered, "
            f"{sum(p.status == 'partly' for p in pairs)} partly",
            f"title: {'same job family' if domain_hit else 'another job family'}; seniority "
            f"{'matches' if level_rank == rank else f'{level_rank - rank:+d} steps'}",
        ]
        if band and posting.years_min is not None:
            asked_years = (
                f"{posting.years_min}+"
                if posting.years_max is None
                else f"{posting.years_min}-{posting.years_max}"
            )
            explanation.append(
                f"{asked_years} years asked; grade {profile.grade:g} usually {band[0]}-{band[1]}"
            )
        explanation += [f"“{p.posting_text[:70]}” ≈ “{(p.level_text or '')[:70]}”" for p in best]
        matches.append(
            Match(profile.key, profile.title, profile.grade, score, confidence, explanation, pairs)
        )
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches[:limit] if limit else matches
