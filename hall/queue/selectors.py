"""Queue reads: a ticket's position and wait estimate, a window's queue, the board, and the
queue statistics that supervision reads (medians by PostgreSQL's `percentile_cont`)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.deadlines import SHANGHAI
from hall.models import QueueTicket, Window
from hall.platform.guard import int_or_none
from hall.queue.common import CATEGORY_LETTERS, LETTER_CATEGORIES, LIVE, Category, Status

# The estimate uses the service times of the last hours; with none, this stated default.
ESTIMATE_HISTORY = datetime.timedelta(hours=3)
DEFAULT_SERVICE_MINUTES = 10
# How many recent calls the display board shows.
BOARD_SIZE = 8


class Median(Aggregate):
    """PostgreSQL's `percentile_cont(0.5)`: the median of a number or an interval.

    Only PostgreSQL has it; `median_available()` says whether the database does, and the
    selectors here return None for medians elsewhere (the SQLite fallback of `make run`).
    """

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def median_available() -> bool:
    return connection.vendor == "postgresql"


def _wait() -> ExpressionWrapper:
    return ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())


def _service() -> ExpressionWrapper:
    return ExpressionWrapper(F("finished_at") - F("served_at"), output_field=DurationField())


@dataclass(frozen=True)
class TicketPosition:
    """Where a waiting ticket stands: people ahead and the estimated wait.

    `estimated_minutes` = ceil(ahead × per-person service time ÷ open windows). The per-person
    time is the median service time (average on SQLite) of the category's tickets finished in
    the last `ESTIMATE_HISTORY`; `from_history` is False when there were none and the stated
    `DEFAULT_SERVICE_MINUTES` was used. Open windows are the on-site windows serving the category
    with a clerk seated at them (at least one is assumed).
    """

    ahead: int
    estimated_minutes: int
    service_minutes: float
    open_windows: int
    from_history: bool


def _serving_windows(*, category: str) -> list[int]:
    # A handful of rows; filtered in Python because SQLite has no JSON containment lookup.
    windows = Window.objects.filter(is_online=False, clerks__isnull=False).distinct()
    return [w.pk for w in windows.only("pk", "categories") if category in (w.categories or [])]


def service_time_recent(*, category: str, since: datetime.datetime) -> datetime.timedelta | None:
    """Median (PostgreSQL) or average (elsewhere) service time of the category's tickets
    finished since `since`; None when there were none."""
    rows = QueueTicket.objects.filter(
        category=category,
        status=Status.DONE,
        finished_at__gte=since,
        served_at__isnull=False,
    )
    aggregate = Median(_service(), output_field=DurationField()) if median_available() else None
    value = rows.aggregate(value=aggregate or Avg(_service()))["value"]
    if value is not None and not isinstance(value, datetime.timedelta):
        value = datetime.timedelta(microseconds=value)
    return value


def ticket_position(*, ticket: QueueTicket) -> TicketPosition:
    """People ahead of a waiting ticket and the estimated wait (see `TicketPosition`)."""
    serving = _serving_windows(category=ticket.category)
    if ticket.status != Status.WAITING:
        ahead = 0
    else:
        before = Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk)
        waiting = QueueTicket.objects.filter(issued_on=ticket.issued_on, status=Status.WAITING)
        if ticket.window_id is not None:
            # Transferred: only the window's other transferred tickets that came earlier.
            ahead = waiting.filter(before, window_id=ticket.window_id).count()
            serving = [ticket.window_id]
        else:
            # Untransferred tickets of the category ahead in the calling order, and the tickets
            # transferred to the windows that serve it (those windows call them first). Booked
            # tickets go before walk-ins: a booked one has only earlier booked ones ahead, a
            # walk-in every booked one waiting (the burst limit lets walk-ins in between, so for
            # a walk-in this is the longest it waits).
            same = Q(window__isnull=True, category=ticket.category)
            if ticket.by_appointment:
                ahead_of = same & Q(by_appointment=True) & before
            else:
                ahead_of = same & (Q(by_appointment=True) | (Q(by_appointment=False) & before))
            if serving:
                ahead_of |= Q(window_id__in=serving)
            ahead = waiting.aggregate(n=Count("pk", filter=ahead_of))["n"]
    per_person = service_time_recent(
        category=ticket.category, since=timezone.now() - ESTIMATE_HISTORY
    )
    from_history = per_person is not None and per_person.total_seconds() > 0
    seconds = per_person.total_seconds() if from_history else DEFAULT_SERVICE_MINUTES * 60
    windows = max(len(serving), 1)
    return TicketPosition(
        ahead=ahead,
        estimated_minutes=math.ceil(ahead * seconds / windows / 60),
        service_minutes=round(seconds / 60, 1),
        open_windows=len(serving),
        from_history=from_history,
    )


def window_current(*, window: Window) -> QueueTicket | None:
    """The ticket the window has called or is serving today, if any."""
    return (
        QueueTicket.objects.filter(window=window, issued_on=timezone.localdate(), status__in=LIVE)
        .order_by("-called_at", "-pk")
        .first()
    )


def window_queue(*, window: Window) -> dict[str, Any]:
    """What waits for a window today: its transferred tickets and, per category it serves, the
    untransferred waiting count."""
    waiting = QueueTicket.objects.filter(issued_on=timezone.localdate(), status=Status.WAITING)
    transferred = list(
        waiting.filter(window=window).select_related("transferred_from").order_by("issued_at")
    )
    counts = dict(
        waiting.filter(window__isnull=True, category__in=list(window.categories or []))
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "transferred": transferred,
        "categories": [
            {"category": code, "label": str(Category(code).label), "waiting": counts.get(code, 0)}
            for code in window.categories or []
            if code in CATEGORY_LETTERS
        ],
    }


def waiting_counts(
    *, day: datetime.date | None = None, booked_only: bool = False
) -> dict[str, int]:
    """Waiting tickets per category for a day (today by default); every category present.
    `booked_only` counts those checked in from an appointment."""
    day = day or timezone.localdate()
    rows = QueueTicket.objects.filter(issued_on=day, status=Status.WAITING)
    if booked_only:
        rows = rows.filter(by_appointment=True)
    counts = dict(rows.values_list("category").annotate(n=Count("pk")).order_by())
    return {code: counts.get(code, 0) for code in CATEGORY_LETTERS}


def board_calls(*, limit: int = BOARD_SIZE) -> list[QueueTicket]:
    """The display board: today's called and in-service tickets, latest call first."""
    return list(
        QueueTicket.objects.filter(issued_on=timezone.localdate(), status__in=LIVE)
        .select_related("window")
        .order_by("-called_at", "-pk")[:limit]
    )


