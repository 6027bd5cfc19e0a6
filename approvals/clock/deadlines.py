"""限时办结: the working-day clock of a case or of one approval step.

Pure arithmetic: no database access. The calendar data comes in as a `WorkingCalendar`
(built from the `CalendarYear` / `CalendarDay` rows by `approvals.calendar.working_calendar()`).

The rules (PRC Administrative Licensing Law 行政许可法 unless marked):

- Art. 82: limits are counted in **working days**; statutory holidays do not count. Make-up
  working days (调休, a weekend declared a working day) **do** count. The holiday list is
  published yearly by the State Council and cannot be derived from a rule, so it is data. A year
  without data falls back to plain Monday–Friday, and every result says which such years it
  crossed (`Deadline.assumed_years`) so that the UI can show a warning.
- Counting convention (Civil Code 民法典 Art. 201 and 203): the day the clock starts (acceptance,
  or the day a step receives the file) is never counted; counting begins on the next working day.
  A limit of N working days ends at the end (24:00) of the Nth working day.
- Art. 42: a decision within 20 working days, extendable **once** by at most **10** working days
  with the head's approval and written reasons; unified, joint or centralised handling: 45,
  extendable once by at most **15** (`Extension`, `extension_validate`).
- Art. 45: hearing, tendering, auction, inspection, testing, quarantine, appraisal and expert
  review do not count toward the limit; the applicant is told the expected time in writing. The
  hall applies the same stop while it waits for a correction (补正, Art. 32). (`Suspension`)
- Electronic supervision (电子监察, local practice): a yellow card when at most `yellow_days`
  working days are left, a red card once the limit has passed (`warning_light`).

Suspension semantics, precisely: a suspension covers the dates `start`..`end` **inclusive**.
Working days in that range that fall after the clock's start day do not count, so the due date
moves later by exactly the number of suspended working days. An open suspension (`end is None`)
is projected to suspend exactly `expected_days` working days. Suspensions may follow each other
(the next may start the day after the previous ends) but may not overlap, and an open one must be
the last. A suspension that starts after the due date it would otherwise have moved has no effect:
an expired clock is not revived.

`Deadline.due_at` is an **exclusive** bound: 00:00 Asia/Shanghai on the day after the due date
(Civil Code Art. 203: the last day ends at 24:00). The limit is kept by anything strictly before
`due_at`; `now >= due_at` is overdue.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db.models.enums import TextChoices
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Art. 42: once, by at most 10 working days; 15 for unified / joint / centralised handling.
EXTENSION_CAP = 10
JOINT_EXTENSION_CAP = 15

_ONE_DAY = timedelta(days=1)

# Labels for the "not a date" message, translated only when an error is raised.
_START = _("起算日期")
_SUSPENSION_START = _("中止开始日期")
_SUSPENSION_END = _("中止结束日期")
_TODAY = _("当前日期")
_DUE_DATE = _("到期日期")


class DeadlineError(ValueError):
    """An input the working-day clock refuses. `code` is stable; the message is for people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _require_date(value: object, what: object) -> None:
    # datetime is a subclass of date: a UTC timestamp passed as a date would silently count from
    # the wrong calendar day around midnight Shanghai time, so refuse it outright.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DeadlineError(
            gettext("%(what)s必须是日期（上海时区的日历日），不能是时间或其他类型。")
            % {"what": what},
            code="not_a_date",
        )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DeadlineError(
            gettext("时间必须带时区（例如 Asia/Shanghai），不接受不带时区的时间。"),
            code="naive_datetime",
        )


def shanghai_date(moment: datetime) -> date:
    """The calendar date of an aware moment in Asia/Shanghai, where working days are counted."""
    _require_aware(moment)
    return moment.astimezone(SHANGHAI).date()


