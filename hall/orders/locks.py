"""A work order's row lock, taken one way: every transition of the order or of its parts holds
the order's row first, so two departments answering at once or a sweep racing a reply run one
after the other."""

from __future__ import annotations

from django.db.models import Q

from hall.models import WorkOrder, WorkOrderPart


def order_locked(order: WorkOrder | int) -> WorkOrder:
    """Lock the order's row and return it as it now stands (with its category)."""
    pk = order if isinstance(order, int) else order.pk
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("category").get(pk=pk)


def orders_batch_locked(condition: Q, *, order_by: str, batch: int) -> list[WorkOrder]:
    """A sweep's batch: up to `batch` orders matching `condition`, locked, skipping any row a
    person or another sweeper holds (it is left for the next round)."""
    return list(
        WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition)
        .order_by(order_by)[:batch]
    )


def parts_batch_locked(condition: Q, *, batch: int) -> list[WorkOrderPart]:
    """A sweep's batch of department parts, locked likewise, with their order and department."""
    return list(
        WorkOrderPart.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition)
        .select_related("order", "department")
        .order_by("yellow_at")[:batch]
    )
