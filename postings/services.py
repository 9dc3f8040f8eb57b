"""Writes and reads that span models for job postings: import, level link, matches.

The parsing and the matching are pure modules (``postings.parsing``; ``postings.matching``, with
its index in ``postings.level_index`` and its title words in ``postings.titles``); this module
moves their plain data in and out of the database, in one transaction per run.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ladder.caching import POSTINGS, bump_content_version, content_version
from ladder.handbook import SECTIONS
from ladder.handbook.sources import Source, read_files
from ladder.inheritance import effective_entries, walk_entries
from ladder.models import JobFamily, Level
from postings.embedding import preload as embedding_preload
from postings.level_index import LevelIndex, LevelProfile, build_index, index_compact, index_replace
from postings.matching import Match, rank_levels
from postings.models import Posting, PostingItem
from postings.parsing import ParsedPosting, PostingError, parse_posting
from postings.parsing import PostingItem as ParsedItem

log = logging.getLogger(__name__)

EXTENSIONS = {".html", ".htm", ".txt", ".md", ".markdown", ".text"}


class PostingImportFailed(Exception):
    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class PostingImportSummary:
    created: list[Posting] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"Imported {len(self.created)} postings"
        if self.duplicates:
            text += f"; {len(self.duplicates)} already imported (unchanged)"
        return text + "."


def collect_sources(paths: Iterable[str | Path]) -> list[Source]:
    sources, errors = read_files(paths, EXTENSIONS, "posting (.html, .txt, .md)")
    if errors:
        raise PostingImportFailed(errors)
    return sources


def content_hash(parsed: ParsedPosting) -> str:
    """Same posting, same hash: whitespace and file name do not matter."""
    basis = "\n".join([parsed.title, parsed.company, parsed.text])
    return hashlib.sha256(" ".join(basis.split()).lower().encode("utf-8")).hexdigest()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def posting_import(*, sources: Sequence[Source]) -> PostingImportSummary:
    """Parse and store postings in one transaction; any bad file → nothing written.

    >>> posting_import(sources=[Source("job.html", b"<h2>Analyst</h2>…")]).line()  # doctest: +SKIP
    'Imported 1 postings.'
    """
    parsed: list[tuple[Source, ParsedPosting]] = []
    errors: list[str] = []
    for source in sources:
        try:
            parsed.append((source, parse_posting(source.data, Path(source.name).name)))
        except PostingError as exc:
            message = str(exc)
            if source.name not in message:
                message = f"{source.name}: {message}"
            errors.append(message)
    if errors:
        raise PostingImportFailed(errors)
    summary = PostingImportSummary()
    with transaction.atomic():
        seen: set[str] = set()
        for source, posting in parsed:
            digest = content_hash(posting)
            if digest in seen or Posting.objects.filter(content_hash=digest).exists():
                summary.duplicates.append(source.name)
                continue
            seen.add(digest)
            summary.created.append(_store(source, posting, digest))
        if summary.created:
            bump_content_version(POSTINGS)  # ladder pages and the level index stay cached
    return summary


def _store(source: Source, parsed: ParsedPosting, digest: str) -> Posting:
    posting = Posting.objects.create(
        title=parsed.title[:300],
        company=(parsed.company or "")[:200],
        location=(getattr(parsed, "location", "") or "")[:200],
        pay_range=parsed.pay[:100],
        source_name=Path(source.name).name[:500],
        format=parsed.format,
        raw=_decode(source.data),
        content_hash=digest,
        years_min=parsed.years_min,
        years_max=parsed.years_max,
        degree=parsed.degree or "",
        people_management=parsed.people_management,
    )
    PostingItem.objects.bulk_create(
        PostingItem(
            posting=posting,
            section=item.section,
            position=index,
            heading=(item.heading or "")[:300],
            text=item.text,
        )
        for index, item in enumerate(parsed.items)
    )
    return posting


def posting_link_level(*, posting: Posting, level: Level | None, user) -> Posting:
    """Staff confirm (or clear) the ladder level of a posting; who and when are kept."""
    posting.level = level
    posting.level_confirmed_by = user if level is not None else None
    posting.level_confirmed_at = timezone.now() if level is not None else None
    with transaction.atomic():
        posting.save(update_fields=["level", "level_confirmed_by", "level_confirmed_at"])
        bump_content_version(POSTINGS)
    return posting


EDITABLE_FIELDS = (
    "title",
    "company",
    "location",
    "pay_range",
    "years_min",
    "years_max",
    "degree",
    "people_management",
    "level",
)


def posting_update(*, posting: Posting, changed: Iterable[str], user) -> Posting:
    """Save a recruiter's edits of a posting's facts (the admin form); history keeps who.

    A changed level counts as a confirmation by this user, as on the posting page.

    >>> posting.company = "GitLab"  # doctest: +SKIP
    >>> posting_update(posting=posting, changed=["company"], user=rita)  # doctest: +SKIP
    """
    fields = [name for name in changed if name in EDITABLE_FIELDS]
    if "level" in fields:
        posting.level_confirmed_by = user if posting.level_id else None
        posting.level_confirmed_at = timezone.now() if posting.level_id else None
        fields += ["level_confirmed_by", "level_confirmed_at"]
    with transaction.atomic():
        if posting.pk is None:
            raise ValueError("postings are imported, not created in a form")
        posting.save(update_fields=fields or None)
        bump_content_version(POSTINGS)
    return posting


def posting_delete(*, posting: Posting | None = None, postings: Iterable[Posting] = ()) -> int:
    """Delete one posting or several (and their items); pages showing them change at once."""
    ids = [p.pk for p in postings] + ([posting.pk] if posting is not None else [])
    with transaction.atomic():
        # One by one so each deletion is recorded in the history.
        for each in Posting.objects.filter(pk__in=ids):
            each.delete()
        bump_content_version(POSTINGS)
    return len(ids)


# --------------------------------------------------------------------------- matching


def as_parsed(posting: Posting) -> ParsedPosting:
    """The stored posting as the matcher's plain data."""
    items = [ParsedItem(i.section, i.text, i.heading) for i in posting.items.all()]
    return ParsedPosting(
        title=posting.title,
        company=posting.company,
        location=posting.location,
        format=posting.format,
        items=items,
        years_min=posting.years_min,
        years_max=posting.years_max,
        degree=posting.degree,
        people_management=posting.people_management,
        text="\n".join(i.text for i in items),
    )


