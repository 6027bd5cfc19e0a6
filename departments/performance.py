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
so that tests can hold it against `approvals.deadlines`.

The performance figures are PostgreSQL-only (`generate_series`, `percentile_cont`, `FILTER`);
`performance_supported()` says whether the current database can compute them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from approvals.deadlines import SHANGHAI
from approvals.models import (
    ApprovalStep,
    CalendarDay,
    CalendarYear,
    ItemStage,
    ServiceItem,
)
from approvals.review_models import (
    CaseDecision,
    CaseStage,
    CaseStep,
    StepExtension,
    StepSuspension,
)
from departments.models import Department
from hall.models import Case, Clerk, Notice, QueueTicket, ServiceRating, Window

# Longest period a page computes: a year and a day (a leap year's whole year fits).
MAX_PERIOD_DAYS = 366

T = {
    "case": Case._meta.db_table,
    "step": CaseStep._meta.db_table,
    "case_stage": CaseStage._meta.db_table,
    "decision": CaseDecision._meta.db_table,
    "suspension": StepSuspension._meta.db_table,
    "extension": StepExtension._meta.db_table,
    "item": ServiceItem._meta.db_table,
    "item_stage": ItemStage._meta.db_table,
    "approval_step": ApprovalStep._meta.db_table,
    "department": Department._meta.db_table,
    "calendar_day": CalendarDay._meta.db_table,
    "calendar_year": CalendarYear._meta.db_table,
    "notice": Notice._meta.db_table,
    "ticket": QueueTicket._meta.db_table,
    "rating": ServiceRating._meta.db_table,
    "clerk": Clerk._meta.db_table,
    "window": Window._meta.db_table,
}


def performance_supported() -> bool:
    """The figures need PostgreSQL; the SQLite fallback of `make run` shows a notice instead."""
    return connection.vendor == "postgresql"


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Shanghai calendar dates `start`..`end`, both included."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        """00:00 Asia/Shanghai on `start` (inclusive)."""
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=SHANGHAI)

    @property
    def end_at(self) -> datetime.datetime:
        """00:00 Asia/Shanghai on the day after `end` (exclusive)."""
        return datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "tz": "Asia/Shanghai",
        }


def month_to_date(today: datetime.date) -> Period:
    """The default period: this month up to today."""
    return Period(start=today.replace(day=1), end=today)


def last_30_days(today: datetime.date) -> Period:
    """The last 30 days up to today: the default sample of closed cases for the real medians.
    At a million cases that is some 36,000 closures, about a second of sorting; a year takes
    several seconds and is there for the asking."""
    return Period(start=today - datetime.timedelta(days=29), end=today)


# --- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text | int | decimal (one place) | percent (0..100, one place) | minutes | date
    kind: str = "text"
    help: str = ""


@dataclass
class Table:
    """Rows of one figure table, as the page shows them and the exports write them."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    # Rows whose first column should be highlighted (a key of the row that is truthy).
    highlight: str = ""

    @property
    def helps(self) -> list[Column]:
        """The columns whose meaning is explained under the table."""
        return [column for column in self.columns if column.help]

    @property
    def body(self) -> list[dict[str, Any]]:
        """Rows as cells in column order, for the generic table template."""
        out = []
        for row in self.rows:
            out.append(
                {
                    "cells": [
                        {"text": cell_text(row.get(column.key), column.kind), "column": column}
                        for column in self.columns
                    ],
                    "highlight": bool(self.highlight and row.get(self.highlight)),
                }
            )
        return out


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{Decimal(value):.1f}%"
    if kind in ("decimal", "minutes"):
        return f"{Decimal(value):.1f}"
    if kind == "date":
        return f"{value:%Y-%m-%d}"
    return str(value)


# Memory for the sorts of one report query (percentiles, groupings). PostgreSQL's default of 4MB
# sends the sort of a month's steps at a million cases to disk, three times slower; the setting
# is local to the query's transaction.
REPORT_WORK_MEM = "64MB"


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- working days in SQL ------------------------------------------------------------------------


def working_day_ordinals_sql(*, low: str, high: str, name: str = "wd") -> str:
    """Two CTEs (`{name}_days`, `{name}`) mapping every date in `low`..`high` to its ordinal.

    `low` and `high` are SQL expressions of type date (often scalar subqueries over the rows being
    measured). For dates `a <= b` in the range, `n(b) - n(a)` is the number of working days in
    `(a, b]`. See the module docstring for the rule; it is the rule of
    `approvals.deadlines.WorkingCalendar.is_working_day`.
    """
    return f"""
    {name}_days AS (
        SELECT g.day::date AS day,
               CASE
                   WHEN cy.id IS NOT NULL AND cd.kind = 'workday' THEN 1
                   WHEN cy.id IS NOT NULL AND cd.kind = 'holiday' THEN 0
                   WHEN EXTRACT(ISODOW FROM g.day) < 6 THEN 1
                   ELSE 0
               END AS working
        FROM generate_series(({low})::date, ({high})::date, interval '1 day') AS g(day)
        LEFT JOIN {T["calendar_day"]} cd ON cd.date = g.day::date
        LEFT JOIN {T["calendar_year"]} cy ON cy.year = EXTRACT(YEAR FROM g.day)::int
    ),
    {name} AS (
        SELECT day, SUM(working) OVER (ORDER BY day) AS n FROM {name}_days
    )"""


