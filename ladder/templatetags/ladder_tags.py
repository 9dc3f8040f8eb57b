"""Template helpers for markup that every page repeats at the size of the whole ladder."""

from __future__ import annotations

from html import escape  # Django's lazy-aware wrapper costs more than the escaping here

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from ladder.page_urls import page_url

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
def option_selected(options: str, value: str) -> SafeString:
    """``family_options``' output with ``value``'s option marked, as
    ``family_options(families, value)`` would give: the compare page escapes every family
    once, not once per picker.

    >>> str(option_selected(family_options([("a", "A"), ("c", "C")]), "c"))
    '<option value="a">A</option><option value="c" selected>C</option>'
    """
    tag = f'<option value="{escape(value)}">'
    return mark_safe(options.replace(tag, f'<option value="{escape(value)}" selected>', 1))  # noqa: S308


@register.filter
def file_name(path: str) -> str:
    """The last part of a stored source path: pages never show where a file sat on the server.

    >>> file_name("/srv/import/handbook/engineering--backend.md")
    'engineering--backend.md'
    """
    return (path or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- the family chart
# A family page's SVG chart, one filter per loop of ``ladder/family.html``: the template loops
# (a box has a dozen attributes, each a variable lookup, a localised number and an escape) were
# half of a cold family page. Each filter returns exactly what its loop rendered, whitespace
# included. Escaping: every text is ``html.escape``d (the same five characters as Django's
# autoescape); numbers go through ``_number``; URLs and paths are escaped like text.


def _number(value: float) -> str:
    """A coordinate as the template printed it (``localize`` of an int or a float).

    >>> _number(12), _number(122.0), _number(0.5)
    ('12', '122.0', '0.5')
    """
    if type(value) is int or (type(value) is float and "e" not in repr(value)):
        # What number_format makes of them without a thousand separator, at a fraction of
        # its cost; anything else (a Decimal, an exponent) takes Django's own path.
        return repr(value)
    return str(localize(value))


def _tspans(lines) -> str:
    return "".join(
        f'<tspan x="{_number(line.x)}" y="{_number(line.y)}">{escape(line.text)}</tspan>'
        for line in lines
    )


@register.filter
def chart_rows(chart) -> SafeString:
    """The grade rows: a band each, its label linked to the grade's page."""
    parts = []
    width = _number(chart.width)
    for row in chart.rows:
        band = " chart-row-band" if row.band else ""
        label, label_y = escape(row.label), _number(row.label_y)
        parts.append(
            f'\n            <rect class="chart-row{band}" x="0" y="{_number(row.y)}" '
            f'width="{width}" height="{_number(row.height)}"/>\n            '
        )
        if row.grade:
            url = escape(reverse("ladder:grade", args=[row.grade]))
            parts.append(
                f'\n              <a href="{url}" class="chart-row-link" aria-label="{label}: '
                f'every level at this grade">\n                <text class="chart-row-label" '
                f'x="16" y="{label_y}">{label}</text>\n              </a>\n            '
            )
        else:
            parts.append(
                '\n              <text class="chart-row-label chart-row-label-muted" x="16" '
                f'y="{label_y}">{label}</text>\n            '
            )
        parts.append("\n          ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.filter
def chart_columns(chart) -> SafeString:
    """The track names across the top."""
    return mark_safe(  # noqa: S308 - every value is escaped in _tspans
        "".join(
            '\n            <text class="chart-col-label" text-anchor="middle">'
            f"{_tspans(column.lines)}</text>\n          "
            for column in chart.columns
        )
    )


@register.filter
def chart_edges(chart) -> SafeString:
    """The reports-to lines."""
    parts = []
    for edge in chart.edges:
        external = " chart-edge-external" if edge.external else ""
        parts.append(
            f'\n            <path class="chart-edge{external}" d="{escape(edge.path)}" '
            'marker-end="url(#chart-arrow)"/>\n          '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.filter
def chart_boxes(chart) -> SafeString:
    """The level boxes, each a link to its level (or a role outside the family)."""
    parts = []
    for box in chart.boxes:
        label = escape(box.label)
        parts.append("\n            ")
        if box.url:
            classes = (
                (" is-inferred" if box.inferred else "")
                + (" is-external" if box.external else "")
                + (" is-ungraded" if box.ungraded else "")
            )
            rel = ' rel="noopener noreferrer"' if box.external else ""
            parts.append(
                f'<a href="{escape(box.url)}" class="chart-box{classes}" aria-label="{label}"{rel}>'
            )
        else:
            parts.append(f'<g class="chart-box is-external" role="img" aria-label="{label}">')
        parts.append(
            f"\n              <title>{escape(box.tooltip)}</title>"
            f'\n              <rect x="{_number(box.x)}" y="{_number(box.y)}" '
            f'width="{_number(box.width)}" height="{_number(box.height)}" rx="7"/>'
            f'\n              <text class="chart-box-title">{_tspans(box.lines)}</text>'
            "\n              "
        )
        if box.note:
            note = box.note
            parts.append(
                f'<text class="chart-box-note" x="{_number(note.x)}" y="{_number(note.y)}">'
                f"{escape(note.text)}</text>"
            )
        parts.append("\n            " + ("</a>" if box.url else "</g>") + "\n          ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag(name="page_url")
def page_url_tag(name: str, *args: str) -> str:
    """``{% url %}`` for the URLs every page prints, reversed once per process (see
    ``ladder.page_urls``); escaped like ``{% url %}``'s output."""
    return page_url(name, *(str(arg) for arg in args))
