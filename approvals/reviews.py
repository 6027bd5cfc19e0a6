"""Parallel approval (并联审批) services: every change of a case's approval rows.

The flow (approvals.flows) calls the `*_open` hooks when it creates a human task; officers,
heads, clerks and the sweeps call the rest. A decision completes the step's viewflow task through
`complete_human_task`, which takes the process lock first and re-checks the row under it, so an
officer clicking and the deemed-approval sweep at the same instant produce exactly one decision.

Deadlines are working days on the hall's calendar (approvals.deadlines), stored on each step;
suspensions (Art. 45 special procedures, corrections) and an extension (Art. 42) move them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process

from approvals.calendar import working_calendar
from approvals.deadlines import (
    Deadline,
    Extension,
    Suspension,
    WorkingCalendar,
    compute_deadline,
    extension_cap,
    yellow_from,
)
from approvals.models import ServiceItem
from approvals.review_models import (
    CaseDecision,
    CaseStage,
    CaseStep,
    StepExtension,
    StepSuspension,
)
from approvals.review_selectors import current_stage
from approvals.workflow import complete_human_task, system_user
from hall.events import event_record
from hall.models import Case, Notice
from hall.notices import LAW, REVIEW_RIGHTS, notice_issue
from hall.notifications import applicant_notify, staff_notify
from hall.people import display_name

logger = logging.getLogger(__name__)

CORRECTION_EXPECTED_DAYS = 10  # projection while the applicant corrects; the real stop is exact


# The calendar one unit of work (a case's workflow start, one sweep batch) computes every deadline
# with: read once, not once per step (working_calendar() reads the whole calendar table).
_calendar_in_use: ContextVar[WorkingCalendar | None] = ContextVar("calendar_in_use", default=None)


@contextmanager
def _one_calendar() -> Iterator[WorkingCalendar]:
    calendar = _calendar_in_use.get() or working_calendar()
    token = _calendar_in_use.set(calendar)
    try:
        yield calendar
    finally:
        _calendar_in_use.reset(token)


def _calendar() -> WorkingCalendar:
    return _calendar_in_use.get() or working_calendar()


class AlreadyDecided(ValidationError):
    """Someone else (another officer, or the deemed-approval sweep) decided first."""

    def __init__(self):
        super().__init__(_("该事项已由他人处理或已超时默许，请刷新页面。"), code="already_decided")


# --- starting -----------------------------------------------------------------------------


def approval_start(*, case: Case) -> None:
    """Copy the item's stages and steps onto the accepted case and start its workflow.

    Runs inside the acceptance's transaction: if the workflow cannot start, the case is not
    accepted either.
    """
    from approvals.flows import ApprovalFlow

    for item_stage in case.item.stages.prefetch_related("steps").order_by("number"):
        stage = CaseStage.objects.create(
            case=case,
            number=item_stage.number,
            name=item_stage.name,
            lead_department_id=item_stage.lead_department_id,
        )
        CaseStep.objects.bulk_create(
            CaseStep(
                case=case,
                case_stage=stage,
                approval_step=step,
                department_id=step.department_id,
                name=step.name,
                order=step.order,
                promised_days=step.promised_days,
                deemed_approval=step.deemed_approval,
            )
            for step in item_stage.steps.all()
        )
    CaseDecision.objects.create(case=case)
    with _one_calendar():
        ApprovalFlow.start.run(case=case)


# --- deadlines ------------------------------------------------------------------------------


def _step_deadline(step: CaseStep, calendar: WorkingCalendar, *, fresh: bool = False) -> Deadline:
    """The step's deadline. ``fresh``: the step is being opened now, so it has no suspension and
    no extension yet (both need an open step), and there is nothing to read for them."""
    suspensions = [
        Suspension(
            reason=suspension.kind,
            start=suspension.starts_on,
            end=suspension.ends_on,
            expected_days=suspension.expected_days,
        )
        for suspension in ([] if fresh else step.suspensions.order_by("starts_on", "pk"))
    ]
    extension = None if fresh else getattr(step, "extension", None)
    approved = None
    if extension is not None and extension.status == StepExtension.Status.APPROVED:
        approved = Extension(
            days=extension.days,
            reason=extension.reason,
            approver=extension.decided_by.get_username() if extension.decided_by else "-",
        )
    return compute_deadline(
        calendar=calendar,
        start=step.opened_on,
        working_days=step.promised_days,
        suspensions=suspensions,
        extension=approved,
        joint=step.case.item.handling_type == ServiceItem.HandlingType.JOINT,
    )


def _step_reschedule(step: CaseStep, *, fresh: bool = False) -> Deadline:
    calendar = _calendar()
    deadline = _step_deadline(step, calendar, fresh=fresh)
    step.due_date = deadline.due_date
    step.due_at = deadline.due_at
    step.warn_on = yellow_from(
        calendar=calendar,
        due_date=deadline.due_date,
        yellow_days=settings.HALL_WARNING_YELLOW_DAYS,
    )
    step.calendar_assumed_years = sorted(deadline.assumed_years)
    if deadline.assumed_years:
        logger.warning(
            "case %s step %s: deadline counted into %s without holiday data (Mon-Fri assumed)",
            step.case_id,
            step.pk,
            sorted(deadline.assumed_years),
        )
    return deadline


# --- hooks the flow calls when it creates a task --------------------------------------------


def step_open(*, step_id: int, task) -> CaseStep:
    """A department step got its task: it is in the department's queue with its deadline."""
    step = CaseStep.objects.select_related("case", "case__item", "case__owner", "department").get(
        pk=step_id
    )
    fresh = step.status == CaseStep.Status.PENDING
    now = timezone.now()
    step.status = CaseStep.Status.OPEN
    step.opened_at = now
    step.opened_on = timezone.localdate(now)
    step.task = task
    _step_reschedule(step, fresh=fresh)
    step.save()
    event_record(
        case=step.case,
        action="review_started",
        details={
            "department": step.department.name,
            "step": step.name,
            "due_date": step.due_date.isoformat(),
        },
    )
    return step


