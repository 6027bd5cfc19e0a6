"""绩效: every figure of the performance pages against small worlds counted by hand.

The period is October 2026. The holiday calendar of 2026 matters and is spelled out where used:
25 September (Mid-Autumn) and 1–7 October (National Day) are holidays, Saturday 10 October is a
make-up working day (调休).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from approvals.clock.calendar import calendar_load_package_years, working_calendar
from approvals.models import CaseStep, StepExtension, StepSuspension
from approvals.reviews import extensions, steps, suspensions, sweeps
from departments.performance import clerks, items, queue, serial_parallel, tables
from departments.performance import departments as performance_departments
from departments.performance.periods import Period
from hall.models import Case, Notice, QueueTicket, ServiceRating
from tests.approvals.workflow_helpers import (
    accepted_case,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.departments.builders import at, bare_case, day, decide_row, departments, set_step
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.postgres

OCTOBER = Period(start=day(2026, 10, 1), end=day(2026, 10, 31))


@pytest.fixture(autouse=True)
def holidays(db):
    # A transactional test elsewhere may have flushed the rows the data migration loaded.
    calendar_load_package_years()


def by(table: tables.Table, key: str) -> dict:
    return {row[key]: row for row in table.rows}


def wd(start: datetime.date, end: datetime.date) -> int:
    return working_calendar().working_days_between(start, end)


# --- per department -----------------------------------------------------------------------------


@pytest.fixture
def department_world(roles):
    """Three departments; an item whose one stage runs 规划 and 环保 side by side (promised 5,
    statutory 9 working days); three accepted cases decided in various ways."""
    planning, environment, fire = departments(roles, "区规划局", "区环保局", "区消防局")
    clerk = make_clerk(roles)
    item = staged_item(
        [[(planning, 5), (environment, 5)]],
        lead_department=planning,
        promised_days=5,
        statutory_days=9,
    )
    cases = [accepted_case(item, clerk) for _ in range(3)]
    (a1, b1), (a2, b2), (a3, _b3) = (open_steps(case) for case in cases)
    p_officer, p_head = officer_of(planning), officer_of(planning, head=True)
    e_officer = officer_of(environment)

    # a1: an inspection (Art. 45) in September, approved on Friday 9 October, on time.
    suspensions.step_special_procedure_start(
        step=a1, officer=p_officer, kind="inspection", reason="现场检验", expected_days=5
    )
    suspensions.step_special_procedure_end(step=a1, officer=p_officer)
    StepSuspension.objects.filter(step=a1).update(
        starts_on=day(2026, 9, 28), ends_on=day(2026, 9, 29)
    )
    steps.step_decide(step=a1, officer=p_officer, approve=True, opinion="同意")
    set_step(
        a1,
        opened_on=day(2026, 9, 24),
        decided_at=at(2026, 10, 9, 10),
        due_at=at(2026, 10, 13, 0),
        late=False,
    )
    # b1: 环保 approves on Monday 12 October, on time.
    steps.step_decide(step=b1, officer=e_officer, approve=True, opinion="同意")
    set_step(
        b1, opened_on=day(2026, 10, 8), decided_at=at(2026, 10, 12, 9), due_at=at(2026, 10, 16, 0)
    )
    # a2: 规划 lets the limit pass: deemed approved (超时默许) on 20 October.
    assert sweeps.step_deem(step_id=a2.pk, now=timezone.now() + datetime.timedelta(days=400))
    set_step(
        a2,
        opened_on=day(2026, 10, 9),
        decided_at=at(2026, 10, 20, 1),
        due_at=at(2026, 10, 20, 0),
        late=True,
    )
    # b2: decided in November, outside the period.
    steps.step_decide(step=b2, officer=e_officer, approve=True, opinion="同意")
    set_step(b2, opened_on=day(2026, 10, 28), decided_at=at(2026, 11, 2, 10))
    # a3: a correction (12–13 October), an approved extension, then a late refusal on 23 October.
    suspensions.step_correction_request(step=a3, officer=p_officer, items=[("图纸", "缺少签章")])
    suspensions.step_correction_supplied(step=a3, clerk=clerk)
    StepSuspension.objects.filter(step=a3).update(
        starts_on=day(2026, 10, 12), ends_on=day(2026, 10, 13)
    )
    extension = extensions.step_extension_request(
        step=a3, officer=p_officer, days=5, reason="需要会商"
    )
    extensions.step_extension_decide(extension=extension, head=p_head, approve=True)
    StepExtension.objects.filter(pk=extension.pk).update(requested_at=at(2026, 10, 14, 9))
    steps.step_decide(step=a3, officer=p_officer, approve=False, opinion="不符合规划条件")
    set_step(
        a3,
        opened_on=day(2026, 10, 8),
        decided_at=at(2026, 10, 23, 15),
        due_at=at(2026, 10, 22, 0),
        late=True,
    )
    # Ratings of 规划: one bad in October, one good in October, one bad in November.
    for case, level, created in (
        (cases[0], 2, at(2026, 10, 10)),
        (cases[1], 4, at(2026, 10, 11)),
        (cases[2], 1, at(2026, 11, 5)),
    ):
        # ratings are never changed afterwards (a trigger refuses it): given at that moment
        with mock.patch("django.utils.timezone.now", return_value=created):
            ServiceRating.objects.create(
                level=level, reason="慢", channel="online", case=case, department=planning
            )
    return {"planning": planning, "environment": environment, "fire": fire}


def test_department_figures_hand_counted(department_world):
    # Working days used, by hand (the start day never counts):
    #   a1 24 Sep → 9 Oct: 28, 29, 30 Sep, 8, 9 Oct = 5 (25 Sep and 1–7 Oct are holidays);
    #      its inspection 28–29 Sep stopped the clock for 2 of them.
    #   a2  9 Oct → 20 Oct: 10 (Sat, 调休), 12–16, 19, 20 = 8.
    #   a3  8 Oct → 23 Oct: 9, 10 (调休), 12–16, 19–23 = 12; the correction 12–13 Oct stopped 2.
    assert (wd(day(2026, 9, 24), day(2026, 10, 9)), wd(day(2026, 10, 9), day(2026, 10, 20))) == (
        5,
        8,
    )
    assert wd(day(2026, 10, 8), day(2026, 10, 23)) == 12
    rows = by(performance_departments.department_figures(period=OCTOBER), "department")

    planning = rows["区规划局"]
    assert planning["handled"] == 3
    assert planning["on_time"] == 1  # a1; a2 was deemed, a3 came after due_at
    assert planning["on_time_rate"] == Decimal("33.3")
    assert planning["avg_used"] == Decimal("8.3")  # (5 + 8 + 12) / 3
    assert planning["avg_suspended"] == Decimal("1.3")  # (2 + 0 + 2) / 3
    assert planning["avg_promised"] == Decimal("5.0")
    assert planning["avg_statutory"] == Decimal("9.0")
    assert planning["over_promised"] == 2  # net of stops: 3, 8 and 10 against 5
    assert planning["over_statutory"] == 1  # 10 against 9
    assert planning["deemed"] == 1
    assert planning["late"] == 2
    assert planning["corrections"] == 1  # started 12 Oct
    assert planning["special_procedures"] == 0  # the inspection started in September
    assert (planning["extensions"], planning["extensions_approved"]) == (1, 1)
    assert planning["bad_ratings"] == 1
    assert planning["attention"] is True

    environment = rows["区环保局"]
    assert (environment["handled"], environment["on_time"]) == (1, 1)  # b2 is November's
    assert environment["on_time_rate"] == Decimal("100.0")
    assert environment["avg_used"] == Decimal("3.0")  # 8 Oct → 12 Oct: 9, 10 (调休), 12
    assert environment["attention"] is False

    fire = rows["区消防局"]
    assert fire["handled"] == 0
    assert fire["on_time_rate"] is None and fire["avg_used"] is None


def test_late_issuance_counts_against_the_lead_department(roles):
    """Art. 44: ten working days to issue and deliver a grant, counted for the department that
    decides it as the item's lead (it seals and issues the licence)."""
    planning, environment = departments(roles, "区规划局", "区环保局")
    led = ServiceItemFactory(lead_department=planning)
    other = ServiceItemFactory(lead_department=environment)
    from approvals.models import CaseDecision

    def granted(item, *, decided, **decision_fields):
        case = bare_case(item=item, status=Case.Status.DECIDED, accepted_on=day(2026, 10, 8))
        decide_row(case, decided_at=decided)
        CaseDecision.objects.filter(case=case).update(**decision_fields)

    granted(led, decided=at(2026, 10, 9), issued_late=True, delivered_at=at(2026, 10, 30))
    granted(led, decided=at(2026, 10, 12), issue_warned_red_at=at(2026, 10, 27, 0, 5))
    granted(led, decided=at(2026, 10, 13), delivered_at=at(2026, 10, 14))
    granted(led, decided=at(2026, 11, 2), issued_late=True)  # November's
    granted(other, decided=at(2026, 10, 14), delivered_at=at(2026, 10, 15))
    refused = bare_case(item=led, status=Case.Status.DECIDED, accepted_on=day(2026, 10, 8))
    decide_row(refused, decided_at=at(2026, 10, 15), decision="refuse")

    rows = by(performance_departments.department_figures(period=OCTOBER), "department")
    assert (rows["区规划局"]["grants"], rows["区规划局"]["issued_late"]) == (3, 2)
    assert rows["区规划局"]["attention"] is True
    assert (rows["区环保局"]["grants"], rows["区环保局"]["issued_late"]) == (1, 0)
    # the export carries the column too
    table = performance_departments.department_figures(period=OCTOBER)
    assert "issued_late" in [column.key for column in table.columns]


