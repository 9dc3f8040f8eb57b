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
        help_text="Job-board HTML, plain text or job-board markdown. The format is detected.",
    )


class ConfirmLevelForm(forms.Form):
    level = forms.ModelChoiceField(
        queryset=Level.objects.select_related("family").order_by("family__title", "position"),
        required=False,
        empty_label="— no level —",
    )
