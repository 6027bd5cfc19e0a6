"""一件事 as one application at intake (一次告知, 一套材料, 首问负责 for the bundle).

A bundle's cases (`CaseGroup`) are checked together, accepted together with **one** acceptance
notice, or told once with **one** correction notice that lists, item by item, everything the
application lacks. A material several items require (the catalogue's material code) is one row
of the check and one line of the notice. Art. 32's one-time rule and its five working days hold
per application: a second correction notice is refused, and the whole application waits for the
applicant once the notice is given (nothing of it is deemed accepted meanwhile). Each item keeps
its own case, review, decision and department; refusing or referring one item, and 容缺受理 of
one, stay the item's own acts on its case page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import calendar_held
from approvals.models import CaseDecision
from approvals.reviews.delivery import CARRIERS, case_deliver
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record, events_batch
from hall.cases.locks import INTAKE_RELATED, case_locked, cases_locked
from hall.cases.notices import notice_issue
from hall.cases.pdf.document import NoticeTable
from hall.cases.selectors import APPLICATION_ITEM_DONE
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind
from hall.intake.acceptance import (
    acceptance_dates_set,
    acceptance_materials_checked,
    acceptance_review_start,
)
from hall.intake.common import (
    IntakeLimitPassed,
    MaterialMark,
    OneTimeNotificationError,
    intake_due,
    intake_limit_passed,
)
from hall.intake.decisions import correction_reason, materials_check_locked, require_owner
from hall.intake.ownership import case_owner_claim
from hall.models import Case, CaseGroup, CaseMaterial, CorrectionItem, Notice
from hall.outbox.queue import applicant_notify
from hall.platform import logistics

APPLICATION_OUTCOMES = ("check", "accept", "correct")
AT_INTAKE = (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION)


def application_intake_decide(
    *,
    group: CaseGroup,
    clerk: User,
    outcome: str,
    marks: Mapping[int, MaterialMark] | None = None,
) -> Notice | None:
    """The window's one action for a whole application: record the check of every item's
    materials, then accept the application or tell it once what to correct. One transaction:
    a refused outcome leaves the check unrecorded too."""
    if outcome not in APPLICATION_OUTCOMES:
        raise ValidationError(_("未知的受理操作。"))
    with transaction.atomic(), calendar_held(), events_batch():
        cases = application_cases_locked(group=group)
        if outcome == "accept" and not any(c.status in AT_INTAKE for c in cases):
            # accepted already (a second click, a retry): the same notice, nothing twice
            earlier = group.notices.filter(kind=Notice.Kind.ACCEPTANCE).first()
            if earlier is not None:
                return earlier
        for case in cases:
            if case.status in AT_INTAKE:
                require_owner(case, clerk)
        if marks:
            _marks_record(group=group, cases=cases, clerk=clerk, marks=marks)
        if outcome == "accept":
            return _application_accept(group=group, cases=cases, clerk=clerk)
        if outcome == "correct":
            return _application_correction(group=group, cases=cases, clerk=clerk)
        return None


def application_cases_locked(*, group: CaseGroup) -> list[Case]:
    """The application's cases under their row locks, in primary-key order (as every service
    that locks several cases does, so none can deadlock another)."""
    ids = list(cases_locked(Case.objects.filter(group_id=group.pk)).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("该一件事申请没有办件。"))
    # read again with what the notices print; the rows are locked already
    return [case_locked(pk, related=INTAKE_RELATED) for pk in ids]


def application_owner_claim(*, group: CaseGroup, clerk: User) -> list[Case]:
    """首问负责 for the bundle: the first clerk to take an online application owns all of its
    items that have no owner yet (each claimed as a single filing is, in one transaction)."""
    with transaction.atomic():
        return [
            case_owner_claim(case=case, clerk=clerk)
            for case in application_cases_locked(group=group)
        ]


def _marks_record(
    *, group: CaseGroup, cases: list[Case], clerk: User, marks: Mapping[int, MaterialMark]
) -> None:
    by_case: dict[int, dict[int, MaterialMark]] = defaultdict(dict)
    owners = dict(
        CaseMaterial.objects.filter(case__group_id=group.pk, pk__in=list(marks)).values_list(
            "pk", "case_id"
        )
    )
    if set(marks) - set(owners):
        raise ValidationError(_("材料不属于该一件事申请。"))
    for material_id, mark in marks.items():
        by_case[owners[material_id]][material_id] = mark
    waiting_before = {c.pk for c in cases if c.status == Case.Status.AWAITING_CORRECTION}
    errors: list[str] = []
    for case in cases:
        if case.pk not in by_case:
            continue
        try:
            materials_check_locked(case=case, clerk=clerk, marks=by_case[case.pk])
        except ValidationError as error:
            errors.extend(f"{case.item.name}：{message}" for message in error.messages)
    if errors:
        raise ValidationError(errors)
    returned = [c for c in cases if c.pk in waiting_before and c.status == Case.Status.RECEIVED]
    if returned:
        _waiting_items_return(cases=cases, clerk=clerk, with_case=returned[0])


def _waiting_items_return(*, cases: list[Case], clerk: User, with_case: Case) -> None:
    """The applicant came back with the corrections: the items the notice listed nothing for
    were waiting with the rest of the application and come back with it (the same Art. 32
    clock), so the application is accepted or told as one again."""
    listed = set(
        CorrectionItem.objects.filter(
            material__case__in=[c.pk for c in cases], supplied_at__isnull=True
        ).values_list("material__case_id", flat=True)
    )
    due, assumed = intake_due(received_on=timezone.localdate(with_case.materials_received_at))
    for case in cases:
        if case.status == Case.Status.AWAITING_CORRECTION and case.pk not in listed:
            case_status_set(
                case=case,
                status=Case.Status.RECEIVED,
                materials_received_at=with_case.materials_received_at,
                intake_due_date=due,
                calendar_assumed_years=assumed,
            )
            event_record(
                case=case,
                action=CaseAction.CORRECTION_SUPPLIED,
                actor=clerk,
                details={"materials": [], "application": case.group_id},
            )


def _received_on(cases: list[Case]) -> datetime.date:
    return min(timezone.localdate(c.materials_received_at) for c in cases)


def _application_accept(*, group: CaseGroup, cases: list[Case], clerk: User) -> Notice:
    earlier = group.notices.filter(kind=Notice.Kind.ACCEPTANCE).first()
    waiting = [c for c in cases if c.status == Case.Status.RECEIVED]
    if not waiting:
        if earlier is not None:
            return earlier  # accepted already: the same notice, nothing twice
        raise ValidationError(_("该一件事申请没有待受理的事项。"))
    if any(c.status == Case.Status.AWAITING_CORRECTION for c in cases):
        raise ValidationError(
            _("该一件事申请仍有事项等待补正，补正材料收齐后再一并受理。"), code="waiting"
        )
    errors: list[str] = []
    checked: dict[int, list[CaseMaterial]] = {}
    for case in waiting:
        try:
            checked[case.pk] = acceptance_materials_checked(case=case, deemed=False)
        except ValidationError as error:
            errors.extend(f"{case.item.name}：{message}" for message in error.messages)
    if errors:
        raise ValidationError(errors)
    for case in waiting:
        acceptance_dates_set(case=case, deemed=False)
    shared = sorted(
        {
            (m.name, m.licence.number)
            for materials in checked.values()
            for m in materials
            if m.licence_id is not None
        }
    )
    notice = _acceptance_told(
        group=group,
        cases=cases,
        accepted=waiting,
        kind=Notice.Kind.ACCEPTANCE,
        clerk=clerk,
        shared_licences=shared,
    )
    for case in waiting:
        acceptance_review_start(
            case=case, clerk=clerk, deemed=False, materials=checked[case.pk], notice=notice
        )
    return notice


def application_deem_accept(*, group: CaseGroup, today: datetime.date) -> Notice | None:
    """Art. 32 for a whole application: neither accepted nor told within five working days of
    its materials, it counts as accepted from the day they arrived — with one deemed-acceptance
    notice for all of its items. The group's cases are locked in primary-key order like every
    other service's, so two sweeps take turns and the second finds nothing due."""
    with transaction.atomic(), calendar_held(), events_batch():
        cases = application_cases_locked(group=group)
        due = [
            c
            for c in cases
            if c.status == Case.Status.RECEIVED
            and c.intake_due_date is not None
            and c.intake_due_date < today
        ]
        if not due:
            return None
        checked = {c.pk: acceptance_materials_checked(case=c, deemed=True) for c in due}
        for case in due:
            acceptance_dates_set(case=case, deemed=True)
        notice = _acceptance_told(
            group=group, cases=cases, accepted=due, kind=Notice.Kind.DEEMED_ACCEPTANCE, clerk=None
        )
        for case in due:
            acceptance_review_start(
                case=case, clerk=None, deemed=True, materials=checked[case.pk], notice=notice
            )
        return notice


