"""The replica router's choices, on the real PostgreSQL of the tests.

The tests have no replica (the drill's short form, `make drill-short` in `make test`, runs these
choices against a real streaming replica behind PgBouncer); here the router's decisions are
asked directly, and the health check meets a real primary (which is not a replica) and a port
where nothing listens.
"""

from __future__ import annotations

import socket

import pytest
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from hall.platform import replica


@pytest.fixture(autouse=True)
def fresh_health():
    replica.replica_health_forget()
    yield
    replica.replica_health_forget()
    replica._health.usable = False


def healthy() -> None:
    """The state a passing check leaves (the tests have no replica to pass it)."""
    replica._health.usable = True
    replica._health.lag_seconds = 0.0
    replica._health.checked_at = float("inf")  # never checked again in this test


def test_reads_outside_a_scope_go_to_the_primary():
    healthy()
    assert replica.ReplicaRouter().db_for_read(object) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_in_a_scope_go_to_a_healthy_replica():
    healthy()
    with replica.replica_reads() as scope:
        assert replica.ReplicaRouter().db_for_read(object) == "replica"
    assert scope.used == "replica"


@pytest.mark.django_db(transaction=True)
def test_a_write_pins_the_rest_of_the_scope_to_the_primary():
    healthy()
    router = replica.ReplicaRouter()
    with replica.replica_reads() as scope:
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
        assert router.db_for_read(object) == "default"
    assert scope.wrote and scope.used == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_stay_there():
    healthy()
    with replica.replica_reads() as scope, transaction.atomic():
        assert replica.ReplicaRouter().db_for_read(object) == "default"
    assert scope.used == "default"


@pytest.mark.django_db(transaction=True)
def test_an_unhealthy_replica_sends_the_scope_to_the_primary():
    replica._health.usable = False
    replica._health.checked_at = float("inf")
    with replica.replica_reads() as scope:
        assert replica.ReplicaRouter().db_for_read(object) == "default"
    assert scope.used == "default"


def test_only_the_primary_is_migrated():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("default", "hall") is True
    assert router.allow_migrate("replica", "hall") is False


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_replica_that_refuses_is_not_used(settings):
    settings.HALL_REPLICA_CHECK_URL = f"postgres://postgres@127.0.0.1:{_closed_port()}/postgres"
    health = replica.replica_health(now=1000.0)
    assert health.usable is False and health.lag_seconds is None


def test_a_server_that_is_not_in_recovery_is_not_read_as_a_replica(settings):
    # the primary itself, named as the replica by mistake (or a promoted replica)
    settings.HALL_REPLICA_CHECK_URL = "postgres://postgres@127.0.0.1:5432/postgres"
    health = replica.replica_health(now=1000.0)
    assert health.usable is False and health.lag_seconds == 0.0


def test_the_check_is_kept_for_its_interval(settings):
    settings.HALL_REPLICA_CHECK_URL = f"postgres://postgres@127.0.0.1:{_closed_port()}/postgres"
    settings.HALL_REPLICA_CHECK_SECONDS = 2
    replica.replica_health(now=1000.0)
    healthy_state = replica._health
    healthy_state.usable = True  # what a check would have found; kept until 1002
    assert replica.replica_health(now=1001.5).usable is True
    assert replica.replica_health(now=1002.5).usable is False  # checked again: refused


def test_without_a_replica_the_decorator_changes_nothing(settings):
    settings.HALL_READ_SOURCE_HEADER = True
    view = replica.reads_from_replica(lambda request: HttpResponse("ok"))
    response = view(RequestFactory().get("/register/"))
    assert response.content == b"ok" and "X-Hall-Read-From" not in response


@pytest.mark.django_db(transaction=True)
def test_a_read_that_fails_on_the_replica_is_asked_again_of_the_primary(settings, monkeypatch):
    settings.HALL_READ_SOURCE_HEADER = True
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    healthy()
    calls = []

    def view(request):
        alias = replica.ReplicaRouter().db_for_read(object)
        calls.append(alias)
        if alias == "replica":
            raise DatabaseError("terminating connection due to administrator command")
        return HttpResponse("from the primary")

    response = replica.reads_from_replica(view)(RequestFactory().get("/register/"))
    assert calls == ["replica", "default"]
    assert response["X-Hall-Read-From"] == "default"
    assert replica._health.usable is False  # down until the next check


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_request_is_not_repeated(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    healthy()
    calls = []

    def view(request):
        calls.append(replica.ReplicaRouter().db_for_read(object))
        raise DatabaseError("gone")

    with pytest.raises(DatabaseError):
        replica.reads_from_replica(view)(RequestFactory().post("/register/"))
    assert calls == ["replica"]
