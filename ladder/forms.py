"""Admin forms: validation an HR admin can read, and no lost updates."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from ladder.form_markup import ROW_RENDERER
from ladder.inheritance import find_cycle
from ladder.models import SECTION_CHOICES, Item, Level, format_grade, item_ancestors


class TextareaField(forms.CharField):
    """A textarea's text with the browser's line endings (CRLF, as HTML forms send them) read as
    the stored LF: a form sent back untouched changes nothing, so saving one item does not also
    record a "change" of the level's description that is only its line endings."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class LevelAdminForm(forms.ModelForm):
    check_version = True

    # The version the admin loaded; a save is refused if someone saved in between.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    grade_number = forms.DecimalField(
        label="Grade",
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text="Leave empty for no grade.",
    )

    class Meta:
        model = Level
        fields = [
            "family",
            "title",
            "slug",
            "position",
            "group",
            "grade_number",
            "grade_max",
            "grade_inferred",
            "description",
            "reports_to",
            "reports_to_title",
            "reports_to_link",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            if self.instance.grade_id:
                self.fields["grade_number"].initial = self.instance.grade.number

    def clean_grade_number(self):
        value = self.cleaned_data.get("grade_number")
        low, high = settings.LADDER_GRADE_MIN, settings.LADDER_GRADE_MAX
        if value is not None and not (low <= value <= high):
            raise ValidationError(
                f"Grade {format_grade(value)} is outside the allowed range {low}–{high} "
                "(LADDER_GRADE_MIN / LADDER_GRADE_MAX)."
            )
        return value

    def clean(self):
        cleaned = super().clean()
        grade, grade_max = cleaned.get("grade_number"), cleaned.get("grade_max")
        if grade_max is not None and (grade is None or grade_max <= grade):
            self.add_error("grade_max", "The upper grade must be above the grade.")
        reports_to = cleaned.get("reports_to")
        if reports_to is not None and self.instance.pk and reports_to.pk == self.instance.pk:
            self.add_error("reports_to", "A level cannot report to itself.")
        family, title = cleaned.get("family"), cleaned.get("title")
        if family and title:
            clash = Level.objects.filter(family=family, title__iexact=title.strip())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("title", f"{family.title} already has a level “{title}”.")
        if self.instance.pk and self.check_version:
            self._check_version(cleaned)
        return cleaned

    def _check_version(self, cleaned) -> None:
        loaded = cleaned.get("loaded_version")
        # Read the row under a lock: the admin's change view runs in one transaction, so
        # nobody can save between this check and our save.
        current = Level.objects.select_for_update().get(pk=self.instance.pk)
        if loaded is not None and current.version != loaded:
            # What changed meanwhile: the history record of the version this admin loaded
            # against the row as it is now.
            before = current.history.filter(version=loaded).order_by("-history_date").first()
            changed = []
            for name in (
                "title",
                "group",
                "grade_id",
                "grade_max",
                "grade_inferred",
                "description",
                "reports_to_id",
                "reports_to_title",
                "position",
            ):
                if before is not None and getattr(before, name) != getattr(current, name):
                    changed.append(name.removesuffix("_id").replace("_", " "))
            who = current.history.first()
            user = who.history_user if who else None
            # "saved by hr" read as a phrase, not a name: quote the account and say whose.
            if user is None:
                saver = "Someone else"
            elif user.get_full_name():
                saver = f"{user.get_full_name()} (account “{user.get_username()}”)"
            else:
                saver = f"The account “{user.get_username()}”"
            when = f" at {who.history_date:%Y-%m-%d %H:%M} UTC" if who else ""
            what = ", ".join(changed) or "its items"
            raise ValidationError(
                f"{saver} saved this level{when} while you were editing "
                f"(changed: {what}). Your changes were not saved: reload the page to see "
                "the current version, then make your edit again."
            )


class RevertLevelForm(LevelAdminForm):
    """The admin's revert of a level: the old version's fields, and its items if wanted."""

    check_version = False  # reverting saves an old version on purpose
    saved_items: list[Item] = []  # the items saved with that version (set per request)

    restore_items = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["restore_items"]
        field.label = f"Also restore the {len(self.saved_items)} items saved with this version"
        shown = [f"{i.section}: {i.text[:60] or 'extends'}" for i in self.saved_items[:12]]
        field.help_text = "; ".join(shown) + ("; …" if len(self.saved_items) > 12 else "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("restore_items") and self.instance.pk:
            # The old items' links may close a cycle with links added since: refused here,
            # before anything is written (the effective lists could not be computed).
            targets = {i.extends_level_id for i in self.saved_items if i.extends_level_id}
            if path := extends_cycle(self.instance, targets):
                raise ValidationError(
                    f"Restoring the items saved with this version would make an extends "
                    f"cycle: {path}. Revert without them, or remove one of those links first."
                )
        return cleaned


class ItemInlineForm(forms.ModelForm):
    """One item row of the level form: a blank position means "after the section's last item"
    (``level_save`` places it), so adding an item needs no counting."""

    # The rows' boxes, labels and error lists written in Python: the form templates were most
    # of a level form's time (``ladder.form_markup``).
    default_renderer = ROW_RENDERER

    # No blank choice: a row's section is its group's until moved.
    section = forms.ChoiceField(choices=SECTION_CHOICES)
    extends_section = forms.ChoiceField(
        choices=[("", "every section"), *SECTION_CHOICES], required=False
    )
    position = forms.IntegerField(
        min_value=0, required=False, widget=forms.NumberInput(attrs={"placeholder": "end"})
    )

    class Meta:
        model = Item
        fields = ["section", "position", "parent", "text", "extends_level", "extends_section"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Said once per group (section_items.html), not pointed at from every row by an
            # aria-describedby that a row-by-row table never renders.
            field.help_text = ""
        if self.instance.pk is None:
            # Not the model's default 0 (first of the section) when the box is left out.
            self.instance.position = None


class ItemInlineFormSet(BaseInlineFormSet):
    """The items of one section of a level (``section``; every section when empty).

    Refuses a level extending itself and any extends cycle, with the cycle named. Checking one
    section's rows is enough: a cycle through this level leaves it by one extends link.
    """

    section: str = ""

    @classmethod
    def get_default_prefix(cls) -> str:
        # "items-requirements": one formset per section, named for it in the POST data.
        prefix = super().get_default_prefix()
        return f"{prefix}-{cls.section}" if cls.section else prefix

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if self.section:
            # A new row of this group belongs to its section (the select can still move it).
            form.fields["section"].initial = self.section

    def clean(self):
        super().clean()
        level = self.instance
        if not level.pk:
            return
        targets = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            target = form.cleaned_data.get("extends_level")
            if target is None:
                continue
            if target.pk == level.pk:
                form.add_error("extends_level", "A level cannot extend itself.")
                continue
            targets.append(target)
        if path := extends_cycle(level, {t.pk for t in targets}):
            raise ValidationError(f"This would make an extends cycle: {path}.")
        self._refuse_parent_loops()

    def _refuse_parent_loops(self) -> None:
        # Each row's own check (Item.clean) reads the other rows' parents from the database;
        # two rows made each other's parent in one save only show as a loop here.
        rows = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.instance.pk is not None
        ]
        parents = {
            form.instance.pk: (p.pk if (p := form.cleaned_data.get("parent")) else None)
            for form in rows
        }
        for form in rows:
            if form.instance.pk in item_ancestors(form.instance.pk, parents):
                form.add_error(
                    "parent", "The parent is one of this item's own sub-items: that is a loop."
                )


def extends_cycle(level: Level, targets: set[int]) -> str | None:
    """The extends cycle (its levels' titles, in order) ``level`` would be in if it extended
    the levels ``targets`` (its own links left out: the caller replaces them), or None."""
    if not targets:
        return None
    edges = _extends_links_from(targets, but_not=level.pk)
    edges[str(level.pk)] = {str(t) for t in targets}
    cycle = find_cycle(edges)
    if not cycle or str(level.pk) not in cycle:
        return None
    names = dict(Level.objects.filter(pk__in=[int(k) for k in cycle]).values_list("pk", "title"))
    return " → ".join(names.get(int(k), f"#{k}") for k in cycle)


def _extends_links_from(starts: set[int], *, but_not: int) -> dict[str, set[str]]:
    """The extends links reachable from the levels ``starts`` (``but_not``'s own left out: the
    form replaces them), by level id: what a cycle through a level being saved can use.

    One query per step along the chains, which are a few links deep, instead of every link of
    the ladder (37,000 at 3,000 families, about 200 ms for each section group of a save).
    """
    edges: dict[str, set[str]] = {}
    seen: set[int] = set()
    frontier = set(starts)
    while frontier:
        seen |= frontier
        links = (
            Item.objects.filter(level_id__in=frontier, extends_level__isnull=False)
            .exclude(level_id=but_not)
            .values_list("level_id", "extends_level_id")
        )
        frontier = set()
        for source, target in links:
            edges.setdefault(str(source), set()).add(str(target))
            if target not in seen:
                frontier.add(target)
    return edges


class ReimportForm(forms.Form):
    source = forms.FileField(
        # The importer explains an empty page better than "The submitted file is empty".
        allow_empty_file=True,
        label="New version of the handbook page (.md)",
        help_text="A preview shows what would change; nothing is saved until you apply it.",
    )


class ApplyReimportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    overwrite_admin_edits = forms.BooleanField(
        required=False,
        label="Replace the admin edits listed as conflicts with the page's text",
    )
    confirm_other_family = forms.BooleanField(
        required=False,
        label="The page names another family: import it into this family anyway",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern of Django's file-upload documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class HandbookUploadForm(forms.Form):
    files = MultipleFileField(
        allow_empty_file=True,
        label="Handbook pages",
        help_text=(
            "One or more .md pages, or a .zip of a folder of them; new families and new "
            "versions of existing ones. A preview shows what would change before anything is "
            "saved."
        ),
    )
    strict = forms.BooleanField(
        required=False,
        label="Strict: an unknown extends target or a level extending itself is an error",
    )
    base_url = forms.URLField(
        required=False,
        max_length=300,
        label="Handbook base URL",
        help_text="Where the pages' relative links point, e.g. https://handbook.gitlab.com "
        "(default: the host most of the page's links use).",
    )