def _acceptance_told(
    *,
    group: CaseGroup,
    cases: list[Case],
    accepted: list[Case],
    kind: str,
    clerk: User | None,
    shared_licences: list[tuple[str, str]] | None = None,
) -> Notice:
    """The application's one acceptance (or deemed-acceptance) notice, each accepted item's
    receipt number and promised date in its table, and one message with the latest date."""
    notice = notice_issue(
        case=cases[0],
        group=group,
        kind=kind,
        issued_by=clerk,
        item_name=_application_name(group, len(cases)),
        paragraphs=wording.application_paragraphs(
            bundle_name=group.bundle.name, received_on=_received_on(accepted), kind=kind
        ),
        table=NoticeTable(
            header=("事项", "收件编号", "承诺办结日期"),
            rows=[
                (case.item.name, case.receipt_no, case.promised_due_date.isoformat())
                for case in accepted
            ],
        ),
        shared_licences=shared_licences,
    )
    lead = cases[0]
    applicant_notify(
        case=lead,
        key=f"application:{group.pk}:accepted",
        kind=MessageKind.ACCEPTED,
        subject=wording.APPLICATION_ACCEPTED.subject,
        body=wording.APPLICATION_ACCEPTED.body
        % {
            "bundle": group.bundle.name,
            "count": len(accepted),
            "date": accepted[0].accepted_on.isoformat(),
            "receipt": lead.receipt_no,
            "due": max(case.promised_due_date for case in accepted).isoformat(),
            "code": lead.verification_code,
        },
    )
    return notice


