"""Deemed acceptance (hall.intake.sweeps, Art. 32): dated from the arrival, prevented by a
notice in time, exactly once under two sweeps."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from hall.intake import decisions, sweeps
from hall.models import (
    Case,
    CaseEvent,
    Notice,
)
from tests.concurrency import run_at_once
from tests.dates import shanghai
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist
from tests.hall.intake.conftest import mark_all, receive

# --- deemed acceptance (Art. 32) ------------------------------------------------------------


def _received_days_ago(item, person, clerk, days: int) -> Case:
    case = receive(item, person, clerk)
    arrived = timezone.now() - datetime.timedelta(days=days)
    due = working_calendar().add_working_days(timezone.localdate(arrived), 5)
    Case.objects.filter(pk=case.pk).update(materials_received_at=arrived, intake_due_date=due)
    case.refresh_from_db()
    return case


def test_deemed_acceptance_after_five_working_days_dates_from_arrival(
    item, person, clerk, time_machine
):
    # An ordinary June week: ten calendar days are more than five working days (around the
    # Spring Festival they are not, so the test pins its today)
    time_machine.move_to(shanghai(2026, 6, 10))
    late = _received_days_ago(item, person, clerk, days=10)
    on_time = _received_days_ago(item, person, clerk, days=1)
    assert sweeps.intake_deemed_acceptance_sweep() == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.status == Case.Status.ACCEPTED
    assert late.deemed_accepted
    assert late.accepted_on == timezone.localdate(late.materials_received_at)
    assert late.promised_due_date == working_calendar().add_working_days(
        late.accepted_on, item.promised_days
    )
    assert on_time.status == Case.Status.RECEIVED
    event = late.events.get(action="deemed_accepted")
    assert event.actor is None
    assert event.details["window"] == clerk.clerk.window.number  # recorded against the window
    assert late.notices.get().kind == Notice.Kind.DEEMED_ACCEPTANCE
    # run again: nothing left to do
    assert sweeps.intake_deemed_acceptance_sweep() == 0
    assert late.notices.count() == 1


def test_a_correction_notice_in_time_prevents_deemed_acceptance(item, person, clerk):
    case = _received_days_ago(item, person, clerk, days=1)
    mark_all(case, clerk, 申请表="missing")
    decisions.case_request_correction(case=case, clerk=clerk)
    # the sweep runs long after the five days: the notice was in time, nothing is deemed
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert sweeps.intake_deemed_acceptance_sweep(today=later) == 0
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_accept_each_case_exactly_once(make_user, time_machine):
    time_machine.move_to(shanghai(2026, 6, 10))  # nine calendar days are five working days
    item = item_with_checklist()
    person = PersonFactory()
    clerk = make_user("c2", "clerk")
    ClerkFactory(user=clerk)
    cases = [_received_days_ago(item, person, clerk, days=9) for _ in range(12)]
    results = run_at_once(
        lambda: sweeps.intake_deemed_acceptance_sweep(batch=5),
        lambda: sweeps.intake_deemed_acceptance_sweep(batch=5),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 12
    assert Case.objects.filter(status=Case.Status.ACCEPTED, deemed_accepted=True).count() == 12
    assert Notice.objects.filter(kind=Notice.Kind.DEEMED_ACCEPTANCE).count() == 12
    assert CaseEvent.objects.filter(action="deemed_accepted").count() == 12
    assert {c.pk for c in cases} == set(Case.objects.values_list("pk", flat=True))
