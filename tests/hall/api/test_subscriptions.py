"""A webhook receiver that keeps failing: both sides are told once a day, and after a week the
subscription is paused with notice (issue 33; open-zaak #1206, #2228)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hall.api.subscriptions import webhook_failures_tell
from hall.models import Notification, WebhookDelivery, WebhookSubscription
from hall.outbox import webhooks
from tests.dates import shanghai
from tests.hall.outbox.test_webhooks import Receiver, accept_filed_by, free_port, platform

pytestmark = pytest.mark.postgres


def give_up(subscription) -> None:
    """Drive the real delivery through every retry against a receiver that is down."""
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        WebhookDelivery.objects.filter(subscription=subscription, status="pending").update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        webhooks.webhooks_deliver_due()


@pytest.fixture
def security_admin(make_user):
    return make_user("security-sun", "security_admin")


def test_both_sides_are_told_once_a_day_and_a_week_of_failure_pauses(
    transactional_db, clerk, security_admin, time_machine
):
    time_machine.move_to(shanghai(2026, 10, 12))  # a Monday; the test moves the clock itself
    port = free_port()  # nobody listens
    subscription = platform(port, ["accepted"])
    client = subscription.client
    client.contact_email = "ops@platform.example"
    client.save()
    accept_filed_by(client, clerk)
    give_up(subscription)
    subscription.refresh_from_db()
    assert WebhookDelivery.objects.get().status == "failed"
    assert subscription.failing_since is not None and subscription.is_active

    assert webhook_failures_tell() == 1
    told = Notification.objects.filter(kind="webhook_failing")
    assert {(n.channel, n.recipient_address or n.recipient_user_id) for n in told} == {
        ("email", "ops@platform.example"),
        ("inbox", security_admin.pk),
    }
    assert "Connection refused" in told.first().body
    # not again the same day, even with another delivery given up on
    time_machine.shift(datetime.timedelta(hours=1))
    accept_filed_by(client, clerk)
    give_up(subscription)
    assert webhook_failures_tell() == 0
    time_machine.shift(datetime.timedelta(hours=24))
    assert webhook_failures_tell() == 1
    assert Notification.objects.filter(kind="webhook_failing").count() == 4
    # a week after the failures began: paused, with notice, and no new deliveries queued
    time_machine.shift(datetime.timedelta(days=6))
    accept_filed_by(client, clerk)
    give_up(subscription)
    assert webhook_failures_tell() == 1
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.paused_at is not None
    assert Notification.objects.filter(kind="webhook_paused", channel="email").exists()
    webhooks.subscriptions_forget()
    before = WebhookDelivery.objects.count()
    accept_filed_by(client, clerk)
    assert WebhookDelivery.objects.count() == before


def test_a_success_ends_the_failing_spell(transactional_db, clerk):
    port = free_port()
    subscription = platform(port, ["accepted"])
    accept_filed_by(subscription.client, clerk)
    webhooks.webhooks_deliver_due()  # refused: failing
    subscription.refresh_from_db()
    assert subscription.failing_since is not None
    receiver = Receiver(subscription.secret, port)
    try:
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert webhooks.webhooks_deliver_due() == 1
    finally:
        receiver.close()
    subscription.refresh_from_db()
    assert subscription.failing_since is None
    assert webhook_failures_tell() == 0  # nothing given up on, nobody told
    assert not Notification.objects.filter(kind="webhook_failing").exists()


def test_the_admin_shows_the_weeks_success_rate_and_re_enabling_starts_afresh(
    transactional_db,
    clerk,
    client,
    make_user,
):
    admin_user = make_user("security-qian", "security_admin", is_staff=True)
    subscription = platform(free_port(), ["accepted"])
    accept_filed_by(subscription.client, clerk)
    webhooks.webhooks_deliver_due()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=False, paused_at=timezone.now()
    )
    client.force_login(admin_user)
    page = client.get("/admin/hall/webhooksubscription/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "近 7 天成功率" in body and "0%" in body and "Connection refused" in body
    change = f"/admin/hall/webhooksubscription/{subscription.pk}/change/"
    form = client.get(change).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if k in form.fields}}
    data.update(
        {
            "url": subscription.url,
            "event_types": ["accepted"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        }
    )
    assert client.post(change, data).status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.paused_at is None
    assert subscription.failing_since is None
