"""Writes that span models: importing handbook pages, refreshing effective lists.

Called by the ``import_handbook`` command, the admin and tests alike. Every write happens in one
``transaction.atomic()`` block, so a failed run leaves the database as it was.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ladder.bulk import (
    NewItem,
    import_lock,
    insert_items,
    insert_rows,
    update_levels,
)
from ladder.caching import (  # noqa: F401 - content_version, family_choices: the old names
    LADDER,
    bump_content_version,
    content_version,
    family_choices,
)
from ladder.handbook import (
    SECTIONS,
    HandbookError,
    ParsedFamily,
    normalize_title,
    parse_handbook,
)
from ladder.handbook.parsed import walk_items
from ladder.handbook.sources import (
    ImportFailed,
    Source,
    located,
    parse_sources,
)
from ladder.history import FamilyDiff, diff_sources
from ladder.inheritance import (
    Candidate,
    CycleError,
    Node,
    NodeItem,
    ResolvedImport,
    ResolvedItem,
    ResolvedLevel,
    dedupe_key,
    effective_items,
    effective_json,
    resolve_import,
)
from ladder.models import FamilyVersion, Grade, ImportRun, Item, JobFamily, Level
from ladder.rendering import markdown_to_html
from ladder.search import search_index_refresh


@dataclass
class ImportSummary:
    families: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    levels: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    )
    items: dict[str, int] = field(default_factory=lambda: {"created": 0, "removed": 0})
    warnings: list[str] = field(default_factory=list)
    warning_kinds: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    family_slugs: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.families["created"] or self.families["updated"])

    def line(self) -> str:
        f, lv, it = self.families, self.levels, self.items
        prefix = "Dry run: would import" if self.dry_run else "Imported"
        text = (
            f"{prefix} {sum(f.values())} families ({f['created']} created, {f['updated']} updated, "
            f"{f['unchanged']} unchanged); levels: {lv['created']} created, {lv['updated']} "
            f"updated, {lv['unchanged']} unchanged, {lv['removed']} removed; items: "
            f"{it['created']} created, {it['removed']} removed; {len(self.warnings)} warnings"
        )
        if self.warning_kinds:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.warning_kinds.items()))
            text += f" ({kinds})"
        if not self.changed and not self.dry_run:
            text += ". Nothing changed."
        return text + ("" if text.endswith(".") else ".")


# --------------------------------------------------------------------------- the import


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the duration (as Mercurial's ``util.nogc``).

    Each of its full collections walks every live object, and an import holds millions (the
    parsed pages, the resolved run, the effective lists, the rows to write) while their number
    of full collections grows with the run: 18% of a 1,000-family import, a share that grows
    with the ladder (profiled). An import makes almost no cyclic garbage (the parser's heading
    trees hold their parents weakly), so the pause holds back no memory. The collector is
    process-wide: a pause overlapping another thread's leaves it on at the end, never off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cycle_collector_paused()
def family_import(
    *,
    sources: Sequence[Source],
    dry_run: bool = False,
    strict: bool = False,
    base_url: str | None = None,
    grade_range: tuple[int, int] | None = None,
    force: Iterable[str] = (),
    into: JobFamily | None = None,
) -> ImportSummary:
    """Import handbook pages in one transaction; raise :class:`ImportFailed` on any error.

    Families are upserted by slug, levels by slug within their family; a page whose checksum
    matches what is stored is left alone, so re-importing the same file changes nothing
    (unless its family slug is in ``force``: the admin's re-import). A level an admin edited
    (its ``content_hash`` is cleared by every edit) is rewritten from the page whenever its
    family is imported: the stored level no longer matches any page. ``into`` (one page): the
    family it is imported into, whatever family the page names (the admin confirmed it).

    >>> family_import(sources=[Source("sales-operations.md", data)]).line()  # doctest: +SKIP
    'Imported 1 families (1 created, 0 updated, 0 unchanged); levels: 17 created, …'
    """
    from django.conf import settings

    grade_range = grade_range or (settings.LADDER_GRADE_MIN, settings.LADDER_GRADE_MAX)
    parsed, errors = parse_sources(list(sources), base_url=base_url, grade_range=grade_range)
    if errors:
        raise ImportFailed(errors)
    if not parsed:
        raise ImportFailed(["no handbook page to import"])
    if into is not None:
        parsed = [replace(page, slug=into.slug, title=into.title) for page in parsed]
    # Several pages of one run with the same family: each is a version, the last one wins.
    latest: dict[str, ParsedFamily] = {}
    versions: dict[str, list[ParsedFamily]] = {}
    for family in parsed:
        latest[family.slug] = family
        versions.setdefault(family.slug, []).append(family)

    summary = ImportSummary(dry_run=dry_run)
    with transaction.atomic():
        # One import at a time: a second one waits here, then sees the first's result, so a
        # family is always one whole version, never a mix. (SQLite's IMMEDIATE transactions
        # already serialise writers.)
        import_lock()
        existing = {f.slug: f for f in JobFamily.objects.filter(slug__in=latest)}
        # Families extending these ones, found before the import removes any level they
        # extend (the link is then gone, and with it the way to find them).
        extending = _dependent_family_ids(f.pk for f in existing.values())
        forced = set(force)
        changed = [
            f
            for f in latest.values()
            if f.slug not in existing
            or f.slug in forced
            or existing[f.slug].source_checksum != checksum(f.source)
        ]
        summary.families["unchanged"] = len(latest) - len(changed)
        changed_slugs = {f.slug for f in changed}
        # One count for every unchanged family (a re-import of a large ladder is all of them).
        unchanged_ids = [f.pk for slug, f in existing.items() if slug not in changed_slugs]
        if unchanged_ids:
            summary.levels["unchanged"] += Level.objects.filter(family_id__in=unchanged_ids).count()
        stored = Level.objects.exclude(family__slug__in=changed_slugs).select_related(
            "family", "grade"
        )
        candidates = [Candidate(lv.key, lv.title, lv.family.slug) for lv in stored]
        grades = {lv.key: (lv.grade.number if lv.grade else None, lv.grade_max) for lv in stored}
        # Every page of the run is validated and reports its warnings, changed or not (strict
        # refuses a bad page even when it was stored before); only changed pages are written.
        checked = resolve_import(list(latest.values()), candidates, grades, strict=strict)
        if checked.errors:
            raise ImportFailed([located(e.name, e) for e in checked.errors])
        for family in checked.families:
            for warning in family.warnings:
                summary.warnings.append(f"{family.parsed.name}:{warning.line}: {warning.message}")
                summary.warning_kinds[warning.kind] = summary.warning_kinds.get(warning.kind, 0) + 1
        resolved = ResolvedImport(
            [f for f in checked.families if f.parsed.slug in changed_slugs], []
        )
        # The older versions of each family, in the order given (grouped in one pass: a scan
        # of every page for each family grew with the square of the run).
        earlier = {slug: versions[slug][:-1] for slug in changed_slugs}
        try:
            effective = _run_effective(resolved)
            written = _write(resolved, existing, summary, earlier, effective)
            # Families elsewhere that extend what changed: their lists change too.
            touched = _dependent_family_ids(written) | extending
            family_refresh_effective(family_ids=touched - set(written))
            # Search reads its own index: rewritten for these families in this transaction.
            search_index_refresh(family_ids=written)
        except CycleError as exc:
            raise ImportFailed([str(exc)]) from None
        summary.family_slugs = sorted(latest)
        ImportRun.objects.create(
            files=[s.name for s in sources],
            summary=summary.line(),
            warnings=summary.warnings[:1000],
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
        elif summary.changed:
            bump_content_version(LADDER, family_ids=touched)
            if len(touched) <= INDEX_FOLLOW_MAX_FAMILIES:
                # A few families: the matcher's cached index follows them. A large import is
                # cheaper to index whole, by the next posting match.
                _level_index_follow(family_ids=touched)
    return summary


def _new_version(
    family: JobFamily, source: str, name: str, known: dict[str, int]
) -> FamilyVersion | None:
    """This source as the family's next version, unless it is already one of them.

    ``known`` (checksum → number) holds the family's versions, stored and new in this run:
    the new ones are written together at the end (a large import creates thousands).
    """
    digest = checksum(source)
    if digest in known:
        return None
    number = max(known.values(), default=0) + 1
    known[digest] = number
    return FamilyVersion(
        family=family, number=number, source=source, checksum=digest, source_name=name
    )


def _grade_for(number: Decimal | None, link: str, cache_: dict[Decimal, Grade]) -> Grade | None:
    if number is None:
        return None
    grade = cache_.get(number)
    if grade is None:
        grade, _ = Grade.objects.get_or_create(number=number, defaults={"link": link})
        cache_[number] = grade
    if link and not grade.link:
        grade.link = link
        grade.save(update_fields=["link"])
    return grade


def _hashed_item(i: ResolvedItem) -> list:
    # At module level: a nested function calling itself is a reference cycle per level.
    return [i.text, i.extends, [_hashed_item(c) for c in i.children]]


def _level_hash(lv: ResolvedLevel) -> str:
    p = lv.parsed
    payload = [
        p.title,
        p.group,
        str(lv.grade),
        str(lv.grade_max),
        lv.grade_inferred,
        lv.grade_reason,
        p.description,
        lv.reports_to_key,
        lv.reports_to_title,
        lv.reports_to_link,
        lv.position,
        {s: [_hashed_item(i) for i in lv.sections[s]] for s in SECTIONS},
    ]
    return checksum(json.dumps(payload, default=str))


def _run_effective(resolved: ResolvedImport) -> dict[str, dict]:
    """Effective lists of every level of the run, computed in memory (no reload).

    Levels stored in other families that the run extends are loaded as external nodes.
    """
    run_keys = {lv.key for fam in resolved.families for lv in fam.levels}
    outside = {
        key
        for lv in resolved.levels()
        for item in lv.items()
        for key, _ in item.extends
        if key not in run_keys
    }
    external: dict[str, Node] = {}
    slug_of: dict[str, str] = {lv.key: lv.slug for fam in resolved.families for lv in fam.levels}
    if outside:
        family_slugs = {key.split("/")[0] for key in outside}
        ids = JobFamily.objects.filter(slug__in=family_slugs).values_list("pk", flat=True)
        external, stored = load_graph(ids)
        slug_of.update({key: level.slug for key, level in stored.items()})
    graph = resolved.graph(external, render=markdown_to_html)
    memo: dict = {}
    return {key: effective_json(effective_items(key, graph, memo)) for key in run_keys}


def _write(
    resolved: ResolvedImport,
    existing: dict[str, JobFamily],
    summary: ImportSummary,
    earlier: dict[str, list[ParsedFamily]],
    effective: dict[str, dict],
) -> list[int]:
    now = timezone.now()
    grade_cache: dict[Decimal, Grade] = {g.number: g for g in Grade.objects.all()}
    family_ids: list[int] = []
    level_by_key: dict[str, Level] = {}
    pending_links: list[tuple[Level, ResolvedLevel]] = []
    pending_items: list[tuple[Level, ResolvedLevel]] = []
    new_levels: list[Level] = []
    refreshed: list[Level] = []
    # New families first, together (one statement each was three round trips a family).
    created_families = {
        fam.parsed.slug: JobFamily(slug=fam.parsed.slug, **_family_fields(fam.parsed, now))
        for fam in resolved.families
        if fam.parsed.slug not in existing
    }
    insert_rows(JobFamily, list(created_families.values()), when=now)
    new_versions: list[FamilyVersion] = []
    for fam in resolved.families:
        p = fam.parsed
        created = p.slug in created_families
        if created:
            family = created_families[p.slug]
            summary.families["created"] += 1
        else:
            family = existing[p.slug]
            for name, value in _family_fields(p, now).items():
                setattr(family, name, value)
            family.save()
            summary.families["updated"] += 1
        family_ids.append(family.pk)
        # Older versions given in the same run come first, in the order they were given.
        known = {} if created else dict(family.versions.values_list("checksum", "number"))
        for version in [*earlier.get(p.slug, []), p]:
            if row := _new_version(family, version.source, version.name, known):
                new_versions.append(row)
        old_levels = {} if created else {lv.slug: lv for lv in family.levels.all()}
        keep: set[str] = set()
        for lv in fam.levels:
            keep.add(lv.slug)
            pl = lv.parsed
            content_hash = _level_hash(lv)
            level = old_levels.get(lv.slug)
            values = {
                "title": pl.title,
                "position": lv.position,
                "group": pl.group,
                "grade": _grade_for(lv.grade, lv.grade_link, grade_cache),
                "grade_max": lv.grade_max,
                "grade_inferred": lv.grade_inferred,
                "grade_reason": lv.grade_reason,
                "description": pl.description,
                "reports_to_title": lv.reports_to_title if not lv.reports_to_key else "",
                "reports_to_link": lv.reports_to_link if not lv.reports_to_key else "",
                "effective": effective[lv.key],
            }
            if level is None:
                level = Level(family=family, slug=lv.slug, content_hash=content_hash, **values)
                new_levels.append(level)
                summary.levels["created"] += 1
                pending_items.append((level, lv))
            elif level.content_hash != content_hash:
                for name, value in values.items():
                    setattr(level, name, value)
                level.content_hash = content_hash
                level.version += 1
                # Old items go first: this version's history record then dates after their
                # removal and after the new items' baselines (dated ``now``), so a revert of
                # it finds exactly the items imported with it.
                summary.items["removed"] += level.items.count()
                level.items.all().delete()
                level._change_reason = "import"
                level.save()
                summary.levels["updated"] += 1
                pending_items.append((level, lv))
            else:
                summary.levels["unchanged"] += 1
                if level.effective != effective[lv.key]:
                    # Its own text is the same, but a level it extends changed.
                    level.effective = effective[lv.key]
                    refreshed.append(level)
            level.family = family
            level_by_key[lv.key] = level
            pending_links.append((level, lv))
        removed = [lv for slug, lv in old_levels.items() if slug not in keep]
        summary.levels["removed"] += len(removed)
        for level in removed:
            level.delete()
    insert_rows(FamilyVersion, new_versions, when=now)
    insert_rows(Level, new_levels, when=now)
    # Links need every level of the run saved first (a page may point at a later page).
    relinked = []
    for level, lv in pending_links:
        target = level_by_key.get(lv.reports_to_key) if lv.reports_to_key else None
        if target is None and lv.reports_to_key:
            target = _stored_level(lv.reports_to_key)
        if level.reports_to_id != (target.pk if target else None):
            level.reports_to = target
            relinked.append(level)
    update_levels("reports_to", [(level.reports_to_id, level.pk) for level in relinked])
    Level.objects.bulk_update(refreshed, ["effective"], batch_size=200)
    new_items: list[NewItem] = []
    for level, lv in pending_items:
        base = level.family.base_url
        for section in SECTIONS:
            _build_items(
                level,
                section,
                lv.sections[section],
                None,
                base,
                level_by_key,
                new_items,
            )
    insert_items(new_items, when=now)
    summary.items["created"] += len(new_items)
    return family_ids


def _family_fields(p: ParsedFamily, now: datetime) -> dict[str, object]:
    """A family's columns as its page gives them."""
    return {
        "title": p.title,
        "description": p.description,
        "source": p.source,
        "source_checksum": checksum(p.source),
        "source_name": p.name,
        "base_url": p.base_url,
        "performance_indicators": p.performance_indicators,
        "career_ladder": p.career_ladder,
        "hiring_process": p.hiring_process,
        "imported_at": now,
    }


def _stored_level(key: str) -> Level | None:
    family_slug, _, level_slug = key.partition("/")
    return Level.objects.filter(family__slug=family_slug, slug=level_slug).first()


def _build_items(
    level: Level,
    section: str,
    items: list[ResolvedItem],
    parent: NewItem | None,
    base_url: str,
    level_by_key: dict[str, Level],
    out: list[NewItem],
) -> None:
    position = 0
    for parsed in items:
        links = parsed.extends or [None]
        for index, link in enumerate(links):
            target = None
            if link is not None:
                target = level_by_key.get(link[0]) or _stored_level(link[0])
            # A second parent ("Extends that of X or Y") is an extra, text-less link row.
            text = parsed.text if index == 0 else ""
            item = NewItem(
                values=(
                    level.pk,
                    section,
                    position,
                    text,
                    markdown_to_html(text, base_url) if text else "",
                    target.pk if target else None,
                    (link[1] or "") if link else "",
                ),
                parent=parent,
            )
            out.append(item)
            position += 1
            if index == 0:
                _build_items(level, section, parsed.children, item, base_url, level_by_key, out)


# --------------------------------------------------------------------------- effective lists


def _dependent_family_ids(family_ids: Iterable[int]) -> set[int]:
    """The families given, plus every family with a level extending one of theirs."""
    ids = set(family_ids)
    while True:
        more = set(
            Item.objects.filter(extends_level__family_id__in=ids)
            .exclude(level__family_id__in=ids)
            .order_by()  # no ordering: the default one joins families to sort by title
            .values_list("level__family_id", flat=True)
            .distinct()
        )
        if not more:
            return ids
        ids |= more


def load_graph(family_ids: Iterable[int]) -> tuple[dict[str, Node], dict[str, Level]]:
    """Nodes for the levels of these families and every level they extend, transitively."""
    ids = set(family_ids)
    while True:
        more = set(
            Item.objects.filter(level__family_id__in=ids, extends_level__isnull=False)
            .exclude(extends_level__family_id__in=ids)
            .order_by()
            .values_list("extends_level__family_id", flat=True)
            .distinct()
        )
        if not more:
            break
        ids |= more
    levels = {lv.pk: lv for lv in Level.objects.filter(family_id__in=ids).select_related("family")}
    items = list(
        Item.objects.filter(level_id__in=levels).order_by("level_id", "section", "position", "id")
    )
    children: dict[int, list[Item]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)

    def blank(item: Item) -> bool:
        # An extends link whose level was deleted (the link is set to NULL): nothing to show.
        return not item.text and not item.extends_level_id and item.pk not in children

    def node_item(item: Item) -> NodeItem:
        extends = []
        if item.extends_level_id and item.extends_level_id in levels:
            extends = [(levels[item.extends_level_id].key, item.extends_section or None)]
        return NodeItem(
            text=item.text,
            html=item.html,
            children=[node_item(c) for c in children.get(item.pk, []) if not blank(c)],
            extends=extends,
        )

    graph: dict[str, Node] = {}
    by_key: dict[str, Level] = {}
    sections: dict[int, dict[str, list[NodeItem]]] = {
        pk: {s: [] for s in SECTIONS} for pk in levels
    }
    for item in items:
        if item.parent_id is None and not blank(item):
            sections[item.level_id][item.section].append(node_item(item))
    for pk, level in levels.items():
        graph[level.key] = Node(level.key, level.title, sections[pk])
        by_key[level.key] = level
    return graph, by_key


def family_refresh_effective(*, family_ids: Iterable[int]) -> int:
    """Recompute ``Level.effective`` for every level of these families. Returns the count."""
    ids = set(family_ids)
    if not ids:
        return 0
    graph, by_key = load_graph(ids)
    memo: dict = {}
    changed: list[Level] = []
    for key, level in by_key.items():
        if level.family_id not in ids:
            continue
        data = effective_json(effective_items(key, graph, memo))
        if data != level.effective:
            level.effective = data
            changed.append(level)
    Level.objects.bulk_update(changed, ["effective"], batch_size=200)
    return len(changed)


# --------------------------------------------------------------------------- edits
#
# Every write an HR admin makes goes through one of these functions (the admin's hooks only
# call them). Each runs in one transaction, stamps its history records (who, when, why),
# clears the edited levels' content hash (they no longer match any imported page) and ends
# with ``ladder_changed``: effective lists of the family and of every family extending it,
# then the ladder content version with those families' stamps, published at commit.

_UNSET = object()


def grade_for(number) -> Grade | None:
    if number is None:
        return None
    grade, _ = Grade.objects.get_or_create(number=number)
    return grade


def item_render(item: Item) -> None:
    """Keep an item's stored HTML in step with its markdown."""
    item.html = markdown_to_html(item.text, item.level.family.base_url) if item.text else ""


def ladder_changed(*, family_ids: Iterable[int]) -> None:
    """Call inside the writing transaction after changing these families' levels or items."""
    edited = {pk for pk in family_ids if pk is not None}
    ids = _dependent_family_ids(edited)
    family_refresh_effective(family_ids=ids)
    # Only the edited families' own texts and grades changed: other documents stand (a
    # deleted family's or level's went with it).
    search_index_refresh(family_ids=edited)
    bump_content_version(LADDER, family_ids=ids)
    # The matcher reads effective lists: every family whose lists changed, no other.
    _level_index_follow(family_ids=ids)


INDEX_FOLLOW_MAX_FAMILIES = 50


def _level_index_follow(*, family_ids: set[int]) -> None:
    from postings.services import level_index_follow  # postings builds on ladder

    level_index_follow(family_ids=family_ids)


def family_after_edit(*, family_ids: set[int]) -> None:
    """The name ``ladder_changed`` had before (kept for callers written against it)."""
    ladder_changed(family_ids=family_ids)


def _stamp(obj, *, user, when, reason: str = "") -> None:
    """What django-simple-history records for the next save or delete of ``obj``."""
    obj._history_user = user if user is not None and user.is_authenticated else None
    obj._history_date = when
    obj._change_reason = reason


def _write_level(level: Level, *, grade_number, user, when, reason: str) -> int | None:
    """Save the level row; returns the family it belonged to before (a move changes two)."""
    before = (
        Level.objects.filter(pk=level.pk).values_list("family_id", "version").first()
        if level.pk
        else None
    )
    if grade_number is not _UNSET:
        level.grade = grade_for(grade_number)
    if before is not None:
        level.version = before[1] + 1
    level.content_hash = ""
    _stamp(level, user=user, when=when, reason=reason)
    level.save()
    return before[0] if before else None


def level_save(
    *,
    level: Level,
    items: Sequence[Item] = (),
    deleted_items: Sequence[Item] = (),
    grade_number=_UNSET,
    user=None,
    reason: str = "",
) -> Level:
    """Save a level with its item edits (the admin's change form and its inline), one version.

    The level and its items share one history date, so a revert of this level version can
    restore the items saved with it (:func:`level_revert`). An item without a position
    (``None``: the admin's blank position box) goes after the last item of its section.

    >>> level_save(level=level, items=[item], grade_number=7, user=hana)  # doctest: +SKIP
    """
    with transaction.atomic():
        when = timezone.now()
        old_family = _write_level(
            level, grade_number=grade_number, user=user, when=when, reason=reason
        )
        for item in deleted_items:
            if item.pk and Item.objects.filter(pk=item.pk).exists():
                _stamp(item, user=user, when=when, reason=reason)
                item.delete()
        _place_at_section_ends(level, items)
        for item in items:
            item.level = level
            item_render(item)
            _stamp(item, user=user, when=when, reason=reason)
            item.save()
        ladder_changed(family_ids={level.family_id, old_family})
    return level


def _place_at_section_ends(level: Level, items: Sequence[Item]) -> None:
    """Give each item without a position the one after its section's last item, in the order
    given: "add an item to this section" without knowing how many it holds.

    >>> _place_at_section_ends(level, [Item(section="general", position=None)])  # doctest: +SKIP
    """
    unplaced = [item for item in items if item.position is None]
    if not unplaced:
        return
    # The saved rows minus those being saved now (their new positions count instead).
    ends: dict[str, int] = dict(
        Item.objects.filter(level=level)
        .exclude(pk__in=[item.pk for item in items if item.pk])
        .order_by()
        .values("section")
        .annotate(end=Max("position"))
        .values_list("section", "end")
    )
    for item in items:
        if item.position is not None:
            ends[item.section] = max(ends.get(item.section, -1), item.position)
    for item in unplaced:
        item.position = ends[item.section] = ends.get(item.section, -1) + 1


def level_revert(
    *, level: Level, record_id: int, restore_items: bool, grade_number=_UNSET, user=None
) -> Level:
    """Save ``level`` as it was in history record ``record_id`` (the admin's revert form) and,
    when asked, its items as they were saved with that version."""
    record = Level.history.get(history_id=record_id, id=level.pk)
    with transaction.atomic():
        when = timezone.now()
        reason = f"revert to version {record.version} of {record.history_date:%Y-%m-%d %H:%M}"
        old_family = _write_level(
            level, grade_number=grade_number, user=user, when=when, reason=reason
        )
        if restore_items:
            _restore_items(level, as_of=record.history_date, user=user, when=when, reason=reason)
        ladder_changed(family_ids={level.family_id, old_family})
    return level


def items_saved_with(level: Level, as_of) -> list[Item]:
    """The level's items as they stood at ``as_of`` (from their history), parents first."""
    latest: dict[int, object] = {}
    for record in Item.history.filter(level_id=level.pk, history_date__lte=as_of).order_by(
        "id", "-history_date", "-history_id"
    ):
        latest.setdefault(record.id, record)
    items = [r.instance for r in latest.values() if r.history_type != "-"]
    alive = {item.pk for item in items}
    for item in items:
        if item.parent_id not in alive:
            item.parent_id = None
    depth: dict[int, int] = {}
    parents = {item.pk: item.parent_id for item in items}

    def depth_of(pk: int) -> int:
        if pk not in depth:
            parent = parents[pk]
            depth[pk] = 0 if parent is None else depth_of(parent) + 1
        return depth[pk]

    return sorted(items, key=lambda i: (depth_of(i.pk), i.section, i.position, i.pk))


_ITEM_COLUMNS = ("section", "position", "text", "parent_id", "extends_level_id", "extends_section")


def _restore_items(level: Level, *, as_of, user, when, reason: str) -> None:
    wanted = items_saved_with(level, as_of)
    keep = {item.pk for item in wanted}
    current = {item.pk: item for item in level.items.all()}
    for pk, item in current.items():
        if pk not in keep and Item.objects.filter(pk=pk).exists():  # a parent's delete cascades
            _stamp(item, user=user, when=when, reason=reason)
            item.delete()
    targets = {i.extends_level_id for i in wanted} - {None}
    levels = set(Level.objects.filter(pk__in=targets).values_list("pk", flat=True))
    for item in wanted:
        if item.extends_level_id not in levels:
            item.extends_level_id = None  # the level it extended is gone
        now = current.get(item.pk)
        if now is not None and all(getattr(now, c) == getattr(item, c) for c in _ITEM_COLUMNS):
            continue
        item.level = level
        item_render(item)
        _stamp(item, user=user, when=when, reason=reason)
        item.save()


def level_delete(*, level: Level, user=None) -> None:
    """Delete a level; levels extending it (in any family) lose those items' links."""
    with transaction.atomic():
        affected = _dependent_family_ids({level.family_id})
        _stamp(level, user=user, when=timezone.now())
        level.delete()
        ladder_changed(family_ids=affected)


def item_save(*, item: Item, user=None, reason: str = "") -> Item:
    """Save one item (the admin's item form, or its revert); the level counts as edited."""
    with transaction.atomic():
        item_render(item)
        _stamp(item, user=user, when=timezone.now(), reason=reason)
        item.save()
        Level.objects.filter(pk=item.level_id).update(version=F("version") + 1, content_hash="")
        ladder_changed(family_ids={item.level.family_id})
    return item


def item_delete(*, item: Item, user=None) -> None:
    with transaction.atomic():
        family_id = item.level.family_id
        _stamp(item, user=user, when=timezone.now())
        level_id = item.level_id
        item.delete()
        Level.objects.filter(pk=level_id).update(version=F("version") + 1, content_hash="")
        ladder_changed(family_ids={family_id})


def family_save(*, family: JobFamily, user=None) -> JobFamily:
    """Save a family's own fields (title, description, family sections)."""
    with transaction.atomic():
        _stamp(family, user=user, when=timezone.now())
        family.save()
        ladder_changed(family_ids={family.pk})
    return family


def grade_save(*, grade: Grade, user=None) -> Grade:
    """Save a grade's label, description or link (shown on grade and level pages)."""
    with transaction.atomic():
        grade.save()
        families = JobFamily.objects.filter(levels__grade=grade).values_list("pk", flat=True)
        bump_content_version(LADDER, family_ids=set(families))
    return grade


def grade_delete(*, grade: Grade, user=None) -> None:
    """Delete a grade no level holds (the database refuses otherwise)."""
    with transaction.atomic():
        grade.delete()
        bump_content_version(LADDER)


def family_delete(*, family: JobFamily, user=None) -> None:
    with transaction.atomic():
        affected = _dependent_family_ids({family.pk}) - {family.pk}
        _stamp(family, user=user, when=timezone.now())
        family.delete()
        ladder_changed(family_ids=affected)


# --------------------------------------------------------------------------- re-import


@dataclass
class Conflict:
    level: str
    section: str
    admin_text: str  # what the admin wrote (now in the database)
    page_text: str  # what the imported page said there ("" for an item the admin added)


@dataclass
class ReimportPreview:
    family: JobFamily
    name: str
    source: str
    diff: FamilyDiff
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""
    page_title: str = ""  # the title the uploaded page gives its family

    @property
    def title_differs(self) -> bool:
        """The page is about another family: applying it needs an explicit confirmation."""
        return bool(self.page_title) and normalize_title(self.page_title) != normalize_title(
            self.family.title
        )


def _page_texts(source: str) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    if not source:
        return out
    for level in parse_handbook(source).levels:
        for section, items in level.sections.items():
            bucket = out.setdefault(level.title, {}).setdefault(section, set())
            bucket.update(dedupe_key(item.text) for item in walk_items(items))
    return out


def admin_edits(family: JobFamily) -> list[Conflict]:
    """Items whose text differs from the page last imported (``JobFamily.source``), each with
    the text the page had there (its import baseline in the item's history), if any."""
    imported = _page_texts(family.source)
    items = list(
        Item.objects.filter(level__family=family)
        .exclude(text="")
        .select_related("level")
        .order_by("level__position", "section", "position")
    )
    baselines = dict(
        Item.history.filter(id__in=[i.pk for i in items], history_change_reason="import")
        .order_by("id", "history_date")
        .values_list("id", "text")
    )
    conflicts = []
    for item in items:
        page = imported.get(item.level.title, {}).get(item.section, set())
        if dedupe_key(item.text) in page or item.text.lower().startswith("extends"):
            continue
        baseline = baselines.get(item.pk, "")
        conflicts.append(
            Conflict(
                item.level.title, item.section, item.text, baseline if baseline != item.text else ""
            )
        )
    return conflicts


def family_reimport_preview(*, family: JobFamily, name: str, data: bytes) -> ReimportPreview:
    """What importing ``data`` into ``family`` would change, and which admin edits it touches.

    Admin edits are kept (re-applied on the new page) unless the admin chooses to overwrite
    them; a page whose title names another family is flagged (``title_differs``).
    """
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReimportPreview(family, name, "", FamilyDiff([]), error="not valid UTF-8 text")
    try:
        diff = diff_sources(family.source, source)
        page_title = parse_handbook(source).title
    except (HandbookError, CycleError) as exc:
        return ReimportPreview(family, name, source, FamilyDiff([]), error=str(exc))
    return ReimportPreview(family, name, source, diff, admin_edits(family), page_title=page_title)


def family_reimport_apply(
    *,
    family: JobFamily,
    name: str,
    source: str,
    keep_admin_edits: bool,
    confirm_title: bool = False,
    user=None,
) -> str:
    """Import the new page into ``family`` in one transaction.

    Keep: every admin edit listed by the preview is re-applied on the new page (the item that
    had the page's text gets the admin's text again; an item the admin added is added again).
    Overwrite: the family is exactly the page. Either way the effective lists, pages, API and
    admin preview all show what the database holds.
    """
    with transaction.atomic():
        preview = family_reimport_preview(family=family, name=name, data=source.encode())
        if preview.error:
            raise ImportFailed([f"{name}: {preview.error}"])
        if preview.title_differs and not confirm_title:
            raise ImportFailed(
                [
                    f"{name} is the page of “{preview.page_title}”, not of “{family.title}”: "
                    f"confirm that it should replace {family.title}'s levels"
                ]
            )
        summary = family_import(
            sources=[Source(name, source.encode())], force=[family.slug], into=family
        )
        if keep_admin_edits:
            _reapply(family, preview.conflicts, user=user)
        ladder_changed(family_ids={family.pk})
        return summary.line()


def _reapply(family: JobFamily, conflicts: list[Conflict], *, user) -> None:
    when = timezone.now()
    levels = {lv.title: lv for lv in Level.objects.filter(family=family).select_related("family")}
    edited: set[int] = set()
    for conflict in conflicts:
        level = levels.get(conflict.level)
        if level is None:
            continue  # the new page removed the level
        items = list(level.items.filter(section=conflict.section).order_by("position", "pk"))
        if any(dedupe_key(i.text) == dedupe_key(conflict.admin_text) for i in items):
            continue
        target = next(
            (
                i
                for i in items
                if conflict.page_text and dedupe_key(i.text) == dedupe_key(conflict.page_text)
            ),
            None,
        )
        if target is None:
            top = [i.position for i in items if i.parent_id is None]
            target = Item(level=level, section=conflict.section, position=max(top, default=-1) + 1)
        target.text = conflict.admin_text
        item_render(target)
        _stamp(target, user=user, when=when, reason="admin edit kept at re-import")
        target.save()
        edited.add(level.pk)
    Level.objects.filter(pk__in=edited).update(content_hash="", version=F("version") + 1)
