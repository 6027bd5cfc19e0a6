"""Step row locks: the one way a review service takes a department step's lock.

Always `FOR UPDATE OF` the step row alone; what is read with it (the case, the item, the
department and its head) is read, not locked. A service that needs the case row too takes it
after the step's (`hall.cases.locks.case_lock`), the order every review service keeps, so two
of them cannot deadlock. Batches are locked in a stated order, primary key last.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet, Subquery
from viewflow.workflow.models import Process, Task

from approvals.models import CaseDecision, CaseStage, CaseStep
from departments.models import Department
from hall.common.compiled import CompiledRead
from hall.models import Case

# What the review services print and tell about a step.
STEP_RELATED = (
    "case",
    "case__item",
    "case__applicant",
    "department",
    "department__head__user",
    "case__owner",
)


_STEP_LOCKED = CompiledRead(
    lambda pk: (
        CaseStep.objects.select_for_update(of=("self",)).select_related(*STEP_RELATED).filter(pk=pk)
    )
)


def step_locked(step_id: int) -> CaseStep:
    """The step read fresh under its row lock for the rest of the transaction (the query is
    compiled once per process: `hall.common.compiled`)."""
    return _STEP_LOCKED.read(step_id)


# A stage read fresh under its row lock, with its case and item (the stage decision).
STAGE_LOCKED = CompiledRead(
    lambda pk: (
        CaseStage.objects.select_for_update(of=("self",))
        .select_related("case", "case__item")
        .filter(pk=pk)
    )
)

# A case's decision read fresh under its row lock (the final decision, the delivery).
DECISION_LOCKED = CompiledRead(lambda pk: CaseDecision.objects.select_for_update().filter(pk=pk))


def steps_locked(
    steps: QuerySet[CaseStep], *, order: Sequence[str] = ("pk",), skip_locked: bool = False
) -> QuerySet[CaseStep]:
    """The steps of `steps` locked in `order` (ending with the primary key); `skip_locked`: a
    sweep's batch passes over the rows another sweeper holds."""
    return steps.select_for_update(of=("self",), skip_locked=skip_locked).order_by(*order)


_DUE_PROCESSES = f"""
SELECT p.id FROM {Process._meta.db_table} p
WHERE p.id = ANY (ARRAY(
    SELECT DISTINCT (SELECT t.process_id FROM {Task._meta.db_table} t WHERE t.id = s.task_id)
    FROM {CaseStep._meta.db_table} s
    WHERE s.status = %s AND s.deemed_approval AND s.due_at <= %s
))
ORDER BY p.id
LIMIT %s
FOR UPDATE OF p SKIP LOCKED
"""


def processes_with_due_steps_locked(*, now: datetime.datetime, batch: int) -> list[int]:
    """Up to `batch` processes with an open deemable step due by `now`, locked (SKIP LOCKED:
    another sweeper's are passed over), in id order.

    From the due steps (the partial index `step_open_due`) each step's process is looked up by
    its task's primary key, one lookup per due step whatever the planner estimates: written as
    a join, a stale estimate of how many steps are due made PostgreSQL hash every viewflow task
    of the hall (~0.4 s a batch at 1,000,000 open steps; issue 27).
    """
    if connection.vendor != "postgresql":  # the embedded default (SQLite): one writer anyway
        due = CaseStep.objects.filter(
            status=CaseStep.Status.OPEN, deemed_approval=True, due_at__lte=now
        ).values("task__process_id")
        return list(
            Process.objects.select_for_update()
            .filter(pk__in=Subquery(due))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
    with connection.cursor() as cursor:
        # the planner cannot know how many steps are due; at its guess the statement looks dear
        # enough to JIT-compile, which costs ~9 ms against ~2 ms of running it
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_DUE_PROCESSES, [CaseStep.Status.OPEN, now, batch])
        return [row[0] for row in cursor.fetchall()]


@dataclass(slots=True)
class DueStep:
    """A due step as the deemed-approval sweep reads it under its lock: its own columns, its
    viewflow task's process and token, and its case (with item, applicant and owner) and
    department (with head) shared by every step of the batch that has them."""

    pk: int
    task_id: int
    process_id: int
    token: object  # viewflow's Token
    case_stage_id: int
    department_id: int
    claimed_by_id: int | None
    claimed_by_active: bool
    due_date: datetime.date
    case: Case
    department: Department


def due_steps_locked(
    *, process_ids: Sequence[int], now: datetime.datetime, step_ids: Sequence[int] | None = None
) -> list[DueStep]:
    """The open deemable steps of `process_ids` due by `now` (or only those of `step_ids`),
    locked (the step rows alone), in process then step order; their cases and departments read
    once each, not once per step (a case's five steps share one case).

    Three reads instead of one nine-table join building eleven model instances per step: at a
    batch of 500 steps that join cost more than every write of the batch (issue 27).
    """
    due = CaseStep.objects.filter(
        status=CaseStep.Status.OPEN,
        deemed_approval=True,
        due_at__lte=now,
        task__process_id__in=process_ids,
    )
    if step_ids is not None:
        due = due.filter(pk__in=step_ids)
    rows = list(
        steps_locked(due, order=("task__process_id", "pk")).values_list(
            "pk",
            "task_id",
            "task__process_id",
            "task__token",
            "case_stage_id",
            "department_id",
            "claimed_by_id",
            "claimed_by__is_active",
            "due_date",
            "case_id",
            named=True,
        )
    )
    if not rows:
        return []
    cases = (
        Case.objects.select_related("item", "applicant", "owner")
        .defer("applicant__id_number")  # sealed, opened per row, and no message names it
        .in_bulk({row.case_id for row in rows})
    )
    departments = Department.objects.select_related("head__user").in_bulk(
        {row.department_id for row in rows}
    )
    return [
        DueStep(
            pk=row.pk,
            task_id=row.task_id,
            process_id=row.task__process_id,
            token=row.task__token,
            case_stage_id=row.case_stage_id,
            department_id=row.department_id,
            claimed_by_id=row.claimed_by_id,
            claimed_by_active=bool(row.claimed_by__is_active),
            due_date=row.due_date,
            case=cases[row.case_id],
            department=departments[row.department_id],
        )
        for row in rows
    ]