def profile_of(level: Level) -> LevelProfile:
    items = tuple(
        (section, entry.text)
        for section in SECTIONS
        for entry, _depth in walk_entries(effective_entries(level.effective, section))
        if entry.text
    )
    return LevelProfile(
        key=level.key,
        title=level.title,
        family=level.family.title,
        grade=float(level.grade.number) if level.grade_id else None,
        items=items,
    )


INDEX_BUILD_SECONDS = 60  # the longest one build may hold the others off
# How long readers may keep using the previous index while a writer refreshes its families.
INDEX_REFRESH_SECONDS = 10
# Edits kept as deltas over the whole index before a writer stores it whole again.
MAX_DELTAS = 100
# Part of the cache keys: an index stored by an older release (other title words, no
# occupations, its classes pickled from another module) is never read by a newer one, which
# builds its own.
INDEX_FORMAT = 3
LATEST_INDEX_KEY = f"ladder:level-index:{INDEX_FORMAT}:latest"


def _index_key(version: int) -> str:
    return f"ladder:level-index:{INDEX_FORMAT}:{version}"


def _base_key(token: str) -> str:
    return f"ladder:level-index:{INDEX_FORMAT}:base:{token}"


@dataclass(frozen=True)
class IndexState:
    """What a content version's index is: a whole index stored once (``base``, megabytes
    at 3,000 families) and the families rebuilt since, in order (kilobytes each).

    A writer's refresh stores a new state, never the whole index; each worker keeps the
    index it assembled and applies only the deltas it has not seen.
    """

    base: str  # token of the whole index in the cache
    deltas: tuple[tuple[tuple[str, ...], tuple[LevelProfile, ...]], ...] = ()


def _levels_for_index():
    return Level.objects.select_related("family", "grade").order_by("family__slug", "position")


def _build_level_index() -> LevelIndex:
    return build_index([profile_of(level) for level in _levels_for_index()])


# The index this worker assembled last: (base token, deltas applied, index). Loading the whole
# index cost more than a match; an index is only ever extended by the next deltas of the same
# base, so this copy is right for any state naming that base with at least as many deltas.
_memo: tuple[str, int, LevelIndex] | None = None


