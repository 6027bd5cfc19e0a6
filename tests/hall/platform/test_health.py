"""`/healthz` reports the database and the broker, up and down."""

import pytest
from django.db import connection
from django.test import override_settings

from hall.celery import app as celery_app


def test_healthz_ok_when_both_answer(client, db):
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
