"""The database ceiling (issue 8, §3): our lifecycle's statements as bare SQL.

``bench.lifecycle.QueryRecorder`` captures, per transaction of one case, each SELECT / SELECT …
FOR UPDATE / INSERT / UPDATE / DELETE with the rows it wrote; statements outside any transaction
are their own (autocommit). This replays that exact shape through psycopg 3 on one table with a
primary key and one secondary index: an INSERT of n rows writes n rows (RETURNING id, as Django
does), an UPDATE of n rows updates n rows of this case by primary key, a SELECT reads one row by
primary key. Same transactions, same commits, same round trips, no Python application work and
no lock contention between cases: what PostgreSQL on this machine allows for that shape.
"""

from __future__ import annotations

import time

from bench import db
from bench.cpu import CpuMeter

TABLE_DDL = """
CREATE TABLE IF NOT EXISTS bench_ceiling (
    id bigserial PRIMARY KEY,
    case_no bigint NOT NULL,
    kind smallint NOT NULL,
    payload text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bench_ceiling_case ON bench_ceiling (case_no);
"""
PAYLOAD = "压测" * 60  # ~360 bytes, about an event or notification row

_state: dict = {}


def table_ensure() -> None:
    with db.connect(autocommit=True) as conn:
        conn.execute(TABLE_DDL)


def case_run(conn, case_no: int, transactions) -> None:
    ids: list[int] = []
    last = _state.get("last_id", 1)

    def statement(kind: str, rows: int) -> None:
        nonlocal last
        if kind == "INSERT":
            values = ",".join(["(%s, 1, %s)"] * max(rows, 1))
            params = [case_no, PAYLOAD] * max(rows, 1)
            new = conn.execute(
                f"INSERT INTO bench_ceiling (case_no, kind, payload) VALUES {values} RETURNING id",
                params,
            ).fetchall()
            ids.extend(r[0] for r in new)
            last = ids[-1]
        elif kind == "UPDATE":
            targets = (ids[-rows:] if ids else [last]) if rows else [0]
            conn.execute(
                "UPDATE bench_ceiling SET payload = %s, updated_at = now() WHERE id = ANY(%s)",
                [PAYLOAD, targets],
            )
        elif kind == "DELETE":
            conn.execute("DELETE FROM bench_ceiling WHERE id = ANY(%s)", [ids[-rows:] or [0]])
        else:
            lock = " FOR UPDATE" if kind == "SELECT FOR UPDATE" else ""
            conn.execute(
                f"SELECT id, case_no, kind, payload, updated_at FROM bench_ceiling "
                f"WHERE id = %s{lock}",
                [ids[-1] if ids else last],
            ).fetchall()

    for transaction in transactions:
        if not transaction["atomic"]:
            # a statement Django ran outside transaction.atomic: autocommit
            for kind, rows in transaction["statements"]:
                statement(kind, rows)
            continue
        with conn.transaction():
            for kind, rows in transaction["statements"]:
                statement(kind, rows)
    _state["last_id"] = last


def worker_round(transactions, worker: int, cases: int, start_at: float):
    conn = _state.get("conn")
    if conn is None:
        conn = _state["conn"] = db.connect(autocommit=True)
        case_run(conn, -1 - worker, transactions)
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    meter = CpuMeter(conn.info.backend_pid)
    started = time.time()
    meter.start()
    for n in range(cases):
        case_run(conn, worker * 10_000_000 + n, transactions)
    client, backend = meter.stop()
    return started, time.time(), cases, client, backend
