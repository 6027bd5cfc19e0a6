"""The administrator's session management: see a user's sessions, end them, and disabling an
account ends its sessions at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hall.models import SecurityEvent

PASSWORD = "Right-password-2026"


@pytest.fixture
def officer(make_user):
    user = make_user("session-officer", "officer")
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in_clients(user, count: int) -> list[Client]:
    clients = []
    for n in range(count):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/desk/").status_code == 200
        clients.append(client)
    return clients


def test_the_admin_sees_and_ends_a_users_sessions(admin_client, officer):
    clients = _signed_in_clients(officer, 2)
    page = admin_client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert page.status_code == 200
    assert "192.0.2.1" in page.content.decode() and "192.0.2.2" in page.content.decode()
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "end_sessions", "_selected_action": [officer.pk]},
        follow=True,
    )
    assert "已结束 2 个会话" in response.content.decode()
    for client in clients:
        assert client.get("/desk/").status_code == 302  # signed out: to the login page
    event = SecurityEvent.objects.get(kind="session_ended")
    assert event.details == {"user_id": officer.pk, "sessions": 2, "reason": "admin"}


def test_disabling_an_account_ends_its_sessions(admin_client, officer):
    (client,) = _signed_in_clients(officer, 1)
    page = admin_client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": officer.username,
            "is_active": "",
            "groups": [g.pk for g in officer.groups.all()],
            "user_permissions": [],
            "date_joined_0": officer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": officer.date_joined.strftime("%H:%M:%S"),
            "hall_sessions-TOTAL_FORMS": "1",
            "hall_sessions-INITIAL_FORMS": "1",
            "hall_sessions-MIN_NUM_FORMS": "0",
            "hall_sessions-MAX_NUM_FORMS": "1000",
            "hall_sessions-0-id": officer.hall_sessions.get().pk,
            "hall_sessions-0-user": officer.pk,
        }
    )
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(reverse("admin:auth_user_change", args=[officer.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.is_active is False
    assert client.get("/desk/").status_code == 302
    assert officer.hall_sessions.get().end_reason == "disabled"
    assert SecurityEvent.objects.filter(kind="account_disabled").count() == 1
