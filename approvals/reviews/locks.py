"""Step row locks: the one way a review service takes a department step's lock.

Always `FOR UPDATE OF` the step row alone; what is read with it (the case, the item, the
department and its head) is read, not locked. A service that needs the case row too takes it
after the step's (`hall.cases.locks.case_lock`), the order every review service keeps, so two
of them cannot deadlock. Batches are locked in a stated order, primary key last.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from approvals.models import CaseDecision, CaseStage, CaseStep
from hall.common.compiled import CompiledRead

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