def ticket_number_normalize(raw: str) -> str:
    """'a1', ' A001 ' and 'A0001' all mean A001; anything else comes back upper-cased."""
    value = (raw or "").strip().upper()
    if len(value) >= 3 and value[0] == "Y" and value[1] in LETTER_CATEGORIES:
        serial = int_or_none(value[2:])
        if serial is not None:
            return f"{value[:2]}{serial:03d}"
    if len(value) >= 2 and value[0] in LETTER_CATEGORIES:
        serial = int_or_none(value[1:])
        if serial is not None:
            return f"{value[0]}{serial:03d}"
    return value


def ticket_today(*, number: str) -> QueueTicket | None:
    """Today's ticket with this number, if any."""
    return (
        QueueTicket.objects.select_related("window", "clerk")
        .filter(issued_on=timezone.localdate(), number=ticket_number_normalize(number))
        .first()
    )


def tickets_between(*, start: datetime.datetime, end: datetime.datetime) -> QuerySet[QueueTicket]:
    return QueueTicket.objects.filter(issued_at__gte=start, issued_at__lt=end)


def _moment(value: datetime.date | datetime.datetime, name: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"{name} must be an aware datetime")
        return value
    return datetime.datetime.combine(value, datetime.time.min, tzinfo=SHANGHAI)


