"""Full-text search over levels and items: SQLite FTS5 or PostgreSQL ``tsvector`` with GIN.

Each level and each of its own items is one :class:`~ladder.models.SearchDocument` (plain
text, the level's family and grade range copied beside it). The write services call
:func:`search_index_refresh` for the families they wrote, in their transaction, so the index
is current the moment an import or edit commits. The index itself is the database's:

- SQLite: an external-content FTS5 table (``porter unicode61`` tokenizer: "forecasting"
  finds "forecast") that triggers keep in step with the documents table;
- PostgreSQL: a stored generated ``tsvector`` column (``english`` configuration, the title
  weighted A, the body D) with a GIN index.

Both are created by migration (:func:`index_sql`). A query is ranked in the database (FTS5
``bm25``, PostgreSQL ``ts_rank``) and answered, page and total, in one statement; the words
found are marked in Python (:func:`marked`), the same way on both databases.
Every ``connection.vendor`` branch of search lives in this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ladder.bulk import copy_rows
from ladder.comparison import plain
from ladder.models import Grade, Item, JobFamily, Level, SearchDocument, format_grade

FTS_TABLE = "ladder_search_fts"
PG_CONFIG = "english"
MAX_CHARS = 200
MAX_WORDS = 8
PAGE_SIZE = 20
# Matches ranked per query at most. A word found in a tenth of a 3,000-family ladder matches
# tens of thousands of items, and scoring each is the one cost of a search that grows with the
# ladder; past this many the page says so and offers the filters (``SearchResults.windowed``).
RANK_WINDOW = 4000
MAX_PAGE = 50  # deeper pages rank every match again for nothing a reader needs
TITLE_WEIGHT = 10.0  # a word in a level's title counts ten times a word of an item
SNIPPET_WORDS = 24
STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "of", "on"]
    + ["or", "the", "to", "with"]
)
# Control characters have no place in plain text (and none survive into the documents).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SECTION_LABELS = {
    "responsibilities": "Responsibilities",
    "requirements": "Requirements",
    "general": "General",
}


# --------------------------------------------------------------------------- the index


def index_sql(vendor: str) -> list[str]:
    """Statements that create the full-text index beside ``ladder_searchdocument``."""
    table = SearchDocument._meta.db_table
    if vendor == "sqlite":
        # External content: the text is stored once (in the documents table). New documents
        # are indexed by _insert in one statement (an insert trigger, row by row, cost 15
        # times more); triggers take out what is deleted or changed, whoever deletes it
        # (a family or level deleted cascades to its documents).
        # family_id is indexed too, as a word (the family filter: see _sqlite_match).
        cols = "title, body, family_id"
        new = "new.id, new.title, new.body, new.family_id"
        old = "'delete', old.id, old.title, old.body, old.family_id"
        return [
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content='{table}', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ({old}); END",
            f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON {table} BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ({old}); "
            f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES ({new}); END",
        ]
    if vendor == "postgresql":
        return [
            f"ALTER TABLE {table} ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
            f"setweight(to_tsvector('{PG_CONFIG}', title), 'A') || "
            f"setweight(to_tsvector('{PG_CONFIG}', body), 'D')) STORED",
            f"CREATE INDEX ladder_search_vector ON {table} USING gin (vector)",
        ]
    raise NotImplementedError(f"full-text search on {vendor}")


def drop_index_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]  # its triggers go with the documents table
    return []  # the column and its index go with the table


def search_index_refresh(*, family_ids: Iterable[int]) -> int:
    """Rewrite the search documents of these families from what is stored; returns the count.

    Call inside the writing transaction, after the levels and items are written: readers see
    the new index exactly when they see the new data.

    >>> search_index_refresh(family_ids={family.pk})  # doctest: +SKIP
    17
    """
    ids = sorted(set(family_ids))
    if not ids:
        return 0
    # No relation points at documents: this is one DELETE statement, not a fetch.
    SearchDocument.objects.filter(family_id__in=ids).delete()
    levels = Level.objects.filter(family_id__in=ids).order_by("family_id", "position")
    level_rows = list(
        levels.values_list(
            "id", "family_id", "title", "group", "description", "grade__number", "grade_max"
        )
    )
    item_rows = (
        Item.objects.filter(level__family_id__in=ids)
        .exclude(text="")
        .order_by("level_id", "section", "position")
        .values_list("level_id", "section", "position", "text")
        .iterator(chunk_size=5000)
    )
    rows = documents(level_rows, item_rows)
    _insert(rows)
    return len(rows)


def search_index_rebuild() -> int:
    """Every family's documents again (after a restore, or a bulk change made outside Ladder)."""
    return search_index_refresh(family_ids=JobFamily.objects.values_list("pk", flat=True))


