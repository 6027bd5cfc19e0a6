"""The working-day rule in SQL, for reports that count working days over many rows at once.

Elapsed working days (Art. 82: statutory holidays do not count, make-up working days 调休 do)
are the difference of two *working-day ordinals*: `n(day)` is the number of working days from the
first date of the range up to and including `day`, so `n(b) - n(a)` counts the working days in
`(a, b]`, the same convention as `WorkingCalendar.working_days_between` in
`approvals.clock.deadlines` (the start day is never counted, Civil Code Art. 201). The ordinals
come from a CTE over `generate_series` for the dates the query needs, joined with the
administrator's calendar rows:

- a date of a year that has a `CalendarYear` row is a working day if it is listed as a make-up
  working day, not one if it is listed as a holiday, and otherwise Monday to Friday;
- a date of a year without a `CalendarYear` row is Monday to Friday except the statutory holidays
  the rule fixes (`approvals.clock.holidays`, inlined as a date array); the clock counts the same
  and flags the year as provisional (`calendar_assumed_years`).

A running `SUM(...) OVER (ORDER BY day)` turns that into ordinals; PostgreSQL materialises the CTE
once and hash-joins it to the rows, so the cost is one pass over the rows plus one row per
calendar date in the range. `working_days_between_many` runs the same CTE on given date pairs, so
the tests hold it against the pure clock on every day of the loaded calendar. PostgreSQL only.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from approvals.clock.calendar import PREDICTED_YEARS_AHEAD
from approvals.clock.holidays import FIRST_RULED_YEAR, ruled_days_off
from approvals.models import CalendarDay, CalendarYear


def _predicted_array() -> str:
    """The statutory holidays by rule of every ruled year (the SQL applies them only to years
    without a CalendarYear row), as an SQL date array literal. Pure and cached: no query; the
    dates are computed here, never user input, so they are safe to inline."""
    return _ruled_dates_literal(timezone.localdate().year + PREDICTED_YEARS_AHEAD)


@lru_cache(maxsize=4)
def _ruled_dates_literal(last_year: int) -> str:
    days = sorted(
        day for year in range(FIRST_RULED_YEAR, last_year + 1) for day in ruled_days_off(year)
    )
    return "ARRAY[" + ",".join(f"DATE '{day:%Y-%m-%d}'" for day in days) + "]::date[]"


def working_day_ordinals_sql(*, low: str, high: str, name: str = "wd") -> str:
    """Two CTEs (`{name}_days`, `{name}`) mapping every date in `low`..`high` to its ordinal.

    `low` and `high` are SQL expressions of type date (often scalar subqueries over the rows being
    measured). For dates `a <= b` in the range, `n(b) - n(a)` is the number of working days in
    `(a, b]`. See the module docstring for the rule; it is the rule of
    `approvals.clock.deadlines.WorkingCalendar.is_working_day`.
    """
    return f"""
    {name}_days AS (
        SELECT g.day::date AS day,
               CASE
                   WHEN cy.id IS NOT NULL AND cd.kind = '{CalendarDay.Kind.WORKDAY.value}' THEN 1
                   WHEN cy.id IS NOT NULL AND cd.kind = '{CalendarDay.Kind.HOLIDAY.value}' THEN 0
                   WHEN cy.id IS NULL AND g.day::date = ANY({_predicted_array()}) THEN 0
                   WHEN EXTRACT(ISODOW FROM g.day) < 6 THEN 1
                   ELSE 0
               END AS working
        FROM generate_series(({low})::date, ({high})::date, interval '1 day') AS g(day)
        LEFT JOIN {CalendarDay._meta.db_table} cd ON cd.date = g.day::date
        LEFT JOIN {CalendarYear._meta.db_table} cy ON cy.year = EXTRACT(YEAR FROM g.day)::int
    ),
    {name} AS (
        SELECT day, SUM(working) OVER (ORDER BY day) AS n FROM {name}_days
    )"""


def working_days_between_many(*, pairs: Sequence[tuple[datetime.date, datetime.date]]) -> list[int]:
    """Working days in `(start, end]` for each pair, computed by the SQL of this module.

    One query for all pairs; each `start <= end`. Used by the tests that compare the SQL with
    `approvals.clock.deadlines`, and handy in a shell.
    """
    if not pairs:
        return []
    values = ", ".join(["(%s::int, %s::date, %s::date)"] * len(pairs))
    params: list[Any] = []
    for index, (start, end) in enumerate(pairs):
        params += [index, start, end]
    sql = f"""
    WITH pairs(idx, a, b) AS (VALUES {values}),
    {working_day_ordinals_sql(low="SELECT MIN(a) FROM pairs", high="SELECT MAX(b) FROM pairs")}
    SELECT p.idx, wb.n - wa.n
    FROM pairs p JOIN wd wa ON wa.day = p.a JOIN wd wb ON wb.day = p.b
    ORDER BY p.idx
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(days) for _idx, days in cursor.fetchall()]
