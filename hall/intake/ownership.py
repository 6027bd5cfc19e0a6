"""First-contact responsibility (首问负责制): claiming a case, and a supervisor's handover with a
reason."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.models import (
    Case,
)


def case_owner_claim(*, case: Case, clerk: User) -> Case:
    """An online filing gets its first-contact owner: the first clerk who handles it."""
    with transaction.atomic():
        case = case_locked(case)
        if case.owner_id is None:
            case.owner = clerk
            case.save(update_fields=["owner", "updated_at"])
            event_record(case=case, action=CaseAction.OWNER_ASSIGNED, actor=clerk, details={})
        return case


def case_owner_handover(*, case: Case, supervisor: User, new_owner: User, reason: str) -> Case:
    """Only a supervisor hands a case to another owner, with a reason; the handover is logged."""
    if not supervisor.has_perm("hall.view_supervision"):
        raise ValidationError(_("只有监察人员可以变更首问责任人。"))
    if not reason.strip():
        raise ValidationError({"reason": [_("变更首问责任人须说明理由。")]})
    if not new_owner.has_perm("hall.use_workbench"):
        raise ValidationError({"new_owner": [_("新的首问责任人必须是窗口工作人员。")]})
    with transaction.atomic():
        case = case_locked(case)
        previous = case.owner
        if previous == new_owner:
            return case
        case.owner = new_owner
        case.save(update_fields=["owner", "updated_at"])
        event_record(
            case=case,
            action=CaseAction.OWNER_CHANGED,
            actor=supervisor,
            details={
                "from": previous.username if previous else None,
                "to": new_owner.username,
                "reason": reason.strip(),
            },
        )
        return case
