"""The append-only case log (hall.cases.events): neither the ORM nor SQL may change or delete
an event."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from hall.models import CaseEvent
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist
from tests.hall.intake.conftest import receive


@pytest.fixture
def event(make_user):
    """The first event of a case received at a window."""
    clerk = make_user("log-clerk", "clerk")
    ClerkFactory(user=clerk)
    return receive(item_with_checklist(), PersonFactory(), clerk).events.get()


def test_events_cannot_be_edited_or_deleted_through_the_orm(event):
    event.details = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_database_refuses_update_and_delete_of_events(event):
    for statement in (
        "UPDATE hall_caseevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM hall_caseevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).action == "received"
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(action="forged")
