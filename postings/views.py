"""Postings pages: list, upload (staff), detail with suggested levels, compare with a level or
a grade. Everything shown from a posting is plain text (autoescaped) or sanitised with nh3."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from ladder.caching import cached_page
from ladder.comparison import plain
from ladder.models import Grade, Level, format_grade
from postings.forms import ConfirmLevelForm, UploadForm, level_choices
from postings.matching import compare_items
from postings.models import Posting
from postings.parsing import MAX_BYTES, sanitize_html
from postings.services import (
    PostingImportFailed,
    Source,
    posting_import,
    posting_link_level,
    posting_matches,
    profile_of,
)

SECTION_LABELS = {
    "responsibilities": "Responsibilities",
    "requirements": "Requirements",
    "about": "About the company",
    "legal": "Legal and equal opportunity",
    "other": "Other",
}
STATUS_WEIGHT = {"covered": 1.0, "partly": 0.5, "missing": 0.0}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _posting(pk: int) -> Posting:
    return get_object_or_404(
        Posting.objects.select_related("level__family", "level_confirmed_by").prefetch_related(
            "items"
        ),
        pk=pk,
    )


def _sections(posting: Posting) -> list[dict]:
    grouped: dict[str, list] = {}
    for item in posting.items.all():
        grouped.setdefault(item.section, []).append(item)
    return [
        {"name": name, "label": label, "items": grouped[name]}
        for name, label in SECTION_LABELS.items()
        if name in grouped
    ]


def _years(posting: Posting) -> str:
    if posting.years_min is None:
        return ""
    if posting.years_max and posting.years_max != posting.years_min:
        return f"{posting.years_min}–{posting.years_max} years"
    return f"{posting.years_min}+ years"


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@cached_page
def posting_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every posting, newest first; ``?filter=`` keeps those whose title, company or confirmed
    level holds every word (as you type with htmx: the list alone)."""
    wanted = " ".join(request.GET.get("filter", "").split())[:100]
    postings = Posting.objects.select_related("level__family").order_by("-imported_at", "-id")
    total = postings.count()
    for word in wanted.split():
        postings = postings.filter(
            Q(title__icontains=word) | Q(company__icontains=word) | Q(level__title__icontains=word)
        )
    ctx = {"postings": postings, "filter": wanted, "total": total}
    template = "postings/list.html"
    if request.htmx and request.htmx.target == "posting-results":
        template += "#posting-results"
    return render(request, template, ctx)


def _require(request: HttpRequest, permission: str) -> None:
    # Signed in but not a recruiter (or HR with the right): say so, do not loop to the login.
    if not request.user.has_perm(permission):
        raise PermissionDenied("Importing and confirming postings is for the Recruiters group.")


@login_required
@require_http_methods(["GET", "POST"])
def posting_upload(request: HttpRequest) -> HttpResponse:
    """Upload posting files or paste a posting's text; both go through ``posting_import``."""
    _require(request, "postings.add_posting")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sources = []
        errors = []
        for upload in form.cleaned_data["files"]:
            # The name is only shown, never used as a path.
            name = (upload.name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200]
            if upload.size > MAX_BYTES:
                errors.append(
                    f"{name}: file is {upload.size / 1024 / 1024:.1f} MB; at most "
                    f"{MAX_BYTES // 1024 // 1024} MB"
                )
                continue
            sources.append(Source(name, upload.read()))
        text = form.cleaned_data["text"]
        if text.strip():
            # Pasted text is a plain-text posting, as if saved from the job board to a file.
            sources.append(Source("pasted.txt", text.replace("\r\n", "\n").encode("utf-8")))
        try:
            if errors:
                raise PostingImportFailed(errors)
            summary = posting_import(sources=sources)
        except PostingImportFailed as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, summary.line())
            if len(summary.created) == 1:
                return redirect(summary.created[0])
            return redirect("postings:list")
    status = 400 if form.errors else 200
    return render(request, "postings/upload.html", {"form": form}, status=status)


def _level_picker(posting: Posting, matches: list, wanted: str) -> dict:
    """Levels grouped by family for the confirm form, narrowed by ``wanted`` words; the
    confirmed level, else the best match, else the first level shown is preselected."""
    levels = list(
        Level.objects.select_related("family", "grade")
        .only("title", "group", "position", "family__title", "grade__number", "grade_max")
        .order_by("family__title", "position")
    )
    words = wanted.lower().split()
    shown = [
        lv
        for lv in levels
        if all(w in f"{lv.title} {lv.group} {lv.family.title}".lower() for w in words)
    ]
    keys = {lv.key: lv.pk for lv in levels} if not posting.level_id else {}
    suggested = next((keys[m.key] for m in matches if m.key in keys), None)
    selected = posting.level_id or suggested
    if wanted and selected not in {lv.pk for lv in shown}:
        selected = shown[0].pk if shown else None
    return {
        "groups": level_choices(shown),
        "selected": selected,
        "suggested": suggested,
        "filter": wanted,
        "count": len(shown),
    }


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@cached_page
def posting_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    posting = _posting(pk)
    matches = posting_matches(posting)
    can_confirm = request.user.has_perm("postings.change_posting")
    wanted = request.GET.get("level_filter", "").strip()[:100]
    if request.htmx and request.htmx.target == "confirm-level":
        if not can_confirm:
            raise PermissionDenied
        ctx = {"picker": _level_picker(posting, matches, wanted)}
        return render(request, "postings/detail.html#level-options", ctx)
    keys = [m.key for m in matches]
    levels = {
        lv.key: lv
        for lv in Level.objects.filter(
            family__slug__in={k.split("/")[0] for k in keys},
            slug__in={k.split("/")[1] for k in keys},
        ).select_related("family", "grade")
    }
    ctx = {
        "posting": posting,
        "sections": _sections(posting),
        "years": _years(posting),
        "matches": [{"match": m, "level": levels.get(m.key)} for m in matches],
        "original_html": sanitize_html(posting.raw) if posting.format == "html" else "",
        "can_confirm": can_confirm,
        "picker": _level_picker(posting, matches, wanted) if can_confirm else None,
    }
    return render(request, "postings/detail.html", ctx)


