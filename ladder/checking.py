"""Prove the stored ladder true: what ``manage.py check_ladder`` and the scenario tests run.

Three checks, each returning one line per difference:

* every level's stored effective lists equal a computation from scratch (all families' items,
  inheritance walked again);
* a sample of pages, as the page cache would serve them to a visitor, equal the same pages
  rendered now without the cache;
* every item has a history record (its import baseline, or its creation in the admin), so
  every edit can be reverted.

>>> report = check_ladder(pages=20)  # doctest: +SKIP
>>> report.differences
[]
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from ladder.inheritance import CycleError, effective_items, effective_json
from ladder.models import Item, JobFamily, Level


@dataclass
class CheckReport:
    levels: int = 0
    pages: int = 0
    items: int = 0
    differences: list[str] = field(default_factory=list)

    def line(self) -> str:
        found = len(self.differences)
        verdict = "no difference" if not found else f"{found} difference(s)"
        return (
            f"Checked {self.levels} levels' effective lists, {self.pages} pages and "
            f"{self.items} items' history: {verdict}."
        )


def check_ladder(*, pages: int = 40, seed: int = 0, host: str | None = None) -> CheckReport:
    """Run every check; ``pages`` levels and families are sampled (0: none, -1: all)."""
    report = CheckReport()
    check_effective(report)
    check_pages(report, sample=pages, seed=seed, host=host)
    check_baselines(report)
    return report


def _first_difference(stored: dict, fresh: dict) -> str:
    for section in sorted(set(stored) | set(fresh)):
        left, right = stored.get(section) or [], fresh.get(section) or []
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            if a != b:
                return (
                    f"{section} item {index + 1}: stored {json.dumps(a)[:160]} "
                    f"but computed {json.dumps(b)[:160]}"
                )
        if len(left) != len(right):
            return f"{section}: {len(left)} items stored, {len(right)} computed"
    return "the documents differ"


def check_effective(report: CheckReport) -> None:
    from ladder.services import load_graph  # the graph loader reads the stored items

    graph, by_key = load_graph(JobFamily.objects.values_list("pk", flat=True))
    memo: dict = {}
    for key, level in sorted(by_key.items()):
        report.levels += 1
        try:
            fresh = effective_json(effective_items(key, graph, memo))
        except CycleError as exc:
            report.differences.append(f"level {key}: {exc}")
            continue
        if fresh != level.effective:
            report.differences.append(
                f"level {key}: stored effective lists are stale: "
                + _first_difference(level.effective, fresh)
            )


def _sample_urls(sample: int, seed: int) -> list[str]:
    if sample == 0:
        return []
    levels = list(Level.objects.select_related("family").only("slug", "family__slug"))
    families = list(JobFamily.objects.only("slug"))
    if sample > 0:
        rng = random.Random(seed)
        levels = rng.sample(levels, min(sample, len(levels)))
        families = rng.sample(families, min(max(1, sample // 4), len(families)))
    return [
        "/",
        *(f.get_absolute_url() for f in families),
        *(lv.get_absolute_url() for lv in levels),
    ]


def check_pages(
    report: CheckReport,
    *,
    sample: int = 0,
    seed: int = 0,
    host: str | None = None,
    urls: list[str] | None = None,
) -> None:
    """A visitor's page (through the page cache) against the same page rendered now: the
    sampled pages, or ``urls``."""
    urls = _sample_urls(sample, seed) if urls is None else urls
    if not urls:
        return
    host = host or next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
    host = host.lstrip(".")
    hosts = [*settings.ALLOWED_HOSTS, host]
    secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
    with override_settings(ALLOWED_HOSTS=hosts):
        visitor = Client(HTTP_HOST=host)
        for url in urls:
            report.pages += 1
            served = visitor.get(url, secure=secure)
            with override_settings(LADDER_PAGE_CACHE_SECONDS=0):
                fresh = Client(HTTP_HOST=host).get(url, secure=secure)
            if (served.status_code, served.content) != (fresh.status_code, fresh.content):
                report.differences.append(
                    f"page {url}: the page cache serves a stale page "
                    f"({served.status_code}, {len(served.content)} bytes; now "
                    f"{fresh.status_code}, {len(fresh.content)} bytes)"
                )


def check_baselines(report: CheckReport) -> None:
    recorded = Item.history.model.objects.values("id")
    report.items = Item.objects.count()
    for item in (
        Item.objects.exclude(pk__in=recorded).select_related("level__family").order_by("pk")
    ):
        report.differences.append(
            f"item {item.pk} of {item.level.key}: no history record, so an edit of it could "
            "not be reverted"
        )
