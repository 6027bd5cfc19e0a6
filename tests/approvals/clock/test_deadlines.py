"""The working-day clock, against the real State Council calendar carried by `chinesecalendar`.

Pure: the calendar is built from the package, not from the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.clock.deadlines import (
    SHANGHAI,
    DeadlineError,
    Extension,
    Light,
    Suspension,
    WorkingCalendar,
    compute_deadline,
    extension_validate,
    remaining_working_days,
    suspensions_union,
    warning_light,
    yellow_from,
)

CALENDAR = WorkingCalendar(
    holidays=frozenset(chinese_calendar.holidays),
    workdays=frozenset(chinese_calendar.workdays),
    known_years=frozenset(day.year for day in chinese_calendar.holidays),
)
D = date


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_package_carries_2004_to_2026():
    assert frozenset(range(2004, 2027)) == CALENDAR.known_years


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2025 Spring Festival: Jan 28 – Feb 4 off; Sunday Jan 26 and Saturday Feb 8 worked.
        (D(2025, 1, 26), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),
        (D(2025, 2, 9), False),
        # 2025 National Day: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 worked.
        (D(2025, 9, 28), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        # 2026 as the package lists it: Spring Festival Feb 15–23 off, Saturdays Feb 14 and
        # Feb 28 worked; Mid-autumn Friday Sep 25; National Day Oct 1–7 off, Sunday Sep 20 and
        # Saturday Oct 10 worked; New Year Jan 1–3 off, Sunday Jan 4 worked.
        (D(2026, 1, 2), False),
        (D(2026, 1, 4), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        (D(2026, 9, 20), True),
        (D(2026, 9, 25), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        # 2027 is not in the package: plain Monday–Friday (Jan 1, 2027 is a Friday).
        (D(2027, 1, 1), True),
        (D(2027, 1, 2), False),
    ],
    ids=lambda value: str(value),
)
def test_is_working_day(day, working):
    assert CALENDAR.is_working_day(day) is working


# (start, working days, due date, years assumed Monday–Friday)
ADD_CASES = [
    pytest.param(D(2025, 1, 24), 1, D(2025, 1, 26), set(), id="2025-sf-friday-to-makeup-sunday"),
    pytest.param(D(2025, 1, 24), 3, D(2025, 2, 5), set(), id="2025-sf-across-the-holiday"),
    pytest.param(D(2025, 1, 27), 1, D(2025, 2, 5), set(), id="2025-sf-eve-skips-eight-days"),
    pytest.param(D(2025, 1, 30), 1, D(2025, 2, 5), set(), id="2025-sf-start-on-a-holiday"),
    pytest.param(D(2025, 2, 5), 3, D(2025, 2, 8), set(), id="2025-sf-ends-on-makeup-saturday"),
    pytest.param(D(2025, 2, 7), 2, D(2025, 2, 10), set(), id="2025-sf-through-makeup-saturday"),
    pytest.param(D(2025, 1, 20), 20, D(2025, 2, 21), set(), id="2025-sf-art42-twenty-days"),
    pytest.param(D(2025, 9, 26), 1, D(2025, 9, 28), set(), id="2025-nd-friday-to-makeup-sunday"),
    pytest.param(D(2025, 9, 30), 1, D(2025, 10, 9), set(), id="2025-nd-eve-skips-eight-days"),
    pytest.param(D(2025, 9, 30), 3, D(2025, 10, 11), set(), id="2025-nd-ends-on-makeup-saturday"),
    pytest.param(D(2025, 9, 30), 4, D(2025, 10, 13), set(), id="2025-nd-through-makeup-saturday"),
    pytest.param(D(2025, 9, 26), 20, D(2025, 10, 30), set(), id="2025-nd-art42-twenty-days"),
    pytest.param(D(2026, 2, 13), 1, D(2026, 2, 14), set(), id="2026-sf-friday-to-makeup-saturday"),
    pytest.param(D(2026, 2, 13), 2, D(2026, 2, 24), set(), id="2026-sf-across-the-holiday"),
    pytest.param(D(2026, 2, 24), 4, D(2026, 2, 28), set(), id="2026-sf-ends-on-makeup-saturday"),
    pytest.param(D(2026, 2, 24), 5, D(2026, 3, 2), set(), id="2026-sf-after-makeup-saturday"),
    pytest.param(D(2026, 9, 18), 1, D(2026, 9, 20), set(), id="2026-nd-friday-to-makeup-sunday"),
    pytest.param(D(2026, 9, 24), 1, D(2026, 9, 28), set(), id="2026-mid-autumn-friday-off"),
    pytest.param(D(2026, 9, 30), 1, D(2026, 10, 8), set(), id="2026-nd-eve-skips-the-holiday"),
    pytest.param(D(2026, 9, 30), 3, D(2026, 10, 10), set(), id="2026-nd-ends-on-makeup-saturday"),
    pytest.param(D(2024, 12, 31), 1, D(2025, 1, 2), set(), id="year-end-2024-new-year-off"),
    pytest.param(D(2025, 12, 31), 1, D(2026, 1, 4), set(), id="year-end-2025-to-makeup-sunday"),
    pytest.param(D(2025, 12, 30), 2, D(2026, 1, 4), set(), id="year-end-2025-two-days"),
    pytest.param(D(2026, 12, 31), 1, D(2027, 1, 1), {2027}, id="year-end-2026-into-unknown-2027"),
    pytest.param(D(2026, 12, 25), 5, D(2027, 1, 1), {2027}, id="year-end-2026-five-days"),
    pytest.param(D(2027, 3, 5), 5, D(2027, 3, 12), {2027}, id="unknown-2027-monday-friday"),
    pytest.param(D(2003, 12, 31), 1, D(2004, 1, 2), {2003}, id="before-the-package-2003"),
]


@pytest.mark.parametrize(("start", "days", "due", "assumed"), ADD_CASES)
def test_add_working_days_table(start, days, due, assumed):
    assert CALENDAR.add_working_days(start, days) == due
    assert CALENDAR.working_days_between(start, due) == days
    assert CALENDAR.working_days_between(due, start) == -days
    deadline = compute_deadline(calendar=CALENDAR, start=start, working_days=days)
    assert deadline.due_date == due
    assert deadline.assumed_years == frozenset(assumed)
    assert deadline.due_at == shanghai(*(due + timedelta(days=1)).timetuple()[:3])


def test_zero_days_is_the_start_day_itself():
    assert CALENDAR.add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)


def test_due_at_is_the_next_midnight_in_shanghai():
    deadline = compute_deadline(calendar=CALENDAR, start=D(2025, 9, 30), working_days=1)
    assert deadline.due_date == D(2025, 10, 9)
    assert deadline.due_at == shanghai(2025, 10, 10, 0, 0)
    assert deadline.due_at == datetime(2025, 10, 9, 16, 0, tzinfo=UTC)


SEP_1 = D(2025, 9, 1)  # Monday; twenty working days end on the make-up Sunday Sep 28


def suspension(start, end, expected_days=0, reason="检验检测"):
    return Suspension(reason=reason, start=start, end=end, expected_days=expected_days)


# (working days, suspensions, due date, working days suspended)
SUSPENSION_CASES = [
    pytest.param(20, [], D(2025, 9, 28), 0, id="no-suspension"),
    pytest.param(
        20,
        [suspension(D(2025, 9, 8), D(2025, 9, 12))],
        D(2025, 10, 11),
        5,
        id="one-week-of-testing-pushes-past-national-day",
    ),
    pytest.param(
        20,
        [
            suspension(D(2025, 9, 8), D(2025, 9, 12), reason="检验"),
            suspension(D(2025, 9, 13), D(2025, 9, 19), reason="专家评审"),
        ],
        D(2025, 10, 17),
        10,
        id="chained-testing-then-expert-review",
    ),
    pytest.param(
        20,
        [
            suspension(D(2025, 9, 13), D(2025, 9, 19), reason="专家评审"),
            suspension(D(2025, 9, 8), D(2025, 9, 12), reason="检验"),
        ],
        D(2025, 10, 17),
        10,
        id="chained-given-out-of-order",
    ),
    pytest.param(
        21,
        [suspension(D(2025, 9, 29), D(2025, 10, 10))],
        D(2025, 10, 11),
        4,
        id="suspension-over-national-day-counts-working-days-only",
    ),
    pytest.param(
        5, [suspension(D(2025, 9, 8), D(2025, 9, 9))], D(2025, 9, 10), 2, id="starts-on-due-date"
    ),
    pytest.param(
        5,
        [suspension(D(2025, 9, 9), D(2025, 9, 12))],
        D(2025, 9, 8),
        0,
        id="starts-after-due-date-no-effect",
    ),
    pytest.param(
        5,
        [suspension(D(2025, 9, 1), D(2025, 9, 2))],
        D(2025, 9, 9),
        1,
        id="start-day-itself-never-counted",
    ),
    pytest.param(
        5,
        [suspension(D(2025, 8, 25), D(2025, 8, 29))],
        D(2025, 9, 8),
        0,
        id="entirely-before-the-start",
    ),
    pytest.param(
        5,
        [suspension(D(2025, 9, 3), None, expected_days=5, reason="专家评审")],
        D(2025, 9, 15),
        5,
        id="open-suspension-projects-expected-days",
    ),
    pytest.param(
        5,
        [
            suspension(D(2025, 9, 2), D(2025, 9, 2), reason="补正"),
            suspension(D(2025, 9, 3), None, expected_days=3, reason="检测"),
        ],
        D(2025, 9, 12),
        4,
        id="closed-then-open-chain",
    ),
]


@pytest.mark.parametrize(("days", "suspensions", "due", "suspended"), SUSPENSION_CASES)
def test_suspensions_table(days, suspensions, due, suspended):
    deadline = compute_deadline(
        calendar=CALENDAR, start=SEP_1, working_days=days, suspensions=suspensions
    )
    assert deadline.due_date == due
    assert deadline.suspended_days == suspended
    assert CALENDAR.working_days_between(SEP_1, due) == days + suspended


# (working days, extension days, joint, due date)
EXTENSION_CASES = [
    pytest.param(20, 10, False, D(2025, 10, 17), id="art42-twenty-plus-ten"),
    pytest.param(20, 1, False, D(2025, 9, 29), id="extension-of-one-day"),
    pytest.param(45, 15, True, D(2025, 11, 28), id="art42-joint-forty-five-plus-fifteen"),
]


@pytest.mark.parametrize(("days", "extra", "joint", "due"), EXTENSION_CASES)
def test_extensions_table(days, extra, joint, due):
    extension = Extension(days=extra, reason="需要现场核查", approver="局长 王某")
    deadline = compute_deadline(
        calendar=CALENDAR, start=SEP_1, working_days=days, extension=extension, joint=joint
    )
    assert deadline.due_date == due
    assert deadline.extension_days == extra
    assert deadline.working_days == days
    assert CALENDAR.working_days_between(SEP_1, due) == days + extra


def test_extension_and_suspension_add_up():
    deadline = compute_deadline(
        calendar=CALENDAR,
        start=SEP_1,
        working_days=20,
        suspensions=[suspension(D(2025, 9, 8), D(2025, 9, 12))],
        extension=Extension(days=10, reason="情况复杂", approver="局长"),
    )
    assert (deadline.suspended_days, deadline.extension_days) == (5, 10)
    assert CALENDAR.working_days_between(SEP_1, deadline.due_date) == 35
    assert deadline.due_date == D(2025, 10, 24)


# (today, due date, remaining working days)
REMAINING_CASES = [
    pytest.param(D(2025, 9, 30), D(2025, 9, 30), 0, id="due-today"),
    pytest.param(D(2025, 9, 29), D(2025, 9, 30), 1, id="one-left"),
    pytest.param(D(2025, 9, 27), D(2025, 9, 30), 3, id="saturday-counts-makeup-sunday"),
    pytest.param(D(2025, 10, 1), D(2025, 9, 30), -1, id="holiday-after-due-is-overdue"),
    pytest.param(D(2025, 10, 9), D(2025, 9, 30), -1, id="first-working-day-after"),
    pytest.param(D(2025, 10, 10), D(2025, 9, 30), -2, id="second-working-day-after"),
    pytest.param(D(2025, 12, 6), D(2025, 12, 5), -1, id="saturday-after-friday-due"),
    pytest.param(D(2025, 12, 8), D(2025, 12, 5), -1, id="monday-after-friday-due"),
]


@pytest.mark.parametrize(("today", "due", "remaining"), REMAINING_CASES)
def test_remaining_working_days_table(today, due, remaining):
    assert remaining_working_days(calendar=CALENDAR, today=today, due_date=due) == remaining


# Five working days from Monday Sep 22, 2025 end on the make-up Sunday Sep 28.
SEP_28_DEADLINE = compute_deadline(calendar=CALENDAR, start=D(2025, 9, 22), working_days=5)

# (now, yellow days, light)
LIGHT_CASES = [
    pytest.param(shanghai(2025, 9, 22, 10), 2, Light.GREEN, id="five-left-green"),
    pytest.param(shanghai(2025, 9, 24, 23, 59), 2, Light.GREEN, id="three-left-green"),
    pytest.param(shanghai(2025, 9, 25, 9), 2, Light.YELLOW, id="two-left-yellow"),
    pytest.param(shanghai(2025, 9, 25, 9), 0, Light.GREEN, id="two-left-no-yellow-window"),
    pytest.param(shanghai(2025, 9, 28, 23, 59, 59), 2, Light.YELLOW, id="last-second-yellow"),
    pytest.param(shanghai(2025, 9, 29, 0, 0), 2, Light.RED, id="midnight-red"),
    pytest.param(
        datetime(2025, 9, 24, 20, 0, tzinfo=UTC), 2, Light.YELLOW, id="utc-evening-is-next-day"
    ),
    pytest.param(
        datetime(2025, 9, 28, 15, 59, 59, tzinfo=UTC), 2, Light.YELLOW, id="utc-before-midnight"
    ),
    pytest.param(datetime(2025, 9, 28, 16, 0, tzinfo=UTC), 2, Light.RED, id="utc-midnight-red"),
]


@pytest.mark.parametrize(("now", "yellow_days", "light"), LIGHT_CASES)
def test_warning_light_table(now, yellow_days, light):
    assert SEP_28_DEADLINE.due_date == D(2025, 9, 28)
    result = warning_light(
        calendar=CALENDAR, now=now, deadline=SEP_28_DEADLINE, yellow_days=yellow_days
    )
    assert result == light


NAIVE_NOW = datetime(2025, 9, 25, 9)  # noqa: DTZ001  (the error under test)


def compute(**overrides):
    arguments = {"calendar": CALENDAR, "start": SEP_1, "working_days": 20} | overrides
    return compute_deadline(**arguments)


ERROR_CASES = [
    pytest.param(lambda: compute(working_days=0), "limit_not_positive", id="zero-limit"),
    pytest.param(lambda: compute(working_days=-3), "limit_not_positive", id="negative-limit"),
    pytest.param(lambda: CALENDAR.add_working_days(SEP_1, -1), "negative_days", id="add-negative"),
    pytest.param(
        lambda: suspension(D(2025, 9, 10), D(2025, 9, 9)),
        "suspension_reversed",
        id="suspension-ends-before-it-starts",
    ),
    pytest.param(
        lambda: suspension(D(2025, 9, 10), D(2025, 9, 12), reason="  "),
        "missing_reason",
        id="suspension-without-reason",
    ),
    pytest.param(
        lambda: suspension(D(2025, 9, 10), None),
        "expected_days_required",
        id="open-suspension-without-expected-days",
    ),
    pytest.param(
        lambda: compute(
            suspensions=[
                suspension(D(2025, 9, 8), D(2025, 9, 12)),
                suspension(D(2025, 9, 11), D(2025, 9, 15)),
            ]
        ),
        "suspensions_overlap",
        id="overlapping-suspensions",
    ),
    pytest.param(
        lambda: compute(
            suspensions=[
                suspension(D(2025, 9, 8), D(2025, 9, 12)),
                suspension(D(2025, 9, 12), D(2025, 9, 15)),
            ]
        ),
        "suspensions_overlap",
        id="suspensions-sharing-a-day",
    ),
    pytest.param(
        lambda: compute(
            suspensions=[
                suspension(D(2025, 9, 8), None, expected_days=3),
                suspension(D(2025, 9, 20), D(2025, 9, 22)),
            ]
        ),
        "suspensions_overlap",
        id="open-suspension-not-last",
    ),
    pytest.param(
        lambda: compute(extension=Extension(days=11, reason="复杂", approver="局长")),
        "extension_over_cap",
        id="extension-over-ten",
    ),
    pytest.param(
        lambda: compute(
            working_days=45,
            joint=True,
            extension=Extension(days=16, reason="复杂", approver="局长"),
        ),
        "extension_over_cap",
        id="joint-extension-over-fifteen",
    ),
    pytest.param(
        lambda: Extension(days=0, reason="复杂", approver="局长"),
        "extension_not_positive",
        id="extension-of-zero-days",
    ),
    pytest.param(
        lambda: extension_validate(
            extension=Extension(days=2, reason="再延", approver="局长"),
            joint=False,
            previous=Extension(days=5, reason="复杂", approver="局长"),
        ),
        "second_extension",
        id="second-extension",
    ),
    pytest.param(
        lambda: Extension(days=5, reason="", approver="局长"),
        "missing_reason",
        id="extension-without-reason",
    ),
    pytest.param(
        lambda: Extension(days=5, reason="复杂", approver=" "),
        "missing_approver",
        id="extension-without-approver",
    ),
    pytest.param(
        lambda: warning_light(
            calendar=CALENDAR,
            now=NAIVE_NOW,
            deadline=SEP_28_DEADLINE,
        ),
        "naive_datetime",
        id="naive-now",
    ),
    pytest.param(
        lambda: warning_light(
            calendar=CALENDAR, now=shanghai(2025, 9, 25), deadline=SEP_28_DEADLINE, yellow_days=-1
        ),
        "negative_days",
        id="negative-yellow-window",
    ),
    pytest.param(
        lambda: compute(start=datetime(2025, 9, 1, 20, tzinfo=UTC)),
        "not_a_date",
        id="datetime-as-start-date",
    ),
    pytest.param(
        lambda: WorkingCalendar(
            holidays=frozenset({D(2025, 10, 1)}),
            workdays=frozenset({D(2025, 10, 1)}),
            known_years=frozenset({2025}),
        ),
        "calendar_conflict",
        id="date-both-holiday-and-workday",
    ),
]


@pytest.mark.parametrize(("call", "code"), ERROR_CASES)
def test_errors(call, code):
    with translation.override("zh-hans"), pytest.raises(DeadlineError) as raised:
        call()
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)
    # A message a clerk can read: Chinese, not a code.
    assert any("\u4e00" <= char <= "\u9fff" for char in str(raised.value))


def test_extension_within_cap_passes_validation():
    extension = Extension(days=15, reason="联合踏勘", approver="分管副区长")
    assert extension_validate(extension=extension, joint=True) is extension


def test_listed_dates_of_an_unknown_year_are_not_half_applied():
    calendar = WorkingCalendar(
        holidays=frozenset({D(2027, 1, 1)}), workdays=frozenset(), known_years=frozenset({2026})
    )
    assert calendar.is_working_day(D(2027, 1, 1))
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


# --- properties --------------------------------------------------------------------------------

days_in_range = st.dates(min_value=D(2002, 1, 1), max_value=D(2029, 12, 31))
limits = st.integers(min_value=1, max_value=1000)


def naive_add(start: date, n: int) -> date:
    """The reference: walk day by day."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= CALENDAR.is_working_day(day)
    return day


