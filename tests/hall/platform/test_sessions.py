"""Staff sessions end after 30 idle minutes and 12 hours at most; applicants' do not."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.urls import reverse

from hall.platform import sessions


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user("idle-clerk", "clerk"))
    return client


def _at(offset_s: float):
    now = time.time() + offset_s
    return mock.patch.object(sessions.time, "time", return_value=now)


def test_an_idle_staff_session_ends_after_30_minutes(officer_client):
    home = reverse("intake:home")
    assert officer_client.get(home).status_code == 200
    with _at(29 * 60):
        assert officer_client.get(home).status_code == 200  # activity keeps it alive
    with _at(29 * 60 + 31 * 60):
        response = officer_client.get(home)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert "_auth_user_id" not in officer_client.session
    # and it stays signed out
    assert officer_client.get(home).status_code in (302, 403)
    assert "_auth_user_id" not in officer_client.session


def test_a_busy_staff_session_still_ends_after_12_hours(officer_client):
    home = reverse("intake:home")
    officer_client.get(home)
    for step in range(1, 36):  # a request every 20 minutes: never idle
        with _at(step * 20 * 60):
            assert officer_client.get(home).status_code == 200
    with _at(12 * 3600 + 60):
        assert officer_client.get(home).status_code == 302


def test_the_limits_come_from_settings(officer_client, settings):
    settings.HALL_STAFF_IDLE_MINUTES = 5
    home = reverse("intake:home")
    officer_client.get(home)
    with _at(6 * 60):
        assert officer_client.get(home).status_code == 302


def test_an_applicant_session_is_not_cut_by_the_staff_limit(client, make_user):
    applicant = make_user("idle-citizen", "applicant")
    client.force_login(applicant)
    client.get("/me/")
    with _at(45 * 60):
        response = client.get("/me/")
    assert "_auth_user_id" in client.session, response.status_code


# --- pages that show a person's data are never stored (issue 28) ------------------------------


@pytest.mark.parametrize("path", ["/window/", "/window/mine/", "/queue/"])
def test_a_signed_in_persons_pages_are_not_stored(officer_client, path):
    response = officer_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/lookup/", "/kiosk/rate/", "/me/login/"])
def test_the_personal_pages_of_the_lookup_and_the_kiosk_are_not_stored(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_may_be_cached_and_static_files_name_no_other_origin(client, db):
    guide = client.get("/guide/")
    assert "no-store" not in guide.get("Cache-Control", "")
    script = client.get("/static/js/kiosk-idle.js")
    assert script.status_code == 200
    assert "Access-Control-Allow-Origin" not in script
