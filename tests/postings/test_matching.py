"""Matching postings to levels: the seed expectations, other families, speed inputs."""

from __future__ import annotations

import pytest

from ladder.handbook import parse_handbook
from ladder.inheritance import effective_items, resolve_import
from postings.matching import LevelProfile, build_index, compare_items, rank_levels, seniority
from postings.parsing import parse_posting
from tests.conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "postings"


def _flat(items):
    for item in items:
        if item.text:
            yield item.text
        yield from _flat(item.children)


@pytest.fixture(scope="module")
def index():
    family = parse_handbook((ROOT / "fixtures/handbook/sales-operations.md").read_bytes())
    resolved = resolve_import([family])
    graph = resolved.graph()
    profiles = []
    for lv in resolved.families[0].levels:
        eff = effective_items(lv.key, graph)
        profiles.append(
            LevelProfile(
                lv.key,
                lv.parsed.title,
                family.title,
                float(lv.parsed.grade) if lv.parsed.grade else None,
                tuple((s, t) for s in eff for t in _flat(eff[s])),
            )
        )
    return build_index(profiles)


def posting(name: str):
    return parse_posting((ROOT / "fixtures" / "postings" / name).read_bytes(), name)


SALES_OPS = [
    "sr-manager-go-to-market-and-sales-operations.html",
    "sr-manager-sales-operations.html",
]
SALES_MANAGEMENT = ["inside-sales-manager.html", "atu-sales-manager.txt"]
RANK = {"low": 0, "medium": 1, "high": 2}


@pytest.mark.parametrize("name", SALES_OPS)
def test_sales_operations_postings_match_senior_manager_first(index, name):
    matches = rank_levels(posting(name), index)
    best = matches[0]
    assert best.key == "sales-operations/senior-manager-sales-operations"
    assert best.grade == 9
    assert best.confidence == "high"
    assert 0 <= best.score <= 1
    assert best.explanation and any("covered" in line for line in best.explanation)


def test_sales_management_postings_score_lower_and_less_confident(index):
    ops = [rank_levels(posting(n), index)[0] for n in SALES_OPS]
    for name in SALES_MANAGEMENT:
        best = rank_levels(posting(name), index)[0]
        assert best.confidence != "high"
        assert all(best.score < o.score for o in ops), name
        assert all(RANK[best.confidence] <= RANK[o.confidence] for o in ops), name


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
@pytest.mark.parametrize(
    "path", sorted((CORPUS / "jobboard-html").glob("*.html")), ids=lambda p: p.name[:30]
)
def test_engineering_postings_are_low_confidence(index, path):
    matches = rank_levels(parse_posting(path.read_bytes(), path.name), index)
    assert all(m.confidence == "low" for m in matches)


def test_seniority_ranks():
    assert seniority("Associate Analyst") < seniority("Analyst") < seniority("Senior Analyst")
    assert seniority("Manager, Sales") < seniority("Sr Manager Sales Operations")
    assert seniority("Director") < seniority("Senior Director") < seniority("VP, Sales")


def test_compare_items_marks_covered_partly_missing():
    pairs = compare_items(
        [("requirements", "Strong analytical ability"), ("requirements", "Fluent in Klingon")],
        [("requirements", "Strong analytical ability and able to prioritize multiple projects")],
    )
    assert [p.status for p in pairs] == ["covered", "missing"]
    assert compare_items([], [("requirements", "x")]) == []
    assert compare_items([("requirements", "x")], [])[0].status == "missing"
