"""Read-only JSON API: ``/api/families/`` and ``/api/families/<slug>/``."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from ladder.handbook import SECTIONS
from ladder.inheritance import EffectiveEntry, effective_entries
from ladder.models import JobFamily, Level, format_grade


def _grade_number(value) -> int | float | None:
    if value is None:
        return None
    text = format_grade(value)
    return float(text) if "." in text else int(text)


def _items(entries: list[EffectiveEntry]) -> list[dict]:
    return [
        {
            "text": entry.text,
            "html": entry.html,
            "source": entry.source,
            **({"children": _items(list(entry.children))} if entry.children else {}),
        }
        for entry in entries
    ]


def level_json(level: Level, request: HttpRequest) -> dict:
    manager = level.manager
    reports_to = None
    if manager is not None:
        reports_to = {
            "title": manager.title,
            "slug": manager.level.slug if manager.level else None,
            "url": request.build_absolute_uri(manager.url)
            if manager.level
            else manager.url or None,
        }
    extends = []
    for item in sorted(level.items.all(), key=lambda i: (SECTIONS.index(i.section), i.position)):
        if item.extends_level_id:
            extends.append(
                {
                    "section": item.extends_section or None,
                    "level": item.extends_level.slug
                    if item.extends_level.family_id == level.family_id
                    else item.extends_level.key,
                }
            )
    data = {
        "slug": level.slug,
        "title": level.title,
        "url": request.build_absolute_uri(level.get_absolute_url()),
        "grade": _grade_number(level.grade.number) if level.grade_id else None,
        "grade_max": _grade_number(level.grade_max),
        "grade_inferred": level.grade_inferred,
        "grade_reason": level.grade_reason,
        "group": level.group,
        "reports_to": reports_to,
        "extends": extends,
    }
    for section in SECTIONS:
        data[section] = _items(effective_entries(level.effective, section, level.family.slug))
    return data


@require_GET
def family_list(request: HttpRequest) -> JsonResponse:
    families = JobFamily.objects.annotate(level_count=Count("levels")).order_by("title")
    return JsonResponse(
        [
            {
                "slug": f.slug,
                "title": f.title,
                "url": request.build_absolute_uri(f"/api/families/{f.slug}/"),
                "levels": f.level_count,
            }
            for f in families
        ],
        safe=False,
    )


@require_GET
def family_detail(request: HttpRequest, slug: str) -> JsonResponse:
    family = JobFamily.objects.filter(slug=slug).first()
    if family is None:
        return JsonResponse({"error": f"no job family '{slug}'"}, status=404)
    levels = (
        family.levels.select_related("grade", "reports_to__family", "family")
        .prefetch_related("items__extends_level__family")
        .order_by("position")
    )
    return JsonResponse(
        {
            "slug": family.slug,
            "title": family.title,
            "description": family.description,
            "url": request.build_absolute_uri(family.get_absolute_url()),
            "levels": [level_json(level, request) for level in levels],
            "performance_indicators": family.performance_indicators,
            "career_ladder": family.career_ladder,
            "hiring_process": family.hiring_process,
        }
    )


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"error": "not found"}, status=404)
