"""Celery tasks of the front of house: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.utils import timezone

from hall import intake, notifications


@shared_task(name="hall.tasks.heartbeat")
def heartbeat() -> str:
    """Proves the worker and beat are alive; the tests use it for a round trip."""
    return timezone.localtime().isoformat()


@shared_task(
    name="hall.tasks.deliver_notification",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=notifications.MAX_ATTEMPTS,
)
def deliver_notification(notification_id: int) -> bool:
    return notifications.notification_deliver(notification_id=notification_id)


@shared_task(name="hall.tasks.drain_outbox")
def drain_outbox() -> int:
    return notifications.outbox_drain()


@shared_task(name="hall.tasks.sweep_deemed_acceptance")
def sweep_deemed_acceptance() -> int:
    return intake.intake_deemed_acceptance_sweep()
