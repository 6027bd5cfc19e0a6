"""The deadline sweeps: deemed approval on timeout (超时默许) and yellow/red warnings. Deadlines
live in the database; beat wakes these; steps are taken with SKIP LOCKED and re-checked under
the process lock, so each acts exactly once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from approvals.flows import ApprovalFlow
from approvals.models import (
    CaseDecision,
    CaseStage,
    CaseStep,
)
from approvals.reviews.common import one_calendar, review_calendar, step_people_tell
from approvals.reviews.locks import (
    DueStep,
    due_steps_locked,
    processes_with_due_steps_locked,
    steps_locked,
)
from approvals.reviews.selectors import steps_recipient_ids
from approvals.workflow.driver import system_user
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record, events_batch
from hall.cases.wording import MessageKind
from hall.common.bulk import rows_insert, rows_insert_skipping, rows_update
from hall.common.localised import Localised
from hall.outbox.queue import (
    applicant_messages,
    messages_queue,
    staff_message,
    staff_notify,
)


def step_deem(
    *,
    step_id: int,
    now: datetime.datetime | None = None,
    system=None,
) -> bool:
    """超时默许 for one step: complete it as approved if it is overdue and deemable. False if
    nothing was due. The same writes as the sweep's, for one step, under its process lock."""
    now = now or timezone.now()
    with transaction.atomic():
        process_id = (
            CaseStep.objects.filter(pk=step_id).values_list("task__process_id", flat=True).first()
        )
        if process_id is None:
            return False
        with ApprovalFlow.lock(process_id):
            return bool(
                steps_deem_locked(
                    process_ids=[process_id], now=now, step_ids=[step_id], system=system
                )
            )


def steps_deem_locked(
    *,
    process_ids: list[int],
    now: datetime.datetime,
    step_ids: list[int] | None = None,
    system=None,
) -> int:
    """超时默许, set-based: deem every overdue deemable open step of `process_ids` (or only those
    of `step_ids`) approved, and route on the processes whose join that completes.

    The caller holds the processes' locks (the sweep's SKIP LOCKED, or `step_deem`'s), so no
    officer's decision on these processes can run meanwhile, and the due check below is made
    under them. The department stays liable: the step is marked late, the officer, the head
    and the first-contact owner are told, and the department still owes its written opinion
    within one working day.

    The writes are one statement each for the whole batch: the steps, their viewflow tasks
    (completed in place), the events, the owners' inbox messages and every other message. Only
    the processes whose reviews are now all decided go through viewflow one by one, from one of
    their completed tasks, exactly as the last officer's completion would have routed them.
    Returns the number of steps deemed.
    """
    steps = due_steps_locked(process_ids=process_ids, now=now, step_ids=step_ids)
    if not steps:
        return 0
    system = system or system_user()
    written_opinion_due = review_calendar().add_working_days(timezone.localdate(now), 1)
    opinion = _("超过承诺时限未作出意见，视为同意（超时默许）。")
    CaseStep.objects.filter(pk__in=[step.pk for step in steps]).update(
        status=CaseStep.Status.DEEMED,
        decided_at=now,
        decided_by=None,
        opinion=opinion,
        late=True,
        written_opinion_due=written_opinion_due,
    )
    # The viewflow tasks, completed as ViewActivation.complete would (owner: whoever claimed
    # the task, else the system user).
    Task.objects.filter(pk__in=[step.task_id for step in steps]).update(
        status=STATUS.DONE,
        owner_id=Coalesce(F("owner_id"), Value(system.pk)),
        started=Coalesce(F("started"), Value(now)),
        finished=now,
    )
    recipients = steps_recipient_ids(steps=steps)
    messages = []
    steps_by_recipient: dict[int, list[DueStep]] = {}
    lines = {step.pk: _deemed_line(step, written_opinion_due) for step in steps}
    with events_batch():
        for step in steps:
            event_record(
                case=step.case,
                action=CaseAction.REVIEW_DEEMED,
                details={
                    "department": step.department.name,
                    "due_date": step.due_date.isoformat(),
                    "written_opinion_due": written_opinion_due.isoformat(),
                },
            )
            messages.extend(_deemed_applicant_messages(step))
            for user_id in recipients[step.pk]:
                steps_by_recipient.setdefault(user_id, []).append(step)
        listed = {
            step.pk: wording.STEPS_DEEMED.body
            % {"receipt": step.case.receipt_no, "line": lines[step.pk]}
            for step in steps
        }
        messages.extend(
            _deemed_staff_message(user_id, user_steps, lines, listed)
            for user_id, user_steps in steps_by_recipient.items()
        )
        messages_queue(messages)
        _joins_route(steps, now=now)
    return len(steps)


def _deemed_line(step: DueStep, written_opinion_due: datetime.date) -> str:
    return wording.STEP_DEEMED.body % {
        "department": step.department.name,
        "due": step.due_date.isoformat(),
        "follow": written_opinion_due.isoformat(),
    }