def documents(level_rows: Iterable[tuple], item_rows: Iterable[tuple]) -> list[tuple]:
    """Document rows in the column order of ``DOCUMENT_COLUMNS`` from plain level and item rows.

    ``level_rows``: (id, family id, title, group, description, grade, grade max);
    ``item_rows``: (level id, section, position, markdown text).

    >>> documents([(1, 2, "Analyst", "", "", None, None)], [(1, "general", 0, "**Own** it")])
    [(2, 1, '', 0, None, None, 'Analyst', ''), (2, 1, 'general', 0, None, None, '', 'Own it')]
    """
    out: list[tuple] = []
    by_level: dict[int, tuple] = {}
    for pk, family_id, title, group, description, grade, grade_max in level_rows:
        by_level[pk] = (family_id, grade, grade_max)
        body = " · ".join(part for part in (group, _plain(description)) if part)
        out.append((family_id, pk, "", 0, grade, grade_max, _plain(title), body))
    for level_id, section, position, text in item_rows:
        family_id, grade, grade_max = by_level[level_id]
        body = _plain(text)
        if body:
            out.append((family_id, level_id, section, position, grade, grade_max, "", body))
    return out


DOCUMENT_COLUMNS = (
    "family_id",
    "level_id",
    "section",
    "position",
    "grade",
    "grade_max",
    "title",
    "body",
)


def _plain(text: str) -> str:
    return plain(_CONTROL.sub(" ", text or ""))


def _insert(rows: list[tuple]) -> None:
    """Many rows at once: ``COPY`` on PostgreSQL (the generated column indexes each row);
    on SQLite one prepared ``INSERT`` run per row, then the new rows into FTS5 in one
    statement."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_rows(SearchDocument._meta.db_table, DOCUMENT_COLUMNS, rows)
        return
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in DOCUMENT_COLUMNS)
    with connection.cursor() as cursor:
        # SQLite has one writer at a time (IMMEDIATE transactions): every id above the
        # largest one now is a row written here.
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        (after,) = cursor.fetchone()
        marks = ", ".join(["%s"] * len(DOCUMENT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, title, body, family_id) "
            f"SELECT id, title, body, family_id FROM {table} WHERE id > %s",
            [after],
        )


# --------------------------------------------------------------------------- queries


def grade_choices() -> list[str]:
    """Every grade as written ("9", "9.5"), for the filter; cached per content version."""
    from django.core.cache import cache

    from ladder.services import content_version  # services write through this module

    key = f"ladder:grade-choices:{content_version()}"
    choices = cache.get(key)
    if choices is None:
        numbers = Grade.objects.order_by("number").values_list("number", flat=True)
        choices = [format_grade(number) for number in numbers]
        cache.set(key, choices)
    return choices


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked for, checked: the words, the filters and the page."""

    text: str = ""
    words: tuple[str, ...] = ()
    prefix: bool = False  # the last word is still being typed: match it as a prefix
    family: str = ""  # family slug, or "" for every family
    grade: Decimal | None = None
    page: int = 1
    errors: tuple[str, ...] = ()


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
    return (meaningful or words)[:MAX_WORDS]


def parse_query(params: Mapping[str, str]) -> SearchQuery:
    """A :class:`SearchQuery` from request parameters ``q``, ``family``, ``grade``, ``page``.

    A bad filter or page is named in ``errors`` (and the search is not run), never guessed.

    >>> parse_query({"q": "forecast plan", "grade": "9.5"}).grade
    Decimal('9.5')
    """
    raw = (params.get("q") or "")[:MAX_CHARS]
    text = raw.strip()
    words = search_words(text)
    errors: list[str] = []
    family = (params.get("family") or "").strip()
    if family and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", family):
        errors.append(f"“{family[:60]}” is not a family.")
    grade = None
    if grade_text := (params.get("grade") or "").strip():
        try:
            grade = Decimal(grade_text)
        except InvalidOperation:
            grade = None
        if grade is None or not grade.is_finite() or grade != grade.quantize(Decimal("0.1")):
            errors.append(f"“{grade_text[:20]}” is not a grade (a number such as 9 or 9.5).")
            grade = None
    page = 1
    if page_text := (params.get("page") or "").strip():
        if page_text.isdigit() and 1 <= int(page_text) <= MAX_PAGE:
            page = int(page_text)
        else:
            errors.append(f"The page must be a number from 1 to {MAX_PAGE}.")
    # A query that ends inside a word is being typed (search as you type): its last word
    # matches as a prefix. "forecast " (with the space) matches whole words only.
    last = words[-1] if words else ""
    prefix = bool(last) and raw.lower().rstrip(" ").endswith(last) and not raw.endswith(" ")
    return SearchQuery(text, tuple(words), prefix, family, grade, page, tuple(errors))


