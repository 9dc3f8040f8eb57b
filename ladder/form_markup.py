"""A form renderer that writes the markup of Django's small form templates in Python.

A level's admin form has one row per item, each with six controls, their labels, error lists
and hidden fields: about 230 template renders for a level of 18 items. Through the template
engine each costs 0.1–1 ms (select boxes the most), 250 of the form's 400 ms. ``RowRenderer``
produces the same markup as the templates it replaces (``django/forms/widgets/*.html``,
``django/forms/label.html``, an empty error list, the admin's related-widget wrapper when it
shows no more than the "view" link) and hands any other template, or a case it does not cover,
to Django's renderer.

Escaping rule: every value written goes through ``_text`` (HTML-escaped unless already marked
safe, as the template engine's autoescaping does); markup is only ever the literal strings here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape  # Django's lazy-aware ``escape`` costs more than the escaping itself
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.templatetags.static import static
from django.utils.safestring import SafeData
from django.utils.translation import gettext


def _text(value: object) -> str:
    """``{{ value }}`` with autoescaping (``stringformat:'s'`` keeps a safe value safe too).

    >>> _text('a "b" <c>')
    'a &quot;b&quot; &lt;c&gt;'
    """
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: ``False`` leaves the attribute out, ``True`` writes
    its name alone.

    >>> _attrs({"id": "id_x", "required": True, "disabled": False, "rows": 2})
    ' id="id_x" required rows="2"'
    """
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_text(value)}"')
    return "".join(parts)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(context: Mapping[str, Any]) -> str | None:
    widget = context["widget"]
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None  # a widget with its own option markup: the template knows it
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template's last line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context: Mapping[str, Any]) -> str:
    if not context["use_tag"]:
        return _text(context["label"])
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{_text(context['label'])}</{tag}>"


def _error_list(context: Mapping[str, Any]) -> str | None:
    errors = context["errors"]
    if not errors:
        return ""
    return None  # rare: an invalid row; the template writes it


def _related_wrapper(context: Mapping[str, Any]) -> str | None:
    """The admin's wrapper around a foreign-key box, with its "view" link if it has one."""
    if context["can_add_related"] or context["can_change_related"] or context["can_delete_related"]:
        return None  # the pop-up add, change and delete links: left to the template
    ref = (
        ""
        if context["model_has_limit_choices_to"]
        else f' data-model-ref="{_text(context["model_name"])}"'
    )
    link = ""
    if context["can_view_related"] and not context["is_hidden"]:
        title = gettext("View selected %(model)s") % {"model": context["model"]}
        url = f"{context['change_related_template_url']}?{context['view_related_url_params']}"
        link = (
            f'<a class="related-widget-wrapper-link view-related" '
            f'id="view_id_{_text(context["name"])}" data-href-template="{_text(url)}" '
            f'title="{_text(title)}"><img src="{_text(static("admin/img/icon-viewlink.svg"))}" '
            'alt="" width="24" height="24"></a>'
        )
    return (
        f'<div class="related-widget-wrapper"{ref}>\n    {context["rendered_widget"]}\n    '
        f"{link}\n</div>"
    )


WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("input", "text", "number", "hidden", "checkbox")
    },
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/label.html": _label,
    "django/forms/errors/list/ul.html": _error_list,
    "admin/widgets/related_widget_wrapper.html": _related_wrapper,
}


class RowRenderer(DjangoTemplates):
    """Django's form renderer, with the templates above written in Python.

    >>> RowRenderer().render("django/forms/label.html", {
    ...     "use_tag": True, "tag": "label", "attrs": {"for": "id_a"}, "label": "A & B:"})
    '<label for="id_a">A &amp; B:</label>'
    """

    def render(self, template_name: str, context: Mapping[str, Any], request=None) -> str:
        writer = WRITERS.get(template_name)
        html = writer(context) if writer else None
        if html is None:
            return super().render(template_name, context, request)
        return html


ROW_RENDERER = RowRenderer()
