"""绩效: the supervision figures for a period, each computed by PostgreSQL in one query.

Every figure on the performance and serial-versus-parallel pages comes out of an SQL aggregate;
Python only formats the rows. A page therefore runs the same number of queries whatever the
number of cases, and the work stays in the database (on a read replica in production, README).

Working days in SQL
-------------------
Elapsed working days (Art. 82: statutory holidays do not count, make-up working days 调休 do)
are the difference of two *working-day ordinals*: `n(day)` is the number of working days from the
first date of the range up to and including `day`, so `n(b) - n(a)` counts the working days in
`(a, b]`, the same convention as `WorkingCalendar.working_days_between` (the start day is never
counted, Civil Code Art. 201). The ordinals come from a CTE over `generate_series` for the dates
the query needs, joined with the administrator's calendar rows:

- a date of a year that has a `CalendarYear` row is a working day if it is listed as a make-up
  working day, not one if it is listed as a holiday, and otherwise Monday to Friday;
- a date of a year without a `CalendarYear` row is Monday to Friday (the clock assumes the same,
  and flags it: `calendar_assumed_years`).

A running `SUM(...) OVER (ORDER BY day)` turns that into ordinals; PostgreSQL materialises the CTE
once and hash-joins it to the rows, so the cost is one pass over the rows plus one row per
calendar date in the range. The range is taken from the data (the earliest start date of the rows
being measured), never guessed. `working_days_between_many` runs the same CTE on given date pairs
so that tests can hold it against `approvals.clock.deadlines`.

The performance figures are PostgreSQL-only (`generate_series`, `percentile_cont`, `FILTER`);
`performance_supported()` says whether the current database can compute them.
"""
