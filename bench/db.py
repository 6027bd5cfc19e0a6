"""The bench's own database: created and migrated here, never any other."""

from __future__ import annotations

import time

import psycopg

from bench import env


def ensure_database() -> bool:
    """Create the bench database if it is missing. True if it was created."""
    with psycopg.connect(env.PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [env.DB_NAME]
        ).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{env.DB_NAME}"')
        return True


def migrate() -> float:
    """Apply outstanding migrations (Django must be set up). Returns the seconds it took."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    started = time.perf_counter()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - started


def analyze() -> dict:
    """ANALYZE the bench's database, so that every section is planned on its tables as they are.

    Each run grows viewflow's tables, the events and the outbox; with autovacuum off (this
    machine's server runs without it: /etc/postgresql/*/main/conf.d/90-ci.conf) the statistics
    stay those of the fixture's load, and a run found vanilla viewflow's join reading
    ``viewflow_task_previous`` by a parallel sequential scan (82 ms of its statements per case
    against 8 once analysed). A production server analyses on its own."""
    started = time.perf_counter()
    with connect(autocommit=True) as conn:
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]
        conn.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "autovacuum": autovacuum}


def connect(**kwargs) -> psycopg.Connection:
    return psycopg.connect(env.PG_URL, **kwargs)


def server_version() -> str:
    with connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def server_settings() -> dict[str, str]:
    names = ("shared_buffers", "synchronous_commit", "fsync", "max_connections", "work_mem")
    with connect() as conn:
        rows = conn.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
            [list(names)],
        ).fetchall()
    return dict(rows)
