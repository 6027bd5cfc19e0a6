"""Figures per item, and the trend of open and overdue cases."""

from __future__ import annotations

from django.utils.translation import gettext as _

from approvals.clock.sql import working_day_ordinals_sql
from approvals.models import CaseDecision
from departments.performance.open_cases import OpenCases
from departments.performance.periods import Period
from departments.performance.tables import Column, T, Table, rows_fetch

GRANT = CaseDecision.Decision.GRANT.value


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
        SELECT i.code, c.accepted_on, d.decision, d.issued_late,
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
               COUNT(*) FILTER (WHERE d.decision = '{GRANT}') AS granted,
               COUNT(*) FILTER (WHERE d.issued_late) AS issued_late,
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
           COALESCE(e.issued_late, 0) AS issued_late,
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
            Column("issued_late", _("逾期颁发送达"), "int"),
            Column("median_days", _("受理至决定中位数"), "decimal", _("工作日")),
            Column("p90_days", _("受理至决定90分位"), "decimal", _("工作日")),
            Column("max_days", _("最长"), "int", _("工作日")),
            Column("promised_days", _("承诺时限"), "int"),
            Column("statutory_days", _("法定时限"), "int"),
        ],
        rows=rows_fetch(sql, period.params()),
        note=_("用时为受理日至决定日的工作日（不含受理当日）；标红的事项90分位超过承诺时限。"),
        highlight="attention",
    )


def open_overdue_trend(*, period: Period, open_cases: OpenCases | None = None) -> Table:
    """For each day of the period: cases in approval (accepted, not yet closed) at the end of the
    day, and those of them past their promised date (the day after `promised_due_date` onwards).

    One scan of the cases: each case contributes marks on the days its counts change (accepted,
    closed, overdue from, and overdue ended by closing), and running sums over the days of
    `generate_series` give the counts. Marks before the period fall on its first day.

    With `open_cases` (`departments.performance.open_cases`, kept by beat) the open cases are
    not scanned: the kept groups stand for the cases open at its `taken_at`, and only the cases
    closed before that moment are read, so the figures are exact as of `taken_at`.
    """
    if open_cases is None:
        cases = f"""
        SELECT accepted_on,
               (closed_at AT TIME ZONE %(tz)s)::date AS closed_on,
               promised_due_date + 1 AS overdue_from, 1 AS n
        FROM {T["case"]}
        WHERE accepted_on <= %(end)s AND closed_at >= %(start_at)s
        UNION ALL  -- two index-friendly halves rather than one OR over the whole table
        SELECT accepted_on, NULL, promised_due_date + 1, 1
        FROM {T["case"]}
        WHERE accepted_on <= %(end)s AND closed_at IS NULL
        """
        params = period.params()
    else:
        cases = f"""
        SELECT accepted_on,
               (closed_at AT TIME ZONE %(tz)s)::date AS closed_on,
               promised_due_date + 1 AS overdue_from, 1 AS n
        FROM {T["case"]}
        WHERE accepted_on <= %(end)s AND closed_at >= %(start_at)s AND closed_at < %(taken_at)s
        UNION ALL
        SELECT kept.accepted_on, NULL, kept.overdue_from, kept.n
        FROM unnest(%(kept_accepted)s::date[], %(kept_overdue)s::date[], %(kept_n)s::int[])
             AS kept(accepted_on, overdue_from, n)
        WHERE kept.accepted_on <= %(end)s
        """
        params = {
            **period.params(),
            "taken_at": open_cases.taken_at,
            "kept_accepted": open_cases.accepted_on,
            "kept_overdue": open_cases.overdue_from,
            "kept_n": open_cases.counts,
        }
    sql = f"""
    WITH cases AS ({cases}),
    marks AS (
        SELECT GREATEST(m.day, %(start)s::date) AS day,
               SUM(m.open_delta) AS open_delta, SUM(m.overdue_delta) AS overdue_delta
        FROM cases c
        CROSS JOIN LATERAL (VALUES
            (c.accepted_on, c.n, 0),
            (c.closed_on, -c.n, 0),
            (c.overdue_from, 0, c.n),
            -- closing ends the overdue count, from the day it would have started at the latest
            -- (GREATEST ignores NULLs in PostgreSQL, hence the CASE)
            (CASE WHEN c.overdue_from IS NOT NULL AND c.closed_on IS NOT NULL
                  THEN GREATEST(c.overdue_from, c.closed_on) END, 0, -c.n)
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
        rows=rows_fetch(sql, params),
        note=_("按当日24时的状态统计。"),
    )
