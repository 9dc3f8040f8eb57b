"""Bulk writers of an import: every database-vendor branch of the ladder's writes lives here.

An import writes tens of thousands of rows; Django's per-object paths cost more than the
database did. SQLite gets multi-row ``INSERT … RETURNING``, PostgreSQL ``COPY`` and pipelined
statements. The import service calls :func:`import_lock`, :func:`insert_rows`,
:func:`update_levels` and :func:`insert_items`, and reads as the steps of an import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Model

from ladder.models import Item, JobFamily, Level

IMPORT_LOCK_ID = 0x1ADDE5  # any constant shared by every Ladder process


def import_lock() -> None:
    """Wait for any other import to finish (PostgreSQL advisory lock, released at commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])


def update_levels(field: str, rows: list[tuple[object, int]]) -> None:
    """Set one column of many levels: (value, pk) rows, one plain statement run for each.

    ``bulk_update`` builds a CASE expression per object, which cost seconds on a large ladder.
    """
    if not rows:
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ops.quote_name(Level._meta.db_table)} "
            f"SET {ops.quote_name(Level._meta.get_field(field).column)} = %s "
            f"WHERE {ops.quote_name(Level._meta.pk.column)} = %s",
            rows,
        )


def insert_rows(model: type[Model], rows: Sequence[Model], *, when: datetime) -> None:
    """New rows of one model in bulk, each with its "created" history record when the model
    keeps history. Rows may point at rows inserted just before (their ids are read then)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_rows(model, rows)
    else:
        model.objects.bulk_create(list(rows), batch_size=500)
    if hasattr(model, "history"):
        # Their "created" records are copies of the rows just written, made by the database:
        # simple-history's bulk path built a historical instance per row (2 s of a
        # 300-family import, profiled).
        _history_copies(model, [row.pk for row in rows], when)


def _copy_rows(model: type[Model], rows: Sequence[Model]) -> None:
    """PostgreSQL: ids from the table's sequence in one query, then one ``COPY``.

    ``bulk_create`` sends many rows as arrays (``UNNEST``), and psycopg escaped every large
    value inside the array text: a level's effective lists, a family's markdown (seconds per
    import, then a second ``UPDATE`` per level to write the lists apart). ``COPY`` writes each
    value once, escaped by psycopg's C code.
    """
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    for row in rows:
        # What bulk_create does first: a foreign key set to a row saved since takes its id.
        row._prepare_related_fields_for_save(operation_name="insert_rows")
    for row, pk in zip(rows, _next_ids(meta.db_table, meta.pk.column, len(rows)), strict=True):
        row.pk = pk
    copy_rows(
        meta.db_table,
        [meta.pk.column, *(field.column for field in fields)],
        (
            (row.pk, *(f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields))
            for row in rows
        ),
    )
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def _next_ids(table: str, column: str, count: int) -> list[int]:
    """``count`` ids taken from the table's sequence in one query (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [value for (value,) in cursor.fetchall()]


@dataclass(slots=True)
class NewItem:
    """An item row to insert; its parent is known only as another row until that is saved."""

    values: tuple  # in the order of _ITEM_FIELDS, without the parent
    parent: NewItem | None
    pk: int | None = None


_ITEM_FIELDS = (
    "level",
    "section",
    "position",
    "text",
    "html",
    "extends_level",
    "extends_section",
    "parent",
)


ANALYZE_AFTER = 5000  # item rows: an import that size changes the tables' statistics


