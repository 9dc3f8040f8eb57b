"""Browse pages: the family index, a family's ladder, a level, a grade, and search.

Every view does a fixed handful of queries, however many levels, items or extends steps a
family has: a level's effective items are denormalised on ``Level.effective`` at import time,
so pages read them and never walk the inheritance chain.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, replace_url
from django_htmx.middleware import HtmxDetails

from ladder.caching import cached_page
from ladder.chart import ChartLevel, layout_chart
from ladder.comparison import compare_effective, diff_html, plain
from ladder.compiled import CompiledQuery
from ladder.departments import OTHER as OTHER_DEPARTMENT
from ladder.departments import department_of
from ladder.departments import label as department_label
from ladder.handbook import SECTIONS, HandbookError
from ladder.history import diff_sources
from ladder.inheritance import CycleError, EffectiveEntry, effective_entries
from ladder.models import FamilyVersion, Grade, Item, JobFamily, Level, format_grade
from ladder.page_urls import page_url
from ladder.rendering import markdown_to_html
from ladder.search import SearchQuery, grade_choices, parse_query
from ladder.search import search as run_search
from ladder.services import family_choices

SECTION_LABELS = {
    "responsibilities": "Responsibilities",
    "requirements": "Requirements",
    "general": "General",
}
FAMILY_SECTIONS = [
    ("performance_indicators", "Performance indicators"),
    ("career_ladder", "Career ladder"),
    ("hiring_process", "Hiring process"),
]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --------------------------------------------------------------------------- helpers


def _grade_range(low: Decimal | None, high: Decimal | None) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return format_grade(low)
    return f"{format_grade(low)}–{format_grade(high)}"


def _level_url(key: str) -> str:
    family_slug, _, level_slug = key.partition("/")
    if not (family_slug and level_slug):
        return ""
    return page_url("ladder:level", family_slug, level_slug)


def _extended_levels(items) -> dict[int, list[Level]]:
    """Level id → the levels it extends, in section then position order."""
    ordered = sorted(items, key=lambda i: (i.level_id, SECTIONS.index(i.section), i.position))
    extended: dict[int, list[Level]] = {}
    for item in ordered:
        targets = extended.setdefault(item.level_id, [])
        if item.extends_level not in targets:
            targets.append(item.extends_level)
    return extended


def _entries(
    items: list[EffectiveEntry],
    level_key: str,
    parent_source: str = "",
    urls: dict[str, str] | None = None,
):
    """Effective entries (see ``EffectiveEntry``) ready for the template, children nested."""
    urls = {} if urls is None else urls  # level key → URL: a handful of levels, many items
    entries = []
    for item in items:
        own = item.is_own(level_key)
        if not own and item.source_key not in urls:
            urls[item.source_key] = _level_url(item.source_key)
        entries.append(
            {
                "html": item.html or escape(item.text),
                "own": own,
                # Children of an inherited item come from the same level: say it once.
                "show_source": not own and item.source_key != parent_source,
                "source_title": item.source_title,
                "source_url": "" if own else urls[item.source_key],
                "children": _entries(item.children, level_key, item.source_key, urls),
            }
        )
    return entries


def _items_html(entries: list[dict]) -> SafeString:
    """The nested ``<ul>`` of a level section's entries (see ``_entries``).

    Built here rather than by a recursive template include, which cost most of a level
    page's time; ``html`` is the item's sanitised HTML from the import, all else is escaped.
    """
    parts = ['<ul class="items">']
    for entry in entries:
        parts.append(
            f'<li class="item {"is-own" if entry["own"] else "is-inherited"}">'
            f'<span class="item-text">{entry["html"]}</span>'
        )
        if entry["show_source"]:
            title = html.escape(entry["source_title"])
            if entry["source_url"]:
                title = f'<a href="{html.escape(entry["source_url"])}">{title}</a>'
            parts.append(f'<span class="item-from">from {title}</span>')
        if entry["children"]:
            parts.append(_items_html(entry["children"]))
        parts.append("</li>")
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - item HTML is sanitised, the rest escaped


def _compare_rows_html(rows: list, width: int, changes_only: bool) -> SafeString:
    """A comparison section's rows (cells hold diff HTML built from sanitised items).

    Built here rather than by nested template loops, which cost most of a compare partial.
    """
    parts = []
    for row in rows:
        if row.status == "same":
            if changes_only:
                continue
            first = row.cells[0]
            depth = f" depth-{first.depth}" if first.depth else ""
            parts.append(
                f'<tr class="row-same"><td colspan="{width}" class="cell-shared{depth}">'
                f"{first.html}</td></tr>"
            )
            continue
        parts.append(f'<tr class="row-{html.escape(row.status)}">')
        for cell in row.cells:
            if cell is None:
                parts.append('<td class="cell-missing"><span class="cell-tag">missing</span></td>')
                continue
            depth = f" depth-{cell.depth}" if cell.depth else ""
            tag = f'<span class="cell-tag">{cell.status}</span>' if cell.status != "same" else ""
            parts.append(f'<td class="cell-{cell.status}{depth}">{tag}{cell.html}</td>')
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - cell HTML is built from sanitised items


def _level_sections(lv: Level, new_first: bool) -> list[dict]:
    """A level page's sections: its effective entries, own and inherited counted."""
    sections = []
    for name in SECTIONS:
        entries = _entries(effective_entries(lv.effective, name, lv.family.slug), lv.key)
        if new_first:
            entries.sort(key=lambda entry: not entry["own"])
        own = sum(1 for entry in entries if entry["own"])
        sections.append(
            {
                "name": name,
                "label": SECTION_LABELS[name],
                "entries": entries,
                "items_html": _items_html(entries),
                "own_count": own,
                "inherited_count": len(entries) - own,
            }
        )
    return sections


