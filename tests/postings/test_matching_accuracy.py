"""Matching accuracy on the hand-read key never drops below the last saved report (a ratchet).

``make accuracy`` prints the figures; ``bench/accuracy_matching.py --save`` records them in
``bench/results/<date>-accuracy-matching.txt``. This test measures again on the committed corpus
and fails when a figure falls below the recorded one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import accuracy_matching  # noqa: E402


@pytest.mark.django_db(transaction=False)
def test_matching_figures_hold_against_the_last_saved_report():
    saved, recorded = accuracy_matching.recorded()
    assert saved is not None, "no saved matching accuracy report in bench/results/"
    report = accuracy_matching.measure()
    figures = report.figures()
    assert set(recorded) == set(figures)
    worse = {
        name: (round(figures[name], 4), value)
        for name, value in recorded.items()
        if figures[name] + 1e-3 < value
    }
    assert not worse, f"below {saved.name}: {worse}"
    assert report.families > 100 and len(report.outcomes) == 81


def test_the_key_names_postings_and_pages_of_the_corpus():
    rows = accuracy_matching.load_key()
    assert len(rows) == 81
    for row in rows:
        assert (accuracy_matching.CORPUS / "postings" / row.posting).exists(), row.posting
        for acceptable in row.acceptable:
            assert (accuracy_matching.CORPUS / acceptable.page).exists(), acceptable.page
    assert sum(not row.acceptable for row in rows) == 4


def test_a_family_that_states_no_grades_is_judged_on_family_alone():
    row = accuracy_matching.KeyRow("p.md", "T", [accuracy_matching.Acceptable("a.md", None)], "")
    slugs = {"a.md": "fam"}
    right = accuracy_matching.judge(row, [("fam/x", None, "low", 0.5)], slugs)
    wrong = accuracy_matching.judge(row, [("other/x", 7.0, "low", 0.5)], slugs)
    assert (right.family_ok, right.grade_ok) == (True, True)
    assert (wrong.family_ok, wrong.top3_ok, wrong.grade_ok) == (False, False, False)
    banded = accuracy_matching.KeyRow(
        "p.md", "T", [accuracy_matching.Acceptable("a.md", (6.0, 7.0))], ""
    )
    assert accuracy_matching.judge(banded, [("fam/x", 8.0, "low", 0.5)], slugs).grade_ok is False
    assert accuracy_matching.judge(banded, [("fam/x", 7.0, "low", 0.5)], slugs).grade_ok is True
