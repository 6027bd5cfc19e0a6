"""The security log: sign-ins, failures, lockouts, session ends, refusals and staff reads of
personal data, with who, when and where; append-only in the ORM and in PostgreSQL; kept six
months at least and then purged; exported as CSV from the admin."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from hall.intake import receiving
from hall.models import Case, PersonalDataAccess, SecurityEvent
from hall.platform import audit
from hall.platform.sessions import SEEN
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist

PASSWORD = "Right-password-2026"
ADDRESS = "203.0.113.44"


@pytest.fixture
def officer(make_user):
    user = make_user("audited-officer", "officer")
    user.set_password(PASSWORD)
    user.save()
    return user


def _kinds(**filters) -> list[str]:
    return list(
        SecurityEvent.objects.filter(**filters).order_by("pk").values_list("kind", flat=True)
    )


def test_sign_in_failure_lockout_and_sign_out_are_logged_with_the_address(client, officer):
    url = reverse("login")
    for n in range(5):
        client.post(url, {"username": officer.username, "password": f"x{n}"}, REMOTE_ADDR=ADDRESS)
    failures = SecurityEvent.objects.filter(kind="login_failed", username=officer.username)
    assert failures.count() == 5
    assert set(failures.values_list("ip_address", flat=True)) == {ADDRESS}
    assert "locked_out" in _kinds(username=officer.username)
    other = "198.51.100.3"
    client.post(url, {"username": officer.username, "password": PASSWORD}, REMOTE_ADDR=other)
    client.post(reverse("logout"), REMOTE_ADDR=other)
    signed = SecurityEvent.objects.filter(user_id=officer.pk).order_by("pk")
    assert [(e.kind, e.ip_address) for e in signed] == [("login", other), ("logout", other)]
    assert officer.hall_sessions.get().end_reason == "logout"


def test_an_idle_staff_session_ending_is_logged(client, officer):
    client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    session = client.session
    session[SEEN] = time.time() - 31 * 60
    session.save()
    assert client.get("/desk/").status_code == 302
    assert _kinds(user_id=officer.pk) == ["login", "session_expired"]
    assert officer.hall_sessions.get().end_reason == "expired"


def test_a_refusal_is_logged_and_a_stranger_is_sent_to_sign_in(client, officer):
    assert client.get("/supervision/").status_code == 302  # not signed in: to the login page
    client.force_login(officer)
    response = client.get("/supervision/", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    assert "没有访问权限" in response.content.decode()
    event = SecurityEvent.objects.get(kind="permission_denied")
    assert (event.user_id, event.path, event.ip_address) == (officer.pk, "/supervision/", ADDRESS)


def test_a_staff_read_of_a_case_is_logged_with_the_case(client, make_user):
    clerk = make_user("audited-clerk", "clerk")
    ClerkFactory(user=clerk)
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(),
        item=item_with_checklist(),
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    supervisor = make_user("audited-supervisor", "supervisor")
    client.force_login(supervisor)
    assert client.get(f"/supervision/case/{case.receipt_no}/").status_code == 200
    client.force_login(clerk)
    assert client.get(reverse("intake:case", args=[case.receipt_no])).status_code == 200
    reads = PersonalDataAccess.objects.filter(case_id=case.pk, applicant_id=case.applicant_id)
    assert sorted(reads.values_list("user_id", flat=True)) == sorted([supervisor.pk, clerk.pk])
    # each look says in which role and where, as its owner will read it
    clerk_look = reads.get(user_id=clerk.pk)
    assert clerk_look.role == "窗口工作人员"
    assert clerk_look.department == str(clerk.clerk.window)
    assert clerk_look.receipt_no == case.receipt_no
    assert reads.get(user_id=supervisor.pk).role == "监察人员"


def test_the_log_cannot_be_changed_through_the_orm(db):
    event = audit.security_event_record(kind="login_failed", username="x")
    event.username = "y"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.postgres
@pytest.mark.database_clock  # the trigger's six months are counted from PostgreSQL's now()
def test_postgresql_refuses_update_and_early_delete_but_lets_the_purge_remove_old_rows(db):
    recent = audit.security_event_record(kind="login_failed", username="recent")
    for statement in (
        "UPDATE hall_securityevent SET username = 'forged' WHERE id = %s",
        "DELETE FROM hall_securityevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [recent.pk])
    old_at = timezone.now() - datetime.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hall_securityevent (at, kind, username, user_agent, path, details)"
            " VALUES (%s, 'login', 'old', '', '', '{}') RETURNING id",
            [old_at],
        )
        old_id = cursor.fetchone()[0]
    # a purge asked to keep less than six months still keeps six months
    assert audit.security_log_purge(keep_days=30) == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SecurityEvent.objects.filter(pk=old_id).exists()


def test_the_admin_exports_the_log_as_csv_with_formulas_neutralised(admin_client):
    audit.security_event_record(kind="login_failed", username='=HYPERLINK("x")')
    ids = list(SecurityEvent.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:hall_securityevent_changelist"),
        {"action": "export_csv", "_selected_action": ids},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("时间,类别,用户名")
    assert "'=HYPERLINK" in text and "登录失败" in text


def test_the_admin_can_view_but_not_add_change_or_delete_rows(admin_client, db):
    event = audit.security_event_record(kind="login_failed", username="someone")
    assert admin_client.get(reverse("admin:hall_securityevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:hall_securityevent_add")).status_code == 403
    delete = admin_client.post(
        reverse("admin:hall_securityevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
