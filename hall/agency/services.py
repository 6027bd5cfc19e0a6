"""全程代办: full-process agency (行政许可法 Art. 29: the applicant may entrust an agent).

An applicant asks the hall for an agent on a case (`agency_request`); a supervisor assigns a
user of the "agent" group (`agency_assign`); the agent then carries the case for the applicant.
What the agent does for the applicant (`agent_note_record`, `agent_rate`) is written to the case's
log with `actor` = the agent and `on_behalf_of` = the applicant (由代办员代表申请人).

Access: an agent reaches a case only while `Case.agent` names them. Assignment sets it, a
withdrawal clears it; every agent-facing read goes through `case_for_agent`.

Locks: the case row first, then the request row, in every service here.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.wording import MessageKind
from hall.common.people import display_name
from hall.models import AgencyRequest, Case, CaseEvent, ServiceRating
from hall.outbox.queue import applicant_notify, staff_notify
from hall.ratings.services import rating_for_case

AGENT_GROUP = "agent"
NOTE_MAX_LENGTH = 1000
# A note identical to the agent's previous one within this time is a resubmission, not a new note.
NOTE_REPEAT_WINDOW = datetime.timedelta(minutes=2)
LIVE = (AgencyRequest.Status.REQUESTED, AgencyRequest.Status.ASSIGNED)
CLOSED_CASE_STATUSES = (*Case.FINAL_STATUSES, Case.Status.REFERRED)


def _note(value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({"note": [_("请填写记录内容。")]})
    if len(value) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": [_("请不超过 %(n)s 个字。") % {"n": NOTE_MAX_LENGTH}]})
    return value


def is_agent(user: User) -> bool:
    return user.is_active and user.groups.filter(name=AGENT_GROUP).exists()


def agency_request(*, case: Case, note: str, requested_by: User) -> AgencyRequest:
    """Ask the hall for an agent on `case` (申请全程代办). For the online hall's case page.

    `requested_by` is the applicant's own login (`case.applicant.user`) or window staff
    (`hall.use_workbench`) asking at the window for them; anyone else gets PermissionDenied.
    Idempotent: while a request of the case is waiting or assigned, that request is returned
    unchanged (the note of a repeat is ignored). A case that is closed, not accepted or referred
    elsewhere gets a ValidationError with a Chinese message. The case's log records the request.

    Returns the AgencyRequest (status "requested", or the live one).
    """
    note = _note(note, required=False)
    with transaction.atomic():
        case = case_locked(case, related=("applicant",))
        own = case.applicant.user_id is not None and case.applicant.user_id == requested_by.pk
        if not own and not requested_by.has_perm("hall.use_workbench"):
            raise PermissionDenied
        live = AgencyRequest.objects.filter(case=case, status__in=LIVE).first()
        if live is not None:
            return live
        if case.status in CLOSED_CASE_STATUSES:
            raise ValidationError(
                _("办件 %(receipt_no)s 已%(status)s，不能再申请代办。")
                % {"receipt_no": case.receipt_no, "status": case.get_status_display()},
                code="closed",
            )
        request = AgencyRequest.objects.create(case=case, note=note)
        event_record(
            case=case,
            action=CaseAction.AGENCY_REQUESTED,
            actor=requested_by,
            details={"request_id": request.pk, "note": note},
        )
    return request


def agency_assign(*, request: AgencyRequest, agent: User, supervisor: User) -> AgencyRequest:
    """A supervisor assigns an agent (or replaces the assigned one); the agent and the
    applicant are told. Assigning the same agent again changes nothing."""
    if not is_agent(agent):
        raise ValidationError({"agent": [_("请选择代办员。")]})
    with transaction.atomic():
        case = case_locked(request.case_id, related=("applicant",))
        request = AgencyRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == AgencyRequest.Status.WITHDRAWN:
            raise ValidationError(_("该代办申请已撤回。"), code="withdrawn")
        if request.status == AgencyRequest.Status.ASSIGNED and request.agent_id == agent.pk:
            return request
        previous = request.agent
        now = timezone.now()
        request.status = AgencyRequest.Status.ASSIGNED
        request.agent = agent
        request.assigned_by = supervisor
        request.assigned_at = now
        request.save(update_fields=["status", "agent", "assigned_by", "assigned_at"])
        Case.objects.filter(pk=case.pk).update(agent=agent, updated_at=now)
        case.agent = agent
        event_record(
            case=case,
            action=CaseAction.AGENT_ASSIGNED,
            actor=supervisor,
            details={
                "request_id": request.pk,
                "agent_id": agent.pk,
                "agent": display_name(agent),
                "previous_agent_id": previous.pk if previous else None,
            },
        )
        key = f"agency:{request.pk}:assigned:{agent.pk}"
        staff_notify(
            user=agent,
            case=case,
            key=key,
            kind=MessageKind.AGENCY_ASSIGNED,
            subject=wording.AGENCY_ASSIGNED.subject % {"receipt_no": case.receipt_no},
            body=wording.AGENCY_ASSIGNED.body
            % {
                "receipt_no": case.receipt_no,
                "item": case.item.name,
                "applicant": case.applicant.name,
            },
        )
        applicant_notify(
            case=case,
            key=key,
            kind=MessageKind.AGENCY_ASSIGNED,
            subject=wording.AGENT_ASSIGNED.subject,
            body=wording.AGENT_ASSIGNED.body
            % {"receipt_no": case.receipt_no, "agent": display_name(agent)},
        )
    return request


def agency_withdraw(*, request: AgencyRequest, by: User) -> AgencyRequest:
    """The applicant (or a supervisor) withdraws the request; the agent loses access."""
    with transaction.atomic():
        case = case_locked(request.case_id, related=("applicant",))
        own = case.applicant.user_id is not None and case.applicant.user_id == by.pk
        if not own and not by.has_perm("hall.view_supervision"):
            raise PermissionDenied
        request = AgencyRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == AgencyRequest.Status.WITHDRAWN:
            return request
        request.status = AgencyRequest.Status.WITHDRAWN
        request.save(update_fields=["status"])
        if request.agent_id is not None and case.agent_id == request.agent_id:
            Case.objects.filter(pk=case.pk).update(agent=None, updated_at=timezone.now())
        event_record(
            case=case,
            action=CaseAction.AGENCY_WITHDRAWN,
            actor=by,
            details={"request_id": request.pk},
        )
    return request


def _agent_case(*, case: Case, agent: User) -> Case:
    """The case locked, if the agent carries it; otherwise PermissionDenied."""
    locked = case_locked(case, related=("applicant",))
    if locked.agent_id is None or locked.agent_id != agent.pk:
        raise PermissionDenied
    return locked


def agent_note_record(*, case: Case, agent: User, note: str) -> CaseEvent:
    """The agent records what they did for the applicant (a call, a visit, a hand-in).

    Written as a CaseEvent with actor=agent and on_behalf_of=applicant. The same note again
    within `NOTE_REPEAT_WINDOW` returns the first event (a double submit records once).
    """
    note = _note(note, required=True)
    with transaction.atomic():
        case = _agent_case(case=case, agent=agent)
        last = (
            CaseEvent.objects.filter(case=case, actor=agent, action=CaseAction.AGENT_NOTE)
            .order_by("-at", "-pk")
            .first()
        )
        if (
            last is not None
            and last.details.get("note") == note
            and timezone.now() - last.at < NOTE_REPEAT_WINDOW
        ):
            return last
        return event_record(
            case=case,
            action=CaseAction.AGENT_NOTE,
            actor=agent,
            on_behalf_of=case.applicant,
            details={"note": note},
        )


def agent_rate(*, case: Case, agent: User, level: int, reason: str = "") -> ServiceRating:
    """The agent rates the case's service for the applicant (once per case, as the applicant
    would online); the log names the agent and the applicant."""
    with transaction.atomic():
        case = _agent_case(case=case, agent=agent)
        return rating_for_case(
            case=case,
            level=level,
            reason=reason,
            channel=ServiceRating.Channel.ONLINE,
            actor=agent,
            on_behalf_of=case.applicant,
        )


def agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=AGENT_GROUP).order_by(
        "last_name", "first_name", "username"
    )


def agency_requests_for_supervision(*, status: str | None = None) -> QuerySet[AgencyRequest]:
    """Requests for the supervisor's page: waiting ones first, oldest first."""
    rows = AgencyRequest.objects.select_related(
        "case", "case__item", "case__applicant", "agent", "assigned_by"
    )
    if status:
        rows = rows.filter(status=status)
    waiting_first = models.Case(
        models.When(status=AgencyRequest.Status.REQUESTED, then=0),
        models.When(status=AgencyRequest.Status.ASSIGNED, then=1),
        default=models.Value(2),
        output_field=models.IntegerField(),
    )
    return rows.order_by(waiting_first, "requested_at", "pk")


def cases_for_agent(*, agent: User) -> QuerySet[Case]:
    """The cases the agent carries now: only those assigned to them."""
    return (
        Case.objects.filter(agent=agent)
        .select_related("item", "applicant", "owner")
        .order_by("status", "-created_at")
    )


def case_for_agent(*, agent: User, receipt_no: str) -> Case | None:
    """One of the agent's cases; None (a 404 for the view) for any case not assigned to them."""
    return cases_for_agent(agent=agent).filter(receipt_no=receipt_no).first()
