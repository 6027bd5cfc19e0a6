"""The beat task that runs the Art. 32 deemed-acceptance sweep."""

from __future__ import annotations

from celery import shared_task

from hall.intake import sweeps as intake


@shared_task(name="hall.tasks.sweep_deemed_acceptance")
def sweep_deemed_acceptance() -> int:
    return intake.intake_deemed_acceptance_sweep()
