"""The beat task of 好差评: overdue rectifications and the invitations to rate."""

from __future__ import annotations

from celery import shared_task

from hall.ratings import services


@shared_task(name="hall.tasks.sweep_ratings")
def sweep_ratings() -> dict[str, int]:
    return services.ratings_sweep()