def _track_key(level: Level):
    # Ungraded levels go last on their track; then grade, then handbook order.
    grade = level.grade.number if level.grade_id else None
    return (grade is None, grade or 0, level.position)


# --------------------------------------------------------------------------- pages


INDEX_FILTER_MAX_CHARS = 100


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@cached_page
def index(request: HtmxHttpRequest) -> HttpResponse:
    """Families grouped by department, with counts; ``?filter=`` narrows them (typed or sent)."""
    wanted = request.GET.get("filter", "").strip()[:INDEX_FILTER_MAX_CHARS]
    families = (
        JobFamily.objects.annotate(
            level_count=Count("levels"),
            grade_low=Min("levels__grade__number"),
            grade_high=Max("levels__grade__number"),
            grade_top=Max("levels__grade_max"),
            # The front matter is at the top: enough to read a stated department.
            head=Substr("source", 1, 2000),
        )
        # A page with no level is not a family one can browse.
        .filter(level_count__gt=0)
        .defer("source", "performance_indicators", "career_ladder", "hiring_process")
        .order_by("title")
    )
    words = [w for w in wanted.lower().split() if w]
    departments: dict[str, dict] = {}
    total = 0
    families = list(families)
    named = {department_of(f.source_name, f.head) for f in families}
    for fam in families:
        department = department_of(fam.source_name, fam.head)
        if department == OTHER_DEPARTMENT:
            # "product.md" beside "product--designer.md": the department's own page.
            stem = department_label(PurePosixPath(fam.source_name.replace("\\", "/")).stem)
            department = stem if stem in named else department
        haystack = f"{fam.title} {department}".lower()
        total += 1
        if words and not all(word in haystack for word in words):
            continue
        highs = [g for g in (fam.grade_high, fam.grade_top) if g is not None]
        group = departments.setdefault(department, {"name": department, "rows": [], "levels": 0})
        group["levels"] += fam.level_count
        group["rows"].append(
            {
                "family": fam,
                "grades": _grade_range(fam.grade_low, max(highs) if highs else None),
                "description_html": markdown_to_html(fam.description, fam.base_url, inline=False),
            }
        )
    groups = sorted(departments.values(), key=lambda g: (g["name"] == "Other", g["name"].lower()))
    ctx = {
        "groups": groups,
        "filter": wanted,
        "shown": sum(len(g["rows"]) for g in groups),
        "total": total,
        "grades": Grade.objects.filter(levels__isnull=False).distinct(),
        "hide_header_search": True,  # the page has its own, larger search box
    }
    template = "ladder/index.html"
    if request.htmx and request.htmx.target == "family-groups":
        template += "#family-groups"
    return render(request, template, ctx)


