"""Deemed-approval sweep at 1,000,000 open steps (issue 8, §4), and viewflow's timer dispatcher
as the baseline.

The fixture's due steps fall due one case (five steps) every ten seconds, so the sweep is given
``now`` = the due moment of the K-th oldest due step and deems exactly that prefix; the rest stays
due for the next round. "Nothing due" is the same sweep with ``now`` just before the oldest
deadline: the same 1,000,000 open steps, none due at that instant.
"""

from __future__ import annotations

import datetime
import statistics
import time

from bench import db, env

NOTHING_DUE_ROUNDS = 15


def _due_moments() -> list[datetime.datetime]:
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT due_at FROM approvals_casestep WHERE status = 'open' AND deemed_approval "
            "AND due_at <= now() ORDER BY due_at, id"
        ).fetchall()
    return [r[0] for r in rows]


def nothing_due(rounds: int = NOTHING_DUE_ROUNDS) -> dict:
    from approvals.reviews.sweeps import steps_deem_overdue_sweep

    before = _due_moments()[0] - datetime.timedelta(seconds=1)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = steps_deem_overdue_sweep(now=before)
        times.append(time.perf_counter() - started)
        assert done == 0, done
    return {"ms": [round(t * 1000, 2) for t in times], "median_ms": statistics.median(times) * 1000}


def _sweeper(now_iso: str, batch: int) -> tuple[float, float, int]:
    env.django_setup()
    from approvals.reviews.sweeps import steps_deem_overdue_sweep

    now = datetime.datetime.fromisoformat(now_iso)
    started = time.time()
    done = steps_deem_overdue_sweep(now=now, batch=batch)
    return started, time.time(), done


def drain(pool, *, steps: int, sweepers: int, batch: int = 100) -> dict:
    """Deem the ``steps`` oldest due steps with ``sweepers`` processes at once, each locking up
    to ``batch`` processes per transaction."""
    moments = _due_moments()
    if len(moments) < steps:
        raise RuntimeError(f"only {len(moments)} due steps left, {steps} wanted")
    cut = moments[steps - 1]
    first = moments[0]
    results = [pool.apply_async(_sweeper, (cut.isoformat(), batch)) for _ in range(sweepers)]
    runs = [r.get() for r in results]
    start, end = min(r[0] for r in runs), max(r[1] for r in runs)
    done = sum(r[2] for r in runs)
    check = duplicates_check(first, cut)
    return {
        "sweepers": sweepers,
        "deemed": done,
        "per_sweeper": [r[2] for r in runs],
        "seconds": end - start,
        "per_s": done / (end - start),
        **check,
    }


