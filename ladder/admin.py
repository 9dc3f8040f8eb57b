"""Django admin for HR: families, levels with their items, grades; history, re-import, export."""

from __future__ import annotations

import io
import zipfile

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from ladder.export import family_markdown, levels_csv
from ladder.form_markup import ROW_RENDERER
from ladder.forms import (
    ApplyReimportForm,
    HandbookUploadForm,
    ItemInlineForm,
    ItemInlineFormSet,
    LevelAdminForm,
    ReimportForm,
    RevertLevelForm,
    TextareaField,
)
from ladder.handbook.sources import ImportFailed
from ladder.inheritance import effective_entries, walk_entries
from ladder.models import (
    SECTION_CHOICES,
    FamilyVersion,
    Grade,
    HandbookUpload,
    ImportRun,
    Item,
    JobFamily,
    Level,
)
from ladder.search import levels_matching
from ladder.services import (
    family_delete,
    family_reimport_apply,
    family_reimport_preview,
    family_save,
    grade_delete,
    grade_save,
    item_delete,
    item_save,
    items_saved_with,
    level_delete,
    level_revert,
    level_save,
)
from ladder.uploads import (
    UploadedFile,
    handbook_upload_apply,
    handbook_upload_create,
    read_uploaded,
)

admin.site.site_header = "Ladder administration"
admin.site.site_title = "Ladder admin"
admin.site.index_title = "Career ladder and postings"