def stage_decision_open(*, case: Case, task) -> None:
    stage = current_stage(case=case)
    stage.decision_task = task
    stage.save(update_fields=["decision_task"])


def final_decision_open(*, case: Case, task) -> None:
    CaseDecision.objects.filter(case=case).update(decision_task=task)


def delivery_open(*, case: Case, task) -> None:
    CaseDecision.objects.filter(case=case).update(delivery_task=task)


# --- who may act ------------------------------------------------------------------------------


def _require_officer_of(user: User, department_id: int) -> None:
    officer = getattr(user, "officer", None)
    if officer is None or officer.department_id != department_id:
        raise ValidationError(_("只能处理本部门的审批事项。"), code="wrong_department")


def _require_head_of(user: User, step: CaseStep) -> None:
    head = step.department.head
    if head is None or head.user_id != user.pk:
        raise ValidationError(_("延长审批期限须由部门负责人批准。"), code="not_head")


def _locked_step(step_id: int) -> CaseStep:
    return (
        CaseStep.objects.select_for_update(of=("self",))
        .select_related(
            "case",
            "case__item",
            "case__applicant",
            "department",
            "department__head__user",
            "case__owner",
        )
        .get(pk=step_id)
    )


def _step_recipients(step: CaseStep) -> list[User]:
    """The officer (the one who claimed it, or the department's officers), the head and the
    case's first-contact owner."""
    people: dict[int, User] = {}
    if step.claimed_by_id:
        people[step.claimed_by_id] = step.claimed_by
    else:
        for officer in step.department.officers.select_related("user"):
            people[officer.user_id] = officer.user
    head = step.department.head
    if head is not None:
        people[head.user_id] = head.user
    if step.case.owner_id:
        people[step.case.owner_id] = step.case.owner
    return list(people.values())


