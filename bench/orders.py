"""接诉即办's sweep at 1,000,000 open work orders (issue 31): "nothing due" (every order open,
none past its yellow moment) and draining due ones (orders past their limit, each with a
department's part to chase), with one and two sweepers; every card and 催办 once.

The orders are loaded once by SQL (numbers `BENCH…`, unique call-back tokens) and reused; a
drain round makes `DUE` of them due, sweeps, checks, and puts them back to "not due"."""

from __future__ import annotations

import statistics
import time

from bench import db, env

OPEN_ORDERS = 1_000_000
DUE = 2_000
NOTHING_DUE_ROUNDS = 15
FAR = "2099-01-01 00:00:00+08"


def orders_ensure(log=print) -> dict:
    """The 1,000,000 open orders and, for the first `DUE`, a department's part."""
    env.django_setup()
    from approvals.models import WorkOrderCategory
    from departments.models import Department

    category, _created = WorkOrderCategory.objects.get_or_create(
        code="bench-complaint", defaults={"name": "压测投诉", "kind": "complaint"}
    )
    department, _created = Department.objects.get_or_create(
        code="BENCH-ORDERS", defaults={"name": "压测承办部门"}
    )
    with db.connect() as conn:
        have = conn.execute(
            "SELECT count(*) FROM hall_workorder WHERE number LIKE 'BENCH%%'"
        ).fetchone()[0]
        started = time.perf_counter()
        if have < OPEN_ORDERS:
            log(f"orders: loading {OPEN_ORDERS - have:,} open work orders")
            conn.execute(
                """
                INSERT INTO hall_workorder (number, channel, category_id, kind, title, content,
                    contact_name, contact_phone, anonymous, external_no, received_at, due_at,
                    yellow_at, light, status, extension, extension_reason, escalated, reply,
                    closed_late, callback_token, reopen_count, created_at, satisfaction)
                SELECT 'BENCH' || lpad(g::text, 10, '0'), 'hotline', %(category)s, 'complaint',
                    '压测工单', '压测', '', '', false, '', now(), %(far)s, %(far)s, '', 'in_hand',
                    '', '', false, '', false, md5(random()::text || g::text) || g::text, 0,
                    now(), ''
                FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {"category": category.pk, "far": FAR, "first": have + 1, "last": OPEN_ORDERS},
            )
            conn.execute(
                """
                INSERT INTO hall_workorderpart (order_id, department_id, round, task,
                    dispatched_at, due_at, yellow_at, return_until, light, status, return_reason,
                    answer, listed_from)
                SELECT o.id, %(department)s, 0, '压测', now(), %(far)s, %(far)s, now(), '',
                    'pending', '', '', %(far)s
                FROM hall_workorder o
                WHERE o.number LIKE 'BENCH%%'
                  AND NOT EXISTS (SELECT 1 FROM hall_workorderpart p WHERE p.order_id = o.id)
                ORDER BY o.id LIMIT %(due)s
                """,
                {"department": department.pk, "far": FAR, "due": DUE},
            )
            conn.commit()
            conn.execute("ANALYZE hall_workorder")
            conn.execute("ANALYZE hall_workorderpart")
    return {"open_orders": OPEN_ORDERS, "load_s": time.perf_counter() - started}


def _due_ids(conn) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT order_id FROM hall_workorderpart p JOIN hall_workorder o ON o.id = p.order_id "
            "WHERE o.number LIKE 'BENCH%%' ORDER BY order_id LIMIT %s",
            [DUE],
        ).fetchall()
    ]


def _make_due(conn, ids: list[int]) -> None:
    """Past their limit (and so red and chased): as they would be the day after it."""
    past = "now() - interval '1 hour'"
    conn.execute(
        f"UPDATE hall_workorder SET due_at = {past}, yellow_at = {past}, light = '' "
        "WHERE id = ANY(%s)",
        [ids],
    )
    conn.execute(
        f"UPDATE hall_workorderpart SET due_at = {past}, yellow_at = {past}, light = '', "
        "chased_at = NULL, status = 'pending' WHERE order_id = ANY(%s)",
        [ids],
    )
    conn.commit()


def _reset(conn, ids: list[int]) -> None:
    conn.execute(
        "UPDATE hall_workorder SET due_at = %s, yellow_at = %s, light = '' WHERE id = ANY(%s)",
        [FAR, FAR, ids],
    )
    conn.execute(
        "UPDATE hall_workorderpart SET due_at = %s, yellow_at = %s, light = '', chased_at = NULL "
        "WHERE order_id = ANY(%s)",
        [FAR, FAR, ids],
    )
    conn.execute("DELETE FROM hall_notification WHERE kind IN ('order_warning', 'order_chased')")
    conn.commit()


def nothing_due(rounds: int = NOTHING_DUE_ROUNDS) -> dict:
    env.django_setup()
    from hall.orders.services import orders_sweep

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        counts = orders_sweep()
        times.append(time.perf_counter() - started)
        assert not any(counts.values()), counts
    return {"ms": [round(t * 1000, 2) for t in times], "median_ms": statistics.median(times) * 1000}


def _sweeper() -> tuple[float, float, dict]:
    env.django_setup()
    from hall.orders.services import orders_sweep

    started, total = time.time(), {"red": 0, "chased": 0}
    while True:
        counts = orders_sweep()
        total["red"] += counts["red"]
        total["chased"] += counts["chased"]
        if not counts["red"] and not counts["chased"]:
            return started, time.time(), total


def drain(pool, *, sweepers: int) -> dict:
    """`DUE` orders past their limit: carded red and their parts chased, by `sweepers` at once."""
    with db.connect() as conn:
        ids = _due_ids(conn)
        _make_due(conn, ids)
        since = conn.execute("SELECT coalesce(max(id), 0) FROM hall_workorderevent").fetchone()[0]
    runs = [pool.apply_async(_sweeper) for _ in range(sweepers)]
    results = [r.get() for r in runs]
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    with db.connect() as conn:
        warnings, chased = conn.execute(
            "SELECT count(*) FILTER (WHERE action = 'warning'), "
            "count(*) FILTER (WHERE action = 'chased') FROM hall_workorderevent WHERE id > %s",
            [since],
        ).fetchone()
        _reset(conn, ids)
    done = sum(r[2]["red"] for r in results)
    return {
        "sweepers": sweepers,
        "orders": len(ids),
        "carded": done,
        "seconds": end - start,
        "per_s": done / (end - start) if end > start else 0.0,
        # each order carded once and each part chased once, whoever swept it
        "duplicates": (warnings - len(ids)) + (chased - len(ids)),
        "missed": len(ids) - done,
    }
