"""Celery tasks of the outbox: deliver one message, drain what a task missed. Thin wrappers that
take ids and call `hall.outbox.delivery`."""

from __future__ import annotations

from celery import shared_task

from hall.outbox import delivery as outbox_delivery
from hall.outbox import webhooks


@shared_task(
    name="hall.tasks.deliver_notification",
    # enqueued from web requests: no result to store, so no result-store connection either
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=outbox_delivery.MAX_ATTEMPTS,
)
def deliver_notification(notification_id: int) -> bool:
    return outbox_delivery.notification_deliver(notification_id=notification_id)


@shared_task(name="hall.tasks.drain_outbox")
def drain_outbox() -> int:
    return outbox_delivery.outbox_drain()


@shared_task(name="hall.tasks.deliver_notifications", ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Deliver a batch queued together (a sweep's): each message exactly as
    `deliver_notification` would, one after another; one that fails is left pending for the
    drain and the rest still go."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += outbox_delivery.notification_deliver(notification_id=notification_id)
        except Exception:
            outbox_delivery.logger.warning(
                "notification %s failed in a batch; left for the outbox drain", notification_id
            )
    return sent


@shared_task(name="hall.tasks.deliver_webhooks", ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """Deliver the webhook rows of one transaction; a receiver that is down is left to the
    sweep's retries."""
    return sum(webhooks.webhook_deliver(delivery_id=pk) for pk in delivery_ids)


@shared_task(name="hall.tasks.sweep_webhooks")
def sweep_webhooks() -> int:
    return webhooks.webhooks_deliver_due()
