"""Browse pages. (Placeholder bodies until the browse issue lands; see templates/ladder/.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ladder.models import Grade, JobFamily, Level


def index(request: HttpRequest) -> HttpResponse:
    families = JobFamily.objects.order_by("title")
    return render(request, "ladder/index.html", {"families": families})


def family(request: HttpRequest, slug: str) -> HttpResponse:
    fam = get_object_or_404(JobFamily, slug=slug)
    return render(request, "ladder/index.html", {"families": [fam]})


def level(request: HttpRequest, family_slug: str, level_slug: str) -> HttpResponse:
    lv = get_object_or_404(Level, family__slug=family_slug, slug=level_slug)
    return render(request, "ladder/index.html", {"families": [lv.family]})


def grade(request: HttpRequest, number: str) -> HttpResponse:
    get_object_or_404(Grade, number=number)
    return render(request, "ladder/index.html", {"families": []})
