"""The cases in approval as beat last counted them, for the daily open/overdue trend.

The trend's figure for a day is the number of cases accepted and not closed at its end, and how
many of them were past their promised date. The closed cases of a period are few and found by
index; the open ones are every case in approval (a million at the scale of a large hall), and
counting them costs a scan. So beat keeps them grouped by (accepted on, overdue from), a few
thousand rows at most, every `HALL_SUPERVISION_FIGURES_SECONDS`, and the page combines that with
the cases closed before it was taken: the figures are exact as of that moment, which the page
states. The page counts afresh itself when the snapshot is missing or older than twice the
interval (beat down), as the supervision dashboard does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from departments.models import FiguresSnapshot
from departments.performance.tables import T, rows_fetch

NAME = "performance-open-cases"


@dataclass(frozen=True)
class OpenCases:
    """Cases in approval at `taken_at`, counted per (accepted_on, overdue_from)."""

    accepted_on: list[datetime.date]
    overdue_from: list[datetime.date | None]
    counts: list[int]
    taken_at: datetime.datetime


def open_cases_count(*, now: datetime.datetime) -> OpenCases:
    rows = rows_fetch(
        f"""
        SELECT accepted_on, promised_due_date + 1 AS overdue_from, COUNT(*)::int AS n
        FROM {T["case"]}
        WHERE closed_at IS NULL AND accepted_on IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        {},
    )
    return OpenCases(
        accepted_on=[row["accepted_on"] for row in rows],
        overdue_from=[row["overdue_from"] for row in rows],
        counts=[row["n"] for row in rows],
        taken_at=now,
    )


def open_cases_refresh(*, now: datetime.datetime | None = None) -> OpenCases:
    """Count the open cases and keep the result (one row, replaced)."""
    # the moment is taken before counting: a case closed while the count runs is then counted
    # open here and, closed after `taken_at`, not among the closed ones; never twice
    now = now or timezone.now()
    counted = open_cases_count(now=now)
    data = {
        "accepted_on": [day.isoformat() for day in counted.accepted_on],
        "overdue_from": [day.isoformat() if day else None for day in counted.overdue_from],
        "counts": counted.counts,
    }
    FiguresSnapshot.objects.bulk_create(
        [FiguresSnapshot(name=NAME, data=data, computed_at=now)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["data", "computed_at"],
    )
    return counted


def open_cases_kept(*, now: datetime.datetime) -> OpenCases:
    """The kept count, or a fresh one when it is missing or older than twice the interval."""
    max_age = datetime.timedelta(seconds=2 * settings.HALL_SUPERVISION_FIGURES_SECONDS)
    snapshot = FiguresSnapshot.objects.filter(name=NAME).first()
    if snapshot is None or not snapshot.computed_at <= now <= snapshot.computed_at + max_age:
        return open_cases_refresh(now=now)
    data = snapshot.data
    return OpenCases(
        accepted_on=[datetime.date.fromisoformat(day) for day in data["accepted_on"]],
        overdue_from=[
            datetime.date.fromisoformat(day) if day else None for day in data["overdue_from"]
        ],
        counts=data["counts"],
        taken_at=snapshot.computed_at,
    )
