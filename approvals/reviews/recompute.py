"""When an administrator enters or corrects a year of the holiday calendar (Art. 82), every open
deadline that depends on it is computed again, in the transaction that saved the year.

Each date that moves is recorded on its case (`CaseAction.DEADLINE_MOVED`) and the people it
concerns are told: the applicant (the promised date, or the Art. 32 intake date), the
first-contact owner, and the department's officers and head for a step. A deadline that does not
move is left alone and nobody is disturbed.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.models import CaseStep
from approvals.reviews.common import (
    case_dates_reschedule,
    one_calendar,
    step_people_tell,
    step_reschedule,
)
from approvals.reviews.locks import steps_locked
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.wording import MessageKind
from hall.models import Case
from hall.outbox.queue import applicant_notify


def reaches_into_year(year: int, start_field: str, end_field: str) -> Q:
    """Rows whose range from `start_field` to `end_field` reaches into `year`, or that were
    counted with `year` assumed."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(calendar_assumed_years__contains=[year]) | Q(
        **{f"{start_field}__lte": last, f"{end_field}__gte": first}
    )


@transaction.atomic
def review_deadlines_recompute(*, year: int, actor: User | None = None) -> int:
    """Compute again every open case date and step deadline that reaches into `year`; returns
    how many moved. (The intake dates are hall.intake's: `intake_deadlines_recompute`.)"""
    with one_calendar():
        return _case_dates(year=year, actor=actor) + _step_dates(year=year, actor=actor)


def deadline_moved_record(
    case: Case, *, actor: User | None, what: str, before, after, step=None
) -> None:
    details = {
        "what": str(what),
        "before": before.isoformat() if before else None,
        "after": after.isoformat() if after else None,
    }
    if step is not None:
        details["department"] = step.department.name
    event_record(case=case, action=CaseAction.DEADLINE_MOVED, actor=actor, details=details)


def _case_dates(*, year: int, actor: User | None) -> int:
    moved = 0
    open_cases = (
        Case.objects.filter(status=Case.Status.ACCEPTED, accepted_on__isnull=False)
        .filter(reaches_into_year(year, "accepted_on", "statutory_due_date"))
        .select_related("item", "applicant", "owner")
        .order_by("pk")
    )
    for case in open_cases:
        before = (case.promised_due_date, case.statutory_due_date)
        case_dates_reschedule(case=case)
        if (case.promised_due_date, case.statutory_due_date) == before:
            continue
        moved += 1
        deadline_moved_record(
            case,
            actor=actor,
            what=_("承诺办结日期"),
            before=before[0],
            after=case.promised_due_date,
        )
        applicant_notify(
            case=case,
            key=f"case:{case.pk}:dates:{year}:{case.promised_due_date:%Y%m%d}",
            kind=MessageKind.DEADLINE_MOVED,
            subject=wording.DEADLINE_MOVED.subject,
            body=wording.DEADLINE_MOVED.body
            % {
                "item": case.item.name,
                "year": year,
                "due": case.promised_due_date.isoformat(),
                "statutory": case.statutory_due_date.isoformat(),
            },
        )
    return moved


def _step_dates(*, year: int, actor: User | None) -> int:
    moved = 0
    steps = steps_locked(
        CaseStep.objects.filter(status__in=CaseStep.OPEN_STATUSES, opened_on__isnull=False)
        .filter(reaches_into_year(year, "opened_on", "due_date"))
        .select_related(
            "case",
            "case__item",
            "case__owner",
            "department",
            "department__head__user",
            "claimed_by",
        )
    )
    for step in steps:
        before = step.due_date
        step_reschedule(step)
        step.save(update_fields=["due_date", "due_at", "warn_on", "calendar_assumed_years"])
        if step.due_date == before:
            continue
        moved += 1
        deadline_moved_record(
            step.case,
            actor=actor,
            what=_("部门审查期限"),
            before=before,
            after=step.due_date,
            step=step,
        )
        step_people_tell(
            step,
            key=f"step:{step.pk}:moved:{year}:{step.due_date:%Y%m%d}",
            kind=MessageKind.DEADLINE_MOVED,
            subject=wording.DEADLINE_MOVED_TO_STAFF.subject % {"receipt": step.case.receipt_no},
            body=wording.DEADLINE_MOVED_TO_STAFF.body
            % {
                "department": step.department.name,
                "item": step.case.item.name,
                "before": before.isoformat() if before else "-",
                "after": step.due_date.isoformat(),
            },
        )
    return moved
