"""Postings in the admin for recruiters: edit the facts, confirm a level, delete; with history.

Postings are imported (the postings page or ``import_postings``), never typed in here; every
save and deletion goes through ``postings.services``.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from postings.models import Posting, PostingItem
from postings.services import posting_delete, posting_update


class PostingItemInline(admin.TabularInline):
    model = PostingItem
    fields = ["position", "section", "heading", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Posting)
class PostingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "company", "location", "level", "imported_at"]
    list_filter = ["format", "people_management"]
    search_fields = ["title", "company", "location", "source_name"]
    list_select_related = ["level__family"]
    autocomplete_fields = ["level"]
    fields = [
        "title",
        "company",
        "location",
        "pay_range",
        "years_min",
        "years_max",
        "degree",
        "people_management",
        "level",
        "level_confirmed_by",
        "level_confirmed_at",
        "source_name",
        "format",
        "imported_at",
        "page_link",
    ]
    readonly_fields = [
        "level_confirmed_by",
        "level_confirmed_at",
        "source_name",
        "format",
        "imported_at",
        "page_link",
    ]
    inlines = [PostingItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    @admin.display(description="page")
    def page_link(self, obj: Posting) -> str:
        if not obj.pk:
            return ""
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), "View the posting")

    def has_add_permission(self, request):
        # Imported from a file or pasted text on the postings page, which parses it.
        return False

    def save_model(self, request, obj, form, change):
        posting_update(posting=obj, changed=form.changed_data, user=request.user)

    def delete_model(self, request, obj):
        posting_delete(postings=[obj])

    def delete_queryset(self, request, queryset):
        posting_delete(postings=list(queryset))
