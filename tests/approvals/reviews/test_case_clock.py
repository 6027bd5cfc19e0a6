"""The case's own clock (Art. 32, 45): its dates move while any step stands still, counted once,
and a deemed acceptance starts the departments' clocks from the day the materials arrived."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import Suspension, compute_deadline, suspensions_union
from approvals.models import CaseStep
from approvals.reviews import suspensions
from hall.cases import applicants
from hall.intake import receiving, sweeps
from hall.models import Case, Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.dates import shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def depts(roles):
    return [department_with_staff(f"C{i}", f"区{name}局", roles) for i, name in enumerate("规环消")]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def _case_dates(case, stops):
    calendar = working_calendar()
    union = suspensions_union(calendar=calendar, suspensions=stops)
    promised = compute_deadline(
        calendar=calendar,
        start=case.accepted_on,
        working_days=case.item.promised_days,
        suspensions=union,
    )
    statutory = compute_deadline(
        calendar=calendar,
        start=case.accepted_on,
        working_days=case.item.statutory_days,
        suspensions=union,
    )
    return promised.due_date, statutory.due_date


@pytest.mark.parametrize("kind", ["tendering", "auction"])
def test_tendering_and_auction_are_special_procedures(depts, clerk, kind):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    step = open_steps(accepted_case(item, clerk))[0]
    notice = suspensions.step_special_procedure_start(
        step=step, officer=officer_of(depts[0]), kind=kind, reason="依法公开进行", expected_days=8
    )
    step.refresh_from_db()
    assert step.status == CaseStep.Status.SUSPENDED
    assert ("招标" if kind == "tendering" else "拍卖") in " ".join(notice.content["paragraphs"])


def test_a_special_procedure_moves_the_case_dates_and_two_overlapping_count_once(depts, clerk):
    item = staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    before = (case.promised_due_date, case.statutory_due_date)
    first, second = open_steps(case)
    # Given the first department's expert review is under way (projected 5 working days)
    suspensions.step_special_procedure_start(
        step=first,
        officer=officer_of(depts[0]),
        kind="expert_review",
        reason="评审",
        expected_days=5,
    )
    case.refresh_from_db()
    today = timezone.localdate()
    assert (case.promised_due_date, case.statutory_due_date) == _case_dates(
        case, [Suspension("expert_review", today, None, 5)]
    )
    assert case.promised_due_date > before[0] and case.statutory_due_date > before[1]
    # When a second department's inspection runs at the same time, for 3 days
    suspensions.step_special_procedure_start(
        step=second, officer=officer_of(depts[1]), kind="inspection", reason="检验", expected_days=3
    )
    case.refresh_from_db()
    # Then the case stops once: the union, not 5 + 3
    assert (case.promised_due_date, case.statutory_due_date) == _case_dates(
        case,
        [Suspension("expert_review", today, None, 5), Suspension("inspection", today, None, 3)],
    )
    calendar = working_calendar()
    assert (
        case.promised_due_date
        == compute_deadline(
            calendar=calendar,
            start=case.accepted_on,
            working_days=case.item.promised_days,
            suspensions=[
                Suspension("x", today, calendar.add_working_days(today - datetime.timedelta(1), 5))
            ],
        ).due_date
    )
    # And when both end (today), the dates count only the days that really stood still
    suspensions.step_special_procedure_end(step=first, officer=officer_of(depts[0]))
    suspensions.step_special_procedure_end(step=second, officer=officer_of(depts[1]))
    case.refresh_from_db()
    assert (case.promised_due_date, case.statutory_due_date) == _case_dates(
        case, [Suspension("expert_review", today, today), Suspension("inspection", today, today)]
    )


def test_deemed_acceptance_starts_the_department_clocks_from_the_arrival(
    depts, clerk, time_machine
):
    time_machine.move_to(shanghai(2026, 6, 10))  # ten calendar days are five working days
    item = staged_item([[(depts[0], 10), (depts[1], 15)]], lead_department=depts[0])
    # Given a filing received ten calendar days ago and never decided at the window
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicants.applicant_register(
            kind="person", name="李四", phone="13800138001", id_number="11010519491231002X"
        ),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    arrived = timezone.now() - datetime.timedelta(days=10)
    calendar = working_calendar()
    Case.objects.filter(pk=case.pk).update(
        materials_received_at=arrived,
        intake_due_date=calendar.add_working_days(timezone.localdate(arrived), 5),
    )
    # When the sweep deems it accepted
    assert sweeps.intake_deemed_acceptance_sweep() == 1
    case.refresh_from_db()
    arrived_on = timezone.localdate(arrived)
    assert case.deemed_accepted and case.accepted_on == arrived_on
    # Then each department's clock counts from that day, inside the case's statutory limit
    for step in open_steps(case):
        assert step.opened_on == arrived_on
        assert step.due_date == calendar.add_working_days(arrived_on, step.promised_days)
        assert step.due_date <= case.statutory_due_date
    # And the applicant is told plainly that it was deemed accepted, and from when
    sms = Notification.objects.get(case=case, kind="accepted", channel="sms")
    assert "视为受理" in sms.body and arrived_on.isoformat() in sms.body
