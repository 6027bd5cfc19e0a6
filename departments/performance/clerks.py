"""Figures per window clerk: cases received, accepted, notices, ratings."""

from __future__ import annotations

from django.utils.translation import gettext as _

from departments.performance.periods import Period
from departments.performance.tables import Column, T, Table, rows_fetch


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
    rows = rows_fetch(sql, period.params())
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