# A family page's queries, compiled once per process (see ladder/compiled.py).
_FAMILY = CompiledQuery(lambda slug: JobFamily.objects.for_pages().filter(slug=slug)[:2], slug=str)
_FAMILY_LEVELS = CompiledQuery(
    lambda family_id: (
        Level.objects.for_page().defer("effective").filter(family_id=family_id).order_by("position")
    ),
    family_id=int,
)


@require_GET
@cached_page
def family(request: HttpRequest, slug: str) -> HttpResponse:
    found = _FAMILY(slug=slug)
    if not found:
        raise Http404("No JobFamily matches the given query.")
    fam = found[0]
    levels = _FAMILY_LEVELS(family_id=fam.id)
    by_id = {lv.id: lv for lv in levels}
    chart_levels = []
    for lv in levels:
        reports_to = title = url = ""
        if lv.reports_to_id in by_id:
            reports_to = by_id[lv.reports_to_id].slug  # drawn as a line on the chart
        elif manager := lv.manager:
            title, url = manager.title, manager.url
        lv.family = fam  # every level is of this family: no query for its URL
        chart_levels.append(
            ChartLevel(
                slug=lv.slug,
                title=lv.title,
                url=lv.get_absolute_url(),
                group=lv.group,
                grade=lv.grade.number if lv.grade_id else None,
                grade_label=lv.grade_display,
                inferred=lv.grade_inferred,
                inferred_from=lv.grade_reason if lv.grade_inferred else "",
                reports_to=reports_to,
                reports_to_title=title,
                reports_to_url=url,
            )
        )
    tracks: dict[str, list[Level]] = {}
    for lv in levels:
        tracks.setdefault(lv.group, []).append(lv)
    sections = []
    for name, label in FAMILY_SECTIONS:
        entries = [markdown_to_html(text, fam.base_url) for text in getattr(fam, name) or []]
        sections.append({"id": name.replace("_", "-"), "label": label, "entries": entries})
    ctx = {
        "family": fam,
        "chart": layout_chart(chart_levels),
        "chart_levels": chart_levels,
        "tracks": [
            {"group": group, "levels": sorted(members, key=_track_key)}
            for group, members in tracks.items()
        ],
        "level_count": len(levels),
        "version_count": fam.versions.count(),
        "description_html": markdown_to_html(fam.description, fam.base_url, inline=False),
        "sections": sections,
    }
    return render(request, "ladder/family.html", ctx)


# A level page's queries, compiled once per process (see ladder/compiled.py).
_LEVEL = CompiledQuery(
    lambda family_slug, level_slug: Level.objects.for_page().filter(
        family__slug=family_slug, slug=level_slug
    )[:2],
    family_slug=str,
    level_slug=str,
)
_REPORTS = CompiledQuery(
    lambda level_id: (
        Level.objects.for_lists()
        .filter(reports_to_id=level_id)
        .order_by("family__title", "position")
    ),
    level_id=int,
)
_FAMILY_OUTLINE = CompiledQuery(
    lambda family_id: Level.objects.outline().filter(family_id=family_id).order_by("position"),
    family_id=int,
)
_EXTENDS_LINKS = CompiledQuery(
    lambda level_id: Item.objects.filter(level_id=level_id).extends_links(), level_id=int
)


