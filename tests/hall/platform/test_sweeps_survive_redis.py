"""Sweeps that never silently stop: a real beat and worker (subprocesses, on a Redis of their
own) outlive that Redis stopped for 60 s, and afterwards everything that fell due in the gap is
acted on exactly once: the deadline deemed once, every SMS sent once."""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.utils import timezone

from approvals.models import CaseStep
from hall.models import CaseEvent, Notification, SweepHeartbeat
from hall.outbox.queue import applicant_notify
from hall.platform.broker import broker_breaker_open
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    open_steps,
    staged_item,
)
from tests.subprocesses import celery_command, celery_environment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_start(port: int) -> None:
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(50):
        if (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode
            == 0
        ):
            return
        time.sleep(0.1)
    raise AssertionError("the test's Redis did not start")


def _redis_stop(port: int) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)


def _wait_for(condition, *, seconds: float, what: str, logs=None):
    """Wait for `condition`; on a timeout say what was awaited and, read then, the logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds:.0f} s for {what}\n{logs() if logs else ''}")


@pytest.fixture
def private_redis():
    port = _free_port()
    _redis_start(port)
    yield port
    _redis_stop(port)


@pytest.fixture
def beat_and_worker(private_redis, tmp_path, settings):
    url = f"redis://127.0.0.1:{private_redis}/0"
    environment = celery_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        CELERY_BROKER_URL=url,
        CELERY_RESULT_BACKEND=url,
        REDIS_CACHE_URL=url,
        HALL_BEAT_SCHEDULER="redis",
        HALL_BEAT_KEY_PREFIX="outage-beat:",
        HALL_BEAT_LOCK_SECONDS="10",
        HALL_SWEEP_SECONDS="2",
        HALL_OUTBOX_SWEEP_SECONDS="2",
        HALL_SMS_BACKEND="hall.platform.messaging.FileSmsBackend",
        HALL_SMS_FILE=str(tmp_path / "sms.jsonl"),
    )
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("worker", "beat")}
    processes = {
        "worker": subprocess.Popen(
            celery_command(
                "-A",
                "hall",
                "worker",
                "--pool=threads",
                "--concurrency=2",
                "-n",
                f"outage-{private_redis}@%h",
                "--loglevel=INFO",
            ),
            env=environment,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        ),
        "beat": subprocess.Popen(
            celery_command(
                "-A", "hall", "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")
            ),
            env=environment,
            stdout=logs["beat"],
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        ),
    }
    yield processes, tmp_path
    for process in processes.values():
        process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    for handle in logs.values():
        handle.close()


def _log(tmp_path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text()[-3000:]


def test_beat_and_worker_outlive_redis_stopped_for_a_minute(roles, private_redis, beat_and_worker):
    processes, tmp_path = beat_and_worker
    # This process never publishes: what reaches the SMS file went through the sweeps.
    broker_breaker_open(seconds=600)
    department = department_with_staff("RS", "区市场监管局", roles)
    case = accepted_case(
        staged_item([[(department, 5)]], lead_department=department), make_clerk(roles)
    )
    (step,) = open_steps(case)
    assert step.deemed_approval
    # Given beat and the worker run their sweeps (their heartbeats arrive)
    _wait_for(
        lambda: (
            SweepHeartbeat.objects.filter(
                name__in=["approvals-deemed-approval-sweep", "hall-outbox-drain"]
            ).count()
            == 2
        ),
        seconds=120,
        what="the first heartbeats",
        logs=lambda: f"{_log(tmp_path, 'beat')}\n{_log(tmp_path, 'worker')}",
    )
    # and a step that falls due in the gap, and messages queued just before it
    due_at = timezone.now() + datetime.timedelta(seconds=10)
    CaseStep.objects.filter(pk=step.pk).update(due_at=due_at)
    applicant_notify(
        case=case, key="outage:1", kind="test", subject="测试", body="停机前排队的短信"
    )
    # When Redis stops for a minute
    _redis_stop(private_redis)
    time.sleep(OUTAGE_SECONDS)
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN  # nothing could act in the gap
    assert processes["beat"].poll() is None, _log(tmp_path, "beat")
    # and comes back (empty: it keeps nothing on disk)
    _redis_start(private_redis)
    # Then the deadline is deemed, once
    _wait_for(
        lambda: CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.DEEMED).exists(),
        # beat's back-off reaches 30 s and the worker's reconnection about as much: on a busy
        # machine the first sweep after the outage can take a minute or two
        seconds=180,
        what="the deemed approval",
        logs=lambda: f"{_log(tmp_path, 'beat')}\n{_log(tmp_path, 'worker')}",
    )
    sms = Notification.objects.filter(case=case, channel="sms")
    _wait_for(
        lambda: not sms.exclude(status="sent").exists(),
        seconds=180,
        what="every SMS sent",
        logs=lambda: _log(tmp_path, "worker"),
    )
    time.sleep(6)  # a few more sweeps: nothing is done twice
    assert CaseEvent.objects.filter(case=case, action="review_deemed").count() == 1
    sms_file = tmp_path / "sms.jsonl"
    sent = [json.loads(line)["id"] for line in sms_file.read_text().splitlines()]
    assert len(sent) == len(set(sent)) == sms.count() >= 2
    # and beat and the worker are still the ones that started
    assert processes["beat"].poll() is None and processes["worker"].poll() is None
    assert "Redis answers again" in (tmp_path / "beat.log").read_text()
