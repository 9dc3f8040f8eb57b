from __future__ import annotations

from django import forms

from ladder.models import Level


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".html,.htm,.txt,.md"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        cleaned, errors = [], []
        for file in files:
            try:
                cleaned.append(super().clean(file, initial))
            except forms.ValidationError as exc:
                # Say which file: "empty.html: The submitted file is empty."
                name = getattr(file, "name", "") or "upload"
                name = name.replace("\\", "/").rsplit("/", 1)[-1]
                errors.extend(f"{name}: {message}" for message in exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Posting files",
        required=False,
        help_text="Job-board HTML, plain text or job-board markdown. The format is detected.",
    )
    text = forms.CharField(
        label="Or paste a posting",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="The text of a job posting as copied from a job board: title first.",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("files") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Choose a posting file or paste the text of a posting.")
        return cleaned


class ConfirmLevelForm(forms.Form):
    """The confirmed level, picked from levels grouped by family (``<optgroup>``)."""

    level = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, levels: list[Level], **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {lv.pk: lv for lv in levels}
        self.fields["level"].choices = [("", "— no level —"), *level_choices(levels)]

    def clean_level(self) -> Level | None:
        pk = self.cleaned_data.get("level")
        return None if pk is None else self.levels[pk]


def level_choices(levels: list[Level]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Levels grouped by family, each labelled with its track and grade when they tell apart
    two levels of the same title ("Growth" in two tracks)."""
    groups: dict[str, list[Level]] = {}
    for lv in levels:
        groups.setdefault(lv.family.title, []).append(lv)
    choices = []
    for family_title, members in groups.items():
        seen: dict[str, int] = {}
        for lv in members:
            seen[lv.title] = seen.get(lv.title, 0) + 1
        options = []
        for lv in members:
            label = lv.title
            if seen[lv.title] > 1 and lv.group:
                label += f" ({lv.group})"
            if lv.grade_id:
                label += f" · grade {lv.grade_display}"
            options.append((lv.pk, label))
        choices.append((family_title, options))
    return choices
