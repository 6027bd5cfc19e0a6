"""Celery tasks of the front of house. Tasks take ids, reload rows and call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="hall.tasks.heartbeat")
def heartbeat() -> str:
    """Proves the worker and beat are alive; `/healthz` and the tests use it for a round trip."""
    return timezone.localtime().isoformat()
