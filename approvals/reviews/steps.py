"""A department's step: claim, release, approve or refuse with an opinion, and the written
opinion owed after a deemed approval."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    CaseStep,
)
from approvals.reviews.common import AlreadyDecided, require_officer_of
from approvals.reviews.locks import step_locked
from approvals.workflow.driver import complete_human_task
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.common.bulk import fields_copy
from hall.common.people import display_name


def step_claim(*, step: CaseStep, officer: User) -> bool:
    require_officer_of(officer, step.department_id)
    return bool(
        CaseStep.objects.filter(
            pk=step.pk, status__in=CaseStep.OPEN_STATUSES, claimed_by__isnull=True
        ).update(claimed_by=officer)
    )


def step_release(*, step: CaseStep, officer: User) -> bool:
    require_officer_of(officer, step.department_id)
    return bool(CaseStep.objects.filter(pk=step.pk, claimed_by=officer).update(claimed_by=None))


def step_decide(*, step: CaseStep, officer: User, approve: bool, opinion: str) -> CaseStep:
    """The department's opinion: approve, or refuse with reasons."""
    require_officer_of(officer, step.department_id)
    opinion = opinion.strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": [_("不同意的，须说明理由。")]})
    if step.task_id is None:
        raise ValidationError(_("该审查环节尚未开始。"))

    decided: list[CaseStep] = []

    def record(activation) -> bool:
        locked = step_locked(step.pk)
        if locked.status == CaseStep.Status.SUSPENDED:
            raise ValidationError(_("计时中止期间不能作出决定，请先结束特别程序或等待补正。"))
        if locked.status != CaseStep.Status.OPEN:
            raise AlreadyDecided()
        if locked.claimed_by_id not in (None, officer.pk):
            raise ValidationError(
                _("该事项已由%(name)s认领。") % {"name": display_name(locked.claimed_by)}
            )
        now = timezone.now()
        locked.status = CaseStep.Status.APPROVED if approve else CaseStep.Status.REFUSED
        locked.decided_at = now
        locked.decided_by = officer
        locked.opinion = opinion or _("同意")
        # A red card once shown stays: nothing that moved the date since erases the lateness.
        locked.late = now >= locked.due_at or locked.warned_red_at is not None
        locked.save(update_fields=["status", "decided_at", "decided_by", "opinion", "late"])
        decided.append(locked)
        activation.process.artifact = locked.case  # the flow's gateways read this case
        event_record(
            case=locked.case,
            action=CaseAction.REVIEW_DECIDED,
            actor=officer,
            details={
                "department": locked.department.name,
                "decision": locked.get_status_display(),
                "opinion": locked.opinion,
                "late": locked.late,
            },
        )
        return True

    with transaction.atomic():
        if not complete_human_task(step.task_id, user=officer, apply=record):
            raise AlreadyDecided()
    return fields_copy(target=step, source=decided[0])


def step_written_opinion_file(*, step: CaseStep, officer: User, opinion: str) -> CaseStep:
    """After a deemed approval the department still files its written opinion."""
    require_officer_of(officer, step.department_id)
    if not opinion.strip():
        raise ValidationError({"opinion": [_("请填写书面意见。")]})
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.status != CaseStep.Status.DEEMED:
            raise ValidationError(_("只有超时默许的审查需要补交书面意见。"))
        if locked.written_opinion_at is not None:
            return locked
        locked.written_opinion = opinion.strip()
        locked.written_opinion_at = timezone.now()
        if locked.written_opinion_due and timezone.localdate() > locked.written_opinion_due:
            locked.written_opinion_late = True
        locked.save(update_fields=["written_opinion", "written_opinion_at", "written_opinion_late"])
        event_record(
            case=locked.case,
            action=CaseAction.WRITTEN_OPINION,
            actor=officer,
            details={"department": locked.department.name, "opinion": locked.written_opinion},
        )
        return locked