def _weekday_rank(ordinal: int) -> int:
    """Monday–Friday days in ordinals 1..ordinal. Ordinal 1 (0001-01-01) is a Monday."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates are working days (Art. 82).

    `holidays` are days off, `workdays` make-up working days, both only for the years in
    `known_years`: a year is either officially entered as a whole or assumed, never half-applied.
    A year that is not known is Monday–Friday minus its `predicted_holidays`, the statutory days
    the rule fixes (`approvals.clock.holidays`); only its make-up working days are unknown, and
    `unknown_years` still reports it, so every deadline crossing it is provisional.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    known_years: frozenset[int] = frozenset()
    predicted_holidays: frozenset[date] = frozenset()
    # Sorted ordinals of the dates that change the Monday–Friday answer (a holiday on a weekday, a
    # make-up day on a weekend). Counting working days between two dates is then a closed formula
    # plus two binary searches, whatever the distance: sweeps call this for every open case.
    _off_weekdays: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _worked_weekends: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        holidays = frozenset(self.holidays)
        workdays = frozenset(self.workdays)
        known_years = frozenset(self.known_years)
        both = holidays & workdays
        if both:
            raise DeadlineError(
                gettext("日期 %(dates)s 不能同时是节假日和调休上班日。")
                % {"dates": "、".join(f"{d:%Y-%m-%d}" for d in sorted(both))},
                code="calendar_conflict",
            )
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "known_years", known_years)
        predicted = frozenset(d for d in self.predicted_holidays if d.year not in known_years)
        object.__setattr__(self, "predicted_holidays", predicted)
        off = sorted(
            d.toordinal()
            for d in (*(h for h in holidays if h.year in known_years), *predicted)
            if d.weekday() < 5
        )
        worked = sorted(
            d.toordinal() for d in workdays if d.year in known_years and d.weekday() >= 5
        )
        object.__setattr__(self, "_off_weekdays", tuple(off))
        object.__setattr__(self, "_worked_weekends", tuple(worked))

    def _rank(self, ordinal: int) -> int:
        """Working days in ordinals 1..ordinal (a cumulative count; differences are what matter)."""
        return (
            _weekday_rank(ordinal)
            - bisect_right(self._off_weekdays, ordinal)
            + bisect_right(self._worked_weekends, ordinal)
        )

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday unless a holiday; a make-up day (调休) is a working day (Art. 82)."""
        if day.year in self.known_years:
            if day in self.workdays:
                return True
            if day in self.holidays:
                return False
        elif day in self.predicted_holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The end of a limit of `n` working days that starts on `start`.

        The start day never counts (Civil Code Art. 201), so the result is the nth working day
        after `start`; `n == 0` gives `start` itself (an on-the-spot case is due the same day).
        """
        if n < 0:
            raise DeadlineError(
                gettext("工作日数不能为负数（%(n)s）。") % {"n": n}, code="negative_days"
            )
        if n == 0:
            return start
        origin = start.toordinal()
        target = self._rank(origin) + n
        # Find the smallest ordinal whose rank reaches the target, by bisection on the rank.
        # Monday–Friday needs at most 7 days per 5; widen only if holidays eat the margin.
        low, high = origin, origin + n + n // 2 + 14
        while self._rank(high) < target:
            low, high = high, high + (high - origin)
        while high - low > 1:
            middle = (low + high) // 2
            if self._rank(middle) < target:
                low = middle
            else:
                high = middle
        return date.fromordinal(high)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (−working days in (end, start]) if end < start.

        The inverse of `add_working_days`: `add_working_days(s, n) == e` implies
        `working_days_between(s, e) == n`.
        """
        return self._rank(end.toordinal()) - self._rank(start.toordinal())

    def unknown_years(self, start: date, end: date) -> frozenset[int]:
        """Years touched by the range (either order) that have no calendar data."""
        low, high = sorted((start.year, end.year))
        return frozenset(year for year in range(low, high + 1) if year not in self.known_years)


@dataclass(frozen=True)
class Suspension:
    """The clock stops (Art. 45 special procedures, or waiting for a correction, Art. 32).

    Covers `start`..`end` inclusive; the working days in it do not count. While it is open
    (`end is None`) it is projected to last `expected_days` working days, the figure the applicant
    was told in writing (Art. 45).
    """

    reason: str
    start: date
    end: date | None
    expected_days: int = 0

    def __post_init__(self) -> None:
        if not (self.reason or "").strip():
            raise DeadlineError(
                gettext("中止计时必须写明原因（行政许可法第四十五条）。"), code="missing_reason"
            )
        _require_date(self.start, _SUSPENSION_START)
        if self.end is not None:
            _require_date(self.end, _SUSPENSION_END)
            if self.end < self.start:
                raise DeadlineError(
                    gettext("中止计时的结束日期（%(end)s）早于开始日期（%(start)s）。")
                    % {"end": f"{self.end:%Y-%m-%d}", "start": f"{self.start:%Y-%m-%d}"},
                    code="suspension_reversed",
                )
        if self.expected_days < 0 or (self.end is None and self.expected_days < 1):
            raise DeadlineError(
                gettext(
                    "预计所需工作日不能为负数；未结束的中止计时必须告知预计所需工作日"
                    "（至少 1 个工作日）。"
                ),
                code="expected_days_required",
            )


