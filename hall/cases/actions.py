"""The typed actions of the case event log, their labels, and who is told of each.

Every row of `CaseEvent` carries one of these values. The value is what is stored, so a value
never changes once rows carry it; a new meaning gets a new value. Two values written before the
actions were typed named two events each and are kept only as labels for old rows
(`FORMER_LABELS`).

`tells_owner`: the first-contact owner (首问责任人) hears of every change of a case's state
through their inbox, unless they made it themselves; `event_record` reads this flag, so which
actions tell the owner is decided here and nowhere else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAction(models.TextChoices):
    # intake at the window (Art. 32)
    RECEIVED = "received", _("收件")
    CHECKED = "checked", _("材料核对")
    CORRECTION_REQUESTED = "correction_requested", _("出具一次性补正告知书")
    CORRECTION_SUPPLIED = "correction_supplied", _("补正材料")
    CORRECTION_UPLOADED = "correction_uploaded", _("网上提交补正材料")
    ONE_TIME_BREACH = "one_time_breach", _("违反一次性告知（经批准）")
    ACCEPTED = "accepted", _("受理")
    COMMITMENT_SIGNED = "commitment_signed", _("签署告知承诺书")
    COMMITMENT_VERIFIED = "commitment_verified", _("核查告知承诺")
    TOLERANCE_ACCEPTED = "tolerance_accepted", _("容缺受理")
    TOLERANCE_SUPPLIED = "tolerance_supplied", _("补交容缺材料")
    DEEMED_ACCEPTED = "deemed_accepted", _("逾期视为受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    REFERRED = "referred", _("转办")
    # first-contact responsibility
    OWNER_ASSIGNED = "owner_assigned", _("确定首问责任人")
    OWNER_CHANGED = "owner_changed", _("变更首问责任人")
    # review by the departments
    REVIEW_STARTED = "review_started", _("部门审查开始")
    REVIEW_DECIDED = "review_decided", _("部门审查意见")
    REVIEW_DEEMED = "review_deemed", _("超时默许")
    WRITTEN_OPINION = "written_opinion", _("补交书面意见")
    WARNING = "warning", _("期限预警")
    DEADLINE_MOVED = "deadline_moved", _("节假日安排更新，期限调整")
    CORRECTION_ASKED_BY_DEPARTMENT = "correction_asked_by_department", _("部门要求补正")
    DEPARTMENT_CORRECTION_SUPPLIED = "department_correction_supplied", _("部门补正材料已补齐")
    SPECIAL_PROCEDURE_STARTED = "special_procedure_started", _("特别程序开始")
    SPECIAL_PROCEDURE_ENDED = "special_procedure_ended", _("特别程序结束")
    EXTENSION_REQUESTED = "extension_requested", _("申请延长期限")
    EXTENSION = "extension", _("延长期限")
    STAGE_DECIDED = "stage_decided", _("阶段决定")
    DECIDED = "decided", _("作出决定")
    DELIVERED = "delivered", _("送达")
    PICKED_UP = "picked_up", _("智能柜取件")
    CLOSED = "closed", _("办结")
    # the electronic licence library (电子证照)
    LICENCE_ISSUED = "licence_issued", _("颁发电子证照")
    LICENCE_REVOKED = "licence_revoked", _("撤销电子证照")
    # rule-based instant approval (秒批) and its after-the-fact sampling
    INSTANT_APPROVED = "instant_approved", _("秒批：系统依规则准予")
    INSTANT_DECLINED = "instant_declined", _("不满足秒批条件，转常规审批")
    INSTANT_REVIEWED = "instant_reviewed", _("秒批事后抽查")
    DECISION_REVOKED = "decision_revoked", _("撤销许可决定")
    # supervision
    REMINDER = "reminder", _("督办提醒")
    # full-process agency and rating
    APPLICANT_CONTACT_CHANGED = "applicant_contact_changed", _("申请人联系方式变更")
    AGENCY_REQUESTED = "agency_requested", _("申请全程代办")
    AGENCY_WITHDRAWN = "agency_withdrawn", _("撤回代办申请")
    AGENT_ASSIGNED = "agent_assigned", _("指派代办员")
    AGENT_NOTE = "agent_note", _("代办员记录")
    RATED = "rated", _("服务评价")
    PROXY_ACTED = "proxy_acted", _("亲友代办")
    BENEFIT_CONFIRMED = "benefit_confirmed", _("免申即享：本人确认、部门批量确认")

    @property
    def tells_owner(self) -> bool:
        return self in _OWNER_TOLD


_OWNER_TOLD = frozenset(
    {
        CaseAction.RECEIVED,
        CaseAction.CHECKED,
        CaseAction.CORRECTION_REQUESTED,
        CaseAction.CORRECTION_SUPPLIED,
        CaseAction.ACCEPTED,
        CaseAction.TOLERANCE_ACCEPTED,
        CaseAction.TOLERANCE_SUPPLIED,
        CaseAction.DEEMED_ACCEPTED,
        CaseAction.NOT_ACCEPTED,
        CaseAction.REFERRED,
        CaseAction.OWNER_CHANGED,
        CaseAction.REVIEW_STARTED,
        CaseAction.REVIEW_DECIDED,
        CaseAction.REVIEW_DEEMED,
        CaseAction.LICENCE_REVOKED,
        CaseAction.INSTANT_APPROVED,
        CaseAction.DECISION_REVOKED,
        CaseAction.CORRECTION_ASKED_BY_DEPARTMENT,
        CaseAction.DEPARTMENT_CORRECTION_SUPPLIED,
        CaseAction.SPECIAL_PROCEDURE_STARTED,
        CaseAction.SPECIAL_PROCEDURE_ENDED,
        CaseAction.EXTENSION,
        CaseAction.STAGE_DECIDED,
        CaseAction.DECIDED,
        CaseAction.DELIVERED,
        CaseAction.CLOSED,
        CaseAction.WARNING,
        CaseAction.DEADLINE_MOVED,
    }
)

# Values written before the actions were typed, each of which named two different events.
FORMER_LABELS = {"special_procedure": _("特别程序")}

EVENT_LABELS = {**{action.value: action.label for action in CaseAction}, **FORMER_LABELS}


def action_label(value: str) -> str:
    """The label of a stored action value; an unknown value is shown as it is."""
    return str(EVENT_LABELS.get(value, value))
