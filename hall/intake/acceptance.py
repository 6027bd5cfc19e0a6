"""Acceptance (受理, Art. 32): the written, dated decision to take an application in, with its
promised and statutory dates, the acceptance notice and the start of review. Deemed acceptance
(the Art. 32 sweep), the window's outcome, 容缺受理 and online 秒批 all accept through here.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import compute_deadline
from approvals.reviews.instant import case_review_start
from approvals.reviews.start import approval_start
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.notices import notice_issue
from hall.cases.selectors import case_notices
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind
from hall.intake.commitments import commitment_sign_locked
from hall.models import Case, CaseMaterial, Notice
from hall.outbox.queue import applicant_notify

logger = logging.getLogger(__name__)


def case_accept(*, case: Case, clerk: User | None, deemed: bool = False) -> Notice:
    """Accept the application and issue the acceptance notice with the promised date.

    With `deemed=True` (the Art. 32 sweep) the acceptance dates from the day the materials
    arrived. A second call returns the notice already issued.
    """
    with transaction.atomic():
        return case_accept_locked(case=case_locked(case), clerk=clerk, deemed=deemed)


def case_accept_locked(
    *, case: Case, clerk: User | None, deemed: bool, tolerated: bool = False
) -> Notice:
    """`case_accept` for a case this transaction holds locked already (one read less)."""
    if case.status == Case.Status.ACCEPTED or case.accepted_at is not None:
        kind = Notice.Kind.DEEMED_ACCEPTANCE if case.deemed_accepted else Notice.Kind.ACCEPTANCE
        return case_notices(case=case).get(kind=kind)
    materials = acceptance_materials_checked(case=case, deemed=deemed, tolerated=tolerated)
    accepted_on = acceptance_dates_set(case=case, deemed=deemed)
    notice = notice_issue(
        case=case,
        kind=Notice.Kind.DEEMED_ACCEPTANCE if deemed else Notice.Kind.ACCEPTANCE,
        issued_by=clerk,
        shared_licences=[(m.name, m.licence.number) for m in materials if m.licence_id is not None],
    )
    message = wording.DEEMED_ACCEPTED if deemed else wording.ACCEPTED
    applicant_notify(
        case=case,
        key=f"case:{case.pk}:accepted",
        kind=MessageKind.ACCEPTED,
        subject=message.subject,
        body=message.body
        % {
            "item": case.item.name,
            "date": accepted_on.isoformat(),
            "receipt": case.receipt_no,
            "due": wording.due_in_message(case, case.promised_due_date),
            "code": case.verification_code,
        },
    )
    acceptance_review_start(
        case=case, clerk=clerk, deemed=deemed, materials=materials, notice=notice
    )
    return notice


def acceptance_materials_checked(
    *, case: Case, deemed: bool, tolerated: bool = False
) -> list[CaseMaterial]:
    """The checklist read once, and refused when the case cannot be accepted: not waiting for
    acceptance, a licence taken from the library since lapsed, a material still wanting."""
    if case.status != Case.Status.RECEIVED:
        raise ValidationError(
            _("该办件当前状态为“%(status)s”，不能受理。") % {"status": case.get_status_display()}
        )
    # one read of the checklist: what is still wanting, and what the licence library gave
    materials = list(
        # "case" too: the related manager sets each row's case, which would load a deferred
        # case_id row by row
        case.materials.select_related("licence", "requirement").only(
            "case", "name", "status", "licence", "requirement", "deferred_until", "supplied_at"
        )
    )
    if deemed:
        return materials
    # 免证办 holds only while the licence does: one revoked or expired since it was taken at
    # receipt is checked again at the window (it is editable there once more)
    today = timezone.localdate()
    lapsed = "、".join(
        m.name
        for m in materials
        if m.licence_id is not None
        and not m.licence.holds_for(holder_id=case.applicant_id, on=today)
    )
    if lapsed:
        raise ValidationError(
            _(
                "“%(names)s”取自电子证照库的证照已撤销或失效，不能据此受理；"
                "请重新核对该材料，由申请人提交或出具一次性补正告知书。"
            )
            % {"names": lapsed},
            code="licence_lapsed",
        )
    # 容缺受理: a secondary material accepted as missing (with its deadline) does not block
    wanting = [
        m
        for m in materials
        if m.status not in (CaseMaterial.Status.RECEIVED, CaseMaterial.Status.COMMITTED)
        and not (tolerated and m.outstanding)
    ]
    names = "、".join(m.name for m in wanting)
    if names:
        raise ValidationError(
            _("以下材料尚未收齐或有误，不能受理：%(names)s。请出具一次性补正告知书。")
            % {"names": names}
        )
    return materials


def acceptance_dates_set(*, case: Case, deemed: bool) -> datetime.date:
    """The case accepted: its acceptance date, and its promised and statutory dates counted
    in working days from it. Returns the acceptance date."""
    now = timezone.now()
    accepted_on = (
        timezone.localdate(case.materials_received_at) if deemed else timezone.localdate(now)
    )
    calendar = working_calendar()
    promised = compute_deadline(
        calendar=calendar, start=accepted_on, working_days=max(case.item.promised_days, 1)
    )
    statutory = compute_deadline(
        calendar=calendar, start=accepted_on, working_days=case.item.statutory_days
    )
    assumed_years = sorted(promised.assumed_years | statutory.assumed_years)
    if assumed_years:
        logger.warning(
            "case %s: deadlines counted into %s without holiday data (holidays by rule)",
            case.receipt_no,
            assumed_years,
        )
    case_status_set(
        case=case,
        status=Case.Status.ACCEPTED,
        accepted_at=now,
        accepted_on=accepted_on,
        deemed_accepted=deemed,
        intake_due_date=None,
        promised_due_date=promised.due_date,
        statutory_due_date=statutory.due_date,
        calendar_assumed_years=assumed_years,
    )
    return accepted_on


def acceptance_review_start(
    *,
    case: Case,
    clerk: User | None,
    deemed: bool,
    materials: list[CaseMaterial],
    notice: Notice,
) -> None:
    """After the notice: the case's log, the commitment letter (告知承诺制) and the review,
    whose department clocks run from the acceptance date (for a deemed acceptance the day the
    materials arrived, not the day the sweep noticed)."""
    event_record(
        case=case,
        action=CaseAction.DEEMED_ACCEPTED if deemed else CaseAction.ACCEPTED,
        actor=clerk,
        details={
            "accepted_on": case.accepted_on.isoformat(),
            "promised_due_date": case.promised_due_date.isoformat(),
            "notice": notice.number,
            "window": case.window.number if case.window_id else None,
        },
    )
    committed = [m for m in materials if m.status == CaseMaterial.Status.COMMITTED]
    if committed:
        # 告知承诺制: the commitment letter and its verification, with the acceptance
        commitment_sign_locked(case=case, clerk=clerk, materials=committed)
    if case.item.instant_approval and not deemed:
        # 秒批: decided by the system now when every rule holds, else to the departments
        case_review_start(case=case, starts_on=case.accepted_on)
    else:
        approval_start(case=case, starts_on=case.accepted_on)