class LineEndings:
    """Text boxes of the model read with LF line endings (``TextareaField``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", TextareaField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class LadderAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete answers that name a level's family: titles repeat across families."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Level):
            result["text"] = f"{obj.title} — {obj.family.title}"
        return result


def _autocomplete_view(request: HttpRequest) -> HttpResponse:
    return LadderAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# Set before the admin's URLs are built, which bind ``site.autocomplete_view``.
admin.site.autocomplete_view = _autocomplete_view


@admin.action(description="Export levels as CSV (grades and effective item counts)")
def export_levels_csv(modeladmin, request, queryset):
    levels = Level.objects.filter(family__in=queryset) if queryset.model is JobFamily else queryset
    levels = levels.select_related("family", "grade", "reports_to").order_by(
        "family__title", "position"
    )
    response = HttpResponse(levels_csv(levels), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ladder-levels.csv"'
    return response


@admin.action(description="Export as handbook markdown")
def export_markdown(modeladmin, request, queryset):
    families = list(queryset)
    if len(families) == 1:
        response = HttpResponse(
            family_markdown(families[0]), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{families[0].slug}.md"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for family in families:
            archive.writestr(f"{family.slug}.md", family_markdown(family))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="handbook.zip"'
    return response


@admin.register(Grade)
class GradeAdmin(LineEndings, admin.ModelAdmin):
    list_display = ["__str__", "label", "level_count", "link"]
    search_fields = ["label", "description"]
    fields = ["number", "label", "description", "link"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_count=Count("levels"))

    @admin.display(ordering="level_count", description="levels")
    def level_count(self, obj):
        return obj.level_count

    def save_model(self, request, obj, form, change):
        grade_save(grade=obj, user=request.user)

    def delete_model(self, request, obj):
        grade_delete(grade=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for grade in queryset:
            grade_delete(grade=grade, user=request.user)


class LevelInline(admin.TabularInline):
    model = Level
    fields = ["title", "group", "grade", "grade_inferred", "position"]
    readonly_fields = ["title", "group", "grade", "grade_inferred", "position"]
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JobFamily)
class JobFamilyAdmin(LineEndings, SimpleHistoryAdmin):
    list_display = ["title", "slug", "level_count", "version_count", "imported_at"]
    search_fields = ["title", "slug", "description"]
    readonly_fields = ["source_checksum", "source_name", "imported_at", "updated_at"]
    fields = [
        "title",
        "slug",
        "description",
        "base_url",
        "performance_indicators",
        "career_ladder",
        "hiring_process",
        "source_name",
        "source_checksum",
        "imported_at",
        "updated_at",
    ]
    inlines = [LevelInline]
    actions = [export_markdown, export_levels_csv]
    change_form_template = "admin/ladder/jobfamily/change_form.html"
    change_list_template = "admin/ladder/jobfamily/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .for_pages()
            .annotate(level_count=Count("levels", distinct=True))
            .annotate(version_count=Count("versions", distinct=True))
        )

    @admin.display(ordering="level_count", description="levels")
    def level_count(self, obj):
        return obj.level_count

    @admin.display(ordering="version_count", description="versions")
    def version_count(self, obj):
        return obj.version_count

    def save_model(self, request, obj, form, change):
        family_save(family=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        # The levels inline is read-only: nothing to save, and nothing for the change message
        # (which reads these lists; without them every save of a family failed).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        family_delete(family=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for family in queryset:
            family_delete(family=family, user=request.user)

    def get_urls(self):
        return [
            path(
                "<int:pk>/reimport/",
                self.admin_site.admin_view(self.reimport_view),
                name="ladder_jobfamily_reimport",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.upload_view),
                name="ladder_jobfamily_import",
            ),
            path(
                "import/<int:upload_id>/",
                self.admin_site.admin_view(self.upload_status_view),
                name="ladder_jobfamily_import_status",
            ),
            *super().get_urls(),
        ]

    def reimport_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a new version of the page → preview → apply in one transaction."""
        family = get_object_or_404(JobFamily, pk=pk)
        if not self.has_change_permission(request, family):
            return redirect("admin:index")
        ctx = {
            **self.admin_site.each_context(request),
            "family": family,
            "opts": self.opts,
            "title": f"Re-import {family.title}",
        }
        if request.method == "POST" and "token" in request.POST:
            form = ApplyReimportForm(request.POST)
            if form.is_valid():
                try:
                    payload = signing.loads(
                        form.cleaned_data["token"], max_age=3600, salt="ladder-reimport"
                    )
                    line = family_reimport_apply(
                        family=family,
                        name=payload["name"],
                        source=payload["source"],
                        keep_admin_edits=not form.cleaned_data["overwrite_admin_edits"],
                        confirm_title=form.cleaned_data["confirm_other_family"],
                        user=request.user,
                    )
                except signing.BadSignature:
                    messages.error(request, "The preview expired; upload the page again.")
                except ImportFailed as exc:
                    messages.error(request, "Nothing was changed: " + "; ".join(exc.errors))
                else:
                    messages.success(request, line)
                    return redirect("admin:ladder_jobfamily_change", family.pk)
            ctx["upload"] = ReimportForm()
            return render(request, "admin/ladder/jobfamily/reimport.html", ctx, status=400)
        upload = ReimportForm(request.POST or None, request.FILES or None)
        ctx["upload"] = upload
        if request.method == "POST" and upload.is_valid():
            file = upload.cleaned_data["source"]
            name = (file.name or "upload.md").replace("\\", "/").rsplit("/", 1)[-1]
            preview = family_reimport_preview(family=family, name=name, data=file.read())
            ctx["preview"] = preview
            if not preview.error:
                token = signing.dumps(
                    {"name": name, "source": preview.source}, salt="ladder-reimport", compress=True
                )
                ctx["apply"] = ApplyReimportForm(initial={"token": token})
                if not preview.title_differs:
                    del ctx["apply"].fields["confirm_other_family"]  # nothing to confirm
                if not preview.conflicts:
                    del ctx["apply"].fields["overwrite_admin_edits"]  # nothing to replace
            status = 400 if preview.error else 200
            return render(request, "admin/ladder/jobfamily/reimport.html", ctx, status=status)
        return render(
            request,
            "admin/ladder/jobfamily/reimport.html",
            ctx,
            status=400 if upload.errors else 200,
        )

    def _upload_context(self, request: HttpRequest, title: str) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title}

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload .md pages or a .zip of a folder: checked like ``import_handbook --dry-run``."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HandbookUploadForm(request.POST or None, request.FILES or None)
        ctx = {**self._upload_context(request, "Import handbook pages"), "form": form}
        if request.method == "POST" and form.is_valid():
            files = [
                UploadedFile(f.name or "upload.md", f.read()) for f in form.cleaned_data["files"]
            ]
            try:
                sources = read_uploaded(files)
            except ImportFailed as exc:
                ctx["upload_errors"] = exc.errors
                return render(request, "admin/ladder/jobfamily/upload.html", ctx, status=400)
            upload = handbook_upload_create(
                sources=sources,
                user=request.user,
                strict=form.cleaned_data["strict"],
                base_url=form.cleaned_data["base_url"],
            )
            return redirect("admin:ladder_jobfamily_import_status", upload.pk)
        status = 400 if form.errors else 200
        return render(request, "admin/ladder/jobfamily/upload.html", ctx, status=status)

    def upload_status_view(self, request: HttpRequest, upload_id: int) -> HttpResponse:
        """Progress (polled by htmx, or a plain refresh), then the preview and "Apply"."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = get_object_or_404(HandbookUpload, pk=upload_id)
        if request.method == "POST":
            upload = handbook_upload_apply(upload=upload)
            if upload.state == HandbookUpload.State.APPLIED:
                messages.success(request, upload.result)
            return redirect("admin:ladder_jobfamily_import_status", upload.pk)
        ctx = {**self._upload_context(request, "Import handbook pages"), "upload": upload}
        template = "admin/ladder/jobfamily/upload_status.html"
        if getattr(request, "htmx", False):
            template += "#upload-status"
        return render(request, template, ctx)


class ItemRowAutocomplete(AutocompleteSelect):
    """An item row's parent or extends-level box, written by the rows' renderer.

    The admin's wrapper renders the box it wraps with the default renderer; this one keeps to
    the row's (``ladder.form_markup``).
    """

    # The labels of what the level's rows have chosen (``ChosenLabels``); ``None``: each box
    # reads its own, as Django's does.
    chosen: ChosenLabels | None = None

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer or ROW_RENDERER)

    def optgroups(self, name, value, attr=None):
        picked = [v for v in value if v not in self.choices.field.empty_values]
        labels = self.chosen.labels(self.field.name) if picked and self.chosen else {}
        if any(v not in labels for v in picked):
            return super().optgroups(name, value, attr)  # e.g. a level typed into a refused form
        # Django's widget builds a query for the chosen option of every box of every row, even
        # when none is chosen (48 boxes for 18 items): the same options, without them.
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for v in picked:
            options.append(self.create_option(name, v, labels[v], True, len(options)))
        return [(None, options, 0)]


class ChosenLabels:
    """The labels of the parents and extended levels a level's item rows show, by id: one query
    for the rows of the three section groups, when the first chosen box asks, instead of one
    query per box."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self._labels: dict[str, dict[str, str]] | None = None

    def labels(self, field_name: str) -> dict[str, str]:
        if self._labels is None:
            parents, extended = {}, {}
            rows = (
                Item.objects.filter(level=self.level)
                .select_related("extends_level")
                .only("section", "text", "extends_level", "extends_level__title")
            )
            for item in rows:
                parents[str(item.pk)] = parent_label(item)
                if item.extends_level is not None:
                    extended[str(item.extends_level.pk)] = str(item.extends_level)
            self._labels = {"parent": parents, "extends_level": extended}
        return self._labels[field_name]