@require_GET
@cached_page
def level(request: HttpRequest, family_slug: str, level_slug: str) -> HttpResponse:
    found = _LEVEL(family_slug=family_slug, level_slug=level_slug)
    if not found:
        raise Http404("No Level matches the given query.")
    lv = found[0]
    fam = lv.family
    reports = _REPORTS(level_id=lv.id)
    # Every level of the family in one query: the track (previous / next) and the picker.
    family_levels = _FAMILY_OUTLINE(family_id=fam.id)
    for other in family_levels:
        other.family = fam
    track = sorted((other for other in family_levels if other.group == lv.group), key=_track_key)
    here = next(i for i, other in enumerate(track) if other.id == lv.id)
    extends = _extended_levels(_EXTENDS_LINKS(level_id=lv.id)).get(lv.id, [])
    # "What is new first": own items, then inherited ones, each in handbook order (a stable
    # sort), so the handbook order is one link away.
    new_first = request.GET.get("order") == "new"
    ctx = {
        "level": lv,
        "family": fam,
        # "Compare with": this family's levels; a level of another family is found by typing
        # (``compare_find``), so the page never lists every family of a large ladder.
        "family_levels": [other for other in family_levels if other.id != lv.id],
        "next_compare_url": (
            _compare_url([lv, track[here + 1]], changes_only=True) if here + 1 < len(track) else ""
        ),
        "manager": lv.manager,
        "reports": reports,
        "previous": track[here - 1] if here > 0 else None,
        "next": track[here + 1] if here + 1 < len(track) else None,
        "extends": extends,
        "sections": _level_sections(lv, new_first),
        "description_html": markdown_to_html(lv.description, fam.base_url, inline=False),
        "new_first": new_first,
    }
    return render(request, "ladder/level.html", ctx)


@require_GET
@cached_page
def grade(request: HttpRequest, number: str) -> HttpResponse:
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise Http404("no such grade") from None
    grades = list(Grade.objects.all())
    here = next((i for i, g in enumerate(grades) if g.number == value), None)
    if here is None:
        raise Http404("no such grade")
    current = grades[here]
    # A level graded "8–9" belongs to grade 9 as well.
    levels = list(
        Level.objects.filter(Q(grade=current) | Q(grade__number__lt=value, grade_max__gte=value))
        .for_lists()
        .order_by("family__title", "position")
    )
    if not levels:
        # A grade no level holds is not a page, whether or not a row for it exists (the
        # admin may have created it): /grades/6.5/ and /grades/13/ answer alike.
        raise Http404("no level at this grade")
    families: dict[int, dict] = {}
    for lv in levels:
        families.setdefault(lv.family_id, {"family": lv.family, "levels": []})["levels"].append(lv)
    ctx = {
        "grade": current,
        "families": list(families.values()),
        "level_count": len(levels),
        "grades": grades,
        "description_html": markdown_to_html(current.description, inline=False),
    }
    return render(request, "ladder/grade.html", ctx)


# --------------------------------------------------------------------------- search


@require_GET
@vary_on_headers("HX-Request")
@cached_page
def search(request: HtmxHttpRequest) -> HttpResponse:
    query = parse_query(request.GET)
    results = run_search(query)
    for hit in results.hits:
        hit.family_url = _search_page_url(replace(query, family=hit.family_slug), 1)
    ctx = {
        "query": query.text,
        "words": query.words,
        "results": results,
        "errors": query.errors,
        "family": query.family,
        "grade": format_grade(query.grade) if query.grade is not None else "",
        "first_url": _search_page_url(query, 1),
        "previous_url": _search_page_url(query, query.page - 1) if query.page > 1 else "",
        "next_url": (_search_page_url(query, query.page + 1) if query.page < results.pages else ""),
        "hide_header_search": True,
    }
    template = "ladder/search.html"
    # A history restore after a back-button press wants the whole page, not the fragment.
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    else:
        # The filters are outside the partial: only the whole page needs them. A ladder has
        # thousands of families, too many for a picker: a result's family name links to the
        # search within it, and the chosen one is named here.
        ctx["grades"] = grade_choices()
        if query.family:
            ctx["family_title"] = (
                JobFamily.objects.filter(slug=query.family).values_list("title", flat=True).first()
            )
            ctx["every_family_url"] = _search_page_url(replace(query, family=""), 1)
    return render(request, template, ctx)


def _search_page_url(query: SearchQuery, page: int) -> str:
    params = {"q": query.text, "family": query.family, "page": page if page > 1 else ""}
    if query.grade is not None:
        params["grade"] = format_grade(query.grade)
    return reverse("ladder:search") + "?" + urlencode({k: v for k, v in params.items() if v})


# --------------------------------------------------------------------------- compare

