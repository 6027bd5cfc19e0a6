"""Heartbeats of the periodic sweeps, and which of them are late.

Deadlines are acted on only by the sweeps beat wakes (deemed acceptance and approval, warnings,
the outbox, webhooks: README "How it runs"), so a sweep that silently stops is a deadline
silently missed. Every time a task of the beat schedule ends successfully in a worker, its
entry's heartbeat row is written (one upsert; `sweep_heartbeat_record`, wired to Celery's
`task_success` in `hall.platform.tasks`, the worker's side, never a domain effect). A heartbeat
proves the whole chain ran: beat published, the broker carried it, a worker ran it against the
database. `sweeps_status` says which entries have not run within their period plus a grace
(`HALL_SWEEP_GRACE_SECONDS`), the oldest first; `/healthz` reports it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery.schedules import schedule as every
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from hall.models import SweepHeartbeat

logger = logging.getLogger(__name__)


def _entries() -> dict[str, dict]:
    return settings.CELERY_BEAT_SCHEDULE


def _entry_of_task(task_name: str) -> str | None:
    for name, entry in _entries().items():
        if entry["task"] == task_name:
            return name
    return None


def sweep_heartbeat_record(*, task_name: str, at: datetime.datetime | None = None) -> bool:
    """Record that the beat entry running `task_name` has just run; False for any other task.
    Never raises: a heartbeat lost to a database error shows as a late sweep, which is true."""
    name = _entry_of_task(task_name)
    if name is None:
        return False
    try:
        SweepHeartbeat.objects.bulk_create(
            [SweepHeartbeat(name=name, task=task_name, ran_at=at or timezone.now())],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["task", "ran_at"],
        )
    except DatabaseError:
        logger.warning("heartbeat of %s not recorded", name, exc_info=True)
        return False
    return True


@dataclass(frozen=True)
class LateSweep:
    name: str
    last_ran_at: datetime.datetime | None
    late_seconds: int


@dataclass(frozen=True)
class SweepsStatus:
    ok: bool
    late: list[LateSweep]
    detail: str


def _schedule_of(entry: dict):
    value = entry["schedule"]
    if isinstance(value, int | float):
        return every(datetime.timedelta(seconds=value))
    if isinstance(value, datetime.timedelta):
        return every(value)
    return value  # a celery schedule (crontab)


def sweeps_status(*, now: datetime.datetime | None = None) -> SweepsStatus:
    """Which beat entries are late: not run within their period plus the grace since their last
    heartbeat. An entry that never ran is measured from the first heartbeat of any entry (the
    time the hall's beat and workers first ran), so a fresh start is not reported late."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.HALL_SWEEP_GRACE_SECONDS)
    ran = dict(SweepHeartbeat.objects.values_list("name", "ran_at"))
    if not ran:
        return SweepsStatus(ok=False, late=[], detail="no sweep has run yet")
    first = min(ran.values())
    late = []
    for name, entry in _entries().items():
        last = ran.get(name)
        # remaining_estimate counts from the schedule's own clock (the process's now)
        due_at = timezone.now() + _schedule_of(entry).remaining_estimate(last or first)
        if now - due_at > grace:
            late.append(LateSweep(name, last, int((now - due_at).total_seconds())))
    late.sort(key=lambda sweep: -sweep.late_seconds)
    if not late:
        return SweepsStatus(ok=True, late=[], detail=f"{len(_entries())} sweeps on time")
    oldest = late[0]
    return SweepsStatus(
        ok=False,
        late=late,
        detail=f"{len(late)} late; {oldest.name} due {oldest.late_seconds} s ago",
    )
