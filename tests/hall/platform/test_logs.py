"""Structured logs (issue 33): every line with its request id, user, role and case, never an ID
number, phone or code; the id in X-Request-ID and on the 500 page; JSON lines in production."""

from __future__ import annotations

import json
import logging
import logging.config
import re
import subprocess
import time

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from hall.platform import logs
from hall.platform.outage import server_error
from tests.factories import ClerkFactory
from tests.hall.platform.test_sweeps_survive_redis import (  # noqa: F401  (a fixture)
    private_redis,
)
from tests.subprocesses import celery_command, celery_environment


@pytest.fixture
def captured():
    """The production handler's filters on a handler of the test's own."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(logs.RequestContextFilter())
    handler.addFilter(logs.Redacted())
    root = logging.getLogger()
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)


def test_every_response_carries_a_request_id_and_a_well_formed_one_is_kept(client, db):
    made = client.get("/")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/", HTTP_X_REQUEST_ID="platform-req-0001")["X-Request-ID"] == (
        "platform-req-0001"
    )
    for bad in ("<script>alert(1)</script>", "a" * 65, "ok-but\nnewline", ""):
        kept = client.get("/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert kept != bad and len(kept) == 32


def test_a_log_line_names_the_request_user_role_and_case(client, make_user, captured):
    clerk = make_user("clerk-log", "clerk")
    ClerkFactory(user=clerk)
    client.force_login(clerk)
    response = client.get("/window/case/FT2026101299999/", HTTP_X_REQUEST_ID="req-for-the-log-1")
    assert response.status_code == 404
    (line,) = [r for r in captured if r.name == "django.request"]
    assert line.request_id == "req-for-the-log-1"
    assert line.user_id == clerk.pk and line.role == "clerk"
    assert line.case == "FT2026101299999"


def test_numbers_and_codes_never_reach_a_log(captured):
    logging.getLogger("hall.test").warning(
        "applicant %s phone %s 验证码 %s", "11010519491231002X", "13800138000", "654321"
    )
    (line,) = [r for r in captured if r.name == "hall.test"]
    text = line.getMessage()
    assert "11010519491231002X" not in text and "13800138000" not in text
    assert "654321" not in text
    assert "110105********002X" in text and "138****8000" in text
    assert logs.redacted("receipt FT2026101200001 at 10:00") == "receipt FT2026101200001 at 10:00"


def test_the_500_page_shows_the_id_to_quote(db):
    request = RequestFactory().get("/")
    request.request_id = "0123456789abcdef0123456789abcdef"
    page = server_error(request)
    assert page.status_code == 500
    assert "0123456789abcdef0123456789abcdef" in page.content.decode()


def test_production_writes_json_lines():
    config = settings.LOGGING["formatters"]["json"]
    formatter = logging.config.DictConfigurator({}).configure_formatter(dict(config))
    record = logging.LogRecord("hall.x", logging.INFO, __file__, 1, "办件已受理", None, None)
    logs.RequestContextFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "办件已受理" and line["level"] == "INFO"
    assert {"time", "logger", "request_id", "user_id", "role", "case"} <= set(line)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_json_lines_with_the_tasks_id(private_redis, tmp_path):  # noqa: F811
    """A real worker (a subprocess, its own Redis) with HALL_LOG_FORMAT=json: every log line is
    JSON, and the lines written while a task runs carry its id and name."""

    url = f"redis://127.0.0.1:{private_redis}/0"
    environment = celery_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        CELERY_BROKER_URL=url,
        CELERY_RESULT_BACKEND=url,
        REDIS_CACHE_URL=url,
        HALL_LOG_FORMAT="json",
    )
    # Not the current app: a Celery() made current would carry this process's shared tasks (and
    # the session's live worker's results) to this test's Redis, which stops with the test.
    client = Celery(broker=url, backend=url, set_as_current=False)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        celery_command("-A", "hall", "-q", "worker", "--pool=solo", "--loglevel=INFO"),
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    try:
        result = client.send_task("hall.tasks.heartbeat")
        assert result.get(timeout=60)
        deadline = time.monotonic() + 20
        lines: list[dict] = []
        while time.monotonic() < deadline:
            text = (tmp_path / "worker.log").read_text()
            # Python's own warnings (running as root here) are not log lines
            lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
            if any(line.get("task") == "hall.tasks.heartbeat" for line in lines):
                break
            time.sleep(0.5)
    finally:
        client.close()
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
    ran = [line for line in lines if line.get("task") == "hall.tasks.heartbeat"]
    assert ran and all(line["request_id"] == result.id for line in ran)
    # nothing in Celery's own plain format ("[2026-12-07 10:00:00,000: INFO/MainProcess] ...")
    assert not re.search(r"^\[\d{4}-\d\d-\d\d ", text, re.MULTILINE)
