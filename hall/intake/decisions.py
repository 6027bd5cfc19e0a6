"""The Art. 32 outcomes at the window: check materials, accept, one-time correction notice
(一次性告知), refuse intake; and the single handler the window and the online desk both call."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import calendar_held
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record, events_batch
from hall.cases.locks import case_locked
from hall.cases.notices import notice_issue
from hall.cases.selectors import case_notices, materials_with_editable
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind
from hall.common import validators
from hall.common.bulk import rows_update
from hall.common.people import display_name
from hall.intake.acceptance import case_accept, case_accept_locked
from hall.intake.commitments import commitment_allowed
from hall.intake.common import (
    IntakeLimitPassed,
    MaterialMark,
    OneTimeNotificationError,
    intake_due,
    intake_limit_passed,
)
from hall.intake.referrals import case_refer
from hall.intake.tolerance import case_accept_tolerant_locked
from hall.models import (
    Case,
    CaseMaterial,
    CorrectionItem,
    Notice,
)
from hall.outbox.queue import applicant_notify

logger = logging.getLogger(__name__)


def case_materials_check(*, case: Case, clerk: User, marks: Mapping[int, MaterialMark]) -> Case:
    """Record what the window found for each material.

    While a correction notice is open, only the materials it listed may be checked again: the
    rest were accepted once and the applicant is not asked twice.
    """
    with transaction.atomic():
        return materials_check_locked(case=case_locked(case), clerk=clerk, marks=marks)


def materials_check_locked(*, case: Case, clerk: User, marks: Mapping[int, MaterialMark]) -> Case:
    """`case_materials_check` for a case this transaction holds locked (no savepoint of its
    own: the window's one action runs it inside its transaction)."""
    if case.status not in (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION):
        raise ValidationError(
            _("该办件当前状态为“%(status)s”，不能再核对材料。")
            % {"status": case.get_status_display()}
        )
    found, editable = materials_with_editable(case=case)
    materials = {material.pk: material for material in found}
    before = {pk: (m.status, m.defect_reason) for pk, m in materials.items()}
    errors = []
    for material_id, mark in marks.items():
        material = materials.get(material_id)
        if material is None:
            errors.append(_("材料不属于该办件。"))
            continue
        if material.licence_id is not None and material.licence.holds_for(
            holder_id=case.applicant_id, on=timezone.localdate()
        ):
            continue  # taken from the licence library (免证办): received, not the window's to mark
        if material_id not in editable:
            errors.append(
                _("“%(name)s”不在补正告知书所列范围内，无需重新核对。") % {"name": material.name}
            )
            continue
        if mark.status not in CaseMaterial.Status.values or mark.status == "pending":
            errors.append(_("“%(name)s”的核对结果无效。") % {"name": material.name})
            continue
        if mark.status == CaseMaterial.Status.DEFECTIVE and not mark.reason.strip():
            errors.append(_("请说明“%(name)s”存在的问题。") % {"name": material.name})
            continue
        if mark.status == CaseMaterial.Status.COMMITTED and not commitment_allowed(
            material, item=case.item
        ):
            errors.append(_("“%(name)s”不能以告知承诺替代。") % {"name": material.name})
            continue
        if mark.scan is not None:
            mark.scan.seek(0)  # 一套材料: one scan may be stored for several items' materials
            try:
                detected = validators.validate_upload(
                    mark.scan, max_bytes=settings.HALL_UPLOAD_MAX_BYTES
                )
            except ValidationError as error:
                errors.extend(f"{material.name}：{message}" for message in error.messages)
                continue
            material.scan.save(
                validators.safe_upload_name(mark.scan.name or "", detected),
                mark.scan,
                save=False,
            )
            material.scan_kind = detected.kind
        material.status = mark.status
        material.defect_reason = mark.reason.strip() if mark.status != "received" else ""
        material.licence = None  # a lapsed licence is replaced by what the window checked
    if errors:
        raise ValidationError(errors)
    rows_update(
        list(materials.values()), ["status", "defect_reason", "scan", "scan_kind", "licence"]
    )
    if case.status == Case.Status.AWAITING_CORRECTION:
        # Only a mark that differs from what the notice found (or brings a new scan) is
        # something the applicant brought; the same form posted again is not a return.
        brought = [
            pk
            for pk, mark in marks.items()
            if mark.scan is not None
            or (materials[pk].status, materials[pk].defect_reason) != before[pk]
        ]
        _corrections_supplied(case=case, clerk=clerk, materials=materials, marked=brought)
    event_record(
        case=case,
        action=CaseAction.CHECKED,
        actor=clerk,
        details={
            "marks": {
                materials[pk].name: mark.status for pk, mark in marks.items() if pk in materials
            }
        },
    )
    return case


def _corrections_supplied(
    *, case: Case, clerk: User, materials: Mapping[int, CaseMaterial], marked: Iterable[int]
) -> None:
    """The applicant came back with (some of) what the notice listed.

    `marked` holds the listed materials whose check changed. One brought again (in order, or
    with a different defect) means the applicant returned: the case is back at the window and
    the 5-day intake clock restarts, because materials arrived again. Marking a listed material
    still missing, or posting the same marks again, is not a return: the case keeps waiting and
    no notice restarts the clock by itself. Only materials found in order count as supplied.
    """
    brought = [
        pk
        for pk in marked
        if materials[pk].status in (CaseMaterial.Status.RECEIVED, CaseMaterial.Status.DEFECTIVE)
    ]
    if not brought:
        return
    supplied = [pk for pk in brought if materials[pk].status == CaseMaterial.Status.RECEIVED]
    now = timezone.now()
    CorrectionItem.objects.filter(
        material__case=case, supplied_at__isnull=True, material_id__in=supplied
    ).update(supplied_at=now)
    due, assumed_years = intake_due(received_on=timezone.localdate(now))
    case_status_set(
        case=case,
        status=Case.Status.RECEIVED,
        materials_received_at=now,
        intake_due_date=due,
        calendar_assumed_years=assumed_years,
    )
    event_record(
        case=case,
        action=CaseAction.CORRECTION_SUPPLIED,
        actor=clerk,
        details={"materials": [materials[pk].name for pk in supplied]},
    )


def case_request_correction(
    *,
    case: Case,
    clerk: User,
    override_by: User | None = None,
    override_reason: str = "",
    additional: Mapping[int, MaterialMark] | None = None,
) -> Notice:
    """Issue the one-time correction notice (一次性补正告知书) listing everything missing.

    Art. 32 allows one notice per filing. A second one, even one that only repeats what the first
    listed, breaks the one-time rule: only a supervisor may allow it, with a reason, and the
    notice and the case's log record the breach for the supervision pages.
    """
    with transaction.atomic():
        case = case_locked(case)
        earlier = (
            case_notices(case=case)
            .filter(kind=Notice.Kind.CORRECTION)
            .order_by("issued_at")
            .first()
        )
        if earlier is not None and override_by is None:
            raise OneTimeNotificationError(
                _(
                    "一次性告知：本申请已出具一次性补正告知书（%(number)s），不能再次告知补正。"
                    "确需再次告知的，须由监察人员批准并说明理由。"
                )
                % {"number": earlier.number},
                code="one_time",
            )
        if case.status != Case.Status.RECEIVED:
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能出具补正告知书。")
                % {"status": case.get_status_display()}
            )
        if intake_limit_passed(case):
            raise IntakeLimitPassed(case.intake_due_date)
        if additional:
            # Materials the earlier notice did not list: only a supervisor's override adds them.
            if override_by is None:
                raise OneTimeNotificationError(_("补充告知须由监察人员批准。"))
            _mark_additional(case=case, marks=additional)
        wanting = list(
            case.materials.filter(
                status__in=[CaseMaterial.Status.MISSING, CaseMaterial.Status.DEFECTIVE]
            )
        )
        if not wanting:
            raise ValidationError(_("没有缺少或有误的材料，无需补正，请直接受理。"))
        if case.materials.filter(status=CaseMaterial.Status.PENDING).exists():
            raise ValidationError(_("请先核对全部材料，再一次性告知需要补正的内容。"))
        listed_before = set(
            CorrectionItem.objects.filter(material__case=case).values_list("material_id", flat=True)
        )
        new_requests = [m for m in wanting if listed_before and m.pk not in listed_before]
        second = earlier is not None
        if second:
            if not override_by.has_perm("hall.view_supervision"):
                raise ValidationError(_("只有监察人员可以批准补充告知。"))
            if not override_reason.strip():
                raise ValidationError(_("批准补充告知须说明理由。"))
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.CORRECTION,
            issued_by=clerk,
            corrections=[(m.name, correction_reason(m)) for m in wanting],
            override_by=override_by if second else None,
            override_reason=override_reason.strip() if second else "",
        )
        CorrectionItem.objects.bulk_create(
            CorrectionItem(notice=notice, material=m, reason=correction_reason(m)) for m in wanting
        )
        # the notice was given; the clock waits for the applicant
        case_status_set(case=case, status=Case.Status.AWAITING_CORRECTION, intake_due_date=None)
        event_record(
            case=case,
            action=CaseAction.CORRECTION_REQUESTED,
            actor=clerk,
            details={"notice": notice.number, "materials": [m.name for m in wanting]},
        )
        if second:
            event_record(
                case=case,
                action=CaseAction.ONE_TIME_BREACH,
                actor=override_by,
                details={
                    "notice": notice.number,
                    "first_notice": earlier.number,
                    "materials": [m.name for m in new_requests or wanting],
                    "reason": override_reason.strip(),
                    "clerk": clerk.username,
                },
            )
        applicant_notify(
            case=case,
            key=f"notice:{notice.pk}",
            kind=MessageKind.CORRECTION,
            subject=wording.CORRECTION_REQUESTED.subject,
            body=wording.CORRECTION_REQUESTED.body
            % {
                "item": case.item.name,
                "names": "、".join(m.name for m in wanting),
                "number": notice.number,
            },
        )
        return notice


