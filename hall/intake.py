"""Single-window intake (一窗受理) under the Administrative Licensing Law, Art. 32.

At intake the office either accepts, tells the applicant everything missing in ONE written notice
(一次性告知), refuses, or refers the matter elsewhere. If it does none of these within 5 working
days of receiving the materials, the application counts as accepted from the day they arrived.
The clerk who first receives the applicant owns the case (首问负责).

Every service here runs in one transaction, locks the case row before changing it, and is safe
to call twice.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.calendar import working_calendar
from approvals.catalogue import required_materials
from approvals.deadlines import compute_deadline
from approvals.models import ServiceItem
from hall import validators
from hall.events import event_record
from hall.models import (
    Applicant,
    Case,
    CaseGroup,
    CaseMaterial,
    CorrectionItem,
    Notice,
    Window,
)
from hall.notices import notice_issue
from hall.notifications import applicant_notify
from hall.numbering import receipt_no_next
from hall.selectors import materials_editable

logger = logging.getLogger(__name__)

INTAKE_WORKING_DAYS = 5  # Art. 32: accept or notify once within 5 working days


class OneTimeNotificationError(ValidationError):
    """A second correction notice asked for something the first did not list."""


@dataclass(frozen=True)
class MaterialMark:
    status: str
    reason: str = ""
    scan: File | None = None


# --- applicants ---------------------------------------------------------------------------


def applicant_register(
    *,
    kind: str,
    name: str,
    phone: str,
    id_number: str = "",
    uscc: str = "",
    legal_representative: str = "",
    email: str = "",
) -> Applicant:
    """Find the applicant by identity number or credit code, or register them. Concurrent calls
    for the same person create one row; contact details are brought up to date."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("请填写姓名或名称。")]
    try:
        validators.validate_mobile(phone)
        phone = validators.normalize_mobile(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    lookup: dict[str, str] = {}
    try:
        if kind == Applicant.Kind.PERSON:
            validators.validate_id_number(id_number)
            lookup["id_number"] = validators.normalize_id_number(id_number)
        elif kind == Applicant.Kind.ENTERPRISE:
            validators.validate_uscc(uscc)
            lookup["uscc"] = validators.normalize_uscc(uscc)
            if not legal_representative.strip():
                errors["legal_representative"] = [_("请填写法定代表人。")]
        else:
            errors["kind"] = [_("请选择申请人类型。")]
    except ValidationError as error:
        errors["id_number" if kind == Applicant.Kind.PERSON else "uscc"] = error.messages
    if errors:
        raise ValidationError(errors)

    details = {
        "name": name,
        "phone": phone,
        "legal_representative": legal_representative.strip(),
        "email": email.strip(),
    }
    existing = Applicant.objects.filter(**lookup).first()
    if existing is not None:
        return _applicant_refresh(existing, details)
    try:
        with transaction.atomic():
            applicant = Applicant(kind=kind, **lookup, **details)
            applicant.full_clean(validate_unique=False)
            applicant.save()
            return applicant
    except IntegrityError:
        # Another clerk registered the same identity a moment ago: use their row.
        return _applicant_refresh(Applicant.objects.get(**lookup), details)


def _applicant_refresh(applicant: Applicant, details: Mapping[str, str]) -> Applicant:
    changed = [
        field for field, value in details.items() if value and getattr(applicant, field) != value
    ]
    if changed:
        for field in changed:
            setattr(applicant, field, details[field])
        applicant.save(update_fields=changed)
    return applicant


# --- receiving ------------------------------------------------------------------------------


def case_receive(
    *,
    submission_key: uuid.UUID,
    applicant: Applicant,
    item: ServiceItem,
    answers: Mapping[str, str],
    received_by: User | None,
    channel: str,
    window: Window | None = None,
    agent: User | None = None,
    group: CaseGroup | None = None,
) -> Case:
    """Record that the materials for one item arrived, with the item's checklist.

    The same `submission_key` (a double click, a retry) returns the case already made.
    `received_by` becomes the first-contact owner; online filings get theirs when a clerk first
    handles them.
    """
    existing = Case.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if item.applicant_type not in (ServiceItem.ApplicantType.ANY, applicant.kind):
        raise ValidationError(
            _("“%(item)s”只受理%(type)s申请人。")
            % {"item": item.name, "type": item.get_applicant_type_display()}
        )
    requirements = required_materials(
        item=item, applicant_type=applicant.kind, answers=dict(answers)
    )
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                receipt_no=receipt_no_next(on=today),
                verification_code=f"{secrets.randbelow(10**6):06d}",
                submission_key=submission_key,
                applicant=applicant,
                item=item,
                group=group,
                channel=channel,
                answers=dict(answers),
                owner=received_by,
                window=window,
                agent=agent,
                materials_received_at=now,
                intake_due_date=working_calendar().add_working_days(today, INTAKE_WORKING_DAYS),
            )
            CaseMaterial.objects.bulk_create(
                CaseMaterial(case=case, requirement=requirement, name=requirement.name)
                for requirement in requirements
            )
            event_record(
                case=case,
                action="received",
                actor=received_by,
                on_behalf_of=applicant if agent else None,
                details={
                    "item": item.code,
                    "version": item.version,
                    "channel": channel,
                    "window": window.number if window else None,
                    "materials": len(requirements),
                },
            )
            return case
    except IntegrityError:
        existing = Case.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


