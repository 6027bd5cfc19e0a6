"""What the intake services share: the Art. 32 five-day limit and its check, the material marks,
the one-time rule's error, and the case row lock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from hall.models import (
    Case,
)

INTAKE_WORKING_DAYS = 5  # Art. 32: accept or notify once within 5 working days


class OneTimeNotificationError(ValidationError):
    """A second correction notice for one filing, without a supervisor's override."""


class IntakeLimitPassed(ValidationError):
    """The five working days of Art. 32 are over: the filing counts as accepted from the day its
    materials arrived, so it can no longer be sent back or refused."""

    def __init__(self, due: datetime.date):
        super().__init__(
            _(
                "已超过收到材料后五个工作日的期限（%(due)s），依据行政许可法第三十二条，"
                "本申请自收到材料之日起视为受理，不能再出具补正告知书或不予受理。"
            )
            % {"due": due.isoformat()},
            code="intake_limit_passed",
        )


def intake_limit_passed(case: Case, *, today: datetime.date | None = None) -> bool:
    """Whether a filing at the window is past its Art. 32 limit (the due day itself still
    counts: the limit ends at 24:00 of the fifth working day)."""
    today = today or timezone.localdate()
    return (
        case.status == Case.Status.RECEIVED
        and case.intake_due_date is not None
        and today > case.intake_due_date
    )


@dataclass(frozen=True)
class MaterialMark:
    status: str
    reason: str = ""
    scan: File | None = None


def intake_due(*, received_on: datetime.date) -> tuple[datetime.date, list[int]]:
    """The Art. 32 intake date for materials received on `received_on`, and the years without
    the State Council's notice that it crosses (so the five days are provisional too)."""
    calendar = working_calendar()
    due = calendar.add_working_days(received_on, INTAKE_WORKING_DAYS)
    return due, sorted(calendar.unknown_years(received_on, due))
