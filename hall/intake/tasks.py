"""The beat task that runs the Art. 32 deemed-acceptance sweep."""

from __future__ import annotations

from celery import shared_task

from hall.intake import sweeps


@shared_task(name="hall.tasks.sweep_deemed_acceptance")
def sweep_deemed_acceptance() -> int:
    return sweeps.intake_deemed_acceptance_sweep()