# --- per window clerk ---------------------------------------------------------------------------


def test_clerk_figures_hand_counted(roles, make_user):
    wang = make_clerk(roles, "clerk-wang")
    li = make_clerk(roles, "clerk-li")
    supervisor = make_user("sup", "supervisor")
    # Wang received two cases in October and one on 30 September.
    first = bare_case(owner=wang, materials_received_at=at(2026, 10, 9))
    bare_case(owner=wang, materials_received_at=at(2026, 10, 20))
    bare_case(owner=wang, materials_received_at=at(2026, 9, 30))
    # Li received one, which was deemed accepted on 15 October (Art. 32).
    bare_case(
        owner=li,
        materials_received_at=at(2026, 10, 8),
        deemed_accepted=True,
        accepted_at=at(2026, 10, 15, 0, 5),
        accepted_on=day(2026, 10, 8),
        status=Case.Status.ACCEPTED,
    )
    # Wang issued a supplementary notice a supervisor approved: a one-time breach.
    Notice.objects.create(
        case=first,
        kind=Notice.Kind.CORRECTION,
        number="补正〔2026〕9001",
        issued_at=at(2026, 10, 12),
        issued_by=wang,
        pdf="notices/x.pdf",
        sha256="0" * 64,
        one_time_override_by=supervisor,
        one_time_override_reason="新规",
    )
    Notice.objects.create(
        case=first,
        kind=Notice.Kind.CORRECTION,
        number="补正〔2026〕9000",
        issued_at=at(2026, 10, 10),
        issued_by=wang,
        pdf="notices/y.pdf",
        sha256="0" * 64,
    )
    # Wang served two tickets: waits 10 and 30 minutes, service 10 and 20 minutes.
    window = wang.clerk.window
    tickets = []
    for number, issued, called, served, finished in (
        ("A001", (9, 0), (9, 10), (9, 11), (9, 21)),
        ("A002", (9, 5), (9, 35), (9, 35), (9, 55)),
    ):
        tickets.append(
            QueueTicket.objects.create(
                number=number,
                category="general",
                issued_on=day(2026, 10, 9),
                issued_at=at(2026, 10, 9, *issued),
                status=QueueTicket.Status.DONE,
                window=window,
                clerk=wang,
                called_at=at(2026, 10, 9, *called),
                served_at=at(2026, 10, 9, *served),
                finished_at=at(2026, 10, 9, *finished),
            )
        )
    QueueTicket.objects.create(  # November: outside
        number="A001",
        category="general",
        issued_on=day(2026, 11, 2),
        issued_at=at(2026, 11, 2, 9),
        status=QueueTicket.Status.DONE,
        window=li.clerk.window,
        clerk=li,
        called_at=at(2026, 11, 2, 10),
        served_at=at(2026, 11, 2, 10),
        finished_at=at(2026, 11, 2, 11),
    )
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 10, 9, 10)):
        ServiceRating.objects.create(
            level=1, reason="态度差", channel="window", ticket=tickets[0], clerk=wang
        )
    # A clerk who left and did nothing in the period is not listed.
    gone = make_clerk(roles, "clerk-gone")
    gone.is_active = False
    gone.save()

    rows = by(clerks.clerk_figures(period=OCTOBER), "username")

    assert set(rows) == {"clerk-wang", "clerk-li"}
    wang_row = rows["clerk-wang"]
    assert wang_row["clerk"] == "王窗口"
    assert wang_row["window"] == window.number
    assert wang_row["received"] == 2
    assert wang_row["breaches"] == 1
    assert wang_row["deemed_accepted"] == 0
    assert wang_row["served"] == 2
    assert wang_row["avg_wait"] == Decimal("20.0")  # (10 + 30) / 2
    assert wang_row["p90_wait"] == Decimal("28.0")  # 10 + 0.9 × (30 − 10)
    assert wang_row["avg_service"] == Decimal("15.0")  # (10 + 20) / 2
    assert wang_row["bad_ratings"] == 1
    li_row = rows["clerk-li"]
    assert (li_row["received"], li_row["deemed_accepted"], li_row["served"]) == (1, 1, 0)
    assert li_row["avg_wait"] is None


