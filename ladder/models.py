"""The career ladder: job families, grades, levels and their items.

A level's own items are stored as written (with extends links at their position); its
*effective* lists (own + inherited, resolved recursively) are denormalised into
``Level.effective`` whenever the family is imported or edited, so a level page is a couple of
queries however deep the inheritance goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ladder.page_urls import page_url

SECTION_CHOICES = [
    ("responsibilities", "Responsibilities"),
    ("requirements", "Requirements"),
    ("general", "General"),
]


class Grade(models.Model):
    number = models.DecimalField(max_digits=4, decimal_places=1, unique=True)
    label = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True, help_text="What this grade means here.")
    link = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Grade {self.display}"

    @property
    def display(self) -> str:
        return format_grade(self.number)

    def get_absolute_url(self) -> str:
        return reverse("ladder:grade", args=[self.display])


def format_grade(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class JobFamilyQuerySet(models.QuerySet):
    def for_pages(self) -> JobFamilyQuerySet:
        """Without the stored markdown source, which no page shows."""
        return self.defer("source")


class JobFamily(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="The handbook markdown last imported.")
    source_checksum = models.CharField(max_length=64, blank=True)
    source_name = models.CharField(max_length=500, blank=True)
    base_url = models.CharField(max_length=300, blank=True)
    performance_indicators = models.JSONField(default=list, blank=True)
    career_ladder = models.JSONField(default=list, blank=True)
    hiring_process = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The ladder content version that last changed this family's pages or effective lists
    # (its own edit, or an edit of a level it extends): caches of one family key on it.
    stamp = models.PositiveBigIntegerField(default=0, editable=False)
    # Who changed what, when; the source markdown is kept per version in FamilyVersion.
    history = HistoricalRecords(excluded_fields=["source", "stamp"])

    objects = JobFamilyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "job families"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("ladder:family", self.slug)


class FamilyVersion(models.Model):
    """Each distinct handbook source imported for a family, oldest first."""

    family = models.ForeignKey(JobFamily, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    checksum = models.CharField(max_length=64)
    source_name = models.CharField(max_length=500, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "number"]
        constraints = [
            models.UniqueConstraint(fields=["family", "number"], name="unique_family_version")
        ]

    def __str__(self) -> str:
        return f"{self.family} v{self.number}"


def safe_link(url: str) -> str:
    """Only web links from the handbook become hrefs (never ``javascript:`` and the like)."""
    url = (url or "").strip()
    return url if url.startswith(("https://", "http://", "/")) else ""


@dataclass(frozen=True)
class Manager:
    """Whom a level reports to: a level of the ladder, or a title the handbook names."""

    title: str
    link: str = ""  # the handbook's (safe) link for a role outside the ladder
    level: Level | None = None  # None: a role the ladder has no level for

    @property
    def external(self) -> bool:
        return self.level is None

    @property
    def url(self) -> str:
        # Asked for only when shown: a title alone needs no query for the level's family.
        return self.level.get_absolute_url() if self.level is not None else self.link


def _family_bulk(path: str) -> list[str]:
    """A related family's source and section lists: a page naming the family reads neither,
    and decoding the lists' JSON was a tenth of a cold level page."""
    fields = ("source", "description", "performance_indicators", "career_ladder", "hiring_process")
    return [f"{path}__{field}" for field in fields]


class LevelQuerySet(models.QuerySet):
    """The few shapes pages read levels in, so no view keeps its own field lists."""

    def for_page(self) -> LevelQuerySet:
        """One level to show in full: its family, grade and manager, lists included."""
        return self.select_related("family", "grade", "reports_to__family").defer(
            *_family_bulk("family"),
            "reports_to__effective",
            "reports_to__description",
            *_family_bulk("reports_to__family"),
        )

    def for_lists(self) -> LevelQuerySet:
        """Levels named in a list (grade page, who reports to whom): no effective lists."""
        return self.select_related("family", "grade").defer(
            "effective", "description", *_family_bulk("family")
        )

    def outline(self) -> LevelQuerySet:
        """What a track or a picker needs: title, slug, position, group and grade."""
        return self.select_related("grade").only(
            "id", "slug", "title", "position", "group", "family_id", "grade__number", "grade_max"
        )

    def names(self) -> LevelQuerySet:
        """Slug, title and position with the family's slug: enough for a link."""
        return self.select_related("family").only("slug", "title", "position", "family__slug")


