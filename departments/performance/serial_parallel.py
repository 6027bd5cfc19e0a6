"""Serial against parallel: each item's critical path from its promised limits and from real
medians, against the sum of its steps in series (the article's 967 days)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from approvals.clock.sql import working_day_ordinals_sql
from departments.performance.periods import Period
from departments.performance.tables import Column, T, Table, rows_fetch
from hall.models import Case


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
        WHERE c.status = '{Case.Status.CLOSED.value}'
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
    return _comparisons(rows_fetch(sql, {**period.params(), "today": today}))


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