# --- per item -----------------------------------------------------------------------------------


def test_item_figures_median_and_90th_percentile(db):
    item = ServiceItemFactory(name="建设工程规划许可", promised_days=15, statutory_days=20)
    quiet = ServiceItemFactory(name="户外广告设置许可")
    ServiceItemFactory(name="无人办理的事项")
    # Elapsed working days from acceptance to decision, by hand:
    #   8 Oct → 13 Oct: 9, 10 (调休), 12, 13 = 4
    #   8 Oct → 21 Oct: 4 + 14, 15, 16, 19, 20, 21 = 10
    #   28 Sep → 30 Oct: 29, 30 Sep, 8, 9, 10 (调休), 12–16, 19–23, 26–30 = 20
    dated = [
        (day(2026, 10, 8), at(2026, 10, 8), at(2026, 10, 13, 16), "grant"),
        (day(2026, 10, 8), at(2026, 10, 8), at(2026, 10, 21, 16), "grant"),
        (day(2026, 9, 28), at(2026, 9, 27), at(2026, 10, 30, 16), "refuse"),
    ]
    for accepted_on, received, decided, decision in dated:
        assert wd(accepted_on, decided.date()) in (4, 10, 20)
        case = bare_case(
            item=item,
            materials_received_at=received,
            accepted_at=at(accepted_on.year, accepted_on.month, accepted_on.day, 11),
            accepted_on=accepted_on,
            status=Case.Status.DECIDED,
        )
        decide_row(case, decided_at=decided, decision=decision)
    bare_case(item=quiet, materials_received_at=at(2026, 10, 20))

    rows = by(items.item_figures(period=OCTOBER), "code")

    assert set(rows) == {item.code, quiet.code}  # the item without cases is left out
    row = rows[item.code]
    assert (row["received"], row["accepted"], row["decided"], row["granted"]) == (2, 2, 3, 2)
    assert row["median_days"] == Decimal("10.0")
    assert row["p90_days"] == Decimal("18.0")  # 10 + 0.8 × (20 − 10)
    assert row["max_days"] == 20
    assert row["attention"] is True  # the 90th percentile is over the promised 15
    assert (rows[quiet.code]["received"], rows[quiet.code]["median_days"]) == (1, None)