@dataclass(frozen=True)
class Extension:
    """The one extension of Art. 42, approved by the head, with reasons told to the applicant."""

    days: int
    reason: str
    approver: str

    def __post_init__(self) -> None:
        if self.days < 1:
            raise DeadlineError(
                gettext("延长期限至少 1 个工作日（当前为 %(days)s）。") % {"days": self.days},
                code="extension_not_positive",
            )
        if not (self.reason or "").strip():
            raise DeadlineError(
                gettext("延长期限必须写明理由并告知申请人（行政许可法第四十二条）。"),
                code="missing_reason",
            )
        if not (self.approver or "").strip():
            raise DeadlineError(
                gettext("延长期限必须经负责人批准，请填写批准人（行政许可法第四十二条）。"),
                code="missing_approver",
            )


def extension_cap(*, joint: bool) -> int:
    """The most an extension may add (Art. 42): 10 working days, 15 for joint handling."""
    return JOINT_EXTENSION_CAP if joint else EXTENSION_CAP


def extension_validate(
    *, extension: Extension, joint: bool, previous: Extension | None = None
) -> Extension:
    """Check a requested extension against Art. 42: once only, and within the cap.

    `previous` is the extension already granted to the same step or case, if any.
    """
    if previous is not None:
        raise DeadlineError(
            gettext("期限只能延长一次，已经延长过 %(days)s 个工作日（行政许可法第四十二条）。")
            % {"days": previous.days},
            code="second_extension",
        )
    cap = extension_cap(joint=joint)
    if extension.days > cap:
        raise DeadlineError(
            gettext(
                "延长期限最多 %(cap)s 个工作日，申请延长 %(days)s 个工作日"
                "（行政许可法第四十二条）。"
            )
            % {"cap": cap, "days": extension.days},
            code="extension_over_cap",
        )
    return extension


@dataclass(frozen=True)
class Deadline:
    """A computed limit.

    `due_at` is exclusive: 00:00 Asia/Shanghai on the day after `due_date`. `assumed_years` are
    years without calendar data that the computation crossed (Monday–Friday was assumed there);
    callers must show a visible warning when it is not empty.
    """

    start: date
    working_days: int
    due_date: date
    due_at: datetime
    suspended_days: int
    extension_days: int
    assumed_years: frozenset[int]


def _suspension_chain(suspensions: Iterable[Suspension]) -> list[Suspension]:
    chain = sorted(suspensions, key=lambda suspension: suspension.start)
    for earlier, later in pairwise(chain):
        if earlier.end is None or later.start <= earlier.end:
            raise DeadlineError(
                gettext(
                    "中止计时期间不能重叠：“%(first)s”（%(first_start)s 起）"
                    "与“%(second)s”（%(second_start)s 起）重叠；未结束的中止必须是最后一段。"
                )
                % {
                    "first": earlier.reason,
                    "first_start": f"{earlier.start:%Y-%m-%d}",
                    "second": later.reason,
                    "second_start": f"{later.start:%Y-%m-%d}",
                },
                code="suspensions_overlap",
            )
    return chain


def _suspended_working_days(calendar: WorkingCalendar, start: date, suspension: Suspension) -> int:
    if suspension.end is None:
        return suspension.expected_days
    # Only days after the clock's start day ever counted, so only those can be taken away.
    counted_from = max(suspension.start - _ONE_DAY, start)
    return max(0, calendar.working_days_between(counted_from, suspension.end))


