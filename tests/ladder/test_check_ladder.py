"""``manage.py check_ladder``: clean on a true ladder, one line per difference on a false one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ladder.models import Item, Level
from ladder.services import item_save, level_revert, level_save

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_ladder", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_clean_after_importing_the_whole_corpus_editing_and_reverting(settings, imported_corpus):
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    level = Level.objects.filter(items__text__gt="").order_by("pk").first()
    record = level.history.earliest("history_date")
    item = level.items.exclude(text="").order_by("pk").first()
    item.text = "Edited in the admin"
    item_save(item=item)
    level.description = "Edited too"
    level_save(level=level)
    level_revert(
        level=Level.objects.get(pk=level.pk), record_id=record.history_id, restore_items=True
    )
    assert Item.objects.get(pk=item.pk).text != "Edited in the admin"
    out, err = run("--pages", "30")
    assert err == ""
    assert "no difference" in out


def test_stale_effective_lists_a_stale_page_and_a_missing_baseline_are_each_reported(
    seeded_ladder, settings, visitor
):
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    level = Level.objects.get(slug="sr-sales-operations-analyst")
    visitor.get(level.get_absolute_url())  # cached now
    # Writes that bypass the services: exactly what the checker exists to catch.
    Level.objects.filter(pk=level.pk).update(effective={})
    item = Item.objects.filter(level=level).exclude(text="").first()
    Item.history.filter(id=item.pk).delete()
    err = StringIO()
    with pytest.raises(CommandError, match="3 difference"):
        call_command("check_ladder", "--pages", "-1", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(
        line.startswith(f"level {level.key}: stored effective lists are stale") for line in lines
    )
    assert any(
        line.startswith(f"page {level.get_absolute_url()}: the page cache") for line in lines
    )
    assert any(
        line.startswith(f"item {item.pk} of {level.key}: no history record") for line in lines
    )
