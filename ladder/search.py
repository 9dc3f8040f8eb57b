"""Search of levels and items: the words of a query, their ranking and highlighting.

The database narrows and pre-orders with portable ``icontains`` lookups (the same on SQLite
and PostgreSQL); the final ranking happens here, over a capped candidate list.

>>> search_words("Lead the FORECAST calls, forecast")
['lead', 'forecast', 'calls']
"""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ladder.comparison import plain
from ladder.models import SECTION_CHOICES, Item, Level

SECTION_LABELS = dict(SECTION_CHOICES)
SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 8
SEARCH_CANDIDATES = 200  # rows fetched per kind before ranking in Python
SEARCH_LEVELS = 20
SEARCH_ITEMS = 50
STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "of", "on"]
    + ["or", "the", "to", "with"]
)


def search_words(query: str) -> list[str]:
    """The distinct words of a query worth matching, lower-cased, at most a few.

    >>> search_words("Lead the FORECAST calls, forecast")
    ['lead', 'forecast', 'calls']
    """
    words: list[str] = []
    for word in re.findall(r"\w+", query.lower()):
        if word not in words:
            words.append(word)
    meaningful = [w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]
    return (meaningful or words)[:SEARCH_MAX_WORDS]


plain_text = plain  # markdown item text as a reader sees it (one implementation)


def highlight(text: str, words: list[str]) -> SafeString:
    """Escape ``text`` and wrap each match of ``words`` in ``<mark>``.

    Matches are found in the raw text and every piece is escaped on its own, so a query can
    never inject markup or split an HTML entity.

    >>> str(highlight("Lead <b>forecast</b> calls", ["forecast"]))
    'Lead &lt;b&gt;<mark>forecast</mark>&lt;/b&gt; calls'
    """
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


def rank(text: str, words: list[str], phrase: str) -> float:
    """Higher for more distinct words, whole-word matches, the exact phrase, shorter text."""
    lowered = text.lower()
    found = [w for w in words if w in lowered]
    if not found:
        return 0.0
    score = 10.0 * len(found)
    score += sum(3.0 for w in found if re.search(rf"\b{re.escape(w)}\b", lowered))
    if len(found) == len(words):
        score += 5.0
    if len(words) > 1 and phrase and phrase in lowered:
        score += 8.0
    return score - min(len(text), 400) / 400.0


def _hits(field: str, words: list[str]):
    """How many of the words a column contains, as a portable SQL expression."""
    cases = [
        Case(
            When(**{f"{field}__icontains": word}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for word in words
    ]
    total = cases[0]
    for case in cases[1:]:
        total = total + case
    return total


def _any_word(field: str, words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


# What a search result shows of a level (its effective lists are large and not needed).
SEARCH_LEVEL_FIELDS = (
    "id",
    "slug",
    "title",
    "group",
    "position",
    "grade_max",
    "family__slug",
    "family__title",
    "grade__number",
)


def run_search(query: str) -> dict:
    """Levels and items matching the words of ``query``, best first.

    The database narrows and pre-orders with portable ``icontains`` lookups (the same on
    SQLite and PostgreSQL); the final ranking happens here, over a capped candidate list.
    """
    query = query.strip()[:SEARCH_MAX_CHARS]
    words = search_words(query)
    result = {"query": query, "words": words, "levels": [], "items": [], "total": 0}
    if not words:
        return result
    phrase = " ".join(re.findall(r"\w+", query.lower()))

    # Candidates are ranked as plain tuples; model objects are built only for what is shown
    # (building hundreds of them was most of a search's time on a large ladder).
    level_rows = (
        Level.objects.filter(_any_word("title", words))
        .annotate(hits=_hits("title", words))
        .order_by("-hits", "family__title", "position")
        .values_list("id", "title")[:SEARCH_CANDIDATES]
    )
    levels = sorted(
        ((rank(title, words, phrase), title, pk) for pk, title in level_rows),
        key=lambda row: (-row[0], row[1]),
    )
    shown_levels = (
        Level.objects.select_related("family", "grade")
        .only(*SEARCH_LEVEL_FIELDS)
        .in_bulk([pk for _score, _title, pk in levels[:SEARCH_LEVELS]])
    )
    result["levels"] = [
        {"level": shown_levels[pk], "title": highlight(title, words)}
        for _score, title, pk in levels[:SEARCH_LEVELS]
    ]

    item_rows = (
        Item.objects.filter(_any_word("text", words))
        .annotate(hits=_hits("text", words))
        .order_by("-hits", "level__family__title", "level__position", "section", "position")
        .values_list("id", "text", "level__title", "position")[:SEARCH_CANDIDATES]
    )
    items = []
    for pk, raw, level_title, position in item_rows:
        text = plain_text(raw)
        score = rank(text, words, phrase)
        if score > 0:  # the word may only have matched inside a link's address
            items.append((score, level_title, position, text, pk))
    items.sort(key=lambda row: (-row[0], row[1], row[2]))
    shown_items = (
        Item.objects.select_related("level__family", "level__grade")
        .only("id", "section", "position", *(f"level__{name}" for name in SEARCH_LEVEL_FIELDS))
        .in_bulk([row[-1] for row in items[:SEARCH_ITEMS]])
    )
    result["items"] = [
        {
            "item": shown_items[pk],
            "level": shown_items[pk].level,
            "html": highlight(text, words),
            "section": SECTION_LABELS.get(shown_items[pk].section, shown_items[pk].section),
            "url": f"{shown_items[pk].level.get_absolute_url()}#{shown_items[pk].section}",
        }
        for _score, _level, _position, text, pk in items[:SEARCH_ITEMS]
    ]
    result["total"] = len(result["levels"]) + len(result["items"])
    result["more"] = len(levels) > SEARCH_LEVELS or len(items) > SEARCH_ITEMS
    return result
