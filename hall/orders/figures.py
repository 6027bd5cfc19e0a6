"""The figures a city judges 接诉即办 by, per department, category and month of receipt:
响应率 (parts answered within their first limit), 按时办结率, 解决率 and 满意率 (from the
call-backs), 重办率, 催办 and returns. Counted from the orders and their parts; an order the
owner answered without sending it anywhere counts under the hall itself."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from hall.models import WorkOrder, WorkOrderPart

COLUMNS = [
    ("department", _("承办部门")),
    ("category", _("诉求分类")),
    ("orders", _("工单数")),
    ("response_rate", _("响应率")),
    ("on_time_rate", _("按时办结率")),
    ("resolution_rate", _("解决率")),
    ("satisfaction_rate", _("满意率")),
    ("reopen_rate", _("重办率")),
    ("chased", _("催办")),
    ("returns", _("退回")),
]
HALL_ITSELF = _("大厅直接答复")


def _rate(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.1f}%" if denominator else "—"


def _month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def order_figures(*, month: datetime.date) -> list[dict]:
    first, following = _month_bounds(month)
    orders = {
        row["pk"]: row
        for row in WorkOrder.objects.filter(
            received_at__date__gte=first, received_at__date__lt=following
        ).values(
            "pk",
            "category__name",
            "status",
            "closed_late",
            "callback_at",
            "resolved",
            "satisfaction",
            "reopen_count",
        )
    }
    parts = WorkOrderPart.objects.filter(order_id__in=list(orders)).values(
        "order_id",
        "department__name",
        "round",
        "status",
        "due_at",
        "answered_at",
        "returned_at",
        "chased_at",
    )
    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"orders": set(), "first_parts": 0, "responded": 0, "chased": 0, "returns": 0}
    )
    seen_departments: dict[int, set[str]] = defaultdict(set)
    for part in parts:
        order = orders[part["order_id"]]
        key = (part["department__name"], order["category__name"])
        group = groups[key]
        group["orders"].add(part["order_id"])
        seen_departments[part["order_id"]].add(part["department__name"])
        if part["round"] == 0 and part["status"] != WorkOrderPart.Status.WITHDRAWN:
            group["first_parts"] += 1
            answered = part["answered_at"]
            if answered is not None and answered < part["due_at"] and part["round"] == 0:
                group["responded"] += 1
        group["chased"] += part["chased_at"] is not None
        group["returns"] += part["returned_at"] is not None
    for pk, order in orders.items():
        if pk not in seen_departments:
            group = groups[(str(HALL_ITSELF), order["category__name"])]
            group["orders"].add(pk)
    rows = []
    for (department, category), group in sorted(groups.items()):
        members = [orders[pk] for pk in group["orders"]]
        closed = [o for o in members if o["status"] == WorkOrder.Status.CLOSED]
        called = [o for o in members if o["callback_at"] is not None]
        # orders answered by the hall itself have no parts: they respond by replying
        first_parts, responded = group["first_parts"], group["responded"]
        rows.append(
            {
                "department": department,
                "category": category,
                "orders": len(members),
                "response_rate": _rate(responded, first_parts),
                "on_time_rate": _rate(sum(not o["closed_late"] for o in closed), len(closed)),
                "resolution_rate": _rate(sum(o["resolved"] is True for o in called), len(called)),
                "satisfaction_rate": _rate(
                    sum(
                        o["satisfaction"]
                        in (WorkOrder.Satisfaction.SATISFIED, WorkOrder.Satisfaction.BASIC)
                        for o in called
                    ),
                    len(called),
                ),
                "reopen_rate": _rate(sum(o["reopen_count"] > 0 for o in members), len(members)),
                "chased": group["chased"],
                "returns": group["returns"],
            }
        )
    return rows
