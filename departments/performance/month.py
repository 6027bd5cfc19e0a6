"""The performance page's figures for the month to date, kept by beat.

The page opens on the month to date; its department, clerk and item figures are a few report
queries over the month's decided steps and cases (some 650 ms at a million cases, most of the
page), the same for every supervisor until something is decided. So beat computes them every
`HALL_SUPERVISION_FIGURES_SECONDS` and keeps them in the cache, and the page shows them with the
moment they were taken. Labels stay lazy (gettext_lazy) in the kept tables, so one copy serves
every language. The page computes afresh itself when the copy is missing, from another day, or
older than twice the interval (beat down), as the supervision dashboard does; any other period
is always computed for its request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from departments.performance import clerks, departments, items, open_cases, periods
from departments.performance.tables import Table


@dataclass(frozen=True)
class MonthFigures:
    period: periods.Period
    departments: Table
    clerks: Table
    items: Table
    trend: Table
    open_cases_taken_at: datetime.datetime
    taken_at: datetime.datetime


def _key(day: datetime.date) -> str:
    return f"performance:month:{day.isoformat()}"


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=2 * settings.HALL_SUPERVISION_FIGURES_SECONDS)


def month_figures_refresh(*, now: datetime.datetime | None = None) -> MonthFigures:
    """Compute the month to date's figures and keep them for the page."""
    now = now or timezone.now()
    period = periods.month_to_date(timezone.localdate(now))
    kept = open_cases.open_cases_kept(now=now)
    figures = MonthFigures(
        period=period,
        departments=departments.department_figures(period=period),
        clerks=clerks.clerk_figures(period=period),
        items=items.item_figures(period=period),
        trend=items.open_overdue_trend(period=period, open_cases=kept),
        open_cases_taken_at=kept.taken_at,
        taken_at=now,
    )
    # kept past the page's own limit (the page decides what is stale, by `taken_at`)
    cache.set(_key(period.end), figures, int(2 * _max_age().total_seconds()) + 60)
    return figures


REFRESHING_KEY = "performance:month:refreshing"
REFRESH_PATIENCE_S = 30


def month_figures_kept(*, now: datetime.datetime) -> MonthFigures:
    """The kept figures of today's month, or fresh ones when they are missing or stale. Of the
    requests that find them stale at once, one counts afresh and the others show the stale copy
    (its time on the page) meanwhile, instead of every one running the report queries."""
    figures = cache.get(_key(timezone.localdate(now)))
    if figures is not None and figures.taken_at <= now <= figures.taken_at + _max_age():
        return figures
    if figures is not None and not cache.add(REFRESHING_KEY, 1, REFRESH_PATIENCE_S):
        return figures
    try:
        return month_figures_refresh(now=now)
    finally:
        if figures is not None:
            cache.delete(REFRESHING_KEY)
