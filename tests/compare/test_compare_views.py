"""/compare/: the page, the htmx partial, bad parameters, and the numbers from the seed."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from ladder.comparison import compare_effective
from ladder.handbook.sources import Source
from ladder.models import Level
from ladder.services import family_import
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
MANAGER = "sales-operations/manager-sales-operations"
SENIOR = "sales-operations/senior-manager-sales-operations"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def seed():
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])


def url(*keys: str, extra: str = "") -> str:
    return "/compare/?" + "&".join(f"level={k}" for k in keys) + extra


def test_manager_vs_senior_manager_shares_14_responsibilities_and_adds_3_requirements(seed):
    levels = [Level.objects.get(slug=k.split("/")[1]) for k in (MANAGER, SENIOR)]
    table = compare_effective([lv.effective for lv in levels])
    responsibilities, requirements, general = table.sections
    assert len(responsibilities.rows) == 14
    assert all(row.status == "same" for row in responsibilities.rows)
    assert requirements.counts[1] == {"same": 12, "changed": 0, "added": 3, "missing": 0}
    added = [row.cells[1].html for row in requirements.rows if row.cells[0] is None]
    assert added[0] == "Demonstrated experience in employee professional development"
    assert general.rows == []


def test_the_page_shows_both_levels_with_grades_and_marks_added_items(client: Client, seed):
    response = client.get(url(MANAGER, SENIOR))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert body.count('class="row-same"') == 14 + 12
    assert body.count('class="cell-added"') == 3
    assert ">Grade</span> 8<" in body and ">Grade</span> 9<" in body
    assert "Director, Sales Operations" in body  # reports-to row


def test_htmx_gets_only_the_partial_and_it_is_small(client: Client, seed):
    full = client.get(url(MANAGER, SENIOR))
    partial = client.get(url(MANAGER, SENIOR), headers=HTMX)
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert partial.content.lstrip().startswith(b'<div id="comparison"')
    assert b'id="compare-form"' not in partial.content
    assert len(partial.content) < len(full.content)
    assert partial["Vary"] and "HX-Request" in partial["Vary"]


def test_adding_a_column_swaps_the_whole_compare_area(client: Client, seed):
    response = client.get(
        url(MANAGER, SENIOR, "sales-operations/director-sales-operations"),
        headers={**HTMX, "HX-Target": "compare-area"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="compare-area"')
    assert body.count('class="picker"') == 3
    assert body.count("Remove") >= 3


def test_near_identical_items_are_one_changed_row_with_the_new_words_marked(client: Client, seed):
    body = client.get(
        url(
            "sales-operations/sr-sales-operations-analyst",
            "sales-operations/sr-sales-operations-manager",
        )
    ).content.decode()
    added = "to result in strong relationships with the business"
    assert re.search(rf"Strong interpersonal skills <ins>{added}</ins>", body)


def test_only_changes_view(client: Client, seed):
    body = client.get(url(MANAGER, SENIOR, extra="&changes=only")).content.decode()
    assert 'class="row-same"' not in body
    assert body.count('class="cell-added"') == 3
    assert "No change in responsibilities." in body


def test_level_page_offers_whats_new_at_the_next_level(client: Client, seed):
    body = client.get("/families/sales-operations/manager-sales-operations/").content.decode()
    assert f'href="/compare/?level={MANAGER}&amp;level={SENIOR}&amp;changes=only"' in body
    assert 'id="comparison"' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (url(MANAGER, SENIOR, MANAGER, SENIOR, MANAGER), "at most 4 levels"),
        (url(MANAGER, "nope/nothing"), "no level “nothing” in the family “nope”"),
        (url(MANAGER, "<script>alert(1)</script>"), "is not a level"),
        (url(MANAGER, "sales-operations"), "is not a level"),
    ],
)
def test_bad_parameters_are_explained_400_for_the_partial_never_500(
    client: Client, seed, query, message
):
    page = client.get(query)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert b"<script>alert(1)</script>" not in page.content
    partial = client.get(query, headers=HTMX)
    assert partial.status_code == 400
    assert message in partial.content.decode()


def test_one_level_is_an_unfinished_selection_200_with_the_pickers_and_a_hint(client: Client, seed):
    page = client.get(url(MANAGER))
    assert page.status_code == 200
    assert b"Pick a second level to compare with" in page.content
    area = client.get(url(MANAGER), headers={**HTMX, "HX-Target": "compare-area"})
    assert area.status_code == 200
    body = area.content.decode()
    assert body.lstrip().startswith('<div id="compare-area">')
    assert 'id="level-0"' in body and 'id="family-1"' in body
    assert "Pick a second level to compare with" in body
    assert "cannot be shown" not in body


def test_level_pickers_push_history_only_when_the_comparison_becomes_complete(client: Client, seed):
    headers = {**HTMX, "HX-Target": "compare-area", "HX-Trigger-Name": "level"}
    first = client.get(url(MANAGER) + "&shown=0", headers=headers)
    assert "HX-Push-Url" not in first and first["HX-Replace-Url"] == url(MANAGER)
    complete = client.get(url(MANAGER, SENIOR) + "&shown=1", headers=headers)
    assert complete["HX-Push-Url"] == url(MANAGER, SENIOR)
    # Arrowing through the levels of a complete comparison: no history entry per press.
    director = "sales-operations/director-sales-operations"
    moved = client.get(url(MANAGER, director) + "&shown=2", headers=HTMX)
    assert "HX-Push-Url" not in moved and moved["HX-Replace-Url"] == url(MANAGER, director)
    # Every level picker sends how many levels its page shows.
    page = client.get(url(MANAGER, SENIOR)).content.decode()
    assert page.count("""hx-vals='{"shown": "2"}'""") == 3


def test_compare_counts_name_only_what_happened(client: Client, seed):
    body = client.get(url(MANAGER, SENIOR)).content.decode()
    assert "−0" not in body and "0 dropped" not in body and "0 added" not in body
    # Two levels: the counts are the second's, said without a bare column number ("2: …").
    chips = [c.get_text() for c in BeautifulSoup(body, "html.parser").select(".count-chip")]
    assert chips and not any(c.startswith(("2:", "column")) for c in chips)
    three = client.get(url(MANAGER, SENIOR, "sales-operations/director-sales-operations"))
    chips = [
        c.get_text() for c in BeautifulSoup(three.content, "html.parser").select(".count-chip")
    ]
    assert any(c.startswith("column 3: ") for c in chips)


def test_family_picker_without_javascript_picks_that_familys_first_level(client: Client, seed):
    tea = b"---\ntitle: Tea Roles\n---\n## Levels\n### Taster\n- Taste\n### Brewer\n- Brew\n"
    family_import(sources=[Source("tea.md", tea)])
    body = client.get(url(MANAGER, SENIOR, extra="&family-1=tea")).content.decode()
    assert '<a href="/families/tea/taster/">Taster</a>' in body


def test_level_options_for_a_family(client: Client, seed):
    response = client.get("/compare/levels/?family-1=sales-operations&placeholder=1")
    body = response.content.decode()
    assert body.startswith('<option value="">Choose a level…</option>')
    assert body.count("<option") == 18
    assert client.get("/compare/levels/?family-1=nope").status_code == 404


def test_compare_query_count_is_constant(client: Client, seed, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        partial = client.get(url(MANAGER, SENIOR), headers=HTMX)
    assert partial.status_code == 200
    with django_assert_max_num_queries(6):
        page = client.get(url(MANAGER, SENIOR, "sales-operations/director-sales-operations"))
    assert page.status_code == 200
