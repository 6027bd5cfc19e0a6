"""First-contact responsibility (hall.intake.ownership): the owner told of others' changes,
handed over only by a supervisor with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hall.cases.selectors import cases_owned_by
from hall.intake import decisions, ownership
from hall.models import (
    Notification,
)
from tests.hall.intake.conftest import mark_all, receive

# --- first-contact responsibility -----------------------------------------------------------


def test_owner_is_told_of_changes_made_by_others_not_their_own(item, person, clerk, make_user):
    other = make_user("clerk-li", "clerk")
    case = receive(item, person, clerk)
    mark_all(case, clerk)  # by the owner: no message to self
    assert not Notification.objects.filter(recipient_user=clerk).exists()
    decisions.case_accept(case=case, clerk=other)
    inbox = Notification.objects.filter(recipient_user=clerk, channel="inbox")
    assert list(inbox.values_list("kind", flat=True)) == ["accepted"]
    assert case.receipt_no in inbox.get().subject


def test_only_a_supervisor_hands_a_case_over_with_a_reason(
    item, person, clerk, supervisor, make_user
):
    successor = make_user("clerk-zhao", "clerk")
    case = receive(item, person, clerk)
    with pytest.raises(ValidationError, match="只有监察人员"):
        ownership.case_owner_handover(
            case=case, supervisor=clerk, new_owner=successor, reason="休假"
        )
    with pytest.raises(ValidationError):
        ownership.case_owner_handover(
            case=case, supervisor=supervisor, new_owner=successor, reason=""
        )
    ownership.case_owner_handover(
        case=case, supervisor=supervisor, new_owner=successor, reason="休假"
    )
    case.refresh_from_db()
    assert case.owner == successor
    event = case.events.get(action="owner_changed")
    assert event.details == {"from": clerk.username, "to": successor.username, "reason": "休假"}
    # the previous owner hears of the handover; the new one owns it from now on
    assert Notification.objects.filter(recipient_user=clerk, kind="owner_changed").exists() is False
    assert case in cases_owned_by(owner=successor)
