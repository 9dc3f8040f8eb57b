"""The ladder as arrays for matching postings (:mod:`postings.matching`).

:func:`build_index` turns every level's profile (:class:`LevelProfile`: title, family, grade,
effective items) into a :class:`LevelIndex` once per content version: each family's TF-IDF row,
its title sets and their rarity-weighted words, title embeddings, occupations. After an edit,
:func:`index_replace` brings it up to date one family at a time (dead rows marked, new rows
appended) and :func:`index_compact` drops the dead rows now and then. Pure, no Django.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from postings.embedding import embed, normalise, token_sums
from postings.occupations import (
    head_occupations,
    occupations,
)
from postings.occupations import join_compounds as _join_compounds
from postings.titles import (
    head_word,
    seniority,
    title_sequence,
    tokens,
)

# Occupations (postings.occupations): a title's occupations join its job words as one word each
# ("@sales") of this fixed weight (a word's rarity weight is 1-7 in a ladder of hundreds of
# titles; fixed, so a family refreshed alone weighs them as a full build does), so that
# "Account Executive" and "Inside Sales Representative" share a job word; a title whose head
# names the posting's head occupation agrees on its head, and one naming only other occupations
# keeps (1 - OCCUPATION_CLASH) of its fit ("Sales Engineer" is not a "Security Research
# Engineer"). Measured on the hand-read key (README, "Matching postings").
OCCUPATION_WEIGHT = 12.0


@dataclass(frozen=True)
class LevelProfile:
    key: str  # "<family-slug>/<level-slug>"
    title: str
    family: str  # family title
    grade: float | None
    items: tuple[tuple[str, str], ...]  # (section, text) effective items


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
    # Per title set, the id of its head word (the last job word: head_word), -1 when that
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
    sequences = [title_sequence(t) for t in titles]
    single = set(known).union(*sequences)
    return [
        sorted(set(_join_compounds(seq, single)) | occupation_words(title) | head_words(title))
        for seq, title in zip(sequences, titles, strict=True)
    ]


def occupation_words(title: str) -> frozenset[str]:
    """A title's occupations as title words ("@sales"; no real word starts with "@" or "^"),
    and its head's ("^sales", weightless: they only mark which title sets name that job)."""
    return frozenset(f"@{name}" for name in occupations(title))


def head_words(title: str) -> frozenset[str]:
    return frozenset(f"^{name}" for name in head_occupations(title))


def spoken(words: Iterable[str]) -> str:
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
        title_vectors=[embed([spoken(words_of_title) for words_of_title in set_words])],
        family_sets=np.arange(n_families, dtype=np.int32),
        level_sets=np.arange(n_families, n_families + len(profiles), dtype=np.int32),
        ranks=np.array([seniority(p.title) for p in profiles], dtype=np.float32),
        item_texts=list(item_ids),
        level_items=level_items,
        title_heads=_heads(parts.titles + [p.title for p in profiles], title_ids),
    )


def _heads(titles: Sequence[str], title_ids: dict[str, int]) -> np.ndarray:
    """Per title, the id of its head word (:func:`head_word`), -1 when no title holds it."""
    return np.array([title_ids.get(head_word(t), -1) for t in titles], dtype=np.int32)


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
        title_vectors=[*index.title_vectors, embed([spoken(ws) for ws in set_words])],
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


def index_of(levels: LevelIndex | Sequence[LevelProfile]) -> LevelIndex:
    global _last_index
    if isinstance(levels, LevelIndex):
        return levels
    key = tuple(map(id, levels))
    if _last_index is not None and _last_index[0] == key:
        return _last_index[1]
    index = build_index(levels)
    _last_index = (key, index)
    return index