# --- deciding at the window ----------------------------------------------------------------


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "applicant", "owner")
        .get(pk=case.pk)
    )


def case_materials_check(*, case: Case, clerk: User, marks: Mapping[int, MaterialMark]) -> Case:
    """Record what the window found for each material.

    While a correction notice is open, only the materials it listed may be checked again: the
    rest were accepted once and the applicant is not asked twice.
    """
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION):
            raise ValidationError(
                _("该办件已%(status)s，不能再核对材料。") % {"status": case.get_status_display()}
            )
        materials = {material.pk: material for material in case.materials.all()}
        editable = {material.pk for material in materials_editable(case=case)}
        errors = []
        for material_id, mark in marks.items():
            material = materials.get(material_id)
            if material is None:
                errors.append(_("材料不属于该办件。"))
                continue
            if material_id not in editable:
                errors.append(
                    _("“%(name)s”不在补正告知书所列范围内，无需重新核对。")
                    % {"name": material.name}
                )
                continue
            if mark.status not in CaseMaterial.Status.values or mark.status == "pending":
                errors.append(_("“%(name)s”的核对结果无效。") % {"name": material.name})
                continue
            if mark.status == CaseMaterial.Status.DEFECTIVE and not mark.reason.strip():
                errors.append(_("请说明“%(name)s”存在的问题。") % {"name": material.name})
                continue
            if mark.scan is not None:
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
        if errors:
            raise ValidationError(errors)
        CaseMaterial.objects.bulk_update(
            materials.values(), ["status", "defect_reason", "scan", "scan_kind"]
        )
        if case.status == Case.Status.AWAITING_CORRECTION:
            _corrections_supplied(case=case, clerk=clerk, materials=materials, marked=list(marks))
        event_record(
            case=case,
            action="checked",
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

    A listed material brought again (in order, or still defective) means the applicant
    returned: the case is back at the window and the 5-day intake clock restarts, because
    materials arrived again. Marking a listed material still missing is not a return, and the
    case keeps waiting. Only materials found in order count as supplied.
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
        notice__case=case, supplied_at__isnull=True, material_id__in=supplied
    ).update(supplied_at=now)
    case.status = Case.Status.RECEIVED
    case.materials_received_at = now
    case.intake_due_date = working_calendar().add_working_days(
        timezone.localdate(now), INTAKE_WORKING_DAYS
    )
    case.save(update_fields=["status", "materials_received_at", "intake_due_date", "updated_at"])
    event_record(
        case=case,
        action="correction_supplied",
        actor=clerk,
        details={"materials": [materials[pk].name for pk in supplied]},
    )