def working_days_between_many(*, pairs: Sequence[tuple[datetime.date, datetime.date]]) -> list[int]:
    """Working days in `(start, end]` for each pair, computed by the SQL of this module.

    One query for all pairs; each `start <= end`. Used by the tests that compare the SQL with
    `approvals.deadlines`, and handy in a shell.
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


# --- per department -----------------------------------------------------------------------------

DECIDED = ("approved", "refused", "deemed")


def department_figures(*, period: Period) -> Table:
    """Per department, the steps decided in the period and what happened around them.

    - handled: steps decided (approved, refused or deemed) in the period;
    - on time: decided strictly before `due_at` (Art. 82: the last day ends at 24:00) and not by
      deemed approval; the rate is on time / handled;
    - working days used: opened_on → decision date, with the clock-stopped days (suspensions,
      Art. 45 and corrections) shown apart, against the step's promised limit and the item's
      statutory limit;
    - deemed approvals (超时默许) and late decisions among them;
    - corrections asked, special procedures started, extensions asked (and approved) in the
      period, and bad ratings of the department in the period.
    """
    sql = f"""
    WITH decided AS (
        SELECT s.id, s.department_id, s.status, s.late, s.promised_days, s.opened_on,
               s.due_at, s.decided_at,
               (s.decided_at AT TIME ZONE %(tz)s)::date AS decided_on,
               i.statutory_days
        FROM {T["step"]} s
        -- the item through the catalogue step (small tables), not through the cases
        JOIN {T["approval_step"]} a ON a.id = s.approval_step_id
        JOIN {T["item_stage"]} st ON st.id = a.stage_id
        JOIN {T["item"]} i ON i.id = st.item_id
        WHERE s.decided_at >= %(start_at)s AND s.decided_at < %(end_at)s
          AND s.status IN ('approved', 'refused', 'deemed')
    ),
    {working_day_ordinals_sql(low="SELECT MIN(opened_on) FROM decided", high="%(end)s")},
    suspended AS (
        SELECT ss.step_id, SUM(GREATEST(0, we.n - ws.n)) AS days
        FROM {T["suspension"]} ss
        JOIN decided d ON d.id = ss.step_id
        JOIN wd ws ON ws.day = GREATEST(ss.starts_on - 1, d.opened_on)
        JOIN wd we ON we.day = LEAST(ss.ends_on, d.decided_on)
        WHERE ss.ends_on IS NOT NULL
        GROUP BY ss.step_id
    ),
    measured AS (
        SELECT d.*, wdec.n - wopen.n AS used, COALESCE(sp.days, 0) AS suspended
        FROM decided d
        LEFT JOIN wd wopen ON wopen.day = d.opened_on
        LEFT JOIN wd wdec ON wdec.day = d.decided_on
        LEFT JOIN suspended sp ON sp.step_id = d.id
    ),
    steps AS (
        SELECT department_id,
               COUNT(*) AS handled,
               COUNT(*) FILTER (WHERE status <> 'deemed' AND decided_at < due_at) AS on_time,
               COUNT(*) FILTER (WHERE status = 'deemed') AS deemed,
               COUNT(*) FILTER (WHERE late) AS late,
               AVG(used) AS avg_used,
               AVG(suspended) AS avg_suspended,
               AVG(promised_days) AS avg_promised,
               AVG(statutory_days) AS avg_statutory,
               COUNT(*) FILTER (WHERE used - suspended > promised_days) AS over_promised,
               COUNT(*) FILTER (WHERE used - suspended > statutory_days) AS over_statutory
        FROM measured
        GROUP BY department_id
    ),
    stops AS (
        SELECT s.department_id,
               COUNT(*) FILTER (WHERE ss.kind = 'correction') AS corrections,
               COUNT(*) FILTER (WHERE ss.kind <> 'correction') AS special_procedures
        FROM {T["suspension"]} ss
        JOIN {T["step"]} s ON s.id = ss.step_id
        WHERE ss.starts_on BETWEEN %(start)s AND %(end)s
        GROUP BY s.department_id
    ),
    extensions AS (
        SELECT s.department_id,
               COUNT(*) AS extensions,
               COUNT(*) FILTER (WHERE e.status = 'approved') AS extensions_approved
        FROM {T["extension"]} e
        JOIN {T["step"]} s ON s.id = e.step_id
        WHERE e.requested_at >= %(start_at)s AND e.requested_at < %(end_at)s
        GROUP BY s.department_id
    ),
    ratings AS (
        SELECT department_id, COUNT(*) AS bad_ratings
        FROM {T["rating"]}
        WHERE level <= 2 AND department_id IS NOT NULL
          AND created_at >= %(start_at)s AND created_at < %(end_at)s
        GROUP BY department_id
    )
    SELECT dep.id, dep.code, COALESCE(NULLIF(dep.short_name, ''), dep.name) AS department,
           COALESCE(st.handled, 0) AS handled,
           COALESCE(st.on_time, 0) AS on_time,
           ROUND(100.0 * st.on_time / NULLIF(st.handled, 0), 1) AS on_time_rate,
           ROUND(st.avg_used, 1) AS avg_used,
           ROUND(st.avg_suspended, 1) AS avg_suspended,
           ROUND(st.avg_promised, 1) AS avg_promised,
           ROUND(st.avg_statutory, 1) AS avg_statutory,
           COALESCE(st.over_promised, 0) AS over_promised,
           COALESCE(st.over_statutory, 0) AS over_statutory,
           COALESCE(st.deemed, 0) AS deemed,
           COALESCE(st.late, 0) AS late,
           COALESCE(so.corrections, 0) AS corrections,
           COALESCE(so.special_procedures, 0) AS special_procedures,
           COALESCE(ex.extensions, 0) AS extensions,
           COALESCE(ex.extensions_approved, 0) AS extensions_approved,
           COALESCE(ra.bad_ratings, 0) AS bad_ratings
    FROM {T["department"]} dep
    LEFT JOIN steps st ON st.department_id = dep.id
    LEFT JOIN stops so ON so.department_id = dep.id
    LEFT JOIN extensions ex ON ex.department_id = dep.id
    LEFT JOIN ratings ra ON ra.department_id = dep.id
    ORDER BY dep.code
    """
    rows = _rows(sql, period.params())
    for row in rows:
        row["attention"] = bool(row["deemed"] or row["over_promised"])
    return Table(
        key="departments",
        title=_("部门绩效"),
        columns=[
            Column("department", _("部门")),
            Column("handled", _("办结环节"), "int", _("本期作出审查意见（含超时默许）的环节数")),
            Column("on_time", _("按时"), "int", _("到期前作出意见且非超时默许")),
            Column("on_time_rate", _("按时率"), "percent"),
            Column("avg_used", _("平均用时"), "decimal", _("起算日至决定日的工作日")),
            Column("avg_suspended", _("其中中止计时"), "decimal"),
            Column("avg_promised", _("平均承诺时限"), "decimal"),
            Column("avg_statutory", _("平均法定时限"), "decimal", _("所属事项的法定时限")),
            Column("over_promised", _("超承诺时限"), "int", _("扣除中止计时后仍超过承诺时限")),
            Column("over_statutory", _("超法定时限"), "int"),
            Column("deemed", _("超时默许"), "int"),
            Column("late", _("逾期"), "int"),
            Column("corrections", _("要求补正"), "int"),
            Column("special_procedures", _("特别程序"), "int"),
            Column("extensions", _("申请延期"), "int"),
            Column("extensions_approved", _("批准延期"), "int"),
            Column("bad_ratings", _("差评"), "int"),
        ],
        rows=rows,
        note=_("用时单位为工作日；标红的部门本期有超时默许或超过承诺时限的环节。"),
        highlight="attention",
    )


# --- per window clerk ---------------------------------------------------------------------------


def clerk_figures(*, period: Period) -> Table:
    """Per window clerk: cases received as first-contact owner, one-time breaches in notices they
    issued, deemed acceptances of their cases (Art. 32), their queue tickets' waiting and service
    times, and their bad ratings. Every active clerk is listed, and anyone else with figures."""
    sql = f"""
    WITH received AS (
        SELECT owner_id AS user_id, COUNT(*) AS received
        FROM {T["case"]}
        WHERE owner_id IS NOT NULL
          AND materials_received_at >= %(start_at)s AND materials_received_at < %(end_at)s
        GROUP BY owner_id
    ),
    deemed AS (
        SELECT owner_id AS user_id, COUNT(*) AS deemed_accepted
        FROM {T["case"]}
        WHERE owner_id IS NOT NULL AND deemed_accepted
          AND accepted_at >= %(start_at)s AND accepted_at < %(end_at)s
        GROUP BY owner_id
    ),
    breaches AS (
        SELECT issued_by_id AS user_id, COUNT(*) AS breaches
        FROM {T["notice"]}
        WHERE issued_by_id IS NOT NULL AND one_time_override_by_id IS NOT NULL
          AND issued_at >= %(start_at)s AND issued_at < %(end_at)s
        GROUP BY issued_by_id
    ),
    tickets AS (
        SELECT clerk_id AS user_id,
               COUNT(*) FILTER (WHERE served_at IS NOT NULL) AS served,
               AVG(EXTRACT(EPOCH FROM called_at - issued_at)) / 60 AS avg_wait,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY EXTRACT(EPOCH FROM called_at - issued_at)
               ) / 60 AS p90_wait,
               AVG(EXTRACT(EPOCH FROM finished_at - served_at)) / 60 AS avg_service
        FROM {T["ticket"]}
        WHERE clerk_id IS NOT NULL
          AND issued_at >= %(start_at)s AND issued_at < %(end_at)s
        GROUP BY clerk_id
    ),
    ratings AS (
        SELECT clerk_id AS user_id, COUNT(*) AS bad_ratings
        FROM {T["rating"]}
        WHERE clerk_id IS NOT NULL AND level <= 2
          AND created_at >= %(start_at)s AND created_at < %(end_at)s
        GROUP BY clerk_id
    ),
    people AS (
        SELECT cl.user_id FROM {T["clerk"]} cl JOIN auth_user u ON u.id = cl.user_id
        WHERE u.is_active
        UNION SELECT user_id FROM received
        UNION SELECT user_id FROM deemed
        UNION SELECT user_id FROM breaches
        UNION SELECT user_id FROM tickets
        UNION SELECT user_id FROM ratings
    )
    SELECT u.id, u.username,
           COALESCE(NULLIF(u.last_name || u.first_name, ''), u.username) AS clerk,
           w.number AS window,
           COALESCE(r.received, 0) AS received,
           COALESCE(b.breaches, 0) AS breaches,
           COALESCE(d.deemed_accepted, 0) AS deemed_accepted,
           COALESCE(t.served, 0) AS served,
           ROUND(t.avg_wait::numeric, 1) AS avg_wait,
           ROUND(t.p90_wait::numeric, 1) AS p90_wait,
           ROUND(t.avg_service::numeric, 1) AS avg_service,
           COALESCE(ra.bad_ratings, 0) AS bad_ratings
    FROM people p
    JOIN auth_user u ON u.id = p.user_id
    LEFT JOIN {T["clerk"]} cl ON cl.user_id = u.id
    LEFT JOIN {T["window"]} w ON w.id = cl.window_id
    LEFT JOIN received r ON r.user_id = u.id
    LEFT JOIN deemed d ON d.user_id = u.id
    LEFT JOIN breaches b ON b.user_id = u.id
    LEFT JOIN tickets t ON t.user_id = u.id
    LEFT JOIN ratings ra ON ra.user_id = u.id
    ORDER BY w.number NULLS LAST, u.username
    """
    rows = _rows(sql, period.params())
    for row in rows:
        row["attention"] = bool(row["breaches"] or row["deemed_accepted"])
    return Table(
        key="clerks",
        title=_("窗口人员绩效"),
        columns=[
            Column("clerk", _("窗口人员")),
            Column("window", _("窗口")),
            Column("received", _("首问收件"), "int", _("本期收件且为首问责任人的办件")),
            Column("breaches", _("违反一次性告知"), "int", _("本人出具、经批准补充告知的告知书")),
            Column("deemed_accepted", _("逾期视为受理"), "int"),
            Column("served", _("叫号办理"), "int"),
            Column("avg_wait", _("平均等候（分钟）"), "minutes"),
            Column("p90_wait", _("90%等候不超过（分钟）"), "minutes"),
            Column("avg_service", _("平均办理（分钟）"), "minutes"),
            Column("bad_ratings", _("差评"), "int"),
        ],
        rows=rows,
        note=_("标红的人员本期有违反一次性告知或逾期视为受理的办件。"),
        highlight="attention",
    )


# --- per item -----------------------------------------------------------------------------------


def item_figures(*, period: Period) -> Table:
    """Per item (all versions of one code): cases received, accepted and decided in the period,
    and the working days from acceptance to the decision of those decided (median, 90th
    percentile, `percentile_cont`). Items without any case in the period are left out."""
    sql = f"""
    WITH received AS (
        SELECT i.code, COUNT(*) AS received
        FROM {T["case"]} c JOIN {T["item"]} i ON i.id = c.item_id
        WHERE c.materials_received_at >= %(start_at)s AND c.materials_received_at < %(end_at)s
        GROUP BY i.code
    ),
    accepted AS (
        SELECT i.code, COUNT(*) AS accepted
        FROM {T["case"]} c JOIN {T["item"]} i ON i.id = c.item_id
        WHERE c.accepted_at >= %(start_at)s AND c.accepted_at < %(end_at)s
        GROUP BY i.code
    ),
    decided AS (
        SELECT i.code, c.accepted_on, d.decision,
               (d.decided_at AT TIME ZONE %(tz)s)::date AS decided_on
        FROM {T["decision"]} d
        JOIN {T["case"]} c ON c.id = d.case_id
        JOIN {T["item"]} i ON i.id = c.item_id
        WHERE d.decided_at >= %(start_at)s AND d.decided_at < %(end_at)s
          AND d.decision <> '' AND c.accepted_on IS NOT NULL
    ),
    {working_day_ordinals_sql(low="SELECT MIN(accepted_on) FROM decided", high="%(end)s")},
    elapsed AS (
        SELECT d.code,
               COUNT(*) AS decided,
               COUNT(*) FILTER (WHERE d.decision = 'grant') AS granted,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY wdec.n - wacc.n) AS median_days,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY wdec.n - wacc.n) AS p90_days,
               MAX(wdec.n - wacc.n) AS max_days
        FROM decided d
        JOIN wd wacc ON wacc.day = d.accepted_on
        JOIN wd wdec ON wdec.day = d.decided_on
        GROUP BY d.code
    ),
    latest AS (
        SELECT DISTINCT ON (code) code, name, promised_days, statutory_days
        FROM {T["item"]}
        ORDER BY code, version DESC
    )
    SELECT l.code, l.name AS item, l.promised_days, l.statutory_days,
           COALESCE(r.received, 0) AS received,
           COALESCE(a.accepted, 0) AS accepted,
           COALESCE(e.decided, 0) AS decided,
           COALESCE(e.granted, 0) AS granted,
           ROUND(e.median_days::numeric, 1) AS median_days,
           ROUND(e.p90_days::numeric, 1) AS p90_days,
           e.max_days,
           COALESCE(e.p90_days > l.promised_days, false) AS attention
    FROM latest l
    LEFT JOIN received r ON r.code = l.code
    LEFT JOIN accepted a ON a.code = l.code
    LEFT JOIN elapsed e ON e.code = l.code
    WHERE r.code IS NOT NULL OR a.code IS NOT NULL OR e.code IS NOT NULL
    ORDER BY l.code
    """
    return Table(
        key="items",
        title=_("事项办理量与用时"),
        columns=[
            Column("item", _("事项")),
            Column("code", _("事项编码")),
            Column("received", _("收件"), "int"),
            Column("accepted", _("受理"), "int"),
            Column("decided", _("作出决定"), "int"),
            Column("granted", _("准予许可"), "int"),
            Column("median_days", _("受理至决定中位数"), "decimal", _("工作日")),
            Column("p90_days", _("受理至决定90分位"), "decimal", _("工作日")),
            Column("max_days", _("最长"), "int", _("工作日")),
            Column("promised_days", _("承诺时限"), "int"),
            Column("statutory_days", _("法定时限"), "int"),
        ],
        rows=_rows(sql, period.params()),
        note=_("用时为受理日至决定日的工作日（不含受理当日）；标红的事项90分位超过承诺时限。"),
        highlight="attention",
    )


# --- trend of open and overdue cases ------------------------------------------------------------


def open_overdue_trend(*, period: Period) -> Table:
    """For each day of the period: cases in approval (accepted, not yet closed) at the end of the
    day, and those of them past their promised date (the day after `promised_due_date` onwards).

    One scan of the cases: each case contributes marks on the days its counts change (accepted,
    closed, overdue from, and overdue ended by closing), and running sums over the days of
    `generate_series` give the counts. Marks before the period fall on its first day.
    """
    sql = f"""
    WITH cases AS (
        SELECT accepted_on,
               (closed_at AT TIME ZONE %(tz)s)::date AS closed_on,
               promised_due_date + 1 AS overdue_from
        FROM {T["case"]}
        WHERE accepted_on <= %(end)s AND closed_at >= %(start_at)s
        UNION ALL  -- two index-friendly halves rather than one OR over the whole table
        SELECT accepted_on, NULL, promised_due_date + 1
        FROM {T["case"]}
        WHERE accepted_on <= %(end)s AND closed_at IS NULL
    ),
    marks AS (
        SELECT GREATEST(m.day, %(start)s::date) AS day,
               SUM(m.open_delta) AS open_delta, SUM(m.overdue_delta) AS overdue_delta
        FROM cases c
        CROSS JOIN LATERAL (VALUES
            (c.accepted_on, 1, 0),
            (c.closed_on, -1, 0),
            (c.overdue_from, 0, 1),
            -- closing ends the overdue count, from the day it would have started at the latest
            -- (GREATEST ignores NULLs in PostgreSQL, hence the CASE)
            (CASE WHEN c.overdue_from IS NOT NULL AND c.closed_on IS NOT NULL
                  THEN GREATEST(c.overdue_from, c.closed_on) END, 0, -1)
        ) AS m(day, open_delta, overdue_delta)
        WHERE m.day IS NOT NULL AND m.day <= %(end)s
        GROUP BY 1
    )
    SELECT g.day::date AS day,
           COALESCE(SUM(m.open_delta) OVER w, 0)::int AS open,
           COALESCE(SUM(m.overdue_delta) OVER w, 0)::int AS overdue
    FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS g(day)
    LEFT JOIN marks m ON m.day = g.day::date
    WINDOW w AS (ORDER BY g.day)
    ORDER BY g.day
    """
    return Table(
        key="trend",
        title=_("每日在办与超期办件"),
        columns=[
            Column("day", _("日期"), "date"),
            Column("open", _("在办"), "int", _("已受理、尚未办结")),
            Column("overdue", _("超过承诺办结日期"), "int"),
        ],
        rows=_rows(sql, period.params()),
        note=_("按当日24时的状态统计。"),
    )


# --- serial against parallel --------------------------------------------------------------------


@dataclass
class StepLine:
    stage_number: int
    stage_name: str
    department: str
    step_name: str
    promised_days: int
    promised_bottleneck: bool
    real_median: Decimal | None
    samples: int
    real_bottleneck: bool


@dataclass
class StageLine:
    number: int
    name: str
    promised_days: int
    promised_serial: int
    real_days: Decimal | None
    steps: list[StepLine] = field(default_factory=list)


@dataclass
class ItemComparison:
    item_id: int
    code: str
    name: str
    departments: int
    steps: int
    promised_serial: int
    promised_parallel: int
    real_serial: Decimal | None
    real_parallel: Decimal | None
    real_cases: int
    real_case_median: Decimal | None
    stages: list[StageLine] = field(default_factory=list)


def serial_parallel(*, period: Period, today: datetime.date) -> list[ItemComparison]:
    """For each current item with steps in two or more departments, the critical path if every
    step ran one after another (sum of the promised days) against its stages with their steps
    side by side (sum over stages of the longest step), and the same from the real elapsed working
    days of the cases closed in the period: the median per step (the step is its department in
    its stage, across versions of the item), then serial = sum of medians, parallel = sum over
    stages of the largest median. The bottleneck of a stage is its department with the largest
    promised limit, and with the largest real median (all of them when tied). The real case
    median (acceptance to decision) is shown beside them: it also counts the stage decisions in
    between.
    """
    sql = f"""
    WITH items AS (
        SELECT i.id, i.code, i.name
        FROM {T["item"]} i
        WHERE i.effective_from <= %(today)s
          AND (i.effective_to IS NULL OR i.effective_to >= %(today)s)
    ),
    plan AS (
        SELECT it.id AS item_id, it.code, it.name AS item_name, st.number AS stage_number,
               st.name AS stage_name, s.department_id, s.name AS step_name, s.promised_days,
               s."order" AS step_order
        FROM items it
        JOIN {T["item_stage"]} st ON st.item_id = it.id
        JOIN {T["approval_step"]} s ON s.stage_id = st.id
    ),
    multi AS (
        SELECT item_id, COUNT(DISTINCT department_id) AS departments, COUNT(*) AS steps
        FROM plan GROUP BY item_id HAVING COUNT(DISTINCT department_id) >= 2
    ),
    -- NOT MATERIALIZED: planned with the index on closed_at rather than as an opaque CTE
    closed_cases AS NOT MATERIALIZED (
        SELECT c.id, c.accepted_on, i.code
        FROM {T["case"]} c JOIN {T["item"]} i ON i.id = c.item_id
        WHERE c.status = 'closed'
          AND c.closed_at >= %(start_at)s AND c.closed_at < %(end_at)s
          AND i.code IN (SELECT p.code FROM plan p JOIN multi m ON m.item_id = p.item_id)
    ),
    real_steps AS (
        -- the stage number through the catalogue step (a case's stages copy the item's)
        SELECT cc.code, ist.number AS stage_number, s.department_id, s.opened_on,
               (s.decided_at AT TIME ZONE %(tz)s)::date AS decided_on
        FROM closed_cases cc
        JOIN {T["step"]} s ON s.case_id = cc.id
        JOIN {T["approval_step"]} a ON a.id = s.approval_step_id
        JOIN {T["item_stage"]} ist ON ist.id = a.stage_id
        WHERE s.decided_at IS NOT NULL AND s.opened_on IS NOT NULL
    ),
    case_decisions AS (
        SELECT cc.code, cc.accepted_on, (d.decided_at AT TIME ZONE %(tz)s)::date AS decided_on
        FROM closed_cases cc JOIN {T["decision"]} d ON d.case_id = cc.id
        WHERE d.decided_at IS NOT NULL AND cc.accepted_on IS NOT NULL
    ),
    {
        working_day_ordinals_sql(
            low="SELECT LEAST((SELECT MIN(opened_on) FROM real_steps),"
            " (SELECT MIN(accepted_on) FROM case_decisions))",
            high="%(end)s",
        )
    },
    real AS (
        SELECT r.code, r.stage_number, r.department_id, COUNT(*) AS samples,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY wdec.n - wopen.n) AS median_days
        FROM real_steps r
        JOIN wd wopen ON wopen.day = r.opened_on
        JOIN wd wdec ON wdec.day = r.decided_on
        GROUP BY r.code, r.stage_number, r.department_id
    ),
    real_cases AS (
        SELECT c.code, COUNT(*) AS cases,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY wdec.n - wacc.n) AS median_days
        FROM case_decisions c
        JOIN wd wacc ON wacc.day = c.accepted_on
        JOIN wd wdec ON wdec.day = c.decided_on
        GROUP BY c.code
    ),
    lines AS (
        SELECT p.*, r.median_days, COALESCE(r.samples, 0) AS samples,
               -- RANK, not ROW_NUMBER: departments tied for the longest are all bottlenecks
               RANK() OVER (
                   PARTITION BY p.item_id, p.stage_number ORDER BY p.promised_days DESC
               ) AS promised_rank,
               RANK() OVER (
                   PARTITION BY p.item_id, p.stage_number ORDER BY r.median_days DESC NULLS LAST
               ) AS real_rank
        FROM plan p
        JOIN multi m ON m.item_id = p.item_id
        LEFT JOIN real r ON r.code = p.code AND r.stage_number = p.stage_number
                        AND r.department_id = p.department_id
    ),
    stages AS (
        SELECT item_id, stage_number,
               MAX(promised_days) AS stage_promised,
               SUM(promised_days) AS stage_serial,
               CASE WHEN COUNT(*) FILTER (WHERE median_days IS NULL) = 0
                    THEN MAX(median_days) END AS stage_real,
               SUM(median_days) AS stage_real_serial,
               COUNT(*) FILTER (WHERE median_days IS NULL) AS steps_without_data
        FROM lines GROUP BY item_id, stage_number
    ),
    totals AS (
        SELECT item_id,
               SUM(stage_promised) AS promised_parallel,
               SUM(stage_serial) AS promised_serial,
               CASE WHEN SUM(steps_without_data) = 0 THEN SUM(stage_real) END AS real_parallel,
               CASE WHEN SUM(steps_without_data) = 0 THEN SUM(stage_real_serial) END
                   AS real_serial
        FROM stages GROUP BY item_id
    )
    SELECT l.item_id, l.code, l.item_name, l.stage_number, l.stage_name, l.step_name,
           COALESCE(NULLIF(dep.short_name, ''), dep.name) AS department,
           l.promised_days, l.promised_rank = 1 AS promised_bottleneck,
           ROUND(l.median_days::numeric, 1) AS real_median, l.samples,
           (l.real_rank = 1 AND l.median_days IS NOT NULL) AS real_bottleneck,
           s.stage_promised, s.stage_serial, ROUND(s.stage_real::numeric, 1) AS stage_real,
           t.promised_serial, t.promised_parallel,
           ROUND(t.real_serial::numeric, 1) AS real_serial,
           ROUND(t.real_parallel::numeric, 1) AS real_parallel,
           COALESCE(rc.cases, 0) AS real_cases,
           ROUND(rc.median_days::numeric, 1) AS real_case_median,
           m.departments, m.steps
    FROM lines l
    JOIN multi m ON m.item_id = l.item_id
    JOIN {T["department"]} dep ON dep.id = l.department_id
    JOIN stages s ON s.item_id = l.item_id AND s.stage_number = l.stage_number
    JOIN totals t ON t.item_id = l.item_id
    LEFT JOIN real_cases rc ON rc.code = l.code
    ORDER BY t.promised_serial - t.promised_parallel DESC, l.code, l.stage_number,
             l.step_order, l.department_id
    """
    return _comparisons(_rows(sql, {**period.params(), "today": today}))


def _comparisons(rows: list[dict[str, Any]]) -> list[ItemComparison]:
    """Group the flat SQL rows (already ordered) into items and stages for the page."""
    items: dict[int, ItemComparison] = {}
    for row in rows:
        item = items.get(row["item_id"])
        if item is None:
            item = items[row["item_id"]] = ItemComparison(
                item_id=row["item_id"],
                code=row["code"],
                name=row["item_name"],
                departments=row["departments"],
                steps=row["steps"],
                promised_serial=row["promised_serial"],
                promised_parallel=row["promised_parallel"],
                real_serial=row["real_serial"],
                real_parallel=row["real_parallel"],
                real_cases=row["real_cases"],
                real_case_median=row["real_case_median"],
            )
        if not item.stages or item.stages[-1].number != row["stage_number"]:
            item.stages.append(
                StageLine(
                    number=row["stage_number"],
                    name=row["stage_name"],
                    promised_days=row["stage_promised"],
                    promised_serial=row["stage_serial"],
                    real_days=row["stage_real"],
                )
            )
        item.stages[-1].steps.append(
            StepLine(
                stage_number=row["stage_number"],
                stage_name=row["stage_name"],
                department=row["department"],
                step_name=row["step_name"],
                promised_days=row["promised_days"],
                promised_bottleneck=row["promised_bottleneck"],
                real_median=row["real_median"],
                samples=row["samples"],
                real_bottleneck=row["real_bottleneck"],
            )
        )
    return list(items.values())


def serial_parallel_table(comparisons: Sequence[ItemComparison]) -> Table:
    """The comparison as one flat table (one row per step), for the page and the exports."""
    rows = []
    for item in comparisons:
        for stage in item.stages:
            for step in stage.steps:
                rows.append(
                    {
                        "item": item.name,
                        "stage": _("第%(number)s阶段 %(name)s")
                        % {"number": stage.number, "name": stage.name},
                        "department": step.department,
                        "step": step.step_name,
                        "promised_days": step.promised_days,
                        "promised_bottleneck": _("是") if step.promised_bottleneck else "",
                        "real_median": step.real_median,
                        "samples": step.samples,
                        "real_bottleneck": _("是") if step.real_bottleneck else "",
                        "item_promised_serial": item.promised_serial,
                        "item_promised_parallel": item.promised_parallel,
                        "item_real_serial": item.real_serial,
                        "item_real_parallel": item.real_parallel,
                    }
                )
    return Table(
        key="serial-parallel",
        title=_("串联与并联对比（按环节）"),
        columns=[
            Column("item", _("事项")),
            Column("stage", _("阶段")),
            Column("department", _("部门")),
            Column("step", _("审批内容")),
            Column("promised_days", _("承诺时限"), "int"),
            Column("promised_bottleneck", _("承诺瓶颈")),
            Column("real_median", _("实际用时中位数"), "decimal"),
            Column("samples", _("样本数"), "int"),
            Column("real_bottleneck", _("实际瓶颈")),
            Column("item_promised_serial", _("事项串联（承诺）"), "int"),
            Column("item_promised_parallel", _("事项并联（承诺）"), "int"),
            Column("item_real_serial", _("事项串联（实际）"), "decimal"),
            Column("item_real_parallel", _("事项并联（实际）"), "decimal"),
        ],
        rows=rows,
    )


# --- queue: waiting and service times per category and window -----------------------------------


def _minutes(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 60).quantize(Decimal("0.1"))


def queue_tables(*, period: Period) -> list[Table]:
    """Waiting and service times per queue category and per window.

    Uses `hall.queue.queue_statistics` (the queue's own definition of the times) when the queue
    module is installed, and otherwise the same aggregates here, in one query.
    """
    try:
        from hall.queue import queue_statistics
    except ImportError:  # a hall without the queue module
        queue_statistics = None
    if queue_statistics is not None:
        stats = queue_statistics(start=period.start, end=period.end + datetime.timedelta(days=1))
        by_category = [{"label": row["label"], **_queue_row(row)} for row in stats["by_category"]]
        by_window = [
            {"label": f"{row['window_number']} {row['window_name']}", **_queue_row(row)}
            for row in stats["by_window"]
        ]
    else:
        by_category, by_window = _queue_rows_sql(period)
    return [
        _queue_table(
            "queue-categories", _("按取号类别的等候与办理时长"), _("取号类别"), by_category
        ),
        _queue_table("queue-windows", _("按窗口的等候与办理时长"), _("窗口"), by_window),
    ]


def _queue_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "tickets": row["tickets"],
        "called": row["called"],
        "done": row["done"],
        "no_show": row["no_show"],
        "wait_avg": _minutes(row["wait_avg"]),
        "wait_median": _minutes(row["wait_median"]),
        "service_avg": _minutes(row["service_avg"]),
        "service_median": _minutes(row["service_median"]),
    }


def _queue_rows_sql(period: Period) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    labels = dict(ServiceItem.QueueCategory.choices)
    sql = f"""
    SELECT t.category, w.number, w.name, GROUPING(t.category) AS by_window,
           COUNT(*) AS tickets,
           COUNT(*) FILTER (WHERE t.called_at IS NOT NULL) AS called,
           COUNT(*) FILTER (WHERE t.status = 'done') AS done,
           COUNT(*) FILTER (WHERE t.status = 'no_show') AS no_show,
           AVG(t.called_at - t.issued_at) AS wait_avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.called_at - t.issued_at) AS wait_median,
           AVG(t.finished_at - t.served_at) AS service_avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.finished_at - t.served_at)
               AS service_median
    FROM {T["ticket"]} t LEFT JOIN {T["window"]} w ON w.id = t.window_id
    WHERE t.issued_at >= %(start_at)s AND t.issued_at < %(end_at)s
    GROUP BY GROUPING SETS ((t.category), (w.number, w.name))
    ORDER BY by_window, t.category, w.number
    """
    categories, by_window = {}, []
    for row in _rows(sql, period.params()):
        if row["by_window"]:
            if row["number"] is not None:
                by_window.append({"label": f"{row['number']} {row['name']}", **_queue_row(row)})
        else:
            categories[row["category"]] = _queue_row(row)
    empty = _queue_row(
        dict.fromkeys(("tickets", "called", "done", "no_show"), 0)
        | dict.fromkeys(("wait_avg", "wait_median", "service_avg", "service_median"))
    )
    # Every category, in the catalogue's order, like hall.queue.queue_statistics.
    by_category = [
        {"label": label, **categories.get(code, empty)} for code, label in labels.items()
    ]
    return by_category, by_window


def _queue_table(key: str, title: str, label: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        key=key,
        title=title,
        columns=[
            Column("label", label),
            Column("tickets", _("取号"), "int"),
            Column("called", _("已叫号"), "int"),
            Column("done", _("办结"), "int"),
            Column("no_show", _("过号"), "int"),
            Column("wait_avg", _("平均等候（分钟）"), "minutes"),
            Column("wait_median", _("等候中位数（分钟）"), "minutes"),
            Column("service_avg", _("平均办理（分钟）"), "minutes"),
            Column("service_median", _("办理中位数（分钟）"), "minutes"),
        ],
        rows=rows,
        note=_("等候为取号至叫号，办理为开始办理至结束。"),
    )
