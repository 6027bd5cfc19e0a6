"""Case row locks: the one way a service takes a case's row lock (saleor's
`order/lock_objects.py` is the model).

Always `FOR UPDATE OF` the case row alone: rows read with it (`related`, a select_related of the
item, the applicant, the owner ...) are read, not locked, so two services never wait on a
catalogue row or an applicant they only print. Several cases are locked in primary-key order,
so that two transactions locking overlapping sets cannot deadlock. Review services lock the step
first and the case after it (`approvals.reviews.locks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from hall.common.compiled import CompiledRead
from hall.models import Case

# What the intake services print and tell (the applicant's notices and messages).
INTAKE_RELATED = ("item", "applicant", "owner", "window")


_CASE_LOCKED: dict[tuple[str, ...], CompiledRead[Case]] = {}


def case_locked(case: Case | int, *, related: Sequence[str] = INTAKE_RELATED) -> Case:
    """The case read fresh under its row lock for the rest of the transaction (each shape of
    the query compiled once per process: `hall.common.compiled`)."""
    case_id = case if isinstance(case, int) else case.pk
    related = tuple(related)
    read = _CASE_LOCKED.get(related)
    if read is None:
        read = _CASE_LOCKED.setdefault(
            related,
            CompiledRead(
                lambda pk: (
                    Case.objects.select_for_update(of=("self",))
                    .select_related(*related)
                    .filter(pk=pk)
                )
            ),
        )
    return read.read(case_id)


def case_lock(case_id: int) -> None:
    """Take the case row's lock without reading it (what is true of several rows of a case at
    once holds under it)."""
    list(
        Case.objects.select_for_update(of=("self",)).filter(pk=case_id).values_list("pk", flat=True)
    )


def cases_locked(cases: QuerySet[Case] | Iterable[int], *, skip_locked: bool = False) -> QuerySet:
    """Cases locked in primary-key order: a queryset of them (narrowed by the caller) or their
    ids. `skip_locked`: a sweep's batch passes over the rows another sweeper holds."""
    queryset = cases if isinstance(cases, QuerySet) else Case.objects.filter(pk__in=list(cases))
    return queryset.select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk")
