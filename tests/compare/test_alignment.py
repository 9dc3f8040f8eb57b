"""The pure alignment behind the compare page."""

from __future__ import annotations

from ladder.alignment import align, summary, word_diff


def texts(rows):
    return [[cell.text if cell else None for cell in row.cells] for row in rows]


def test_exact_duplicates_share_a_row_ignoring_case_space_and_full_stop():
    rows = align([["Be kind.", "Plan"], ["be  kind", "Plan"]])
    assert texts(rows) == [["Be kind.", "be  kind"], ["Plan", "Plan"]]
    assert [row.status for row in rows] == ["same", "same"]


def test_near_duplicates_are_one_changed_row_with_the_new_words_marked():
    rows = align(
        [
            ["Strong interpersonal skills", "Clear and concise verbal and written communication"],
            [
                "Strong interpersonal skills to result in strong relationships with the business",
                "Strong verbal and written communication skills",
            ],
        ]
    )
    first = rows[0]
    assert first.status == "changed"
    assert first.cells[1].status == "changed"
    assert ("insert", "to result in strong relationships with the business") in first.cells[1].diff
    assert ("equal", "Strong interpersonal skills") in first.cells[1].diff


def test_added_and_missing_items():
    rows = align([["A shared duty", "Only in the first"], ["A shared duty", "Brand new item here"]])
    # A new item follows its predecessor in its own column.
    assert texts(rows) == [
        ["A shared duty", "A shared duty"],
        [None, "Brand new item here"],
        ["Only in the first", None],
    ]
    assert rows[1].cells[1].status == "added"
    assert summary(rows, 1) == {"same": 1, "changed": 0, "added": 1, "missing": 1}


def test_reordering_keeps_rows_in_the_first_columns_order():
    first = ["Forecast the quarter", "Coach the team", "Own the roadmap"]
    second = ["Own the roadmap", "Forecast the quarter", "Coach the team"]
    rows = align([first, second])
    assert texts(rows) == [[t, t] for t in first]
    assert all(row.status == "same" for row in rows)


def test_new_items_land_after_their_predecessor_even_when_reordered():
    rows = align(
        [["Alpha duty", "Beta duty", "Gamma duty"], ["Gamma duty", "New after gamma", "Alpha duty"]]
    )
    assert texts(rows)[2:] == [["Gamma duty", "Gamma duty"], [None, "New after gamma"]]


def test_empty_sections():
    assert align([[], []]) == []
    rows = align([[], ["Only here"]])
    assert texts(rows) == [[None, "Only here"]]
    assert rows[0].cells[1].status == "added"
    rows = align([["Only here"], []])
    assert texts(rows) == [["Only here", None]]


def test_four_columns_align_on_shared_rows():
    base = [f"Duty number {i} for the team" for i in range(5)]
    rows = align([base, base[1:], base + ["Extra"], list(reversed(base))])
    assert len(rows) == 6
    assert rows[0].cells[1] is None
    assert all(row.cells[3] is not None for row in rows[:5])


def test_word_diff_marks_deletions_and_insertions():
    assert word_diff("Manage the team", "Lead the team") == [
        ("delete", "Manage"),
        ("insert", "Lead"),
        ("equal", "the team"),
    ]
