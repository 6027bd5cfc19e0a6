"""Starting the parallel review of an accepted case: copy the item's stages and steps, start the
flow."""

from __future__ import annotations

import datetime

from approvals.flows import ApprovalFlow
from approvals.models import (
    CaseDecision,
    CaseStage,
    CaseStep,
)
from approvals.reviews.common import _one_calendar, review_starts_on
from hall.models import Case


def approval_start(*, case: Case, starts_on: datetime.date | None = None) -> None:
    """Copy the item's stages and steps onto the accepted case and start its workflow.

    The steps opened now count their working days from `starts_on` (the acceptance date; for a
    deemed acceptance the day the materials arrived), or from today.

    Runs inside the acceptance's transaction: if the workflow cannot start, the case is not
    accepted either.
    """

    for item_stage in case.item.stages.prefetch_related("steps").order_by("number"):
        stage = CaseStage.objects.create(
            case=case,
            number=item_stage.number,
            name=item_stage.name,
            lead_department_id=item_stage.lead_department_id,
        )
        CaseStep.objects.bulk_create(
            CaseStep(
                case=case,
                case_stage=stage,
                approval_step=step,
                department_id=step.department_id,
                name=step.name,
                order=step.order,
                promised_days=step.promised_days,
                deemed_approval=step.deemed_approval,
            )
            for step in item_stage.steps.all()
        )
    CaseDecision.objects.create(case=case)
    token = review_starts_on.set(starts_on)
    try:
        with _one_calendar():
            ApprovalFlow.start.run(case=case)
    finally:
        review_starts_on.reset(token)
