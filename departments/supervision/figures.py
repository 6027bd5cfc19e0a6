"""The dashboard's counted figures as a snapshot: computed by a beat task, stored in one row,
read by every request in one query.

Counting red and yellow cards, open cases by state and cards per department means aggregating
over every open step and case (about a second at a million cases). Supervisors need the lists
current and the totals recent, not recomputed for each of them on each page view: the totals
are recomputed every `HALL_SUPERVISION_FIGURES_SECONDS` by beat (and by the page itself when the
snapshot is older than twice that, say after beat was down), and the page says when.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from departments.models import FiguresSnapshot
from departments.supervision import selectors
from hall.models import Case
from hall.orders.selectors import orders_today

NAME = "supervision"


@dataclass(frozen=True)
class Figures:
    counts: dict[str, int]
    by_status: list[dict[str, Any]]
    warnings_by_department: list[dict[str, Any]]
    computed_at: datetime.datetime
    # 接诉即办: open orders red and yellow now, parts chased, orders awaiting coordination
    orders: dict[str, int] = field(default_factory=dict)


def figures_compute(*, now: datetime.datetime) -> Figures:
    return Figures(
        counts=selectors.dashboard_counts(now=now),
        by_status=selectors.cases_by_status(),
        warnings_by_department=selectors.warnings_by_department(now=now),
        computed_at=now,
        orders=orders_today(now=now),
    )


def supervision_figures_refresh(*, now: datetime.datetime | None = None) -> Figures:
    """Compute the figures and store them as the snapshot (one row, replaced)."""
    now = now or timezone.now()
    figures = figures_compute(now=now)
    data = {
        "counts": figures.counts,
        # codes only: the state's name is put in the reader's language when the page is shown
        "by_status": [{"code": row["code"], "total": row["total"]} for row in figures.by_status],
        "warnings_by_department": figures.warnings_by_department,
        "orders": figures.orders,
    }
    # one upsert: the first refresh creates the row, every later one (or a concurrent first
    # one) replaces it
    FiguresSnapshot.objects.bulk_create(
        [FiguresSnapshot(name=NAME, data=data, computed_at=now)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["data", "computed_at"],
    )
    return figures


def supervision_figures(*, now: datetime.datetime) -> Figures:
    """The stored snapshot, or fresh figures when it is missing or older than twice the beat
    interval (the page never shows figures staler than that)."""
    max_age = datetime.timedelta(seconds=2 * settings.HALL_SUPERVISION_FIGURES_SECONDS)
    snapshot = FiguresSnapshot.objects.filter(name=NAME).first()
    if snapshot is None or now - snapshot.computed_at > max_age:
        return supervision_figures_refresh(now=now)
    labels = dict(Case.Status.choices)
    return Figures(
        counts=snapshot.data["counts"],
        by_status=[
            {**row, "status": labels.get(row["code"], row["code"])}
            for row in snapshot.data["by_status"]
        ],
        warnings_by_department=snapshot.data["warnings_by_department"],
        computed_at=snapshot.computed_at,
        orders=snapshot.data.get("orders", {}),
    )