def _tell_step_people(step: CaseStep, *, key: str, kind: str, subject: str, body: str) -> None:
    for user in _step_recipients(step):
        staff_notify(user=user, case=step.case, key=key, kind=kind, subject=subject, body=body)


# --- claiming ---------------------------------------------------------------------------------


def step_claim(*, step: CaseStep, officer: User) -> bool:
    _require_officer_of(officer, step.department_id)
    return bool(
        CaseStep.objects.filter(
            pk=step.pk, status__in=CaseStep.OPEN_STATUSES, claimed_by__isnull=True
        ).update(claimed_by=officer)
    )


def step_release(*, step: CaseStep, officer: User) -> bool:
    _require_officer_of(officer, step.department_id)
    return bool(CaseStep.objects.filter(pk=step.pk, claimed_by=officer).update(claimed_by=None))


# --- deciding a step --------------------------------------------------------------------------


def step_decide(*, step: CaseStep, officer: User, approve: bool, opinion: str) -> CaseStep:
    """The department's opinion: approve, or refuse with reasons."""
    _require_officer_of(officer, step.department_id)
    opinion = opinion.strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": [_("不同意的，须说明理由。")]})
    if step.task_id is None:
        raise ValidationError(_("该审查环节尚未开始。"))

    def record(activation) -> bool:
        locked = _locked_step(step.pk)
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
        locked.late = now >= locked.due_at
        locked.save()
        event_record(
            case=locked.case,
            action="review_decided",
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
    step.refresh_from_db()
    return step


def step_deem(
    *,
    step_id: int,
    now: datetime.datetime | None = None,
    task_id: int | None = None,
    system=None,
) -> bool:
    """超时默许: complete an overdue, deemable step as approved. False if nothing was due.

    The department stays liable: the step is marked late, the officer, the head and the
    first-contact owner are told, and the department still owes its written opinion within
    one working day.

    The sweep passes the step's ``task_id`` and the ``system`` user it already read, so that
    each deemed step does not look them up again.
    """
    now = now or timezone.now()
    if task_id is None:
        task_id = CaseStep.objects.filter(pk=step_id).values_list("task_id", flat=True).first()
    if task_id is None:
        return False

    def record(activation) -> bool:
        step = _locked_step(step_id)
        if not (
            step.status == CaseStep.Status.OPEN
            and step.deemed_approval
            and step.due_at is not None
            and step.due_at <= now
        ):
            return False  # decided, suspended or rescheduled meanwhile: veto
        step.status = CaseStep.Status.DEEMED
        step.decided_at = now
        step.decided_by = None
        step.opinion = _("超过承诺时限未作出意见，视为同意（超时默许）。")
        step.late = True
        step.written_opinion_due = _calendar().add_working_days(timezone.localdate(now), 1)
        step.save()
        event_record(
            case=step.case,
            action="review_deemed",
            details={
                "department": step.department.name,
                "due_date": step.due_date.isoformat(),
                "written_opinion_due": step.written_opinion_due.isoformat(),
            },
        )
        _tell_step_people(
            step,
            key=f"step:{step.pk}:deemed",
            kind="review_deemed",
            subject=_("超时默许 %(receipt)s") % {"receipt": step.case.receipt_no},
            body=_(
                "%(department)s未在%(due)s前作出审查意见，已视为同意并记录逾期。"
                "请于%(follow)s前补交书面意见。"
            )
            % {
                "department": step.department.name,
                "due": step.due_date.isoformat(),
                "follow": step.written_opinion_due.isoformat(),
            },
        )
        applicant_notify(
            case=step.case,
            key=f"step:{step.pk}:deemed",
            kind="review_deemed",
            subject=_("审批进度"),
            body=_("您的“%(item)s”申请中，%(department)s的审查已超时，依规视为同意。")
            % {"item": step.case.item.name, "department": step.department.name},
        )
        return True

    return complete_human_task(task_id, user=None, apply=record, system=system)


def steps_deem_overdue_sweep(*, now: datetime.datetime | None = None, batch: int = 100) -> int:
    """Deem every overdue deemable step approved, exactly once.

    Each round locks up to `batch` processes with due steps (FOR UPDATE SKIP LOCKED), so a second
    sweeper takes other processes and an officer on one of these waits for the round to commit.
    The process is locked before the step row, the same order as an officer's decision.
    """
    now = now or timezone.now()
    done = 0
    while True:
        due = CaseStep.objects.filter(
            status=CaseStep.Status.OPEN, deemed_approval=True, due_at__lte=now
        ).order_by()
        with transaction.atomic():
            # The distinct processes with due steps, found through the partial index
            # step_deemable_due. DISTINCT keeps PostgreSQL from flattening the IN (...) into a
            # join that walks every task of every process (seconds at a million open steps when
            # nothing is due); the model's default ordering is dropped, it would join the stage
            # and the case to every due step only to sort them.
            processes = list(
                Process.objects.select_for_update(skip_locked=True)
                .filter(pk__in=Subquery(due.values("task__process_id").distinct()))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if processes:
                steps = due.filter(task__process_id__in=processes).order_by(
                    "task__process_id", "pk"
                )
                # The calendar and the system user are read once per batch, not once per step.
                system = system_user()
                with _one_calendar():
                    for step_id, task_id in list(steps.values_list("pk", "task_id")):
                        done += step_deem(step_id=step_id, now=now, task_id=task_id, system=system)
        if len(processes) < batch:
            return done


def step_written_opinion_file(*, step: CaseStep, officer: User, opinion: str) -> CaseStep:
    """After a deemed approval the department still files its written opinion."""
    _require_officer_of(officer, step.department_id)
    if not opinion.strip():
        raise ValidationError({"opinion": [_("请填写书面意见。")]})
    with transaction.atomic():
        locked = _locked_step(step.pk)
        if locked.status != CaseStep.Status.DEEMED:
            raise ValidationError(_("只有超时默许的审查需要补交书面意见。"))
        if locked.written_opinion_at is not None:
            return locked
        locked.written_opinion = opinion.strip()
        locked.written_opinion_at = timezone.now()
        locked.save(update_fields=["written_opinion", "written_opinion_at"])
        event_record(
            case=locked.case,
            action="written_opinion",
            actor=officer,
            details={"department": locked.department.name, "opinion": locked.written_opinion},
        )
        return locked


# --- warnings -------------------------------------------------------------------------------


def steps_warn_sweep(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Yellow and red cards (电子监察), each sent once per step to the officer, the head and the
    first-contact owner. Red is for steps where deemed approval does not apply: the others are
    approved by the deemed-approval sweep instead."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    yellow = CaseStep.objects.filter(
        status=CaseStep.Status.OPEN,
        warned_yellow_at__isnull=True,
        warn_on__lte=today,
        due_at__gt=now,
    )
    red = CaseStep.objects.filter(
        status=CaseStep.Status.OPEN,
        deemed_approval=False,
        warned_red_at__isnull=True,
        due_at__lte=now,
    )
    for queryset, field, light in (
        (yellow, "warned_yellow_at", "yellow"),
        (red, "warned_red_at", "red"),
    ):
        with transaction.atomic():
            steps = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "case__item", "case__owner", "department", "claimed_by")
                .order_by("due_at")[:batch]
            )
            for step in steps:
                CaseStep.objects.filter(pk=step.pk).update(**{field: now})
                label = _("黄牌预警") if light == "yellow" else _("红牌超时")
                event_record(
                    case=step.case,
                    action="warning",
                    details={
                        "light": light,
                        "department": step.department.name,
                        "due": step.due_date.isoformat(),
                    },
                )
                _tell_step_people(
                    step,
                    key=f"step:{step.pk}:{light}",
                    kind=f"warning_{light}",
                    subject=f"{label} {step.case.receipt_no}",
                    body=_("%(department)s审查“%(item)s”的期限为%(due)s。")
                    % {
                        "department": step.department.name,
                        "item": step.case.item.name,
                        "due": step.due_date.isoformat(),
                    },
                )
                sent += 1
    return sent