def suspensions_union(
    *, calendar: WorkingCalendar, suspensions: Iterable[Suspension]
) -> list[Suspension]:
    """The periods in which at least one of several clocks was stopped, as closed suspensions.

    A case's limit stops while any of its departments' steps is stopped (Art. 45), and two
    departments' procedures may overlap; counting each would stop the case twice. An open
    suspension is taken to last its `expected_days` working days (what the applicant was told),
    so the union is a projection until it ends. Overlapping or touching periods merge; the
    result is in date order and never overlaps, so `compute_deadline` accepts it.
    """
    spans: list[tuple[date, date, str]] = []
    for suspension in suspensions:
        end = suspension.end
        if end is None:
            end = (
                calendar.add_working_days(suspension.start - _ONE_DAY, suspension.expected_days)
                if suspension.expected_days > 0
                else suspension.start
            )
        spans.append((suspension.start, max(end, suspension.start), suspension.reason))
    spans.sort()
    merged: list[list] = []
    for start, end, reason in spans:
        if merged and start <= merged[-1][1] + _ONE_DAY:
            merged[-1][1] = max(merged[-1][1], end)
            if reason not in merged[-1][2]:
                merged[-1][2].append(reason)
        else:
            merged.append([start, end, [reason]])
    return [
        Suspension(reason="、".join(reasons), start=start, end=end)
        for start, end, reasons in merged
    ]


def compute_deadline(
    *,
    calendar: WorkingCalendar,
    start: date,
    working_days: int,
    suspensions: Iterable[Suspension] = (),
    extension: Extension | None = None,
    joint: bool = False,
) -> Deadline:
    """The due date of a limit of `working_days` starting on `start` (Art. 42, 45, 82).

    `start` is the Shanghai calendar date the clock starts (the day itself is not counted).
    `joint` selects the joint-handling extension cap (Art. 42: 15 instead of 10).
    """
    _require_date(start, _START)
    if working_days < 1:
        raise DeadlineError(
            gettext("办理时限必须至少 1 个工作日（当前为 %(days)s）。") % {"days": working_days},
            code="limit_not_positive",
        )
    extension_days = 0
    if extension is not None:
        extension_days = extension_validate(extension=extension, joint=joint).days
    counted = working_days + extension_days
    suspended = 0
    due = calendar.add_working_days(start, counted)
    # In date order: each suspension that begins on or before the current due date stops the
    # clock for its working days; that moves the due date past its end, possibly far enough for
    # the next one to matter. One that begins later finds the clock already expired.
    for suspension in _suspension_chain(suspensions):
        if suspension.start > due:
            break
        suspended += _suspended_working_days(calendar, start, suspension)
        due = calendar.add_working_days(start, counted + suspended)
    return Deadline(
        start=start,
        working_days=working_days,
        due_date=due,
        due_at=datetime.combine(due + _ONE_DAY, time.min, tzinfo=SHANGHAI),
        suspended_days=suspended,
        extension_days=extension_days,
        assumed_years=calendar.unknown_years(start, due),
    )


def remaining_working_days(*, calendar: WorkingCalendar, today: date, due_date: date) -> int:
    """Working days left: 0 on the due date itself, negative once it has passed.

    Overdue counts the working days since the due date, but is at least −1 from the first day
    after it, so that a weekend right after a Friday due date reads as overdue, not as "due today".
    """
    _require_date(today, _TODAY)
    _require_date(due_date, _DUE_DATE)
    if today <= due_date:
        return calendar.working_days_between(today, due_date)
    return -max(1, calendar.working_days_between(due_date, today))


class Light(TextChoices):
    """Electronic supervision cards (电子监察红黄牌)."""

    GREEN = "green", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌超时")


def warning_light(
    *, calendar: WorkingCalendar, now: datetime, deadline: Deadline, yellow_days: int = 2
) -> Light:
    """Red once `now >= deadline.due_at`; yellow with at most `yellow_days` working days left."""
    _require_aware(now)
    if yellow_days < 0:
        raise DeadlineError(
            gettext("黄牌预警天数不能为负数（%(days)s）。") % {"days": yellow_days},
            code="negative_days",
        )
    if now >= deadline.due_at:
        return Light.RED
    left = remaining_working_days(
        calendar=calendar, today=shanghai_date(now), due_date=deadline.due_date
    )
    return Light.YELLOW if left <= yellow_days else Light.GREEN


