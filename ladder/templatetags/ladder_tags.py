"""Template helpers for markup that every page repeats at the size of the whole ladder."""

from __future__ import annotations

from html import escape  # Django's lazy-aware wrapper costs more than the escaping here

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def family_options(families: list[tuple[str, str]], selected: str = "") -> SafeString:
    """``<option>`` elements for (slug, title) pairs, ``selected`` marked.

    Built in Python: a template loop over every family of a large ladder cost more than the
    rest of a level page.

    >>> str(family_options([("a", "A & B"), ("c", "C")], "c"))
    '<option value="a">A &amp; B</option><option value="c" selected>C</option>'
    """
    parts = []
    for slug, title in families:
        mark = " selected" if slug == selected else ""
        parts.append(f'<option value="{escape(slug)}"{mark}>{escape(title)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.filter
def file_name(path: str) -> str:
    """The last part of a stored source path: pages never show where a file sat on the server.

    >>> file_name("/srv/import/handbook/engineering--backend.md")
    'engineering--backend.md'
    """
    return (path or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