# --- the clock stops and moves --------------------------------------------------------------


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
    _step_reschedule(step)
    step.save()
    return suspension


def _resume(*, step: CaseStep, user: User, kinds: Iterable[str]) -> StepSuspension:
    suspension = step.suspensions.filter(ends_on__isnull=True, kind__in=list(kinds)).first()
    if suspension is None:
        raise ValidationError(_("没有进行中的中止计时。"))
    suspension.ends_on = max(timezone.localdate(), suspension.starts_on)
    suspension.ended_by = user
    suspension.save(update_fields=["ends_on", "ended_by"])
    step.status = CaseStep.Status.OPEN
    _step_reschedule(step)
    step.save()
    return suspension


def step_correction_request(
    *, step: CaseStep, officer: User, items: Sequence[tuple[str, str]]
) -> Notice:
    """A department asks for a correction. It goes to the applicant through the case's
    first-contact owner as one written notice listing everything (一次性告知); a department
    asks once, and its clock stops until the correction arrives."""
    _require_officer_of(officer, step.department_id)
    items = [(name.strip(), reason.strip()) for name, reason in items if name.strip()]
    if not items or any(not reason for _name, reason in items):
        raise ValidationError(_("请列出需要补正的全部材料及原因。"))
    with transaction.atomic():
        locked = _locked_step(step.pk)
        if locked.status != CaseStep.Status.OPEN:
            raise ValidationError(_("只有审查中的事项可以要求补正。"))
        if locked.suspensions.filter(kind=StepSuspension.Kind.CORRECTION).exists():
            raise ValidationError(
                _("一次性告知：本部门已要求过补正，不能再次要求。"), code="one_time"
            )
        notice = notice_issue(
            case=locked.case,
            kind=Notice.Kind.CORRECTION,
            issued_by=officer,
            corrections=list(items),
            paragraphs=[
                f"你（单位）申请的“{locked.case.item.name}”在{locked.department.name}审查中，"
                f"依据{LAW}第三十二条，需要补正的全部内容一次性告知如下。",
                "补正期间审查期限中止计算，补正材料请交首问责任人。本告知书未列明的材料，"
                "本部门不再要求补正。",
            ],
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
            action="correction_asked_by_department",
            actor=officer,
            details={"department": locked.department.name, "notice": notice.number, "items": items},
        )
        applicant_notify(
            case=locked.case,
            key=f"notice:{notice.pk}",
            kind="correction",
            subject=_("补正告知"),
            body=_("%(department)s审查您的申请需要补正：%(names)s。请交首问责任人%(owner)s。")
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
        locked = _locked_step(step.pk)
        if locked.status != CaseStep.Status.SUSPENDED:
            raise ValidationError(_("该审查没有等待补正。"))
        _resume(step=locked, user=clerk, kinds=[StepSuspension.Kind.CORRECTION])
        event_record(
            case=locked.case,
            action="correction_supplied",
            actor=clerk,
            details={"department": locked.department.name, "due_date": locked.due_date.isoformat()},
        )
        _tell_step_people(
            locked,
            key=f"step:{locked.pk}:correction-supplied",
            kind="correction_supplied",
            subject=_("补正材料已到 %(receipt)s") % {"receipt": locked.case.receipt_no},
            body=_("补正材料已收到，审查期限恢复计算，到期日%(due)s。")
            % {"due": locked.due_date.isoformat()},
        )
        return locked


SPECIAL_KINDS = [k for k in StepSuspension.Kind.values if k != StepSuspension.Kind.CORRECTION]


def step_special_procedure_start(
    *, step: CaseStep, officer: User, kind: str, reason: str, expected_days: int
) -> Notice:
    """Art. 45: hearing, inspection, testing, appraisal or expert review do not count toward
    the limit; the applicant is told the expected time in writing."""
    _require_officer_of(officer, step.department_id)
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
        locked = _locked_step(step.pk)
        if locked.status != CaseStep.Status.OPEN:
            raise ValidationError(_("只有审查中的事项可以启动特别程序。"))
        notice = notice_issue(
            case=locked.case,
            kind=Notice.Kind.SPECIAL_PROCEDURE,
            issued_by=officer,
            paragraphs=[
                f"你（单位）申请的“{locked.case.item.name}”，{locked.department.name}审查中"
                f"需要进行{label}。事由：{reason.strip()}",
                f"依据{LAW}第四十五条，{label}所需时间不计算在审批期限内，"
                f"预计需要{expected_days}个工作日。结束后审查期限继续计算。",
            ],
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
            action="special_procedure",
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
            kind="special_procedure",
            subject=_("特别程序告知"),
            body=_("您的申请需要进行%(kind)s，预计%(days)s个工作日，期间不计入审批期限。")
            % {"kind": label, "days": expected_days},
        )
        return notice


def step_special_procedure_end(*, step: CaseStep, officer: User) -> CaseStep:
    _require_officer_of(officer, step.department_id)
    with transaction.atomic():
        locked = _locked_step(step.pk)
        if locked.status != CaseStep.Status.SUSPENDED:
            raise ValidationError(_("没有进行中的特别程序。"))
        suspension = _resume(step=locked, user=officer, kinds=SPECIAL_KINDS)
        event_record(
            case=locked.case,
            action="special_procedure",
            actor=officer,
            details={
                "department": locked.department.name,
                "ended": suspension.get_kind_display(),
                "due_date": locked.due_date.isoformat(),
            },
        )
        return locked


def step_extension_request(
    *, step: CaseStep, officer: User, days: int, reason: str
) -> StepExtension:
    """Art. 42: ask once to extend the step's limit, within the cap; the head decides."""
    _require_officer_of(officer, step.department_id)
    cap = extension_cap(joint=step.case.item.handling_type == ServiceItem.HandlingType.JOINT)
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= cap:
        errors["days"] = [_("延长期限须为 1 至 %(cap)s 个工作日。") % {"cap": cap}]
    if not reason.strip():
        errors["reason"] = [_("请说明延长理由。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_step(step.pk)
        if locked.status not in CaseStep.OPEN_STATUSES:
            raise ValidationError(_("只有审查中的事项可以申请延长。"))
        if StepExtension.objects.filter(step=locked).exists():
            raise ValidationError(_("每个审查环节只能延长一次。"), code="second_extension")
        extension = StepExtension.objects.create(
            step=locked,
            days=days,
            reason=reason.strip(),
            requested_by=officer,
            requested_at=timezone.now(),
        )
        head = locked.department.head
        if head is not None:
            staff_notify(
                user=head.user,
                case=locked.case,
                key=f"extension:{extension.pk}:requested",
                kind="extension_requested",
                subject=_("延长期限待审批 %(receipt)s") % {"receipt": locked.case.receipt_no},
                body=_("%(officer)s申请延长 %(days)s 个工作日：%(reason)s")
                % {"officer": display_name(officer), "days": days, "reason": reason.strip()},
            )
        event_record(
            case=locked.case,
            action="extension_requested",
            actor=officer,
            details={"department": locked.department.name, "days": days, "reason": reason.strip()},
        )
        return extension


def step_extension_decide(*, extension: StepExtension, head: User, approve: bool) -> StepExtension:
    """The department head approves or rejects; an approval moves the deadline and the applicant
    gets written reasons."""
    step = extension.step
    _require_head_of(head, step)
    with transaction.atomic():
        locked = _locked_step(step.pk)
        extension = StepExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != StepExtension.Status.REQUESTED:
            return extension
        extension.status = (
            StepExtension.Status.APPROVED if approve else StepExtension.Status.REJECTED
        )
        extension.decided_by = head
        extension.decided_at = timezone.now()
        extension.save()
        if approve and locked.status in CaseStep.OPEN_STATUSES:
            locked.extension = extension
            _step_reschedule(locked)
            locked.warned_yellow_at = None
            locked.save()
            notice = notice_issue(
                case=locked.case,
                kind=Notice.Kind.EXTENSION,
                issued_by=head,
                paragraphs=[
                    f"你（单位）申请的“{locked.case.item.name}”，{locked.department.name}"
                    f"因{extension.reason}，经本部门负责人批准，审查期限延长"
                    f"{extension.days}个工作日，延长后的期限为"
                    f"{locked.due_date.year}年{locked.due_date.month}月{locked.due_date.day}日。",
                    f"依据{LAW}第四十二条。",
                ],
            )
            applicant_notify(
                case=locked.case,
                key=f"notice:{notice.pk}",
                kind="extension",
                subject=_("延长审批期限告知"),
                body=_("%(department)s审查期限延长%(days)s个工作日，理由：%(reason)s。")
                % {
                    "department": locked.department.name,
                    "days": extension.days,
                    "reason": extension.reason,
                },
            )
        event_record(
            case=locked.case,
            action="extension",
            actor=head,
            details={
                "department": locked.department.name,
                "days": extension.days,
                "approved": approve,
                "due_date": locked.due_date.isoformat() if locked.due_date else None,
            },
        )
        return extension


# --- stage and final decisions ----------------------------------------------------------------


def stage_decide(*, stage: CaseStage, officer: User, approve: bool, opinion: str) -> CaseStage:
    """The stage's lead department collects the opinions and decides the stage (Art. 26)."""
    _require_officer_of(officer, stage.lead_department_id)
    if not approve and not opinion.strip():
        raise ValidationError({"opinion": [_("不同意的，须说明理由。")]})
    if stage.decision_task_id is None:
        raise ValidationError(_("该阶段尚未到决定环节。"))

    def record(activation) -> bool:
        locked = CaseStage.objects.select_for_update().get(pk=stage.pk)
        if locked.decision:
            raise AlreadyDecided()
        locked.decision = CaseStage.Decision.APPROVED if approve else CaseStage.Decision.REFUSED
        locked.opinion = opinion.strip() or _("同意")
        locked.decided_at = timezone.now()
        locked.decided_by = officer
        locked.save()
        event_record(
            case=locked.case,
            action="stage_decided",
            actor=officer,
            details={"stage": locked.name, "decision": locked.get_decision_display()},
        )
        return True

    with transaction.atomic():
        if not complete_human_task(stage.decision_task_id, user=officer, apply=record):
            raise AlreadyDecided()
    stage.refresh_from_db()
    return stage


def case_decide(*, case: Case, officer: User, grant: bool, reasons: str) -> Notice:
    """The item's lead department issues the decision document (准予 / 不予许可决定书).

    A refusal states its reasons and the applicant's rights to review or litigation (Art. 38).
    """
    _require_officer_of(officer, case.item.lead_department_id)
    reasons = reasons.strip()
    if not grant and not reasons:
        raise ValidationError({"reasons": [_("不予许可的，须说明理由。")]})
    decision = CaseDecision.objects.get(case=case)
    if decision.decision_task_id is None:
        raise ValidationError(_("该办件尚未到决定环节。"))
    issued: list[Notice] = []

    def record(activation) -> bool:
        locked = CaseDecision.objects.select_for_update().select_related("case").get(pk=decision.pk)
        if locked.decision:
            raise AlreadyDecided()
        locked.decision = CaseDecision.Decision.GRANT if grant else CaseDecision.Decision.REFUSE
        locked.reasons = reasons
        locked.decided_at = timezone.now()
        locked.decided_by = officer
        locked.save()
        the_case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item", "item__lead_department", "applicant", "owner", "window")
            .get(pk=case.pk)
        )
        the_case.status = Case.Status.DECIDED
        the_case.save(update_fields=["status", "updated_at"])
        issued.append(_decision_notice(the_case, grant=grant, reasons=reasons, officer=officer))
        event_record(
            case=the_case,
            action="decided",
            actor=officer,
            details={"decision": locked.get_decision_display(), "notice": issued[0].number},
        )
        applicant_notify(
            case=the_case,
            key=f"notice:{issued[0].pk}",
            kind="decided",
            subject=_("审批决定"),
            body=_("您申请的“%(item)s”已作出%(decision)s决定，可到%(window)s领取或选择邮寄。")
            % {
                "item": the_case.item.name,
                "decision": locked.get_decision_display(),
                "window": str(the_case.window) if the_case.window_id else _("服务大厅"),
            },
        )
        return True

    with transaction.atomic():
        if not complete_human_task(decision.decision_task_id, user=officer, apply=record):
            raise AlreadyDecided()
    return issued[0]


def _decision_notice(case: Case, *, grant: bool, reasons: str, officer: User) -> Notice:
    opinions = [
        f"{step.department.name}：{step.get_status_display()}（{step.opinion}）"
        for step in case.steps.select_related("department").order_by("case_stage__number", "order")
    ]
    if grant:
        paragraphs = [
            f"你（单位）申请的“{case.item.name}”，经{case.item.lead_department.name}"
            "牵头，会同有关部门并联审查，申请符合法定条件、标准。"
            f"依据{LAW}第三十八条第一款，决定准予行政许可。",
            *(["各部门审查意见：" + "；".join(opinions) + "。"] if opinions else []),
            *([reasons] if reasons else []),
            f"许可证件将自本决定作出之日起十个工作日内颁发、送达（{LAW}第四十四条）。",
        ]
        return notice_issue(
            case=case, kind=Notice.Kind.GRANT, issued_by=officer, paragraphs=paragraphs
        )
    paragraphs = [
        f"你（单位）申请的“{case.item.name}”，经审查，不符合法定条件、标准。"
        f"依据{LAW}第三十八条第二款，决定不予行政许可。",
        f"理由：{reasons}",
    ]
    return notice_issue(
        case=case,
        kind=Notice.Kind.REFUSAL,
        issued_by=officer,
        paragraphs=paragraphs,
        footer_notes=[REVIEW_RIGHTS],
    )


def case_deliver(*, case: Case, clerk: User, method: str, note: str = "") -> Case:
    """The result is collected at the window or posted, and the case closes."""
    if not clerk.has_perm("hall.use_workbench") or clerk.pk != case.owner_id:
        raise ValidationError(_("送达由该办件的首问责任人办理。"))
    if method not in CaseDecision.Delivery.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    if method == CaseDecision.Delivery.POST and not note.strip():
        raise ValidationError({"note": [_("邮寄送达请填写邮件号。")]})
    decision = CaseDecision.objects.get(case=case)
    if decision.delivery_task_id is None:
        raise ValidationError(_("该办件尚未作出决定。"))

    def record(activation) -> bool:
        locked = CaseDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.delivered_at is not None:
            raise AlreadyDecided()
        now = timezone.now()
        locked.delivery = method
        locked.delivery_note = note.strip()
        locked.delivered_at = now
        locked.save()
        the_case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item", "applicant", "owner")
            .get(pk=case.pk)
        )
        the_case.status = Case.Status.CLOSED
        the_case.closed_at = now
        the_case.save(update_fields=["status", "closed_at", "updated_at"])
        event_record(
            case=the_case,
            action="delivered",
            actor=clerk,
            details={"method": locked.get_delivery_display(), "note": locked.delivery_note},
        )
        event_record(case=the_case, action="closed", actor=clerk, details={})
        applicant_notify(
            case=the_case,
            key=f"case:{the_case.pk}:delivered",
            kind="delivered",
            subject=_("办结通知"),
            body=_("您申请的“%(item)s”已办结（%(method)s）。欢迎对本次服务进行评价。")
            % {"item": the_case.item.name, "method": locked.get_delivery_display()},
        )
        return True

    with transaction.atomic():
        if not complete_human_task(decision.delivery_task_id, user=clerk, apply=record):
            raise AlreadyDecided()
    case.refresh_from_db()
    return case
