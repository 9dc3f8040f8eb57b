"""The importer's accuracy on the hand-read answer key never drops (a ratchet).

``make accuracy`` prints the figures and saves them to ``bench/results/<date>-accuracy.txt``;
this test measures again and fails when any figure is below the newest saved one, or below the
issue's target.
"""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import accuracy  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return accuracy.measure()


def test_every_figure_is_at_least_the_last_recorded_one(report):
    saved, figures = accuracy.recorded()
    assert saved is not None, "no bench/results/*-accuracy.txt: run `make accuracy`"
    measured = report.figures()
    for name, value in figures.items():
        now = round(measured[name] * 100, 1)
        assert now >= round(value * 100, 1), (
            f"{accuracy.LABELS[name]} dropped to {now} % (recorded {value:.1%} in {saved.name})"
        )


def test_the_targets_hold(report):
    measured = report.figures()
    for name, target in accuracy.TARGETS.items():
        assert measured[name] >= target, f"{accuracy.LABELS[name]}: {measured[name]:.1%}"


def test_the_comparison_is_not_lenient():
    # A title with another seniority or another field never reads as the stored one.
    assert accuracy.same_title("Sr. Sales Analyst", "Senior Sales Analyst")
    assert accuracy.same_title(
        "Learning and Development Manager", "Manager, Learning & Development"
    )
    assert not accuracy.same_title("Senior Sales Analyst", "Staff Sales Analyst")
    assert not accuracy.same_title("Sales Analyst", "Marketing Analyst")