@login_required
@require_POST
def posting_confirm_level(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "postings.change_posting")
    posting = get_object_or_404(Posting, pk=pk)
    levels = list(Level.objects.select_related("family", "grade").order_by("family__title"))
    form = ConfirmLevelForm(request.POST, levels=levels)
    if form.is_valid():
        level = form.cleaned_data["level"]
        posting_link_level(posting=posting, level=level, user=request.user)
        if level is None:
            messages.success(request, "The confirmed level was cleared.")
        else:
            messages.success(request, f"Confirmed: {level.title} ({level.family.title}).")
    else:
        messages.error(request, "Choose a level from the list.")
    return redirect(posting)


def _comparison(posting: Posting, level: Level) -> dict:
    profile = profile_of(level)
    posting_items = [
        (item.section, item.text)
        for item in posting.items.all()
        if item.section in ("responsibilities", "requirements")
    ]
    pairs = compare_items(posting_items, list(profile.items))
    used = {p.level_text for p in pairs if p.level_text and p.status != "missing"}
    sections = []
    for name in ("responsibilities", "requirements"):
        rows = [p for p in pairs if p.section == name]
        coverage = (
            round(100 * sum(STATUS_WEIGHT[p.status] for p in rows) / len(rows)) if rows else None
        )
        sections.append(
            {"name": name, "label": SECTION_LABELS[name], "rows": rows, "coverage": coverage}
        )
    # Shown as plain words: link markup would read as noise here.
    unasked = [(section, plain(text)) for section, text in profile.items if text not in used]
    total = list(pairs)
    overall = (
        round(100 * sum(STATUS_WEIGHT[p.status] for p in total) / len(total)) if total else None
    )
    return {"level": level, "sections": sections, "unasked": unasked, "coverage": overall}


@require_GET
@vary_on_headers("HX-Request")
@cached_page
def posting_compare_level(
    request: HtmxHttpRequest, pk: int, family_slug: str, level_slug: str
) -> HttpResponse:
    posting = _posting(pk)
    picked = request.GET.get("level", "")
    if picked and "/" in picked:
        # The level picker without JavaScript: go to the picked level's URL.
        fam, _, lvl = picked.partition("/")
        return redirect("postings:compare-level", pk=pk, family_slug=fam, level_slug=lvl)
    level = get_object_or_404(
        Level.objects.select_related("family", "grade"), family__slug=family_slug, slug=level_slug
    )
    ctx = {
        "posting": posting,
        "comparison": _comparison(posting, level),
        "family_levels": level.family.levels.only("slug", "title", "position").order_by("position"),
    }
    template = "postings/compare.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#posting-comparison"
    return render(request, template, ctx)


@require_GET
@cached_page
def posting_compare_grade(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    posting = _posting(pk)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise Http404("no such grade") from None
    grade = get_object_or_404(Grade, number=value)
    levels = list(
        Level.objects.filter(grade=grade)
        .select_related("family", "grade")
        .order_by("family__title", "position")
    )
    comparisons = sorted(
        (_comparison(posting, level) for level in levels),
        key=lambda c: -(c["coverage"] or 0),
    )
    ctx = {"posting": posting, "grade": grade, "comparisons": comparisons}
    return render(request, "postings/compare_grade.html", ctx)


# --------------------------------------------------------------------------- API


def posting_json(posting: Posting) -> dict:
    matches = posting_matches(posting)
    return {
        "id": posting.pk,
        "title": posting.title,
        "company": posting.company,
        "years_min": posting.years_min,
        "years_max": posting.years_max,
        "degree": posting.degree,
        "people_management": posting.people_management,
        "items": [{"section": i.section, "text": i.text} for i in posting.items.all()],
        "level": posting.level.key if posting.level_id else None,
        "matches": [
            {
                "level": m.key,
                "title": m.title,
                "grade": _grade_number(m.grade),
                "score": round(m.score, 4),
                "confidence": m.confidence,
            }
            for m in matches[:5]
        ],
    }


def _grade_number(value):
    if value is None:
        return None
    text = format_grade(Decimal(str(value)))
    return float(text) if "." in text else int(text)


@require_GET
def api_posting_list(request: HttpRequest) -> JsonResponse:
    postings = Posting.objects.select_related("level__family").prefetch_related("items")
    return JsonResponse([posting_json(p) for p in postings.order_by("id")], safe=False)


@require_GET
def api_posting_detail(request: HttpRequest, pk: int) -> JsonResponse:
    posting = (
        Posting.objects.select_related("level__family").prefetch_related("items").filter(pk=pk)
    ).first()
    if posting is None:
        return JsonResponse({"error": f"no posting {pk}"}, status=404)
    return JsonResponse(posting_json(posting))
