"""Exactly once at the receiver: the attempt is recorded before the gateway is called, the
outbox id goes with every send as the idempotency key, and a delivery whose answer was lost
(PostgreSQL gone mid-send) is sent again with the same key, which the gateway dedupes."""

from __future__ import annotations

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from hall.models import Notification
from hall.outbox import delivery
from hall.outbox.queue import notification_queue
from hall.platform.broker import broker_breaker_open

pytestmark = pytest.mark.postgres


class Gateway:
    """An HTTP SMS gateway that dedupes on the Idempotency-Key header, as real ones do. When
    `kill_pid` is set, it terminates that PostgreSQL backend while holding the request: the
    hall's connection is gone before the gateway answers, like a database stopped mid-send."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.kill_pid: int | None = None
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                gateway.posts.append({"key": key, **body})
                gateway.delivered.setdefault(key, body)
                if gateway.kill_pid is not None:
                    import psycopg

                    with psycopg.connect(
                        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
                    ) as other:
                        other.execute("SELECT pg_terminate_backend(%s)", [gateway.kill_pid])
                        # terminating is asynchronous: answer only once the backend is gone,
                        # or the hall's next statement could still reach it
                        for _attempt in range(100):
                            gone = not other.execute(
                                "SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                [gateway.kill_pid],
                            ).fetchone()
                            if gone:
                                break
                            time.sleep(0.05)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def gateway(settings):
    gateway = Gateway()
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.HttpSmsGatewayBackend"
    settings.HALL_SMS_GATEWAY_URL = gateway.url
    settings.HALL_SMS_GATEWAY_TOKEN = "test-token"
    yield gateway
    gateway.close()


def _queue(n: int) -> list[Notification]:
    """Outbox rows with the broker down: nothing is published, so only the calls of the test
    deliver them (a live worker of the test session would otherwise race them)."""
    broker_breaker_open(seconds=300)
    return [
        notification_queue(
            dedupe_key=f"drill:{i}",
            channel=Notification.Channel.SMS,
            kind="drill",
            subject="提醒",
            body=f"第 {i} 条",
            address="13800138000",
        )
        for i in range(n)
    ]


def test_a_send_carries_the_outbox_id_and_is_recorded_before_and_after(transactional_db, gateway):
    (message,) = _queue(1)
    assert delivery.notification_deliver(notification_id=message.pk) is True
    (post,) = gateway.posts
    assert post["key"] == f"hall-outbox-{message.pk}" == post["id"]
    message.refresh_from_db()
    assert message.status == Notification.Status.SENT
    assert message.attempts == 1 and message.attempted_at is not None
    assert delivery.notification_deliver(notification_id=message.pk) is False  # once
    assert len(gateway.posts) == 1


def test_postgresql_gone_mid_send_still_delivers_each_message_once(transactional_db, gateway):
    """The attack as made: a slow gateway and the database stopped mid-send (2 of 30 twice)."""
    messages = _queue(6)
    for message in messages:
        connection.ensure_connection()
        gateway.kill_pid = connection.connection.info.backend_pid
        with pytest.raises(OperationalError):
            delivery.notification_deliver(notification_id=message.pk)
        connection.close()  # the next query connects again, as a restarted worker would
    gateway.kill_pid = None
    # every message reached the gateway once and its answer was lost: left "sending"
    assert len(gateway.posts) == 6
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert statuses == {Notification.Status.SENDING}
    # too early for the drain to resend
    assert delivery.outbox_drain(grace=datetime.timedelta(0)) == 0
    Notification.objects.update(
        attempted_at=timezone.now() - delivery.sending_stale_after() - datetime.timedelta(seconds=1)
    )
    assert delivery.outbox_drain(grace=datetime.timedelta(0)) == 6
    # sent again, each with its first key: the gateway delivered each message exactly once
    assert len(gateway.posts) == 12
    assert sorted(gateway.delivered) == sorted(f"hall-outbox-{m.pk}" for m in messages)
    assert {p["key"] for p in gateway.posts[6:]} == {p["key"] for p in gateway.posts[:6]}
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failed_send_goes_back_to_pending_and_is_given_up_at_the_limit(
    transactional_db, settings
):
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.HttpSmsGatewayBackend"
    settings.HALL_SMS_GATEWAY_URL = "http://127.0.0.1:1/send"  # refused
    (message,) = _queue(1)
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        with pytest.raises(OSError):
            delivery.notification_deliver(notification_id=message.pk)
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", attempt)
    assert delivery.notification_deliver(notification_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == "failed" and "URLError" in message.last_error