@dataclass
class SearchHit:
    """One result: a level (its title) or an item (its text), with where it lives."""

    kind: str  # "level" or "item"
    url: str
    title: SafeString  # the level's title, matches marked
    text: SafeString  # the item, or a level's matching description excerpt
    section: str
    level_title: str
    family_title: str
    group: str
    grade: str
    family_slug: str = ""
    family_url: str = ""  # the same search within this family (set by the view)


@dataclass
class SearchResults:
    query: SearchQuery
    hits: list[SearchHit] = field(default_factory=list)
    # Matches, counted up to one past the ranked window: past it, "more than the window".
    total: int = 0
    any_word: bool = False  # no document held every word: these hold some of them

    @property
    def windowed(self) -> bool:
        """More matches than are ranked: the best of the first ``RANK_WINDOW`` are shown."""
        return self.total > RANK_WINDOW

    @property
    def window(self) -> int:
        return RANK_WINDOW

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-min(self.total, RANK_WINDOW) // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


def search(query: SearchQuery) -> SearchResults:
    """The page of documents asked for, best first, with the number of matches.

    Every word must match (the last one as a prefix while being typed). When no document
    holds them all: documents holding all words but one, else any of them, ranked, so a typo
    or a word the ladder never uses does not empty the page. One query, or more for that
    fallback (ranking every document with a common word costs more than the narrower tries).
    """
    results = SearchResults(query)
    if not query.words or query.errors:
        return results
    rows = _ranked_page(query, _all_words(query))
    if not rows and len(query.words) > 1 and query.page == 1:
        rows = _ranked_page(query, _all_but_one(query))
        if not rows and len(query.words) > 2:
            rows = _ranked_page(query, [[term] for term in _terms(query)])
        results.any_word = bool(rows)
    if not rows and query.page > 1:
        # Past the last page: the total still tells the reader where the results end.
        first = _ranked_page(replace(query, page=1), _all_words(query))
        results.total = first[0][-1] if first else 0
        return results
    results.hits = [_hit(row, query.words) for row in rows]
    results.total = rows[0][-1] if rows else 0
    return results


# A query as alternatives of words that must all match: [[w1, w2, w3]] for every word,
# [[w1, w2], [w1, w3], [w2, w3]] for all but one. Each word is (text, is_prefix).
Alternatives = list[list[tuple[str, bool]]]


def _terms(query: SearchQuery) -> list[tuple[str, bool]]:
    last = len(query.words) - 1
    return [(word, query.prefix and n == last) for n, word in enumerate(query.words)]


def _all_words(query: SearchQuery) -> Alternatives:
    return [_terms(query)]


def _all_but_one(query: SearchQuery) -> Alternatives:
    terms = _terms(query)
    if len(terms) <= 2:
        return [[term] for term in terms]
    return [terms[:n] + terms[n + 1 :] for n in range(len(terms))]


def _ranked_page(query: SearchQuery, alternatives: Alternatives) -> list[tuple]:
    if connection.vendor == "postgresql":
        sql, params = _postgres_sql(query, alternatives)
    else:
        sql, params = _sqlite_sql(query, alternatives)
    with connection.cursor() as cursor, _planned_each_time():
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def _planned_each_time() -> Iterator[None]:
    """PostgreSQL: this query is never prepared (settings: ``DJANGO_DB_PREPARED_STATEMENTS``).

    A prepared query is soon run on a generic plan, made without its parameters; a search's
    best plan depends on how common its words are, and the generic plan of "forecast" at
    3,000 families took 440 ms against 25 ms planned for the word (bench/run.py)."""
    raw = connection.connection
    saved = getattr(raw, "prepare_threshold", None)
    if saved is None:
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = saved


def _filters(query: SearchQuery, *, family: bool = True) -> tuple[str, list]:
    """SQL conditions on the documents ``d`` for the query's filters (``family``: the family
    filter too; SQLite puts it in the match instead, see :func:`_sqlite_match`)."""
    sql, params = "", []
    if query.family and family:
        sql += " AND d.family_id = (SELECT id FROM ladder_jobfamily WHERE slug = %s)"
        params.append(query.family)
    if query.grade is not None:
        # As on the grade page: a level graded "8–9" belongs to grade 9 as well.
        sql += " AND (d.grade = %s OR (d.grade < %s AND d.grade_max >= %s))"
        params += [query.grade] * 3
    return sql, params


