"""Structured logs (issue 33): every line with its request id, user, role and case, never an ID
number, phone or code; the id in X-Request-ID and on the 500 page; JSON lines in production."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import RequestFactory

from hall.platform import logs
from hall.platform.outage import server_error
from tests.factories import ClerkFactory


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
