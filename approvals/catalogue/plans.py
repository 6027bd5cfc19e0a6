"""An item's stage plan (stages, parallel steps, promised days) for the guide and supervision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from approvals.models import (
    ApprovalStep,
    ItemStage,
    ServiceItem,
)
from departments.models import Department


@dataclass(frozen=True)
class StepPlan:
    """One department's part inside a stage (steps of one stage run in parallel)."""

    department: Department
    name: str
    promised_days: int
    deemed_approval: bool
    is_lead: bool
    step: ApprovalStep | None = None


@dataclass(frozen=True)
class StagePlan:
    """A stage with its parallel steps. Its promised days are the longest step's."""

    number: int
    name: str
    lead_department: Department | None
    steps: tuple[StepPlan, ...]
    stage: ItemStage | None = None

    @property
    def promised_days(self) -> int:
        """Parallel steps finish when the slowest one does."""
        return max((step.promised_days for step in self.steps), default=0)

    @property
    def serial_days(self) -> int:
        return sum(step.promised_days for step in self.steps)


class StagePlans(list[StagePlan]):
    """The stages of an item in order, with the totals the guide publishes.

    It is a plain list of `StagePlan` (iterate it, index it) that also answers the comparison the
    source article makes: the same steps one after another (`serial_days`) against stages whose
    steps run side by side (`parallel_days`).
    """

    serial: bool = False

    def __init__(self, stages: Iterable[StagePlan] = (), *, serial: bool = False) -> None:
        super().__init__(stages)
        self.serial = serial

    @property
    def serial_days(self) -> int:
        """Every step after the previous one: the old 串联审批."""
        return sum(stage.serial_days for stage in self)

    @property
    def parallel_days(self) -> int:
        """Stages in order, the steps of a stage at the same time: 并联审批."""
        return sum(stage.promised_days for stage in self)

    @property
    def promised_days(self) -> int:
        """The days the plan takes as configured (`ServiceItem.serial` picks the mode)."""
        return self.serial_days if self.serial else self.parallel_days

    @property
    def departments(self) -> list[Department]:
        """Every department that has a step or leads a stage, in order of first appearance."""
        seen: dict[int, Department] = {}
        for stage in self:
            if stage.lead_department is not None:
                seen.setdefault(stage.lead_department.pk, stage.lead_department)
            for step in stage.steps:
                seen.setdefault(step.department.pk, step.department)
        return list(seen.values())

    @property
    def step_count(self) -> int:
        return sum(len(stage.steps) for stage in self)


def item_stage_plan(*, item: ServiceItem) -> StagePlans:
    """The stages of `item` in order, each with its steps and days; two queries whatever the size.

    A stage's promised days are the maximum of its steps' (they run in parallel); the totals are on
    the returned `StagePlans`.
    """
    stages = (
        ItemStage.objects.filter(item=item)
        .select_related("lead_department")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.select_related("department").order_by("order", "pk"),
            )
        )
        .order_by("number")
    )
    plans = StagePlans(serial=item.serial)
    for stage in stages:
        steps = tuple(
            StepPlan(
                department=step.department,
                name=step.name,
                promised_days=step.promised_days,
                deemed_approval=step.deemed_approval,
                is_lead=step.department_id == stage.lead_department_id,
                step=step,
            )
            for step in stage.steps.all()
        )
        plans.append(
            StagePlan(
                number=stage.number,
                name=stage.name,
                lead_department=stage.lead_department,
                steps=steps,
                stage=stage,
            )
        )
    return plans


def bundle_stage_plan(*, items: Sequence[ServiceItem]) -> StagePlans:
    """A 一件事 as one stage: its items are filed together and handled side by side.

    Each item appears as one box with its lead department and its own promised days.
    `items` should come with `lead_department` selected.
    """
    steps = tuple(
        StepPlan(
            department=item.lead_department,
            name=item.name,
            promised_days=item.promised_days,
            # Deemed approval belongs to steps inside an item, not to a bundle's items.
            deemed_approval=True,
            is_lead=False,
        )
        for item in items
    )
    stage = StagePlan(
        number=1, name=_("一次提交，各部门同时办理"), lead_department=None, steps=steps
    )
    return StagePlans([stage])
