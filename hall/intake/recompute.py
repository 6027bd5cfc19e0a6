"""The Art. 32 intake dates computed again after an administrator enters or corrects a year of
the holiday calendar; each date that moves is recorded on its case and the applicant is told."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.reviews.recompute import deadline_moved_record, reaches_into_year
from hall.cases import wording
from hall.cases.locks import cases_locked
from hall.cases.wording import MessageKind
from hall.intake.common import intake_due
from hall.models import Case
from hall.outbox.queue import applicant_notify


@transaction.atomic
def intake_deadlines_recompute(*, year: int, actor: User | None = None) -> int:
    moved = 0
    waiting = cases_locked(
        Case.objects.filter(status=Case.Status.RECEIVED, intake_due_date__isnull=False)
        .filter(reaches_into_year(year, "materials_received_at__date", "intake_due_date"))
        .select_related("item", "applicant", "owner")
    )
    for case in waiting:
        due, assumed = intake_due(received_on=timezone.localdate(case.materials_received_at))
        if due == case.intake_due_date and assumed == case.calendar_assumed_years:
            continue
        before = case.intake_due_date
        Case.objects.filter(pk=case.pk).update(intake_due_date=due, calendar_assumed_years=assumed)
        if due == before:
            continue
        moved += 1
        deadline_moved_record(case, actor=actor, what=_("受理决定期限"), before=before, after=due)
        applicant_notify(
            case=case,
            key=f"case:{case.pk}:intake:{year}:{due:%Y%m%d}",
            kind=MessageKind.DEADLINE_MOVED,
            subject=wording.INTAKE_MOVED.subject,
            body=wording.INTAKE_MOVED.body
            % {"item": case.item.name, "year": year, "due": due.isoformat()},
        )
    return moved