def _deemed_staff_message(
    user_id: int, steps: list[DueStep], lines: dict[int, str], listed: dict[int, str]
):
    """What one officer, head or first-contact owner is told of the batch: for one step, the
    message of that step; for several, one message listing them (a head whose department let
    forty steps pass in one sweep gets one message, not forty)."""
    if len(steps) == 1:
        (step,) = steps
        subject = wording.STEP_DEEMED.subject % {"receipt": step.case.receipt_no}
        return staff_message(
            user_id=user_id,
            case=step.case,
            key=f"step:{step.pk}:deemed",
            kind=MessageKind.REVIEW_DEEMED,
            subject=subject,
            body=lines[step.pk],
        )
    ids = sorted(step.pk for step in steps)
    subject = wording.STEPS_DEEMED.subject % {"count": len(steps)}
    # one line per step, each written once per batch, and joined as a Localised: the message is
    # written again in its reader's language like any other (a joined str would stay Chinese)
    body = Localised("\n".join(["%s"] * len(steps)), tuple(listed[step.pk] for step in steps))
    return staff_message(
        user_id=user_id,
        case=None,
        # a step is deemed once, so the steps of one sweep's batch name its message
        key=f"steps:{ids[0]}-{ids[-1]}:{len(ids)}:deemed",
        kind=MessageKind.REVIEW_DEEMED,
        subject=subject,
        body=body,
    )


def _deemed_applicant_messages(step: DueStep) -> list:
    return applicant_messages(
        case=step.case,
        key=f"step:{step.pk}:deemed",
        kind=MessageKind.REVIEW_DEEMED,
        subject=wording.DEEMED_APPROVAL.subject,
        body=wording.DEEMED_APPROVAL.body
        % {"item": step.case.item.name, "department": step.department.name},
    )


def _joins_route(steps: list[DueStep], *, now: datetime.datetime) -> None:
    """Route on the processes whose open reviews are all decided now; link the other deemed
    tasks to their stage's join where it exists already (viewflow's task history).

    A parallel stage whose reviews are all decided goes from its join to its stage decision
    (`ApprovalFlow.after_reviews` finds no step left to open): for those processes the batch
    writes what viewflow's join would, set-based (`_joins_to_stage_decision`). A serial item, or
    a stage with steps still to open, goes through viewflow's own routing, process by process.
    """
    by_process: dict[int, list[DueStep]] = {}
    for step in steps:
        by_process.setdefault(step.process_id, []).append(step)
    still_open = set(
        Task.objects.filter(
            process_id__in=by_process,
            flow_task=ApprovalFlow.review,
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        ).values_list("process_id", flat=True)
    )
    complete = {pid: group for pid, group in by_process.items() if pid not in still_open}
    stages_with_pending = set(
        CaseStep.objects.filter(
            case_stage_id__in={group[-1].case_stage_id for group in complete.values()},
            status=CaseStep.Status.PENDING,
        ).values_list("case_stage_id", flat=True)
    )
    straight = {
        pid: group
        for pid, group in complete.items()
        if not group[-1].case.item.serial and group[-1].case_stage_id not in stages_with_pending
    }
    routed = _joins_to_stage_decision(straight, now=now)
    through_viewflow = [group[-1] for pid, group in complete.items() if pid not in straight]
    # the last completed task of each, with its process, read in one query under the processes'
    # locks (after the batch completed them)
    tasks = Task.objects.select_related("process").in_bulk(
        [last.task_id for last in through_viewflow]
    )
    with one_calendar():
        for last in through_viewflow:
            # The last completion routes on, as an officer's would: the join finds every
            # sibling DONE and the flow opens the next serial step or the next fan-out.
            task = tasks[last.task_id]
            activation = task.flow_task.activation_class(task)
            activation.process.artifact = last.case  # the gateways read the case
            activation.activate_next()
            routed.add(last.task_id)
    _join_links(steps, skip=routed)


