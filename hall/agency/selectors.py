"""Reads of 全程代办: the request of a case still open (asked for, or carried by an agent)."""

from __future__ import annotations

from hall.models import AgencyRequest, Case


def agency_request_open(*, case: Case) -> AgencyRequest | None:
    """The case's agency request still asked for or assigned, the newest; None without one."""
    return (
        AgencyRequest.objects.filter(
            case=case,
            status__in=[AgencyRequest.Status.REQUESTED, AgencyRequest.Status.ASSIGNED],
        )
        .order_by("-pk")
        .first()
    )
