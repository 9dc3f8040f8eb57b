"""The diff between real versions of the Sales Operations family, checked by hand."""

from __future__ import annotations

import pytest

from ladder.history import diff_sources
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
CURRENT = CORPUS / "handbook-current" / "sales" / "sales-operations" / "_index.md"
OLD = CORPUS / "handbook" / "sales--sales-operations.md"


@pytest.fixture(scope="module")
def seed_to_current():
    diff = diff_sources(SEED.read_text(), CURRENT.read_text())
    return diff, {level.title: level for level in diff.levels}


def texts(rows, column):
    return [row.cells[column].text for row in rows if row.cells[column] is not None]


def test_sr_analyst_is_renamed_senior_not_removed_and_added(seed_to_current):
    diff, levels = seed_to_current
    renamed = levels["Senior Sales Operations Analyst"]
    assert renamed.status == "renamed"
    assert renamed.old.title == "Sr. Sales Operations Analyst"
    assert "Sr. Sales Operations Analyst" not in levels


def test_removed_levels(seed_to_current):
    diff, levels = seed_to_current
    removed = {level.title for level in diff.levels if level.status == "removed"}
    assert removed == {
        "Sales Operations Analyst - Sales Tech Stack",
        "Sr. Sales Operations Manager",
    }
    assert diff.count("added") == 0


def test_senior_director_no_longer_asks_for_a_degree(seed_to_current):
    _, levels = seed_to_current
    rows = levels["Senior Director, Sales Operations"].sections["requirements"]
    removed = [row for row in rows if row.cells[1] is None]
    assert texts(removed, 0) == ["BA/BS degree"]


def test_director_requirement_reworded_with_the_new_words_marked(seed_to_current):
    _, levels = seed_to_current
    rows = levels["Director, Sales Operations"].sections["requirements"]
    reworded = [row for row in rows if row.status == "changed"]
    first = reworded[0].cells[1]
    assert first.text.startswith("Demonstrated progressive experience in a global B2B SaaS")
    # Case is not a change ("SAAS" → "SaaS"); the new word is.
    assert ("insert", "B2B") in first.diff
    assert not [op for op, _ in first.diff if op == "delete"]


def test_director_responsibilities_added_and_dropped(seed_to_current):
    _, levels = seed_to_current
    rows = levels["Director, Sales Operations"].sections["responsibilities"]
    added = texts([r for r in rows if r.cells[0] is None], 1)
    dropped = texts([r for r in rows if r.cells[1] is None], 0)
    assert "Lead and manage the data governance model to drive sales data integrity." in added
    assert "Manage, analyze, and summarize the weekly Sales Forecast" in dropped


def test_grades_are_unchanged_between_seed_and_current(seed_to_current):
    diff, _ = seed_to_current
    assert diff.grade_changes == []


def test_2022_intermediate_analyst_is_the_seeds_analyst():
    diff = diff_sources(OLD.read_text(), SEED.read_text())
    levels = {level.title: level for level in diff.levels}
    analyst = levels["Sales Operations Analyst"]
    assert analyst.status == "renamed"
    assert analyst.old.title == "Sales Operations Analyst (Intermediate)"
    assert analyst.grade_changed is False
    added = {level.title for level in diff.levels if level.status == "added"}
    assert added == {
        "Sales Operations Analyst - Sales Tech Stack",
        "Sr. Sales Operations Analyst",
        "Sr. Sales Operations Manager",
    }
