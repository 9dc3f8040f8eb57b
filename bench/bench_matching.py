"""Posting matching: one posting against 5,000 levels, and quality on the labelled seeds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a recruiter would say each seed posting is (seeds README and issue 6).
LABELLED = {
    "sr-manager-go-to-market-and-sales-operations.html": "senior-manager-sales-operations",
    "sr-manager-sales-operations.html": "senior-manager-sales-operations",
}
OTHER_FAMILY = ["inside-sales-manager.html", "atu-sales-manager.txt"]


def _profiles():
    from ladder.handbook import parse_handbook
    from ladder.inheritance import effective_items, resolve_import
    from postings.level_index import LevelProfile

    family = parse_handbook((ROOT / "fixtures/handbook/sales-operations.md").read_bytes())
    resolved = resolve_import([family])
    graph = resolved.graph()

    def flat(items):
        for item in items:
            if item.text:
                yield item.text
            yield from flat(item.children)

    out = []
    for lv in resolved.families[0].levels:
        eff = effective_items(lv.key, graph)
        out.append(
            LevelProfile(
                lv.key,
                lv.parsed.title,
                family.title,
                float(lv.grade) if lv.grade else None,
                tuple((s, t) for s in eff for t in flat(eff[s])),
            )
        )
    return out


def run(say: Callable[[str], None]) -> None:
    from postings.level_index import LevelProfile, build_index
    from postings.matching import rank_levels
    from postings.parsing import parse_posting

    seed = _profiles()
    index = build_index(seed)
    folder = ROOT / "fixtures" / "postings"
    hits = 0
    for name, expected in LABELLED.items():
        best = rank_levels(parse_posting((folder / name).read_bytes(), name), index)[0]
        hits += best.key.endswith("/" + expected)
    ops_scores = [
        rank_levels(parse_posting((folder / n).read_bytes(), n), index)[0].score for n in LABELLED
    ]
    other = [
        rank_levels(parse_posting((folder / n).read_bytes(), n), index)[0] for n in OTHER_FAMILY
    ]
    say(
        f"matching quality on the seed postings: {hits}/{len(LABELLED)} sales-operations postings "
        f"top-ranked at their labelled level; sales-management postings top score "
        f"{max(m.score for m in other):.2f} ({', '.join(m.confidence for m in other)}) vs "
        f"sales-operations {min(ops_scores):.2f}"
    )
    many = [
        LevelProfile(
            f"family-{i}/{p.key.split('/')[1]}", p.title, f"{p.family} {i}", p.grade, p.items
        )
        for i in range(300)
        for p in seed
    ][:5000]
    start = time.perf_counter()
    big = build_index(many)
    build = time.perf_counter() - start
    posting = parse_posting((folder / "sr-manager-sales-operations.html").read_bytes())
    times = []
    for _ in range(15):
        start = time.perf_counter()
        rank_levels(posting, big, limit=5)
        times.append((time.perf_counter() - start) * 1000)
    say(
        f"match one posting against {len(many)} levels: median {statistics.median(times):.0f} ms, "
        f"p95 {sorted(times)[13]:.0f} ms (target < 100 ms); index build {build:.2f} s, cached "
        "per content version"
    )
