"""Align the item lists of several levels into rows: what is shared, changed, added, missing.

Pure and fast (rapidfuzz for the similarity matrix), used by the compare page, the "what's new
at the next level" view and the family history diff.

>>> rows = align([["Plan the quarter", "Be kind"], ["Be kind", "Plan the quarter well", "Hire"]])
>>> [(row.status, [c.text if c else None for c in row.cells]) for row in rows]
... # doctest: +NORMALIZE_WHITESPACE
[('changed', ['Plan the quarter', 'Plan the quarter well']),
 ('same', ['Be kind', 'Be kind']),
 ('partial', [None, 'Hire'])]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from ladder.inheritance import dedupe_key

# Two different texts at or above this score are the same item, reworded.
NEAR_THRESHOLD = 80


@dataclass
class Cell:
    index: int  # position in its column's list
    text: str
    # Relative to the first column that has this row: "same", "changed", "added", "missing".
    status: str = "same"
    diff: list[tuple[str, str]] = field(default_factory=list)  # (op, words): equal/insert/delete
    key: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = self.key or dedupe_key(self.text)


@dataclass
class Row:
    cells: list[Cell | None]
    status: str = "same"  # "same" (everywhere, identical), "changed", "partial"

    @property
    def reference(self) -> Cell:
        return next(cell for cell in self.cells if cell is not None)


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_plain(a), _plain(b))


_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]")


def _plain(text: str) -> str:
    return _MARKUP.sub(lambda m: m.group(1) or "", text).lower()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff: ``[("equal", "Strong interpersonal skills"), ("insert", "to …")]``."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in a], b=[w.lower() for w in b])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(b[j1:j2])))
        else:
            if i2 > i1:
                out.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("insert", " ".join(b[j1:j2])))
    return out


def align(columns: Sequence[Sequence[str]], threshold: float = NEAR_THRESHOLD) -> list[Row]:
    """Rows of aligned items, one cell per column (None where that column lacks the item).

    Exact duplicates (ignoring case, spaces and a final full stop) share a row; then the most
    similar remaining pairs at or above ``threshold`` share a row as *changed*. Rows follow the
    first column's order; an item only later columns have is placed after the row of the item
    that precedes it in its own column.
    """
    width = len(columns)
    rows: list[Row] = []
    for col, items in enumerate(columns):
        if not items:
            continue
        keys = [dedupe_key(text) for text in items]
        claimed: dict[int, int] = {}  # item index → row index
        used_rows: set[int] = set()
        by_key: dict[str, list[int]] = {}
        for r, row in enumerate(rows):
            by_key.setdefault(row.reference.key, []).append(r)
        for i, key in enumerate(keys):
            for r in by_key.get(key, []):
                if r not in used_rows:
                    claimed[i] = r
                    used_rows.add(r)
                    break
        free_items = [i for i in range(len(items)) if i not in claimed]
        free_rows = [r for r in range(len(rows)) if r not in used_rows]
        if free_items and free_rows:
            scores = process.cdist(
                [_plain(items[i]) for i in free_items],
                [_plain(rows[r].reference.text) for r in free_rows],
                scorer=fuzz.token_set_ratio,
                score_cutoff=threshold,
            )
            hits = np.argwhere(scores >= threshold)
            pairs = sorted(
                ((float(scores[a, b]), int(a), int(b)) for a, b in hits),
                key=lambda p: (-p[0], p[1], p[2]),
            )
            for _score, a, b in pairs:
                i, r = free_items[a], free_rows[b]
                if i in claimed or r in used_rows:
                    continue
                claimed[i] = r
                used_rows.add(r)
        # Place the items, new rows after the row of the preceding item of this column.
        inserts: list[tuple[int, int]] = []  # (insert after row index, item index)
        last_row: int | None = None
        for i, text in enumerate(items):
            if i in claimed:
                rows[claimed[i]].cells[col] = Cell(i, text, key=keys[i])
                last_row = claimed[i]
            elif last_row is not None:
                inserts.append((last_row, i))
            else:
                # Nothing of this column placed yet: before its next placed item, else last.
                following = next(
                    (claimed[j] for j in range(i + 1, len(items)) if j in claimed), None
                )
                inserts.append((following - 1 if following is not None else len(rows) - 1, i))
        # Insert from the bottom up so the row indices still ahead stay valid.
        for after, i in sorted(inserts, reverse=True):
            cells: list[Cell | None] = [None] * width
            cells[col] = Cell(i, items[i], key=keys[i])
            rows.insert(after + 1, Row(cells))
    for row in rows:
        _classify(row)
    return rows


def _classify(row: Row) -> None:
    base = row.cells[0]
    ref = row.reference
    changed = False
    for cell in row.cells:
        if cell is None:
            continue
        if cell is not ref and cell.key != ref.key:
            cell.status = "changed"
            cell.diff = word_diff(ref.text, cell.text)
            changed = True
        else:
            cell.status = "same" if base is not None else "added"
    if any(cell is None for cell in row.cells):
        row.status = "partial"
    else:
        row.status = "changed" if changed else "same"


def summary(rows: Sequence[Row], column: int) -> dict[str, int]:
    """Counts for one column against the first: same, changed, added, missing."""
    counts = {"same": 0, "changed": 0, "added": 0, "missing": 0}
    for row in rows:
        first, cell = row.cells[0], row.cells[column]
        if first is None and cell is not None:
            counts["added"] += 1
        elif first is not None and cell is None:
            counts["missing"] += 1
        elif first is not None and cell is not None:
            counts["changed" if cell.status == "changed" else "same"] += 1
    return counts
