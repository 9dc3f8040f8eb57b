"""Writes and reads that span models for job postings: import, level link, matches.

The parsing and the matching are pure modules (``postings.parsing``, ``postings.matching``);
this module moves their plain data in and out of the database, in one transaction per run.
"""

from __future__ import annotations

import hashlib
import time
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
from ladder.models import Level
from postings.matching import LevelIndex, LevelProfile, Match, build_index, rank_levels
from postings.models import Posting, PostingItem
from postings.parsing import ParsedPosting, PostingError, parse_posting
from postings.parsing import PostingItem as ParsedItem

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


def _build_level_index() -> LevelIndex:
    levels = Level.objects.select_related("family", "grade").order_by("family__slug", "position")
    return build_index([profile_of(level) for level in levels])


def level_index() -> LevelIndex:
    """Every level as the matcher's index; cached until the ladder next changes.

    Building it takes seconds on a large ladder, and right after an edit every worker wants
    it at once: one builds, the others wait for its result instead of building copies.
    """
    key = f"ladder:level-index:{content_version()}"
    index = cache.get(key)
    if index is not None:
        return index
    building = f"{key}:building"
    if not cache.add(building, 1, INDEX_BUILD_SECONDS):
        deadline = time.monotonic() + INDEX_BUILD_SECONDS
        while time.monotonic() < deadline and cache.get(building) is not None:
            time.sleep(0.05)
            if (index := cache.get(key)) is not None:
                return index
        if (index := cache.get(key)) is not None:
            return index
        # The builder failed or died: build here.
    try:
        index = _build_level_index()
        cache.set(key, index, 3600)
    finally:
        cache.delete(building)
    return index


def posting_matches(posting: Posting, limit: int = 5) -> list[Match]:
    """The best ladder levels for a posting, best first."""
    return rank_levels(as_parsed(posting), level_index(), limit=limit)