def _mark_additional(*, case: Case, marks: Mapping[int, MaterialMark]) -> None:
    for material_id, mark in marks.items():
        material = case.materials.filter(pk=material_id).first()
        if material is None:
            raise ValidationError(_("材料不属于该办件。"))
        if mark.status not in (CaseMaterial.Status.MISSING, CaseMaterial.Status.DEFECTIVE):
            raise ValidationError(_("补充告知的材料须为缺少或有误。"))
        if mark.status == CaseMaterial.Status.DEFECTIVE and not mark.reason.strip():
            raise ValidationError(_("请说明“%(name)s”存在的问题。") % {"name": material.name})
        material.status = mark.status
        material.defect_reason = mark.reason.strip()
        material.save(update_fields=["status", "defect_reason", "updated_at"])


def correction_reason(material: CaseMaterial) -> str:
    """What a correction notice says of a material: not handed in, or the defect found."""
    if material.status == CaseMaterial.Status.MISSING:
        return _("未提交")
    return material.defect_reason


def case_refuse_intake(
    *, case: Case, clerk: User, reasons: str, competent_office: str = ""
) -> Notice:
    """Non-acceptance (不予受理): written reasons, the competent office, and appeal rights."""
    if not reasons.strip():
        raise ValidationError({"reasons": [_("不予受理须说明理由。")]})
    with transaction.atomic():
        case = case_locked(case)
        if case.status == Case.Status.NOT_ACCEPTED:
            return case.notices.get(kind=Notice.Kind.NON_ACCEPTANCE)
        if case.status not in (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION):
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能不予受理。")
                % {"status": case.get_status_display()}
            )
        if intake_limit_passed(case):
            raise IntakeLimitPassed(case.intake_due_date)
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.NON_ACCEPTANCE,
            issued_by=clerk,
            reasons=reasons.strip(),
            office=competent_office.strip(),
        )
        case_status_set(
            case=case,
            status=Case.Status.NOT_ACCEPTED,
            intake_due_date=None,
            closed_at=timezone.now(),
        )
        event_record(
            case=case,
            action=CaseAction.NOT_ACCEPTED,
            actor=clerk,
            details={
                "notice": notice.number,
                "reasons": reasons.strip(),
                "office": competent_office,
            },
        )
        applicant_notify(
            case=case,
            key=f"notice:{notice.pk}",
            kind=MessageKind.NOT_ACCEPTED,
            subject=wording.NOT_ACCEPTED.subject,
            body=wording.NOT_ACCEPTED.body
            % {
                "item": case.item.name,
                "reasons": reasons.strip(),
            },
        )
        return notice


