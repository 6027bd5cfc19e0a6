"""Celery tasks of the performance figures (woken by beat): the count of open cases and the
month to date's figures."""

from __future__ import annotations

from celery import shared_task

from departments.performance import month, open_cases


@shared_task(name="departments.tasks.refresh_performance_open_cases")
def refresh_performance_open_cases() -> str:
    return open_cases.open_cases_refresh().taken_at.isoformat()


@shared_task(name="departments.tasks.refresh_performance_month")
def refresh_performance_month() -> str:
    return month.month_figures_refresh().taken_at.isoformat()
