"""The deadline sweeps: deemed approval on timeout (超时默许) and yellow/red warnings. Deadlines
live in the database; beat wakes these; steps are taken with SKIP LOCKED and re-checked under
the process lock, so each acts exactly once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process

from approvals.models import (
    CaseDecision,
    CaseStep,
)
from approvals.reviews.common import _calendar, _locked_step, _one_calendar, _tell_step_people
from approvals.workflow.driver import complete_human_task, system_user
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.outbox.queue import applicant_notify, staff_notify


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
            action=CaseAction.REVIEW_DEEMED,
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
            subject=wording.DEEMED_APPROVAL.subject,
            body=wording.DEEMED_APPROVAL.body
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
                    action=CaseAction.WARNING,
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


def issuance_warn_sweep(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Art. 44: yellow and red cards for grants whose licence is not yet issued and delivered.

    Each card is sent once per decision, to the first-contact owner (who delivers) and the
    head of the lead department; the red card also records the issuance as late, so a delivery
    after it keeps the mark and supervision lists it at once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_grants = CaseDecision.objects.filter(
        decision=CaseDecision.Decision.GRANT, delivered_at__isnull=True, issue_due_at__isnull=False
    )
    yellow = open_grants.filter(
        issue_warned_yellow_at__isnull=True, issue_warn_on__lte=today, issue_due_at__gt=now
    )
    red = open_grants.filter(issue_warned_red_at__isnull=True, issue_due_at__lte=now)
    sent = 0
    for queryset, light in ((yellow, "yellow"), (red, "red")):
        with transaction.atomic():
            decisions = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "case__item__lead_department__head__user", "case__owner")
                .order_by("issue_due_at")[:batch]
            )
            for decision in decisions:
                changes = {f"issue_warned_{light}_at": now}
                if light == "red":
                    changes["issued_late"] = True
                CaseDecision.objects.filter(pk=decision.pk).update(**changes)
                case = decision.case
                event_record(
                    case=case,
                    action=CaseAction.WARNING,
                    details={
                        "light": light,
                        "issuance": True,
                        "due": decision.issue_due_date.isoformat(),
                    },
                )
                label = _("黄牌预警") if light == "yellow" else _("红牌超时")
                # The owner hears of it through the event (a warning tells the owner); the lead
                # department's head, who answers for the licence, is told here.
                head = case.item.lead_department.head
                if head is not None and head.user.is_active:
                    staff_notify(
                        user=head.user,
                        case=case,
                        key=f"decision:{decision.pk}:issue:{light}",
                        kind=f"warning_{light}",
                        subject=f"{label} {case.receipt_no}",
                        body=_(
                            "“%(item)s”的许可证件应于%(due)s前颁发、送达（行政许可法第四十四条）。"
                        )
                        % {"item": case.item.name, "due": decision.issue_due_date.isoformat()},
                    )
                sent += 1
    return sent


def written_opinions_remind_sweep(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """A department deemed to approve still owes its written opinion within one working day
    (泰州 2022). Once that day has passed the opinion is marked late and the department's
    officers, its head and the first-contact owner are reminded, once per step."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        overdue = list(
            CaseStep.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=CaseStep.Status.DEEMED,
                written_opinion_at__isnull=True,
                written_opinion_reminded_at__isnull=True,
                written_opinion_due__lt=today,
            )
            .select_related("case", "case__item", "case__owner", "department", "claimed_by")
            .order_by("written_opinion_due", "pk")[:batch]
        )
        for step in overdue:
            CaseStep.objects.filter(pk=step.pk).update(
                written_opinion_reminded_at=now, written_opinion_late=True
            )
            event_record(
                case=step.case,
                action=CaseAction.WARNING,
                details={
                    "light": "red",
                    "written_opinion": True,
                    "department": step.department.name,
                    "due": step.written_opinion_due.isoformat(),
                },
            )
            _tell_step_people(
                step,
                key=f"step:{step.pk}:written-opinion-overdue",
                kind="written_opinion_overdue",
                subject=_("书面意见逾期 %(receipt)s") % {"receipt": step.case.receipt_no},
                body=_("%(department)s对“%(item)s”超时默许后，书面意见应于%(due)s前补交，已逾期。")
                % {
                    "department": step.department.name,
                    "item": step.case.item.name,
                    "due": step.written_opinion_due.isoformat(),
                },
            )
    return len(overdue)