INTAKE_OUTCOMES = ("check", "accept", "tolerate", "correct", "refuse", "refer")


def require_owner(case: Case, clerk: User) -> None:
    """首问负责: the first-contact owner handles the case at intake, nobody else (an online
    filing is claimed by its first clerk before this). Another clerk is refused here, in the
    service, whichever page the request came from; a supervisor hands a case over instead."""
    if case.owner_id is not None and case.owner_id != clerk.pk:
        raise ValidationError(
            _(
                "首问负责：该办件的首问责任人是%(name)s，只有其本人可以办理。"
                "确需由您办理的，请监察人员变更首问责任人。"
            )
            % {"name": display_name(case.owner)},
            code="not_owner",
        )


def case_intake_decide(
    *,
    case: Case,
    clerk: User,
    outcome: str,
    marks: Mapping[int, MaterialMark] | None = None,
    reasons: str = "",
    office: str = "",
    tolerance: Mapping | None = None,
) -> Notice | None:
    """The window's one action: record the material check, then take one of the outcomes.

    Both happen in one transaction, so a refused outcome (say, accepting with a material still
    missing) leaves the check unrecorded too and the clerk sees the form as they filled it.
    """
    if outcome not in INTAKE_OUTCOMES:
        raise ValidationError(_("未知的受理操作。"))
    if outcome in ("correct", "refuse"):
        current = Case.objects.get(pk=case.pk)  # the caller's copy may be stale
        if intake_limit_passed(current):
            # Art. 32: the limit passed, so the law has accepted the filing already. Record that
            # now (it commits on its own), then tell the clerk why their outcome was not taken.
            case_accept(case=current, clerk=None, deemed=True)
            raise IntakeLimitPassed(current.intake_due_date)
    with transaction.atomic(), calendar_held(), events_batch():
        # The case is locked once, here; the check and the acceptance run on that row inside
        # this one transaction, without savepoints of their own (nothing here catches their
        # errors to carry on: an error undoes the whole action).
        case = case_locked(case)
        require_owner(case, clerk)
        if case.group_id is not None and outcome in ("accept", "correct"):
            # 一次告知: a 一件事 application is accepted, or told what to correct, as one
            raise ValidationError(
                _(
                    "该办件属于一件事申请，须在一件事申请页面统一受理或一次性告知补正，"
                    "不单独出具受理或补正告知书。"
                ),
                code="application",
            )
        if marks:
            case = materials_check_locked(case=case, clerk=clerk, marks=marks)
        if outcome == "accept":
            return case_accept_locked(case=case, clerk=clerk, deemed=False)
        if outcome == "tolerate":
            return case_accept_tolerant_locked(case=case, clerk=clerk, **(tolerance or {}))
        if outcome == "correct":
            return case_request_correction(case=case, clerk=clerk)
        if outcome == "refuse":
            return case_refuse_intake(
                case=case, clerk=clerk, reasons=reasons, competent_office=office
            )
        if outcome == "refer":
            return case_refer(case=case, clerk=clerk, office=office, reason=reasons)
        return None
