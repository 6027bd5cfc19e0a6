"""The peer engine (issue 8, §2): the same approval on SpiffWorkflow, persisted like a deployment.

Model: bench/models/parallel_review.bpmn (start → parallel gateway → five user tasks → joining
parallel gateway → decision user task → end). Each step is one PostgreSQL transaction on the same
server through psycopg 3: read the workflow row FOR UPDATE, deserialise it with SpiffWorkflow's
JSON serializer, complete the task, run the engine steps, serialise, write the row back, commit.
A case is 7 such transactions: start, five reviews (the fifth fires the join), the decision.

The peer carries no domain data (no case, materials, notices, events or notifications), so this
compares the workflow engines with their persistence, not the two applications.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import db
from bench.cpu import CpuMeter

MODEL = Path(__file__).resolve().parent / "models" / "parallel_review.bpmn"
PROCESS_ID = "parallel_review"
TABLE_DDL = """
CREATE TABLE IF NOT EXISTS bench_peer_workflow (
    id bigserial PRIMARY KEY,
    case_no text NOT NULL,
    state jsonb NOT NULL,
    completed boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
)
"""

_engine: dict = {}


def versions() -> str:
    from importlib.metadata import version

    return version("SpiffWorkflow")


def _spec():
    if "spec" not in _engine:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_file(str(MODEL))
        _engine["spec"] = parser.get_spec(PROCESS_ID)
        _engine["serializer"] = BpmnWorkflowSerializer()
    return _engine["spec"], _engine["serializer"]


def table_ensure() -> None:
    with db.connect(autocommit=True) as conn:
        conn.execute(TABLE_DDL)


def case_run(conn, case_no: str) -> None:
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    spec, serializer = _spec()
    with conn.transaction():
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        row_id = conn.execute(
            "INSERT INTO bench_peer_workflow (case_no, state) VALUES (%s, %s) RETURNING id",
            [case_no, serializer.serialize_json(workflow)],
        ).fetchone()[0]
    for name in (*(f"review_{n}" for n in range(1, 6)), "decision"):
        with conn.transaction():
            state = conn.execute(
                "SELECT state FROM bench_peer_workflow WHERE id = %s FOR UPDATE", [row_id]
            ).fetchone()[0]
            workflow = serializer.deserialize_json(state)
            task = workflow.get_next_task(state=TaskState.READY, spec_name=name)
            task.data["opinion"] = "同意"
            task.run()
            workflow.do_engine_steps()
            conn.execute(
                "UPDATE bench_peer_workflow SET state = %s, completed = %s, updated_at = now() "
                "WHERE id = %s",
                [serializer.serialize_json(workflow), workflow.is_completed(), row_id],
            )
    if not workflow.is_completed():
        raise RuntimeError("the peer's workflow did not complete")


def worker_round(worker: int, cases: int, start_at: float) -> tuple:
    conn = _engine.get("conn")
    if conn is None:
        # psycopg loads jsonb as dicts; SpiffWorkflow's serializer wants the JSON text
        conn = _engine["conn"] = db.connect()
        from psycopg.types.string import TextLoader

        conn.adapters.register_loader("jsonb", TextLoader)
        case_run(conn, f"warm-{worker}")
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    meter = CpuMeter(conn.info.backend_pid)
    started = time.time()
    meter.start()
    for n in range(cases):
        case_run(conn, f"w{worker}-{n}")
    client, backend = meter.stop()
    return started, time.time(), cases, client, backend


def transactions_per_case() -> int:
    return 7
