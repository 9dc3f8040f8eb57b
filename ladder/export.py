"""Write a family back as GitLab-style handbook markdown, and the ladder as CSV.

The markdown is what ``import_handbook`` reads: the page's front matter, a heading per track
(none for levels under no track), a role heading, a reports-to sentence, ``Job Grade``
sentences (stated grades only: inferred ones are inferred again), ``<Role>
Responsibilities/Requirements`` bullets with nesting, and "Extends that of the X
Responsibilities" bullets where the links stand. Importing the export reproduces the family's
levels, tracks, items, grades and inheritance.

>>> print(family_markdown(family)[:40])  # doctest: +SKIP
---
title: "Sales Operations Roles"
"""

from __future__ import annotations

import csv
import io
import json

from ladder.handbook.decoding import split_front_matter
from ladder.handbook.parsed import HandbookError
from ladder.handbook.text import family_title
from ladder.inheritance import effective_entries
from ladder.models import Item, JobFamily, Level, format_grade

SECTION_WORDS = {"responsibilities": "Responsibilities", "requirements": "Requirements"}


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _grade_text(level: Level) -> str:
    number = format_grade(level.grade.number)
    if level.grade_max is not None:
        return f"grade {number} or {format_grade(level.grade_max)}"
    return f"grade {number}"


def _extends_text(item: Item, section: str) -> str:
    target = item.extends_level.title
    if item.extends_level.family_id != item.level.family_id:
        # Another family's level: link it, so the title cannot resolve to a namesake.
        target = f"[{target}]({item.extends_level.get_absolute_url()})"
    which = item.extends_section
    if which and which in SECTION_WORDS:
        return f"Extends that of the {target} {SECTION_WORDS[which]}"
    if section in SECTION_WORDS:
        # A section-less link inside a named section covers that section only when read back,
        # which is what it did here too.
        return f"Extends that of the {target} {SECTION_WORDS[section]}"
    return f"Extends that of the {target}"


def _front_matter(family: JobFamily) -> list[str]:
    """The front matter the page was last imported with (its title, layout, description…, in
    their order), so an export reads like the page it came from; a family renamed since, or
    without a page, gets "<title> Roles"."""
    try:
        kept, _, _ = split_front_matter(family.source, [])
    except HandbookError:
        kept = {}
    title = kept.get("title")
    if not isinstance(title, str) or family_title(title) != family.title:
        title = f"{family.title} Roles"
    fields = {"title": title} if "title" not in kept else {}
    fields.update({key: title if key == "title" else value for key, value in kept.items()})
    # JSON is YAML: strings quoted, lists and mappings in flow style, dates as text.
    lines = [
        f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}"
        for key, value in fields.items()
    ]
    return ["---", *lines, "---", ""]


def _bullets(items: list[Item], children: dict[int, list[Item]], section: str, depth: int = 0):
    lines: list[str] = []
    for item in items:
        if item.extends_level_id:
            text = _extends_text(item, section)
        else:
            text = " ".join(item.text.split())
        if not text:
            continue
        lines.append(f"{'  ' * depth}- {text}")
        lines.extend(_bullets(children.get(item.pk, []), children, section, depth + 1))
    return lines


def _group_headings(group: str) -> list[str]:
    parts = [part.strip() for part in group.split("›") if part.strip()]
    return parts


def family_markdown(family: JobFamily) -> str:
    """The family as one handbook page."""
    levels = list(family.levels.select_related("grade", "reports_to").order_by("position"))
    items = list(
        Item.objects.filter(level__family=family)
        .select_related("extends_level__family", "level")
        .order_by("level_id", "section", "position", "id")
    )
    top: dict[tuple[int, str], list[Item]] = {}
    children: dict[int, list[Item]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
        else:
            top.setdefault((item.level_id, item.section), []).append(item)

    out = _front_matter(family)
    if family.description.strip():
        out += [family.description.strip(), ""]
    current: list[str] = []
    for level in levels:
        parts = _group_headings(level.group)
        if parts != current:
            # Open the groups that differ from the previous level's.
            common = 0
            while common < min(len(parts), len(current)) and parts[common] == current[common]:
                common += 1
            for depth in range(common, len(parts)):
                out += [f"{'#' * (2 + depth)} {parts[depth]}", ""]
            current = parts
        role = "#" * (2 + len(parts))
        sub = "#" * (3 + len(parts))
        out += [f"{role} {level.title}", ""]
        if level.reports_to_id:
            out += [f"The {level.title} reports to the {level.reports_to.title}.", ""]
        elif level.reports_to_title:
            target = level.reports_to_title
            if level.reports_to_link:
                target = f"[{target}]({level.reports_to_link})"
            out += [f"The {level.title} reports to the {target}.", ""]
        if level.description.strip():
            out += [level.description.strip(), ""]
        general = _bullets(top.get((level.pk, "general"), []), children, "general")
        if general:
            out += [*general, ""]
        if level.grade_id and not level.grade_inferred:
            grade = _grade_text(level)
            if level.grade.link:
                grade = f"[{grade}]({level.grade.link})"
            out += [f"{sub} Job Grade", "", f"The {level.title} is a {grade}.", ""]
        for section, word in SECTION_WORDS.items():
            bullets = _bullets(top.get((level.pk, section), []), children, section)
            if bullets:
                out += [f"{sub} {level.title} {word}", "", *bullets, ""]
    for heading, entries in (
        ("Performance Indicators", family.performance_indicators),
        ("Career Ladder", family.career_ladder),
        ("Hiring Process", family.hiring_process),
    ):
        if entries:
            out += [f"## {heading}", ""]
            out += [f"- {' '.join(str(entry).split())}" for entry in entries]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


CSV_COLUMNS = [
    "family",
    "level",
    "slug",
    "group",
    "grade",
    "grade_max",
    "grade_inferred",
    "reports_to",
    "responsibilities",
    "requirements",
    "general",
]


def levels_csv(levels) -> str:
    """Levels with grade and effective item counts, for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for level in levels:
        reports_to = level.manager.title if level.manager else ""
        writer.writerow(
            [
                level.family.title,
                level.title,
                level.slug,
                level.group,
                format_grade(level.grade.number) if level.grade_id else "",
                format_grade(level.grade_max) if level.grade_max is not None else "",
                "yes" if level.grade_inferred else "no",
                reports_to,
                *(
                    len(effective_entries(level.effective, s))
                    for s in ("responsibilities", "requirements", "general")
                ),
            ]
        )
    return buffer.getvalue()
