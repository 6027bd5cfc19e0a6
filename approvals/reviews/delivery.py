"""Delivering the decision (送达) by the first-contact owner, which closes the case, and the
applicant's choice of how (结果送达方式).

Four ways, as the applicant chose: collected at the window; posted or couriered with the
carrier's tracking number (the courier is booked through `hall.platform.logistics` when the
clerk has no waybill yet); or left in a pick-up locker, with a one-time pick-up code sent by
SMS. Each ends Art. 44's clock when the result leaves the hall's hands (handed over, given to
the carrier, or shut in the cell) and is recorded on the case. The code's digest is kept, never
the code; the locker page takes it once (`result_pick_up`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import CaseDecision
from approvals.reviews.common import AlreadyDecided
from approvals.reviews.locks import DECISION_LOCKED
from approvals.workflow.driver import complete_human_task
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.proxies import proxy_act_record, proxy_authorisation_checked
from hall.cases.selectors import APPLICATION_ITEM_DONE
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind, ProxyAct
from hall.common.bulk import fields_copy
from hall.models import Case
from hall.outbox.queue import applicant_notify, sms_queue
from hall.platform import logistics
from hall.platform.guard import int_or_none

Delivery = CaseDecision.Delivery
CARRIED = (Delivery.POST, Delivery.COURIER)
PICKUP_CODE_DIGITS = 8
CARRIERS = ["中国邮政EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递"]


def pickup_digest(code: str) -> str:
    # The code is 8 random digits and single-use; the key makes a leaked table useless alone.
    return hashlib.sha256(f"{settings.SECRET_KEY}:pickup:{code}".encode()).hexdigest()


def case_delivery_choose(
    *,
    case: Case,
    method: str,
    address: str = "",
    proxy_user: User | None = None,
    proxy_code: str = "",
) -> Case:
    """The applicant's choice of delivery, until the result is delivered; or their proxy's
    (`proxy_user` with the authorisation `proxy_code`, 亲友代办), logged and told to them."""
    address = (address or "").strip()
    if method not in Delivery.values:
        raise ValidationError({"method": [_("请选择结果送达方式。")]})
    if method in CARRIED and not address:
        raise ValidationError({"address": [_("邮寄或快递送达请填写寄递地址。")]})
    if len(address) > 200:
        raise ValidationError({"address": [_("寄递地址请不超过 200 个字。")]})
    with transaction.atomic():
        authorisation = (
            proxy_authorisation_checked(user=proxy_user, code=proxy_code, case=case, lock=True)
            if proxy_code
            else None
        )
        locked = case_locked(case, related=("item", "applicant"))
        if locked.status == Case.Status.CLOSED:
            raise ValidationError(_("结果已送达，不能再更改送达方式。"))
        locked.delivery_choice = method
        locked.delivery_address = address if method in CARRIED else ""
        locked.save(update_fields=["delivery_choice", "delivery_address", "updated_at"])
        if authorisation is not None:
            proxy_act_record(
                authorisation=authorisation, case=locked, act=ProxyAct.DELIVERY, user=proxy_user
            )
    return fields_copy(target=case, source=locked)


def case_deliver(
    *,
    case: Case,
    clerk: User,
    method: str,
    note: str = "",
    carrier: str = "",
    tracking_no: str = "",
    locker_cell: str = "",
) -> Case:
    """The result is delivered one of the four ways, and the case closes. `note` is the
    tracking number of the form before carriers were named (kept for post)."""
    if not clerk.has_perm("hall.use_workbench") or clerk.pk != case.owner_id:
        raise ValidationError(_("送达由该办件的首问责任人办理。"))
    if method not in Delivery.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    _application_ready(case)
    tracking_no = (tracking_no or note or "").strip()
    carrier = (carrier or "").strip()
    locker_cell = (locker_cell or "").strip()
    if method == Delivery.POST and not tracking_no:
        raise ValidationError({"note": [_("邮寄送达请填写邮件号。")]})
    if method in CARRIED and not carrier:
        carrier = CARRIERS[0] if method == Delivery.POST else ""
    if method == Delivery.COURIER and not carrier:
        raise ValidationError({"carrier": [_("快递送达请选择快递公司。")]})
    if method == Delivery.LOCKER and not locker_cell:
        raise ValidationError({"locker_cell": [_("请填写放入的柜格号。")]})
    if method == Delivery.COURIER and not tracking_no:
        if not case.delivery_address:
            raise ValidationError({"note": [_("申请人未填寄递地址，请填写运单号或先核实地址。")]})
        # Outside the transaction: a booking is a call to another system, and a booked
        # collection without a delivery is harmless (the courier finds nothing to collect).
        tracking_no = logistics.courier().book(
            carrier=carrier,
            address=case.delivery_address,
            phone=case.applicant.phone,
            reference=case.receipt_no,
        )
    delivered: list[Case] = []
    code = f"{secrets.randbelow(10**PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"

    def record(activation) -> bool:
        locked = DECISION_LOCKED.read(decision.pk)
        if locked.delivered_at is not None:
            raise AlreadyDecided()
        now = timezone.now()
        locked.delivery = method
        locked.delivery_note = tracking_no if method in CARRIED else ""
        locked.carrier = carrier if method in CARRIED else ""
        locked.tracking_no = tracking_no if method in CARRIED else ""
        locked.locker_cell = locker_cell if method == Delivery.LOCKER else ""
        locked.pickup_digest = pickup_digest(code) if method == Delivery.LOCKER else ""
        locked.delivered_at = now
        if locked.issue_due_at is not None and now >= locked.issue_due_at:
            locked.issued_late = True  # Art. 44's ten working days were missed
        locked.save(
            update_fields=[
                "delivery", "delivery_note", "carrier", "tracking_no", "locker_cell",
                "pickup_digest", "delivered_at", "issued_late",
            ]
        )  # fmt: skip
        the_case = case_locked(case, related=("item", "applicant", "owner"))
        case_status_set(case=the_case, status=Case.Status.CLOSED, closed_at=now)
        delivered.append(the_case)
        event_record(
            case=the_case,
            action=CaseAction.DELIVERED,
            actor=clerk,
            details={
                "method": locked.get_delivery_display(),
                "method_code": method,
                "note": locked.delivery_note,
                "carrier": locked.carrier,
                "tracking_no": locked.tracking_no,
                "locker_cell": locked.locker_cell,
                "issued_late": locked.issued_late,
            },
        )
        event_record(case=the_case, action=CaseAction.CLOSED, actor=clerk, details={})
        applicant_notify(
            case=the_case,
            key=f"case:{the_case.pk}:delivered",
            kind=MessageKind.DELIVERED,
            subject=wording.CLOSED.subject,
            body=wording.CLOSED.body
            % {"item": the_case.item.name, "method": _delivery_words(locked)},
        )
        if method == Delivery.LOCKER:
            # The code goes by SMS only (not email, not the inbox), and is never stored in clear:
            # the outbox keeps it sealed until it is sent (hall.platform.secret_box).
            sms_queue(
                key=f"case:{the_case.pk}:pickup-code",
                phone=the_case.applicant.phone,
                kind=MessageKind.PICKUP_CODE,
                subject=wording.PICKUP_CODE.subject,
                body=wording.PICKUP_CODE.body
                % {
                    "item": the_case.item.name,
                    "place": settings.HALL_LOCKER_PLACE,
                    "cell": locker_cell,
                    "code": code,
                },
                case=the_case,
                secret=code,
            )
        return True

    try:
        with transaction.atomic():
            decision = CaseDecision.objects.get(case=case)
            if decision.delivery_task_id is None:
                raise ValidationError(_("该办件尚未作出决定。"))
            if not complete_human_task(decision.delivery_task_id, user=clerk, apply=record):
                raise AlreadyDecided()
    except IntegrityError as error:  # the same 8 digits open in another cell: try once more
        raise ValidationError(_("取件码生成冲突，请再提交一次。")) from error
    return fields_copy(target=case, source=delivered[0])


def _application_ready(case: Case) -> None:
    """一件事: the results are delivered together once every item is done, unless the
    applicant chose to have each as it is ready (`CaseGroup.deliver_together`)."""
    if case.group_id is None:
        return
    waiting = list(
        Case.objects.filter(group_id=case.group_id, group__deliver_together=True)
        .exclude(status__in=APPLICATION_ITEM_DONE)
        .values_list("item__name", flat=True)
    )
    if waiting:
        raise ValidationError(
            _(
                "一件事申请的结果在全部事项办结后一次送达（申请人可选择逐项送达）：“%(items)s”"
                "尚未办结。"
            )
            % {"items": "、".join(waiting)},
            code="application_waiting",
        )


def _delivery_words(decision: CaseDecision) -> str:
    if decision.delivery in CARRIED:
        return _("%(method)s，%(carrier)s 运单号 %(no)s") % {
            "method": decision.get_delivery_display(),
            "carrier": decision.carrier,
            "no": decision.tracking_no,
        }
    if decision.delivery == Delivery.LOCKER:
        return _("%(method)s，%(place)s %(cell)s 号柜，取件码另行短信发送") % {
            "method": decision.get_delivery_display(),
            "place": settings.HALL_LOCKER_PLACE,
            "cell": decision.locker_cell,
        }
    return str(decision.get_delivery_display())


@dataclass(frozen=True)
class PickUp:
    cell: str
    receipt_no: str


def result_pick_up(*, code: str) -> PickUp:
    """The locker's screen takes a pick-up code: the cell opens once; a used or wrong code is
    refused with the same words (neither tells which codes exist)."""
    code = (code or "").strip()
    refused = ValidationError(_("取件码不正确或已使用。"), code="pickup")
    if len(code) != PICKUP_CODE_DIGITS or int_or_none(code) is None:
        raise refused
    with transaction.atomic():
        decision = (
            CaseDecision.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(pickup_digest=pickup_digest(code), picked_up_at__isnull=True)
            .first()
        )
        if decision is None:
            raise refused
        now = timezone.now()
        CaseDecision.objects.filter(pk=decision.pk, picked_up_at__isnull=True).update(
            picked_up_at=now
        )
        event_record(
            case=decision.case,
            action=CaseAction.PICKED_UP,
            actor=None,
            details={"locker_cell": decision.locker_cell},
        )
        # Inside the transaction, under the row lock: a cell that fails to open raises, the
        # transaction rolls back and the code still works; a second use waits and finds it used.
        logistics.lockers().open_cell(cell=decision.locker_cell, reference=decision.case.receipt_no)
    return PickUp(cell=decision.locker_cell, receipt_no=decision.case.receipt_no)
