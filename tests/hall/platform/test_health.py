"""`/healthz` reports the database and the broker, up and down, and the sweeps on time or late."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from hall.celery import app as celery_app
from hall.models import SweepHeartbeat
from hall.platform.heartbeats import sweep_heartbeat_record, sweeps_status


def _every_sweep_ran(at=None):
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert sweep_heartbeat_record(task_name=entry["task"], at=at)


def test_healthz_ok_when_both_answer(client, db):
    _every_sweep_ran()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True


@pytest.mark.postgres
def test_healthz_reports_database_down(client, db):
    # Point the live connection at a closed port, as if PostgreSQL had stopped.
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is False
    assert body["database"]["detail"].startswith("postgresql: OperationalError")


@pytest.mark.celery_worker
def test_healthz_reports_broker_down(client, db):
    dead_broker = "redis://127.0.0.1:1/0"
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = dead_broker
    try:
        with override_settings(CELERY_BROKER_URL=dead_broker):
            response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "detail": "redis: OperationalError"}


def test_a_task_outside_the_schedule_writes_no_heartbeat(db):
    assert not sweep_heartbeat_record(task_name="hall.tasks.deliver_notification")
    assert not SweepHeartbeat.objects.exists()


def test_a_heartbeat_is_one_row_per_sweep_moved_forward(db):
    earlier = timezone.now() - datetime.timedelta(minutes=3)
    sweep_heartbeat_record(task_name="approvals.tasks.sweep_deemed_approvals", at=earlier)
    sweep_heartbeat_record(task_name="approvals.tasks.sweep_deemed_approvals")
    (row,) = SweepHeartbeat.objects.all()
    assert row.name == "approvals-deemed-approval-sweep" and row.ran_at > earlier


def test_no_sweep_ever_ran_is_degraded(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200  # the node serves; the hall's sweeps do not run
    body = response.json()
    assert body["status"] == "degraded"
    assert body["sweeps"] == {"ok": False, "detail": "no sweep has run yet", "late": []}


def test_a_sweep_that_stopped_is_named_with_its_age(client, db, settings):
    settings.HALL_SWEEP_GRACE_SECONDS = 120
    now = timezone.now()
    _every_sweep_ran(at=now - datetime.timedelta(seconds=5))
    # the deemed-approval sweep (every 60 s) last ran ten minutes ago
    sweep_heartbeat_record(
        task_name="approvals.tasks.sweep_deemed_approvals", at=now - datetime.timedelta(minutes=10)
    )
    status = sweeps_status()
    assert not status.ok
    assert [late.name for late in status.late] == ["approvals-deemed-approval-sweep"]
    assert 500 <= status.late[0].late_seconds <= 560  # due 9 minutes ago
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["sweeps"]["late"][0]["name"] == "approvals-deemed-approval-sweep"
    assert "approvals-deemed-approval-sweep due" in body["sweeps"]["detail"]


def test_a_sweep_within_its_grace_is_on_time(db, settings):
    settings.HALL_SWEEP_GRACE_SECONDS = 120
    _every_sweep_ran(at=timezone.now() - datetime.timedelta(seconds=100))
    assert sweeps_status().ok
