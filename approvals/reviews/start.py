"""Starting the parallel review of an accepted case: copy the item's stages and steps, start the
flow."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from approvals.flows import ApprovalFlow
from approvals.models import (
    ApprovalStep,
    CaseDecision,
    CaseStage,
    CaseStep,
)
from approvals.reviews.common import (
    OPENED_FIELDS,
    one_calendar,
    review_starts_on,
    steps_opening,
)
from hall.cases.events import events_batch
from hall.common.bulk import rows_update
from hall.models import Case


def approval_start(
    *, case: Case, starts_on: datetime.date | None = None, with_stages: bool = True
) -> None:
    """Copy the item's stages and steps onto the accepted case and start its workflow.

    The steps opened now count their working days from `starts_on` (the acceptance date; for a
    deemed acceptance the day the materials arrived), or from today.

    Runs inside the acceptance's transaction: if the workflow cannot start, the case is not
    accepted either. The rows are written in bulk: the stages, then all steps in one INSERT;
    the steps the workflow opens are updated together in one statement after it started, and
    their events go in with one more (`events_batch`).
    """
    created: dict[int, CaseStep] = {}
    item_stages = case.item.stages.prefetch_related(
        Prefetch("steps", queryset=ApprovalStep.objects.select_related("department"))
    ).order_by("number")
    # Without stages (an instant approval) the flow goes straight to the final decision.
    for item_stage in item_stages if with_stages else ():
        stage = CaseStage.objects.create(
            case=case,
            number=item_stage.number,
            name=item_stage.name,
            lead_department_id=item_stage.lead_department_id,
        )
        steps = CaseStep.objects.bulk_create(
            CaseStep(
                case=case,
                case_stage=stage,
                approval_step=step,
                department=step.department,
                name=step.name,
                order=step.order,
                promised_days=step.promised_days,
                deemed_approval=step.deemed_approval,
            )
            for step in item_stage.steps.all()
        )
        created.update((step.pk, step) for step in steps)
    CaseDecision.objects.create(case=case)
    starts = review_starts_on.set(starts_on)
    opening = steps_opening.set(created)
    try:
        with one_calendar(), events_batch():
            ApprovalFlow.start.run(case=case)
            opened = [step for step in created.values() if step.status == CaseStep.Status.OPEN]
            rows_update(opened, OPENED_FIELDS)
    finally:
        steps_opening.reset(opening)
        review_starts_on.reset(starts)
