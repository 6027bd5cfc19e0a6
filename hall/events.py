"""The case event log: every action appends one row, in the transaction that made the change.

The first-contact owner (首问责任人) hears of every state change on their case through their
inbox, unless they made the change themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models import Applicant, Case, CaseEvent

# Actions that change what state a case is in; the owner is told of each.
STATE_CHANGES = {
    "received": _("收件"),
    "checked": _("材料核对"),
    "correction_requested": _("出具一次性补正告知书"),
    "correction_supplied": _("补正材料"),
    "accepted": _("受理"),
    "deemed_accepted": _("逾期视为受理"),
    "not_accepted": _("不予受理"),
    "referred": _("转办"),
    "owner_changed": _("变更首问责任人"),
    "review_started": _("部门审查开始"),
    "review_decided": _("部门审查意见"),
    "review_deemed": _("超时默许"),
    "correction_asked_by_department": _("部门要求补正"),
    "special_procedure": _("特别程序"),
    "extension": _("延长期限"),
    "stage_decided": _("阶段决定"),
    "decided": _("作出决定"),
    "delivered": _("送达"),
    "closed": _("办结"),
    "warning": _("期限预警"),
}


EVENT_LABELS = {
    **STATE_CHANGES,
    "one_time_breach": _("违反一次性告知（经批准）"),
    "owner_assigned": _("确定首问责任人"),
    "reminder": _("督办提醒"),
    "extension_requested": _("申请延长期限"),
    "written_opinion": _("补交书面意见"),
    "agency_requested": _("申请全程代办"),
    "agency_withdrawn": _("撤回代办申请"),
    "agent_assigned": _("指派代办员"),
    "agent_note": _("代办员记录"),
    "correction_uploaded": _("网上提交补正材料"),
    "rated": _("服务评价"),
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
