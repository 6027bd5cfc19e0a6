"""The typed actions of a work order's log (`WorkOrderEvent.action`). A stored value never
changes; a new meaning gets a new value."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderAction(models.TextChoices):
    RECEIVED = "received", _("受理诉求")
    CLAIMED = "claimed", _("认领工单")
    DISPATCHED = "dispatched", _("派单")
    RETURNED = "returned", _("部门退回")
    ESCALATED = "escalated", _("提交监察人员协调")
    INSISTED = "insisted", _("坚持派单")
    WITHDRAWN = "withdrawn", _("撤回派单")
    ANSWERED = "answered", _("部门答复")
    REPLIED = "replied", _("答复市民")
    CLOSED = "closed", _("办结")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REFUSED = "extension_refused", _("不批准延期")
    WARNING = "warning", _("预警")
    CHASED = "chased", _("催办")
    LISTED = "listed", _("公开通报")
    CALLBACK_SENT = "callback_sent", _("发送回访短信")
    CALLED_BACK = "called_back", _("回访")
    REOPENED = "reopened", _("重办")