# --- trend --------------------------------------------------------------------------------------


def test_open_and_overdue_trend_per_day(db):
    week = Period(start=day(2026, 10, 8), end=day(2026, 10, 14))
    accepted = Case.Status.ACCEPTED
    # T1 open throughout, promised 9 Oct: overdue from the 10th.
    bare_case(status=accepted, accepted_on=day(2026, 9, 30), promised_due_date=day(2026, 10, 9))
    # T2 accepted the 9th, promised the 12th, closed the 13th: never overdue at the end of a day.
    bare_case(
        status=Case.Status.CLOSED,
        accepted_on=day(2026, 10, 9),
        promised_due_date=day(2026, 10, 12),
        closed_at=at(2026, 10, 13, 15),
    )
    # T3 accepted the 10th, promised the 11th, closed the 14th: overdue the 12th and 13th.
    bare_case(
        status=Case.Status.CLOSED,
        accepted_on=day(2026, 10, 10),
        promised_due_date=day(2026, 10, 11),
        closed_at=at(2026, 10, 14, 10),
    )
    # Outside: closed before the week, accepted after it, never accepted.
    bare_case(
        status=Case.Status.CLOSED,
        accepted_on=day(2026, 9, 1),
        promised_due_date=day(2026, 9, 20),
        closed_at=at(2026, 10, 1),
    )
    bare_case(status=accepted, accepted_on=day(2026, 10, 15), promised_due_date=day(2026, 10, 16))
    bare_case(status=Case.Status.RECEIVED)

    rows = items.open_overdue_trend(period=week).rows

    assert [(row["day"].day, row["open"], row["overdue"]) for row in rows] == [
        (8, 1, 0),
        (9, 2, 0),
        (10, 3, 1),
        (11, 3, 1),
        (12, 3, 2),
        (13, 2, 2),
        (14, 1, 1),
    ]


