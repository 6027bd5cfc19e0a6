"""Shared fixtures: the real components, a real Celery worker, and the role users."""

from __future__ import annotations

import datetime
import os
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_QUEUE = f"hall-test-{uuid.uuid4().hex[:8]}"
# `HALL_TEST_TODAY=YYYY-MM-DD` runs the whole session as if today were that date: the clock
# travels (time-machine, ticking) to 10:00 Asia/Shanghai that day before any test runs, for
# every thread of the process (the live Celery worker and the live server included). `make test`
# runs the date-sensitive packages at four fixed dates this way (README, "Tests and dates").
TEST_TODAY = os.environ.get("HALL_TEST_TODAY", "").strip()


def _session_moment() -> datetime.datetime | None:
    if not TEST_TODAY:
        return None
    try:
        day = datetime.date.fromisoformat(TEST_TODAY)
    except ValueError:
        raise pytest.UsageError(
            f"HALL_TEST_TODAY must be a date like 2027-02-08, not {TEST_TODAY!r}"
        ) from None
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))


def pytest_configure(config):
    moment = _session_moment()
    if moment is not None:
        # Started once and never stopped: the process ends with the session.
        time_machine.travel(moment, tick=True).start()


def pytest_report_header(config):
    today = f"today: {TEST_TODAY} (HALL_TEST_TODAY)" if TEST_TODAY else "today: the real date"
    return [
        f"database: {settings.DATABASE_CHOICE.url} ({settings.DATABASE_CHOICE.reason})",
        f"broker: {settings.BROKER_CHOICE.url} ({settings.BROKER_CHOICE.reason})",
        today,
    ]


def pytest_sessionstart(session):
    if not IN_CI:
        return
    problems = []
    if settings.DATABASE_CHOICE.embedded:
        problems.append(f"PostgreSQL is required in CI ({settings.DATABASE_CHOICE.reason})")
    if settings.BROKER_CHOICE.embedded:
        problems.append(f"Redis is required in CI ({settings.BROKER_CHOICE.reason})")
    if problems:
        pytest.exit("; ".join(problems), returncode=3)


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = not settings.BROKER_CHOICE.embedded
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL; running on SQLite fallback"))
        if "celery_worker" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis for a real Celery worker"))
        if "database_clock" in item.keywords and TEST_TODAY:
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL's now() cannot travel to HALL_TEST_TODAY")
            )


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """PBKDF2 at production strength costs ~0.3 s per demo user; tests need no strength."""
    previous = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    settings.PASSWORD_HASHERS = previous


@pytest.fixture(autouse=True, scope="session")
def second_factor_not_required():
    """Most tests sign people in with force_login and test their pages, not the sign-in; the
    second factor's own tests (tests/hall/accounts/test_two_factor.py) require it again."""
    previous = settings.HALL_2FA_REQUIRED_ROLES
    settings.HALL_2FA_REQUIRED_ROLES = []
    yield
    settings.HALL_2FA_REQUIRED_ROLES = previous


@pytest.fixture(autouse=True)
def nothing_leaks():
    """Each test starts in the hall's own language and time zone with an empty cache, whatever
    the test before it activated or counted (the suite runs shuffled: pytest-randomly)."""
    from django.core.cache import cache
    from django.utils import timezone, translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    cache.clear()


@pytest.fixture(autouse=True)
def broker_breaker_closed():
    """A test that makes a publish fail opens the process's broker breaker (15 s without
    publishing, hall.platform.broker); the next test starts with it closed."""
    from hall.platform.broker import broker_breaker_reset

    broker_breaker_reset()
    yield
    broker_breaker_reset()


@pytest.fixture(autouse=True)
def api_rate_of_the_test_address_fresh():
    """The API's anonymous rate is counted per address in the shared cache, and every test
    client is 127.0.0.1: one test's requests (the URL fuzz) must not use up the next one's."""
    from django.core.cache import cache

    cache.delete("api-throttle:127.0.0.1")
    yield


@pytest.fixture(autouse=True)
def webhook_subscriptions_not_kept():
    """Each test's database has its own subscriptions: forget a process's copy of the last."""
    from hall.outbox.webhooks import subscriptions_forget

    subscriptions_forget()
    yield
    subscriptions_forget()


@pytest.fixture(autouse=True, scope="session")
def supervision_figures_always_fresh():
    """Tests read the dashboard right after changing data: no snapshot age (the snapshot's own
    test sets one)."""
    previous = settings.HALL_SUPERVISION_FIGURES_SECONDS
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 0
    yield
    settings.HALL_SUPERVISION_FIGURES_SECONDS = previous


@pytest.fixture(scope="session")
def hall_celery_app():
    """The project's Celery app, pointed at a queue of this test session alone, so that neither a
    dev worker nor another test session on the same Redis steals its tasks."""
    from hall.celery import app

    app.conf.task_default_queue = TEST_QUEUE
    app.conf.task_always_eager = False
    return app


@pytest.fixture(scope="session")
def live_celery_worker(hall_celery_app, django_db_setup, django_db_blocker):
    """A real Celery worker thread consuming from Redis (celery.contrib.testing.start_worker).

    Tests that use it need `transactional_db`, because the worker thread has its own database
    connection and sees only committed rows.
    """
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the ping check)
    from celery.contrib.testing.worker import start_worker

    hall_celery_app.control.purge()
    with (
        django_db_blocker.unblock(),
        start_worker(
            hall_celery_app,
            queues=[TEST_QUEUE],
            pool="threads",
            concurrency=4,
            perform_ping_check=True,
            shutdown_timeout=30,
        ) as worker,
    ):
        yield worker


@pytest.fixture
def celery_worker(live_celery_worker, transactional_db):
    return live_celery_worker


@pytest.fixture
def roles(db):
    from hall.roles import roles_sync

    return roles_sync()


@pytest.fixture
def make_user(db, roles):
    from django.contrib.auth import get_user_model

    def make(username: str, *role_slugs: str, **extra):
        user = get_user_model().objects.create_user(
            username=username, password="pw-Hall-2026!", **extra
        )
        for slug in role_slugs:
            user.groups.add(roles[slug])
        return user

    return make


@pytest.fixture
def department(db):
    from departments.models import Department

    return Department.objects.create(code="MSR", name="区市场监督管理局", short_name="市场监管")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
