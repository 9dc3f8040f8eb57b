"""Randomised scenarios (Hypothesis stateful testing): imports, re-imports that keep or
overwrite admin edits, edits through the admin's own forms, reverts, deletes and posting
actions in any order. After every step ``check_ladder`` is clean and what a visitor gets
through the page cache equals the API. At least 500 steps per run, on SQLite and PostgreSQL
(``make test`` runs the suite on both).
"""

from __future__ import annotations

import functools
import html
import os
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ladder.checking import CheckReport, check_baselines, check_effective, check_pages
from ladder.handbook import SECTIONS
from ladder.handbook.sources import Source
from ladder.models import Item, JobFamily, Level
from ladder.services import family_import
from postings.models import Posting
from postings.services import posting_delete, posting_import, posting_link_level
from tests.conftest import admin_form_data, admin_item_prefix, admin_new_item

pytestmark = pytest.mark.django_db

MIN_STEPS = int(os.environ.get("LADDER_SCENARIO_STEPS", "500"))  # fewer only to debug
FAMILIES = ["Alpha", "Beta", "Gamma"]
TITLES = ["Analyst", "Senior Analyst", "Staff Analyst"]
TEXTS = [
    "Plan the quarter",
    "Review the numbers",
    "Coach new hires",
    "Write the forecast",
    "Lead the weekly call",
    "Own the roadmap",
]
POSTING = (
    "Senior Analyst\n\nAcme\n\nResponsibilities\n\n- {a}\n- {b}\n\nRequirements\n\n"
    "- Five years of experience\n"
)


@st.composite
def pages(draw) -> tuple[str, bytes]:
    """A small handbook page: one to three levels, grades, items, maybe extends links."""
    name = draw(st.sampled_from(FAMILIES))
    count = draw(st.integers(1, 3))
    grades = sorted(draw(st.lists(st.integers(5, 12), min_size=count, max_size=count)))
    parts = [f'---\ntitle: "{name} Roles"\n---\n\n## {name} Levels\n']
    for index, title in enumerate(TITLES[:count]):
        items = draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3, unique=True))
        if index and draw(st.booleans()):
            items.insert(
                draw(st.integers(0, len(items))), f"Extends that of the {TITLES[index - 1]}"
            )
        bullets = "\n".join(f"- {text}" for text in items)
        parts.append(
            f"### {title}\n\n#### Job Grade\n\nThe {title} is a "
            f"[grade {grades[index]}](https://example.com/grades).\n\n"
            f"#### {title} Responsibilities\n\n{bullets}\n"
        )
    return name, "\n".join(parts).encode()


def step(func):
    """Count a rule's run: the test goes on until the scenarios made ``MIN_STEPS`` steps."""

    @functools.wraps(func)
    def counted(self, *args, **kwargs):
        LadderScenario.steps += 1
        return func(self, *args, **kwargs)

    return counted


def _pick(rows: list, n: int):
    return rows[n % len(rows)]


def _item_htmls(items: list[dict]) -> list[str]:
    out = []
    for item in items:
        out.append(item["html"] or html.escape(item["text"]))
        out.extend(_item_htmls(item.get("children") or []))
    return out


