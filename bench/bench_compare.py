"""Alignment cost: 4 levels of 60 items, as the compare page does it."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from generate import CONTEXTS, OBJECTS, VERBS


def run(say: Callable[[str], None]) -> None:
    from ladder.alignment import align

    rng = random.Random(5)
    pool = [f"{v} {o} {c}".strip() for v in VERBS for o in OBJECTS for c in CONTEXTS[:3]]
    base = rng.sample(pool, 60)
    columns = [base]
    for _ in range(3):
        column = [t if rng.random() < 0.7 else rng.choice(pool) for t in base]
        rng.shuffle(column)
        columns.append(column)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        align(columns)
        times.append((time.perf_counter() - start) * 1000)
    say(f"alignment of 4 levels x 60 items: median {statistics.median(times):.2f} ms")