@settings(max_examples=300)
@given(start=days_in_range, n=limits)
def test_adding_lands_on_a_working_day_and_inverts(start, n):
    due = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(due)
    assert CALENDAR.working_days_between(start, due) == n
    # ...and it is the first such day: the day before has one working day fewer.
    assert CALENDAR.working_days_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=150)
@given(start=days_in_range, n=st.integers(min_value=0, max_value=400))
def test_adding_matches_walking_day_by_day(start, n):
    assert CALENDAR.add_working_days(start, n) == naive_add(start, n)


@given(start=days_in_range, end=days_in_range)
def test_between_counts_the_half_open_range(start, end):
    low, high = sorted((start, end))
    walked = sum(
        CALENDAR.is_working_day(low + timedelta(days=offset))
        for offset in range(1, (high - low).days + 1)
    )
    expected = walked if end >= start else -walked
    assert CALENDAR.working_days_between(start, end) == expected


@given(start=days_in_range, n=limits, more=st.integers(min_value=0, max_value=200))
def test_more_days_never_give_an_earlier_date(start, n, more):
    assert CALENDAR.add_working_days(start, n + more) >= CALENDAR.add_working_days(start, n)


@st.composite
def suspension_chains(draw, start):
    """Non-overlapping suspensions, some before the clock's start, the last maybe open."""
    chain = []
    cursor = start + timedelta(days=draw(st.integers(min_value=-10, max_value=40)))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        length = draw(st.integers(min_value=0, max_value=30))
        chain.append(Suspension("检验检测", cursor, cursor + timedelta(days=length), 0))
        cursor += timedelta(days=length + 1 + draw(st.integers(min_value=0, max_value=20)))
    if draw(st.booleans()):
        chain.append(Suspension("专家评审", cursor, None, draw(st.integers(1, 30))))
    return chain


