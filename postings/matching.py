"""Rank ladder levels against a job posting, and pair a posting's items with a level's.

Pure and fast: plain data in (:class:`~postings.parsing.ParsedPosting`, and the ladder as a
:class:`~postings.level_index.LevelIndex` of :class:`~postings.level_index.LevelProfile`),
plain data out (:class:`Match`, :class:`ItemPair`). No Django. What a title's words say (its
job, its rank) is read by :mod:`postings.titles`.

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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from postings import level_index
from postings.embedding import embed
from postings.level_index import (
    LevelIndex,
    LevelProfile,
    head_words,
    index_of,
    occupation_words,
    spoken,
)
from postings.occupations import (
    OCCUPATIONS,
    text_occupations,
)
from postings.occupations import join_compounds as _join_compounds
from postings.parsing import ASKED, ParsedPosting
from postings.titles import (
    expected_years,
    head_word,
    normal_text,
    normal_title,
    posting_rank,
    states_rank,
    title_word,
    title_words,
    tokens,
    years_fit,
)

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


def _status(score: float) -> str:
    return "covered" if score >= COVERED else "partly" if score >= PARTLY else "missing"


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
        [normal_text(t) for _, t in posting_items], [normal_text(t) for _, t in level_items]
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
        [normal_text(t) for _, t in level_items], [normal_text(t) for _, t in posting_items]
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
            asked += level_index.OCCUPATION_WEIGHT if word.startswith("@") else unseen
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
        [title_word(w) for w in re.findall(r"[a-z0-9]+", normal_title(said))], index.title_ids
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
    index = index_of(levels)
    if not index.profiles:
        return []
    asked = posting_items(posting)
    words = title_words(posting.title, index.title_ids) | occupation_words(posting.title)
    rank, rank_reason = posting_rank(posting)
    weights = LEVEL_WEIGHTS
    if posting.years_min is not None and not states_rank(posting.title):
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
    asked_meaning = embed([spoken(sorted(words))])[0]
    meaning = np.concatenate(
        [np.einsum("td,d->t", block, asked_meaning) for block in index.title_vectors]
    )
    named, other = _occupation_sets(index, words, head_words(posting.title))
    if OCCUPATION_CLASH:
        fits = np.where(other, fits * (1 - OCCUPATION_CLASH), fits)
        meaning = np.where(other, meaning * (1 - OCCUPATION_CLASH), meaning)
    level_fits = fits[index.level_sets]
    family_title = fits[index.family_sets]
    np.maximum.at(family_title, index.level_family, level_fits)
    family_meaning = np.clip(meaning[index.family_sets], 0, 1)
    np.maximum.at(family_meaning, index.level_family, np.clip(meaning[index.level_sets], 0, 1))
    family_title = np.maximum(family_title, TITLE_MEANING * family_meaning)
    head_id = index.title_ids.get(head_word(posting.title))
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
            years = years_fit(posting, index.profiles.grades[level])
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
    scores = _similarity([normal_text(t) for _, t in asked], [index.item_texts[i] for i in used])
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
        if not head_words(posting.title) & _set_words(index, title_set):
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
    asked = index.title_ids.get(head_word(posting.title))
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