MAX_COMPARE = 4
_LEVEL_KEY = re.compile(r"^([a-z0-9][a-z0-9_-]*)/([a-z0-9][a-z0-9_-]*)$")


def _selection_query(size: int) -> CompiledQuery:
    """The levels named by ``size`` (family slug, level slug) pairs, in full."""

    def build(**keys: str):
        condition = Q()
        for i in range(size):
            condition |= Q(family__slug=keys[f"family_{i}"], slug=keys[f"level_{i}"])
        return Level.objects.filter(condition).for_page()

    names = [f"{kind}_{i}" for i in range(size) for kind in ("family", "level")]
    return CompiledQuery(build, **dict.fromkeys(names, str))


def _picker_options_query(size: int) -> CompiledQuery:
    """The levels of ``size`` families (by slug), for their pickers."""

    def build(**slugs: str):
        return (
            Level.objects.filter(family__slug__in=list(slugs.values()))
            .names()
            .order_by("family__slug", "position")
        )

    return CompiledQuery(build, **{f"family_{i}": str for i in range(size)})


# A compare page's queries, one per number of levels (families), compiled once per process.
_SELECTION = {size: _selection_query(size) for size in range(1, MAX_COMPARE + 1)}
_PICKER_OPTIONS = {size: _picker_options_query(size) for size in range(1, MAX_COMPARE + 1)}


def _compare_selection(request: HttpRequest) -> tuple[list[Level], list[str]]:
    """The levels named by the ``level`` parameters, in order, and what is wrong with them.

    A ``family-<i>`` parameter (the family picker of column *i*) that names another family
    than level *i*'s picks that family's first level: the picker works without JavaScript.
    """
    values = [value.strip() for value in request.GET.getlist("level")]
    errors: list[str] = []
    keys: list[tuple[int, str, str]] = []
    for index, value in enumerate(values):
        if not value:
            continue
        match = _LEVEL_KEY.match(value)
        if not match:
            errors.append(
                f"“{value[:80]}” is not a level. Write family/level, for example "
                "sales-operations/manager-sales-operations."
            )
            continue
        keys.append((index, match.group(1), match.group(2)))
    if len(keys) > MAX_COMPARE:
        errors.append(f"Compare at most {MAX_COMPARE} levels at a time; you asked for {len(keys)}.")
        keys = keys[:MAX_COMPARE]
    # Family pickers changed without JavaScript: that family's first level.
    switched: dict[int, str] = {}
    for index, family_slug, _level_slug in keys:
        wanted = request.GET.get(f"family-{index}", "").strip()
        if wanted and wanted != family_slug and re.fullmatch(r"[a-z0-9_-]+", wanted):
            switched[index] = wanted
    firsts = {}
    if switched:
        for lv in (
            Level.objects.filter(family__slug__in=set(switched.values()))
            .names()
            .order_by("family__slug", "position")
        ):
            firsts.setdefault(lv.family.slug, lv.slug)
    wanted_keys = []
    for index, family_slug, level_slug in keys:
        if index in switched and switched[index] in firsts:
            family_slug, level_slug = switched[index], firsts[switched[index]]
        wanted_keys.append((family_slug, level_slug))
    found: dict[tuple[str, str], Level] = {}
    if wanted_keys:
        values = {}
        for i, (family_slug, level_slug) in enumerate(wanted_keys):
            values |= {f"family_{i}": family_slug, f"level_{i}": level_slug}
        for lv in _SELECTION[len(wanted_keys)](**values):
            found[(lv.family.slug, lv.slug)] = lv
    levels = []
    for family_slug, level_slug in wanted_keys:
        lv = found.get((family_slug, level_slug))
        if lv is None:
            errors.append(f"There is no level “{level_slug}” in the family “{family_slug}”.")
        else:
            levels.append(lv)
    return levels, errors


def _reports_to(lv: Level) -> dict:
    manager = lv.manager
    if manager is not None:
        # A level of the ladder needs no link here: the comparison names it.
        return {"title": manager.title, "url": "" if manager.level else manager.url}
    return {"title": "", "url": ""}


