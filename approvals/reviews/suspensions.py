"""The clock stops: a department's correction through the first-contact owner, and the Art. 45
special procedures (hearing, inspection, expert review ...), which do not count toward the limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    CaseStep,
    StepSuspension,
)
from approvals.reviews.common import (
    CORRECTION_EXPECTED_DAYS,
    case_dates_reschedule,
    require_officer_of,
    step_people_tell,
    step_reschedule,
)
from approvals.reviews.locks import step_locked
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_lock
from hall.cases.notices import notice_issue
from hall.cases.wording import MessageKind
from hall.common.people import display_name
from hall.models import Notice
from hall.outbox.queue import applicant_notify


def _suspend(
    *, step: CaseStep, user: User, kind: str, reason: str, expected_days: int, notice: Notice | None
) -> StepSuspension:
    suspension = StepSuspension.objects.create(
        step=step,
        kind=kind,
        reason=reason,
        starts_on=timezone.localdate(),
        expected_days=expected_days,
        started_by=user,
        notice=notice,
    )
    step.status = CaseStep.Status.SUSPENDED
    step_reschedule(step)
    step.save()
    case_dates_reschedule(case=step.case)
    return suspension


def _resume(*, step: CaseStep, user: User, kinds: Iterable[str]) -> StepSuspension:
    suspension = step.suspensions.filter(ends_on__isnull=True, kind__in=list(kinds)).first()
    if suspension is None:
        raise ValidationError(_("没有进行中的中止计时。"))
    suspension.ends_on = max(timezone.localdate(), suspension.starts_on)
    suspension.ended_by = user
    suspension.save(update_fields=["ends_on", "ended_by"])
    step.status = CaseStep.Status.OPEN
    step_reschedule(step)
    step.save()
    case_dates_reschedule(case=step.case)
    return suspension


def step_correction_request(
    *, step: CaseStep, officer: User, items: Sequence[tuple[str, str]]
) -> Notice:
    """A department asks for a correction during review. It goes to the applicant through the
    case's first-contact owner as one written notice listing everything, and the department's
    clock stops until the correction arrives (the case's clock stops with it, once).

    The rule chosen for the one-time rule during review: **one request per stage**. The first
    department of a stage to ask issues the stage's notice; a department never asks twice; a
    second request in the same stage by another department is possible (review may find what
    intake could not) but is recorded as a breach of the one-time rule, on the notice and in the
    case's log, and supervision lists it.
    """
    require_officer_of(officer, step.department_id)
    items = [(name.strip(), reason.strip()) for name, reason in items if name.strip()]
    if not items or any(not reason for _name, reason in items):
        raise ValidationError(_("请列出需要补正的全部材料及原因。"))
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.suspensions.filter(kind=StepSuspension.Kind.CORRECTION).exists():
            raise ValidationError(
                _("一次性告知：本部门已要求过补正，不能再次要求。"), code="one_time"
            )
        if locked.status != CaseStep.Status.OPEN:
            raise ValidationError(_("只有审查中的事项可以要求补正。"))
        # One request per stage is a rule across the stage's steps, so it needs a lock they all
        # take: the case row (after the step's, the order every review service keeps). Two
        # departments asking at the same instant then meet here one after the other, and the
        # second sees the first's request and records the breach.
        case_lock(locked.case_id)
        earlier = (
            StepSuspension.objects.filter(
                step__case_stage_id=locked.case_stage_id, kind=StepSuspension.Kind.CORRECTION
            )
            .select_related("notice", "step__department")
            .order_by("pk")
            .first()
        )
        breach = earlier is not None
        notice = notice_issue(
            case=locked.case,
            kind=Notice.Kind.CORRECTION,
            issued_by=officer,
            corrections=list(items),
            paragraphs=wording.department_correction_paragraphs(
                case=locked.case, department=locked.department.name, stage=locked.case_stage.name
            ),
            override_by=officer if breach else None,
            override_reason=(
                _("同一审批阶段第二次要求补正（首次：%(department)s，%(number)s）")
                % {
                    "department": earlier.step.department.name,
                    "number": earlier.notice.number if earlier.notice else "-",
                }
                if breach
                else ""
            ),
        )
        if breach:
            event_record(
                case=locked.case,
                action=CaseAction.ONE_TIME_BREACH,
                actor=officer,
                details={
                    "stage": locked.case_stage.name,
                    "department": locked.department.name,
                    "notice": notice.number,
                    "first_department": earlier.step.department.name,
                    "first_notice": earlier.notice.number if earlier.notice else None,
                },
            )
        _suspend(
            step=locked,
            user=officer,
            kind=StepSuspension.Kind.CORRECTION,
            reason="；".join(f"{name}：{reason}" for name, reason in items),
            expected_days=CORRECTION_EXPECTED_DAYS,
            notice=notice,
        )
        event_record(
            case=locked.case,
            action=CaseAction.CORRECTION_ASKED_BY_DEPARTMENT,
            actor=officer,
            details={"department": locked.department.name, "notice": notice.number, "items": items},
        )
        applicant_notify(
            case=locked.case,
            key=f"notice:{notice.pk}",
            kind=MessageKind.CORRECTION,
            subject=wording.DEPARTMENT_CORRECTION.subject,
            body=wording.DEPARTMENT_CORRECTION.body
            % {
                "department": locked.department.name,
                "names": "、".join(name for name, _reason in items),
                "owner": display_name(locked.case.owner),
            },
        )
        return notice


def step_correction_supplied(*, step: CaseStep, clerk: User) -> CaseStep:
    """The first-contact owner records that the correction arrived; the clock runs again."""
    if not clerk.has_perm("hall.use_workbench") or clerk.pk != step.case.owner_id:
        raise ValidationError(_("补正材料由窗口首问责任人接收。"))
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.status != CaseStep.Status.SUSPENDED:
            raise ValidationError(_("该审查没有等待补正。"))
        _resume(step=locked, user=clerk, kinds=[StepSuspension.Kind.CORRECTION])
        event_record(
            case=locked.case,
            action=CaseAction.DEPARTMENT_CORRECTION_SUPPLIED,
            actor=clerk,
            details={"department": locked.department.name, "due_date": locked.due_date.isoformat()},
        )
        step_people_tell(
            locked,
            key=f"step:{locked.pk}:correction-supplied",
            kind=MessageKind.CORRECTION_SUPPLIED,
            subject=wording.CORRECTION_SUPPLIED.subject % {"receipt": locked.case.receipt_no},
            body=wording.CORRECTION_SUPPLIED.body % {"due": locked.due_date.isoformat()},
        )
        return locked


SPECIAL_KINDS = [k for k in StepSuspension.Kind.values if k != StepSuspension.Kind.CORRECTION]


def step_special_procedure_start(
    *, step: CaseStep, officer: User, kind: str, reason: str, expected_days: int
) -> Notice:
    """Art. 45: hearing, inspection, testing, appraisal or expert review do not count toward
    the limit; the applicant is told the expected time in writing."""
    require_officer_of(officer, step.department_id)
    errors = {}
    if kind not in SPECIAL_KINDS:
        errors["kind"] = [_("请选择特别程序类型。")]
    if not reason.strip():
        errors["reason"] = [_("请说明事由。")]
    if not isinstance(expected_days, int) or expected_days < 1 or expected_days > 250:
        errors["expected_days"] = [_("预计时间须为 1 至 250 个工作日。")]
    if errors:
        raise ValidationError(errors)
    label = StepSuspension.Kind(kind).label
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.status != CaseStep.Status.OPEN:
            raise ValidationError(_("只有审查中的事项可以启动特别程序。"))
        notice = notice_issue(
            case=locked.case,
            kind=Notice.Kind.SPECIAL_PROCEDURE,
            issued_by=officer,
            paragraphs=wording.special_procedure_paragraphs(
                case=locked.case,
                department=locked.department.name,
                procedure=str(label),
                reason=reason.strip(),
                expected_days=expected_days,
            ),
        )
        _suspend(
            step=locked,
            user=officer,
            kind=kind,
            reason=reason.strip(),
            expected_days=expected_days,
            notice=notice,
        )
        event_record(
            case=locked.case,
            action=CaseAction.SPECIAL_PROCEDURE_STARTED,
            actor=officer,
            details={
                "department": locked.department.name,
                "kind": str(label),
                "expected_days": expected_days,
            },
        )
        applicant_notify(
            case=locked.case,
            key=f"notice:{notice.pk}",
            kind=MessageKind.SPECIAL_PROCEDURE,
            subject=wording.SPECIAL_PROCEDURE.subject,
            body=wording.SPECIAL_PROCEDURE.body % {"kind": label, "days": expected_days},
        )
        return notice


def step_special_procedure_end(*, step: CaseStep, officer: User) -> CaseStep:
    require_officer_of(officer, step.department_id)
    with transaction.atomic():
        locked = step_locked(step.pk)
        if locked.status != CaseStep.Status.SUSPENDED:
            raise ValidationError(_("没有进行中的特别程序。"))
        suspension = _resume(step=locked, user=officer, kinds=SPECIAL_KINDS)
        event_record(
            case=locked.case,
            action=CaseAction.SPECIAL_PROCEDURE_ENDED,
            actor=officer,
            details={
                "department": locked.department.name,
                "ended": suspension.get_kind_display(),
                "due_date": locked.due_date.isoformat(),
            },
        )
        return locked
