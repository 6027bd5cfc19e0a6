"""Art. 42 extensions: one per case, asked by a department before the limit expires, approved by
the right person, told to the applicant in writing; the case's dates move with it."""

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
    case_dates_reschedule,
    require_officer_of,
    step_reschedule,
)
from approvals.reviews.locks import step_locked
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.notices import notice_issue
from hall.cases.wording import MessageKind
from hall.common.people import display_name
from hall.models import Notice
from hall.outbox.queue import applicant_notify, staff_notify

MINIMUM_REJECTION_REASON = 4


def step_extension_request(
    *, step: CaseStep, officer: User, days: int, reason: str
) -> StepExtension:
    """Art. 42: ask once to extend the step's limit, within the cap; the head decides."""
    require_officer_of(officer, step.department_id)
    cap = extension_cap(joint=step.case.item.handling_type == ServiceItem.HandlingType.JOINT)
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= cap:
        errors["days"] = [_("延长期限须为 1 至 %(cap)s 个工作日。") % {"cap": cap}]
    if not reason.strip():
        errors["reason"] = [_("请说明延长理由。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.status not in CaseStep.OPEN_STATUSES:
            raise ValidationError(_("只有审查中的事项可以申请延长。"))
        # Art. 42: the limit and its one extension belong to the case. The case row lock makes
        # two departments asking at the same instant meet here one after the other.
        case = case_locked(locked.case_id, related=())
        earlier = (
            StepExtension.objects.filter(step__case_id=case.pk)
            .exclude(status=StepExtension.Status.REJECTED)
            .select_related("step__department")
            .first()
        )
        if earlier is not None:
            raise ValidationError(
                _(
                    "本办件已由%(department)s申请延长期限；依照行政许可法第四十二条，每个办件只能延长一次。"
                )
                % {"department": earlier.step.department.name},
                code="second_extension",
            )
        now = timezone.now()
        if now >= locked.due_at or (
            case.statutory_due_date and timezone.localdate(now) > case.statutory_due_date
        ):
            raise ValidationError(
                _("审批期限已届满，不能再申请延长（延长不能消除逾期）。"), code="limit_expired"
            )
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
                kind=MessageKind.EXTENSION_REQUESTED,
                subject=wording.EXTENSION_REQUESTED.subject % {"receipt": locked.case.receipt_no},
                body=wording.EXTENSION_REQUESTED.body
                % {"officer": display_name(officer), "days": days, "reason": reason.strip()},
            )
        event_record(
            case=locked.case,
            action=CaseAction.EXTENSION_REQUESTED,
            actor=officer,
            details={"department": locked.department.name, "days": days, "reason": reason.strip()},
        )
        return extension


def extension_approver_ok(*, user: User, step: CaseStep) -> bool:
    """Who approves (Art. 42): for unified, joint or centralised handling the head of the people's
    government at this level (本级人民政府负责人, the role `government_head`); otherwise the head
    of the administrative organ asking for the time, the department's head."""
    if step.case.item.handling_type == ServiceItem.HandlingType.JOINT:
        return user.has_perm("hall.approve_joint_extension")
    head = step.department.head
    return head is not None and head.user_id == user.pk


def step_extension_decide(
    *, extension: StepExtension, head: User, approve: bool, reason: str = ""
) -> StepExtension:
    """The right person approves or rejects; an approval moves the step's deadline and the case's
    promised and statutory dates, and the applicant gets the reasons in writing. A rejection
    needs a reason, which the department that asked is told (issue 32: it cannot be asked
    again, so it must say why)."""
    step = extension.step
    if not extension_approver_ok(user=head, step=step):
        if step.case.item.handling_type == ServiceItem.HandlingType.JOINT:
            raise ValidationError(
                _("联办件延长审批期限须经本级人民政府负责人批准。"), code="not_government_head"
            )
        raise ValidationError(_("延长审批期限须由部门负责人批准。"), code="not_head")
    reason = " ".join(reason.split())
    if not approve and len(reason) < MINIMUM_REJECTION_REASON:
        raise ValidationError(
            {"reason": [_("不批准延长的，须写明理由（至少 4 个字），申请部门将收到该理由。")]},
            code="rejection_reason_missing",
        )
    with transaction.atomic():
        locked = step_locked(step.pk)
        extension = StepExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != StepExtension.Status.REQUESTED:
            return extension
        now = timezone.now()
        if approve and (locked.status not in CaseStep.OPEN_STATUSES or now >= locked.due_at):
            # Art. 42: the extension must be granted within the limit. One still pending when
            # the limit passed has lapsed: the step is late (or deemed) as if never asked.
            raise ValidationError(
                _(
                    "审查期限已于%(due)s届满，延长申请未在期限内获批，不能再批准"
                    "（行政许可法第四十二条：延长须在期限内决定，不能消除逾期）。"
                )
                % {"due": locked.due_date.isoformat()},
                code="limit_expired",
            )
        extension.status = (
            StepExtension.Status.APPROVED if approve else StepExtension.Status.REJECTED
        )
        extension.decided_by = head
        extension.decided_at = now
        extension.decision_reason = "" if approve else reason
        extension.save()
        if not approve:
            staff_notify(
                user=extension.requested_by,
                case=locked.case,
                key=f"extension-rejected:{extension.pk}",
                kind=MessageKind.EXTENSION_REJECTED,
                subject=str(wording.EXTENSION_REJECTED.subject),
                body=wording.EXTENSION_REJECTED.body
                % {"receipt_no": locked.case.receipt_no, "days": extension.days, "reason": reason},
            )
        if approve:
            locked.extension = extension
            # The case's statutory date moves first: the step is capped at it (Art. 42, the
            # limit belongs to the case), so computing the step against the old date would
            # keep the asking department at its unextended limit.
            case_dates_reschedule(case=locked.case)
            step_reschedule(locked)
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
                kind=MessageKind.EXTENSION,
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
                "reason": "" if approve else reason,
                "due_date": locked.due_date.isoformat() if locked.due_date else None,
            },
        )
        return extension
