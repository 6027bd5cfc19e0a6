"""Failing webhook receivers (issue 33, Open Zaak's #1206 and #2228): the people on both sides
are told, and a receiver failing for a week is paused.

The delivery (hall.outbox.webhooks) keeps `failing_since` on the subscription: set at the first
failed attempt after a success, cleared by the next success. This sweep (every ten minutes)
finds subscriptions with a delivery given up on (FAILED, after every retry) since they were last
told, and tells the client's administrator contact (email) and the hall's security
administrators (inbox) — at most once in 24 hours per subscription. One failing for seven days
is switched off (`paused_at` says why) with a notice; re-enabling it in the admin starts
afresh.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hall.cases import wording
from hall.cases.wording import MessageKind
from hall.models import Notification, WebhookDelivery, WebhookSubscription
from hall.outbox.queue import messages_queue, notification_build
from hall.outbox.webhooks import subscriptions_forget
from hall.roles import SECURITY_ADMINISTRATOR

TELL_EVERY = datetime.timedelta(hours=24)
PAUSE_AFTER = datetime.timedelta(days=7)
TOLD_ROLE = SECURITY_ADMINISTRATOR.group_name  # keeps API clients and their keys (三员分立)


def webhook_failures_tell(*, now: datetime.datetime | None = None) -> int:
    """Tell about (and pause) failing subscriptions; returns how many were told."""
    now = now or timezone.now()
    given_up = WebhookDelivery.objects.filter(
        subscription=OuterRef("pk"), status=WebhookDelivery.Status.FAILED
    )
    candidates = WebhookSubscription.objects.filter(
        is_active=True, failing_since__isnull=False
    ).filter(Q(failure_told_at__isnull=True) | Q(failure_told_at__lte=now - TELL_EVERY))
    told = 0
    for subscription_id in candidates.filter(Exists(given_up)).values_list("pk", flat=True):
        with transaction.atomic():
            subscription = (
                WebhookSubscription.objects.select_for_update(of=("self",))
                .select_related("client")
                .get(pk=subscription_id)
            )
            if not _due(subscription, now):
                continue
            failed = WebhookDelivery.objects.filter(
                subscription=subscription, status=WebhookDelivery.Status.FAILED
            )
            if subscription.failure_told_at is not None:
                failed = failed.filter(attempted_at__gt=subscription.failure_told_at)
            count = failed.count()
            if count == 0:
                continue
            pause = subscription.failing_since <= now - PAUSE_AFTER
            latest = failed.order_by("-attempted_at").first()
            _tell(subscription, now=now, pause=pause, failed=count, error=latest.last_error)
            subscription.failure_told_at = now
            fields = ["failure_told_at"]
            if pause:
                subscription.is_active = False
                subscription.paused_at = now
                fields += ["is_active", "paused_at"]
            subscription.save(update_fields=fields)
            told += 1
            if pause:
                transaction.on_commit(subscriptions_forget)
    return told


def _due(subscription: WebhookSubscription, now: datetime.datetime) -> bool:
    return (
        subscription.is_active
        and subscription.failing_since is not None
        and (
            subscription.failure_told_at is None or subscription.failure_told_at <= now - TELL_EVERY
        )
    )


def _tell(
    subscription: WebhookSubscription,
    *,
    now: datetime.datetime,
    pause: bool,
    failed: int,
    error: str,
) -> None:
    message = wording.WEBHOOK_PAUSED if pause else wording.WEBHOOK_FAILING
    kind = MessageKind.WEBHOOK_PAUSED if pause else MessageKind.WEBHOOK_FAILING
    params = {
        "subscription": str(subscription),
        "url": subscription.url,
        "failed": failed,
        "error": error or "—",
        "since": timezone.localtime(subscription.failing_since).strftime("%Y-%m-%d %H:%M"),
    }
    common = {
        "kind": kind,
        "subject": message.subject % params,
        "body": message.body % params,
    }
    key = f"webhook-{'paused' if pause else 'failing'}:{subscription.pk}:{now:%Y%m%d%H%M}"
    messages = []
    if subscription.client.contact_email:
        messages.append(
            notification_build(
                dedupe_key=f"{key}:email",
                channel=Notification.Channel.EMAIL,
                address=subscription.client.contact_email,
                **common,
            )
        )
    for user_id in User.objects.filter(groups__name=TOLD_ROLE, is_active=True).values_list(
        "pk", flat=True
    ):
        messages.append(
            notification_build(
                dedupe_key=f"{key}:user:{user_id}",
                channel=Notification.Channel.INBOX,
                user_id=user_id,
                **common,
            )
        )
    messages_queue(messages)