def duplicates_check(first: datetime.datetime, cut: datetime.datetime) -> dict:
    """Every step in the slice deemed once: one 'review_deemed' event per (case, department),
    its task DONE, one join and one stage-decision task per process."""
    with db.connect() as conn:
        steps, deemed, tasks_done = conn.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE s.status = 'deemed'),
                   count(*) FILTER (WHERE t.status = 'DONE')
            FROM approvals_casestep s JOIN viewflow_task t ON t.id = s.task_id
            WHERE s.deemed_approval AND s.due_at BETWEEN %s AND %s
            """,
            [first, cut],
        ).fetchone()
        events, duplicate_events = conn.execute(
            """
            SELECT coalesce(sum(n), 0), count(*) FILTER (WHERE n > 1) FROM (
                SELECT e.case_id, e.details->>'department', count(*) AS n
                FROM hall_caseevent e
                WHERE e.action = 'review_deemed' AND e.case_id IN (
                    SELECT case_id FROM approvals_casestep
                    WHERE deemed_approval AND due_at BETWEEN %s AND %s)
                GROUP BY 1, 2) x
            """,
            [first, cut],
        ).fetchone()
        bad_processes = conn.execute(
            """
            SELECT count(*) FROM (
                SELECT t.process_id,
                       count(*) FILTER (WHERE t.flow_task LIKE '%%.join_reviews') AS joins,
                       count(*) FILTER (WHERE t.flow_task LIKE '%%.stage_decision') AS decisions
                FROM viewflow_task t
                WHERE t.process_id IN (
                    SELECT t2.process_id FROM approvals_casestep s
                    JOIN viewflow_task t2 ON t2.id = s.task_id
                    WHERE s.deemed_approval AND s.due_at BETWEEN %s AND %s)
                GROUP BY 1) x
            WHERE joins <> 1 OR decisions <> 1
            """,
            [first, cut],
        ).fetchone()[0]
    return {
        "slice_steps": steps,
        "slice_deemed": deemed,
        "tasks_done": tasks_done,
        "deemed_events": int(events),
        "duplicate_events": int(duplicate_events),
        "processes_with_wrong_join_or_decision_count": int(bad_processes),
        "duplicates": int(duplicate_events + bad_processes + (events - deemed)),
    }


# --- the baseline: viewflow's timer dispatcher --------------------------------------------------


def timers_load(count: int) -> float:
    """Write ``count`` due timer tasks, five per process of TimerBaselineFlow, like the fixture's
    review tasks (NEW → here SCHEDULED with ``scheduled`` an hour ago)."""
    processes = -(-count // 5)
    started = time.perf_counter()
    with db.connect() as conn:
        p0 = conn.execute("SELECT coalesce(max(id), 0) FROM viewflow_process").fetchone()[0]
        t0 = conn.execute("SELECT coalesce(max(id), 0) FROM viewflow_task").fetchone()[0]
        conn.execute(
            """
            INSERT INTO viewflow_process (id, flow_class, status, created, data)
            SELECT %s + g, 'bench/timer_flow.TimerBaselineFlow', 'NEW', now() - interval '1 day',
                   '{}'
            FROM generate_series(1, %s) g
            """,
            [p0, processes],
        )
        conn.execute(
            """
            INSERT INTO viewflow_task (id, flow_task, flow_task_type, status, created, scheduled,
                                       token, process_id, data)
            SELECT %s + (g - 1) * 5 + j, 'bench/timer_flow.TimerBaselineFlow.wait_' || j, 'TIMER',
                   'SCHEDULED', now() - interval '1 day', now() - interval '1 hour',
                   'start/' || (%s + g) || '_' || j, %s + g, '{}'
            FROM generate_series(1, %s) g CROSS JOIN generate_series(1, 5) j
            """,
            [t0, p0, p0, processes],
        )
        for table in ("viewflow_process", "viewflow_task"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    return time.perf_counter() - started


def _dispatcher() -> tuple[float, float, int]:
    env.django_setup()
    from viewflow.workflow.timers import fire_due_timers

    started = time.time()
    fired = fire_due_timers()
    return started, time.time(), fired


def timers_fire(pool, *, count: int, dispatchers: int) -> dict:
    timers_load(count)
    results = [pool.apply_async(_dispatcher) for _ in range(dispatchers)]
    runs = [r.get() for r in results]
    start, end = min(r[0] for r in runs), max(r[1] for r in runs)
    fired = sum(r[2] for r in runs)
    with db.connect() as conn:
        left = conn.execute(
            "SELECT count(*) FROM viewflow_task WHERE flow_task_type = 'TIMER' "
            "AND status = 'SCHEDULED' AND scheduled <= now()"
        ).fetchone()[0]
    return {
        "dispatchers": dispatchers,
        "fired": fired,
        "left_due": left,
        "seconds": end - start,
        "per_s": fired / (end - start),
    }


def timers_nothing_due(rounds: int = NOTHING_DUE_ROUNDS) -> dict:
    from viewflow.workflow.timers import fire_due_timers

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fired = fire_due_timers()
        times.append(time.perf_counter() - started)
        assert fired == 0, fired
    return {"ms": [round(t * 1000, 2) for t in times], "median_ms": statistics.median(times) * 1000}
