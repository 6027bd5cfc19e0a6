"""Celery tasks of 免申即享: thin wrappers over hall.benefits.finding and hall.benefits.grants."""

from __future__ import annotations

from celery import shared_task

from hall.benefits import finding, grants
from hall.platform.broker import broker_publish


@shared_task(name="hall.benefits.offers_find", ignore_result=True)
def offers_find() -> int:
    return finding.benefit_offers_find()


@shared_task(name="hall.benefits.grants_issue", ignore_result=True)
def grants_issue() -> int:
    return grants.benefit_grants_issue()


def grants_issue_enqueue() -> None:
    """After a list's commit: grant now (the minute sweep catches up if the broker is down)."""
    broker_publish(lambda: grants_issue.delay(), what="benefit grants")
