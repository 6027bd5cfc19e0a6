"""Reads of the approval rows: routing questions for the flow, queues for the officer desk."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import QuerySet

from approvals.clock.deadlines import Deadline
from approvals.models import CaseDecision, CaseStage, CaseStep, StepSuspension
from approvals.reviews.locks import DueStep
from departments.models import Department
from hall.cases.selectors import case_notices as hall_case_notices
from hall.models import Case, CaseMaterial, Notice


def current_stage(*, case) -> CaseStage | None:
    """The first stage without a decision."""
    return current_stage_ids(case=case).first()


def current_stage_ids(*, case) -> QuerySet[CaseStage]:
    """The first stage without a decision, as a one-row queryset to filter or update by."""
    return CaseStage.objects.filter(case=case, decision="").order_by("number")[:1]


def has_open_stage(*, case) -> bool:
    """Go on to another stage unless every stage is decided or one was refused."""
    decisions = set(case.stages.values_list("decision", flat=True))  # a case has a few stages
    return CaseStage.Decision.REFUSED not in decisions and "" in decisions


def steps_to_open(*, case) -> list[dict]:
    """What the next fan-out opens: the whole current stage, or its next step when serial.

    A serial stage stops opening further steps once one department refused.
    """
    stage = current_stage(case=case)
    if stage is None:
        return []
    steps = stage.steps.order_by("order", "pk")
    if case.item.serial and steps.filter(status=CaseStep.Status.REFUSED).exists():
        return []
    if case.item.serial and steps.filter(status__in=CaseStep.OPEN_STATUSES).exists():
        return []
    pending = steps.filter(status=CaseStep.Status.PENDING).values("pk", "department__code")
    if case.item.serial:
        pending = pending[:1]
    return [{"step_id": row["pk"], "department": row["department__code"]} for row in pending]


def stage_has_steps_to_open(*, case) -> bool:
    """Whether the fan-out should run again for the current stage. For a parallel item every
    step of a stage opens at once, so this is one question (a pending step in the first
    undecided stage); a serial item asks the full `steps_to_open`."""
    if case.item.serial:
        return bool(steps_to_open(case=case))
    return CaseStep.objects.filter(
        case_stage__in=current_stage_ids(case=case).values("pk"), status=CaseStep.Status.PENDING
    ).exists()


def department_inbox(*, department: Department) -> QuerySet[CaseStep]:
    """The department's open steps, soonest deadline first."""
    return (
        CaseStep.objects.filter(department=department, status__in=CaseStep.OPEN_STATUSES)
        .select_related("case", "case__item", "case__applicant", "claimed_by", "case_stage")
        .order_by("due_at", "pk")
    )


def lead_tasks(*, department: Department) -> dict[str, QuerySet]:
    """Stage and final decisions waiting for this department as the lead."""

    return {
        "stages": CaseStage.objects.filter(
            lead_department=department, decision="", decision_task__isnull=False
        ).select_related("case", "case__item"),
        "decisions": CaseDecision.objects.filter(
            case__item__lead_department=department,
            decision="",
            decision_task__isnull=False,
        ).select_related("case", "case__item"),
    }


def case_opinions(*, case) -> QuerySet[CaseStep]:
    return case.steps.select_related("department", "decided_by", "case_stage").order_by(
        "case_stage__number", "order", "pk"
    )


def step_recipients(*, case: Case, steps: Sequence[CaseStep]) -> list[User]:
    """Who is told about open steps of a case: the officer of each step (whoever claimed it,
    else every officer of its department), the department heads, and the case's first-contact
    owner; each person once, in that order, and never a disabled account."""
    people: dict[int, User] = {}
    for step in steps:
        if step.claimed_by_id is not None:
            people.setdefault(step.claimed_by_id, step.claimed_by)
    unclaimed = [step.department_id for step in steps if step.claimed_by_id is None]
    if unclaimed:
        for user in User.objects.filter(officer__department_id__in=unclaimed).order_by("pk"):
            people.setdefault(user.pk, user)
    for step in steps:
        head = step.department.head
        if head is not None:
            people.setdefault(head.user_id, head.user)
    if case.owner_id:
        people.setdefault(case.owner_id, case.owner)
    return [user for user in people.values() if user.is_active]


