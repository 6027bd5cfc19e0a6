"""Webhooks: case events reach the clients that may see the case, as signed CloudEvents through
the outbox; a receiver that is down gets each event once when it comes back."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import importlib
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks
from django.apps import apps as django_apps
from django.utils import timezone

from hall.admin import WebhookSubscriptionForm
from hall.api.keys import api_key_issue
from hall.cases import applicants
from hall.intake import decisions, receiving
from hall.intake.common import MaterialMark
from hall.models import ApiClient, Case, WebhookDelivery, WebhookSubscription
from hall.outbox import webhooks
from hall.platform.broker import broker_breaker_open
from tests.factories import ClerkFactory, item_with_checklist

pytestmark = pytest.mark.postgres


class Receiver:
    """A client's webhook endpoint written against the Standard Webhooks specification's text
    (not the hall's code): the key is the base64 after ``whsec_``; the signed content is
    ``id.timestamp.body``; the header may carry several space-separated signatures, one of
    which must match; the timestamp must be within five minutes."""

    def __init__(self, secret: str, port: int) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.received: list[dict] = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message_id = self.headers["webhook-id"]
                timestamp = self.headers["webhook-timestamp"]
                expected = base64.b64encode(
                    hmac.new(
                        receiver.key,
                        f"{message_id}.{timestamp}.".encode() + body,
                        hashlib.sha256,
                    ).digest()
                ).decode()
                given = [
                    part.removeprefix("v1,")
                    for part in self.headers["webhook-signature"].split(" ")
                    if part.startswith("v1,")
                ]
                fresh = abs(time.time() - int(timestamp)) < 300
                if not (any(hmac.compare_digest(expected, g) for g in given) and fresh):
                    receiver.rejected += 1
                    self.send_response(401)
                else:
                    receiver.received.append(
                        {"id": message_id, "event": json.loads(body), **self.headers}
                    )
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ReferenceReceiver(Receiver):
    """The same endpoint checking with the reference library from the package registry
    (`standardwebhooks`, written by the specification's authors, not here)."""

    def __init__(self, secret: str, port: int) -> None:
        self.verifier = standardwebhooks.Webhook(secret)
        self.received = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    event = receiver.verifier.verify(body, dict(self.headers.items()))
                except standardwebhooks.webhooks.WebhookVerificationError:
                    receiver.rejected += 1
                    self.send_response(401)
                else:
                    receiver.received.append({"id": self.headers["webhook-id"], "event": event})
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def platform(port: int, events: list[str]) -> WebhookSubscription:
    client = ApiClient.objects.create(name=f"platform-{port}", scopes=["cases:file", "cases:read"])
    api_key_issue(client=client)
    return WebhookSubscription.objects.create(
        client=client, url=f"http://127.0.0.1:{port}/hook", event_types=events
    )


def accept_filed_by(client: ApiClient | None, clerk, *, broker_up: bool = False) -> Case:
    """A case received and accepted. Unless `broker_up`, with the broker down (nothing is
    published), so that only the test's sweeps deliver and no live worker races them."""
    if not broker_up:
        broker_breaker_open(seconds=300)
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicants.applicant_register(
            kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
        ),
        item=item_with_checklist(),
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
        filed_by_client=client,
    )
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
    decisions.case_accept(case=case, clerk=clerk)
    return case


@pytest.fixture(autouse=True)
def receivers_on_this_machine_allowed(settings):
    """The receivers of these tests listen on 127.0.0.1, which the hall refuses unless a
    network is allowed on purpose (the refusal itself is tested below, with no allowance)."""
    settings.HALL_EGRESS_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def clerk(make_user):
    user = make_user("webhook-clerk", "clerk")
    ClerkFactory(user=user)
    return user


def test_a_receiver_that_is_down_gets_the_event_once_when_it_is_back(transactional_db, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    other = platform(free_port(), ["accepted"])  # another platform: not its case
    case = accept_filed_by(subscription.client, clerk)
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.subscription == subscription and delivery.event_type == "accepted"
    assert not WebhookDelivery.objects.filter(subscription=other).exists()
    # the receiver is down: the attempt is recorded and retried later, with back-off
    assert webhooks.webhooks_deliver_due() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > timezone.now() and "Connection refused" in delivery.last_error
    assert webhooks.webhooks_deliver_due() == 0  # not due yet: nothing is sent
    # it comes back; the retry is due
    receiver = Receiver(subscription.secret, port)
    try:
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(1))
        assert webhooks.webhooks_deliver_due() == 1
        assert webhooks.webhooks_deliver_due() == 0
    finally:
        receiver.close()
    assert receiver.rejected == 0
    (got,) = receiver.received
    event = got["event"]
    assert event["specversion"] == "1.0"
    assert event["type"] == "cn.gov.hall.case.accepted"
    assert event["subject"] == case.receipt_no and event["data"]["case_status"] == "accepted"
    assert got["Content-Type"].startswith("application/cloudevents+json")
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(transactional_db, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    accept_filed_by(subscription.client, clerk)
    receiver = Receiver(webhooks.webhook_secret_new(), port)  # someone else's secret
    try:
        assert webhooks.webhooks_deliver_due() == 0
    finally:
        receiver.close()
    assert receiver.rejected == 1 and receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 401


def test_the_reference_library_verifies_the_halls_deliveries(transactional_db, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    assert subscription.secret.startswith("whsec_")
    assert len(base64.b64decode(subscription.secret.removeprefix("whsec_"))) == 32
    case = accept_filed_by(subscription.client, clerk)
    receiver = ReferenceReceiver(subscription.secret, port)
    try:
        assert webhooks.webhooks_deliver_due() == 1
    finally:
        receiver.close()
    assert receiver.rejected == 0
    (got,) = receiver.received
    assert got["event"]["subject"] == case.receipt_no


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(transactional_db, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    old = subscription.secret
    rotated = webhooks.webhook_secret_rotate(
        subscription=subscription, overlap=datetime.timedelta(hours=24)
    )
    assert rotated.secret != old and rotated.previous_secret == old

    def deliver_to(secret: str) -> ReferenceReceiver:
        accept_filed_by(subscription.client, clerk)
        receiver = ReferenceReceiver(secret, port)
        try:
            webhooks.webhooks_deliver_due()
        finally:
            receiver.close()
        return receiver

    # during the overlap a receiver still on the old secret and one on the new both verify
    assert len(deliver_to(old).received) == 1
    assert len(deliver_to(rotated.secret).received) == 1
    # after it, only the new secret signs
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    late = deliver_to(old)
    assert late.received == [] and late.rejected == 1
    WebhookDelivery.objects.filter(status="pending").update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert len(deliver_to(rotated.secret).received) == 2  # the refused one, and a new one


def test_a_secret_from_before_keeps_its_key(db):
    """The migration turns a hex secret (whose bytes were the key) into its whsec_ form: a
    receiver configured with either value computes the same signature."""
    migration = importlib.import_module("hall.migrations.0037_webhook_secrets_standard")
    client = ApiClient.objects.create(name="old-platform", scopes=["cases:read"])
    old = "ab" * 32
    subscription = WebhookSubscription.objects.create(
        client=client, url="https://platform.example/hook", secret=old
    )
    migration.secrets_as_standard(django_apps, None)
    subscription.refresh_from_db()
    assert subscription.secret == "whsec_" + base64.b64encode(old.encode()).decode()
    before = base64.b64encode(
        hmac.new(old.encode(), b"msg_1.1700000000.{}", hashlib.sha256).digest()
    ).decode()
    now = webhooks.signature(
        secret=subscription.secret, message_id="msg_1", timestamp=1700000000, body=b"{}"
    )
    assert now == f"v1,{before}"
    migration.secrets_as_before(django_apps, None)
    subscription.refresh_from_db()
    assert subscription.secret == old


def test_events_not_subscribed_and_cases_of_nobody_make_no_delivery(transactional_db, clerk):
    subscription = platform(free_port(), ["decided"])
    accept_filed_by(subscription.client, clerk)  # accepted, but only "decided" is wanted
    accept_filed_by(None, clerk)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.celery_worker
def test_the_worker_delivers_after_the_commit(celery_worker, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    receiver = Receiver(subscription.secret, port)
    try:
        accept_filed_by(subscription.client, clerk, broker_up=True)
        deadline = time.monotonic() + 20
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        receiver.close()
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "sent"


class Redirector:
    """A receiver that answers every POST with a 302 to another address (the attack's)."""

    def __init__(self, port: int, location: str) -> None:
        self.posts = 0
        redirector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                self.rfile.read(int(self.headers["Content-Length"]))
                redirector.posts += 1
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_is_not_followed_and_the_delivery_is_not_counted_as_sent(
    transactional_db, clerk
):
    # the hall's own network, as the 302 says
    inside = Receiver(webhooks.webhook_secret_new(), free_port())
    subscription = platform(free_port(), ["accepted"])
    redirector = Redirector(
        int(subscription.url.split(":")[2].split("/")[0]),
        f"http://127.0.0.1:{inside.server.server_port}/internal",
    )
    try:
        accept_filed_by(subscription.client, clerk)
        assert webhooks.webhooks_deliver_due() == 0
    finally:
        redirector.close()
        inside.close()
    (delivery,) = WebhookDelivery.objects.all()
    assert redirector.posts == 1 and inside.received == [] and inside.rejected == 0
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert "not followed" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://localhost:{port}/hook",
        "http://[::1]:{port}/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://0.0.0.0:{port}/hook",
    ],
)
def test_a_receiver_inside_the_hall_is_refused_at_send_time(transactional_db, clerk, settings, url):
    port = free_port()
    receiver = Receiver(webhooks.webhook_secret_new(), port)
    subscription = platform(port, ["accepted"])
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=url.format(port=port))
    settings.HALL_EGRESS_ALLOWED_NETWORKS = []  # nothing allowed on purpose
    webhooks.subscriptions_forget()
    try:
        accept_filed_by(subscription.client, clerk)
        assert webhooks.webhooks_deliver_due() == 0
    finally:
        receiver.close()
    (delivery,) = WebhookDelivery.objects.all()
    assert receiver.received == [] and receiver.rejected == 0  # nothing reached it
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error.startswith("refused:")


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://127.0.0.1:8080/hook", False),
        ("https://169.254.169.254/", False),
        ("https://192.168.1.10/hook", False),
        ("https://[fd00::1]/hook", False),
        ("ftp://8.8.8.8/hook", False),
        ("https://user:pw@8.8.8.8/hook", False),
        ("https://8.8.8.8/hook", True),
    ],
)
def test_the_admin_form_refuses_an_address_the_worker_could_not_send_to(
    db, settings, url, accepted
):
    settings.HALL_EGRESS_ALLOWED_NETWORKS = []
    form = WebhookSubscriptionForm(
        data={"url": url, "event_types": ["accepted"], "is_active": "on"}
    )
    assert form.is_valid() is accepted, form.errors
    if not accepted:
        assert form.errors["url"]


def test_an_allowed_network_is_reachable_on_purpose(db, settings):
    settings.HALL_EGRESS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    allowed = WebhookSubscriptionForm(data={"url": "http://10.20.3.4/hook", "event_types": []})
    refused = WebhookSubscriptionForm(data={"url": "http://10.21.3.4/hook", "event_types": []})
    assert allowed.is_valid() and not refused.is_valid()
