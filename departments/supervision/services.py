"""Supervision services (电子监察): the writes a supervisor makes from a warning.

Reassigning the first-contact owner is `hall.intake.ownership.case_owner_handover`; reminding
is here.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import CaseStep
from approvals.reviews.selectors import step_recipients
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.wording import MessageKind
from hall.common.people import display_name
from hall.models import Case, CaseEvent
from hall.outbox.queue import staff_notify

NOTE_MAX_LENGTH = 500
# Without an explicit reminder id, clicks of the same supervisor on the same case and step within
# one bucket are one reminder (a double click, a resubmitted form).
REMINDER_BUCKET = datetime.timedelta(minutes=1)


def _bucket(now: datetime.datetime) -> int:
    return int(now.timestamp() // REMINDER_BUCKET.total_seconds())


def case_remind(
    *,
    case: Case,
    supervisor: User,
    step: CaseStep | None = None,
    note: str,
    reminder_id: uuid.UUID | None = None,
) -> CaseEvent:
    """督办: remind the people responsible for a case, or for one of its steps.

    Records a "reminder" event on the case and sends an inbox message to the officer(s), the
    department head(s) and the first-contact owner (without a step: those of every open step).

    Idempotent per click: the form carries a `reminder_id`, and the same id never makes a second
    event or message (the case row is locked while checking). Without one, the dedupe key is the
    case, the step, the supervisor and a one-minute time bucket.
    """
    if not supervisor.has_perm("hall.view_supervision"):
        raise ValidationError(_("只有监察人员可以督办。"), code="not_supervisor")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": [_("督办说明请不超过 %(n)s 个字。") % {"n": NOTE_MAX_LENGTH}]}
        )
    if step is not None and step.case_id != case.pk:
        raise ValidationError(_("该审批环节不属于这个办件。"), code="wrong_step")
    now = timezone.now()
    if reminder_id is not None:
        key = f"reminder:{reminder_id}"
    else:
        key = (
            f"reminder:case:{case.pk}:step:{step.pk if step else 0}:"
            f"by:{supervisor.pk}:{_bucket(now)}"
        )
    with transaction.atomic():
        locked = case_locked(case, related=("item", "owner"))
        earlier = locked.events.filter(action=CaseAction.REMINDER, details__key=key).first()
        if earlier is not None:
            return earlier
        if locked.status in Case.FINAL_STATUSES:
            raise ValidationError(_("办件已办结，无需督办。"), code="case_closed")
        steps_rows = CaseStep.objects.select_related(
            "department", "department__head__user", "claimed_by"
        ).filter(case=locked)
        if step is not None:
            steps = list(steps_rows.filter(pk=step.pk))
        else:
            steps = list(steps_rows.filter(status__in=CaseStep.OPEN_STATUSES).order_by("pk"))
        recipients = step_recipients(case=locked, steps=steps)
        if not recipients:
            raise ValidationError(_("该办件没有可督办的责任人。"), code="nobody")
        details = {
            "key": key,
            "step": steps[0].name if step is not None else None,
            "department": "、".join(dict.fromkeys(s.department.name for s in steps)) or None,
            "note": note,
            "recipients": [display_name(user) for user in recipients],
        }
        event = event_record(
            case=locked,
            action=CaseAction.REMINDER,
            actor=supervisor,
            details={key_: value for key_, value in details.items() if value is not None},
        )
        subject = _("督办提醒 %(receipt)s") % {"receipt": locked.receipt_no}
        where = (
            _("%(department)s“%(step)s”环节")
            % {"department": steps[0].department.name, "step": steps[0].name}
            if step is not None
            else _("办件")
        )
        body = _("监察人员%(supervisor)s督办“%(item)s”（%(receipt)s）的%(where)s：%(note)s") % {
            "supervisor": display_name(supervisor),
            "item": locked.item.name,
            "receipt": locked.receipt_no,
            "where": where,
            "note": note or _("请抓紧办理。"),
        }
        for user in recipients:
            staff_notify(
                user=user,
                case=locked,
                key=key,
                kind=MessageKind.REMINDER,
                subject=subject,
                body=body,
            )
        return event
