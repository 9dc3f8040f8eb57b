"""The level form's item rows are written by ``ladder.form_markup`` instead of Django's form
templates (issue 18: the change form at 3,000 families): the same markup, fewer queries."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext

from ladder.form_markup import RowRenderer
from ladder.forms import ItemInlineForm
from ladder.models import Item, Level

pytestmark = pytest.mark.django_db


class Sample(forms.Form):
    """A control of each kind the item rows have, with values that need escaping."""

    section = forms.ChoiceField(choices=[("a", "A & B"), ("b", "<b>")])
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("x", "X"), ("z", "Z")]), ("y", 'Y "quoted"')], required=False
    )
    position = forms.IntegerField(
        required=False, widget=forms.NumberInput(attrs={"placeholder": "end"})
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}))
    flag = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=5, label="Name & title")


def rendered(form: forms.Form) -> list[str]:
    return [f"{field.label_tag()}{field.errors.as_ul()}{field}" for field in form]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "section": "b",
            "grouped": "x",
            "position": "0",
            "text": 'say "hi" <b>&',
            "flag": "on",
            "hidden": "h&'",
            "name": "far too long",  # an error list: left to Django's template
        },
    ],
    ids=["blank", "filled"],
)
def test_each_control_label_and_error_list_is_what_the_templates_write(data):
    initial = {"text": "<i>first</i>", "position": None}
    prefix = "items-general-0"
    data = data and {f"{prefix}-{name}": value for name, value in data.items()}
    ours = Sample(data, initial=initial, renderer=RowRenderer(), prefix=prefix)
    djangos = Sample(data, initial=initial, renderer=DjangoTemplates(), prefix=prefix)
    assert rendered(ours) == rendered(djangos)
    assert "&lt;b&gt;" in "".join(rendered(ours))


def page(client, level: Level) -> str:
    html = client.get(f"/admin/ladder/level/{level.pk}/change/").content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html))


def test_the_level_form_is_the_page_django_templates_would_write(
    hr_client, seeded_ladder, monkeypatch
):
    # A level whose rows have chosen parents and an extended level (labels read in one query).
    level = Level.objects.get(slug="partner-operations-project-manager")
    assert Item.objects.filter(level=level, parent__isnull=False).exists()
    assert Item.objects.filter(level=level, extends_level__isnull=False).exists()
    ours = page(hr_client, level)
    monkeypatch.setattr(ItemInlineForm, "default_renderer", DjangoTemplates())
    monkeypatch.setattr("ladder.admin.ROW_RENDERER", DjangoTemplates())
    monkeypatch.setattr("ladder.admin.ItemRowAutocomplete.optgroups", AutocompleteSelect.optgroups)
    djangos = page(hr_client, level)
    assert ours == djangos
    assert 'class="related-widget-wrapper-link view-related"' in ours


def test_chosen_parents_and_extended_levels_cost_no_query_each(hr_client, seeded_ladder):
    level = Level.objects.get(slug="partner-operations-project-manager")
    chosen = Item.objects.filter(level=level).exclude(parent=None, extends_level=None).count()
    assert chosen >= 3
    url = f"/admin/ladder/level/{level.pk}/change/"
    hr_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        hr_client.get(url)
    item_reads = [q for q in ctx.captured_queries if 'FROM "ladder_item"' in q["sql"]]
    # One per section group, one for every chosen box's label.
    assert len(item_reads) == 3 + 1, [q["sql"] for q in item_reads]