def _joins_to_stage_decision(
    by_process: dict[int, list[DueStep]], *, now: datetime.datetime
) -> set[int]:
    """For processes whose parallel stage is fully decided: the join done (created if no review
    reached it before), linked to every task it waited for, `after_reviews` passed and the
    stage decision opened, in one statement per kind for the whole batch: the same rows
    viewflow's join, its gateway and the View's creation write one process at a time
    (tests/approvals/reviews/test_sweep_routing.py compares them). Returns the deemed tasks
    linked here."""
    if not by_process:
        return set()
    join_node, gate_node, decision_node = (
        ApprovalFlow.join_reviews,
        ApprovalFlow.after_reviews,
        ApprovalFlow.stage_decision,
    )
    open_joins = {
        join.process_id: join
        for join in Task.objects.filter(
            process_id__in=by_process, flow_task=join_node, status__in=[STATUS.NEW, STATUS.STARTED]
        )
    }
    Task.objects.filter(pk__in=[join.pk for join in open_joins.values()]).update(
        status=STATUS.DONE, started=Coalesce(F("started"), Value(now)), finished=now
    )
    new_joins = [
        Task(
            process_id=pid,
            flow_task=join_node,
            flow_task_type=join_node.task_type,
            token=group[-1].token.get_base_split_token(),
            status=STATUS.DONE,
            created=now,
            started=now,
            finished=now,
        )
        for pid, group in by_process.items()
        if pid not in open_joins
    ]
    rows_insert(new_joins)
    joins = {**open_joins, **{join.process_id: join for join in new_joins}}
    gates = [
        Task(
            process_id=pid,
            flow_task=gate_node,
            flow_task_type=gate_node.task_type,
            token=join.token,
            status=STATUS.DONE,
            created=now,
            finished=now,  # a gateway is never "started" (viewflow leaves it empty)
        )
        for pid, join in joins.items()
    ]
    rows_insert(gates)
    decisions = [
        Task(
            process_id=gate.process_id,
            flow_task=decision_node,
            flow_task_type=decision_node.task_type,
            token=gate.token,
            status=STATUS.NEW,
            created=now,
        )
        for gate in gates
    ]
    rows_insert(decisions)
    links = Task.previous.through
    linked = {step.task_id for group in by_process.values() for step in group}
    rows_insert_skipping(
        [
            *(
                links(from_task_id=joins[pid].pk, to_task_id=step.task_id)
                for pid, group in by_process.items()
                for step in group
            ),
            *(links(from_task_id=gate.pk, to_task_id=joins[gate.process_id].pk) for gate in gates),
            *(
                links(from_task_id=decision.pk, to_task_id=gate.pk)
                for gate, decision in zip(gates, decisions, strict=True)
            ),
        ]
    )
    # hooks.stage_decision_open for each: the stage now waits for its lead's decision
    stage_of = {pid: group[-1].case_stage_id for pid, group in by_process.items()}
    rows_update(
        [CaseStage(pk=stage_of[d.process_id], decision_task_id=d.pk) for d in decisions],
        ["decision_task"],
    )
    return linked


def _join_links(steps: list[DueStep], *, skip: set[int]) -> None:
    """viewflow links each task a join waited for to the join (``previous``). A task completed
    here links to its stage's join when that join exists; the join's own logic looks only at
    the tokens of the process's tasks, so a join created later still sees these as done."""
    tasks = [step for step in steps if step.task_id not in skip]
    if not tasks:
        return
    joins = {
        (process_id, str(token)): pk
        for pk, process_id, token in Task.objects.filter(
            process_id__in={step.process_id for step in tasks},
            flow_task=ApprovalFlow.join_reviews,
        ).values_list("pk", "process_id", "token")
    }
    links = [
        Task.previous.through(from_task_id=join_id, to_task_id=step.task_id)  # join ∋ task
        for step in tasks
        if (join_id := joins.get((step.process_id, str(step.token.get_base_split_token()))))
    ]
    rows_insert_skipping(links)


def steps_deem_overdue_sweep(*, now: datetime.datetime | None = None, batch: int = 100) -> int:
    """Deem every overdue deemable step approved, exactly once.

    Each round locks up to `batch` processes with due steps (FOR UPDATE SKIP LOCKED), so a second
    sweeper takes other processes and an officer on one of these waits for the round to commit;
    the round's steps are then written set-based (`steps_deem_locked`). The process is locked
    before the step rows, the same order as an officer's decision.
    """
    now = now or timezone.now()
    done = 0
    system = system_user()  # read once per sweep
    while True:
        with transaction.atomic():
            processes = processes_with_due_steps_locked(now=now, batch=batch)
            if processes:
                with one_calendar():
                    done += steps_deem_locked(process_ids=processes, now=now, system=system)
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
                steps_locked(
                    queryset.select_related(
                        "case", "case__item", "case__owner", "department", "claimed_by"
                    ),
                    order=("due_at", "pk"),
                    skip_locked=True,
                )[:batch]
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
                step_people_tell(
                    step,
                    key=f"step:{step.pk}:{light}",
                    kind=MessageKind(f"warning_{light}"),
                    subject=wording.STEP_WARNING.subject
                    % {"label": label, "receipt": step.case.receipt_no},
                    body=wording.STEP_WARNING.body
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
                        kind=MessageKind(f"warning_{light}"),
                        subject=wording.ISSUANCE_WARNING.subject
                        % {"label": label, "receipt": case.receipt_no},
                        body=wording.ISSUANCE_WARNING.body
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
            steps_locked(
                CaseStep.objects.filter(
                    status=CaseStep.Status.DEEMED,
                    written_opinion_at__isnull=True,
                    written_opinion_reminded_at__isnull=True,
                    written_opinion_due__lt=today,
                ).select_related("case", "case__item", "case__owner", "department", "claimed_by"),
                order=("written_opinion_due", "pk"),
                skip_locked=True,
            )[:batch]
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
            step_people_tell(
                step,
                key=f"step:{step.pk}:written-opinion-overdue",
                kind=MessageKind.WRITTEN_OPINION_OVERDUE,
                subject=wording.WRITTEN_OPINION_OVERDUE.subject % {"receipt": step.case.receipt_no},
                body=wording.WRITTEN_OPINION_OVERDUE.body
                % {
                    "department": step.department.name,
                    "item": step.case.item.name,
                    "due": step.written_opinion_due.isoformat(),
                },
            )
    return len(overdue)