def parent_label(item: Item) -> str:
    """How a row's parent box names an item of the level."""
    return f"{item.section}: {item.text[:60]}"


def _chosen_labels(request: HttpRequest, obj: Level | None) -> ChosenLabels | None:
    # One reader for the form's three section groups (each builds its formset class apart).
    if obj is None:
        return None
    cached = getattr(request, "_ladder_chosen_labels", None)
    if cached is None or cached.level.pk != obj.pk:
        cached = request._ladder_chosen_labels = ChosenLabels(obj)
    return cached


class ItemInline(LineEndings, admin.TabularInline):
    """The items of one section of a level (``section``), in handbook order; one per section.

    A formset per section, not one table sorted by section: each group has its heading, its
    rows and its own blank row and "Add another", so an item added without JavaScript lands in
    the group it was typed in. The section select stays on every row to move an item.
    """

    model = Item
    form = ItemInlineForm
    formset = ItemInlineFormSet
    fk_name = "level"
    fields = ["section", "position", "parent", "text", "extends_level", "extends_section"]
    # Autocomplete boxes render only the chosen option: a select of every item of the level
    # in every row made a 165-item level's form 3.6 MB.
    autocomplete_fields = ["extends_level", "parent"]
    ordering = ["position", "id"]
    extra = 1
    template = "admin/ladder/level/section_items.html"
    section = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section=self.section)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = ItemRowAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.section = self.section  # a class made for this call: its prefix and new rows
        fields = formset.form.base_fields
        chosen = _chosen_labels(request, obj)
        # Nested items: a parent can only be an item of the same level.
        parent = fields["parent"]
        parent.queryset = (
            Item.objects.filter(level=obj).order_by("section", "position")
            if obj
            else Item.objects.none()
        )
        parent.label_from_instance = parent_label
        # Four pop-up links per box and row (add a level from an item row, delete one...) were a
        # third of the form's weight; keep "view" on the extended level only.
        for name in ("parent", "extends_level"):
            widget = fields[name].widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = False
            widget.can_view_related = name == "extends_level"
            widget.widget.chosen = chosen
        return formset