def _assemble(state: IndexState | None) -> LevelIndex | None:
    """The index a state describes, from this worker's copy when it can (None: base gone)."""
    global _memo
    if state is None:
        return None
    if _memo is not None and _memo[0] == state.base and _memo[1] <= len(state.deltas):
        _, applied, index = _memo
    else:
        index = cache.get(_base_key(state.base))
        if index is None:
            return None
        applied = 0
    if state.deltas[applied:]:
        # All the edits not seen yet in one replacement: one build, not one per edit.
        index = index_replace(index, deltas=state.deltas[applied:])
    _memo = (state.base, len(state.deltas), index)
    return index


# Second tier, in this process: the index of one content version, exactly that version's (from
# the shared cache's entry for it, or built for it). Derived, versioned data, not shared state:
# it is only served for the very version it was made for, so a worker that sees a newer number
# never answers from it. It is what keeps a Redis outage from costing every worker a build
# (seconds) on its next posting page: the shared cache then misses every read.
_by_version: tuple[int, LevelIndex] | None = None
# One build at a time in this process: while the shared cache is down, nobody else's
# ``:building`` key holds the other threads off, and each would otherwise build the same index.
_build_lock = threading.Lock()


def _keep(version: int, index: LevelIndex) -> LevelIndex:
    """Remember ``index`` as the one of ``version`` in this process (never an older version
    over a newer one: a request that read a stale number must not evict the current index)."""
    global _by_version
    if _by_version is None or _by_version[0] <= version:
        _by_version = (version, index)
    return index


def _kept(version: int) -> LevelIndex | None:
    kept = _by_version
    return kept[1] if kept is not None and kept[0] == version else None


# More families changed since this process's copy than this: a build is the simpler way.
CATCH_UP_MAX_FAMILIES = 50


def _caught_up(version: int) -> LevelIndex | None:
    """This process's copy of an older version, brought to ``version``: the families changed
    since (a family's stamp is the ladder version that last changed its levels' effective
    lists, the very families ``level_index_follow`` replaces) and those deleted since are
    replaced by their rows of now, as an edit's delta would. None when there is no older copy
    or too much changed. The older copy itself is never answered for a newer version.
    """
    kept = _by_version
    if kept is None or kept[0] >= version:
        return None
    since, index = kept
    stamps = dict(JobFamily.objects.values_list("slug", "stamp"))
    alive = index.family_alive if index.family_alive is not None else [True] * len(index.families)
    live = {slug for slug, living in zip(index.families, alive, strict=True) if living}
    changed = {slug for slug, stamp in stamps.items() if stamp > since}
    slugs = changed | (live - stamps.keys())
    if len(slugs) > CATCH_UP_MAX_FAMILIES:
        return None
    if slugs:
        levels = _levels_for_index().filter(family__slug__in=changed)
        index = index_replace(
            index, families=sorted(slugs), profiles=[profile_of(level) for level in levels]
        )
        if index.alive is not None and 2 * int(index.alive.sum()) < len(index.alive):
            # A long outage with many edits: more dead rows than live ones, drop them.
            index = index_compact(index)
    return index


def level_index_warm() -> None:
    """Fill this process's copy of the index and load the embedding model now (a worker
    starting; ``ladder/wsgi.py`` runs it in a thread): a worker whose first posting page comes
    while Redis is down then catches up from it instead of building. From the shared cache
    that is one read; a build only when nobody stored an index yet, which the first posting
    page would have paid anyway.
    """
    try:
        # The embedding model too: loading it takes seconds, which a worker's first posting
        # page would otherwise wait for (in an outage, on top of everything else).
        embedding_preload()
        level_index()
    except Exception:  # noqa: BLE001 - a head start only: the first request does it instead
        log.warning("matching index not warmed at start", exc_info=True)


def level_index_forget() -> None:
    """Drop this process's copies (tests: rolled-back databases reuse version numbers)."""
    global _by_version, _memo
    _by_version = _memo = None