@st.composite
def clocks(draw):
    start = draw(days_in_range)
    return start, draw(st.integers(min_value=1, max_value=120)), draw(suspension_chains(start))


@settings(max_examples=300)
@given(clock=clocks())
def test_suspensions_only_move_the_deadline_later(clock):
    start, n, chain = clock
    plain = compute_deadline(calendar=CALENDAR, start=start, working_days=n)
    previous = plain
    # Adding the suspensions one by one: each may only keep or push the due date.
    for count in range(1, len(chain) + 1):
        current = compute_deadline(
            calendar=CALENDAR, start=start, working_days=n, suspensions=chain[:count]
        )
        assert current.due_date >= previous.due_date
        assert current.suspended_days >= previous.suspended_days
        previous = current
    assert CALENDAR.working_days_between(start, previous.due_date) == n + previous.suspended_days
    assert CALENDAR.is_working_day(previous.due_date)


@settings(max_examples=200)
@given(clock=clocks())
def test_closed_suspensions_match_counting_only_running_days(clock):
    start, n, chain = clock
    closed = [item for item in chain if item.end is not None]
    # The reference: walk day by day and count the working days on which the clock runs.
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        stopped = any(item.start <= day <= item.end for item in closed)
        counted += CALENDAR.is_working_day(day) and not stopped
    deadline = compute_deadline(calendar=CALENDAR, start=start, working_days=n, suspensions=closed)
    assert deadline.due_date == day