# --- serial against parallel --------------------------------------------------------------------


@pytest.fixture
def staged_world(roles):
    """规划 10 and 环保 30 side by side, then 消防 20: 60 in series, 30 + 20 = 50 in parallel.
    Two closed cases: 规划 4 and 6 (median 5), 环保 2 and 4 (3), 消防 6 and 10 (8)."""
    planning, environment, fire = departments(roles, "区规划局", "区环保局", "区消防局")
    clerk = make_clerk(roles)
    item = staged_item(
        [[(planning, 10), (environment, 30)], [(fire, 20)]],
        lead_department=planning,
        name="建设工程联合审批",
        promised_days=50,
        statutory_days=60,
    )
    staged_item([[(planning, 5)]], lead_department=planning, name="单部门事项")
    # Elapsed days are counted from Monday 12 October 2026 (no holidays until the 23rd).
    ends = {
        0: {
            "区规划局": day(2026, 10, 16),
            "区环保局": day(2026, 10, 14),
            "区消防局": day(2026, 10, 20),
        },
        1: {
            "区规划局": day(2026, 10, 20),
            "区环保局": day(2026, 10, 16),
            "区消防局": day(2026, 10, 26),
        },
    }
    for index in range(2):
        case = accepted_case(item, clerk)
        for step in case.steps.select_related("department"):
            decided = ends[index][step.department.name]
            set_step(
                step,
                status=CaseStep.Status.APPROVED,
                opened_on=day(2026, 10, 12),
                decided_at=at(decided.year, decided.month, decided.day, 16),
            )
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.CLOSED, closed_at=at(2026, 10, 28), accepted_on=day(2026, 10, 12)
        )
        decide_row(case, decided_at=at(2026, 10, 27 + index, 10))
    # An open case of the item adds nothing to the real figures.
    accepted_case(item, clerk)
    return item