def level_index() -> LevelIndex:
    """Every level as the matcher's index; cached per content version.

    An edit adds its families to the cached index as a delta (``level_index_follow``), so
    after an edit readers get that index, or the previous one for the moment the refresh
    takes, never a global rebuild. When the shared cache has nothing for this version (Redis
    down, eviction), this process's copy of the same version answers, or its copy of an older
    version with the families changed since replaced (their stamps say which). A rebuild
    happens only when none of these is there (first start): one worker builds, the others
    wait for its result.
    """
    version = content_version()
    key = _index_key(version)
    index = _assemble(cache.get(key))
    if index is not None:
        return _keep(version, index)
    # The shared cache has nothing for this version (Redis down, or evicted): this process's
    # own copy of the very same version is as good, and costs nothing.
    if (index := _kept(version)) is not None:
        return index
    latest = cache.get(LATEST_INDEX_KEY)
    # A writer's refresh for this version is on its way (or this worker's version number is a
    # few seconds stale): the newest index is at most that one edit behind.
    if (
        latest is not None
        and (latest > version or cache.get(f"{key}:refreshing"))
        and (index := _assemble(cache.get(_index_key(latest)))) is not None
    ):
        return index  # not kept: it is an older version's index
    with _build_lock:
        # Another thread of this process may have built it while this one waited.
        if (index := _kept(version)) is not None:
            return index
        # Not stored for other workers: replaced rows and all, it is this process's business.
        if (index := _caught_up(version)) is not None:
            return _keep(version, index)
        building = f"{key}:building"
        if not cache.add(building, 1, INDEX_BUILD_SECONDS):
            deadline = time.monotonic() + INDEX_BUILD_SECONDS
            while time.monotonic() < deadline and cache.get(building) is not None:
                time.sleep(0.05)
                if (index := _assemble(cache.get(key))) is not None:
                    return _keep(version, index)
            if (index := _assemble(cache.get(key))) is not None:
                return _keep(version, index)
            # The builder failed or died: build here.
        try:
            index = _build_level_index()
            _publish_index(version, index)
        finally:
            cache.delete(building)
        return _keep(version, index)


def _publish_index(version: int, index: LevelIndex) -> None:
    """Store a whole index as the one of ``version`` (after a build or a compaction)."""
    global _memo
    token = uuid.uuid4().hex
    cache.set(_base_key(token), index, None)
    _publish_state(version, IndexState(token))
    _memo = (token, 0, index)


def _publish_state(version: int, state: IndexState) -> None:
    previous = cache.get(LATEST_INDEX_KEY)
    old = cache.get(_index_key(previous)) if previous is not None else None
    cache.set(_index_key(version), state, 24 * 3600)
    if previous is None or previous < version:
        cache.set(LATEST_INDEX_KEY, version, None)
    if old is not None and old.base != state.base:
        # Replaced by a compaction: workers a whole base behind build anew.
        cache.delete(_base_key(old.base))


def level_index_follow(*, family_ids: Iterable[int]) -> None:
    """Call in a writing transaction, after ``bump_content_version()``: once it commits, the
    cached level index follows the new content version with only these families' rows
    replaced (``postings.level_index.index_replace``: one family's text work and array appends,
    not a build).

    >>> level_index_follow(family_ids={family.pk})  # doctest: +SKIP
    """
    version = content_version()  # inside the transaction: the writer's own new number
    ids = set(family_ids)
    # Set now, before the new number is published at commit: readers of the new version find
    # it and keep the previous index for the moment the refresh takes, instead of building.
    cache.set(f"{_index_key(version)}:refreshing", 1, INDEX_REFRESH_SECONDS)
    transaction.on_commit(lambda: level_index_refresh(family_ids=ids, version=version), robust=True)


def level_index_refresh(*, family_ids: Iterable[int], version: int) -> bool:
    """Store the index of ``version`` as the previous version's with these families rebuilt:
    one more delta (their levels' profiles), not the whole index.

    Returns False (and lets the next reader build the index whole) when the cached index is
    not the one just before ``version``: an edit in between would otherwise be lost.
    """
    marker = f"{_index_key(version)}:refreshing"
    try:
        latest = cache.get(LATEST_INDEX_KEY)
        previous = cache.get(_index_key(version - 1)) if latest == version - 1 else None
        if previous is None:
            return False
        ids = set(family_ids)
        state = previous
        if ids:
            levels = _levels_for_index().filter(family_id__in=ids)
            slugs = tuple(JobFamily.objects.filter(pk__in=ids).values_list("slug", flat=True))
            delta = (slugs, tuple(profile_of(level) for level in levels))
            state = IndexState(previous.base, (*previous.deltas, delta))
        if len(state.deltas) >= MAX_DELTAS:
            # Every hundredth edit stores the index whole again (seconds on a large ladder,
            # at this writer's commit): deltas, and the rows they replaced, stay bounded.
            index = _assemble(state)
            if index is None:
                return False
            _publish_index(version, index_compact(index))
        else:
            _publish_state(version, state)
        return True
    finally:
        cache.delete(marker)


def posting_matches(posting: Posting, limit: int = 5) -> list[Match]:
    """The best ladder levels for a posting, best first."""
    return rank_levels(as_parsed(posting), level_index(), limit=limit)
