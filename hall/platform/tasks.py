"""The platform's tasks: the heartbeat, and the security log's retention sweep."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from hall.platform import audit


@shared_task(name="hall.tasks.heartbeat")
def heartbeat() -> str:
    """Proves the worker and beat are alive; the tests use it for a round trip."""
    return timezone.localtime().isoformat()


@shared_task(name="hall.tasks.purge_security_log")
def purge_security_log() -> int:
    return audit.security_log_purge(keep_days=settings.HALL_SECURITY_LOG_DAYS)
