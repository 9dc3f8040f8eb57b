"""What keeps a cold page cheap: SQL compiled once per process, URLs reversed once per name,
and the family chart built in Python with the same bytes the template loops gave."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.template import Context, Template
from django.urls import reverse

from ladder.chart import ChartLevel, layout_chart
from ladder.compiled import CompiledQuery
from ladder.models import JobFamily, Level
from ladder.page_urls import page_url
from tests.ladder.test_views import import_seed

A, B, C = (
    "sales-operations/manager-sales-operations",
    "sales-operations/director-sales-operations",
    "sales-operations/sales-operations-analyst",
)
LEVEL, OTHER_LEVEL = f"/families/{A}/", f"/families/{B}/"


@pytest.fixture
def seed(db):
    import_seed()


def compiled_sql_count(client, url: str, **kwargs) -> int:
    """How many times the ORM compiles a query while ``url`` is rendered."""
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql):
        as_sql = SQLCompiler.as_sql
        assert client.get(url, **kwargs).status_code == 200
        return as_sql.call_count


@pytest.mark.parametrize(
    ("first", "url", "headers", "compiles"),
    [
        (LEVEL, OTHER_LEVEL, {}, 0),
        # The family page still counts its versions with the ORM: one compile, not three.
        ("/families/sales-operations/", "/families/sales-operations/", {}, 1),
        (
            f"/compare/?level={A}&level={B}",
            f"/compare/?level={C}&level={B}",
            {"HX-Request": "true", "HX-Target": "comparison"},
            0,
        ),
    ],
    ids=["level page", "family page", "compare partial"],
)
def test_a_page_compiles_its_sql_once_per_process_not_per_request(
    client, seed, settings, first, url, headers, compiles
):
    settings.LADDER_PAGE_CACHE_SECONDS = 0  # every request renders its page
    assert client.get(first, headers=headers).status_code == 200
    assert compiled_sql_count(client, url, headers=headers) == compiles


def test_compiled_query_gives_what_the_queryset_gives(seed):
    def build(family_slug: str):
        return Level.objects.for_page().filter(family__slug=family_slug).order_by("position")

    levels = CompiledQuery(build, family_slug=str)
    got = levels(family_slug="sales-operations")
    expected = list(build("sales-operations"))
    assert [lv.pk for lv in got] == [lv.pk for lv in expected]
    assert [lv.family.title for lv in got] == [lv.family.title for lv in expected]
    assert [lv.grade_display for lv in got] == [lv.grade_display for lv in expected]
    assert levels(family_slug="no-such-family") == []


def test_compiled_query_refuses_a_parameter_the_orm_rewrites(seed):
    titled = CompiledQuery(lambda word: Level.objects.filter(title__icontains=word), word=str)
    with pytest.raises(ValueError, match="word not in the SQL"):
        titled(word="manager")


@pytest.mark.django_db(transaction=True)
def test_compiled_query_runs_on_each_threads_own_connection():
    JobFamily.objects.create(title="Alpha", slug="alpha")
    by_slug = CompiledQuery(lambda slug: JobFamily.objects.filter(slug=slug), slug=str)
    assert [f.title for f in by_slug(slug="alpha")] == ["Alpha"]  # compiled on this thread
    seen: list[str] = []

    def read() -> None:
        from django.db import connection

        try:
            seen.extend(f.title for f in by_slug(slug="alpha"))
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == ["Alpha"]


def test_page_url_is_what_reverse_says_and_reverses_each_name_once(db):
    cases = [
        ("ladder:index", ()),
        ("ladder:compare", ()),
        ("ladder:family", ("sales-operations",)),
        ("ladder:level", ("sales-operations", "manager-sales-operations")),
        ("ladder:level", ("a_b", "c-d-9")),
        ("ladder:grade", ("9.5",)),  # not a slug: reverse() every time
    ]
    for name, args in cases:
        assert page_url(name, *args) == reverse(name, args=args)
    with mock.patch("ladder.page_urls.reverse", wraps=reverse) as counted:
        for slug in ("one", "two", "three"):
            page_url("ladder:level", "sales-operations", slug)
    assert counted.call_count == 0  # reversed once above, for every level since


def test_page_url_follows_the_script_prefix(db):
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    try:
        set_script_prefix("/ladder/")
        assert (
            page_url("ladder:family", "x")
            == "/ladder/families/x/"
            == reverse("ladder:family", args=["x"])
        )
    finally:
        set_script_prefix(before)


# The chart's loops as family.html had them before the filters: the filters must give the same
# bytes, whatever the chart holds.
TEMPLATE_LOOPS = """{% for row in chart.rows %}
            <rect class="chart-row{% if row.band %} chart-row-band{% endif %}" x="0" y="{{ row.y }}" width="{{ chart.width }}" height="{{ row.height }}"/>
            {% if row.grade %}
              <a href="{% url 'ladder:grade' row.grade %}" class="chart-row-link" aria-label="{{ row.label }}: every level at this grade">
                <text class="chart-row-label" x="16" y="{{ row.label_y }}">{{ row.label }}</text>
              </a>
            {% else %}
              <text class="chart-row-label chart-row-label-muted" x="16" y="{{ row.label_y }}">{{ row.label }}</text>
            {% endif %}
          {% endfor %}|{% for column in chart.columns %}
            <text class="chart-col-label" text-anchor="middle">{% for line in column.lines %}<tspan x="{{ line.x }}" y="{{ line.y }}">{{ line.text }}</tspan>{% endfor %}</text>
          {% endfor %}|{% for edge in chart.edges %}
            <path class="chart-edge{% if edge.external %} chart-edge-external{% endif %}" d="{{ edge.path }}" marker-end="url(#chart-arrow)"/>
          {% endfor %}|{% for box in chart.boxes %}
            {% if box.url %}<a href="{{ box.url }}" class="chart-box{% if box.inferred %} is-inferred{% endif %}{% if box.external %} is-external{% endif %}{% if box.ungraded %} is-ungraded{% endif %}" aria-label="{{ box.label }}"{% if box.external %} rel="noopener noreferrer"{% endif %}>{% else %}<g class="chart-box is-external" role="img" aria-label="{{ box.label }}">{% endif %}
              <title>{{ box.tooltip }}</title>
              <rect x="{{ box.x }}" y="{{ box.y }}" width="{{ box.width }}" height="{{ box.height }}" rx="7"/>
              <text class="chart-box-title">{% for line in box.lines %}<tspan x="{{ line.x }}" y="{{ line.y }}">{{ line.text }}</tspan>{% endfor %}</text>
              {% if box.note %}<text class="chart-box-note" x="{{ box.note.x }}" y="{{ box.note.y }}">{{ box.note.text }}</text>{% endif %}
            {% if box.url %}</a>{% else %}</g>{% endif %}
          {% endfor %}"""  # noqa: E501
FILTERS = (
    "{% load ladder_tags %}{{ chart|chart_rows }}|{{ chart|chart_columns }}|"
    "{{ chart|chart_edges }}|{{ chart|chart_boxes }}"
)


def test_chart_filters_print_what_the_template_loops_printed(db):
    from decimal import Decimal

    chart = layout_chart(
        [
            ChartLevel(
                slug="a",
                title='Analyst <"R&D"> & friends',
                url="/families/f/a/",
                group="Individual contributor",
                grade=Decimal("6.5"),
                grade_label="6.5",
            ),
            ChartLevel(
                slug="b",
                title="Manager, Analysts",
                url="/families/f/b/",
                group="Manager's track",
                grade=Decimal("9"),
                grade_label="9–10",
                inferred=True,
                inferred_from="grade 9 from the level it extends",
                reports_to_title="VP, O'Brien & Co",
                reports_to_url="https://example.com/vp?x=1&y=2",
            ),
            ChartLevel(slug="c", title="Specialist", url="/families/f/c/", group="", grade=None),
            ChartLevel(
                slug="d", title="Lead", url="/families/f/d/", group="", grade=None, reports_to="b"
            ),
        ]
    )
    context = Context({"chart": chart})
    assert Template(FILTERS).render(context) == Template(TEMPLATE_LOOPS).render(context)
