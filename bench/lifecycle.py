"""Case lifecycle throughput through the service layer (issue 8, §1).

One case: register the applicant and file (``case_receive``), check the materials and accept in
one transaction (``case_intake_decide`` → ``case_accept`` → ``approval_start``, which starts the
viewflow process and fans out five department tasks), five department decisions
(``step_decide``; the fifth fires the join), the stage decision, the final decision
(``case_decide``) and delivery (``case_deliver``). Real transactions, real PDF notices, real
outbox rows and Celery messages (to the bench's own Redis database).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from bench import env

# Lifecycle steps in order, as reported.
STEPS = (
    "file",
    "accept",
    "step_decide",
    "step_decide_2",
    "step_decide_3",
    "step_decide_4",
    "step_decide_join",
    "stage_decide",
    "case_decide",
    "case_deliver",
)


@dataclass
class Lifecycle:
    """The loaded rows one process needs to drive cases, looked up once."""

    world: object
    item: object
    clerk: object
    officers: list
    lead: object


def lifecycle_prepare(world, clerk_index: int) -> Lifecycle:
    from django.contrib.auth import get_user_model

    from approvals.models import ServiceItem

    User = get_user_model()
    users = User.objects.select_related("officer", "clerk", "clerk__window").in_bulk(
        [*world.officer_ids, world.clerk_ids[clerk_index]]
    )
    return Lifecycle(
        world=world,
        item=ServiceItem.objects.get(pk=world.item_id),
        clerk=users[world.clerk_ids[clerk_index]],
        officers=[users[pk] for pk in world.officer_ids],
        lead=users[world.lead_officer_id],
    )


def case_run(life: Lifecycle, applicant_no: int, on_step=None) -> int:
    """Drive one case from filing to delivery. ``on_step(name)`` is a context-manager factory
    wrapped around each step (query capture). Returns the case id."""
    from contextlib import nullcontext

    from approvals.models import CaseDecision, CaseStage, CaseStep
    from approvals.reviews import decisions as reviews_decisions
    from approvals.reviews import delivery
    from approvals.reviews import steps as reviews_steps
    from bench.world import id_number
    from hall.cases import applicants
    from hall.intake import decisions as intake_decisions
    from hall.intake import receiving
    from hall.intake.common import MaterialMark
    from hall.models import Case

    def step(name):
        return on_step(name) if on_step else nullcontext()

    clerk = life.clerk
    with step("file"):
        applicant = applicants.applicant_register(
            kind="person",
            name="压测申请人",
            phone=f"139{applicant_no % 10**8:08d}",
            id_number=id_number(applicant_no),
        )
        case = receiving.case_receive(
            submission_key=uuid.uuid4(),
            applicant=applicant,
            item=life.item,
            answers={"agent": "no"},
            received_by=clerk,
            channel=Case.Channel.WINDOW,
            window=clerk.clerk.window,
        )
    # The window's form: what the clerk marked (read before the action, as the page does).
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    with step("accept"):
        intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    steps = list(CaseStep.objects.filter(case=case).order_by("order", "pk"))
    by_department = {officer.officer.department_id: officer for officer in life.officers}
    for index, case_step in enumerate(steps):
        name = "step_decide" if index == 0 else f"step_decide_{index + 1}"
        if index == len(steps) - 1:
            name = "step_decide_join"
        with step(name):
            reviews_steps.step_decide(
                step=case_step,
                officer=by_department[case_step.department_id],
                approve=True,
                opinion="",
            )
    stage = CaseStage.objects.get(case=case)
    with step("stage_decide"):
        reviews_decisions.stage_decide(stage=stage, officer=life.lead, approve=True, opinion="")
    case = Case.objects.select_related("item").get(pk=case.pk)
    with step("case_decide"):
        reviews_decisions.case_decide(case=case, officer=life.lead, grant=True, reasons="")
    with step("case_deliver"):
        delivery.case_deliver(case=case, clerk=clerk, method=CaseDecision.Delivery.WINDOW)
    return case.pk


# --- query shapes -------------------------------------------------------------------------------


@dataclass
class StepQueries:
    """What one lifecycle step sent to the database."""

    queries: int = 0
    by_kind: Counter = field(default_factory=Counter)  # SELECT / INSERT / UPDATE / ...
    rows: Counter = field(default_factory=Counter)  # rows inserted / updated
    commits: int = 0  # explicit COMMITs of transaction.atomic blocks
    autocommit_statements: int = 0  # statements outside any transaction (each its own)
    # The shape the ceiling replays: per transaction, its statements as (kind, rows).
    transactions: list = field(default_factory=list)


REPLAYED = ("SELECT", "SELECT FOR UPDATE", "INSERT", "UPDATE", "DELETE")
WRITES = ("INSERT", "UPDATE", "DELETE")


def _kind(sql: str) -> str:
    head = sql.lstrip().split(None, 1)[0].upper()
    if head == "SELECT" and " FOR UPDATE" in sql.upper():
        return "SELECT FOR UPDATE"
    return head


class QueryRecorder:
    """CaptureQueriesContext for the count, plus an execute wrapper for rows and transactions,
    plus a COMMIT counter (commits are not SQL statements Django logs)."""

    def __init__(self):
        self.steps: dict[str, StepQueries] = {}

    def __call__(self, name: str):
        from contextlib import contextmanager

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        @contextmanager
        def recording():
            record = StepQueries()
            current: dict = {}

            def wrapper(execute, sql, params, many, context):
                result = execute(sql, params, many, context)
                kind = _kind(sql)
                if kind not in REPLAYED:
                    return result  # savepoints, and BEGIN/COMMIT where a driver logs them
                rows = context["cursor"].rowcount if kind in WRITES else 1
                rows = max(rows or 0, 0)
                if kind in WRITES:
                    record.rows[kind] += rows
                if connection.in_atomic_block:
                    current.setdefault("tx", []).append((kind, rows))
                else:
                    record.autocommit_statements += 1
                    record.transactions.append({"atomic": False, "statements": [(kind, rows)]})
                return result

            original_commit = connection.commit

            def commit():
                record.commits += 1
                record.transactions.append({"atomic": True, "statements": current.pop("tx", [])})
                return original_commit()

            connection.commit = commit
            try:
                with (
                    connection.execute_wrapper(wrapper),
                    CaptureQueriesContext(connection) as captured,
                ):
                    yield
            finally:
                del connection.commit
            record.queries = len(captured)
            record.by_kind = Counter(_kind(q["sql"]) for q in captured.captured_queries)
            self.steps[name] = record

        return recording()

    def summary(self) -> dict:
        total = StepQueries()
        for record in self.steps.values():
            total.queries += record.queries
            total.by_kind.update(record.by_kind)
            total.rows.update(record.rows)
            total.commits += record.commits
            total.autocommit_statements += record.autocommit_statements
            total.transactions += record.transactions
        return {
            "per_case": {
                "queries": total.queries,
                "by_kind": dict(total.by_kind),
                "rows": dict(total.rows),
                "commits": total.commits,
                "autocommit_statements": total.autocommit_statements,
                "transactions": len(total.transactions),
            },
            "per_step": {
                name: {
                    "queries": r.queries,
                    "by_kind": dict(r.by_kind),
                    "rows": dict(r.rows),
                    "commits": r.commits,
                    "autocommit_statements": r.autocommit_statements,
                }
                for name, r in self.steps.items()
            },
            "transactions": total.transactions,
        }


def queries_per_case(world, applicant_no: int) -> dict:
    """Run one case in this process with every step recorded (after one warm-up case)."""
    life = lifecycle_prepare(world, 0)
    case_run(life, applicant_no)  # warm caches (content types, calendar, fonts)
    recorder = QueryRecorder()
    case_run(life, applicant_no + 1, on_step=recorder)
    return recorder.summary()


# --- throughput ---------------------------------------------------------------------------------

_state: dict = {}


def worker_init() -> None:
    """Pool initializer: each process sets Django up with its own database connection."""
    env.django_setup()


def worker_round(world, clerk_index: int, first_applicant: int, cases: int, start_at: float):
    """Run ``cases`` lifecycles starting at ``start_at`` (wall clock). Returns (start, end, n,
    client CPU s, PostgreSQL backend CPU s)."""
    from bench.cpu import CpuMeter, django_backend_pid

    life = _state.get("life")
    if life is None:  # one clerk per process, the first index it was given
        life = _state["life"] = lifecycle_prepare(world, clerk_index % len(world.clerk_ids))
        case_run(life, first_applicant)  # warm-up, not timed
        first_applicant += 1
    meter = CpuMeter(django_backend_pid())
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    started = time.time()
    meter.start()
    for n in range(cases):
        case_run(life, first_applicant + n)
    client, backend = meter.stop()
    return started, time.time(), cases, client, backend