def _application_correction(*, group: CaseGroup, cases: list[Case], clerk: User) -> Notice:
    earlier = Notice.objects.filter(case__group_id=group.pk, kind=Notice.Kind.CORRECTION).first()
    if earlier is not None:
        raise OneTimeNotificationError(
            _(
                "一次性告知：本一件事申请已出具一次性补正告知书（%(number)s），不能再次告知补正。"
                "确需再次告知的，须由监察人员批准并说明理由。"
            )
            % {"number": earlier.number},
            code="one_time",
        )
    waiting = [c for c in cases if c.status == Case.Status.RECEIVED]
    if not waiting:
        raise ValidationError(_("该一件事申请没有待受理的事项，不能出具补正告知书。"))
    for case in waiting:
        if intake_limit_passed(case):
            raise IntakeLimitPassed(case.intake_due_date)
    materials = list(
        CaseMaterial.objects.filter(case__in=[c.pk for c in waiting])
        .select_related("requirement")
        .order_by("case_id", "pk")
    )
    if any(m.status == CaseMaterial.Status.PENDING for m in materials):
        raise ValidationError(_("请先核对全部事项的全部材料，再一次性告知需要补正的内容。"))
    wanting = [
        m
        for m in materials
        if m.status in (CaseMaterial.Status.MISSING, CaseMaterial.Status.DEFECTIVE)
    ]
    if not wanting:
        raise ValidationError(_("没有缺少或有误的材料，无需补正，请直接受理。"))
    names = {c.pk: c.item.name for c in cases}
    notice = notice_issue(
        case=cases[0],
        group=group,
        kind=Notice.Kind.CORRECTION,
        issued_by=clerk,
        item_name=_application_name(group, len(cases)),
        paragraphs=wording.application_paragraphs(
            bundle_name=group.bundle.name,
            received_on=_received_on(waiting),
            kind=Notice.Kind.CORRECTION,
        ),
        table=NoticeTable(
            header=("事项", "需补正的材料", "补正原因"), rows=correction_rows(wanting, names)
        ),
    )
    CorrectionItem.objects.bulk_create(
        CorrectionItem(notice=notice, material=m, reason=correction_reason(m)) for m in wanting
    )
    for case in waiting:
        # the notice was given: the whole application waits for the applicant
        case_status_set(case=case, status=Case.Status.AWAITING_CORRECTION, intake_due_date=None)
        event_record(
            case=case,
            action=CaseAction.CORRECTION_REQUESTED,
            actor=clerk,
            details={
                "notice": notice.number,
                "materials": [m.name for m in wanting if m.case_id == case.pk],
                "application": group.pk,
            },
        )
    applicant_notify(
        case=cases[0],
        key=f"notice:{notice.pk}",
        kind=MessageKind.CORRECTION,
        subject=wording.APPLICATION_CORRECTION_REQUESTED.subject,
        body=wording.APPLICATION_CORRECTION_REQUESTED.body
        % {
            "bundle": group.bundle.name,
            "names": "、".join(dict.fromkeys(m.name for m in wanting)),
            "number": notice.number,
        },
    )
    return notice


