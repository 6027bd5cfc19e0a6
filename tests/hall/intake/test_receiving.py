"""Receiving at the window (hall.intake.receiving): the checklist from the answers, one case
per submission, no gap in the numbers under a double click."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from hall.models import (
    Case,
    CaseMaterial,
)
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist
from tests.hall.intake.conftest import receive

# --- receiving --------------------------------------------------------------------------------


def test_receive_builds_the_checklist_from_the_answers(item, person, clerk):
    case = receive(item, person, clerk, answers={"agent": "yes"})
    names = list(case.materials.values_list("name", flat=True))
    assert names == ["申请表", "身份证明", "授权委托书"]  # no business licence for a person
    assert case.owner == clerk
    assert case.status == Case.Status.RECEIVED
    assert case.intake_due_date == working_calendar().add_working_days(timezone.localdate(), 5)
    assert case.events.get().action == "received"


def test_receive_refuses_unanswered_questions(item, person, clerk):
    with pytest.raises(ValidationError) as caught:
        receive(item, person, clerk, answers={})
    assert "agent" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_same_submission_twice_creates_one_case(item, person, clerk):
    key = uuid.uuid4()
    first = receive(item, person, clerk, key=key)
    second = receive(item, person, clerk, key=key)
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert CaseMaterial.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_click_at_the_same_instant_creates_one_case_and_no_gap_in_numbers(make_user):
    item = item_with_checklist()
    person = PersonFactory()
    clerk = make_user("c1", "clerk")
    ClerkFactory(user=clerk)
    key = uuid.uuid4()
    results = run_at_once(*[lambda: receive(item, person, clerk, key=key).pk] * 4)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Case.objects.count() == 1
    next_case = receive(item, person, clerk)
    first = Case.objects.get(pk=results[0])
    assert int(next_case.receipt_no[-5:]) == int(first.receipt_no[-5:]) + 1