def _metrics() -> dict[str, Aggregate]:
    metrics: dict[str, Aggregate] = {
        "tickets": Count("pk"),
        "called": Count("pk", filter=Q(called_at__isnull=False)),
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "no_show": Count("pk", filter=Q(status=Status.NO_SHOW)),
        "booked": Count("pk", filter=Q(by_appointment=True)),
        "wait_avg": Avg(_wait()),
        "service_avg": Avg(_service()),
    }
    if median_available():
        metrics["wait_median"] = Median(_wait(), output_field=DurationField())
        metrics["service_median"] = Median(_service(), output_field=DurationField())
    return metrics


def _duration(value: Any) -> datetime.timedelta | None:
    if value is None:
        return None
    if not isinstance(value, datetime.timedelta):  # SQLite returns microseconds
        value = datetime.timedelta(microseconds=value)
    return datetime.timedelta(seconds=round(value.total_seconds()))


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "tickets": values.get("tickets") or 0,
        "called": values.get("called") or 0,
        "done": values.get("done") or 0,
        "no_show": values.get("no_show") or 0,
        "booked": values.get("booked") or 0,
        "wait_avg": _duration(values.get("wait_avg")),
        "wait_median": _duration(values.get("wait_median")),
        "service_avg": _duration(values.get("service_avg")),
        "service_median": _duration(values.get("service_median")),
    }


def queue_statistics(
    *, start: datetime.date | datetime.datetime, end: datetime.date | datetime.datetime
) -> dict[str, Any]:
    """Waiting and service times of the tickets issued in [start, end), for supervision.

    `start` and `end` are aware datetimes, or dates meaning 00:00 Asia/Shanghai of that day
    (so one day D is `start=D, end=D + 1 day`). Everything is aggregated in the database.

    Returns::

        {
          "start": datetime, "end": datetime,      # the half-open period, aware
          "median_available": bool,                # False on SQLite: every *_median is None
          "total": Row,
          "by_category": [Row | {"category": "general", "label": "综合窗口"}, ...],
                                                   # all four categories, in CATEGORY_LETTERS order
          "by_source": [Row | {"source": "appointment" | "walk_in", "label": str}, ...],
                                                   # booked tickets apart from walk-ins
          "by_window": [Row | {"window_id": int, "window_number": "01", "window_name": str}, ...],
                                                   # windows with tickets, by window number
        }

        Row = {
          "tickets": int,      # issued in the period
          "called": int,       # of which called to a window at least once
          "done": int,         # finished (办结)
          "no_show": int,      # 过号
          "booked": int,       # of which checked in from an appointment on time
          "wait_avg": timedelta | None,       # called_at − issued_at, over called tickets
          "wait_median": timedelta | None,    # PostgreSQL percentile_cont(0.5)
          "service_avg": timedelta | None,    # finished_at − served_at, over served tickets
          "service_median": timedelta | None,
        }

    Durations are rounded to whole seconds; None where no ticket qualifies. A ticket counts for
    the window that last had it (after a transfer, the window it was transferred to); see the
    module docstring for what the times mean after a transfer or a recall.
    """
    start, end = _moment(start, "start"), _moment(end, "end")
    tickets = tickets_between(start=start, end=end)
    metrics = _metrics()
    by_category = {
        row["category"]: row
        for row in tickets.values("category").annotate(**metrics).order_by("category")
    }
    by_source = {
        row["by_appointment"]: row
        for row in tickets.values("by_appointment").annotate(**metrics).order_by()
    }
    by_window = (
        tickets.filter(window__isnull=False)
        .values("window_id", "window__number", "window__name")
        .annotate(**metrics)
        .order_by("window__number")
    )
    return {
        "start": start,
        "end": end,
        "median_available": median_available(),
        "total": _row(tickets.aggregate(**metrics)),
        "by_category": [
            {
                "category": code,
                "label": str(Category(code).label),
                **_row(by_category.get(code, {})),
            }
            for code in CATEGORY_LETTERS
        ],
        "by_source": [
            {"source": "appointment", "label": _("预约"), **_row(by_source.get(True, {}))},
            {"source": "walk_in", "label": _("现场取号"), **_row(by_source.get(False, {}))},
        ],
        "by_window": [
            {
                "window_id": row["window_id"],
                "window_number": row["window__number"],
                "window_name": row["window__name"],
                **_row(row),
            }
            for row in by_window
        ],
    }
