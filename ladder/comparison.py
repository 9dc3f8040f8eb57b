"""Side-by-side comparison of levels: effective lists in, aligned table rows out.

Pure: takes each level's ``effective`` dict (as stored on ``Level.effective``) and returns,
per section, rows whose cells say same / changed (with the changed words) / added / missing.
The compare page, the "what's new at the next level" view and tests call it.

>>> table = compare_effective([{"requirements": [{"text": "Be kind", "html": "Be kind"}]},
...                            {"requirements": []}])
>>> [cell.status if cell else None for cell in table.sections[1].rows[0].cells]
['same', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape

from ladder.alignment import align, summary
from ladder.handbook import SECTIONS
from ladder.inheritance import EffectiveEntry, effective_entries, walk_entries

SECTION_LABELS = {
    "responsibilities": "Responsibilities",
    "requirements": "Requirements",
    "general": "General",
}
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|`)")


def plain(text: str) -> str:
    """Markdown item text as words: link text kept, markup dropped."""
    return re.sub(r"\s+", " ", _MD_MARKS.sub("", _MD_LINK.sub(r"\1", text))).strip()


@dataclass
class CompareCell:
    html: str  # safe HTML: the item, or its word diff against the row's first item
    status: str  # same, changed, added
    source_title: str = ""
    depth: int = 0


@dataclass
class CompareRow:
    cells: list[CompareCell | None]
    status: str  # same, changed, partial

    @property
    def differs(self) -> bool:
        return self.status != "same"


@dataclass
class CompareSection:
    name: str
    label: str
    rows: list[CompareRow]
    counts: list[dict[str, int]] = field(default_factory=list)  # per column vs the first

    @property
    def changed_rows(self) -> list[CompareRow]:
        return [row for row in self.rows if row.differs]


@dataclass
class CompareTable:
    sections: list[CompareSection]

    @property
    def identical(self) -> bool:
        return all(not section.changed_rows for section in self.sections)


def _flat(entries: list[EffectiveEntry]) -> list[tuple[EffectiveEntry, int]]:
    return [(entry, depth) for entry, depth in walk_entries(entries) if entry.text]


def diff_html(diff: list[tuple[str, str]]) -> str:
    """Word diff → escaped HTML with ``<ins>`` and ``<del>``."""
    parts = []
    for op, words in diff:
        if op == "insert":
            parts.append(f"<ins>{escape(words)}</ins>")
        elif op == "delete":
            parts.append(f"<del>{escape(words)}</del>")
        else:
            parts.append(escape(words))
    return " ".join(parts)


def compare_effective(columns: Sequence[dict]) -> CompareTable:
    """Align the effective sections of several levels (the first column is the reference)."""
    sections = []
    for name in SECTIONS:
        flats = [_flat(effective_entries(column, name)) for column in columns]
        rows = align([[plain(item.text) for item, _ in flat] for flat in flats])
        table_rows = []
        for row in rows:
            cells: list[CompareCell | None] = []
            for col, cell in enumerate(row.cells):
                if cell is None:
                    cells.append(None)
                    continue
                item, depth = flats[col][cell.index]
                html = diff_html(cell.diff) if cell.status == "changed" else item.html
                cells.append(
                    CompareCell(
                        html=html or escape(item.text),
                        status=cell.status,
                        source_title=item.source_title,
                        depth=depth,
                    )
                )
            table_rows.append(CompareRow(cells, row.status))
        counts = [summary(rows, col) for col in range(len(columns))]
        sections.append(CompareSection(name, SECTION_LABELS[name], table_rows, counts))
    return CompareTable(sections)
