"""/metrics (issue 33): Prometheus's text, only to the scraper, every request timed and its
queries counted without a query of its own, the hall's gauges read from the database."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hall.models import Notification
from tests.hall.platform.test_sweeps_survive_redis import (  # noqa: F401  (a fixture)
    private_redis,
)


def scrape(client, **headers) -> dict[str, list]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        family.name: family.samples
        for family in text_string_to_metric_families(response.content.decode())
    }


def value(samples, **labels) -> float:
    return next(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


def test_only_the_scraper_gets_the_metrics(client, db, settings):
    settings.HALL_METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics").status_code == 200  # the loopback is allowed
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
    assert wrong.status_code == 404
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-token-0123456789", **outside)[
        "hall_outbox_backlog"
    ]


def test_a_request_is_timed_by_its_view_and_its_queries_counted(client, db):
    client.get("/guide/")
    families = scrape(client)
    timed = families["hall_http_request_seconds"]
    assert value(timed, view="guide:catalogue", method="GET", status="200") >= 0
    counted = [
        s
        for s in families["hall_http_request_db_queries"]
        if s.labels.get("view") == "guide:catalogue" and s.name.endswith("_count")
    ]
    assert counted and counted[0].value >= 1


def test_the_middleware_adds_no_query(client, db, settings):
    client.get("/guide/")  # warm caches
    with CaptureQueriesContext(connection) as measured:
        client.get("/guide/")
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "hall.platform.metrics.RequestMetrics"
    ]
    with CaptureQueriesContext(connection) as bare:
        client.get("/guide/")
    assert len(measured.captured_queries) == len(bare.captured_queries)


@pytest.mark.django_db
def test_the_outbox_gauges_follow_the_database(client, time_machine):
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 10, 12, 10, 0), tick=False)
    Notification.objects.create(
        dedupe_key="m-1",
        channel="sms",
        kind="accepted",
        subject="s",
        body="b",
        recipient_address="13800138000",
    )
    time_machine.move_to(shanghai(2026, 10, 12, 10, 5), tick=False)
    Notification.objects.create(
        dedupe_key="m-2", channel="inbox", kind="accepted", subject="s", body="b"
    )
    families = scrape(client)
    assert value(families["hall_outbox_backlog"]) == 1  # the inbox needs no sending
    assert value(families["hall_outbox_oldest_seconds"]) == 300
    assert value(families["hall_sms_sent_within_10s_ratio"]) == 1.0
    Notification.objects.filter(dedupe_key="m-1").update(
        status="sent", sent_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    families = scrape(client)
    assert value(families["hall_outbox_backlog"]) == 0
    # queued at 10:00, sent at 10:04:59: far outside the 10-second KPI
    assert value(families["hall_sms_sent_within_10s_ratio"]) == 0.0
    assert value(families["hall_cases_open"], status="received") == 0


@pytest.mark.django_db
def test_beats_liveness_is_the_age_of_the_newest_heartbeat(client, time_machine):
    from hall.models import SweepHeartbeat
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 10, 12, 10, 0), tick=False)
    assert value(scrape(client)["hall_sweep_last_run_age_seconds"]) == -1  # nothing ran yet
    SweepHeartbeat.objects.create(name="a", task="t.a", ran_at=timezone.now())
    SweepHeartbeat.objects.create(
        name="b", task="t.b", ran_at=timezone.now() - datetime.timedelta(minutes=7)
    )
    time_machine.move_to(shanghai(2026, 10, 12, 10, 3), tick=False)
    assert value(scrape(client)["hall_sweep_last_run_age_seconds"]) == 180


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_host_serves_its_pools_task_metrics(private_redis, tmp_path):  # noqa: F811
    """A real prefork worker (a subprocess, its own Redis) with HALL_WORKER_METRICS_PORT: its
    main process serves the task durations its pool's processes measured."""
    import socket
    import subprocess
    import time
    import urllib.request

    from celery import Celery
    from django.conf import settings

    from tests.subprocesses import celery_command, celery_environment

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{private_redis}/0"
    samples = tmp_path / "metrics"
    samples.mkdir()
    environment = celery_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        CELERY_BROKER_URL=url,
        CELERY_RESULT_BACKEND=url,
        REDIS_CACHE_URL=url,
        PROMETHEUS_MULTIPROC_DIR=str(samples),
        HALL_WORKER_METRICS_PORT=str(port),
    )
    client = Celery(broker=url, backend=url, set_as_current=False)
    worker = subprocess.Popen(
        celery_command("-A", "hall", "-q", "worker", "--pool=prefork", "--concurrency=2"),
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=settings.BASE_DIR,
    )
    try:
        results = [client.send_task("hall.tasks.heartbeat") for _ in range(3)]
        assert all(result.get(timeout=60) for result in results)
        deadline, families = time.monotonic() + 20, {}
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    families = {
                        family.name: family.samples
                        for family in text_string_to_metric_families(r.read().decode())
                    }
            except OSError:
                families = {}
            counts = [
                sample
                for sample in families.get("hall_celery_task_seconds", [])
                if sample.name.endswith("_count")
            ]
            if counts and value(counts, task="hall.tasks.heartbeat") >= 3:
                break
            time.sleep(0.5)
    finally:
        client.close()
        worker.terminate()
        worker.wait(timeout=20)
    assert value(counts, task="hall.tasks.heartbeat") == 3
