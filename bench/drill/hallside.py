"""The drill's steps that run inside Django, in the drill's configuration (topology.drill_env):

python -m bench.drill.hallside world          the bench's departments, staff and items
python -m bench.drill.hallside prepare        the world, API clients and cases; JSON out
python -m bench.drill.hallside due SECONDS    the due cases' steps fall due over that span
python -m bench.drill.hallside burst N        N messages queued as one batch task
python -m bench.drill.hallside outbox         how many messages are still to send
python -m bench.drill.hallside heartbeat      when the deemed-approval sweep last ran; JSON out
python -m bench.drill.hallside checks         reads the load's JSON on stdin; JSON out
python -m bench.drill.hallside router         the short form's checks of the replica router
"""

from __future__ import annotations

import datetime
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

DECISION_CASES = 24  # their 120 steps are decided through the API during the load
DUE_CASES = 24  # their 120 steps fall due during the load and are deemed by the sweep


def _setup() -> None:
    import django

    django.setup()


def _accepted_case(life, number: int):
    from bench.world import id_number
    from hall.cases import applicants
    from hall.intake import decisions as intake_decisions
    from hall.intake import receiving
    from hall.intake.common import MaterialMark
    from hall.models import Case

    applicant = applicants.applicant_register(
        kind="person",
        name="演练申请人",
        phone=f"137{number:08d}",
        id_number=id_number(number + 20_000_000),
    )
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant,
        item=life.item,
        answers={"agent": "no"},
        received_by=life.clerk,
        channel=Case.Channel.WINDOW,
        window=life.clerk.clerk.window,
    )
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    intake_decisions.case_intake_decide(case=case, clerk=life.clerk, outcome="accept", marks=marks)
    return case


def prepare() -> dict:
    from approvals.models import CaseStep
    from bench.lifecycle import lifecycle_prepare
    from bench.world import world_ensure
    from departments.models import Department
    from hall.api.keys import api_key_issue
    from hall.models import ApiClient

    world = world_ensure()
    life = lifecycle_prepare(world, 0)
    Scope = ApiClient.Scope
    platform = ApiClient.objects.create(
        name="演练平台",
        scopes=[Scope.CATALOGUE_READ, Scope.CASES_FILE, Scope.CASES_READ, Scope.SUPERVISION_READ],
        requests_per_minute=1_000_000,
    )
    platform_key = api_key_issue(client=platform)  # a new client's prefix is empty until then
    departments = Department.objects.in_bulk(world.department_ids)
    department_keys = {}
    for department_id, officer_id in zip(world.department_ids, world.officer_ids, strict=True):
        client = ApiClient.objects.create(
            name=f"演练部门系统{department_id}",
            scopes=[Scope.STEPS_ACT],
            department_id=department_id,
            acting_user_id=officer_id,
            requests_per_minute=1_000_000,
        )
        department_keys[departments[department_id].code] = api_key_issue(client=client)
    decision_cases = [_accepted_case(life, n) for n in range(DECISION_CASES)]
    due_cases = [_accepted_case(life, DECISION_CASES + n) for n in range(DUE_CASES)]
    steps = CaseStep.objects.filter(case__in=decision_cases).select_related("department")
    return {
        "platform_key": platform_key,
        "item_code": life.item.code,
        "department_keys": department_keys,
        "decision_steps": [{"id": s.pk, "department": s.department.code} for s in steps],
        "due_case_ids": [case.pk for case in due_cases],
        "platform_client_id": platform.pk,
    }


def due(span_seconds: float, case_ids: list[int]) -> int:
    """Spread the due cases' deadlines over the next `span_seconds` (five steps each)."""
    from django.db import transaction
    from django.utils import timezone

    from approvals.models import CaseStep

    start = timezone.now() + datetime.timedelta(seconds=5)
    spacing = span_seconds / max(len(case_ids), 1)
    with transaction.atomic():
        for index, case_id in enumerate(case_ids):
            at = start + datetime.timedelta(seconds=index * spacing)
            CaseStep.objects.filter(case_id=case_id).update(due_at=at, due_date=at.date())
    return len(case_ids)


def heartbeat() -> dict:
    """When the deemed-approval sweep last ran (epoch seconds; 0 never), from its heartbeat."""
    from hall.models import SweepHeartbeat

    ran = (
        SweepHeartbeat.objects.filter(name="approvals-deemed-approval-sweep")
        .values_list("ran_at", flat=True)
        .first()
    )
    return {"deemed": ran.timestamp() if ran else 0}