def _section_inline(section: str, label: str) -> type[ItemInline]:
    return type(
        f"{section.title()}ItemInline",
        (ItemInline,),
        {"section": section, "verbose_name": f"{label} item", "verbose_name_plural": label},
    )


# Handbook order of the sections, whatever sections the model has.
SECTION_INLINES = [_section_inline(value, str(label)) for value, label in SECTION_CHOICES]


class FamilyFilter(admin.SimpleListFilter):
    """Levels of one family, chosen from a level's family link or the search.

    A ladder has thousands of families: listing each in the sidebar cost most of the
    changelist's time, so the sidebar shows the family chosen, and every row links to its own.
    """

    title = "family"
    parameter_name = "family"

    def lookups(self, request, model_admin):
        slug = self.value()
        if not slug:
            return []
        title = JobFamily.objects.filter(slug=slug).values_list("title", flat=True).first()
        return [(slug, title or slug)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(family__slug=self.value())
        return queryset


class LevelIds:
    """A searched list's levels, as their ids in list order read by one query.

    Django's paginator counts the matches, then reads the page: the search ran twice, and a
    search scans every level (its title, slug and group against every word). Given this, the
    paginator counts the ids and cuts its page from them.
    """

    def __init__(self, queryset: QuerySet[Level]) -> None:
        self.ids: list[int] = list(queryset.values_list("pk", flat=True))

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[int]:
        return self.ids[index]


class LevelChangeList(ChangeList):
    """Item counts for the rows shown only (one grouped query over their items), instead of
    an annotation that counts the items of every level before the page is cut."""

    # The rows read none of the large columns of the tables joined to them: a family's whole
    # page and the effective lists of the level reported to were carried through the sort of
    # every level before the first hundred were kept (1 s of 1.1 s at 3,000 families).
    LARGE_JOINED = [
        *(
            f"family__{name}"
            for name in (
                "description",
                "source",
                "performance_indicators",
                "career_ladder",
                "hiring_process",
            )
        ),
        "reports_to__effective",
        "reports_to__description",
    ]

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*self.LARGE_JOINED)

    def get_results(self, request):
        super().get_results(request)
        # The page's ids first, then those levels whole. SQLite keeps a level's effective
        # lists inside its row, before the family, grade and reports-to columns: sorting every
        # level by its family read every level's lists (300 ms at 3,000 families); the ids
        # come from the family index and the rows' first bytes.
        listed = self.paginator.object_list
        if isinstance(listed, LevelIds):
            # A search: the page cut from its ids, or all of them when they fit on one page.
            ids = self.result_list if isinstance(self.result_list, list) else listed.ids
        else:
            ids = list(self.result_list.values_list("pk", flat=True))
        rows = self.root_queryset.filter(pk__in=ids).select_related(*self.list_select_related)
        by_pk = rows.defer(*self.LARGE_JOINED).in_bulk()
        levels = [by_pk[pk] for pk in ids if pk in by_pk]
        counts = dict(
            Item.objects.filter(level__in=levels)
            .values("level_id")
            .annotate(n=Count("id"))
            .values_list("level_id", "n")
        )
        for level in levels:
            level.item_count = counts.get(level.pk, 0)
        self.result_list = levels