def correction_rows(
    wanting: list[CaseMaterial], item_names: Mapping[int, str]
) -> list[tuple[str, str, str]]:
    """One line per material to correct: a material several items share (the same material
    code, the same finding) is one line naming every item it serves (一套材料)."""
    lines: dict[tuple, tuple[str, str, list[str]]] = {}
    for material in wanting:
        reason = correction_reason(material)
        code = material.requirement.material_code if material.requirement_id else ""
        key = (code, material.name, reason) if code else (material.pk,)
        lines.setdefault(key, (material.name, reason, []))[2].append(item_names[material.case_id])
    return [
        ("、".join(dict.fromkeys(items)), name, reason) for name, reason, items in lines.values()
    ]


def _application_name(group: CaseGroup, count: int) -> str:
    return f"{group.bundle.name}（共{count}个事项）"


def application_deliver(
    *,
    group: CaseGroup,
    clerk: User,
    method: str,
    note: str = "",
    carrier: str = "",
) -> list[Case]:
    """一次送达: every decided item of the application delivered at once, the same way (one
    collection at the window, one parcel by post or courier with one tracking number), once
    all of them are done. One transaction: all are delivered or none."""
    cases = list(
        Case.objects.filter(group_id=group.pk).select_related("applicant", "item").order_by("pk")
    )
    waiting = [c for c in cases if c.status not in APPLICATION_ITEM_DONE]
    if waiting:
        raise ValidationError(
            _("“%(items)s”尚未办结，整件结果在全部事项办结后一次送达。")
            % {"items": "、".join(c.item.name for c in waiting)}
        )
    decided = [c for c in cases if c.status == Case.Status.DECIDED]
    if not decided:
        raise ValidationError(_("该一件事申请没有待送达的结果。"))
    if method == CaseDecision.Delivery.LOCKER and len(decided) > 1:
        raise ValidationError(
            {"method": [_("智能柜一格一件，整件送达请选择窗口领取、邮寄或快递。")]}
        )
    tracking_no = (note or "").strip()
    if method == CaseDecision.Delivery.COURIER and not tracking_no:
        address = decided[0].delivery_address
        if not address:
            raise ValidationError({"note": [_("申请人未填寄递地址，请填写运单号或先核实地址。")]})
        carrier = carrier or CARRIERS[0]
        # one parcel for the application: one booking, outside the transaction (a booked
        # collection without a delivery is harmless)
        tracking_no = logistics.courier().book(
            carrier=carrier,
            address=address,
            phone=decided[0].applicant.phone,
            reference=decided[0].receipt_no,
        )
    with transaction.atomic():
        return [
            case_deliver(
                case=case, clerk=clerk, method=method, tracking_no=tracking_no, carrier=carrier
            )
            for case in decided
        ]


def application_delivery_preference_set(*, group: CaseGroup, together: bool) -> CaseGroup:
    """The applicant's choice: all results at once when the last item is done (the default),
    or each as it is ready."""
    with transaction.atomic():
        locked = CaseGroup.objects.select_for_update().get(pk=group.pk)
        if locked.deliver_together != together:
            locked.deliver_together = together
            locked.save(update_fields=["deliver_together"])
        return locked
