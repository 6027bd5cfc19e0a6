"""The hooks `ApprovalFlow` calls when it creates a task: open a step with its deadline, open a
stage or final decision, open delivery. They import nothing of the flow."""

from __future__ import annotations

from django.utils import timezone

from approvals.models import (
    CaseDecision,
    CaseStage,
    CaseStep,
)
from approvals.reviews.common import (
    OPENED_FIELDS,
    review_starts_on,
    step_reschedule,
    steps_opening,
)
from approvals.reviews.selectors import current_stage_ids
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.models import Case


def step_open(*, step_id: int, task) -> CaseStep:
    """A department step got its task: it is in the department's queue with its deadline.

    During `approval_start` the step is the one it just created, and that service writes it;
    otherwise (the next stage, the next step of a serial item) it is read and saved here.
    """
    opening = steps_opening.get() or {}
    step = opening.get(step_id)
    if step is None:
        step = CaseStep.objects.select_related(
            "case", "case__item", "case__owner", "department"
        ).get(pk=step_id)
    fresh = step.status == CaseStep.Status.PENDING
    now = timezone.now()
    step.status = CaseStep.Status.OPEN
    step.opened_at = now
    starts_on = review_starts_on.get()
    step.opened_on = (
        min(starts_on, timezone.localdate(now)) if starts_on else timezone.localdate(now)
    )
    step.task = task
    step_reschedule(step, fresh=fresh)
    if step_id not in opening:
        step.save(update_fields=OPENED_FIELDS)
    event_record(
        case=step.case,
        action=CaseAction.REVIEW_STARTED,
        details={
            "department": step.department.name,
            "step": step.name,
            "due_date": step.due_date.isoformat(),
        },
    )
    return step


def stage_decision_open(*, case: Case, task) -> None:
    """The current stage (the first undecided one) waits for its lead's decision: one UPDATE."""
    CaseStage.objects.filter(pk__in=current_stage_ids(case=case).values("pk")).update(
        decision_task=task
    )


def final_decision_open(*, case: Case, task) -> None:
    CaseDecision.objects.filter(case=case).update(decision_task=task)


def delivery_open(*, case: Case, task) -> None:
    CaseDecision.objects.filter(case=case).update(delivery_task=task)
