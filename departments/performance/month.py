"""The performance page's figures for the month to date, kept by beat.

The page opens on the month to date; its department, clerk and item figures are a few report
queries over the month's decided steps and cases (some 650 ms at a million cases, most of the
page), the same for every supervisor until something is decided. So beat computes them every
`HALL_SUPERVISION_FIGURES_SECONDS` and keeps them in the cache, and the page shows them with the
moment they were taken. The copy is computed with no language active, so its titles, column
labels and the queue's category and source labels are the catalogue's source strings; each
read translates those few strings (a dictionary look-up each) into the reader's language, so
one copy serves every language. (Pickling lazy strings instead cost ~50 ms per read: every
unpickled proxy builds a class.) The page draws the kept figures once per copy and language (a
`{% cache %}` fragment keyed by their time). It computes afresh itself when the copy is missing,
from another day, or older than twice the interval (beat down), as the supervision dashboard
does; any other period is always computed for its request.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from departments.performance import clerks, departments, items, open_cases, periods, queue
from departments.performance.tables import Table

# the queue tables whose row labels are the catalogue's (categories, sources), not names
_TRANSLATED_ROW_LABELS = {"queue-sources", "queue-categories"}


@dataclass(frozen=True)
class MonthFigures:
    period: periods.Period
    departments: Table
    clerks: Table
    items: Table
    trend: Table
    queue: list[Table]
    open_cases_taken_at: datetime.datetime
    taken_at: datetime.datetime


def _translated(table: Table) -> Table:
    """A kept table (source strings) in the active language."""
    rows = table.rows
    if table.key in _TRANSLATED_ROW_LABELS:
        rows = [{**row, "label": gettext(row["label"])} for row in rows]
    return dataclasses.replace(
        table,
        title=gettext(table.title),
        note=gettext(table.note) if table.note else "",
        columns=[
            dataclasses.replace(
                column,
                label=gettext(column.label),
                help=gettext(column.help) if column.help else "",
            )
            for column in table.columns
        ],
        rows=rows,
    )


def _in_reader_language(figures: MonthFigures) -> MonthFigures:
    return dataclasses.replace(
        figures,
        departments=_translated(figures.departments),
        clerks=_translated(figures.clerks),
        items=_translated(figures.items),
        trend=_translated(figures.trend),
        queue=[_translated(table) for table in figures.queue],
    )


def _key(day: datetime.date) -> str:
    return f"performance:month:{day.isoformat()}"


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=2 * settings.HALL_SUPERVISION_FIGURES_SECONDS)


def month_figures_refresh(*, now: datetime.datetime | None = None) -> MonthFigures:
    """Compute the month to date's figures and keep them for the page."""
    now = now or timezone.now()
    period = periods.month_to_date(timezone.localdate(now))
    kept = open_cases.open_cases_kept(now=now)
    with translation.override(None):  # the source strings, translated on each read
        figures = MonthFigures(
            period=period,
            departments=departments.department_figures(period=period),
            clerks=clerks.clerk_figures(period=period),
            items=items.item_figures(period=period),
            trend=items.open_overdue_trend(period=period, open_cases=kept),
            queue=queue.queue_tables(period=period),
            open_cases_taken_at=kept.taken_at,
            taken_at=now,
        )
    # kept past the page's own limit (the page decides what is stale, by `taken_at`)
    cache.set(_key(period.end), figures, int(2 * _max_age().total_seconds()) + 60)
    return _in_reader_language(figures)


REFRESHING_KEY = "performance:month:refreshing"
REFRESH_PATIENCE_S = 30


def month_figures_kept(*, now: datetime.datetime) -> MonthFigures:
    """The kept figures of today's month, or fresh ones when they are missing or stale. Of the
    requests that find them stale at once, one counts afresh and the others show the stale copy
    (its time on the page) meanwhile, instead of every one running the report queries."""
    figures = cache.get(_key(timezone.localdate(now)))
    if figures is not None and figures.taken_at <= now <= figures.taken_at + _max_age():
        return _in_reader_language(figures)
    if figures is not None and not cache.add(REFRESHING_KEY, 1, REFRESH_PATIENCE_S):
        return _in_reader_language(figures)
    try:
        return month_figures_refresh(now=now)
    finally:
        if figures is not None:
            cache.delete(REFRESHING_KEY)