def _compare_url(levels: list[Level], changes_only: bool = False) -> str:
    query = "&".join(f"level={lv.key}" for lv in levels)
    if changes_only:
        query += "&changes=only"
    return f"{page_url('ladder:compare')}?{query}"


def _picker_options(family_slugs: set[str]) -> dict[str, list[Level]]:
    options: dict[str, list[Level]] = {slug: [] for slug in family_slugs}
    if family_slugs:
        values = {f"family_{i}": slug for i, slug in enumerate(sorted(family_slugs))}
        for lv in _PICKER_OPTIONS[len(family_slugs)](**values):
            options[lv.family.slug].append(lv)
    return options


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@cached_page
def compare(request: HtmxHttpRequest) -> HttpResponse:
    levels, errors = _compare_selection(request)
    changes_only = request.GET.get("changes") == "only"
    table = None
    if len(levels) >= 2 and not errors:
        table = compare_effective([lv.effective for lv in levels])
        for section in table.sections:
            section.rows_html = _compare_rows_html(section.rows, len(levels), changes_only)
    # Fewer than two levels is an unfinished selection, not an error: the page shows the
    # pickers and a hint (200), so htmx swaps it like any other step.
    columns = []
    for index, lv in enumerate(levels):
        others = [other for other in levels if other is not lv]
        columns.append(
            {
                "level": lv,
                "index": index,
                "grade": lv.grade_display,
                "reports_to": _reports_to(lv),
                "remove_url": _compare_url(others, changes_only) if len(levels) > 2 else "",
            }
        )
    partial = request.htmx and not request.htmx.history_restore_request
    ctx = {
        "levels": levels,
        "columns": columns,
        "table": table,
        "errors": errors,
        "changes_only": changes_only,
        "url": _compare_url(levels, changes_only),
        "all_url": _compare_url(levels),
        "changes_url": _compare_url(levels, True),
        "can_add": len(levels) < MAX_COMPARE,
    }
    if not partial or request.htmx.target == "compare-area":
        # The pickers: every family, and the levels of each column's family.
        ctx["families"] = family_choices()
        options = _picker_options({lv.family.slug for lv in levels})
        ctx["pickers"] = [
            {"index": c["index"], "level": c["level"], "options": options[c["level"].family.slug]}
            for c in columns
        ]
        ctx["add_index"] = len(levels)
    if "find" in request.GET and levels and len(levels) < MAX_COMPARE and not errors:
        # A level page's "find a level" box, sent without JavaScript: the matches to pick.
        ctx.update(_level_matches(request, levels))
    # Bad parameters: the page says what is wrong; the API-like partial answers 400.
    status = 400 if errors and partial else 200
    template = "ladder/compare.html"
    if partial:
        template += "#compare-area" if request.htmx.target == "compare-area" else "#comparison"
    response = render(request, template, ctx, status=status)
    shown = request.GET.get("shown", "")
    if partial and shown.isdigit() and not errors:
        # A level picker changed (each arrow-key press is a change): one history entry when a
        # comparison becomes complete, the address bar kept current otherwise.
        if table is not None and int(shown) < 2:
            push_url(response, ctx["url"])
        else:
            replace_url(response, ctx["url"])
    return response


FIND_MAX_CHARS = 100
FIND_MAX_WORDS = 5
FIND_LIMIT = 20


def _find_levels(text: str, exclude: list[Level]) -> list[Level]:
    """Levels whose title or family title holds every word typed, by family then position.

    A title query, not the search index: one narrow join is fast enough for a type-ahead,
    and it finds "manager sales" across families like the reader means it.
    """
    words = text.lower().split()[:FIND_MAX_WORDS]
    if not words or len(" ".join(words)) < 2:
        return []
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(family__title__icontains=word)
    return list(
        Level.objects.filter(condition)
        .exclude(pk__in=[lv.pk for lv in exclude])
        .select_related("family")
        .only("slug", "title", "position", "family__slug", "family__title")
        .order_by("family__title", "position")[:FIND_LIMIT]
    )


