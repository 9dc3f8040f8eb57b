"""What changed between two versions of a family's handbook page.

Pure: takes two markdown sources, returns plain data. Levels are paired by title ("Sr." =
"Senior", so a respelled title is a rename, not a removal plus an addition), then leftover
levels by title similarity or shared items; each pair's effective items are aligned with
:func:`ladder.alignment.align`, so a reworded item shows its changed words.

>>> diff = diff_sources(old_markdown, new_markdown)  # doctest: +SKIP
>>> [(level.status, level.title) for level in diff.levels if level.status != "unchanged"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ladder.alignment import Row, align
from ladder.handbook import SECTIONS, normalize_title, parse_handbook, similar_titles
from ladder.inheritance import _loose, dedupe_key, effective_items, resolve_import


@dataclass
class LevelSnapshot:
    title: str
    slug: str
    group: str
    grade: Decimal | None
    grade_max: Decimal | None
    sections: dict[str, list[str]]

    @property
    def keys(self) -> set[str]:
        return {dedupe_key(t) for texts in self.sections.values() for t in texts}


@dataclass
class LevelDiff:
    status: str  # added, removed, renamed, changed, unchanged
    old: LevelSnapshot | None
    new: LevelSnapshot | None
    sections: dict[str, list[Row]] = field(default_factory=dict)  # rows that differ only
    counts: dict[str, int] = field(default_factory=dict)  # added, removed, reworded

    @property
    def title(self) -> str:
        return (self.new or self.old).title

    @property
    def grade_changed(self) -> bool:
        return bool(self.old and self.new and self.old.grade != self.new.grade)


@dataclass
class FamilyDiff:
    levels: list[LevelDiff]

    def count(self, status: str) -> int:
        return sum(1 for level in self.levels if level.status == status)

    @property
    def grade_changes(self) -> list[LevelDiff]:
        return [level for level in self.levels if level.grade_changed]


def _flatten(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item.text:
            out.append(item.text)
        out.extend(_flatten(item.children))
    return out


def snapshot(source: str, name: str = "") -> list[LevelSnapshot]:
    """The levels of one version, with effective item texts, resolved on their own."""
    family = parse_handbook(source, name)
    resolved = resolve_import([family])
    if resolved.errors:
        raise resolved.errors[0]  # a cycle, contradictory grades: not a readable version
    graph = resolved.graph()
    memo: dict = {}
    out = []
    for level in resolved.families[0].levels:
        eff = effective_items(level.key, graph, memo)
        out.append(
            LevelSnapshot(
                title=level.parsed.title,
                slug=level.slug,
                group=level.parsed.group,
                grade=level.grade,
                grade_max=level.grade_max,
                sections={section: _flatten(eff[section]) for section in SECTIONS},
            )
        )
    return out


def _pair(
    old: list[LevelSnapshot], new: list[LevelSnapshot]
) -> list[tuple[LevelSnapshot | None, LevelSnapshot | None]]:
    pairs: list[tuple[LevelSnapshot | None, LevelSnapshot | None]] = []
    by_title = {normalize_title(level.title): level for level in old}
    matched: set[int] = set()
    unmatched_new: list[LevelSnapshot] = []
    for level in new:
        twin = by_title.get(normalize_title(level.title))
        if twin is not None and id(twin) not in matched:
            matched.add(id(twin))
            pairs.append((twin, level))
        else:
            unmatched_new.append(level)
    leftovers = [level for level in old if id(level) not in matched]
    # "Analyst (Intermediate)" became "Analyst": the same level under a plainer title.
    loose = {_loose(level.title): level for level in leftovers}
    for level in list(unmatched_new):
        twin = loose.get(_loose(level.title))
        if twin is not None and twin in leftovers:
            leftovers.remove(twin)
            unmatched_new.remove(level)
            pairs.append((twin, level))
    # Renames: a close title, or most items shared.
    for level in list(unmatched_new):
        best, best_score = None, 0.0
        for candidate in leftovers:
            if similar_titles(level.title, candidate.title):
                score = 1.0
            else:
                a, b = level.keys, candidate.keys
                score = len(a & b) / max(1, len(a | b))
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= 0.5:
            leftovers.remove(best)
            unmatched_new.remove(level)
            pairs.append((best, level))
    pairs.extend((None, level) for level in unmatched_new)
    pairs.extend((level, None) for level in leftovers)
    order = {id(level): i for i, level in enumerate(new)}
    order_old = {id(level): i for i, level in enumerate(old)}
    pairs.sort(key=lambda p: (order.get(id(p[1]), len(new)), order_old.get(id(p[0]), len(old))))
    return pairs


def diff_versions(old: list[LevelSnapshot], new: list[LevelSnapshot]) -> FamilyDiff:
    levels: list[LevelDiff] = []
    for before, after in _pair(old, new):
        if before is None:
            levels.append(LevelDiff("added", None, after))
            continue
        if after is None:
            levels.append(LevelDiff("removed", before, None))
            continue
        diff = LevelDiff("unchanged", before, after)
        counts = {"added": 0, "removed": 0, "reworded": 0}
        for section in SECTIONS:
            rows = align([before.sections[section], after.sections[section]])
            changed = [row for row in rows if row.status != "same"]
            for row in changed:
                if row.cells[0] is None:
                    counts["added"] += 1
                elif row.cells[1] is None:
                    counts["removed"] += 1
                else:
                    counts["reworded"] += 1
            if changed:
                diff.sections[section] = changed
        diff.counts = counts
        if before.title != after.title:
            diff.status = "renamed"
        elif diff.sections or diff.grade_changed or before.group != after.group:
            diff.status = "changed"
        levels.append(diff)
    return FamilyDiff(levels)


def diff_sources(old: str, new: str) -> FamilyDiff:
    return diff_versions(snapshot(old), snapshot(new))
