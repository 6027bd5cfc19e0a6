"""The one place a case's status changes refuses moves that the lifecycle does not contain."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hall.cases.status import TRANSITIONS, case_status_set
from hall.models import Case
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist
from tests.hall.intake.conftest import receive

Status = Case.Status


@pytest.fixture
def case(make_user):
    clerk = make_user("clerk-wang", "clerk")
    ClerkFactory(user=clerk)
    return receive(item_with_checklist(), PersonFactory(), clerk)


def test_every_status_has_its_moves_and_final_ones_have_none():
    assert set(TRANSITIONS) == set(Status.values)
    for final in Case.FINAL_STATUSES:
        assert TRANSITIONS[final] == frozenset()
    # a decision is never taken back to intake, and nothing skips the decision
    assert Status.RECEIVED not in TRANSITIONS[Status.ACCEPTED]
    assert Status.CLOSED not in TRANSITIONS[Status.ACCEPTED]


def test_a_move_sets_the_status_and_the_given_columns_only(case):
    case_status_set(case=case, status=Status.REFERRED, intake_due_date=None)
    case.refresh_from_db()
    assert case.status == Status.REFERRED and case.intake_due_date is None
    assert case.accepted_at is None


@pytest.mark.parametrize("target", [Status.CLOSED, Status.DECIDED, Status.RECEIVED])
def test_a_jump_is_refused_and_nothing_is_saved(case, target):
    with pytest.raises(ValidationError) as raised:
        case_status_set(case=case, status=target)
    assert "办件状态不能从" in raised.value.messages[0]
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