def case_accept(*, case: Case, clerk: User | None, deemed: bool = False) -> Notice:
    """Accept the application and issue the acceptance notice with the promised date.

    With `deemed=True` (the Art. 32 sweep) the acceptance dates from the day the materials
    arrived. A second call returns the notice already issued.
    """
    with transaction.atomic():
        case = _locked(case)
        if case.status == Case.Status.ACCEPTED or case.accepted_at is not None:
            kind = Notice.Kind.DEEMED_ACCEPTANCE if case.deemed_accepted else Notice.Kind.ACCEPTANCE
            return case.notices.get(kind=kind)
        if case.status != Case.Status.RECEIVED:
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能受理。")
                % {"status": case.get_status_display()}
            )
        if not deemed:
            incomplete = case.materials.exclude(status=CaseMaterial.Status.RECEIVED)
            if incomplete.exists():
                names = "、".join(incomplete.values_list("name", flat=True))
                raise ValidationError(
                    _("以下材料尚未收齐或有误，不能受理：%(names)s。请出具一次性补正告知书。")
                    % {"names": names}
                )
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
        case.status = Case.Status.ACCEPTED
        case.accepted_at = now
        case.accepted_on = accepted_on
        case.deemed_accepted = deemed
        case.intake_due_date = None
        case.promised_due_date = promised.due_date
        case.statutory_due_date = statutory.due_date
        case.calendar_assumed_years = sorted(promised.assumed_years | statutory.assumed_years)
        if case.calendar_assumed_years:
            logger.warning(
                "case %s: deadlines counted into %s without holiday data (Mon-Fri assumed)",
                case.receipt_no,
                case.calendar_assumed_years,
            )
        case.save()
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.DEEMED_ACCEPTANCE if deemed else Notice.Kind.ACCEPTANCE,
            issued_by=clerk,
        )
        event_record(
            case=case,
            action="deemed_accepted" if deemed else "accepted",
            actor=clerk,
            details={
                "accepted_on": accepted_on.isoformat(),
                "promised_due_date": case.promised_due_date.isoformat(),
                "notice": notice.number,
                "window": case.window.number if case.window_id else None,
            },
        )
        applicant_notify(
            case=case,
            key=f"case:{case.pk}:accepted",
            kind="accepted",
            subject=_("受理通知"),
            body=_(
                "您申请的“%(item)s”已于%(date)s受理，收件编号%(receipt)s，"
                "承诺办结日期%(due)s。查询验证码%(code)s。"
            )
            % {
                "item": case.item.name,
                "date": accepted_on.isoformat(),
                "receipt": case.receipt_no,
                "due": case.promised_due_date.isoformat(),
                "code": case.verification_code,
            },
        )
        from approvals.reviews import approval_start  # the approvals app builds on intake

        approval_start(case=case)
        return notice


