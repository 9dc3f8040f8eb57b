"""Writes that span models: importing handbook pages, refreshing effective lists.

Called by the ``import_handbook`` command, the admin and tests alike. Every write happens in one
``transaction.atomic()`` block, so a failed run leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ladder.handbook import (
    SECTIONS,
    ParsedFamily,
)
from ladder.handbook.sources import (
    ImportFailed,
    Source,
    located,
    parse_sources,
)
from ladder.inheritance import (
    Candidate,
    CycleError,
    EffectiveItem,
    Node,
    NodeItem,
    ResolvedImport,
    ResolvedItem,
    ResolvedLevel,
    effective_items,
    resolve_import,
)
from ladder.models import FamilyVersion, Grade, ImportRun, Item, JobFamily, Level, SiteVersion
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


def family_import(
    *,
    sources: Sequence[Source],
    dry_run: bool = False,
    strict: bool = False,
    base_url: str | None = None,
    grade_range: tuple[int, int] | None = None,
) -> ImportSummary:
    """Import handbook pages in one transaction; raise :class:`ImportFailed` on any error.

    Families are upserted by slug, levels by slug within their family; a page whose checksum
    matches what is stored is left alone, so re-importing the same file changes nothing.

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
    # Several pages of one run with the same family: each is a version, the last one wins.
    latest: dict[str, ParsedFamily] = {}
    ordered_versions: list[ParsedFamily] = []
    for family in parsed:
        latest[family.slug] = family
        ordered_versions.append(family)

    summary = ImportSummary(dry_run=dry_run)
    with transaction.atomic():
        # One import at a time: a second one waits here, then sees the first's result, so a
        # family is always one whole version, never a mix. (SQLite's IMMEDIATE transactions
        # already serialise writers.)
        import_lock()
        existing = {f.slug: f for f in JobFamily.objects.filter(slug__in=latest)}
        changed = [
            f
            for f in latest.values()
            if f.slug not in existing or existing[f.slug].source_checksum != checksum(f.source)
        ]
        summary.families["unchanged"] = len(latest) - len(changed)
        for slug in latest:
            if slug in existing and latest[slug] not in changed:
                summary.levels["unchanged"] += existing[slug].levels.count()
        changed_slugs = {f.slug for f in changed}
        stored = Level.objects.exclude(family__slug__in=changed_slugs).select_related(
            "family", "grade"
        )
        candidates = [Candidate(lv.key, lv.title, lv.family.slug) for lv in stored]
        grades = {lv.key: (lv.grade.number if lv.grade else None, lv.grade_max) for lv in stored}
        resolved = resolve_import(changed, candidates, grades, strict=strict)
        if resolved.errors:
            raise ImportFailed([located(e.name, e) for e in resolved.errors])
        for family in resolved.families:
            for warning in family.warnings:
                summary.warnings.append(f"{family.parsed.name}:{warning.line}: {warning.message}")
                summary.warning_kinds[warning.kind] = summary.warning_kinds.get(warning.kind, 0) + 1
        earlier = {
            slug: [f for f in ordered_versions if f.slug == slug and f is not latest[slug]]
            for slug in changed_slugs
        }
        try:
            effective = _run_effective(resolved)
            written = _write(resolved, existing, summary, earlier, effective)
            # Families elsewhere that extend what changed: their lists change too.
            dependent = _dependent_family_ids(written)
            family_refresh_effective(family_ids=dependent - set(written))
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
            bump_content_version()
            _level_index_follow(family_ids=dependent)
    return summary


def _level_index_follow(*, family_ids: set[int]) -> None:
    """The posting matcher's cached index follows the import, rebuilt for these families only
    (a whole new ladder is cheaper to index whole: the next reader builds it)."""
    from postings.services import level_index_follow  # postings builds on ladder

    if len(family_ids) <= INDEX_FOLLOW_MAX_FAMILIES:
        level_index_follow(family_ids=family_ids)


INDEX_FOLLOW_MAX_FAMILIES = 50


IMPORT_LOCK_ID = 0x1ADDE5  # any constant shared by every Ladder process


