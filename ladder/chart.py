"""Layout of a family's ladder chart: grades down the side, tracks across, one box per level.

Pure: takes plain ``ChartLevel`` records and returns coordinates for a server-rendered SVG
(``templates/ladder/family.html``). Higher grades sit higher, as on a ladder. Levels without a
grade get a "No grade" row at the bottom; managers outside the family (an external
"reports to" title) get a row at the top. Several levels in the same grade and track stack
inside their cell.

>>> chart = layout_chart([ChartLevel("a", "Analyst", "/a/", "Analyst Levels", Decimal(5), "5")])
>>> [(c.label, r.label) for c in chart.columns for r in chart.rows]
[('Analyst', 'Grade 5')]
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from decimal import Decimal

LABEL_WIDTH = 84
HEADER_HEIGHT = 58
BOX_WIDTH = 156
BOX_HEIGHT = 70
BOX_GAP = 10
COLUMN_GAP = 16
ROW_PADDING = 16
MARGIN = 8
TITLE_CHARS = 17
TITLE_LINES = 3
LINE_HEIGHT = 15
HEADER_CHARS = 20

EXTERNAL_ROW = "external"
UNGRADED_ROW = "ungraded"


@dataclass(frozen=True)
class ChartLevel:
    slug: str
    title: str
    url: str
    group: str
    grade: Decimal | None
    grade_label: str = ""
    inferred: bool = False
    inferred_from: str = ""
    reports_to: str = ""  # slug of another level in the same chart
    reports_to_title: str = ""  # a manager outside the chart
    reports_to_url: str = ""


@dataclass
class TextLine:
    x: float
    y: float
    text: str


@dataclass
class Box:
    slug: str
    title: str
    url: str
    x: float
    y: float
    width: float
    height: float
    lines: list[TextLine]
    note: TextLine | None
    tooltip: str
    label: str  # accessible name
    inferred: bool = False
    external: bool = False
    ungraded: bool = False

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def center_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Column:
    group: str
    label: str
    x: float
    width: float
    lines: list[TextLine] = field(default_factory=list)


@dataclass
class Row:
    key: str  # a grade ("9", "9.5"), EXTERNAL_ROW or UNGRADED_ROW
    label: str
    grade: str  # "" for the external and ungraded rows
    y: float
    height: float
    label_y: float
    band: bool  # alternate rows get a shaded band


@dataclass
class Edge:
    source: str
    target: str
    path: str
    external: bool = False


@dataclass
class Chart:
    width: float
    height: float
    columns: list[Column]
    rows: list[Row]
    boxes: list[Box]
    edges: list[Edge]

    @property
    def empty(self) -> bool:
        return not self.boxes


def track_label(group: str) -> str:
    """The heading of a track: ``"Manager, Sales Operations Levels"`` → without ``Levels``."""
    label = group.strip()
    if label.lower().endswith(" levels"):
        label = label[: -len(" levels")].rstrip()
    return label or "Other"


def grade_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Break a title into at most ``max_lines`` lines, ending with an ellipsis if cut."""
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        kept[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
        return kept
    return lines


def _tooltip(level: ChartLevel) -> str:
    parts = [level.title]
    if level.grade is None:
        parts.append("The handbook states no grade for this level.")
    elif level.inferred:
        reason = level.inferred_from or "the grade of the level it extends"
        parts.append(
            f"Grade {level.grade_label} is inferred: the handbook states no grade for this "
            f"level, so it takes {reason}."
        )
    else:
        parts.append(f"Grade {level.grade_label}.")
    return " ".join(parts)


def layout_chart(levels: list[ChartLevel]) -> Chart:
    """Place each level in its (grade row, track column) cell and route reports-to lines."""
    if not levels:
        return Chart(width=0, height=0, columns=[], rows=[], boxes=[], edges=[])

    by_slug = {level.slug: level for level in levels}

    # Tracks in the order the handbook introduces them.
    groups: list[str] = []
    for level in levels:
        if level.group not in groups:
            groups.append(level.group)

    # Managers outside the family become boxes of their own, above the first level that
    # reports to them.
    externals: dict[str, tuple[str, str, str]] = {}  # title -> (slug, url, group)
    for level in levels:
        title = level.reports_to_title
        if title and not level.reports_to and title not in externals:
            externals[title] = (f"external-{len(externals) + 1}", level.reports_to_url, level.group)

    def row_key(level: ChartLevel) -> str:
        return grade_text(level.grade) if level.grade is not None else UNGRADED_ROW

    grades = sorted({level.grade for level in levels if level.grade is not None}, reverse=True)
    row_keys = ([EXTERNAL_ROW] if externals else []) + [grade_text(g) for g in grades]
    if any(level.grade is None for level in levels):
        row_keys.append(UNGRADED_ROW)

    # Cells: (row, group) -> members in handbook order.
    cells: dict[tuple[str, str], list[str]] = {}
    for slug, _url, group in externals.values():
        cells.setdefault((EXTERNAL_ROW, group), []).append(slug)
    for level in levels:
        cells.setdefault((row_key(level), level.group), []).append(level.slug)

    columns: list[Column] = []
    x = MARGIN + LABEL_WIDTH
    for group in groups:
        column = Column(group=group, label=track_label(group), x=x, width=BOX_WIDTH)
        header = wrap(column.label, HEADER_CHARS, 3)
        top = MARGIN + HEADER_HEIGHT - 10 - (len(header) - 1) * LINE_HEIGHT
        column.lines = [
            TextLine(x + BOX_WIDTH / 2, top + i * LINE_HEIGHT, text)
            for i, text in enumerate(header)
        ]
        columns.append(column)
        x += BOX_WIDTH + COLUMN_GAP
    width = x - COLUMN_GAP + MARGIN
    column_of = {column.group: column for column in columns}

    rows: list[Row] = []
    y = MARGIN + HEADER_HEIGHT
    for index, key in enumerate(row_keys):
        stack = max(len(members) for (r, _g), members in cells.items() if r == key)
        height = stack * BOX_HEIGHT + (stack - 1) * BOX_GAP + 2 * ROW_PADDING
        if key == EXTERNAL_ROW:
            label, grade = "Reports to", ""
        elif key == UNGRADED_ROW:
            label, grade = "No grade", ""
        else:
            label, grade = f"Grade {key}", key
        rows.append(
            Row(
                key=key,
                label=label,
                grade=grade,
                y=y,
                height=height,
                label_y=y + height / 2 + 5,
                band=index % 2 == 1,
            )
        )
        y += height
    height = y + MARGIN
    row_of = {row.key: row for row in rows}

    boxes: dict[str, Box] = {}
    for (key, group), members in cells.items():
        row, column = row_of[key], column_of[group]
        stack_height = len(members) * BOX_HEIGHT + (len(members) - 1) * BOX_GAP
        top = row.y + (row.height - stack_height) / 2
        for i, slug in enumerate(members):
            box_y = top + i * (BOX_HEIGHT + BOX_GAP)
            boxes[slug] = _box(slug, by_slug, externals, column.x, box_y)

    # Reports-to lines run from the report to its manager, drawn under the boxes.
    edges: list[Edge] = []
    for level in levels:
        target = level.reports_to if level.reports_to in boxes else ""
        external = False
        if not target and level.reports_to_title in externals:
            target, external = externals[level.reports_to_title][0], True
        if target and target != level.slug:
            edges.append(
                Edge(
                    source=level.slug,
                    target=target,
                    path=_route(boxes[level.slug], boxes[target]),
                    external=external,
                )
            )

    ordered = [boxes[slug] for slug, *_ in externals.values()]
    ordered += [boxes[level.slug] for level in levels]
    return Chart(width=width, height=height, columns=columns, rows=rows, boxes=ordered, edges=edges)


def _box(
    slug: str,
    by_slug: dict[str, ChartLevel],
    externals: dict[str, tuple[str, str, str]],
    x: float,
    y: float,
) -> Box:
    level = by_slug.get(slug)
    if level is None:
        title, url = next((t, u) for t, (s, u, _g) in externals.items() if s == slug)
        note_text = "outside this family"
        tooltip = f"{title}: outside this family."
        label = f"{title} (outside this family)"
        inferred = ungraded = False
        external = True
    else:
        title, url = level.title, level.url
        external = False
        inferred = level.inferred
        ungraded = level.grade is None
        if ungraded:
            note_text = "no grade stated"
        elif inferred:
            note_text = f"grade {level.grade_label} · inferred"
        else:
            note_text = f"grade {level.grade_label}"
        tooltip = _tooltip(level)
        label = tooltip
    title_lines = wrap(title, TITLE_CHARS, TITLE_LINES)
    block = len(title_lines) * LINE_HEIGHT + LINE_HEIGHT  # title lines and the note
    first = y + (BOX_HEIGHT - block) / 2 + 11
    lines = [TextLine(x + 10, first + i * LINE_HEIGHT, text) for i, text in enumerate(title_lines)]
    note = TextLine(x + 10, first + len(title_lines) * LINE_HEIGHT + 1, note_text)
    return Box(
        slug=slug,
        title=title,
        url=url,
        x=x,
        y=y,
        width=BOX_WIDTH,
        height=BOX_HEIGHT,
        lines=lines,
        note=note,
        tooltip=tooltip,
        label=label,
        inferred=inferred,
        external=external,
        ungraded=ungraded,
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _curve(x1: float, y1: float, c1: tuple, c2: tuple, x2: float, y2: float) -> str:
    points = [(x1, y1), c1, c2, (x2, y2)]
    text = [f"{_num(x)},{_num(y)}" for x, y in points]
    return f"M{text[0]} C{text[1]} {text[2]} {text[3]}"


def _route(child: Box, parent: Box) -> str:
    """An SVG path from a report to its manager.

    In the same column: straight up (or down) between the facing edges. Across columns: out of
    the report's side towards the manager's column, then a curve into the manager's bottom (or
    top) edge, so the line does not run through the report's neighbours in its own column.
    """
    above = parent.y + parent.height <= child.y
    below = parent.y >= child.y + child.height
    if abs(parent.x - child.x) < 1:
        if above or below:
            x1, x2 = child.center_x, parent.center_x
            y1 = child.y if above else child.y + child.height
            y2 = parent.y + parent.height if above else parent.y
            mid = (y1 + y2) / 2
            return _curve(x1, y1, (x1, mid), (x2, mid), x2, y2)
        # Same cell: a bulge out of the right-hand side.
        x1, y1 = child.x + child.width, child.center_y
        x2, y2 = parent.x + parent.width, parent.center_y
        return _curve(x1, y1, (x1 + 24, y1), (x1 + 24, y2), x2, y2)
    rightwards = parent.x > child.x
    x1 = child.x + child.width if rightwards else child.x
    y1 = child.center_y
    if above or below:
        x2 = parent.center_x
        y2 = parent.y + parent.height if above else parent.y
        return _curve(x1, y1, (x2, y1), (x2, y1), x2, y2)
    # Same grade, another column: side to side.
    x2 = parent.x if rightwards else parent.x + parent.width
    y2 = parent.center_y
    mid = (x1 + x2) / 2
    return _curve(x1, y1, (mid, y1), (mid, y2), x2, y2)
