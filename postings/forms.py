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
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


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
