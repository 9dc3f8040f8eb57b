"""HR admins in the Django admin: permissions, validation, no lost update, history, re-import,
export round trip and CSV."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from ladder.export import family_markdown
from ladder.handbook import parse_handbook
from ladder.handbook.sources import Source, collect_sources
from ladder.inheritance import Candidate, effective_items, resolve_import
from ladder.models import Item, JobFamily, Level
from ladder.services import (
    family_import,
    family_reimport_preview,
    family_save,
    item_save,
    level_delete,
    load_graph,
)
from tests.conftest import ROOT, admin_form_data, admin_new_item

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
CORPUS = ROOT / "tests" / "data" / "corpus"


@pytest.fixture
def seed():
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    return JobFamily.objects.get(slug="sales-operations")


def editor(name: str = "hana") -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The change form as the browser would post it back, unchanged.
form_data = admin_form_data


def level_url(level: Level) -> str:
    return f"/admin/ladder/level/{level.pk}/change/"


def test_hr_editors_group_exists_with_permissions():
    group = Group.objects.get(name="HR editors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_level", "add_item", "delete_item", "view_historicallevel"} <= codenames
    assert "change_posting" in codenames


def test_people_without_staff_rights_get_no_admin(seed):
    client = Client()
    assert client.get("/admin/ladder/level/").status_code == 302
    user = User.objects.create_user("eve", password="pw")
    client.force_login(user)
    response = client.get("/admin/ladder/level/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/families/sales-operations/").status_code == 200  # browsing is open


def test_level_list_with_filters_and_search(seed):
    client = logged_in(editor())
    response = client.get("/admin/ladder/level/?grade_inferred__exact=1&q=channel")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Senior Channel Operations Manager" in body
    assert "Associate Sales Operations Analyst" not in body


def test_level_list_follows_a_family_link_and_finds_item_texts_by_the_index(seed):
    client = logged_in(editor())
    body = client.get("/admin/ladder/level/").content.decode()
    assert 'href="/admin/ladder/level/?family=sales-operations"' in body
    body = client.get("/admin/ladder/level/?family=sales-operations").content.decode()
    assert "Associate Sales Operations Analyst" in body
    assert body.count('class="field-title"') == Level.objects.count()
    # "facilitate" is in an item of the Sr. Analyst only, never in a title.
    body = client.get("/admin/ladder/level/?q=facilitating+forecast").content.decode()
    assert "Sr. Sales Operations Analyst" in body
    assert "Associate Sales Operations Analyst" not in body
    level = Level.objects.get(slug="sr-sales-operations-analyst")
    assert f'<td class="field-item_count">{level.items.count()}</td>' in body


def test_level_list_costs_the_same_queries_with_ten_times_the_families(seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.ladder.test_views import import_big

    client = logged_in(editor())

    def count() -> int:
        client.get("/admin/ladder/level/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/admin/ladder/level/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    import_big()
    assert count() == small


def test_a_search_reads_its_matches_once_for_the_count_and_every_page(seed, monkeypatch):
    import html
    import re

    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from ladder.admin import LevelAdmin

    monkeypatch.setattr(LevelAdmin, "list_per_page", 4)
    client = logged_in(editor())
    # Django's own search: every word in the title, slug, group or family title.
    expected = list(
        Level.objects.filter(
            Q(title__icontains="operations")
            | Q(slug__icontains="operations")
            | Q(group__icontains="operations")
            | Q(family__title__icontains="operations")
        )
        .order_by("family__title", "position", "-pk")
        .values_list("title", flat=True)
    )
    assert len(expected) > 8
    shown = []
    for page in range(1, (len(expected) + 3) // 4 + 1):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/admin/ladder/level/?q=Operations&p={page}").content.decode()
        searches = [q["sql"] for q in ctx.captured_queries if "LIKE" in q["sql"].upper()]
        assert len(searches) == 1, searches
        assert f"{len(expected)} levels" in body
        shown += map(html.unescape, re.findall(r'class="field-title"><a [^>]*>([^<]*)<', body))
    assert shown == expected


def test_change_page_shows_effective_preview_with_sources(seed):
    level = Level.objects.get(slug="senior-channel-operations-manager")
    body = logged_in(editor()).get(level_url(level)).content.decode()
    assert "(from Senior Manager, Sales Operations)" in body
    assert "(from Manager, Sales Operations)" in body


def test_change_page_preview_shows_nested_items():
    page = (
        "---\ntitle: Tea Roles\n---\n## Levels\n### Taster\n#### Taster Responsibilities\n"
        "- Taste tea\n  - Green tea every morning\n  - Black tea after lunch\n- Write notes\n"
    )
    family_import(sources=[Source("tea.md", page.encode())])
    level = Level.objects.get(slug="taster")
    body = logged_in(editor()).get(level_url(level)).content.decode()
    preview = body[body.index("<h4>Responsibilities") :]
    assert "<h4>Responsibilities (4)</h4>" in preview
    assert "depth-1'>Green tea every morning" in preview
    assert "depth-1'>Black tea after lunch" in preview


def test_editing_an_item_updates_effective_lists_and_pages(seed):
    client = logged_in(editor())
    manager = Level.objects.get(slug="manager-sales-operations")
    response = client.get(level_url(manager))
    data = form_data(response)
    key = next(k for k, v in data.items() if k.endswith("-text") and str(v).startswith("BA/BS"))
    data[key] = "BA/BS degree or equivalent experience"
    response = client.post(level_url(manager), {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    senior = Level.objects.get(slug="senior-manager-sales-operations")
    texts = [i["text"] for i in senior.effective["requirements"]]
    assert "BA/BS degree or equivalent experience" in texts  # inherited, refreshed
    page = client.get("/families/sales-operations/senior-manager-sales-operations/")
    assert "BA/BS degree or equivalent experience" in page.content.decode()


def test_saving_a_family_in_the_admin(seed):
    client = logged_in(editor())
    family = JobFamily.objects.get(slug="sales-operations")
    url = f"/admin/ladder/jobfamily/{family.pk}/change/"
    data = form_data(client.get(url))
    data["title"] = "Sales Operations (renamed)"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    family.refresh_from_db()
    assert family.title == "Sales Operations (renamed)"
    assert family.history.first().title == "Sales Operations (renamed)"


def test_a_browsers_crlf_line_endings_change_nothing(seed):
    client = logged_in(editor())
    level = Level.objects.get(slug="manager-sales-operations")

    def as_browser_sends(data: dict) -> dict:  # every textarea's line endings as CRLF
        return {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}

    data = as_browser_sends(form_data(client.get(level_url(level))))
    data["description"] = "First line.\r\n\r\nSecond line."
    assert client.post(level_url(level), {**data, "_continue": "1"}).status_code == 302
    level.refresh_from_db()
    assert level.description == "First line.\n\nSecond line."
    # Then one item's text alone: the level's new history record changes nothing of its own.
    data = as_browser_sends(form_data(client.get(level_url(level))))
    key = next(k for k, v in data.items() if k.endswith("-text") and str(v).startswith("BA/BS"))
    data[key] = "BA/BS degree or equivalent experience"
    assert client.post(level_url(level), {**data, "_continue": "1"}).status_code == 302
    newest, before = level.history.all()[:2]
    assert newest.diff_against(before).changed_fields == []
    family = level.family
    family_url = f"/admin/ladder/jobfamily/{family.pk}/change/"
    data = as_browser_sends(form_data(client.get(family_url)))
    data["description"] = "About.\r\n\r\n- one\r\n- two"
    assert client.post(family_url, data).status_code == 302
    family.refresh_from_db()
    assert family.description == "About.\n\n- one\n- two"


def test_an_item_cannot_be_its_own_parent_nor_under_its_own_sub_item(seed):
    client = logged_in(editor())
    level = Level.objects.get(slug="manager-sales-operations")
    items = list(level.items.filter(parent__isnull=True).order_by("section", "position"))
    first, second = items[0], items[1]
    before = list(level.items.order_by("pk").values_list("pk", "parent_id", "text"))

    def post(parents: dict[int, int]) -> str:
        data = form_data(client.get(level_url(level)))
        for key, value in list(data.items()):
            if key.endswith("-id") and value and int(value) in parents:
                data[key[: -len("id")] + "parent"] = parents[int(value)]
        response = client.post(level_url(level), data)
        assert response.status_code == 200  # refused, the form again
        return response.content.decode()

    assert "An item cannot be its own parent." in post({first.pk: first.pk})
    # Each other's parent in one save: each row alone looks fine against the database.
    assert "that is a loop" in post({first.pk: second.pk, second.pk: first.pk})
    # Under an item of another level.
    other = Item.objects.exclude(level=level).first()
    assert "Select a valid choice" in post({first.pk: other.pk})
    assert list(level.items.order_by("pk").values_list("pk", "parent_id", "text")) == before
    # A loop through the database: second under first, then first under second.
    Item.objects.filter(pk=second.pk).update(parent=first)
    assert "that is a loop" in post({first.pk: second.pk})


def test_two_admins_saving_the_same_level_second_is_refused(seed):
    level = Level.objects.get(slug="director-sales-operations")
    alice, bob = logged_in(editor("alice")), logged_in(editor("bob"))
    data_a = form_data(alice.get(level_url(level)))
    data_b = form_data(bob.get(level_url(level)))
    data_a["title"] = "Director, Sales Operations (Alice)"
    assert alice.post(level_url(level), data_a).status_code == 302
    data_b["description"] = "Bob's description"
    response = bob.post(level_url(level), data_b)
    assert response.status_code == 200
    body = response.content.decode()
    # The account is named as such: "saved this level by hr" read as a phrase, not a name.
    assert "The account “alice” saved this level at " in body
    assert " by alice" not in body
    assert "changed: title" in body
    level.refresh_from_db()
    assert level.title == "Director, Sales Operations (Alice)"
    assert level.description == ""


def test_validation_messages(seed):
    client = logged_in(editor())
    level = Level.objects.get(slug="senior-manager-sales-operations")
    data = form_data(client.get(level_url(level)))
    bad = {**data, "grade_number": "42", "title": "Manager, Sales Operations"}
    body = client.post(level_url(level), bad).content.decode()
    assert "Grade 42 is outside the allowed range 1–20" in body
    assert "already has a level “Manager, Sales Operations”" in body
    # Extending itself.
    data = form_data(client.get(level_url(level)))
    key = next(k for k in data if k.endswith("-extends_level") and data[k])
    data[key] = level.pk
    body = client.post(level_url(level), data).content.decode()
    assert "A level cannot extend itself." in body
    # A cycle: Manager extends Senior Manager, which extends Manager.
    manager = Level.objects.get(slug="manager-sales-operations")
    data = form_data(client.get(level_url(manager)))
    admin_new_item(
        data,
        "responsibilities",
        position="99",
        extends_level=level.pk,
        extends_section="responsibilities",
    )
    body = client.post(level_url(manager), data).content.decode()
    assert "This would make an extends cycle" in body
    assert "Senior Manager, Sales Operations" in body
    assert not Item.objects.filter(level=manager, extends_level=level).exists()


def test_a_cycle_two_links_away_is_refused_reading_only_the_links_it_reaches(seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.ladder.test_views import import_big

    import_big()  # another family's extends links: nothing a cycle here can go through
    client = logged_in(editor())
    associate = Level.objects.get(slug="associate-sales-operations-analyst")
    senior = Level.objects.get(slug="sr-sales-operations-analyst")  # → Analyst → Associate
    data = form_data(client.get(level_url(associate)))
    admin_new_item(
        data,
        "responsibilities",
        position="99",
        extends_level=senior.pk,
        extends_section="responsibilities",
    )
    with CaptureQueriesContext(connection) as ctx:
        body = client.post(level_url(associate), data).content.decode()
    assert "This would make an extends cycle" in body
    assert "Sr. Sales Operations Analyst → Sales Operations Analyst" in body
    link_reads = [
        q["sql"] for q in ctx.captured_queries if '"extends_level_id" IS NOT NULL' in q["sql"]
    ]
    assert link_reads and all('"level_id" IN' in sql for sql in link_reads), link_reads
    assert not Item.objects.filter(level=associate, extends_level=senior).exists()


def test_revert_from_history(seed):
    client = logged_in(editor())
    level = Level.objects.get(slug="director-sales-operations")
    original = level.history.earliest()
    data = form_data(client.get(level_url(level)))
    data["title"] = "Director of Everything"
    assert client.post(level_url(level), data).status_code == 302
    url = f"/admin/ladder/level/{level.pk}/history/{original.history_id}/"
    data = form_data(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    level.refresh_from_db()
    assert level.title == "Director, Sales Operations"
    assert level.history.count() >= 3


def test_reimport_preview_conflicts_and_apply(seed):
    client = logged_in(editor())
    family = seed
    manager = Level.objects.get(slug="manager-sales-operations")
    item = manager.items.get(section="requirements", position=0)
    item.text = "Admin wrote this requirement"
    item.save()
    new = SEED.read_text().replace("- Lead and facilitate forecast calls\n", "")
    new = new.replace("### Partner Operations Project Manager", "### Partner Operations Lead")
    upload = SimpleUploadedFile("sales-operations.md", new.encode())
    url = f"/admin/ladder/jobfamily/{family.pk}/reimport/"
    response = client.post(url, {"source": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Partner Operations Lead" in body and "added" in body and "removed" in body
    assert "Admin wrote this requirement" in body  # a conflict
    assert Level.objects.filter(slug="partner-operations-project-manager").exists()  # not yet
    token = response.context["apply"].initial["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert Level.objects.filter(slug="partner-operations-lead").exists()
    manager = Level.objects.get(slug="manager-sales-operations")
    assert manager.items.filter(text="Admin wrote this requirement").exists()  # kept


def test_reimport_preview_offers_to_replace_admin_edits_only_when_there_are_some(seed):
    client = logged_in(editor())
    url = f"/admin/ladder/jobfamily/{seed.pk}/reimport/"
    new = SEED.read_text().replace("- Lead and facilitate forecast calls\n", "")
    response = client.post(url, {"source": SimpleUploadedFile("sales-operations.md", new.encode())})
    assert response.status_code == 200
    assert "overwrite_admin_edits" not in response.context["apply"].fields
    assert "Replace the admin edits" not in response.content.decode()
    item = Level.objects.get(slug="manager-sales-operations").items.get(
        section="requirements", position=0
    )
    item.text = "Admin wrote this requirement"
    item.save()
    response = client.post(url, {"source": SimpleUploadedFile("sales-operations.md", new.encode())})
    assert "Replace the admin edits" in response.content.decode()


def test_export_command_and_csv(seed, tmp_path):
    out = tmp_path / "so.md"
    call_command("export_handbook", "sales-operations", "-o", str(out), stderr=StringIO())
    text = out.read_text()
    # The page's own front matter, in its order.
    assert text.startswith('---\ntitle: "Sales Operations Roles"\ndescription: "The Sales Op')
    assert "- Extends that of the Manager, Sales Operations Requirements" in text
    client = logged_in(editor())
    response = client.post(
        "/admin/ladder/level/",
        {"action": "export_levels_csv", "_selected_action": [lv.pk for lv in Level.objects.all()]},
    )
    rows = response.content.decode().splitlines()
    assert rows[0].startswith("family,level,slug,group,grade")
    assert "Sales Operations,Senior Manager Sales Operations" in rows[7].replace(", ", " ") or any(
        "Senior Manager, Sales Operations" in r and ",9,," in r and ",14,15,0" in r for r in rows
    )


def test_export_keeps_the_pages_front_matter_and_a_renamed_familys_new_title(tmp_path):
    page = ROOT / "tests" / "data" / "corpus" / "handbook" / "finance--data-science.md"
    family_import(sources=[Source(str(page), page.read_bytes())])
    family = JobFamily.objects.get()
    exported = family_markdown(family)
    assert exported.startswith('---\nlayout: "job_family_page"\ntitle: "Data Science"\n---\n')
    family.title = "Data Science and Analytics"
    family_save(family=family)
    assert 'title: "Data Science and Analytics Roles"' in family_markdown(family)


def test_an_exported_family_reimports_unchanged_tracks_and_all():
    """Export then re-import is a no-op: a page whose levels sit under no track heading (a
    one-role page, "## Responsibilities" right under the title) exported them under a made-up
    "## Levels", which re-imported as a track of that name (84 of the 145 corpus families)."""
    corpus = ROOT / "tests" / "data" / "corpus"
    family_import(sources=collect_sources([corpus / "handbook", corpus / "handbook-current"]))
    moved = []
    for family in JobFamily.objects.order_by("slug"):
        preview = family_reimport_preview(
            family=family, name="export.md", data=family_markdown(family).encode()
        )
        assert not preview.error, (family.slug, preview.error)
        for level in preview.diff.levels:
            if level.old and level.new and level.old.group != level.new.group:
                moved.append((family.slug, level.title, level.old.group, level.new.group))
    assert moved == []
    ceo = JobFamily.objects.get(slug="chief-executive-officer")
    preview = family_reimport_preview(
        family=ceo, name="export.md", data=family_markdown(ceo).encode()
    )
    assert {level.status for level in preview.diff.levels} == {"unchanged"}


def _state(families, candidates=(), external=None):
    """Levels, grades, extends targets and effective texts of parsed pages."""
    resolved = resolve_import(families, candidates)
    assert resolved.errors == []
    graph = resolved.graph(external)
    memo: dict = {}
    state = {}
    for fam in resolved.families:
        for lv in fam.levels:
            eff = effective_items(lv.key, graph, memo)
            state[lv.key] = (
                lv.grade,
                lv.grade_max,
                lv.grade_inferred,
                lv.reports_to_key or lv.reports_to_title,
                {s: [i.text for i in items] for s, items in eff.items()},
            )
    return state


def _db_state(family: JobFamily):
    state = {}
    for lv in family.levels.select_related("grade", "reports_to__family"):
        state[lv.key] = (
            lv.grade.number if lv.grade_id else None,
            lv.grade_max,
            lv.grade_inferred,
            lv.reports_to.key if lv.reports_to_id else lv.reports_to_title,
            {
                s: _texts(lv.effective.get(s, []))
                for s in ("responsibilities", "requirements", "general")
            },
        )
    return state


def _texts(items):
    out = []
    for item in items:
        out.append(item["text"])
    return out


def _round_trip(family: JobFamily, ladder: tuple | None = None) -> None:
    """Export ``family``, parse the export, and compare what it resolves to with the database.

    ``ladder`` is (candidates, graph) of every family, loaded once when many are checked;
    the family's own entries in it are replaced by the parsed export.
    """
    from ladder.export import family_markdown

    candidates, external = ladder or _ladder()
    text = family_markdown(family)
    others = [c for c in candidates if c.family != family.slug]
    parsed = parse_handbook(text, f"{family.slug}-export.md")
    assert parsed.slug == family.slug
    assert _state([parsed], others, external) == _db_state(family), family.slug


def _ladder() -> tuple[list[Candidate], dict]:
    candidates = [
        Candidate(lv.key, lv.title, lv.family.slug) for lv in Level.objects.select_related("family")
    ]
    external, _ = load_graph(JobFamily.objects.values_list("pk", flat=True))
    return candidates, external


def test_export_round_trip_on_the_seed(seed):
    _round_trip(seed)


def test_export_round_trip_on_every_corpus_page():
    family_import(sources=collect_sources([CORPUS / "handbook", CORPUS / "handbook-current"]))
    failures = []
    ladder = _ladder()
    for family in JobFamily.objects.all():
        try:
            _round_trip(family, ladder)
        except AssertionError as exc:
            failures.append(f"{family.slug}: {str(exc)[:200]}")
    assert failures == []


def test_an_items_history_names_an_extended_level_deleted_since(seed):
    # The history keeps the id of the level an item extended; that level may be gone. An
    # extends item written without words is named by its target.
    item = Item.objects.filter(level__family=seed, extends_level__isnull=False).first()
    item.text = ""
    item = item_save(item=item)
    target = item.extends_level
    gone = target.pk
    assert str(item) == f"extends {target.title}"
    level_delete(level=target)
    client = logged_in(User.objects.create_superuser("root", password="pw"))
    response = client.get(f"/admin/ladder/item/{item.pk}/history/")
    assert response.status_code == 200
    assert f"extends a deleted level (#{gone})" in response.content.decode()


def test_a_revert_whose_items_would_close_an_extends_cycle_is_refused(seed):
    # The level extended another in its first version; since, the link was removed and the
    # other level made to extend it. Restoring the old items would close a cycle.
    link = Item.objects.filter(level__family=seed, extends_level__isnull=False).first()
    level, target = link.level, link.extends_level
    original = level.history.earliest()
    link.extends_level = None
    item_save(item=link)
    back = Item.objects.filter(level=target).exclude(extends_level=None).first() or (
        Item.objects.filter(level=target).first()
    )
    back.extends_level = level
    item_save(item=back)
    client = logged_in(editor())
    url = f"/admin/ladder/level/{level.pk}/history/{original.history_id}/"
    data = form_data(client.get(url))
    data["restore_items"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "would make an extends cycle" in response.content.decode()
    link.refresh_from_db()
    assert link.extends_level is None  # nothing written
