"""The real-schema ceiling (issue 27, §1b): one case's exact statements, with their parameters,
replayed on the hall's own tables, indexes, constraints and triggers.

`record` drives one case through the services and keeps every statement Django sent (its SQL,
its parameters, the rows an INSERT … RETURNING gave back, and which transaction it ran in).
`case_run` sends the same statements again through psycopg on one connection, with what must
differ between two cases changed: the ids the case's own INSERTs created (each replaced by the
id the replayed INSERT returned, matched by table and order), and the values of the unique
columns of the rows it created (receipt number, submission key, identity number, message keys:
each given a variant of the same length per replay). Same transactions, same commits, same round
trips, the hall's real indexes to maintain and constraints to check; no Python application work.
What PostgreSQL on this machine allows for our statements: the floor under the lifecycle.
"""

from __future__ import annotations

import json
import re
import time
import uuid

from bench import db
from bench.cpu import CpuMeter

_INSERT_TABLE = re.compile(r'^\s*INSERT INTO "?([a-z0-9_]+)"?', re.IGNORECASE)
# an INSERT whose RETURNING starts with the new row's id (Django's, and rows_insert_new's)
_RETURNS_ID = re.compile(r'RETURNING\s+(?:"[a-z0-9_]+"\.)?"?id"?\b', re.IGNORECASE)
_state: dict = {}


class Jsonb:
    """A JSON parameter as recorded (psycopg's own wrapper does not pickle with Django's
    encoder); turned back into psycopg's in the replaying process."""

    def __init__(self, text: str):
        self.text = text


def _portable(value):
    from psycopg.types.json import Jsonb as PgJsonb

    if isinstance(value, PgJsonb):
        dumps = value.dumps or json.dumps
        return Jsonb(dumps(value.obj))
    if isinstance(value, list | tuple):
        return [_portable(v) for v in value]
    return value


def record(world, applicant_no: int) -> dict:
    """Run one case and keep its statements: [{"atomic": bool, "statements": [...]}, ...]."""
    from django.db import connection

    from bench import lifecycle

    life = lifecycle.lifecycle_prepare(world, 0)
    lifecycle.case_run(life, applicant_no)  # warm
    transactions: list[dict] = []
    current: list[dict] = []
    created: dict[str, list[int]] = {}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        entry = {"sql": sql, "params": _portable(list(params or [])), "many": many}
        match = _INSERT_TABLE.match(sql)
        if match and _RETURNS_ID.search(sql) and not many:
            cursor = context["cursor"].cursor
            rows = cursor.fetchall()
            cursor.scroll(0, mode="absolute")  # Django reads them again
            entry["table"] = match.group(1)
            entry["returned"] = len(rows)
            created.setdefault(match.group(1), []).extend(row[0] for row in rows)
        if connection.in_atomic_block:
            current.append(entry)
        else:
            transactions.append({"atomic": False, "statements": [entry]})
        return result

    original_commit = connection.commit

    def commit():
        transactions.append({"atomic": True, "statements": list(current)})
        current.clear()
        return original_commit()

    connection.commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            lifecycle.case_run(life, applicant_no + 1)
    finally:
        del connection.commit
    return {
        "transactions": transactions,
        "created": created,
        "unique_values": _unique_values(created),
    }


def _unique_values(created: dict[str, list[int]]) -> list[str]:
    """The text values of the unique columns of the rows the case created: what a second case
    may not repeat."""
    values: set[str] = set()
    with db.connect() as conn:
        for table, ids in created.items():
            columns = conn.execute(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = %s::regclass AND i.indisunique AND NOT i.indisprimary
                  AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'uuid'::regtype)
                """,
                [table],
            ).fetchall()
            for (column,) in columns:
                rows = conn.execute(
                    f'SELECT "{column}"::text FROM "{table}" WHERE id = ANY(%s)', [ids]
                ).fetchall()
                values.update(row[0] for row in rows if row[0])
    return sorted(values, key=len, reverse=True)


def _variant(value: str, n: int) -> str:
    """A value of the same length and kind, different for every replay `n`: a UUID made from
    it, or its runs of three or more digits (a serial number, a year) read as one mixed-radix
    number that spells `n` from the top of each run's range down, where no real value is."""
    try:
        uuid.UUID(value)
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{value}:{n}"))
    except ValueError:
        pass
    runs = list(re.finditer(r"[0-9]{3,}", value))
    if not runs:
        return value  # nothing to vary safely; a conflict would say so
    out, end = [], len(value)
    for run in reversed(runs):
        width = len(run.group())
        n, part = divmod(n, 10**width)
        out.append(value[run.end() : end])
        out.append(str(10**width - 1 - part).zfill(width))
        end = run.start()
    out.append(value[:end])
    return "".join(reversed(out))


