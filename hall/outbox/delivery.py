"""Delivering messages exactly once per key: the row lock and the status check make a second
deliverer skip it; the periodic drain delivers what a task missed (broker down, worker lost)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from hall.models import Notification
from hall.platform.messaging import email_send, sms_backend

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending message. True if this call sent it; False if it was not pending.

    The row stays locked while the backend sends, so a concurrent deliverer skips it; a failure
    counts an attempt and re-raises so that the Celery task retries.
    """
    failure: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            _send(notification)
        except Exception as error:
            # Recorded in this transaction, which commits; the error is raised after it.
            failure = error
            notification.last_error = f"{type(error).__name__}: {error}"[:300]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if failure is not None and notification.status != Notification.Status.FAILED:
        raise failure
    return failure is None


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.SMS:
        sms_backend().send(
            phone=notification.recipient_address,
            text=f"【{notification.subject}】{notification.body}",
            message_id=notification.dedupe_key,
        )
    elif notification.channel == Notification.Channel.EMAIL:
        email_send(
            address=notification.recipient_address,
            subject=notification.subject,
            body=notification.body,
        )


def outbox_drain(*, grace: datetime.timedelta = datetime.timedelta(seconds=30), batch: int = 200):
    """Deliver pending messages older than `grace` (younger ones are still with their task)."""
    cutoff = timezone.now() - grace
    pending_ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lte=cutoff)
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