def yellow_from(*, calendar: WorkingCalendar, due_date: date, yellow_days: int = 2) -> date:
    """The first date on which `warning_light` turns yellow for `due_date`.

    Stored with each step so that the warning sweep finds due rows with an index instead of
    evaluating the calendar per row: it is the earliest day with at most `yellow_days` working
    days left.
    """
    _require_date(due_date, _DUE_DATE)
    if yellow_days < 0:
        raise DeadlineError(
            gettext("黄牌预警天数不能为负数（%(days)s）。") % {"days": yellow_days},
            code="negative_days",
        )
    day, left = due_date, 0
    while True:
        previous = day - _ONE_DAY
        left_on_previous = left + (1 if calendar.is_working_day(day) else 0)
        if left_on_previous > yellow_days:
            return day
        day, left = previous, left_on_previous


# --- 接诉即办: the time limits of a work order (工单) ------------------------------------------
#
# A 12345 order or a complaint is answered within a limit kept per category in the catalogue
# (`approvals.models.WorkOrderCategory`): an urgent matter in hours on the wall clock (it runs
# round the clock), everything else in working days counted like a case's, from the day after
# receipt (Civil Code Art. 201), ending at 24:00 of the last day; a limit of 0 working days is
# the same working day (the next one when the order came on a day off).


@dataclass(frozen=True)
class OrderLimit:
    """A work order's limit: exactly one of `hours` (> 0) and `working_days` (≥ 0)."""

    working_days: int | None = None
    hours: int | None = None

    def __post_init__(self) -> None:
        if (self.working_days is None) == (self.hours is None):
            raise DeadlineError(
                gettext("工单时限须为若干工作日或若干小时，二者取一。"), code="order_limit"
            )
        if self.hours is not None and self.hours <= 0:
            raise DeadlineError(gettext("工单时限的小时数须大于零。"), code="order_limit")
        if self.working_days is not None and self.working_days < 0:
            raise DeadlineError(
                gettext("工作日数不能为负数（%(n)s）。") % {"n": self.working_days},
                code="negative_days",
            )


def _end_of(day: date) -> datetime:
    """The exclusive end of `day` in Shanghai: 00:00 of the next day (Civil Code Art. 203)."""
    return datetime.combine(day + _ONE_DAY, time(0), tzinfo=SHANGHAI)


def order_due_at(
    *, calendar: WorkingCalendar, received_at: datetime, limit: OrderLimit
) -> datetime:
    """When an order received at `received_at` must be answered (an exclusive bound)."""
    _require_aware(received_at)
    if limit.hours is not None:
        return received_at + timedelta(hours=limit.hours)
    start = shanghai_date(received_at)
    if limit.working_days == 0:
        due = start if calendar.is_working_day(start) else calendar.add_working_days(start, 1)
    else:
        due = calendar.add_working_days(start, limit.working_days)
    return _end_of(due)


def order_yellow_at(*, received_at: datetime, due_at: datetime, limit: OrderLimit) -> datetime:
    """When an order's yellow card shows: the last quarter of an hours limit; the last
    working day of a limit of two or more working days; the last four hours of a shorter one."""
    _require_aware(received_at)
    _require_aware(due_at)
    if limit.hours is not None:
        return due_at - (due_at - received_at) / 4
    if limit.working_days >= 2:
        return max(received_at, due_at - _ONE_DAY)
    return max(received_at, due_at - timedelta(hours=4))


def order_extended_due_at(
    *, calendar: WorkingCalendar, due_at: datetime, working_days: int
) -> datetime:
    """An order's limit after its one extension of `working_days` (counted from its due date)."""
    _require_aware(due_at)
    if working_days <= 0:
        raise DeadlineError(gettext("延期的工作日数须大于零。"), code="negative_days")
    last_day = shanghai_date(due_at - timedelta(microseconds=1))
    return _end_of(calendar.add_working_days(last_day, working_days))


def order_return_until(*, calendar: WorkingCalendar, dispatched_at: datetime) -> datetime:
    """A department may return an order it was sent within 1 working day of the dispatch."""
    return _end_of(calendar.add_working_days(shanghai_date(dispatched_at), 1))


def order_listed_from(*, calendar: WorkingCalendar, due_at: datetime) -> datetime:
    """An order still unanswered 5 working days after its limit is listed on the public
    supervision page from this moment."""
    last_day = shanghai_date(due_at - timedelta(microseconds=1))
    return _end_of(calendar.add_working_days(last_day, 5))


def order_callback_on(*, calendar: WorkingCalendar, closed_at: datetime) -> date:
    """The call-back (回访) to the citizen is made the working day after the closing."""
    return calendar.add_working_days(shanghai_date(closed_at), 1)
