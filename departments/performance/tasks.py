"""Celery task of the performance figures: keep the count of open cases (woken by beat)."""

from __future__ import annotations

from celery import shared_task

from departments.performance import open_cases


@shared_task(name="departments.tasks.refresh_performance_open_cases")
def refresh_performance_open_cases() -> str:
    return open_cases.open_cases_refresh().taken_at.isoformat()