class Level(models.Model):
    family = models.ForeignKey(JobFamily, on_delete=models.CASCADE, related_name="levels")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    group = models.CharField(max_length=300, blank=True)
    grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="levels"
    )
    grade_max = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    grade_inferred = models.BooleanField(
        default=False, help_text="No grade sentence: taken from another level (see the reason)."
    )
    grade_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why an inferred grade: the level it was taken from, in words.",
    )
    description = models.TextField(blank=True)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    reports_to_title = models.CharField(max_length=300, blank=True)
    reports_to_link = models.CharField(max_length=500, blank=True)
    effective = models.JSONField(default=dict, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Effective lists are derived data: recomputed, never restored from history.
    history = HistoricalRecords(excluded_fields=["effective", "content_hash"])

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["family", "position"]
        # Levels in ladder order without reading their rows (SQLite keeps the effective lists
        # inside each row): the admin's list sorts 34,000 of them at 3,000 families. Its search
        # reads their title, slug and group from the second (``LIKE`` over a narrow index, not
        # over every row: 167 -> 38 ms on SQLite at 3,000 families). Two indexes: given only
        # the wide one, SQLite sorts the plain list through the family index and the rows.
        indexes = [
            models.Index(fields=["family", "position"], name="level_family_position"),
            models.Index(
                fields=["family", "position", "title", "slug", "group"], name="level_admin_search"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["family", "slug"], name="unique_level_slug"),
            models.UniqueConstraint(fields=["family", "title"], name="unique_level_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("ladder:level", self.family.slug, self.slug)

    def save(self, *args, **kwargs) -> None:
        if not self.grade_inferred:
            self.grade_reason = ""  # a stated (or admin-set) grade needs no reason
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        return f"{self.family.slug}/{self.slug}"

    @property
    def manager(self) -> Manager | None:
        """The one reading of reports-to (pages, chart, API, export, admin)."""
        if self.reports_to_id:
            target = self.reports_to
            return Manager(target.title, level=target)
        if self.reports_to_title:
            return Manager(self.reports_to_title, safe_link(self.reports_to_link))
        return None

    @property
    def grade_display(self) -> str:
        if self.grade is None:
            return ""
        text = self.grade.display
        if self.grade_max is not None:
            text += f"–{format_grade(self.grade_max)}"
        return text


class ItemQuerySet(models.QuerySet):
    def extends_links(self) -> ItemQuerySet:
        """The extends links, with the title and address of the level each one names."""
        return (
            self.filter(extends_level__isnull=False)
            .select_related("extends_level__family")
            # Callers order the links themselves: the default ordering joins two more tables.
            .order_by()
            .only(
                "level_id",
                "section",
                "position",
                "extends_level__title",
                "extends_level__slug",
                "extends_level__family__slug",
            )
        )


class Item(models.Model):
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=20, choices=SECTION_CHOICES)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, help_text="Markdown.")
    html = models.TextField(blank=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    extends_level = models.ForeignKey(
        Level,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extended_by",
        help_text="This item splices in the items of another level.",
    )
    extends_section = models.CharField(
        max_length=20,
        blank=True,
        choices=SECTION_CHOICES,
        help_text="The section of that level; blank for every section.",
    )
    history = HistoricalRecords()

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["level", "section", "position"]
        indexes = [models.Index(fields=["level", "section", "position"])]

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        # A nested item hangs under another item of its own level, never under itself or one
        # of its own sub-items: the page would show it nowhere (no top-level item leads to it).
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "An item cannot be its own parent."})
        if self.level_id is not None and self.parent.level_id != self.level_id:
            raise ValidationError({"parent": "The parent must be an item of the same level."})
        if self.pk is not None and self.pk in item_ancestors(self.parent_id):
            raise ValidationError(
                {"parent": "The parent is one of this item's own sub-items: that is a loop."}
            )

    def __str__(self) -> str:
        if self.text:
            return self.text[:80]
        try:
            return f"extends {self.extends_level}"
        except Level.DoesNotExist:
            # A history record keeps the id of a level deleted since (the item itself lost
            # the link: SET_NULL); its history pages must still open.
            return f"extends a deleted level (#{self.extends_level_id})"


