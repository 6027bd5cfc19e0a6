"""PostgreSQL or Redis down: the hall's 503 page (Chinese first, Retry-After), never a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
    }
}


def _is_outage_page(response) -> bool:
    return (
        response.status_code == 503
        and response["Retry-After"]
        and "服务暂时不可用" in response.content.decode()
    )


@pytest.mark.django_db
def test_a_lookup_while_redis_is_down_is_told_to_try_again(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.post("/lookup/", {"receipt_no": "FT2026120100001", "code": "123456"})
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_a_database_error_in_a_view_gives_the_outage_page(client):
    with mock.patch(
        "approvals.guide.views.items_current",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/guide/")
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_a_database_error_before_the_view_gives_the_outage_page_too(client, make_user):
    client.force_login(make_user("outage-clerk", "clerk"))
    client.raise_request_exception = False  # let Django's 500 handler answer, as in production
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = client.get("/window/")
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_any_other_error_gives_the_halls_own_500_page(client):
    client.raise_request_exception = False
    with mock.patch("approvals.guide.views.items_current", side_effect=RuntimeError("bug")):
        response = client.get("/guide/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


ACCEPT_WHILE_REDIS_IS_DOWN = """
import json, time, uuid
import django
django.setup()
from django.contrib.auth.models import User
from hall.intake import decisions, receiving
from hall.intake.common import MaterialMark
from approvals.models import ServiceItem
from hall.models import Applicant, Case

clerk = User.objects.select_related("clerk__window").get(pk={clerk})
started = time.monotonic()
case = receiving.case_receive(
    submission_key=uuid.uuid4(),
    applicant=Applicant.objects.get(pk={person}),
    item=ServiceItem.objects.get(pk={item}),
    answers={{"agent": "no"}},
    received_by=clerk,
    channel=Case.Channel.WINDOW,
    window=clerk.clerk.window,
)
marks = {{m.pk: MaterialMark("received") for m in case.materials.all()}}
decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
decisions.case_accept(case=case, clerk=clerk)
print(json.dumps({{"seconds": time.monotonic() - started, "case": case.pk}}))
"""


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_an_acceptance_while_redis_is_down_is_quick_and_its_messages_follow(
    celery_worker, make_user, settings, tmp_path
):
    """The fault as drilled: Redis down, a clerk receives and accepts a case (19 s before).
    The clerk's process has no broker (its own, a real subprocess); after the outage the real
    worker's sweeps deliver what the acceptance could not enqueue, once each."""
    import datetime
    import json
    import os
    import subprocess
    import sys

    from django.db import connection
    from django.utils import timezone

    from hall.models import Notice, Notification
    from hall.outbox.tasks import drain_outbox
    from tests.factories import ClerkFactory, PersonFactory, item_with_checklist

    clerk = make_user("outage-window-clerk", "clerk")
    ClerkFactory(user=clerk)
    person, item = PersonFactory(), item_with_checklist()
    sms_file = tmp_path / "sms.jsonl"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens: Redis is down
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/0",
        "REDIS_CACHE_URL": "redis://127.0.0.1:1/0",
        "HALL_SMS_BACKEND": "hall.platform.messaging.FileSmsBackend",
        "HALL_SMS_FILE": str(sms_file),
    }
    script = ACCEPT_WHILE_REDIS_IS_DOWN.format(clerk=clerk.pk, person=person.pk, item=item.pk)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["seconds"] < 3, outcome  # was 19 s
    assert result.stderr.count("publishing paused") == 1  # one failed publish, then skipped
    pending = Notification.objects.filter(case_id=outcome["case"]).exclude(channel="inbox")
    assert pending.exists() and set(pending.values_list("status", flat=True)) == {"pending"}

    # Redis is back: the real worker's drain delivers them (as beat would start it), once each
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(sms_file)
    pending.update(created_at=timezone.now() - datetime.timedelta(minutes=1))
    assert drain_outbox.delay().get(timeout=30) == pending.count()
    assert drain_outbox.delay().get(timeout=30) == 0
    assert set(pending.values_list("status", flat=True)) == {"sent"}
    sms_ids = [json.loads(line)["id"] for line in sms_file.read_text().splitlines()]
    assert len(sms_ids) == len(set(sms_ids)) == pending.filter(channel="sms").count()
    assert Notice.objects.filter(case_id=outcome["case"]).exists()


def test_after_a_failed_publish_the_process_stops_trying_for_a_while(settings):
    from hall.platform import broker

    settings.HALL_BROKER_BACKOFF_SECONDS = 60
    calls = []

    def refused():
        calls.append(1)
        raise ConnectionRefusedError("broker down")

    assert broker.broker_publish(refused, what="a test task") is False
    assert broker.broker_publish(lambda: calls.append(2), what="another") is False
    assert calls == [1]  # the second was not even tried
    broker.broker_breaker_reset()
    assert broker.broker_publish(lambda: calls.append(3), what="after the reset") is True
    assert calls == [1, 3]
