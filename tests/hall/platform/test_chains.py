"""Issue 29: the case events, the security log and the access log are tamper-evident chains."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hall.models import CaseEvent, PersonalDataAccess, SecurityEvent
from hall.platform import audit, chains
from tests.concurrency import run_at_once
from tests.factories import item_with_checklist


def _events(count: int) -> list[CaseEvent]:
    from tests.departments.builders import bare_case

    case = bare_case(item=item_with_checklist())
    now = timezone.now()
    return [
        CaseEvent.objects.create(case=case, at=now, action="note", details={"n": n, "名": "张三"})
        for n in range(count)
    ]


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the ORM and the triggers, as someone with the database would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser's way round the triggers
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_a_changed_byte_of_an_event_is_named_by_audit_verify(db):
    events = _events(6)
    audit.security_event_record(kind="login_failed", username="x")
    assert chains.chains_extend()["case_events"] == 6
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "case_events: intact" in out.getvalue()

    victim = events[3]
    _tamper("UPDATE hall_caseevent SET action = %s WHERE id = %s", ["notf", victim.pk])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert f"hall_caseevent row id={victim.pk} " in err.getvalue()
    assert "content does not match" in err.getvalue()


def test_a_row_removed_from_the_middle_breaks_the_chain_at_the_next(db):
    events = _events(5)
    chains.chains_extend()
    _tamper("DELETE FROM hall_caseevent WHERE id = %s", [events[2].pk])
    found = chains.chain_verify(name="case_events")
    assert found is not None and found.pk == events[3].pk and "missing" in found.problem


def test_rows_written_later_join_the_chain_and_it_still_holds(db):
    _events(3)
    chains.chains_extend()
    _events(2)
    PersonalDataAccess.objects.create(what="case_file", username="u")
    assert chains.chains_extend() == {"case_events": 2, "security_log": 0, "access_log": 1}
    assert all(chains.chain_verify(name=name) is None for name in chains.CHAINED_MODELS)
    assert list(CaseEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_the_nightly_check_raises_a_security_alert_for_a_break_in_the_last_day(db):
    events = _events(4)
    chains.chains_extend()
    assert chains.chains_check(since=timezone.now() - datetime.timedelta(days=1)) == []
    _tamper("UPDATE hall_caseevent SET details = %s WHERE id = %s", ['{"n": 9}', events[1].pk])
    breaks = chains.chains_check(since=timezone.now() - datetime.timedelta(days=1))
    assert [found.pk for found in breaks] == [events[1].pk]
    alert = SecurityEvent.objects.get(kind=SecurityEvent.Kind.AUDIT_CHAIN_BROKEN)
    assert alert.details["row"] == events[1].pk and alert.details["table"] == "hall_caseevent"


def test_the_database_lets_the_chain_be_set_once_and_nothing_else(db, on_postgres):
    if not on_postgres:
        pytest.skip("the triggers are PostgreSQL's")
    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():  # content changed with the chain
        CaseEvent.objects.filter(pk=event.pk).update(action="x", chain_seq=1, chain_hash="f")
    chains.chains_extend()
    with pytest.raises(DatabaseError), transaction.atomic():  # chained rows are final
        CaseEvent.objects.filter(pk=event.pk).update(chain_hash="0" * 64)
    access = PersonalDataAccess.objects.create(what="case_file")
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=access.pk).update(reason="covered up")
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=access.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_make_one_unbroken_chain(on_postgres):
    if not on_postgres:
        pytest.skip("the race needs PostgreSQL's locks")
    _events(40)
    results = run_at_once(
        lambda: chains.chain_extend(name="case_events", batch=25),
        lambda: chains.chain_extend(name="case_events", batch=25),
    )
    assert sorted(results) == [15, 25]
    assert list(CaseEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True)) == (
        list(range(1, 41))
    )
    assert chains.chain_verify(name="case_events") is None
