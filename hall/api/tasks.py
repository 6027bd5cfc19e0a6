"""Celery tasks of the API's side: the failing-receivers sweep (hall.api.subscriptions) and the
removal of uploads no filing referenced (hall.online.filing)."""

from __future__ import annotations

from celery import shared_task

from hall.api.subscriptions import webhook_failures_tell
from hall.online.filing import api_uploads_purge


@shared_task(name="hall.tasks.tell_webhook_failures", ignore_result=True)
def tell_webhook_failures() -> int:
    return webhook_failures_tell()


@shared_task(name="hall.tasks.purge_api_uploads", ignore_result=True)
def purge_api_uploads() -> int:
    return api_uploads_purge()
