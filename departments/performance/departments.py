"""Figures per department: steps, on-time rate, deemed approvals, extensions,
median working days."""

from __future__ import annotations

from django.utils.translation import gettext as _

from approvals.clock.sql import working_day_ordinals_sql
from approvals.models import CaseDecision, CaseStep, StepExtension, StepSuspension
from departments.performance.periods import Period
from departments.performance.tables import Column, T, Table, rows_fetch

Step = CaseStep.Status
# The statuses are written into the SQL from the model's choices, never as literals of their own.
APPROVED, REFUSED, DEEMED = Step.APPROVED.value, Step.REFUSED.value, Step.DEEMED.value
CORRECTION = StepSuspension.Kind.CORRECTION.value
EXTENSION_APPROVED = StepExtension.Status.APPROVED.value
GRANT = CaseDecision.Decision.GRANT.value


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
      period, and bad ratings of the department in the period;
    - Art. 44: the grants the department decided as the item's lead (it issues the licence) in
      the period, and those whose ten working days to issue and deliver were missed (delivered
      late, or past the date and not delivered: red-carded by the issuance sweep).
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
          AND s.status IN ('{APPROVED}', '{REFUSED}', '{DEEMED}')
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
               COUNT(*) FILTER (WHERE status <> '{DEEMED}' AND decided_at < due_at) AS on_time,
               COUNT(*) FILTER (WHERE status = '{DEEMED}') AS deemed,
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
               COUNT(*) FILTER (WHERE ss.kind = '{CORRECTION}') AS corrections,
               COUNT(*) FILTER (WHERE ss.kind <> '{CORRECTION}') AS special_procedures
        FROM {T["suspension"]} ss
        JOIN {T["step"]} s ON s.id = ss.step_id
        WHERE ss.starts_on BETWEEN %(start)s AND %(end)s
        GROUP BY s.department_id
    ),
    extensions AS (
        SELECT s.department_id,
               COUNT(*) AS extensions,
               COUNT(*) FILTER (WHERE e.status = '{EXTENSION_APPROVED}') AS extensions_approved
        FROM {T["extension"]} e
        JOIN {T["step"]} s ON s.id = e.step_id
        WHERE e.requested_at >= %(start_at)s AND e.requested_at < %(end_at)s
        GROUP BY s.department_id
    ),
    issued AS (
        SELECT i.lead_department_id AS department_id,
               COUNT(*) AS grants,
               COUNT(*) FILTER (
                   WHERE d.issued_late OR d.issue_warned_red_at IS NOT NULL
               ) AS issued_late
        FROM {T["decision"]} d
        JOIN {T["case"]} c ON c.id = d.case_id
        JOIN {T["item"]} i ON i.id = c.item_id
        WHERE d.decided_at >= %(start_at)s AND d.decided_at < %(end_at)s
          AND d.decision = '{GRANT}'
        GROUP BY i.lead_department_id
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
           COALESCE(iss.grants, 0) AS grants,
           COALESCE(iss.issued_late, 0) AS issued_late,
           COALESCE(ra.bad_ratings, 0) AS bad_ratings
    FROM {T["department"]} dep
    LEFT JOIN steps st ON st.department_id = dep.id
    LEFT JOIN stops so ON so.department_id = dep.id
    LEFT JOIN extensions ex ON ex.department_id = dep.id
    LEFT JOIN issued iss ON iss.department_id = dep.id
    LEFT JOIN ratings ra ON ra.department_id = dep.id
    ORDER BY dep.code
    """
    rows = rows_fetch(sql, period.params())
    for row in rows:
        row["attention"] = bool(row["deemed"] or row["over_promised"] or row["issued_late"])
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
            Column("grants", _("准予许可"), "int", _("本部门作为主办部门本期作出的准予决定")),
            Column(
                "issued_late",
                _("逾期颁发送达"),
                "int",
                _("未在决定后十个工作日内颁发送达（行政许可法第四十四条）"),
            ),
            Column("bad_ratings", _("差评"), "int"),
        ],
        rows=rows,
        note=_(
            "用时单位为工作日；标红的部门本期有超时默许、超过承诺时限的环节，或逾期颁发送达的许可。"
        ),
        highlight="attention",
    )
