"""A hot read by primary key, compiled to SQL once per process instead of once per call.

Building and compiling a queryset with several `select_related` joins costs the hall's busiest
actions more CPU than PostgreSQL spends running it (issue 27: the step lock's eight-table read,
~2 ms of Python a call). The SQL of such a read differs between calls only in the primary key,
so `CompiledRead` compiles it the first time, with a marker value in the key's place, and then
runs that SQL with the key given, turning the rows into model instances with the compiler's own
converters and related-object populators: the instances Django's iterator would have made.
A query whose parameters do not contain the marker exactly once is simply run as a queryset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

_MARKER = -7_310_000_000_001  # a primary key no row has, to find its place among the parameters


class CompiledRead(Generic[M]):
    """``read(pk)``: the one row ``build(pk)`` selects, as a model instance, or DoesNotExist;
    ``read_all(key)``: every row ``build(key)`` selects."""

    def __init__(self, build: Callable[[object], QuerySet[M]], *, using: str = "default"):
        self._build = build
        self._using = using
        self._compiled: dict[str, tuple] = {}  # per database vendor (the SQL differs)

    def _compile(self):
        queryset = self._build(_MARKER)
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()  # fills compiler.select and klass_info as it runs
        if list(params).count(_MARKER) != 1:
            return None
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return (
            queryset.model,
            sql,
            list(params),
            list(params).index(_MARKER),
            compiler,
            [f[0].target.attname for f in select[start:end]],
            (start, end),
            get_related_populators(klass_info, select, self._using),
        )

    def read(self, pk) -> M:
        """The one row for `pk`, or the model's DoesNotExist."""
        found = self.read_all(pk)
        if not found:
            model = self._build(_MARKER).model
            raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist")
        (obj,) = found
        return obj

    def read_all(self, key) -> list[M]:
        """Every row the query selects with `key` in the marker's place (a foreign key: the
        open join of a process)."""
        connection = connections[self._using]
        vendor = connection.vendor
        if vendor not in self._compiled:
            self._compiled[vendor] = self._compile()
        compiled = self._compiled[vendor]
        if compiled is None:
            return list(self._build(key))
        model, sql, params, place, compiler, init_list, (start, end), populators = compiled
        params = params.copy()
        params[place] = key
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        for row in compiler.results_iter(results=[rows]):
            obj = model.from_db(self._using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            found.append(obj)
        return found
