"""The level change form groups its items per section (issue 16, "items per section in a form
that fits a 1,280 px screen"): each group in handbook order, its own blank row to add an item
without JavaScript, every save through ``level_save`` with history and the lost-edit check."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ladder.models import SECTION_CHOICES, Item, Level
from tests.conftest import admin_form_data, admin_item_prefix, admin_new_item

pytestmark = pytest.mark.django_db


def change_url(level: Level) -> str:
    return f"/admin/ladder/level/{level.pk}/change/"


def post(client: Client, level: Level, data: dict):
    return client.post(change_url(level), {**data, "_continue": "1"})


@pytest.fixture
def manager(seeded_ladder) -> Level:
    return Level.objects.get(slug="manager-sales-operations")


def section_items(level: Level, section: str) -> list[Item]:
    return list(Item.objects.filter(level=level, section=section).order_by("position", "id"))


def test_the_form_has_one_group_per_section_with_its_items_in_handbook_order(hr_client, manager):
    response = hr_client.get(change_url(manager))
    groups = response.context["inline_admin_formsets"]
    assert [g.formset.prefix for g in groups] == [f"items-{value}" for value, _ in SECTION_CHOICES]
    for group, (section, label) in zip(groups, SECTION_CHOICES, strict=True):
        shown = [form.instance.pk for form in group.formset.initial_forms]
        assert shown == [item.pk for item in section_items(manager, section)], section
        assert group.opts.verbose_name_plural == label
        # One blank row per group, already set to the group's section.
        (blank,) = group.formset.extra_forms
        assert blank["section"].value() == section
        assert blank["position"].value() is None
    assert len(groups[0].formset.initial_forms) == 14  # the seed page's responsibilities
    body = response.content.decode()
    headings = re.findall(
        r'<h2 id="items-(\w+)-heading" class="inline-heading">\s*([^<]*?)\s*<', body
    )
    assert headings == [(value, str(label)) for value, label in SECTION_CHOICES]
    # Responsibilities come first, as in the handbook (they used to sort after requirements).
    assert body.index("Lead the team to support") < body.index("BA/BS degree")


def test_an_item_added_in_a_group_without_javascript_lands_at_the_end_of_its_section(
    hr_client, hr_editor, manager
):
    before = section_items(manager, "requirements")
    data = admin_form_data(hr_client.get(change_url(manager)))
    # Typed in the Requirements group's blank row, position left empty (as a browser posts it).
    admin_new_item(data, "requirements", text="Fluent in **SQL**")
    response = post(hr_client, manager, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    after = section_items(manager, "requirements")
    assert [i.pk for i in after[:-1]] == [i.pk for i in before]
    added = after[-1]
    assert added.text == "Fluent in **SQL**"
    assert added.position == before[-1].position + 1
    assert "Fluent in <strong>SQL</strong>" in added.html
    record = added.history.get()
    assert record.history_type == "+" and record.history_user == hr_editor
    # Saved with the level, as one version: a revert of it can restore this item.
    manager.refresh_from_db()
    assert manager.history.latest("history_date").history_date == record.history_date
    assert (
        "Fluent in <strong>SQL</strong>"
        in Client().get(manager.get_absolute_url()).content.decode()
    )


def test_blank_rows_of_several_groups_each_land_in_their_own_section(hr_client, manager):
    data = admin_form_data(hr_client.get(change_url(manager)))
    admin_new_item(data, "general", text="Travel up to 10 %")
    admin_new_item(data, "responsibilities", text="Own the quarterly **forecast**")
    assert post(hr_client, manager, data).status_code == 302

    (general,) = section_items(manager, "general")
    assert (general.text, general.position) == ("Travel up to 10 %", 0)
    last = section_items(manager, "responsibilities")[-1]
    assert (last.text, last.position) == ("Own the quarterly **forecast**", 14)
    # The untouched blank row of the Requirements group added nothing.
    assert len(section_items(manager, "requirements")) == 12


def test_a_typed_position_is_kept(hr_client, manager):
    data = admin_form_data(hr_client.get(change_url(manager)))
    admin_new_item(data, "requirements", position="0", text="First of all")
    assert post(hr_client, manager, data).status_code == 302
    added = Item.objects.get(level=manager, text="First of all")
    assert (added.section, added.position) == ("requirements", 0)


def test_editing_an_item_in_one_group_and_deleting_one_in_another_is_one_save(
    hr_client, hr_editor, manager
):
    requirement = section_items(manager, "requirements")[0]
    doomed = section_items(manager, "responsibilities")[2]
    data = admin_form_data(hr_client.get(change_url(manager)))
    data[f"{admin_item_prefix(data, requirement)}-text"] = "BA/BS degree or equivalent"
    data[f"{admin_item_prefix(data, doomed)}-DELETE"] = "on"
    assert post(hr_client, manager, data).status_code == 302

    requirement.refresh_from_db()
    assert requirement.text == "BA/BS degree or equivalent"
    assert not Item.objects.filter(pk=doomed.pk).exists()
    edited = requirement.history.latest("history_date")
    deleted = Item.history.filter(id=doomed.pk, history_type="-").get()
    assert edited.history_user == deleted.history_user == hr_editor
    assert edited.history_date == deleted.history_date  # one version of the level
    assert len(section_items(manager, "responsibilities")) == 13


def test_the_section_select_moves_an_item_to_another_group(hr_client, manager):
    item = section_items(manager, "responsibilities")[0]
    data = admin_form_data(hr_client.get(change_url(manager)))
    prefix = admin_item_prefix(data, item)
    assert prefix.startswith("items-responsibilities-")
    data[f"{prefix}-section"] = "general"
    data[f"{prefix}-position"] = ""
    assert post(hr_client, manager, data).status_code == 302
    assert section_items(manager, "general") == [item]

    data = admin_form_data(hr_client.get(change_url(manager)))
    assert admin_item_prefix(data, item).startswith("items-general-")


def test_a_bad_row_names_its_field_and_saves_nothing(hr_client, manager):
    version = manager.version
    item = section_items(manager, "requirements")[1]
    data = admin_form_data(hr_client.get(change_url(manager)))
    data[f"{admin_item_prefix(data, item)}-position"] = "-1"
    admin_new_item(data, "general", text="Not saved either")
    response = post(hr_client, manager, data)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    manager.refresh_from_db()
    assert manager.version == version
    assert not Item.objects.filter(level=manager, section="general").exists()


def test_someone_elses_save_in_between_is_still_refused(hr_client, manager):
    data = admin_form_data(hr_client.get(change_url(manager)))
    other = Client()
    other.force_login(_other_editor())
    assert post(other, manager, admin_form_data(other.get(change_url(manager)))).status_code == 302

    admin_new_item(data, "requirements", text="Lost edit?")
    response = post(hr_client, manager, data)
    assert response.status_code == 200
    assert "saved this level" in response.content.decode()
    assert not Item.objects.filter(text="Lost edit?").exists()


def _other_editor():
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("otto", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"))
    return user


def test_the_form_stays_light(hr_client, manager, django_assert_max_num_queries):
    # 196 KB with one table of rows carrying four pop-up links per autocomplete box; the
    # grouped form without them is about 135 KB. One items query per section group.
    with django_assert_max_num_queries(15):
        body = hr_client.get(change_url(manager)).content
    assert len(body) < 150_000, len(body)
    assert b"add_id_items-" not in body and b"delete_id_items-" not in body