def _level_matches(request: HttpRequest, levels: list[Level]) -> dict:
    """The context of ``#level-matches``: levels to add to ``levels``, each with its URL."""
    text = request.GET.get("find", "").strip()[:FIND_MAX_CHARS]
    found = _find_levels(text, levels) if len(levels) < MAX_COMPARE else []
    matches = [{"level": match, "url": _compare_url([*levels, match])} for match in found]
    return {"finding": True, "find": text, "matches": matches, "find_limit": FIND_LIMIT}


@require_GET
@cached_page
def compare_find(request: HttpRequest) -> HttpResponse:
    """Levels matching ``find`` to compare with the ``level``s given: the type-ahead of a level
    page's "compare with" box (htmx); without JavaScript the same box submits to ``compare``,
    which lists the same matches."""
    levels, errors = _compare_selection(request)
    if errors:
        return render(request, "ladder/compare.html#level-matches", {"errors": errors}, status=400)
    ctx = {**_level_matches(request, levels), "hx_target": "#comparison"}
    return render(request, "ladder/compare.html#level-matches", ctx)


@require_GET
@cached_page
def compare_level_options(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of one family's levels, for a family → level picker."""
    slug = next(
        (value for key, value in request.GET.items() if key.startswith("family") and value), ""
    )
    fam = get_object_or_404(JobFamily.objects.only("slug"), slug=slug)
    levels = fam.levels.only("slug", "title", "position").order_by("position")
    for lv in levels:
        lv.family = fam
    return render(
        request,
        "ladder/compare.html#level-options",
        {"options": levels, "selected": "", "placeholder": request.GET.get("placeholder")},
    )


# --------------------------------------------------------------------------- history


@require_GET
@cached_page
def family_history(request: HttpRequest, slug: str) -> HttpResponse:
    fam = get_object_or_404(JobFamily.objects.for_pages(), slug=slug)
    versions = list(fam.versions.defer("source").order_by("-number"))
    ctx = {
        "family": fam,
        "versions": versions,
        "latest": versions[0] if versions else None,
    }
    return render(request, "ladder/history.html", ctx)


def _version_diff(old: FamilyVersion, new: FamilyVersion):
    """The diff of two stored versions; parsed once, then cached by their checksums."""
    key = f"ladder:history-diff:{old.checksum}:{new.checksum}"
    diff = cache.get(key)
    if diff is None:
        diff = diff_sources(old.source, new.source)
        cache.set(key, diff, 24 * 3600)
    return diff


@require_GET
@cached_page
def family_history_diff(request: HttpRequest, slug: str, a: int, b: int) -> HttpResponse:
    fam = get_object_or_404(JobFamily.objects.for_pages(), slug=slug)
    versions = {v.number: v for v in fam.versions.filter(number__in=[a, b])}
    if a not in versions or b not in versions:
        raise Http404("no such version")
    old, new = versions[a], versions[b]
    try:
        diff = _version_diff(old, new)
    except (HandbookError, CycleError) as exc:
        # A stored version that no longer parses (the parser got stricter): say so.
        return render(
            request,
            "ladder/history_diff.html",
            {"family": fam, "old": old, "new": new, "error": str(exc)},
            status=200,
        )
    changed = []
    for level in diff.levels:
        if level.status == "unchanged":
            continue
        sections = []
        for name, rows in level.sections.items():
            entries = []
            for row in rows:
                before, after = row.cells
                if before is None:
                    entries.append({"kind": "added", "html": escape(plain(after.text))})
                elif after is None:
                    entries.append({"kind": "removed", "html": escape(plain(before.text))})
                else:
                    entries.append(
                        {"kind": "reworded", "html": mark_safe(diff_html(after.diff))}  # noqa: S308
                    )
            sections.append({"label": SECTION_LABELS[name], "entries": entries})
        changed.append({"level": level, "sections": sections})
    ctx = {
        "family": fam,
        "old": old,
        "new": new,
        "diff": diff,
        "changed": changed,
        "counts": {
            status: diff.count(status) for status in ("added", "removed", "renamed", "changed")
        },
        "unchanged": [level for level in diff.levels if level.status == "unchanged"],
        "section_labels": SECTION_LABELS,
    }
    return render(request, "ladder/history_diff.html", ctx)