def burst(count: int) -> dict:
    from django.db import transaction

    from hall.models import Notification
    from hall.outbox.queue import notification_build, notifications_queue

    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        queued = notifications_queue(
            [
                notification_build(
                    dedupe_key=f"drill-burst-{tag}-{n}",
                    channel=Notification.Channel.SMS,
                    kind="drill",
                    subject="演练",
                    body=f"演练批量短信 {n}",
                    address=f"136{n:08d}",
                )
                for n in range(count)
            ]
        )
    return {"tag": tag, "ids": [n.pk for n in queued]}


def outbox() -> dict:
    from hall.models import Notification

    counts = Counter(
        Notification.objects.exclude(channel=Notification.Channel.INBOX).values_list(
            "status", flat=True
        )
    )
    return dict(counts)


def checks(load: dict) -> dict:
    """What the database says after the drill (see run.CHECKS for what each one means)."""
    from django.conf import settings
    from django.db.models import Count

    from approvals.models import CaseStep
    from hall.api.views import FILING_NAMESPACE
    from hall.cases.actions import CaseAction
    from hall.models import Case, CaseEvent, Notification

    client_id = load["platform_client_id"]
    keys = {key: uuid.uuid5(FILING_NAMESPACE, f"{client_id}:{key}") for key in load["attempted"]}
    per_key = Counter(
        Case.objects.filter(submission_key__in=keys.values()).values_list(
            "submission_key", flat=True
        )
    )
    answered = load["answered"]  # key -> receipt number of a success answer
    receipts = dict(
        Case.objects.filter(submission_key__in=[keys[k] for k in answered]).values_list(
            "submission_key", "receipt_no"
        )
    )
    filings = {
        "answered": len(answered),
        "missing": sum(1 for key in answered if per_key[keys[key]] == 0),
        "duplicated": sum(1 for count in per_key.values() if count > 1),
        "wrong_receipt": sum(
            1 for key, receipt in answered.items() if receipts.get(keys[key]) != receipt
        ),
        "unanswered_but_filed": sum(
            1 for key in load["attempted"] if key not in answered and per_key[keys[key]]
        ),
    }
    filings["ok"] = filings["missing"] == filings["duplicated"] == filings["wrong_receipt"] == 0

    def once(steps, *, action: str, status: str) -> dict:
        """Each step in `status`, with exactly one `action` event (a case's steps are of
        distinct departments, so case and department name the step)."""
        events = Counter(
            CaseEvent.objects.filter(
                action=action, case_id__in={s.case_id for s in steps}
            ).values_list("case_id", "details__department")
        )
        figures = {
            "steps": len(steps),
            "not_in_state": sum(1 for s in steps if s.status != status),
            "events_not_one": sum(1 for s in steps if events[(s.case_id, s.department.name)] != 1),
        }
        figures["ok"] = figures["not_in_state"] == figures["events_not_one"] == 0
        return figures

    steps = CaseStep.objects.select_related("department")
    decisions = once(
        list(steps.filter(pk__in=load["decided"])),
        action=CaseAction.REVIEW_DECIDED,
        status=CaseStep.Status.APPROVED,
    )
    deemed = once(
        list(steps.filter(case_id__in=load["due_case_ids"])),
        action=CaseAction.REVIEW_DEEMED,
        status=CaseStep.Status.DEEMED,
    )

    sms = Notification.objects.filter(channel=Notification.Channel.SMS)
    sent_lines = Counter()
    sms_file = Path(settings.HALL_SMS_FILE)
    if sms_file.exists():
        for line in sms_file.read_text(encoding="utf-8").splitlines():
            sent_lines[json.loads(line)["idempotency_key"]] += 1
    status_counts = Counter(sms.values_list("status", flat=True))
    keys_of_rows = {f"hall-outbox-{pk}" for pk in sms.values_list("pk", flat=True)}
    notifications = {
        "messages": sum(status_counts.values()),
        "not_sent": sum(n for s, n in status_counts.items() if s != Notification.Status.SENT),
        "never_at_gateway": sum(1 for key in keys_of_rows if sent_lines[key] == 0),
        "at_gateway_twice": sum(1 for key in keys_of_rows if sent_lines[key] > 1),
    }
    # a message sent twice carries the same Idempotency-Key both times: a gateway that honours
    # it (the HTTP adapter's) delivers it once; the file backend records both attempts
    notifications["ok"] = notifications["not_sent"] == notifications["never_at_gateway"] == 0

    accepted = Case.objects.filter(
        status__in=[Case.Status.ACCEPTED, Case.Status.DECIDED, Case.Status.CLOSED]
    ).annotate(steps_count=Count("steps"))
    half = {
        "cases": Case.objects.count(),
        "without_received_event": Case.objects.exclude(
            pk__in=CaseEvent.objects.filter(action=CaseAction.RECEIVED).values("case_id")
        ).count(),
        "without_materials": Case.objects.annotate(m=Count("materials")).filter(m=0).count(),
        "accepted_without_steps": accepted.filter(steps_count=0).count(),
    }
    half["ok"] = (
        half["without_received_event"] == half["without_materials"]
        == half["accepted_without_steps"] == 0
    )  # fmt: skip
    return {
        "filings": filings,
        "decisions": decisions,
        "deemed": deemed,
        "notifications": notifications,
        "half_written": half,
    }