@admin.register(Level)
class LevelAdmin(LineEndings, SimpleHistoryAdmin):
    form = LevelAdminForm
    list_display = [
        "title",
        "family_column",
        "group",
        "grade_display_column",
        "grade_inferred",
        "reports_to_column",
        "item_count",
    ]
    list_filter = [FamilyFilter, "grade", "grade_inferred"]
    list_select_related = ["family", "grade", "reports_to"]
    # A search or filter counts its levels once, not also every level of the ladder.
    show_full_result_count = False
    # Item texts are searched through the full-text index (get_search_results).
    search_fields = ["title", "slug", "group", "family__title"]
    autocomplete_fields = ["family", "reports_to"]
    readonly_fields = ["effective_preview", "version"]
    inlines = SECTION_INLINES
    actions = [export_levels_csv]
    fieldsets = [
        (None, {"fields": ["family", "title", "slug", "position", "group", "loaded_version"]}),
        ("Grade", {"fields": ["grade_number", "grade_max", "grade_inferred"]}),
        ("Reports to", {"fields": ["reports_to", "reports_to_title", "reports_to_link"]}),
        ("Description", {"fields": ["description"], "classes": ["collapse"]}),
        (
            "Effective lists (own and inherited items, as the level page shows them)",
            {"fields": ["effective_preview", "version"]},
        ),
    ]
    prepopulated_fields = {"slug": ["title"]}

    class Media:
        css = {"all": ["css/admin-ladder.css"]}
        js = ["js/admin-ladder.js"]

    def get_changelist(self, request, **kwargs):
        return LevelChangeList

    def get_queryset(self, request):
        # The changelist shows none of the large columns: effective lists stay in the database.
        return super().get_queryset(request).defer("effective", "description")

    def action_checkbox(self, obj):
        # Django renders this checkbox through the form-widget templates, once per row: about
        # half of the list's time. The same markup, written out.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if request.GET.get(SEARCH_VAR, "").strip() and "autocomplete" not in request.path:
            queryset = LevelIds(queryset)  # the list searched: one query for count and page
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            # Levels whose own items (or description) hold every word, from the search index.
            found = found | queryset.filter(levels_matching(search_term))
        term = search_term.strip()
        if term and "autocomplete" in request.path:
            # Autocomplete (extends, reports to): the exact title first, then titles starting
            # with what was typed, then the rest; each shown with its family.
            found = (
                found.select_related("family")
                .annotate(
                    rank=Case(
                        When(title__iexact=term, then=Value(0)),
                        When(title__istartswith=term, then=Value(1)),
                        When(family__title__istartswith=term, then=Value(2)),
                        default=Value(3),
                        output_field=IntegerField(),
                    )
                )
                .order_by("rank", "title", "family__title")
            )
        return found, duplicates

    @admin.display(ordering="family__title", description="family")
    def family_column(self, obj):
        url = reverse("admin:ladder_level_changelist") + f"?family={obj.family.slug}"
        return format_html('<a href="{}" title="Levels of this family">{}</a>', url, obj.family)

    @admin.display(ordering="grade__number", description="grade")
    def grade_display_column(self, obj):
        return obj.grade_display or "—"

    @admin.display(description="reports to")
    def reports_to_column(self, obj):
        return obj.manager.title if obj.manager else "—"

    @admin.display(description="items")
    def item_count(self, obj):
        return getattr(obj, "item_count", "—")

    @admin.display(description="preview")
    def effective_preview(self, obj):
        if not obj.pk:
            return "Save the level to see its effective lists."
        blocks = []
        for section in ("responsibilities", "requirements", "general"):
            entries = effective_entries(obj.effective, section, obj.family.slug)
            if not entries:
                continue
            # Nested items too (a performance indicator's measures), indented by depth.
            walked = list(walk_entries(entries))
            rows = format_html_join(
                "",
                "<li class='{} depth-{}'>{}{}</li>",
                (
                    (
                        "own" if e.is_own(obj.key) else "inherited",
                        min(depth, 3),
                        mark_safe(e.html),  # noqa: S308 - sanitised at import/save
                        ""
                        if e.is_own(obj.key)
                        else format_html(" <em>(from {})</em>", e.source_title),
                    )
                    for e, depth in walked
                ),
            )
            blocks.append(
                format_html(
                    "<h4>{} ({})</h4><ul class='effective-preview'>{}</ul>",
                    section.title(),
                    len(walked),
                    rows,
                )
            )
        url = obj.get_absolute_url()
        blocks.append(format_html('<p><a href="{}">Open the level page</a></p>', url))
        return mark_safe("".join(str(b) for b in blocks))  # noqa: S308 - built with format_html

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves an old version on purpose: no "someone else saved" check.
        request._ladder_revert = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        version_id = getattr(request, "_ladder_revert", None)
        if version_id is None or obj is None:
            return super().get_form(request, obj, **kwargs)
        record = Level.history.filter(history_id=version_id, id=obj.pk).first()
        items = items_saved_with(obj, record.history_date) if record else []
        form = type("RevertLevelForm", (RevertLevelForm,), {"saved_items": items})
        return super().get_form(request, obj, **{**kwargs, "form": form})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "_ladder_revert", None) is not None:
            fieldsets = [*fieldsets, ("Items", {"fields": ["restore_items"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "_ladder_revert", None)
        grade_number = form.cleaned_data.get("grade_number")
        if version_id is not None:
            # The history view saves no inline: the revert service is the whole write.
            level_revert(
                level=obj,
                record_id=int(version_id),
                restore_items=form.cleaned_data.get("restore_items", False),
                grade_number=grade_number,
                user=request.user,
            )
            return
        request._ladder_grade_number = grade_number  # saved with the items in save_related

    def save_formset(self, request, form, formset, change):
        pass  # the items are saved with the level, in save_related

    def save_related(self, request, form, formsets, change):
        items, deleted = [], []
        for formset in formsets:
            items.extend(formset.save(commit=False))
            deleted.extend(formset.deleted_objects)
        level_save(
            level=form.instance,
            items=items,
            deleted_items=deleted,
            grade_number=getattr(request, "_ladder_grade_number", None),
            user=request.user,
        )

    def delete_model(self, request, obj):
        level_delete(level=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for level in queryset:
            level_delete(level=level, user=request.user)


@admin.register(Item)
class ItemAdmin(LineEndings, SimpleHistoryAdmin):
    list_display = ["short_text", "level", "section", "position", "extends_level"]
    list_filter = ["section", "level__family"]
    list_select_related = ["level", "extends_level"]
    search_fields = ["text", "level__title"]
    autocomplete_fields = ["level", "extends_level", "parent"]
    readonly_fields = ["html"]

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:90] or f"extends {obj.extends_level}"

    def save_model(self, request, obj, form, change):
        # Also the item's revert (the history view saves through this hook).
        item_save(item=obj, user=request.user)

    def delete_model(self, request, obj):
        item_delete(item=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for item in queryset.select_related("level__family"):
            item_delete(item=item, user=request.user)


@admin.register(FamilyVersion)
class FamilyVersionAdmin(admin.ModelAdmin):
    list_display = ["family", "number", "source_name", "imported_at"]
    list_filter = ["family"]
    readonly_fields = ["family", "number", "source", "checksum", "source_name", "imported_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "summary", "dry_run"]
    readonly_fields = ["started_at", "files", "summary", "warnings", "dry_run"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def reimport_url(family: JobFamily) -> str:
    return reverse("admin:ladder_jobfamily_reimport", args=[family.pk])
