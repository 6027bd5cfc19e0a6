"""Reads that may come from a streaming replica, and the router that sends them there.

Most of the hall reads what it is about to change, so every read goes to the primary unless a
view asks otherwise. The supervision dashboard, the performance reports and the public register
read many rows and change none: they are wrapped in `replica_reads()`, and inside that scope the
`ReplicaRouter` sends reads to the `replica` database when all of these hold:

- a replica is configured (`REPLICA_DATABASE_URL`; without it the router is not installed);
- nothing has been written in the scope, and no transaction is open on the primary: a case
  written in this request is never read back from a replica that may not have it yet;
- the replica answers and its replay is at most `HALL_REPLICA_MAX_LAG_SECONDS` behind. The
  answer is kept for `HALL_REPLICA_CHECK_SECONDS` per process, so the check costs one query
  every few seconds; with `HALL_REPLICA_CHECK_URL` (the replica's server, not the pooler) a
  replica that is down is known at once.

Otherwise the reads go to the primary. A read that fails on the replica (it stopped mid-query)
is answered again from the primary: a replica that fails is never an error page.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)
REPLICA = "replica"

# The replica is as fresh as its last replayed transaction; when it has replayed all it
# received, it is not behind at all, however long ago the primary last wrote.
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


@dataclass
class ReadScope:
    """One request's (or one block's) permission to read from the replica, until it writes."""

    wrote: bool = False
    used: str = ""  # the alias that served the scope's reads: for the drill's response header


_scope: contextvars.ContextVar[ReadScope | None] = contextvars.ContextVar(
    "hall_replica_scope", default=None
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[ReadScope]:
    """Let the reads in this block come from the replica (see the module's text)."""
    scope = ReadScope()
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def reads_from_replica(view):
    """A decorator for a view (or a view's method): its reads may come from the replica. With
    `HALL_READ_SOURCE_HEADER` on (the scale-out drill), the response says which database
    served them in `X-Hall-Read-From`. The view must have read what it shows before it returns
    (`render()`, a serializer's `.data`), as the hall's views do."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not replica_configured():
            return view(*args, **kwargs)
        request = args[0] if hasattr(args[0], "method") else args[1]  # a function or a method
        with replica_reads() as scope:
            try:
                response = view(*args, **kwargs)
            except DatabaseError:
                # the replica went away under the read: a GET changes nothing, so it is asked
                # again of the primary (the replica counts as down until the next check)
                if scope.used != REPLICA or request.method not in ("GET", "HEAD"):
                    raise
                logger.warning("replica: a read failed; answering from the primary")
                replica_unusable()
                scope.used = DEFAULT_DB_ALIAS
                response = view(*args, **kwargs)
        if settings.HALL_READ_SOURCE_HEADER:
            response["X-Hall-Read-From"] = scope.used or DEFAULT_DB_ALIAS
        return response

    return wrapped


@dataclass
class _Health:
    checked_at: float = float("-inf")
    usable: bool = False
    lag_seconds: float | None = None


_health = _Health()


_check_lock = threading.Lock()
_check_connection = None


def _lag_measure() -> tuple[bool, float]:
    """(in recovery, seconds behind), asked of the replica's server itself when
    `HALL_REPLICA_CHECK_URL` names it: a stopped replica then refuses at once, where a pooler
    would keep the question waiting for a server connection. Otherwise through the alias."""
    global _check_connection
    url = settings.HALL_REPLICA_CHECK_URL
    if not url:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            return cursor.fetchone()
    import psycopg

    try:
        if _check_connection is None or _check_connection.closed:
            _check_connection = psycopg.connect(url, connect_timeout=1, autocommit=True)
        return _check_connection.execute(LAG_SQL).fetchone()
    except psycopg.Error as error:
        if _check_connection is not None:
            _check_connection.close()
        _check_connection = None
        raise DatabaseError(str(error)) from error


def replica_health(*, now: float | None = None) -> _Health:
    """Whether the replica may serve reads now; measured at most every
    `HALL_REPLICA_CHECK_SECONDS` in this process."""
    now = time.monotonic() if now is None else now
    if now - _health.checked_at < settings.HALL_REPLICA_CHECK_SECONDS:
        return _health
    with _check_lock:
        if now - _health.checked_at < settings.HALL_REPLICA_CHECK_SECONDS:
            return _health
        was_usable = _health.usable
        try:
            in_recovery, lag = _lag_measure()
        except DatabaseError as error:
            if was_usable:
                logger.warning("replica: not answering, reading from the primary (%s)", error)
            _replica_connection_close()  # the reads connect afresh once it is back
            _health.usable, _health.lag_seconds = False, None
            _health.checked_at = now
            return _health
        _health.lag_seconds = float(lag)
        # a promoted replica is no longer a copy of the primary: do not read from it
        _health.usable = bool(in_recovery) and _health.lag_seconds <= settings.HALL_REPLICA_MAX_LAG
        _health.checked_at = now
    if was_usable and not _health.usable:
        logger.warning(
            "replica: %.1f s behind (limit %s s) or promoted; reading from the primary",
            _health.lag_seconds,
            settings.HALL_REPLICA_MAX_LAG,
        )
    elif _health.usable and not was_usable:
        logger.info("replica: %.1f s behind; reading from the replica", _health.lag_seconds)
    return _health


def replica_unusable() -> None:
    """A read on the replica failed: read from the primary until the next check says so."""
    _health.usable = False
    _health.checked_at = time.monotonic()
    _replica_connection_close()


def _replica_connection_close() -> None:
    if REPLICA in connections:
        connections[REPLICA].close()


def replica_health_forget() -> None:
    """Measure again at the next read, on a new check connection (the check URL may have
    changed: a test's settings, a new replica)."""
    global _check_connection
    _health.checked_at = float("-inf")
    if _check_connection is not None:
        _check_connection.close()
    _check_connection = None


class ReplicaRouter:
    """Installed in DATABASE_ROUTERS only when a replica is configured (hall.settings)."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None:
            return DEFAULT_DB_ALIAS
        replica_fits = not scope.wrote and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        alias = REPLICA if replica_fits and replica_health().usable else DEFAULT_DB_ALIAS
        # one read from the primary makes the scope's answer "primary" (for the drill's header)
        if scope.used != DEFAULT_DB_ALIAS:
            scope.used = alias
        return alias

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
