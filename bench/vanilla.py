"""Vanilla viewflow's lifecycle (issue 27, §1a): ApprovalFlow's BPMN on viewflow's stock nodes.

A case is 9 transactions: the start (the process, its start task, the gateway, the split and
five review tasks), five reviews (each: take the process lock, assign the task to the officer,
start it, execute it; the fifth fires the join and creates the stage decision), the stage
decision, the final decision and delivery (the same each; the last ends the process). Ours runs
the same process in 9 of its 11 transactions (the other two register the applicant and file the
application, which vanilla viewflow has no part of) with the hall's case file on top: the ratio
says what the hall adds, and the CPU per case what each costs (client + PostgreSQL backend).
Durable commits, the same database and server.
"""

from __future__ import annotations

import time

from bench.cpu import CpuMeter, django_backend_pid

_state: dict = {}
TRANSACTIONS = 9  # per case: the start, five reviews, the stage and final decisions, delivery
REVIEWS = tuple(f"review_{n}" for n in range(1, 6))


def _officer():
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username="bench-vanilla-officer", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def _task_run(task_pk: int, user) -> None:
    """One human action as viewflow's views make it: under the process lock, assign, start,
    execute (which completes the task and activates the next nodes)."""
    from django.db import transaction
    from viewflow.workflow.models import Task

    with transaction.atomic():
        task = Task.objects.get(pk=task_pk)
        with task.activation() as activation:  # the process lock, the task read again
            activation.assign(user)
            activation.start(None)
            activation.execute()


def case_run(user) -> int:
    from django.db import transaction
    from viewflow.workflow.models import Task

    from bench.vanilla_flow import VanillaReviewFlow

    with transaction.atomic():
        process = VanillaReviewFlow.start.run()
    tasks = dict(
        Task.objects.filter(process_id=process.pk, flow_task__in=[
            VanillaReviewFlow.review_1, VanillaReviewFlow.review_2, VanillaReviewFlow.review_3,
            VanillaReviewFlow.review_4, VanillaReviewFlow.review_5,
        ]).values_list("flow_task", "pk")
    )  # fmt: skip
    for name in REVIEWS:
        _task_run(tasks[getattr(VanillaReviewFlow, name)], user)
    for node in (
        VanillaReviewFlow.stage_decision,
        VanillaReviewFlow.final_decision,
        VanillaReviewFlow.deliver,
    ):
        _task_run(Task.objects.get(process_id=process.pk, flow_task=node).pk, user)
    process.refresh_from_db()
    if process.status != "DONE":
        raise RuntimeError(f"the vanilla process ended {process.status}")
    return process.pk


def queries_per_case() -> int:
    """Statements one vanilla case sends (after a warm-up case), BEGIN/COMMIT not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = _officer()
    case_run(user)
    with CaptureQueriesContext(connection) as captured:
        case_run(user)
    return sum(
        1
        for q in captured.captured_queries
        if q["sql"].split(None, 1)[0] not in ("BEGIN", "COMMIT")
    )


def worker_round(worker: int, cases: int, start_at: float):
    """(start, end, cases, client CPU s, backend CPU s) of `cases` lifecycles from `start_at`."""
    user = _state.get("user")
    if user is None:
        user = _state["user"] = _officer()
        case_run(user)  # warm-up, not timed
    meter = CpuMeter(django_backend_pid())
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    started = time.time()
    meter.start()
    for _n in range(cases):
        case_run(user)
    client, backend = meter.stop()
    return started, time.time(), cases, client, backend
