"""The platform's tasks: the heartbeat, the security log's and the other records' retention
sweeps, and every sweep's heartbeat row."""

from __future__ import annotations

import datetime
import logging
import os
import time

from celery import shared_task
from celery.signals import (
    task_failure,
    task_postrun,
    task_prerun,
    task_success,
    worker_init,
    worker_process_shutdown,
)
from django.conf import settings
from django.utils import timezone

from hall.platform import audit, chains, metrics
from hall.platform.heartbeats import sweep_heartbeat_record
from hall.platform.retention import retention_sweep


@task_success.connect
def sweep_heartbeat(sender=None, **kwargs) -> None:
    """A task of the beat schedule ended well in this worker: its sweep's heartbeat (operations,
    not a domain effect; hall.platform.heartbeats)."""
    if sender is not None:
        sweep_heartbeat_record(task_name=sender.name)


_started: dict[str, float] = {}


@task_prerun.connect
def task_timer_start(task_id=None, **kwargs) -> None:
    """Operations: how long each task runs and which fail (hall.platform.metrics)."""
    if task_id:
        _started[task_id] = time.perf_counter()


@task_postrun.connect
def task_timer_stop(task_id=None, task=None, **kwargs) -> None:
    started = _started.pop(task_id, None) if task_id else None
    if started is not None and task is not None:
        metrics.TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)


@task_failure.connect
def task_failed(sender=None, **kwargs) -> None:
    if sender is not None:
        metrics.TASK_FAILURES.labels(sender.name).inc()


logger = logging.getLogger(__name__)


@worker_init.connect
def worker_metrics_serve(**kwargs) -> None:
    """A worker host's own /metrics for Prometheus when `HALL_WORKER_METRICS_PORT` is set: the
    task durations and failures of its pool's processes (which share their samples through
    PROMETHEUS_MULTIPROC_DIR), served by the worker's main process."""
    port = settings.HALL_WORKER_METRICS_PORT
    if not port:
        return
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        logger.error(
            "HALL_WORKER_METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR: the pool's processes "
            "could not share their samples; no worker metrics served"
        )
        return
    metrics.worker_metrics_serve(port=port, address=settings.HALL_WORKER_METRICS_ADDRESS)


@worker_process_shutdown.connect
def worker_metrics_forget(pid=None, **kwargs) -> None:
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics.process_dead(pid)


@shared_task(name="hall.tasks.heartbeat")
def heartbeat() -> str:
    """Proves the worker and beat are alive; the tests use it for a round trip."""
    return timezone.localtime().isoformat()


@shared_task(name="hall.tasks.purge_security_log")
def purge_security_log() -> int:
    return audit.security_log_purge(keep_days=settings.HALL_SECURITY_LOG_DAYS)


@shared_task(name="hall.tasks.sweep_retention")
def sweep_retention() -> dict:
    swept = retention_sweep()
    return {
        "outbox_bodies": swept.outbox_bodies,
        "sms_codes": swept.sms_codes,
        "api_records": swept.api_records,
    }


@shared_task(name="hall.tasks.extend_audit_chains")
def extend_audit_chains() -> dict:
    """Chain the log rows written since the last run (hall.platform.chains)."""
    return chains.chains_extend()


@shared_task(name="hall.tasks.check_audit_chains")
def check_audit_chains() -> list[str]:
    """Verify the last day of every chain; a break becomes a security alert."""
    since = timezone.now() - datetime.timedelta(days=1)
    return [str(found) for found in chains.chains_check(since=since)]
