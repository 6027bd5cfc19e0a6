"""Credit marks (失信记录): recorded by a false written commitment or by an administrator, cleared
with a reason, never deleted. An open mark bars 容缺受理 and the 秒批 rules that ask for a clean
record (the read is `hall.cases.selectors.applicant_credit_marked`)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Case, CreditMark


def credit_mark_record(*, applicant, case: Case | None, reason: str, by: User) -> CreditMark:
    """Record a credit mark (失信记录): from a false commitment, or entered by an administrator."""
    if not reason.strip():
        raise ValidationError({"reason": [_("请写明失信情形。")]})
    return CreditMark.objects.create(
        applicant=applicant,
        case=case,
        reason=reason.strip(),
        marked_at=timezone.now(),
        marked_by=by,
    )


def credit_mark_clear(*, mark: CreditMark, by: User, reason: str) -> CreditMark:
    """Clear an open credit mark, with the reason; once (a cleared mark stays cleared)."""
    if not reason.strip():
        raise ValidationError({"clear_reason": [_("请写明消除理由。")]})
    with transaction.atomic():
        locked = CreditMark.objects.select_for_update().get(pk=mark.pk)
        if locked.cleared_at is None:
            locked.cleared_at, locked.cleared_by = timezone.now(), by
            locked.clear_reason = reason.strip()
            locked.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
        return locked
