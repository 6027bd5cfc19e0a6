"""The holiday calendar data (Art. 82): loading it, and reading it as a `WorkingCalendar`.

The State Council publishes each year's holidays and make-up working days (调休) as a list of
dates. The package `chinesecalendar` carries the years published before its release; later years
are entered by an administrator in the admin (approvals.calendar_admin).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from importlib.metadata import version

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.db import transaction
from django.utils import timezone

from approvals.clock.deadlines import WorkingCalendar
from approvals.clock.holidays import FIRST_RULED_YEAR, ruled_days_off
from approvals.models import CalendarDay, CalendarRevision, CalendarYear

PACKAGE_SOURCE = f"chinesecalendar {version('chinesecalendar')}（国务院办公厅节假日安排通知）"


def _chinese_name(english: str) -> str:
    """The package names holidays in English; the UI's source language is Chinese."""
    try:
        return Holiday(english).chinese
    except ValueError:
        return english


def _package_days() -> dict[date, tuple[str, str]]:
    days = {
        day: (CalendarDay.Kind.HOLIDAY, name) for day, name in chinese_calendar.holidays.items()
    }
    days.update(
        (day, (CalendarDay.Kind.WORKDAY, name)) for day, name in chinese_calendar.workdays.items()
    )
    return {day: (kind, _chinese_name(name)) for day, (kind, name) in days.items()}


@transaction.atomic
def calendar_load_package_years(*, years: Iterable[int] | None = None) -> int:
    """Copy the package's years (all, or those in `years`) into CalendarYear / CalendarDay.

    Idempotent: returns the number of rows created or changed, 0 when the database already
    matched. A date the package lists is set to the package's kind and name (an upgrade of the
    pinned package may correct a year). Rows the package does not list are left alone, and so are
    an existing year's source and notes.
    """
    package_days = _package_days()
    wanted = {day.year for day in package_days}
    if years is not None:
        wanted &= set(years)
    written = 0
    year_rows: dict[int, CalendarYear] = {}
    for number in sorted(wanted):
        year_rows[number], created = CalendarYear.objects.get_or_create(
            year=number, defaults={"source": PACKAGE_SOURCE}
        )
        written += created
    package_days = {day: entry for day, entry in package_days.items() if day.year in wanted}
    # Locked in pk order, like every lock in this project, so two loaders cannot deadlock.
    locked = CalendarDay.objects.select_for_update().filter(date__in=package_days).order_by("pk")
    existing = {row.date: row for row in locked}
    new_rows, changed_rows = [], []
    for day, (kind, name) in sorted(package_days.items()):
        year_row = year_rows[day.year]
        row = existing.get(day)
        if row is None:
            new_rows.append(CalendarDay(year=year_row, date=day, kind=kind, name=name))
        elif (row.kind, row.name, row.year_id) != (kind, name, year_row.pk):
            row.kind, row.name, row.year = kind, name, year_row
            changed_rows.append(row)
    # ignore_conflicts: a concurrent loader (a second deploy running migrate) may have inserted
    # the same dates; the date is unique, so the rows are the same either way.
    CalendarDay.objects.bulk_create(new_rows, ignore_conflicts=True)
    CalendarDay.objects.bulk_update(changed_rows, ["kind", "name", "year"])
    return written + len(new_rows) + len(changed_rows)


# The last calendar built in this process, with the revision (or the rows) it was built from.
_cached: tuple[tuple, WorkingCalendar] | None = None


def _calendar_rows() -> tuple[tuple[int, date | None, str | None], ...]:
    # (year, date, kind) for every entered date, and (year, None, None) for a year entered
    # without any. The whole calendar is under a thousand small rows: reading them is one fast
    # query, and comparing them is the only change test that cannot miss an edit (the table has
    # no updated_at column, and a count or max(id) misses a day whose kind or date was changed).
    return tuple(
        CalendarYear.objects.order_by("year", "days__date").values_list(
            "year", "days__date", "days__kind"
        )
    )


def _calendar_revision() -> int | None:
    return CalendarRevision.objects.values_list("revision", flat=True).first()


PREDICTED_YEARS_AHEAD = 10


def predicted_holidays(*, known_years: frozenset[int]) -> frozenset[date]:
    """The days off by rule (statutory holidays and their 补假, `ruled_days_off`) for the years
    without the State Council's notice, from the first ruled year to ten years past the last one
    entered (deadlines reach no further)."""
    last = max(known_years, default=timezone.localdate().year)
    return frozenset(
        day
        for year in range(FIRST_RULED_YEAR, last + PREDICTED_YEARS_AHEAD + 1)
        if year not in known_years
        for day in ruled_days_off(year)
    )


# The calendar one unit of work (an action, a workflow start, one sweep batch) computes every
# deadline with: read once, not once per deadline.
_held: ContextVar[WorkingCalendar | None] = ContextVar("calendar_held", default=None)


@contextmanager
def calendar_held() -> Iterator[WorkingCalendar]:
    """Read the calendar once for the block: `working_calendar()` inside it returns this one."""
    calendar = working_calendar()
    token = _held.set(calendar)
    try:
        yield calendar
    finally:
        _held.reset(token)


def working_calendar() -> WorkingCalendar:
    """The working-day calendar as entered now (package years plus the administrator's).

    Reads the calendar's revision (one row, renumbered by the database on every write to the
    calendar: `CalendarRevision`) and rebuilds only when it differs from the one this process
    built its calendar at; without a revision (another database, or the row gone) it reads the
    rows and compares them. Any write, from the admin, a shell, the loader or another process, is
    therefore seen by the next computation. Inside `calendar_held()` the block's calendar is
    returned without a read: one action, one calendar.
    """
    global _cached
    held = _held.get()
    if held is not None:
        return held
    revision = _calendar_revision()
    cached = _cached
    if revision is not None and cached is not None and cached[0] == ("revision", revision):
        return cached[1]
    rows = _calendar_rows()
    if cached is not None and cached[0] == rows:
        return cached[1]
    holidays, workdays = set(), set()
    for _year, day, kind in rows:
        if kind == CalendarDay.Kind.HOLIDAY:
            holidays.add(day)
        elif kind == CalendarDay.Kind.WORKDAY:
            workdays.add(day)
    known = frozenset(year for year, _day, _kind in rows)
    calendar = WorkingCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        known_years=known,
        predicted_holidays=predicted_holidays(known_years=known),
    )
    _cached = (("revision", revision) if revision is not None else rows, calendar)
    return calendar


def years_without_data(*, start: date, end: date) -> frozenset[int]:
    """Years between the two dates (either order) that have no calendar entered yet."""
    low, high = sorted((start.year, end.year))
    known = set(CalendarYear.objects.filter(year__range=(low, high)).values_list("year", flat=True))
    return frozenset(year for year in range(low, high + 1) if year not in known)
