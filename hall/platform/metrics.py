"""What the hall's operators watch, for Prometheus (`/metrics`, prometheus-client).

Per request: its duration by view name, method and status, and its number of database queries
(counted by a wrapper around each query: no query of its own). Per Celery task: its duration
and its failures (hall.platform.tasks). At each scrape, read from the database by one collector
(a handful of indexed counts): open cases by status, overdue steps, the outbox's backlog and its
oldest message's age, each deadline sweep's lag (now minus the oldest due row it has not acted
on yet), the share of SMS sent within 10 seconds of being queued (GOV.UK Notify's KPI), the
webhooks' success rate. Several gunicorn workers share their samples through
`PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode) when it is set.

`/metrics` answers a scraper that brings `HALL_METRICS_TOKEN` as a bearer token, or one on a
network named by `HALL_METRICS_ALLOWED_NETWORKS` (the loopback by default); anyone else gets
the hall's plain 404.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

from approvals.models import CaseStep
from hall.models import Case, Notification, SweepHeartbeat, WebhookDelivery
from hall.platform.replica import replica_configured, replica_health

REQUEST_SECONDS = Histogram(
    "hall_http_request_seconds",
    "Time to answer a request, by view name, method and status",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_QUERIES = Histogram(
    "hall_http_request_db_queries",
    "Database queries a request made, by view name",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
TASK_SECONDS = Histogram(
    "hall_celery_task_seconds",
    "Time a Celery task ran, by task name",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
TASK_FAILURES = Counter(
    "hall_celery_task_failures", "Celery tasks that raised, by task name", ["task"]
)
SMS_KPI_SECONDS = 10


class RequestMetrics:
    """Times each request and counts its queries (the view name once it is resolved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        queries = [0]

        def counted(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unresolved"
        REQUEST_SECONDS.labels(view, request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        REQUEST_QUERIES.labels(view).observe(queries[0])
        return response


class HallCollector:
    """The hall's gauges, read from the database at each scrape."""

    def collect(self):
        now = timezone.now()
        today = timezone.localdate(now)
        by_status = GaugeMetricFamily("hall_cases_open", "Open cases by status", labels=["status"])
        counts = dict(
            Case.objects.open()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        for status in Case.Status.values:
            if status not in Case.FINAL_STATUSES:
                by_status.add_metric([status], counts.get(status, 0))
        yield by_status

        yield GaugeMetricFamily(
            "hall_steps_overdue",
            "Department steps open past their deadline",
            value=CaseStep.objects.filter(status=CaseStep.Status.OPEN, due_at__lt=now).count(),
        )

        backlog = Notification.objects.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
        ).exclude(channel=Notification.Channel.INBOX)
        oldest = backlog.aggregate(at=Min("created_at"))["at"]
        yield GaugeMetricFamily(
            "hall_outbox_backlog", "Messages waiting to be sent", value=backlog.count()
        )
        yield GaugeMetricFamily(
            "hall_outbox_oldest_seconds",
            "Age of the oldest message waiting to be sent",
            value=(now - oldest).total_seconds() if oldest else 0,
        )

        lag = GaugeMetricFamily(
            "hall_sweep_lag_seconds",
            "Now minus the oldest due row a deadline sweep has not acted on",
            labels=["sweep"],
        )
        deemable = CaseStep.objects.filter(
            status=CaseStep.Status.OPEN, deemed_approval=True, due_at__lte=now
        ).aggregate(at=Min("due_at"))["at"]
        lag.add_metric(["deemed_approval"], (now - deemable).total_seconds() if deemable else 0)
        intake = Case.objects.filter(
            status=Case.Status.RECEIVED, intake_due_date__lt=today
        ).aggregate(day=Min("intake_due_date"))["day"]
        intake_at = (
            timezone.make_aware(
                datetime.datetime.combine(intake + datetime.timedelta(days=1), datetime.time())
            )
            if intake
            else None
        )
        lag.add_metric(["deemed_acceptance"], (now - intake_at).total_seconds() if intake_at else 0)
        yield lag

        hour = now - datetime.timedelta(hours=1)
        sms = Notification.objects.filter(
            channel=Notification.Channel.SMS, status=Notification.Status.SENT, sent_at__gte=hour
        ).aggregate(
            sent=Count("pk"),
            fast=Count(
                "pk",
                filter=Q(
                    sent_at__lte=F("created_at") + datetime.timedelta(seconds=SMS_KPI_SECONDS)
                ),
            ),
        )
        yield GaugeMetricFamily(
            "hall_sms_sent_within_10s_ratio",
            "Share of the last hour's SMS sent within 10 s of being queued (1 when none)",
            value=sms["fast"] / sms["sent"] if sms["sent"] else 1.0,
        )
        # beat's liveness: every beat entry's run leaves a heartbeat (hall.platform.heartbeats),
        # the most frequent every few seconds, so the newest one's age is how long nothing ran
        newest = SweepHeartbeat.objects.aggregate(at=Max("ran_at"))["at"]
        yield GaugeMetricFamily(
            "hall_sweep_last_run_age_seconds",
            "Seconds since any beat entry last ran to its end in a worker (-1 before the first)",
            value=(now - newest).total_seconds() if newest else -1,
        )
        if replica_configured():
            health = replica_health()
            yield GaugeMetricFamily(
                "hall_replica_up",
                "Whether the read replica answers",
                value=int(health.lag_seconds is not None),
            )
            if health.lag_seconds is not None:
                yield GaugeMetricFamily(
                    "hall_replica_lag_seconds",
                    "How far the read replica's replay is behind the primary",
                    value=health.lag_seconds,
                )

        day = now - datetime.timedelta(hours=24)
        hooks = WebhookDelivery.objects.filter(created_at__gte=day).aggregate(
            sent=Count("pk", filter=Q(status=WebhookDelivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=WebhookDelivery.Status.FAILED)),
        )
        done = hooks["sent"] + hooks["failed"]
        yield GaugeMetricFamily(
            "hall_webhook_success_ratio",
            "Share of the last day's finished webhook deliveries that were delivered (1 when none)",
            value=hooks["sent"] / done if done else 1.0,
        )


def _allowed(request: HttpRequest) -> bool:
    token = settings.HALL_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given, token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network)
        for network in settings.HALL_METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUEST_SECONDS, REQUEST_QUERIES, TASK_SECONDS, TASK_FAILURES):
            registry.register(metric)
    registry.register(HallCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def worker_metrics_serve(*, port: int, address: str) -> None:
    """Serve the pool's task metrics over HTTP from this (the worker's main) process."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=address, registry=registry)


def process_dead(pid: int) -> None:
    multiprocess.mark_process_dead(pid)
