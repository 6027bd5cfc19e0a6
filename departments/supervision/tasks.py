"""Celery task of supervision: refresh the dashboard's figures (woken by beat)."""

from __future__ import annotations

from celery import shared_task

from departments.supervision import figures


@shared_task(name="departments.tasks.refresh_supervision_figures")
def refresh_supervision_figures() -> str:
    return figures.supervision_figures_refresh().computed_at.isoformat()
