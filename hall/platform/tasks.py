"""The heartbeat task: proves the worker and beat are alive."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="hall.tasks.heartbeat")
def heartbeat() -> str:
    """Proves the worker and beat are alive; the tests use it for a round trip."""
    return timezone.localtime().isoformat()
