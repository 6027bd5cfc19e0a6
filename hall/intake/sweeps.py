"""Deemed acceptance (Art. 32): a case neither accepted nor notified within 5 working days of the
materials' arrival counts as accepted from that day. Run by beat; skip-locked, so two sweeps
never act twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from hall.cases.locks import cases_locked
from hall.intake.acceptance import case_accept
from hall.intake.applications import application_deem_accept
from hall.models import (
    Case,
    CaseGroup,
)


def intake_deemed_acceptance_sweep(*, today: datetime.date | None = None, batch: int = 200) -> int:
    """Accept every case whose 5-working-day intake limit passed with no notice, exactly once.

    Rows are taken with FOR UPDATE SKIP LOCKED, so two sweeps at once split the work, and each
    row is accepted only if it is still waiting; a rerun finds nothing left to do.
    """
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            due = list(
                cases_locked(
                    Case.objects.filter(
                        status=Case.Status.RECEIVED,
                        intake_due_date__lt=today,
                        group__isnull=True,
                    ),
                    skip_locked=True,
                )[:batch]
            )
            for case in due:
                case_accept(case=case, clerk=None, deemed=True)
        done += len(due)
        if len(due) < batch:
            break
    # 一件事: an application is deemed accepted as one, with one notice
    groups = (
        Case.objects.filter(
            status=Case.Status.RECEIVED, intake_due_date__lt=today, group__isnull=False
        )
        .values_list("group_id", flat=True)
        .distinct()
    )
    for group in CaseGroup.objects.filter(pk__in=list(groups)).select_related("bundle"):
        notice = application_deem_accept(group=group, today=today)
        if notice is not None:
            done += len(notice.content["table"]["rows"])
    return done
