"""The beat task of 接诉即办: cards, 催办, public listing and call-backs (hall.orders.services)."""

from __future__ import annotations

from celery import shared_task

from hall.orders import services


@shared_task(name="hall.tasks.sweep_orders")
def sweep_orders() -> dict[str, int]:
    return services.orders_sweep()
