"""Ladder chart layout: pure, no database."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from ladder.chart import (
    BOX_WIDTH,
    TITLE_CHARS,
    TITLE_LINES,
    ChartLevel,
    layout_chart,
    track_label,
    wrap,
)


def lv(slug: str, group: str, grade: int | str | None, **kwargs) -> ChartLevel:
    number = Decimal(str(grade)) if grade is not None else None
    label = str(grade) if grade is not None else ""
    return ChartLevel(
        slug, slug.replace("-", " ").title(), f"/{slug}/", group, number, label, **kwargs
    )


LEVELS = [
    lv("analyst", "Analyst Levels", 5, reports_to="manager"),
    lv("senior-analyst", "Analyst Levels", 7, reports_to="manager"),
    lv("senior-manager-of-analysts", "Analyst Levels", 7),
    lv("tech-stack", "Analyst Levels", None),
    lv("manager", "Manager Levels", 8, reports_to="director"),
    lv(
        "director",
        "Director Levels",
        10,
        reports_to_title="VP, Field",
        reports_to_url="https://x/vp/",
    ),
    lv(
        "channel-manager",
        "Specialties › Channel",
        8,
        inferred=True,
        inferred_from="the grade of Manager, which it extends",
    ),
]


def boxes_by_slug(chart):
    return {box.slug: box for box in chart.boxes}


def test_higher_grades_sit_higher_with_outside_managers_on_top_and_ungraded_at_the_bottom():
    chart = layout_chart(LEVELS)
    assert [row.label for row in chart.rows] == [
        "Reports to",
        "Grade 10",
        "Grade 8",
        "Grade 7",
        "Grade 5",
        "No grade",
    ]
    assert [row.grade for row in chart.rows][1:5] == ["10", "8", "7", "5"]
    boxes = boxes_by_slug(chart)
    assert boxes["director"].y < boxes["manager"].y < boxes["senior-analyst"].y < boxes["analyst"].y
    assert boxes["tech-stack"].y > boxes["analyst"].y
    assert boxes["tech-stack"].ungraded


def test_tracks_are_columns_in_handbook_order_without_the_levels_suffix():
    chart = layout_chart(LEVELS)
    assert [c.label for c in chart.columns] == [
        "Analyst",
        "Manager",
        "Director",
        "Specialties › Channel",
    ]
    boxes = boxes_by_slug(chart)
    assert boxes["analyst"].x == boxes["tech-stack"].x < boxes["manager"].x < boxes["director"].x
    assert track_label("") == "Other"


def test_levels_sharing_a_grade_and_track_stack_without_overlapping():
    chart = layout_chart(LEVELS)
    for a, b in combinations(chart.boxes, 2):
        apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
        apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
        assert apart_x or apart_y, (a.slug, b.slug)
    boxes = boxes_by_slug(chart)
    assert boxes["senior-analyst"].x == boxes["senior-manager-of-analysts"].x
    row = next(r for r in chart.rows if r.key == "7")
    for slug in ("senior-analyst", "senior-manager-of-analysts"):
        assert row.y <= boxes[slug].y and boxes[slug].y + boxes[slug].height <= row.y + row.height
    assert max(b.x + b.width for b in chart.boxes) < chart.width
    assert max(b.y + b.height for b in chart.boxes) < chart.height


def test_reports_to_lines_join_a_level_to_its_manager_including_outside_ones():
    chart = layout_chart(LEVELS)
    edges = {(e.source, e.target): e for e in chart.edges}
    external = boxes_by_slug(chart)["external-1"]
    assert set(edges) == {
        ("analyst", "manager"),
        ("senior-analyst", "manager"),
        ("manager", "director"),
        ("director", "external-1"),
    }
    assert edges[("director", "external-1")].external
    assert external.external and external.url == "https://x/vp/"
    assert external.title == "VP, Field"
    # Across columns the line leaves the report's side and ends under the manager.
    boxes = boxes_by_slug(chart)
    analyst, manager = boxes["analyst"], boxes["manager"]
    path = edges[("analyst", "manager")].path
    assert path.startswith(f"M{analyst.x + analyst.width:g},{analyst.center_y:g} ")
    assert path.endswith(f" {manager.center_x:g},{manager.y + manager.height:g}")
    # In the same column it runs straight up between the facing edges.
    director = boxes["director"]
    up = edges[("director", "external-1")].path
    assert up.startswith(f"M{director.center_x:g},{director.y:g} ")
    assert up.endswith(f" {external.center_x:g},{external.y + external.height:g}")


def test_inferred_grades_are_flagged_and_say_where_they_come_from():
    box = boxes_by_slug(layout_chart(LEVELS))["channel-manager"]
    assert box.inferred
    assert box.note.text == "grade 8 · inferred"
    assert "Grade 8 is inferred" in box.tooltip
    assert "takes the grade of Manager, which it extends" in box.tooltip
    assert box.label == box.tooltip
    stated = boxes_by_slug(layout_chart(LEVELS))["manager"]
    assert not stated.inferred and stated.tooltip == "Manager Grade 8."


def test_long_titles_wrap_and_are_cut_with_an_ellipsis():
    lines = wrap("Senior Director, Sales Operations (Channel)", TITLE_CHARS, TITLE_LINES)
    assert lines == ["Senior Director,", "Sales Operations", "(Channel)"]
    long = wrap("word " * 40, TITLE_CHARS, TITLE_LINES)
    assert len(long) == TITLE_LINES and long[-1].endswith("…")
    assert all(len(line) <= TITLE_CHARS for line in long)
    box = layout_chart([lv("x", "G", 5)]).boxes[0]
    assert box.width == BOX_WIDTH and all(line.x > box.x for line in box.lines)


def test_an_empty_family_has_an_empty_chart():
    chart = layout_chart([])
    assert chart.empty and chart.rows == [] and chart.edges == []


def test_a_manager_in_the_same_grade_gets_a_sideways_line():
    chart = layout_chart(
        [
            lv("lead", "A", 6, reports_to="head"),
            lv("head", "B", 6),
            lv("peer", "A", 6, reports_to="lead"),
        ]
    )
    assert {(e.source, e.target) for e in chart.edges} == {("lead", "head"), ("peer", "lead")}
    assert all(e.path.startswith("M") and " C" in e.path for e in chart.edges)
