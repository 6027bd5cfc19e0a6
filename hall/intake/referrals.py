"""Referral (转办) of an application outside the hall's competence, and recording its outcome."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.notices import notice_issue
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind
from hall.models import (
    Case,
    Notice,
)
from hall.outbox.queue import applicant_notify


def case_refer(*, case: Case, clerk: User, office: str, reason: str) -> Notice:
    """Referral (转办) to another office. The owner keeps following the case to its end."""
    errors = {}
    if not office.strip():
        errors["office"] = [_("请填写承接机关。")]
    if not reason.strip():
        errors["reason"] = [_("请说明转办理由。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = case_locked(case)
        if case.status == Case.Status.REFERRED:
            return case.notices.get(kind=Notice.Kind.REFERRAL)
        if case.status not in (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION):
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能转办。")
                % {"status": case.get_status_display()}
            )
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.REFERRAL,
            issued_by=clerk,
            reasons=reason.strip(),
            office=office.strip(),
        )
        case_status_set(case=case, status=Case.Status.REFERRED, intake_due_date=None)
        event_record(
            case=case,
            action=CaseAction.REFERRED,
            actor=clerk,
            details={"notice": notice.number, "office": office.strip(), "reason": reason.strip()},
        )
        applicant_notify(
            case=case,
            key=f"notice:{notice.pk}",
            kind=MessageKind.REFERRED,
            subject=wording.REFERRED.subject,
            body=wording.REFERRED.body
            % {
                "item": case.item.name,
                "office": office.strip(),
            },
        )
        return notice


def case_referral_close(*, case: Case, clerk: User, outcome: str) -> Case:
    """The owner records how the office it was referred to settled the matter (follow-up)."""
    if not outcome.strip():
        raise ValidationError({"outcome": [_("请填写承接机关的办理结果。")]})
    with transaction.atomic():
        case = case_locked(case)
        if case.status == Case.Status.CLOSED:
            return case
        if case.status != Case.Status.REFERRED:
            raise ValidationError(_("只有已转办的办件可以登记转办结果。"))
        case_status_set(case=case, status=Case.Status.CLOSED, closed_at=timezone.now())
        event_record(
            case=case,
            action=CaseAction.CLOSED,
            actor=clerk,
            details={"referral_outcome": outcome.strip()},
        )
        return case
