"""Step row locks: the one way a review service takes a department step's lock.

Always `FOR UPDATE OF` the step row alone; what is read with it (the case, the item, the
department and its head) is read, not locked. A service that needs the case row too takes it
after the step's (`hall.cases.locks.case_lock`), the order every review service keeps, so two
of them cannot deadlock. Batches are locked in a stated order, primary key last.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from approvals.models import CaseStep

# What the review services print and tell about a step.
STEP_RELATED = (
    "case",
    "case__item",
    "case__applicant",
    "department",
    "department__head__user",
    "case__owner",
)


def step_locked(step_id: int) -> CaseStep:
    """The step read fresh under its row lock for the rest of the transaction."""
    return (
        CaseStep.objects.select_for_update(of=("self",))
        .select_related(*STEP_RELATED)
        .get(pk=step_id)
    )


def steps_locked(
    steps: QuerySet[CaseStep], *, order: Sequence[str] = ("pk",), skip_locked: bool = False
) -> QuerySet[CaseStep]:
    """The steps of `steps` locked in `order` (ending with the primary key); `skip_locked`: a
    sweep's batch passes over the rows another sweeper holds."""
    return steps.select_for_update(of=("self",), skip_locked=skip_locked).order_by(*order)
