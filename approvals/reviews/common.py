"""What the review services share: the calendar, step deadlines, who may act, the step lock, and
who is told."""

from __future__ import annotations

import datetime
import logging
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import calendar_held, working_calendar
from approvals.clock.deadlines import (
    SHANGHAI,
    Deadline,
    Extension,
    Suspension,
    WorkingCalendar,
    compute_deadline,
    suspensions_union,
    yellow_from,
)
from approvals.models import (
    CaseStep,
    ServiceItem,
    StepExtension,
    StepSuspension,
)
from approvals.reviews.selectors import step_recipients
from hall.cases.locks import case_lock
from hall.models import Case
from hall.outbox.queue import staff_notify

logger = logging.getLogger(__name__)
CORRECTION_EXPECTED_DAYS = 10  # projection while the applicant corrects; the real stop is exact
# The day the steps opened by a case's workflow start count from (set by `approval_start`).
review_starts_on: ContextVar[datetime.date | None] = ContextVar("review_starts_on", default=None)
# The steps `approval_start` just created, by id, while its workflow start runs: the step hook
# opens them in memory (no re-read) and `approval_start` writes them in one UPDATE afterwards.
steps_opening: ContextVar[dict[int, CaseStep] | None] = ContextVar("steps_opening", default=None)
# What the step hook sets on a step it opens (approvals.reviews.hooks.step_open).
OPENED_FIELDS = (
    "status",
    "opened_at",
    "opened_on",
    "task",
    "due_date",
    "due_at",
    "warn_on",
    "calendar_assumed_years",
)


def one_calendar():
    """One calendar for the block (see approvals.clock.calendar.calendar_held)."""
    return calendar_held()


def review_calendar() -> WorkingCalendar:
    return working_calendar()


class AlreadyDecided(ValidationError):
    """Someone else (another officer, or the deemed-approval sweep) decided first."""

    def __init__(self):
        super().__init__(_("该事项已由他人处理或已超时默许，请刷新页面。"), code="already_decided")


def _step_deadline(step: CaseStep, calendar: WorkingCalendar, *, fresh: bool = False) -> Deadline:
    """The step's deadline. ``fresh``: the step is being opened now, so it has no suspension and
    no extension yet (both need an open step), and there is nothing to read for them."""
    suspensions = [
        Suspension(
            reason=suspension.kind,
            start=suspension.starts_on,
            end=suspension.ends_on,
            expected_days=suspension.expected_days,
        )
        for suspension in ([] if fresh else step.suspensions.order_by("starts_on", "pk"))
    ]
    extension = None if fresh else getattr(step, "extension", None)
    approved = None
    if extension is not None and extension.status == StepExtension.Status.APPROVED:
        approved = Extension(
            days=extension.days,
            reason=extension.reason,
            approver=extension.decided_by.get_username() if extension.decided_by else "-",
        )
    return compute_deadline(
        calendar=calendar,
        start=step.opened_on,
        working_days=step.promised_days,
        suspensions=suspensions,
        extension=approved,
        joint=step.case.item.handling_type == ServiceItem.HandlingType.JOINT,
    )


def step_reschedule(step: CaseStep, *, fresh: bool = False) -> Deadline:
    calendar = review_calendar()
    deadline = _step_deadline(step, calendar, fresh=fresh)
    due_date, due_at = deadline.due_date, deadline.due_at
    # Art. 42: the limit belongs to the case, so a department's step never runs past the case's
    # statutory date (a step opened after that date is already late and keeps its own limit).
    limit = step.case.statutory_due_date
    if limit is not None and step.opened_on is not None and step.opened_on < limit < due_date:
        due_date = limit
        due_at = datetime.datetime.combine(
            limit + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
        )
    step.due_date = due_date
    step.due_at = due_at
    step.warn_on = yellow_from(
        calendar=calendar,
        due_date=due_date,
        yellow_days=settings.HALL_WARNING_YELLOW_DAYS,
    )
    assumed = (
        deadline.assumed_years
        if due_date == deadline.due_date
        else calendar.unknown_years(step.opened_on, due_date)
    )
    step.calendar_assumed_years = sorted(assumed)
    if assumed:
        logger.warning(
            "case %s step %s: deadline counted into %s without holiday data (statutory holidays "
            "by rule, make-up working days unknown)",
            step.case_id,
            step.pk,
            sorted(assumed),
        )
    return deadline


def require_officer_of(user: User, department_id: int) -> None:
    officer = getattr(user, "officer", None)
    if officer is None or officer.department_id != department_id:
        raise ValidationError(_("只能处理本部门的审批事项。"), code="wrong_department")


def step_people_tell(step: CaseStep, *, key: str, kind: str, subject: str, body: str) -> None:
    for user in step_recipients(case=step.case, steps=[step]):
        staff_notify(user=user, case=step.case, key=key, kind=kind, subject=subject, body=body)


def case_dates_reschedule(*, case: Case) -> None:
    """Move the case's promised and statutory dates by the time its clock stood still, and by
    its one approved extension (Art. 42).

    Art. 45: a special procedure's time does not count toward the limit, and neither does the
    wait for a department's correction. The case's clock stops while any of its steps is
    stopped (the union of their suspensions, never counted twice), so the dates that the lookup,
    the notices and supervision show move with every stop and every resumption.
    """
    if case.accepted_on is None:
        return
    # Two departments stopping at once each recompute from every stop of the case: the case row
    # lock (taken after the step's, the order every review service keeps) serialises them.
    case_lock(case.pk)
    calendar = review_calendar()
    union = suspensions_union(
        calendar=calendar,
        suspensions=[
            Suspension(
                reason=row.kind,
                start=row.starts_on,
                end=row.ends_on,
                expected_days=row.expected_days,
            )
            for row in StepSuspension.objects.filter(step__case=case).order_by("starts_on", "pk")
        ],
    )
    # Art. 42: the case's one approved extension adds its days to both dates.
    approved = (
        StepExtension.objects.filter(step__case=case, status=StepExtension.Status.APPROVED)
        .values_list("days", flat=True)
        .first()
    ) or 0
    promised = compute_deadline(
        calendar=calendar,
        start=case.accepted_on,
        working_days=max(case.item.promised_days, 1) + approved,
        suspensions=union,
    )
    statutory = compute_deadline(
        calendar=calendar,
        start=case.accepted_on,
        working_days=case.item.statutory_days + approved,
        suspensions=union,
    )
    # 暂定期限: provisional exactly while a date crosses a year without the State Council's
    # notice, so entering that year clears the flag on every case it covers.
    assumed = sorted(promised.assumed_years | statutory.assumed_years)
    Case.objects.filter(pk=case.pk).update(
        promised_due_date=promised.due_date,
        statutory_due_date=statutory.due_date,
        calendar_assumed_years=assumed,
        updated_at=timezone.now(),
    )
    case.promised_due_date, case.statutory_due_date = promised.due_date, statutory.due_date
    case.calendar_assumed_years = assumed