class Replayer:
    """Replays a recording on one connection, one case per call."""

    def __init__(self, recording: dict, conn):
        self.recording = recording
        self.conn = conn
        self.old_ids = {
            old: (table, index)
            for table, ids in recording["created"].items()
            for index, old in enumerate(ids)
        }
        self.id_text = re.compile(
            r"(?<!\d)(" + "|".join(str(i) for i in self.old_ids if i >= 10_000) + r")(?!\d)"
        ) if any(i >= 10_000 for i in self.old_ids) else None  # fmt: skip

    def _text(self, value: str, new_ids, unique) -> str:
        # the case's ids first: a key made of them ("event:<id>:owner") is then new by itself
        if self.id_text is not None:
            value = self.id_text.sub(lambda m: str(self._new_id(int(m.group(1)), new_ids)), value)
        for old, new in unique.items():
            if old in value:
                value = value.replace(old, new)
        return value

    def _new_id(self, old: int, new_ids):
        table, index = self.old_ids[old]
        got = new_ids.get(table, [])
        return got[index] if index < len(got) else old

    def _param(self, value, new_ids, unique):
        from psycopg.types.json import Jsonb as PgJsonb

        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return self._new_id(value, new_ids) if value in self.old_ids else value
        if isinstance(value, str):
            return self._text(value, new_ids, unique)
        if isinstance(value, uuid.UUID):
            text = self._text(str(value), new_ids, unique)
            return uuid.UUID(text)
        if isinstance(value, Jsonb):
            return PgJsonb(json.loads(self._text(value.text, new_ids, unique)))
        if isinstance(value, list):
            return [self._param(v, new_ids, unique) for v in value]
        return value

    def case_run(self, n: int) -> None:
        new_ids: dict[str, list[int]] = {}
        unique = {value: _variant(value, n) for value in self.recording["unique_values"]}

        def run(entry):
            params = [self._param(p, new_ids, unique) for p in entry["params"]]
            cursor = self.conn.execute(entry["sql"], params)
            if "table" in entry:
                new_ids.setdefault(entry["table"], []).extend(row[0] for row in cursor.fetchall())

        for transaction in self.recording["transactions"]:
            if not transaction["atomic"]:
                for entry in transaction["statements"]:
                    run(entry)
                continue
            with self.conn.transaction():
                for entry in transaction["statements"]:
                    run(entry)


def _numbers(conn, count: int) -> list[int]:
    """`count` replay numbers no replay of any run has used, each taken from a sequence on its
    own: two workers asking at once get disjoint numbers (a nextval then a setval of the range's
    end let two workers share a range, and their unique values collided)."""
    conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_replay_seq START 20000000")
    rows = conn.execute(
        "SELECT nextval('bench_replay_seq') FROM generate_series(1, %s)", [count]
    ).fetchall()
    return [row[0] for row in rows]


def worker_round(recording: dict, worker: int, cases: int, start_at: float):
    replayer = _state.get("replayer")
    if replayer is None:
        conn = db.connect(autocommit=True, prepare_threshold=2)
        replayer = _state["replayer"] = Replayer(recording, conn)
        replayer.case_run(_numbers(conn, 1)[0])  # warm-up, not timed
    numbers = _numbers(replayer.conn, cases)
    meter = CpuMeter(replayer.conn.info.backend_pid)
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    started = time.time()
    meter.start()
    for n in numbers:
        replayer.case_run(n)
    client, backend = meter.stop()
    return started, time.time(), cases, client, backend
