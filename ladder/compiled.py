"""Querysets compiled to SQL once per process, then run with new parameter values.

A cold level page spent a third of its CPU time in the ORM building and compiling the same
four querysets (joins, deferred fields, ``select_related``) into the same SQL text on every
request. ``CompiledQuery`` builds its queryset once, with marker values for its parameters,
keeps the compiled SQL and the compiler (which knows how to turn rows into model instances,
related objects included), and on each call only puts the values in and runs it. What is kept
derives from code and the database backend, never from ladder content, so every process of
every machine holds the same thing.

    by_slug = CompiledQuery(lambda slug: JobFamily.objects.filter(slug=slug), slug=str)
    by_slug(slug="sales-operations")  # a list of JobFamily, as list(queryset) would give
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

# Marker values, chosen so that no real value equals one: the compiled parameters are searched
# for them to learn where each named value goes.
_INT_MARKER_BASE = -(2**62)


def _marker(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_MARKER_BASE - index
    if kind is str:
        return f"\x00compiled-parameter-{index}\x00"
    raise TypeError(f"CompiledQuery parameters are int or str, not {kind!r}")


class CompiledQuery:
    """``build(**markers)``'s SQL, compiled on first use per database; call with the values.

    ``build`` must put each parameter in the query as a plain comparison value (``=``,
    ``__in`` of one value is not one): a parameter the ORM rewrites (``icontains`` wraps it
    in ``%``) is not found in the compiled SQL and raises ``ValueError`` at the first call.
    """

    def __init__(self, build: Callable[..., QuerySet], **parameters: type) -> None:
        self.build = build
        self.parameters = parameters
        self._compiled: dict[tuple[str, str], tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        markers = {name: _marker(kind, i) for i, (name, kind) in enumerate(self.parameters.items())}
        queryset = self.build(**markers)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        names = {marker: name for name, marker in markers.items()}
        # Each compiled parameter: the name of the value it takes, or the constant it was.
        slots = [(True, names[p]) if _is_marker(p, names) else (False, p) for p in params]
        missing = set(self.parameters) - {value for named, value in slots if named}
        if missing:
            raise ValueError(f"CompiledQuery: {', '.join(sorted(missing))} not in the SQL")
        # The converters of the selected columns (dates, JSON): the same for every run, and
        # asking each field for them cost as much as running the query.
        converters = compiler.get_converters(
            [col for col, *_ in compiler.select[: compiler.col_count]]
        )
        compiler.get_converters = lambda expressions: converters
        return queryset, compiler, sql, slots

    def __call__(self, **values: Any) -> list[Model]:
        alias = "default"  # Ladder has one database (no router): pages read from it
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(alias)
                self._compiled[key] = compiled
        queryset, template, sql, slots = compiled
        params = tuple(values[value] if named else value for named, value in slots)
        # A compiler of this call: the connection of this thread, the SQL with these values;
        # everything else (columns, related objects, converters) is the first compile's.
        compiler = copy.copy(template)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        run = queryset.all()
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(run)


def _is_marker(value: Any, names: dict[Any, str]) -> bool:
    # ``True == 1`` and friends: only a value of a marker's own type can be one.
    return type(value) in (int, str) and value in names
