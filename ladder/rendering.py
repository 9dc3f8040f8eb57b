"""Markdown → safe HTML, in one place (import time, admin saves and pages all call this)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from html import escape

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "code",
    "br",
    "p",
    "ul",
    "ol",
    "li",
    "blockquote",
    "del",
    "sup",
    "sub",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "h5",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}
_LINK_TARGET = re.compile(r"(\]\()(/[^)\s]*)")
_OUTER_P = re.compile(r"^<p>(.*)</p>$", re.S)


_SITE_LINK = re.compile(r"\[([^\]\n]*)\]\(/[^)\n]*\)")


def resolve_links(text: str, base_url: str) -> str:
    """Site-relative markdown links ``](/handbook/…)`` → absolute against the family's site.

    With no site known they would open inside Ladder and 404: their text is kept, unlinked.
    """
    if not base_url:
        return _SITE_LINK.sub(lambda m: m.group(1), text) if "](/" in text else text
    return _LINK_TARGET.sub(lambda m: m.group(1) + base_url.rstrip("/") + m.group(2), text)


def default_base_url() -> str:
    """The handbook site for pages that name none (``LADDER_HANDBOOK_BASE_URL``)."""
    from django.conf import settings

    return getattr(settings, "LADDER_HANDBOOK_BASE_URL", "")


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_PLAIN = re.compile(r"^[^\[\]*_`<>&\\!#|~]*$")
_local = threading.local()


def _markdown() -> markdown.Markdown:
    # Building a parser costs more than converting; a Markdown instance is not thread-safe,
    # so each thread keeps its own and resets it per call.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    return md


# A line that may start a list right under a paragraph line (CommonMark's rule: a bullet, or
# an ordered list that starts at 1, indented at most three spaces, with text after it).
_LIST_INTERRUPTS = re.compile(r"^ {0,3}(?:[-*+]|1\.)[ \t]+\S")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
_RULE_LINE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MAYBE_TIGHT_LIST = re.compile(r"\S[^\n]*\n {0,3}(?:[-*+]|1\.)[ \t]")


def open_lists(text: str) -> str:
    r"""Put a blank line between a paragraph line and a list that starts right under it.

    Handbook pages write "… functional teams to:" with ``  * item`` on the next line; a
    reader (and CommonMark) sees a list, Python-Markdown a run-on paragraph unless a blank
    line comes first. Lines inside a list, code fences and headings are left as they are.

    >>> open_lists("Teams to:\n  * analyse\n  * model")
    'Teams to:\n\n  * analyse\n  * model'
    """
    if "\n" not in text or not _MAYBE_TIGHT_LIST.search(text):
        return text
    out: list[str] = []
    fence = ""
    after = "blank"  # the line above: "blank", "para", "list" (in a list) or "other"
    in_list = False
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
            out.append(line)
            continue
        if not stripped:
            after = "blank"
        elif stripped.startswith(("```", "~~~")):
            fence, after, in_list = stripped[:3], "other", False
        elif stripped.startswith("#") or _RULE_LINE.match(line):
            after, in_list = "other", False
        elif _LIST_LINE.match(line):
            if after == "para" and _LIST_INTERRUPTS.match(line):
                out.append("")
            after, in_list = "list", True
        elif in_list and (after == "list" or line.startswith((" ", "\t"))):
            after = "list"  # a wrapped item line, or an indented paragraph of a loose item
        else:
            after, in_list = "para", False
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=4096)
def _convert(text: str, inline: bool) -> str:
    if inline and _PLAIN.match(text) and "\n" not in text and not text[:1].isdigit():
        # Most items are plain sentences: no markdown to render, only escaping.
        return escape(text)
    html = _markdown().reset().convert(open_lists(text))
    if inline:
        match = _OUTER_P.match(html.strip())
        if match and "<p>" not in match.group(1):
            html = match.group(1)
    return sanitize(html)


def markdown_to_html(text: str, base_url: str = "", *, inline: bool = True) -> str:
    """Render markdown (an item's text, or a block with ``inline=False``) to sanitised HTML.

    >>> markdown_to_html("[values](/handbook/values/)", "https://about.gitlab.com")[:51]
    '<a href="https://about.gitlab.com/handbook/values/"'
    """
    return _convert(resolve_links(text, base_url or default_base_url()), inline)