# What the page shows of each hit's level; the last column is the number of matches.
_SHOWN = (
    'd.section, l.slug, l.title, l."group", f.slug, f.title, g.number, l.grade_max, d.title, d.body'
)
_JOINS = (
    "JOIN ladder_level l ON l.id = d.level_id "
    "JOIN ladder_jobfamily f ON f.id = d.family_id "
    "LEFT JOIN ladder_grade g ON g.id = l.grade_id"
)


def _fts_phrase(word: str, prefix: bool) -> str:
    phrase = f'"{word}"' + ("*" if prefix else "")
    # The index also holds each document's family id (the family filter): a number typed
    # is looked for in the text columns only.
    return f"{{title body}} : {phrase}" if word.isdigit() else phrase


def _sqlite_match(query: SearchQuery, alternatives: Alternatives) -> tuple[str, list]:
    """The FTS5 query (an SQL expression and its parameters): the words, and the family.

    The family is a column of the index: ``family_id : "7" AND (…)`` intersects the words'
    matches with the family's few hundred documents inside FTS5. Filtered by a join instead,
    every match of the words in the ladder was read first (100 ms for three common words at
    3,000 families, when no document of the family held them all and the fallbacks ran).
    """
    words = " OR ".join(
        "(" + " AND ".join(_fts_phrase(word, prefix) for word, prefix in group) + ")"
        for group in alternatives
    )
    if not query.family:
        return "%s", [words]
    # An unknown family is id 0, which no document has: nothing matches.
    family = "coalesce((SELECT id FROM ladder_jobfamily WHERE slug = %s), 0)"
    return f"""'family_id : "' || {family} || '" AND (' || %s || ')'""", [query.family, words]


def _sqlite_sql(query: SearchQuery, alternatives: Alternatives) -> tuple[str, list]:
    match, match_params = _sqlite_match(query, alternatives)
    filters, params = _filters(query, family=False)
    # Documents are joined only to filter by grade: ranking reads the index alone otherwise.
    # CROSS JOIN keeps the index as the outer loop (SQLite's rule): driven by the documents
    # instead, FTS5 would run the whole match once per document.
    source = FTS_TABLE
    if filters:
        source += f" CROSS JOIN ladder_searchdocument d ON d.id = {FTS_TABLE}.rowid"
    # bm25 of each match ranked is the one cost that grows with the ladder, hence the window;
    # one match past it says "more than the window", as on PostgreSQL.
    # (FTS5's highlight() and snippet() cost more than the ranking, a few milliseconds a
    # row: matches are marked in Python, see marked().)
    sql = f"""
        WITH m AS MATERIALIZED (SELECT {match} AS q),
        ranked AS MATERIALIZED (
            SELECT {FTS_TABLE}.rowid AS id, bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0, 0.0) AS score
            FROM {source}
            WHERE {FTS_TABLE} MATCH (SELECT q FROM m){filters}
            LIMIT {RANK_WINDOW + 1}
        ),
        page AS MATERIALIZED (
            SELECT id, score FROM ranked ORDER BY score, id LIMIT %s OFFSET %s
        ),
        total AS MATERIALIZED (SELECT count(*) AS n FROM ranked)
        SELECT {_SHOWN}, total.n
        FROM page
        JOIN ladder_searchdocument d ON d.id = page.id
        {_JOINS}
        CROSS JOIN total
        ORDER BY page.score, page.id
    """
    offset = (query.page - 1) * PAGE_SIZE
    return sql, [*match_params, *params, _page_size(offset), offset]


def _page_size(offset: int) -> int:
    """Rows of the page starting at ``offset``: pages show the window's matches, not the one
    ranked past it to tell that more match."""
    return max(0, min(PAGE_SIZE, RANK_WINDOW - offset))