def import_lock() -> None:
    """Wait for any other import to finish (PostgreSQL advisory lock, released at commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])


def _record_version(
    family: JobFamily, source: str, name: str, known: dict[str, int] | None = None
) -> None:
    """Keep this source as the family's next version, unless it is already one of them.

    ``known`` (checksum → number) stands in for the database for a family created in this
    run: it has no other versions, and a large import creates hundreds of families.
    """
    digest = checksum(source)
    if known is not None:
        if digest in known:
            return
        number = len(known) + 1
        known[digest] = number
    else:
        if family.versions.filter(checksum=digest).exists():
            return
        number = (
            family.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
    FamilyVersion.objects.create(
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


def _level_hash(lv: ResolvedLevel) -> str:
    def item(i: ResolvedItem) -> list:
        return [i.text, i.extends, [item(c) for c in i.children]]

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
        {s: [item(i) for i in lv.sections[s]] for s in SECTIONS},
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
    return {
        key: {
            section: _serialise(items, slug_of)
            for section, items in effective_items(key, graph, memo).items()
        }
        for key in run_keys
    }


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
    for fam in resolved.families:
        p = fam.parsed
        digest = checksum(p.source)
        family = existing.get(p.slug)
        fields = {
            "title": p.title,
            "description": p.description,
            "source": p.source,
            "source_checksum": digest,
            "source_name": p.name,
            "base_url": p.base_url,
            "performance_indicators": p.performance_indicators,
            "career_ladder": p.career_ladder,
            "hiring_process": p.hiring_process,
            "imported_at": now,
        }
        created = family is None
        if created:
            family = JobFamily.objects.create(slug=p.slug, **fields)
            summary.families["created"] += 1
        else:
            for name, value in fields.items():
                setattr(family, name, value)
            family.save()
            summary.families["updated"] += 1
        family_ids.append(family.pk)
        # Older versions given in the same run come first, in the order they were given.
        known: dict[str, int] | None = {} if created else None
        for version in earlier.get(p.slug, []):
            _record_version(family, version.source, version.name, known)
        _record_version(family, p.source, p.name, known)
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
                level.save()
                summary.levels["updated"] += 1
                summary.items["removed"] += level.items.count()
                level.items.all().delete()
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
    # New levels in bulk, each with its "created" history record (who imported it, when).
    deferred_effective = []
    if connection.vendor == "postgresql":
        # Django inserts many rows through arrays, and psycopg escapes every large effective
        # document inside the array text (seconds per import); they follow in one pipelined
        # statement instead.
        deferred_effective = [(level, level.effective) for level in new_levels]
        for level in new_levels:
            level.effective = {}
    bulk_create_with_history(new_levels, Level, batch_size=500, default_change_reason="import")
    if deferred_effective:
        from psycopg.types.json import Jsonb

        _update_levels("effective", [(Jsonb(data), level.pk) for level, data in deferred_effective])
        for level, data in deferred_effective:
            level.effective = data
    # Links need every level of the run saved first (a page may point at a later page).
    relinked = []
    for level, lv in pending_links:
        target = level_by_key.get(lv.reports_to_key) if lv.reports_to_key else None
        if target is None and lv.reports_to_key:
            target = _stored_level(lv.reports_to_key)
        if level.reports_to_id != (target.pk if target else None):
            level.reports_to = target
            relinked.append(level)
    _update_levels("reports_to", [(level.reports_to_id, level.pk) for level in relinked])
    Level.objects.bulk_update(refreshed, ["effective"], batch_size=200)
    new_items: list[_NewItem] = []
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
    _bulk_create_tree(new_items)
    summary.items["created"] += len(new_items)
    return family_ids


def _stored_level(key: str) -> Level | None:
    family_slug, _, level_slug = key.partition("/")
    return Level.objects.filter(family__slug=family_slug, slug=level_slug).first()


def _update_levels(field: str, rows: list[tuple[object, int]]) -> None:
    """Set one column of many levels: (value, pk) rows, one plain statement run for each.

    ``bulk_update`` builds a CASE expression per object, which cost seconds on a large ladder.
    """
    if not rows:
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ops.quote_name(Level._meta.db_table)} "
            f"SET {ops.quote_name(Level._meta.get_field(field).column)} = %s "
            f"WHERE {ops.quote_name(Level._meta.pk.column)} = %s",
            rows,
        )


@dataclass(slots=True)
class _NewItem:
    """An item row to insert; its parent is known only as another row until that is saved."""

    values: tuple  # in the order of _ITEM_FIELDS, without the parent
    parent: _NewItem | None
    pk: int | None = None


_ITEM_FIELDS = (
    "level",
    "section",
    "position",
    "text",
    "html",
    "extends_level",
    "extends_section",
    "parent",
)


def _build_items(
    level: Level,
    section: str,
    items: list[ResolvedItem],
    parent: _NewItem | None,
    base_url: str,
    level_by_key: dict[str, Level],
    out: list[_NewItem],
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
            item = _NewItem(
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


def _bulk_create_tree(items: list[_NewItem]) -> None:
    """Insert items without a model instance per row (tens of thousands per import, and
    building the instances cost more than the database did).

    SQLite: multi-row ``INSERT … RETURNING`` (what ``bulk_create`` sends), depth by depth so
    each child knows its parent's id. PostgreSQL: ``COPY`` (see ``_copy_tree``).
    """
    if connection.vendor == "postgresql":
        _copy_tree(items)
        return
    ops = connection.ops
    fields = [Item._meta.get_field(name) for name in _ITEM_FIELDS]
    table = ops.quote_name(Item._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = min(500, (connection.features.max_query_params or 10_000) // len(fields))
    returning = f"RETURNING {ops.quote_name(Item._meta.pk.column)}"
    remaining = items
    with connection.cursor() as cursor:
        while remaining:
            ready = [i for i in remaining if i.parent is None or i.parent.pk is not None]
            for start in range(0, len(ready), per_batch):
                batch = ready[start : start + per_batch]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))} "
                    f"{returning}",
                    [
                        value
                        for item in batch
                        for value in (*item.values, item.parent.pk if item.parent else None)
                    ],
                )
                for item, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    item.pk = pk
            remaining = [i for i in remaining if i.pk is None]


def _copy_tree(items: list[_NewItem]) -> None:
    """PostgreSQL: ids taken from the table's sequence in one query, then one ``COPY``.

    Parents come before their children in ``items``, so every parent id is known when its
    children are written; many times faster than inserting row by row.
    """
    if not items:
        return
    table = Item._meta.db_table
    pk = Item._meta.pk.column
    columns = [pk] + [Item._meta.get_field(name).column for name in _ITEM_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, len(items)],
        )
        for item, (value,) in zip(items, cursor.fetchall(), strict=True):
            item.pk = value
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy:
            for item in items:
                copy.write_row((item.pk, *item.values, item.parent.pk if item.parent else None))


# --------------------------------------------------------------------------- effective lists


def _dependent_family_ids(family_ids: Iterable[int]) -> set[int]:
    """The families given, plus every family with a level extending one of theirs."""
    ids = set(family_ids)
    while True:
        more = set(
            Item.objects.filter(extends_level__family_id__in=ids)
            .exclude(level__family_id__in=ids)
            .values_list("level__family_id", flat=True)
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
            .values_list("extends_level__family_id", flat=True)
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

    def node_item(item: Item) -> NodeItem:
        extends = []
        if item.extends_level_id and item.extends_level_id in levels:
            extends = [(levels[item.extends_level_id].key, item.extends_section or None)]
        return NodeItem(
            text=item.text,
            html=item.html,
            children=[node_item(c) for c in children.get(item.pk, [])],
            extends=extends,
        )

    graph: dict[str, Node] = {}
    by_key: dict[str, Level] = {}
    sections: dict[int, dict[str, list[NodeItem]]] = {
        pk: {s: [] for s in SECTIONS} for pk in levels
    }
    for item in items:
        if item.parent_id is None:
            sections[item.level_id][item.section].append(node_item(item))
    for pk, level in levels.items():
        graph[level.key] = Node(level.key, level.title, sections[pk])
        by_key[level.key] = level
    return graph, by_key


def _serialise(items: list[EffectiveItem], slug_of: dict[str, str]) -> list[dict]:
    return [
        {
            "text": i.text,
            "html": i.html,
            "source": slug_of.get(i.source, i.source),
            "source_key": i.source,
            "source_title": i.source_title,
            "children": _serialise(i.children, slug_of),
        }
        for i in items
    ]


def family_refresh_effective(*, family_ids: Iterable[int]) -> int:
    """Recompute ``Level.effective`` for every level of these families. Returns the count."""
    ids = set(family_ids)
    if not ids:
        return 0
    graph, by_key = load_graph(ids)
    slug_of = {key: level.slug for key, level in by_key.items()}
    memo: dict = {}
    changed: list[Level] = []
    for key, level in by_key.items():
        if level.family_id not in ids:
            continue
        eff = effective_items(key, graph, memo)
        data = {section: _serialise(eff[section], slug_of) for section in SECTIONS}
        if data != level.effective:
            level.effective = data
            changed.append(level)
    Level.objects.bulk_update(changed, ["effective"], batch_size=200)
    return len(changed)


# --------------------------------------------------------------------------- cache version


# The number lives in the database (it changes in the writing transaction, so it can never
# run ahead of the data) and is published to the shared cache when that transaction commits,
# so a page served from the cache costs no query at all.
VERSION_KEY = "ladder:content-version"
# How long a number published by a writer that died between its commit and its publication
# (or two writers publishing out of order) can stay stale, at worst.
VERSION_SECONDS = 5


def _stored_version() -> int:
    return SiteVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def content_version() -> int:
    """The number every page cache key includes; it changes with every import and edit."""
    if connection.in_atomic_block or isinstance(caches["default"], LocMemCache):
        # A writer reads its own uncommitted number, which must never reach the shared cache;
        # and a process-local cache could not tell the other workers about a new number.
        return _stored_version()
    number = cache.get(VERSION_KEY)
    if number is None:
        number = _stored_version()
        # add, not set: a writer that committed meanwhile has published a newer number.
        cache.add(VERSION_KEY, number, VERSION_SECONDS)
    return number


def family_choices() -> list[tuple[str, str]]:
    """(slug, title) of every family by title, for pickers; cached per content version."""
    key = f"ladder:family-choices:{content_version()}"
    choices = cache.get(key)
    if choices is None:
        choices = list(JobFamily.objects.order_by("title").values_list("slug", "title"))
        cache.set(key, choices)
    return choices


def _publish_version() -> None:
    cache.set(VERSION_KEY, _stored_version(), VERSION_SECONDS)


def bump_content_version() -> None:
    """Call inside the writing transaction: readers see the new number when the data commits."""
    if not SiteVersion.objects.filter(pk=1).update(number=F("number") + 1):
        SiteVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    transaction.on_commit(_publish_version, robust=True)
