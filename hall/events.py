"""The case event log: every action appends one row, in the transaction that made the change.

The first-contact owner (首问责任人) hears of every state change on their case through their
inbox, unless they made the change themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from hall.models import Applicant, Case, CaseEvent

# Actions that change what state a case is in; the owner is told of each.
STATE_CHANGES = {
    "received": "收件",
    "checked": "材料核对",
    "correction_requested": "出具一次性补正告知书",
    "correction_supplied": "补正材料",
    "accepted": "受理",
    "deemed_accepted": "逾期视为受理",
    "not_accepted": "不予受理",
    "referred": "转办",
    "owner_changed": "变更首问责任人",
    "review_started": "部门审查开始",
    "review_decided": "部门审查意见",
    "review_deemed": "超时默许",
    "correction_asked_by_department": "部门要求补正",
    "special_procedure": "特别程序",
    "extension": "延长期限",
    "stage_decided": "阶段决定",
    "decided": "作出决定",
    "delivered": "送达",
    "closed": "办结",
    "warning": "期限预警",
}


EVENT_LABELS = {
    **STATE_CHANGES,
    "one_time_breach": "违反一次性告知（经批准）",
    "owner_assigned": "确定首问责任人",
    "reminder": "督办提醒",
    "extension_requested": "申请延长期限",
    "written_opinion": "补交书面意见",
    "agency_requested": "申请全程代办",
    "agency_withdrawn": "撤回代办申请",
    "agent_assigned": "指派代办员",
    "agent_note": "代办员记录",
    "correction_uploaded": "网上提交补正材料",
    "rated": "服务评价",
}


def event_record(
    *,
    case: Case,
    action: str,
    actor: User | None = None,
    on_behalf_of: Applicant | None = None,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        at=timezone.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        details=details or {},
    )
    event.save(force_insert=True)
    if action in STATE_CHANGES and case.owner_id and case.owner_id != getattr(actor, "pk", None):
        from hall.notifications import owner_notify

        owner_notify(case=case, event=event, label=STATE_CHANGES[action])
    return event
