"""Celery task of the API's side: the failing-receivers sweep (hall.api.subscriptions)."""

from __future__ import annotations

from celery import shared_task

from hall.api.subscriptions import webhook_failures_tell


@shared_task(name="hall.tasks.tell_webhook_failures", ignore_result=True)
def tell_webhook_failures() -> int:
    return webhook_failures_tell()