def insert_items(items: list[NewItem], *, when: datetime) -> None:
    """Insert item rows, then each one's baseline history record (the imported text), so every
    later edit of an item can be reverted to what the page said."""
    if not items:
        return
    if connection.vendor == "postgresql":
        _copy_tree(items)
    else:
        _insert_tree(items)
    _history_copies(Item, [item.pk for item in items], when)
    if connection.vendor == "postgresql" and len(items) >= ANALYZE_AFTER:
        # The planner's statistics still describe the tables before this import (autovacuum
        # sees only committed rows): the queries later in the same transaction (dependent
        # families, effective lists) got nested loops over tens of thousands of rows.
        # The families too: after a reset (or a first import) the planner took a table of
        # 3,000 families for one row, and a cold level page's family-token query walked every
        # family's levels in nested loops (12 -> 140 ms until autovacuum caught up).
        tables = [
            Item._meta.db_table,
            Item.history.model._meta.db_table,
            Level._meta.db_table,
            JobFamily._meta.db_table,
        ]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))


def _history_copies(model: type[Level] | type[Item], pks: list[int], when: datetime) -> None:
    """The "created" history record ("import", no user) of each row just written: one
    ``INSERT … SELECT`` per batch, copies of the rows (the columns the history keeps)."""
    if not pks:
        return
    history = model.history.model
    ops = connection.ops
    kept = {f.column for f in history._meta.concrete_fields}
    columns = [f.column for f in model._meta.concrete_fields if f.column in kept]
    quoted = ", ".join(ops.quote_name(c) for c in columns)
    extra = ["history_date", "history_type", "history_change_reason"]
    target = quoted + ", " + ", ".join(ops.quote_name(c) for c in extra)
    pk = ops.quote_name(model._meta.pk.column)
    per_batch = 900  # below SQLite's parameter limit
    # Stored exactly as the ORM stores dates (naive UTC text on SQLite), or date comparisons
    # between these rows and ORM-written ones would go wrong.
    stamp = ops.adapt_datetimefield_value(when)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), per_batch):
            batch = pks[start : start + per_batch]
            cursor.execute(
                f"INSERT INTO {ops.quote_name(history._meta.db_table)} ({target}) "
                f"SELECT {quoted}, %s, '+', 'import' "
                f"FROM {ops.quote_name(model._meta.db_table)} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(batch))})",
                [stamp, *batch],
            )


def _insert_tree(items: list[NewItem]) -> None:
    """Insert items without a model instance per row (tens of thousands per import, and
    building the instances cost more than the database did).

    SQLite: multi-row ``INSERT … RETURNING`` (what ``bulk_create`` sends), depth by depth so
    each child knows its parent's id. PostgreSQL: ``COPY`` (see ``_copy_tree``).
    """
    ops = connection.ops
    fields = [Item._meta.get_field(name) for name in _ITEM_FIELDS]
    table = ops.quote_name(Item._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = min(500, (connection.features.max_query_params or 10_000) // len(fields))
    returning = f"RETURNING {ops.quote_name(Item._meta.pk.column)}"
    remaining = items
    with connection.cursor() as cursor:
        while remaining:
            ready = [i for i in remaining if i.parent is None or i.parent.pk is not None]
            for start in range(0, len(ready), per_batch):
                batch = ready[start : start + per_batch]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))} "
                    f"{returning}",
                    [
                        value
                        for item in batch
                        for value in (*item.values, item.parent.pk if item.parent else None)
                    ],
                )
                for item, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    item.pk = pk
            remaining = [i for i in remaining if i.pk is None]


def _copy_tree(items: list[NewItem]) -> None:
    """PostgreSQL: ids taken from the table's sequence in one query, then one ``COPY``.

    Parents come before their children in ``items``, so every parent id is known when its
    children are written; many times faster than inserting row by row.
    """
    if not items:
        return
    table = Item._meta.db_table
    pk = Item._meta.pk.column
    columns = [pk] + [Item._meta.get_field(name).column for name in _ITEM_FIELDS]
    for item, value in zip(items, _next_ids(table, pk, len(items)), strict=True):
        item.pk = value
    copy_rows(
        table,
        columns,
        ((item.pk, *item.values, item.parent.pk if item.parent else None) for item in items),
    )


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL: rows written by one ``COPY … FROM STDIN``."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
