"""The outbox: services that queue messages and deliver them exactly once per dedupe key.

Queuing writes a row in the caller's transaction and asks a Celery task to deliver it once the
transaction commits. A periodic drain delivers whatever the task missed (broker down, worker
lost), so a message is never lost; the row lock and the status check make sure it is never sent
twice.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from hall.messaging import email_send, sms_backend
from hall.models import Case, CaseEvent, Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notification_queue(
    *,
    dedupe_key: str,
    channel: str,
    kind: str,
    subject: str,
    body: str,
    case: Case | None = None,
    user: User | None = None,
    address: str = "",
) -> Notification | None:
    """Queue one message; a second call with the same key does nothing and returns None."""
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "kind": kind,
            "subject": subject[:200],
            "body": body,
            "case": case,
            "recipient_user": user,
            "recipient_address": address,
        },
    )
    if not created:
        return None
    if channel != Notification.Channel.INBOX:
        from hall.tasks import deliver_notification

        transaction.on_commit(lambda: _enqueue(deliver_notification, notification.pk))
    return notification


def _enqueue(task, notification_id: int) -> None:
    try:
        task.delay(notification_id)
    except Exception:  # the broker is down: the periodic drain will deliver it
        logger.warning(
            "broker unavailable; notification %s left for the outbox drain", notification_id
        )


def owner_notify(*, case: Case, event: CaseEvent, label: str) -> None:
    notification_queue(
        dedupe_key=f"event:{event.pk}:owner",
        channel=Notification.Channel.INBOX,
        kind=event.action,
        subject=f"{case.receipt_no} {label}",
        body=f"您首问负责的办件 {case.receipt_no}（{case.item.name}）：{label}。",
        case=case,
        user=case.owner,
    )


def staff_notify(*, user: User, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    notification_queue(
        dedupe_key=f"{key}:user:{user.pk}",
        channel=Notification.Channel.INBOX,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        user=user,
    )


def applicant_notify(*, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    """Tell the applicant by SMS, and by email when they gave an address; once per key."""
    applicant = case.applicant
    notification_queue(
        dedupe_key=f"{key}:sms",
        channel=Notification.Channel.SMS,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        address=applicant.phone,
    )
    if applicant.email:
        notification_queue(
            dedupe_key=f"{key}:email",
            channel=Notification.Channel.EMAIL,
            kind=kind,
            subject=subject,
            body=body,
            case=case,
            address=applicant.email,
        )
    if applicant.user_id:
        notification_queue(
            dedupe_key=f"{key}:inbox",
            channel=Notification.Channel.INBOX,
            kind=kind,
            subject=subject,
            body=body,
            case=case,
            user=applicant.user,
        )


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


def inbox_for(*, user: User):
    return Notification.objects.filter(
        recipient_user=user, channel=Notification.Channel.INBOX
    ).select_related("case")