def case_request_correction(
    *,
    case: Case,
    clerk: User,
    override_by: User | None = None,
    override_reason: str = "",
    additional: Mapping[int, MaterialMark] | None = None,
) -> Notice:
    """Issue the one-time correction notice (一次性补正告知书) listing everything missing.

    A later notice may only repeat what an earlier one listed. Asking for anything new breaks
    the one-time rule; only a supervisor may allow it, with a reason, and the notice records the
    breach for the supervision pages.
    """
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.RECEIVED:
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能出具补正告知书。")
                % {"status": case.get_status_display()}
            )
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
            CorrectionItem.objects.filter(notice__case=case).values_list("material_id", flat=True)
        )
        new_requests = [m for m in wanting if listed_before and m.pk not in listed_before]
        if new_requests:
            names = "、".join(m.name for m in new_requests)
            if override_by is None:
                raise OneTimeNotificationError(
                    _(
                        "一次性告知：首次补正告知书未列出%(names)s，不能再要求补正。"
                        "确需补充的，须由监察人员批准并说明理由。"
                    )
                    % {"names": names}
                )
            if not override_by.has_perm("hall.view_supervision"):
                raise ValidationError(_("只有监察人员可以批准补充告知。"))
            if not override_reason.strip():
                raise ValidationError(_("批准补充告知须说明理由。"))
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.CORRECTION,
            issued_by=clerk,
            corrections=[(m.name, _reason_for(m)) for m in wanting],
            override_by=override_by if new_requests else None,
            override_reason=override_reason.strip() if new_requests else "",
        )
        CorrectionItem.objects.bulk_create(
            CorrectionItem(notice=notice, material=m, reason=_reason_for(m)) for m in wanting
        )
        case.status = Case.Status.AWAITING_CORRECTION
        case.intake_due_date = None  # the notice was given; the clock waits for the applicant
        case.save(update_fields=["status", "intake_due_date", "updated_at"])
        event_record(
            case=case,
            action="correction_requested",
            actor=clerk,
            details={"notice": notice.number, "materials": [m.name for m in wanting]},
        )
        if new_requests:
            event_record(
                case=case,
                action="one_time_breach",
                actor=override_by,
                details={
                    "notice": notice.number,
                    "materials": [m.name for m in new_requests],
                    "reason": override_reason.strip(),
                    "clerk": clerk.username,
                },
            )
        applicant_notify(
            case=case,
            key=f"notice:{notice.pk}",
            kind="correction",
            subject=_("补正告知"),
            body=_("您申请的“%(item)s”需要补正材料：%(names)s。详见一次性补正告知书%(number)s。")
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


def _reason_for(material: CaseMaterial) -> str:
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
        case = _locked(case)
        if case.status == Case.Status.NOT_ACCEPTED:
            return case.notices.get(kind=Notice.Kind.NON_ACCEPTANCE)
        if case.status not in (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION):
            raise ValidationError(
                _("该办件当前状态为“%(status)s”，不能不予受理。")
                % {"status": case.get_status_display()}
            )
        notice = notice_issue(
            case=case,
            kind=Notice.Kind.NON_ACCEPTANCE,
            issued_by=clerk,
            reasons=reasons.strip(),
            office=competent_office.strip(),
        )
        case.status = Case.Status.NOT_ACCEPTED
        case.intake_due_date = None
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "intake_due_date", "closed_at", "updated_at"])
        event_record(
            case=case,
            action="not_accepted",
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
            kind="not_accepted",
            subject=_("不予受理决定"),
            body=_("您申请的“%(item)s”不予受理，理由：%(reasons)s。")
            % {
                "item": case.item.name,
                "reasons": reasons.strip(),
            },
        )
        return notice


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
        case = _locked(case)
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
        case.status = Case.Status.REFERRED
        case.intake_due_date = None
        case.save(update_fields=["status", "intake_due_date", "updated_at"])
        event_record(
            case=case,
            action="referred",
            actor=clerk,
            details={"notice": notice.number, "office": office.strip(), "reason": reason.strip()},
        )
        applicant_notify(
            case=case,
            key=f"notice:{notice.pk}",
            kind="referred",
            subject=_("转办告知"),
            body=_("您申请的“%(item)s”已转%(office)s办理。")
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
        case = _locked(case)
        if case.status == Case.Status.CLOSED:
            return case
        if case.status != Case.Status.REFERRED:
            raise ValidationError(_("只有已转办的办件可以登记转办结果。"))
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        event_record(
            case=case, action="closed", actor=clerk, details={"referral_outcome": outcome.strip()}
        )
        return case


INTAKE_OUTCOMES = ("check", "accept", "correct", "refuse", "refer")


def case_intake_decide(
    *,
    case: Case,
    clerk: User,
    outcome: str,
    marks: Mapping[int, MaterialMark] | None = None,
    reasons: str = "",
    office: str = "",
) -> Notice | None:
    """The window's one action: record the material check, then take one of the outcomes.

    Both happen in one transaction, so a refused outcome (say, accepting with a material still
    missing) leaves the check unrecorded too and the clerk sees the form as they filled it.
    """
    if outcome not in INTAKE_OUTCOMES:
        raise ValidationError(_("未知的受理操作。"))
    with transaction.atomic():
        if marks:
            case = case_materials_check(case=case, clerk=clerk, marks=marks)
        if outcome == "accept":
            return case_accept(case=case, clerk=clerk)
        if outcome == "correct":
            return case_request_correction(case=case, clerk=clerk)
        if outcome == "refuse":
            return case_refuse_intake(
                case=case, clerk=clerk, reasons=reasons, competent_office=office
            )
        if outcome == "refer":
            return case_refer(case=case, clerk=clerk, office=office, reason=reasons)
        return None


def case_group_receive(
    *,
    submission_key: uuid.UUID,
    applicant: Applicant,
    bundle,
    items: list[ServiceItem],
    answers_by_item: Mapping[int, Mapping[str, str]],
    received_by: User | None,
    channel: str,
    window: Window | None = None,
    agent: User | None = None,
) -> CaseGroup:
    """File a bundle (一件事) as one: a group and one case per item, all or nothing, once."""
    existing = CaseGroup.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    try:
        return _case_group_create(
            submission_key=submission_key,
            applicant=applicant,
            bundle=bundle,
            items=items,
            answers_by_item=answers_by_item,
            received_by=received_by,
            channel=channel,
            window=window,
            agent=agent,
        )
    except IntegrityError:
        existing = CaseGroup.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


def _case_group_create(
    *,
    submission_key,
    applicant,
    bundle,
    items,
    answers_by_item,
    received_by,
    channel,
    window,
    agent,
) -> CaseGroup:
    with transaction.atomic():
        group = CaseGroup.objects.create(
            bundle=bundle, applicant=applicant, submission_key=submission_key
        )
        errors: dict[str, list[str]] = {}
        for item in items:
            try:
                case_receive(
                    submission_key=_item_key(submission_key, item),
                    applicant=applicant,
                    item=item,
                    answers=answers_by_item.get(item.pk, {}),
                    received_by=received_by,
                    channel=channel,
                    window=window,
                    agent=agent,
                    group=group,
                )
            except ValidationError as error:
                # Per question (a dict), or about the item as a whole (a list: say, an item
                # that does not take this applicant type).
                if hasattr(error, "error_dict"):
                    for field, messages in error.message_dict.items():
                        errors[f"{item.pk}__{field}"] = messages
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return group


def _item_key(submission_key: uuid.UUID, item: ServiceItem) -> uuid.UUID:
    return uuid.uuid5(submission_key, f"{item.code}:{item.version}")


# --- first-contact responsibility ----------------------------------------------------------


def case_owner_claim(*, case: Case, clerk: User) -> Case:
    """An online filing gets its first-contact owner: the first clerk who handles it."""
    with transaction.atomic():
        case = _locked(case)
        if case.owner_id is None:
            case.owner = clerk
            case.save(update_fields=["owner", "updated_at"])
            event_record(case=case, action="owner_assigned", actor=clerk, details={})
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
        case = _locked(case)
        previous = case.owner
        if previous == new_owner:
            return case
        case.owner = new_owner
        case.save(update_fields=["owner", "updated_at"])
        event_record(
            case=case,
            action="owner_changed",
            actor=supervisor,
            details={
                "from": previous.username if previous else None,
                "to": new_owner.username,
                "reason": reason.strip(),
            },
        )
        return case


# --- deemed acceptance (Art. 32) -----------------------------------------------------------


def intake_deemed_acceptance_sweep(*, today: datetime.date | None = None, batch: int = 200) -> int:
    """Accept every case whose 5-working-day intake limit passed with no notice, exactly once.

    Rows are taken with FOR UPDATE SKIP LOCKED, so two sweeps at once split the work, and each
    row is accepted only if it is still waiting; a rerun finds nothing left to do.
    """
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            due = list(
                Case.objects.select_for_update(skip_locked=True)
                .filter(status=Case.Status.RECEIVED, intake_due_date__lt=today)
                .order_by("pk")[:batch]
            )
            for case in due:
                case_accept(case=case, clerk=None, deemed=True)
        done += len(due)
        if len(due) < batch:
            return done