@pytest.mark.parametrize("yellow_days", [0, 1, 2, 5])
@given(due=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_yellow_from_is_the_first_day_with_few_enough_days_left(yellow_days, due):
    calendar = CALENDAR
    first = yellow_from(calendar=calendar, due_date=due, yellow_days=yellow_days)
    assert first <= due
    assert remaining_working_days(calendar=calendar, today=first, due_date=due) <= yellow_days
    day_before = first - timedelta(days=1)
    assert remaining_working_days(calendar=calendar, today=day_before, due_date=due) > yellow_days


def test_yellow_from_skips_back_over_national_day():
    # Due Thursday 9 Oct 2025, after the 1-8 Oct holiday: from Mon 29 Sep two working days are
    # left (30 Sep and 9 Oct); from the make-up Sunday 28 Sep, three.
    due = date(2025, 10, 9)
    first = yellow_from(calendar=CALENDAR, due_date=due, yellow_days=2)
    assert remaining_working_days(calendar=CALENDAR, today=first, due_date=due) == 2
    assert first == date(2025, 9, 29)


# --- the union of several steps' stops (a case's own clock) ----------------------------------

S = Suspension
# (stops, the union as (start, end) pairs, why)
UNIONS = [
    ([], [], "no stop"),
    ([S("a", D(2026, 3, 2), D(2026, 3, 6))], [(D(2026, 3, 2), D(2026, 3, 6))], "one stop"),
    (
        [S("a", D(2026, 3, 2), D(2026, 3, 6)), S("b", D(2026, 3, 4), D(2026, 3, 10))],
        [(D(2026, 3, 2), D(2026, 3, 10))],
        "overlapping stops merge",
    ),
    (
        [S("a", D(2026, 3, 2), D(2026, 3, 3)), S("b", D(2026, 3, 4), D(2026, 3, 5))],
        [(D(2026, 3, 2), D(2026, 3, 5))],
        "touching stops merge",
    ),
    (
        [S("b", D(2026, 3, 16), D(2026, 3, 17)), S("a", D(2026, 3, 2), D(2026, 3, 3))],
        [(D(2026, 3, 2), D(2026, 3, 3)), (D(2026, 3, 16), D(2026, 3, 17))],
        "apart stay apart, in date order",
    ),
    (
        [S("a", D(2026, 3, 2), None, 5), S("b", D(2026, 3, 3), D(2026, 3, 4))],
        [(D(2026, 3, 2), D(2026, 3, 6))],
        "an open stop lasts the working days the applicant was told (Mon 2 to Fri 6 March)",
    ),
    (
        [S("a", D(2026, 9, 30), None, 3)],
        [(D(2026, 9, 30), D(2026, 10, 9))],
        "an open stop's projection skips National Day (30 Sep, 8 and 9 Oct 2026)",
    ),
]


@pytest.mark.parametrize(("stops", "expected", "why"), UNIONS, ids=[u[2] for u in UNIONS])
def test_the_union_of_stops(stops, expected, why):
    union = suspensions_union(calendar=CALENDAR, suspensions=stops)
    assert [(stop.start, stop.end) for stop in union] == expected, why
    # the union is a valid chain: compute_deadline accepts it
    compute_deadline(calendar=CALENDAR, start=D(2026, 3, 1), working_days=20, suspensions=union)


def test_overlapping_stops_of_two_steps_stop_the_case_once():
    both = [S("a", D(2026, 3, 2), D(2026, 3, 6)), S("b", D(2026, 3, 2), D(2026, 3, 6))]
    union = suspensions_union(calendar=CALENDAR, suspensions=both)
    once = compute_deadline(
        calendar=CALENDAR, start=D(2026, 3, 1), working_days=10, suspensions=union
    )
    alone = compute_deadline(
        calendar=CALENDAR, start=D(2026, 3, 1), working_days=10, suspensions=both[:1]
    )
    assert once.due_date == alone.due_date and once.suspended_days == 5
