"""Revealing a whole value with a reason, and the applicant asking why a look happened (issue 29;
PIPL Arts. 44-45, Estonia's Data Tracker)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases import wording
from hall.cases.wording import MessageKind
from hall.models import Applicant, Case, PersonalDataAccess
from hall.outbox.queue import messages_queue, staff_message
from hall.platform import audit
from hall.privacy.selectors import accesses_of
from hall.roles import SUPERVISOR

MINIMUM_REASON_LENGTH = 4


@dataclass(frozen=True)
class Revealed:
    id_number: str
    phone: str
    delivery_address: str


def personal_data_reveal(*, request: HttpRequest, case: Case, reason: str) -> Revealed:
    """The case applicant's whole ID number, phone and delivery address for a member of staff who
    gave a reason; the look and its reason go to the access log first (who may see the case is the
    caller's check: `hall.privacy.selectors.case_for_reveal`)."""
    reason = " ".join(reason.split())
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise ValidationError(
            {"reason": [_("请写明查看完整信息的事由（至少 4 个字），该事由会告知申请人。")]},
            code="reveal_reason_missing",
        )
    audit.personal_data_read(
        request=request,
        case=case,
        what=PersonalDataAccess.What.REVEAL,
        reason=reason,
    )
    applicant = case.applicant
    return Revealed(
        id_number=applicant.identity, phone=applicant.phone, delivery_address=case.delivery_address
    )


def access_question_ask(*, applicant: Applicant, access_id: int) -> int:
    """The applicant asks why a look happened: every active supervisor gets an inbox message
    naming the record. Asking twice about one record sends nothing more. Returns how many
    supervisors were told; a record that is not the applicant's is refused like a missing one."""
    access = accesses_of(applicant=applicant).filter(pk=access_id).first()
    if access is None:
        raise ValidationError(_("找不到这条查看记录。"), code="access_not_found")
    who = f"{access.role}（{access.department}）" if access.department else access.role
    if access.username:
        who = f"{who} {access.username}"
    body = wording.ACCESS_QUESTION.body % {
        "applicant": applicant.name,
        "at": timezone.localtime(access.at).strftime("%Y-%m-%d %H:%M"),
        "who": who,
        "what": access.get_what_display(),
        "case": f"（办件 {access.receipt_no}）" if access.receipt_no else "",
        "access": access.pk,
    }
    supervisors = User.objects.filter(
        groups__name=SUPERVISOR.group_name, is_active=True
    ).values_list("pk", flat=True)
    messages = [
        staff_message(
            user_id=user_id,
            case=None,
            key=f"access-question:{access.pk}",
            kind=MessageKind.ACCESS_QUESTION,
            subject=str(wording.ACCESS_QUESTION.subject),
            body=body,
        )
        for user_id in supervisors
    ]
    messages_queue(messages)
    return len(messages)