def router() -> dict:
    """The short form: the router and transaction pooling, on the real replica and PgBouncer.
    Each check returns what it saw; `run.short()` says whether that is right."""
    from django.db import connections, transaction
    from django.test.utils import override_settings

    from approvals.models import ServiceItem
    from hall.models import Case
    from hall.platform import replica

    def served_by(alias: str) -> str:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return "replica" if cursor.fetchone()[0] else "primary"

    def read_source() -> str:
        with replica.replica_reads() as scope:
            ServiceItem.objects.count()
        return scope.used

    seen: dict[str, object] = {}
    seen["default_is"] = served_by("default")
    seen["replica_is"] = served_by("replica")
    seen["outside_scope"] = Case.objects.all().db  # no scope: the primary
    replica.replica_health_forget()
    seen["in_scope"] = read_source()
    with replica.replica_reads() as scope:
        ServiceItem.objects.filter(pk=0).update(name="x")  # a write (of no row) pins the scope
        ServiceItem.objects.count()
    seen["after_write"] = scope.used
    with replica.replica_reads() as scope, transaction.atomic():
        ServiceItem.objects.count()
    seen["in_transaction"] = scope.used
    # a write on the primary reaches the replica within the lag limit
    marker = f"drill-{uuid.uuid4().hex[:8]}"
    item = ServiceItem.objects.order_by("pk").first()
    ServiceItem.objects.filter(pk=item.pk).update(legal_basis=marker)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with replica.replica_reads():
            if ServiceItem.objects.filter(pk=item.pk, legal_basis=marker).exists():
                break
        time.sleep(0.05)
    seen["replicated_within_s"] = round(10 - (deadline - time.monotonic()), 2)
    # transaction pooling: a server-side cursor is off, .iterator() still streams
    seen["iterator_rows"] = sum(1 for _ in ServiceItem.objects.iterator(chunk_size=2))
    seen["server_side_cursors_disabled"] = connections["default"].settings_dict[
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
    # lag beyond the limit: replay paused on the replica while the primary writes
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    with override_settings(HALL_REPLICA_MAX_LAG=1.0):
        _replica_sql("SELECT pg_wal_replay_pause()")
        try:
            ServiceItem.objects.filter(pk=item.pk).update(legal_basis=marker + "-lag")
            time.sleep(2.5)
            replica.replica_health_forget()
            seen["lagging_lag_s"] = replica.replica_health().lag_seconds
            replica.replica_health_forget()
            seen["lagging"] = read_source()
        finally:
            _replica_sql("SELECT pg_wal_replay_resume()")
    return seen


def router_replica_down() -> dict:
    """Run while the replica is stopped: the scope's reads fall back to the primary."""
    from approvals.models import ServiceItem
    from hall.platform import replica

    replica.replica_health_forget()
    started = time.monotonic()
    with replica.replica_reads() as scope:
        count = ServiceItem.objects.count()
    return {"down": scope.used, "rows": count, "seconds": round(time.monotonic() - started, 2)}


def _replica_sql(sql: str) -> None:
    # straight to the replica's server (PgBouncer would hand the function to any connection)
    import psycopg

    from bench.drill.topology import DB, REPLICA_PORT

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{REPLICA_PORT}/{DB}") as conn:
        conn.execute(sql)


def main(argv: list[str]) -> None:
    _setup()
    command = argv[0]
    if command == "prepare":
        result = prepare()
    elif command == "world":
        from bench.world import world_ensure

        result = {"items": len(world_ensure().fixture_item_ids)}
    elif command == "due":
        result = due(float(argv[1]), json.loads(sys.stdin.read()))
    elif command == "burst":
        result = burst(int(argv[1]))
    elif command == "outbox":
        result = outbox()
    elif command == "heartbeat":
        result = heartbeat()
    elif command == "checks":
        result = checks(json.loads(sys.stdin.read()))
    elif command == "router":
        result = router()
    elif command == "router-replica-down":
        result = router_replica_down()
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