def steps_recipient_ids(*, steps: Sequence[DueStep]) -> dict[int, list[int]]:
    """`step_recipients` for many steps at once, as user ids by step id, in one query (the
    department officers of the unclaimed steps)."""
    unclaimed = {step.department_id for step in steps if step.claimed_by_id is None}
    officers: dict[int, list[int]] = {}
    if unclaimed:
        rows = (
            User.objects.filter(officer__department_id__in=unclaimed, is_active=True)
            .order_by("pk")
            .values_list("officer__department_id", "pk")
        )
        for department_id, user_id in rows:
            officers.setdefault(department_id, []).append(user_id)
    recipients: dict[int, list[int]] = {}
    for step in steps:
        people: list[int] = []
        if step.claimed_by_id is not None:
            if step.claimed_by_active:
                people.append(step.claimed_by_id)
        else:
            people.extend(officers.get(step.department_id, []))
        head = step.department.head
        if head is not None and head.user.is_active:
            people.append(head.user_id)
        owner = step.case.owner
        if owner is not None and owner.is_active:
            people.append(owner.pk)
        recipients[step.pk] = list(dict.fromkeys(people))
    return recipients


def single_decision_applies(*, step: CaseStep) -> bool:
    """One department is the case's only reviewer and leads its one stage and the item: its
    opinion, the stage's decision and the final decision are then one act (一次决定), not three
    identical decisions in a row."""
    case = step.case
    lead = case.item.lead_department_id
    if step.department_id != lead:
        return False
    stages = list(case.stages.all()[:2])
    if len(stages) != 1 or stages[0].lead_department_id != lead:
        return False
    return not case.steps.exclude(pk=step.pk).exists()


# --- the case file --------------------------------------------------------------------------------


def case_materials(*, case: Case) -> QuerySet[CaseMaterial]:
    """The case's materials in the checklist's order, with the files uploaded for each (online,
    or a corrected material the window received) in one more query."""
    return (
        case.materials.select_related("requirement")
        .prefetch_related("uploads")
        .order_by("requirement__order", "pk")
    )


def case_notices(*, case: Case) -> QuerySet[Notice]:
    """The case's notices with its 一件事 application's (`hall.cases.selectors.case_notices`)."""
    return hall_case_notices(case=case).order_by("issued_at", "pk")


def case_stages(*, case: Case) -> QuerySet[CaseStage]:
    return case.stages.select_related("lead_department", "decided_by").order_by("number")


def case_decision_notice(*, case: Case) -> Notice | None:
    """The issued decision document (准予 / 不予许可决定书), if any."""
    return (
        case.notices.filter(kind__in=[Notice.Kind.GRANT, Notice.Kind.REFUSAL])
        .order_by("-issued_at")
        .first()
    )


# --- the window's side (read by the window and the desk) ------------------------------------


def corrections_waiting(*, case: Case) -> QuerySet[StepSuspension]:
    """Department correction requests on the case still waiting for the applicant's materials."""
    return (
        StepSuspension.objects.filter(
            step__case=case,
            step__status=CaseStep.Status.SUSPENDED,
            kind=StepSuspension.Kind.CORRECTION,
            ends_on__isnull=True,
        )
        .select_related("step", "step__department", "notice")
        .order_by("starts_on", "pk")
    )


def case_decision(*, case: Case) -> CaseDecision | None:
    return CaseDecision.objects.filter(case=case).first()


def step_deadline(step: CaseStep) -> Deadline:
    """The stored deadline of a step as the clock's `Deadline` (for `warning_light`), the one
    place it is rebuilt from the row. `warning_light` reads only `due_at` and `due_date`; the
    rest says how they were computed (the suspensions and the extension are already in them)."""
    return Deadline(
        start=step.opened_on,
        working_days=step.promised_days,
        due_date=step.due_date,
        due_at=step.due_at,
        suspended_days=0,
        extension_days=0,
        assumed_years=frozenset(step.calendar_assumed_years or ()),
    )