def _postgres_sql(query: SearchQuery, alternatives: Alternatives) -> tuple[str, list]:
    # Words are \w+ only, so quoting each as a lexeme is safe; to_tsquery stems them and
    # drops the configuration's stop words.
    tsquery = " | ".join(
        "(" + " & ".join(f"'{word}'" + (":*" if prefix else "") for word, prefix in group) + ")"
        for group in alternatives
    )
    filters, params = _filters(query)
    # ts_rank reads each match's vector, within the window; one match past it says "more
    # than the window" (counting every match read each one's row again: 15.6 of a 24.7 ms
    # one-word search at 3,000 families, for a total no page can reach).
    sql = f"""
        WITH q AS MATERIALIZED (SELECT to_tsquery('{PG_CONFIG}', %s) AS q),
        ranked AS MATERIALIZED (
            SELECT d.id, ts_rank(d.vector, q.q, 1) AS score
            FROM ladder_searchdocument d, q
            WHERE d.vector @@ q.q{filters}
            LIMIT {RANK_WINDOW + 1}
        ),
        page AS MATERIALIZED (
            SELECT id, score FROM ranked ORDER BY score DESC, id LIMIT %s OFFSET %s
        )
        SELECT {_SHOWN}, (SELECT count(*) FROM ranked)
        FROM page
        JOIN ladder_searchdocument d ON d.id = page.id
        {_JOINS}
        ORDER BY page.score DESC, page.id
    """
    offset = (query.page - 1) * PAGE_SIZE
    return sql, [tsquery, *params, _page_size(offset), offset]


def levels_matching(text: str) -> Q:
    """A filter for levels whose title, description or own items hold every word of ``text``
    (for the admin's level search: the full-text index instead of ``LIKE`` over every item).

    >>> Level.objects.filter(levels_matching("forecast calls"))  # doctest: +SKIP
    """
    query = parse_query({"q": text + " "})  # whole words: an admin search is not typed live
    if not query.words:
        return Q()
    terms = _all_words(query)[0]
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{word}'" for word, _ in terms)
        sql = (
            "SELECT level_id FROM ladder_searchdocument "
            f"WHERE vector @@ to_tsquery('{PG_CONFIG}', %s)"
        )
        return Q(pk__in=RawSQL(sql, [tsquery]))
    match = " AND ".join(_fts_phrase(word, False) for word, _ in terms)
    sql = (
        f"SELECT d.level_id FROM {FTS_TABLE} JOIN ladder_searchdocument d "
        f"ON d.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s"
    )
    return Q(pk__in=RawSQL(sql, [match]))


_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "s")


def _stem(word: str) -> str:
    """A word's stem for marking: every form a stemming index matches starts with it."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    stems = sorted({_stem(word) for word in words}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)


def marked(text: str, words: tuple[str, ...]) -> SafeString:
    """Escape ``text`` and wrap every form of the query's words in ``<mark>``.

    The database decided what matches (stemmed, the last word maybe a prefix); this marks
    each word that begins with a query word's stem, the same way on SQLite and PostgreSQL.
    Pieces are escaped one by one, so neither the text nor the query can inject markup.

    >>> str(marked("Forecasts <b>& plans", ("forecasting",)))
    '<mark>Forecasts</mark> &lt;b&gt;&amp; plans'
    """
    if not words:
        return escape(text)
    pieces: list[str] = []
    last = 0
    for match in _pattern(words).finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


def excerpt(text: str, words: tuple[str, ...], size: int = SNIPPET_WORDS) -> str:
    """About ``size`` words of ``text`` around its first match, "" when nothing matches.

    >>> excerpt("one two three forecast four five", ("forecast",), size=4)
    '… two three forecast four …'
    """
    found = _pattern(words).search(text) if words else None
    if found is None:
        return ""
    before = text[: found.start()].split()
    after = text[found.start() :].split()
    start = max(0, len(before) - size // 2)
    shown = before[start:] + after[: size - (len(before) - start)]
    return ("… " if start else "") + " ".join(shown) + (" …" if len(after) > size // 2 else "")


def _hit(row: tuple, words: tuple[str, ...]) -> SearchHit:
    section, level_slug, level_title, group, family_slug, family_title, grade, grade_max = row[:8]
    title, body = row[8], row[9]
    url = reverse("ladder:level", args=[family_slug, level_slug])
    # SQLite hands numbers back as int or float: through str, never binary fractions.
    grade_text = format_grade(Decimal(str(grade))) if grade is not None else ""
    if grade_text and grade_max is not None:
        grade_text += f"–{format_grade(Decimal(str(grade_max)))}"
    if section:
        url += f"#{section}"
    return SearchHit(
        kind="item" if section else "level",
        url=url,
        title=marked(level_title if section else title, words),
        text=marked(body if section else excerpt(body, words), words),
        section=SECTION_LABELS.get(section, section),
        level_title=level_title,
        family_title=family_title,
        group=group,
        grade=grade_text,
        family_slug=family_slug,
    )