def test_serial_against_parallel_promised_and_real(staged_world):
    # 12 Oct → 16 Oct = 4, → 20 Oct = 6; → 14 Oct = 2, → 16 Oct = 4; → 20 Oct = 6, → 26 Oct = 10
    comparisons = serial_parallel.serial_parallel(period=OCTOBER, today=day(2026, 11, 22))

    assert [item.name for item in comparisons] == ["建设工程联合审批"]  # one department: left out
    item = comparisons[0]
    assert (item.departments, item.steps) == (3, 3)
    assert (item.promised_serial, item.promised_parallel) == (60, 50)
    assert (item.real_serial, item.real_parallel) == (Decimal("16.0"), Decimal("13.0"))
    first, second = item.stages
    assert (first.promised_days, first.promised_serial, first.real_days) == (30, 40, Decimal("5.0"))
    assert [(s.department, s.promised_bottleneck, s.real_median, s.real_bottleneck, s.samples)
            for s in first.steps] == [
        ("区规划局", False, Decimal("5.0"), True, 2),
        ("区环保局", True, Decimal("3.0"), False, 2),
    ]  # fmt: skip
    assert [(s.department, s.promised_bottleneck, s.real_bottleneck) for s in second.steps] == [
        ("区消防局", True, True)
    ]
    # Acceptance (12 Oct) to decision (27 and 28 Oct): 11 and 12 working days.
    assert (item.real_cases, item.real_case_median) == (2, Decimal("11.5"))


def test_serial_against_parallel_without_closed_cases(staged_world):
    item = serial_parallel.serial_parallel(
        period=Period(start=day(2026, 11, 1), end=day(2026, 11, 20)), today=day(2026, 11, 22)
    )[0]
    assert (item.promised_serial, item.promised_parallel) == (60, 50)
    assert item.real_serial is None and item.real_parallel is None and item.real_cases == 0
    assert not any(step.real_bottleneck for stage in item.stages for step in stage.steps)


# --- queue --------------------------------------------------------------------------------------


def test_queue_tables_match_the_queue_module_and_the_fallback(roles):
    wang = make_clerk(roles, "clerk-wang")
    window = wang.clerk.window
    for number, category, issued, called, served, finished, status in (
        ("A001", "general", (9, 0), (9, 10), (9, 12), (9, 22), QueueTicket.Status.DONE),
        ("A002", "general", (9, 5), (9, 35), (9, 35), (9, 55), QueueTicket.Status.DONE),
        ("B001", "business", (9, 1), (9, 21), None, (9, 25), QueueTicket.Status.NO_SHOW),
    ):
        QueueTicket.objects.create(
            number=number,
            category=category,
            issued_on=day(2026, 10, 9),
            issued_at=at(2026, 10, 9, *issued),
            status=status,
            window=window,
            clerk=wang,
            called_at=at(2026, 10, 9, *called),
            served_at=at(2026, 10, 9, *served) if served else None,
            finished_at=at(2026, 10, 9, *finished),
        )
    by_source, by_category, by_window = queue.queue_tables(period=OCTOBER)
    # appointments apart from walk-ins: all three were walk-ins
    sources = {row["label"]: row["tickets"] for row in by_source.rows}
    assert sources == {"预约": 0, "现场取号": 3}
    general = next(row for row in by_category.rows if row["label"] == "综合窗口")
    # waits 10 and 30 minutes, services 10 and 20; the no-show waited 20 and has no service
    assert (general["tickets"], general["called"], general["done"]) == (2, 2, 2)
    assert (general["wait_avg"], general["service_avg"]) == (Decimal("20.0"), Decimal("15.0"))
    (window_row,) = by_window.rows
    assert (window_row["tickets"], window_row["no_show"]) == (3, 1)
    assert window_row["wait_median"] == Decimal("20.0")
