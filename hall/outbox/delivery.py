"""Delivering messages once per key, and exactly once at a receiver that dedupes.

A delivery is in three steps, each its own short transaction: claim the row (status "sending",
the attempt counted and timed: recorded *before* the gateway is called), send with the outbox
row's id as the idempotency key, then record the answer. A second deliverer skips a claimed row.
When the process dies or PostgreSQL goes away between sending and recording, the row stays
"sending"; after `HALL_OUTBOX_STALE_SECONDS` the drain sends it again with the same key, and a
gateway that honours the key (the HTTP adapter passes it as `Idempotency-Key`) delivers it once. A
gateway without idempotency support may then get it twice: delivery to it is at least once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hall.models import Notification
from hall.platform.messaging import email_send, sms_backend
from hall.platform.secret_box import SECRET_MASK, secret_unseal

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
Status = Notification.Status


def idempotency_key(notification: Notification) -> str:
    return f"hall-outbox-{notification.pk}"


def sending_stale_after() -> datetime.timedelta:
    """How long a claimed row may stay "sending" before it counts as abandoned: longer than any
    gateway call (its timeout is 10 s), short enough that a crashed worker's messages go out
    soon. Five minutes by default; the scale-out drill sets 20 s."""
    return datetime.timedelta(seconds=settings.HALL_OUTBOX_STALE_SECONDS)


def _deliverable(now: datetime.datetime) -> Q:
    return Q(status=Status.PENDING) | Q(
        status=Status.SENDING, attempted_at__lt=now - sending_stale_after()
    )


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending message. True if this call sent it; False if there was nothing to send
    (already sent, being sent by another deliverer, or given up). A failure is recorded and
    re-raised so that the Celery task retries, until MAX_ATTEMPTS."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_deliverable(now), pk=notification_id)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        notification.status = Status.SENDING
        notification.attempted_at = now
        notification.save(update_fields=["attempts", "status", "attempted_at"])
    try:
        _send(notification)
    except Exception as error:
        given_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status=Status.FAILED if given_up else Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:300],
            **({"sealed_secret": ""} if given_up else {}),
        )
        if given_up:
            return False
        raise
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error="", sealed_secret=""
    )
    return True


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.SMS:
        text = f"【{notification.subject}】{notification.body}"
        secret = ""
        if notification.sealed_secret:  # put back only in the text the gateway gets
            secret = secret_unseal(notification.sealed_secret)
            text = text.replace(SECRET_MASK, secret, 1)
        sms_backend().send(
            phone=notification.recipient_address,
            text=text,
            message_id=notification.dedupe_key,
            idempotency_key=idempotency_key(notification),
            secret=secret,
        )
    elif notification.channel == Notification.Channel.EMAIL:
        email_send(
            address=notification.recipient_address,
            subject=notification.subject,
            body=notification.body,
            idempotency_key=idempotency_key(notification),
        )


def outbox_drain(*, grace: datetime.timedelta = datetime.timedelta(seconds=30), batch: int = 200):
    """Deliver pending messages older than `grace` (younger ones are still with their task),
    and those left "sending" by a delivery that died before recording the gateway's answer."""
    now = timezone.now()
    pending_ids = list(
        Notification.objects.filter(_deliverable(now), created_at__lte=now - grace)
        .exclude(channel=Notification.Channel.INBOX)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    sent = 0
    for notification_id in pending_ids:
        try:
            sent += notification_deliver(notification_id=notification_id)
        except Exception:
            logger.exception("outbox: delivery of %s failed; will retry", notification_id)
    return sent
