"""Art. 42 extensions: requested by the department, decided by its head, told to the applicant."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.deadlines import (
    extension_cap,
)
from approvals.models import (
    CaseStep,
    ServiceItem,
    StepExtension,
)
from approvals.reviews.common import (
    _locked_step,
    _require_head_of,
    _require_officer_of,
    _step_reschedule,
)
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.notices import notice_issue
from hall.common.people import display_name
from hall.models import Notice
from hall.outbox.queue import applicant_notify, staff_notify


def step_extension_request(
    *, step: CaseStep, officer: User, days: int, reason: str
) -> StepExtension:
    """Art. 42: ask once to extend the step's limit, within the cap; the head decides."""
    _require_officer_of(officer, step.department_id)
    cap = extension_cap(joint=step.case.item.handling_type == ServiceItem.HandlingType.JOINT)
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= cap:
        errors["days"] = [_("延长期限须为 1 至 %(cap)s 个工作日。") % {"cap": cap}]
    if not reason.strip():
        errors["reason"] = [_("请说明延长理由。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_step(step.pk)
        if locked.status not in CaseStep.OPEN_STATUSES:
            raise ValidationError(_("只有审查中的事项可以申请延长。"))
        if StepExtension.objects.filter(step=locked).exists():
            raise ValidationError(_("每个审查环节只能延长一次。"), code="second_extension")
        extension = StepExtension.objects.create(
            step=locked,
            days=days,
            reason=reason.strip(),
            requested_by=officer,
            requested_at=timezone.now(),
        )
        head = locked.department.head
        if head is not None:
            staff_notify(
                user=head.user,
                case=locked.case,
                key=f"extension:{extension.pk}:requested",
                kind="extension_requested",
                subject=_("延长期限待审批 %(receipt)s") % {"receipt": locked.case.receipt_no},
                body=_("%(officer)s申请延长 %(days)s 个工作日：%(reason)s")
                % {"officer": display_name(officer), "days": days, "reason": reason.strip()},
            )
        event_record(
            case=locked.case,
            action=CaseAction.EXTENSION_REQUESTED,
            actor=officer,
            details={"department": locked.department.name, "days": days, "reason": reason.strip()},
        )
        return extension


def step_extension_decide(*, extension: StepExtension, head: User, approve: bool) -> StepExtension:
    """The department head approves or rejects; an approval moves the deadline and the applicant
    gets written reasons."""
    step = extension.step
    _require_head_of(head, step)
    with transaction.atomic():
        locked = _locked_step(step.pk)
        extension = StepExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != StepExtension.Status.REQUESTED:
            return extension
        extension.status = (
            StepExtension.Status.APPROVED if approve else StepExtension.Status.REJECTED
        )
        extension.decided_by = head
        extension.decided_at = timezone.now()
        extension.save()
        if approve and locked.status in CaseStep.OPEN_STATUSES:
            locked.extension = extension
            _step_reschedule(locked)
            locked.warned_yellow_at = None
            locked.save()
            notice = notice_issue(
                case=locked.case,
                kind=Notice.Kind.EXTENSION,
                issued_by=head,
                paragraphs=wording.extension_paragraphs(
                    case=locked.case,
                    department=locked.department.name,
                    reason=extension.reason,
                    days=extension.days,
                    due_date=locked.due_date,
                ),
            )
            applicant_notify(
                case=locked.case,
                key=f"notice:{notice.pk}",
                kind="extension",
                subject=wording.EXTENDED.subject,
                body=wording.EXTENDED.body
                % {
                    "department": locked.department.name,
                    "days": extension.days,
                    "reason": extension.reason,
                },
            )
        event_record(
            case=locked.case,
            action=CaseAction.EXTENSION,
            actor=head,
            details={
                "department": locked.department.name,
                "days": extension.days,
                "approved": approve,
                "due_date": locked.due_date.isoformat() if locked.due_date else None,
            },
        )
        return extension