class LadderScenario(RuleBasedStateMachine):
    editor: User
    steps = 0

    def __init__(self) -> None:
        super().__init__()
        # Each scenario starts from an empty ladder: everything it writes is rolled back.
        self.savepoint = transaction.savepoint_create()
        cache.clear()
        self.admin = Client()
        self.admin.force_login(self.editor)
        self.visitor = Client()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        cache.clear()

    # ----------------------------------------------------------------------- helpers

    def levels(self) -> list[Level]:
        return list(Level.objects.select_related("family").order_by("pk"))

    def items(self) -> list[Item]:
        return list(Item.objects.select_related("level__family").order_by("pk"))

    def has_levels(self) -> bool:
        return Level.objects.exists()

    def has_items(self) -> bool:
        return Item.objects.exists()

    def post_level_form(self, level: Level, change) -> None:
        url = f"/admin/ladder/level/{level.pk}/change/"
        data = admin_form_data(self.admin.get(url))
        change(data)
        response = self.admin.post(url, {**data, "_continue": "1"})
        # A refused form (an extends cycle, say) answers 200 with the reason and saves nothing.
        assert response.status_code in (200, 302), response.status_code

    # ----------------------------------------------------------------------- rules

    @rule(page=pages())
    @step
    def import_page(self, page) -> None:
        name, data = page
        family_import(sources=[Source(f"{name.lower()}.md", data)])

    @precondition(lambda self: JobFamily.objects.exists())
    @rule(n=st.integers(0, 99), page=pages(), overwrite=st.booleans())
    @step
    def reimport_in_the_admin(self, n, page, overwrite) -> None:
        family = _pick(list(JobFamily.objects.order_by("pk")), n)
        name, data = page
        url = f"/admin/ladder/jobfamily/{family.pk}/reimport/"
        preview = self.admin.post(url, {"source": SimpleUploadedFile(f"{name}.md", data)})
        assert preview.status_code == 200
        token = preview.context["apply"].initial["token"]
        choice = {"token": token, "confirm_other_family": "on"}
        if overwrite:
            choice["overwrite_admin_edits"] = "on"
        assert self.admin.post(url, choice).status_code == 302

    @precondition(has_items)
    @rule(n=st.integers(0, 999), text=st.sampled_from(TEXTS + ["Edited **in** the admin"]))
    @step
    def edit_an_item_inline(self, n, text) -> None:
        item = _pick([i for i in self.items() if i.text], n) if self.has_items() else None
        if item is None:
            return

        def change(data: dict) -> None:
            data[f"{admin_item_prefix(data, item)}-text"] = text

        self.post_level_form(item.level, change)

    @precondition(has_levels)
    @rule(n=st.integers(0, 999), m=st.integers(0, 999))
    @step
    def add_an_extends_link(self, n, m) -> None:
        levels = self.levels()
        level, target = _pick(levels, n), _pick(levels, m)

        def change(data: dict) -> None:
            admin_new_item(data, "responsibilities", position="9", extends_level=str(target.pk))

        self.post_level_form(level, change)

    @precondition(has_levels)
    @rule(n=st.integers(0, 999), grade=st.sampled_from(["", "6", "6.5", "9"]))
    @step
    def change_a_grade(self, n, grade) -> None:
        def change(data: dict) -> None:
            data["grade_number"] = grade
            data.pop("grade_max", None)

        self.post_level_form(_pick(self.levels(), n), change)

    @precondition(has_levels)
    @rule(n=st.integers(0, 999), m=st.integers(0, 999), restore=st.booleans())
    @step
    def revert_a_level(self, n, m, restore) -> None:
        level = _pick(self.levels(), n)
        record = _pick(list(level.history.order_by("history_date", "history_id")), m)
        url = f"/admin/ladder/level/{level.pk}/history/{record.history_id}/"
        data = admin_form_data(self.admin.get(url))
        data.pop("restore_items", None)
        if restore:
            data["restore_items"] = "on"
        assert self.admin.post(url, data).status_code in (200, 302)

    @precondition(has_items)
    @rule(n=st.integers(0, 999), m=st.integers(0, 999))
    @step
    def revert_an_item(self, n, m) -> None:
        item = _pick(self.items(), n)
        record = _pick(list(item.history.order_by("history_date", "history_id")), m)
        url = f"/admin/ladder/item/{item.pk}/history/{record.history_id}/"
        data = admin_form_data(self.admin.get(url))
        assert self.admin.post(url, data).status_code in (200, 302)

    @precondition(has_items)
    @rule(n=st.integers(0, 999))
    @step
    def delete_an_item(self, n) -> None:
        item = _pick(self.items(), n)
        response = self.admin.post(f"/admin/ladder/item/{item.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302

    @precondition(has_levels)
    @rule(n=st.integers(0, 999))
    @step
    def delete_a_level(self, n) -> None:
        level = _pick(self.levels(), n)
        response = self.admin.post(f"/admin/ladder/level/{level.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302

    @rule(a=st.sampled_from(TEXTS), b=st.sampled_from(TEXTS), n=st.integers(0, 999))
    @step
    def posting_actions(self, a, b, n) -> None:
        data = POSTING.format(a=a, b=b).encode()
        posting_import(sources=[Source(f"posting-{n}.txt", data)])
        posting = Posting.objects.order_by("pk").last()
        if posting is not None and self.has_levels():
            posting_link_level(posting=posting, level=_pick(self.levels(), n), user=self.editor)
        if n % 3 == 0 and posting is not None:
            posting_delete(posting=posting)

    # ----------------------------------------------------------------------- invariant

    @invariant()
    def check(self) -> None:
        """check_ladder is clean (pages: one family in turn), and that family's level pages as
        a visitor gets them show what the API says."""
        report = CheckReport()
        check_effective(report)
        check_baselines(report)
        families = list(JobFamily.objects.order_by("pk"))
        family = _pick(families, LadderScenario.steps) if families else None
        if family is not None:
            level = family.levels.order_by("?").first()
            urls = [family.get_absolute_url()] + ([level.get_absolute_url()] if level else [])
            check_pages(report, urls=urls)
        assert report.differences == [], report.differences
        if family is None:
            return
        api = self.visitor.get(f"/api/families/{family.slug}/").json()
        for level in api["levels"]:
            page = self.visitor.get(f"/families/{family.slug}/{level['slug']}/")
            shown = re.findall(r'<span class="item-text">(.*?)</span>', page.content.decode())
            expected = [h for s in SECTIONS for h in _item_htmls(level[s])]
            assert shown == expected, (family.slug, level["slug"])
            grade = f"Grade {level['grade']}" if level["grade"] is not None else None
            assert grade is None or grade in page.content.decode(), (family.slug, level)


def test_random_scenarios_keep_the_ladder_true(settings_page_cache, hr_editor):
    LadderScenario.editor = hr_editor
    LadderScenario.steps = 0
    while LadderScenario.steps < MIN_STEPS:
        run_state_machine_as_test(
            LadderScenario,
            settings=settings(
                max_examples=4,  # then again until MIN_STEPS: at most 100 steps too many
                stateful_step_count=25,
                deadline=None,
                database=None,
                # No shrinking: the failing steps are printed as they ran, and shrinking a
                # database scenario takes longer than the whole CI budget.
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
        )
    print(f"{LadderScenario.steps} scenario steps")  # noqa: T201 - shown with -s
    assert LadderScenario.steps >= MIN_STEPS


@pytest.fixture
def settings_page_cache(settings):
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    return settings
