"""Selectors that report whether the hall's components answer (`/healthz`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from hall.celery import app


@dataclass(frozen=True)
class ComponentStatus:
    ok: bool
    detail: str


def database_status(alias: str = "default") -> ComponentStatus:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        connection.close()
        return ComponentStatus(False, f"{connection.vendor}: {type(error).__name__}")
    return ComponentStatus(True, connection.vendor)


def broker_status() -> ComponentStatus:

    transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as error:  # kombu raises transport-specific errors; any of them means down
        return ComponentStatus(False, f"{transport}: {type(error).__name__}")
    return ComponentStatus(True, transport)
