"""Waiting and service times per queue category and per window."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from departments.performance.periods import Period
from departments.performance.tables import Column, Table
from hall.queue.selectors import queue_statistics


def _minutes(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 60).quantize(Decimal("0.1"))


def queue_tables(*, period: Period) -> list[Table]:
    """Waiting and service times per queue category and per window, by the queue's own
    definition of the times (`hall.queue.selectors.queue_statistics`)."""
    stats = queue_statistics(start=period.start, end=period.end + datetime.timedelta(days=1))
    by_category = [{"label": row["label"], **_queue_row(row)} for row in stats["by_category"]]
    by_window = [
        {"label": f"{row['window_number']} {row['window_name']}", **_queue_row(row)}
        for row in stats["by_window"]
    ]
    by_source = [{"label": row["label"], **_queue_row(row)} for row in stats["by_source"]]
    return [
        _queue_table("queue-sources", _("预约与现场取号"), _("来源"), by_source),
        _queue_table(
            "queue-categories", _("按取号类别的等候与办理时长"), _("取号类别"), by_category
        ),
        _queue_table("queue-windows", _("按窗口的等候与办理时长"), _("窗口"), by_window),
    ]


def _queue_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "tickets": row["tickets"],
        "called": row["called"],
        "done": row["done"],
        "no_show": row["no_show"],
        "booked": row["booked"],
        "wait_avg": _minutes(row["wait_avg"]),
        "wait_median": _minutes(row["wait_median"]),
        "service_avg": _minutes(row["service_avg"]),
        "service_median": _minutes(row["service_median"]),
    }


def _queue_table(key: str, title: str, label: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        key=key,
        title=title,
        columns=[
            Column("label", label),
            Column("tickets", _("取号"), "int"),
            Column("called", _("已叫号"), "int"),
            Column("done", _("办结"), "int"),
            Column("no_show", _("过号"), "int"),
            Column("booked", _("其中预约"), "int"),
            Column("wait_avg", _("平均等候（分钟）"), "minutes"),
            Column("wait_median", _("等候中位数（分钟）"), "minutes"),
            Column("service_avg", _("平均办理（分钟）"), "minutes"),
            Column("service_median", _("办理中位数（分钟）"), "minutes"),
        ],
        rows=rows,
        note=_("等候为取号至叫号，办理为开始办理至结束。"),
    )
