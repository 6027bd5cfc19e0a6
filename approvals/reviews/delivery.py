"""Delivering the decision (送达) by the first-contact owner, which closes the case."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    CaseDecision,
)
from approvals.reviews.common import AlreadyDecided
from approvals.workflow.driver import complete_human_task
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.status import case_status_set
from hall.common.bulk import fields_copy
from hall.models import Case
from hall.outbox.queue import applicant_notify


def case_deliver(*, case: Case, clerk: User, method: str, note: str = "") -> Case:
    """The result is collected at the window or posted, and the case closes."""
    if not clerk.has_perm("hall.use_workbench") or clerk.pk != case.owner_id:
        raise ValidationError(_("送达由该办件的首问责任人办理。"))
    if method not in CaseDecision.Delivery.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    if method == CaseDecision.Delivery.POST and not note.strip():
        raise ValidationError({"note": [_("邮寄送达请填写邮件号。")]})
    delivered: list[Case] = []

    def record(activation) -> bool:
        locked = CaseDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.delivered_at is not None:
            raise AlreadyDecided()
        now = timezone.now()
        locked.delivery = method
        locked.delivery_note = note.strip()
        locked.delivered_at = now
        if locked.issue_due_at is not None and now >= locked.issue_due_at:
            locked.issued_late = True  # Art. 44's ten working days were missed
        locked.save(update_fields=["delivery", "delivery_note", "delivered_at", "issued_late"])
        the_case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item", "applicant", "owner")
            .get(pk=case.pk)
        )
        case_status_set(case=the_case, status=Case.Status.CLOSED, closed_at=now)
        delivered.append(the_case)
        event_record(
            case=the_case,
            action=CaseAction.DELIVERED,
            actor=clerk,
            details={
                "method": locked.get_delivery_display(),
                "note": locked.delivery_note,
                "issued_late": locked.issued_late,
            },
        )
        event_record(case=the_case, action=CaseAction.CLOSED, actor=clerk, details={})
        applicant_notify(
            case=the_case,
            key=f"case:{the_case.pk}:delivered",
            kind="delivered",
            subject=wording.CLOSED.subject,
            body=wording.CLOSED.body
            % {"item": the_case.item.name, "method": locked.get_delivery_display()},
        )
        return True

    with transaction.atomic():
        decision = CaseDecision.objects.get(case=case)
        if decision.delivery_task_id is None:
            raise ValidationError(_("该办件尚未作出决定。"))
        if not complete_human_task(decision.delivery_task_id, user=clerk, apply=record):
            raise AlreadyDecided()
    return fields_copy(target=case, source=delivered[0])
