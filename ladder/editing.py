"""Writes HR admins make: saving a level with its items, re-importing a family's page.

Every function runs inside a transaction and leaves ``Level.effective`` and the page cache
version up to date, so the pages show an edit as soon as it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ladder.handbook import HandbookError
from ladder.handbook.sources import ImportFailed, Source
from ladder.history import FamilyDiff, diff_sources
from ladder.inheritance import CycleError, dedupe_key
from ladder.models import Grade, Item, JobFamily, Level
from ladder.rendering import markdown_to_html
from ladder.search import search_index_refresh
from ladder.services import (
    _dependent_family_ids,
    bump_content_version,
    family_import,
    family_refresh_effective,
)


def grade_for(number) -> Grade | None:
    if number is None:
        return None
    grade, _ = Grade.objects.get_or_create(number=number)
    return grade


def item_render(item: Item) -> None:
    """Keep an item's stored HTML in step with its markdown."""
    item.html = markdown_to_html(item.text, item.level.family.base_url) if item.text else ""


def family_after_edit(*, family_ids: set[int]) -> None:
    """Recompute effective lists of these families and of those extending them."""
    dependent = _dependent_family_ids(family_ids)
    family_refresh_effective(family_ids=dependent)
    # Only these families' own texts and grades changed: the others' documents stand.
    search_index_refresh(family_ids=family_ids)
    bump_content_version()
    # The matcher reads effective lists: every family whose lists changed, no other.
    from postings.services import level_index_follow  # postings builds on ladder

    level_index_follow(family_ids=dependent)


# --------------------------------------------------------------------------- re-import


@dataclass
class Conflict:
    level: str
    section: str
    admin_text: str  # what the admin wrote (now in the database)
    page_text: str  # what the last imported page said


@dataclass
class ReimportPreview:
    family: JobFamily
    name: str
    source: str
    diff: FamilyDiff
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""


def _stored_texts(family: JobFamily) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for item in (
        Item.objects.filter(level__family=family)
        .select_related("level")
        .order_by("level__position", "section", "position")
    ):
        if item.text:
            out.setdefault(item.level.title, {}).setdefault(item.section, []).append(item.text)
    return out


def _page_texts(source: str) -> dict[str, dict[str, list[str]]]:
    from ladder.handbook import parse_handbook

    family = parse_handbook(source)
    out: dict[str, dict[str, list[str]]] = {}

    def walk(items, bucket):
        for item in items:
            bucket.append(item.text)
            walk(item.children, bucket)

    for level in family.levels:
        for section, items in level.sections.items():
            walk(items, out.setdefault(level.title, {}).setdefault(section, []))
    return out


def family_reimport_preview(*, family: JobFamily, name: str, data: bytes) -> ReimportPreview:
    """What importing ``data`` would change, and which admin edits it would overwrite.

    Admin edits are the items whose text in the database differs from the page last imported
    (``JobFamily.source``); the new page overwrites them unless the admin keeps them.
    """
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReimportPreview(family, name, "", FamilyDiff([]), error="not valid UTF-8 text")
    try:
        diff = diff_sources(family.source, source)
    except (HandbookError, CycleError) as exc:
        return ReimportPreview(family, name, source, FamilyDiff([]), error=str(exc))
    preview = ReimportPreview(family, name, source, diff)
    imported = _page_texts(family.source)
    for level, sections in _stored_texts(family).items():
        for section, texts in sections.items():
            page = {dedupe_key(t) for t in imported.get(level, {}).get(section, [])}
            for text in texts:
                if dedupe_key(text) not in page and not text.lower().startswith("extends"):
                    preview.conflicts.append(Conflict(level, section, text, ""))
    return preview


def family_reimport_apply(
    *, family: JobFamily, name: str, source: str, keep_admin_edits: bool
) -> str:
    """Import the new page in one transaction; re-add the admin's own items if kept."""
    with transaction.atomic():
        preview = family_reimport_preview(family=family, name=name, data=source.encode())
        if preview.error:
            raise ImportFailed([f"{name}: {preview.error}"])
        summary = family_import(sources=[Source(name, source.encode())])
        if keep_admin_edits and preview.conflicts:
            levels = {lv.title: lv for lv in Level.objects.filter(family=family)}
            touched = set()
            for conflict in preview.conflicts:
                level = levels.get(conflict.level)
                if level is None:
                    continue
                exists = level.items.filter(section=conflict.section, text=conflict.admin_text)
                if exists.exists():
                    continue
                position = level.items.filter(section=conflict.section, parent=None).count()
                item = Item(
                    level=level,
                    section=conflict.section,
                    position=position,
                    text=conflict.admin_text,
                )
                item_render(item)
                item.save()
                touched.add(level.family_id)
            if touched:
                family_after_edit(family_ids=touched)
        return summary.line()