def item_ancestors(item_id: int, parents: dict[int, int | None] | None = None) -> list[int]:
    """The ids above an item, nearest first: its parent, the parent's parent… Parents are read
    from ``parents`` (an item id → parent id map of rows about to be saved) before the database;
    a loop stops the walk where it closes."""
    parents = dict(parents or {})
    seen: list[int] = []
    current = parents[item_id] if item_id in parents else _parent_in_db(item_id)
    while current is not None and current not in seen:
        seen.append(current)
        current = parents[current] if current in parents else _parent_in_db(current)
    return seen


def _parent_in_db(item_id: int) -> int | None:
    return Item.objects.filter(pk=item_id).values_list("parent_id", flat=True).first()


class ImportRun(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    files = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    warnings = models.JSONField(default=list)
    dry_run = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.started_at:%Y-%m-%d %H:%M}"


class SiteVersion(models.Model):
    """One row per kind of content (see ``ladder.caching.VERSION_ROWS``): a number bumped in
    the same transaction as every import and edit of that kind.

    Page caches are keyed by it, so every worker and machine sees a change at the moment it
    commits, whatever cache backend serves them.
    """

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"content version {self.number}"


class HandbookUpload(models.Model):
    """Handbook pages an HR admin uploaded in the admin, checked then applied.

    The pages are kept here (not on disk) so the task worker, on any machine, reads the same
    bytes the admin previewed. ``done``/``total`` are the progress the admin page polls.
    """

    class State(models.TextChoices):
        CHECKING = "checking", "checking"
        PREVIEWED = "previewed", "ready to apply"
        APPLYING = "applying", "applying"
        APPLIED = "applied", "applied"
        FAILED = "failed", "failed"

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"name": "engineering/backend.md", "data": "<base64>"}, …] in upload order.
    files = models.JSONField(default=list)
    strict = models.BooleanField(default=False)
    base_url = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKING)
    background = models.BooleanField(default=False, help_text="Run by the task worker.")
    task_id = models.CharField(max_length=64, blank=True)
    step = models.CharField(max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The dry run's counts and warnings, then the applied run's summary line.
    preview = models.JSONField(default=dict, blank=True)
    result = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({len(self.files)} pages, {self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in {self.State.CHECKING, self.State.APPLYING}

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.files]


class SearchDocument(models.Model):
    """One searchable text: a level (its title, group and description) or one of its own items.

    Derived data, rewritten per family by ``ladder.search.search_index_refresh`` from the write
    services. The full-text index lives beside it and is created by migration for the database
    in use: an FTS5 table kept in step by triggers on SQLite, a generated ``tsvector`` column
    with a GIN index on PostgreSQL (see ``ladder/search.py``).
    """

    family = models.ForeignKey(JobFamily, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    # Blank for the level's own document; else the section of the item.
    section = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The level's grade range, copied so a grade filter needs no join.
    grade = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    grade_max = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    title = models.TextField(blank=True)  # plain text, weighted above the body
    body = models.TextField(blank=True)  # plain text as a reader sees it (no markdown)

    def __str__(self) -> str:
        return (self.title or self.body)[:80]
