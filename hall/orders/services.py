"""接诉即办: the life of a work order, every transition a service.

The closed loop of 国办发〔2020〕53号 — 受理 → 派单 → 办理 → 答复 → 督办 → 办结 → 回访 → 评价 — with
the rules this hall keeps:

- **First receiver leads (首接负责).** Whoever receives an order owns it until it is closed: the
  clerk at the complaint desk or the "办不成事" window, the 12345 liaison for the platform's orders
  (the API client's acting user), or the first clerk who claims an unowned one. Only the owner
  dispatches, replies and closes; a clerk named in a complaint can neither own it nor be sent it.
- **Dispatch (派单)** to one or several departments, each with its part and the order's limit. A
  department may return its part once, with reasons, within 1 working day of the dispatch; the
  owner then sends it elsewhere or insists. A second return of the same order (no ping-pong)
  goes to the supervisors, who decide where it goes.
- **One extension per order**, asked by the owner or a department and decided by a supervisor.
- **Reply and close.** Once every part of the round is answered the owner replies to the citizen,
  then closes; closing past the limit is recorded. The working day after, the citizen is called
  back (an SMS link, or the clerk's phone record): 满意 / 基本满意 / 不满意 and resolved or not.
  "Unresolved" reopens the order (重办) to the same departments, with a new limit, counted.
- **The sweep** (`orders_sweep`) raises the yellow and red cards, sends the 催办通知书 the day after
  a part's limit, lists a part still unanswered 5 working days later on the public supervision
  page, and sends the call-back SMS.

Every transition locks the order's row first (`order_locked`), so two departments answering at
once, or a sweep racing a reply, serialise; the same call made twice returns without a second
effect. Each writes one `WorkOrderEvent` (append-only) in its transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import (
    Light,
    OrderLimit,
    order_callback_on,
    order_due_at,
    order_extended_due_at,
    order_listed_from,
    order_return_until,
    order_yellow_at,
)
from approvals.models import WorkOrderCategory, WorkOrderKind
from departments.models import Department, Officer
from hall.cases import wording
from hall.cases.numbering import order_number_next
from hall.cases.wording import MessageKind
from hall.common.localised import Template
from hall.common.moments import limit_end_shown
from hall.common.personal_data import masked_phone
from hall.common.validators import is_valid_mobile, normalize_mobile
from hall.models import ApiClient, Applicant, Case, KnowledgeEntry, WorkOrder, WorkOrderEvent
from hall.models import WorkOrderPart as Part
from hall.orders.actions import OrderAction
from hall.orders.knowledge import knowledge_cited
from hall.orders.locks import order_locked, orders_batch_locked, parts_batch_locked
from hall.outbox.queue import messages_batch, messages_queue, sms_queue, staff_message
from hall.outbox.webhooks import order_webhooks_queue
from hall.roles import SUPERVISOR

Status = WorkOrder.Status
TITLE_MAX = 200
CONTENT_MAX = 4000
TEXT_MAX = 2000
REASON_MAX = 500
EXTENSION_MAX_WORKING_DAYS = 15


@dataclass(frozen=True)
class Dispatch:
    department: Department
    task: str


def _text(value: str | None, *, field: str, label: str, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("请填写%(what)s。") % {"what": label}]})
    if len(value) > limit:
        raise ValidationError(
            {field: [_("%(what)s请不超过 %(n)s 个字。") % {"what": label, "n": limit}]}
        )
    return value


def _event(order: WorkOrder, action: OrderAction, actor: User | None, **details) -> WorkOrderEvent:
    if not isinstance(action, OrderAction):
        raise TypeError(f"a work order event takes an OrderAction, not {action!r}")
    event = WorkOrderEvent(
        order=order, at=timezone.now(), actor=actor, action=action, details=details
    )
    event.save(force_insert=True)
    return event


def _limit(category: WorkOrderCategory, *, referred: bool = False) -> OrderLimit:
    working_days, hours = category.limit_parts(referred=referred)
    return OrderLimit(working_days=working_days, hours=hours)


def _local(moment: datetime.datetime) -> str:
    return limit_end_shown(moment)


def _supervisor_ids() -> list[int]:
    return list(
        User.objects.filter(groups__name=SUPERVISOR.group_name, is_active=True).values_list(
            "pk", flat=True
        )
    )


def _department_user_ids(order: WorkOrder, department_id: int) -> list[int]:
    """The officers of a department who may see the order: never the clerk it complains of."""
    officers = Officer.objects.filter(department_id=department_id, user__is_active=True)
    if order.about_clerk_id:
        officers = officers.exclude(user_id=order.about_clerk_id)
    return list(officers.values_list("user_id", flat=True))


def _tell_staff(user_ids: Sequence[int], *, key: str, kind: MessageKind, message, values) -> None:
    messages_queue(
        [
            staff_message(
                user_id=user_id,
                case=None,
                key=key,
                kind=kind,
                subject=message.subject % values,
                body=message.body % values,
            )
            for user_id in dict.fromkeys(user_ids)
        ]
    )


def _tell_citizen(order: WorkOrder, *, key: str, kind: MessageKind, message, values) -> None:
    if order.contact_phone:
        sms_queue(
            key=f"order:{order.pk}:{key}",
            phone=order.contact_phone,
            kind=kind,
            subject=message.subject % values,
            body=message.body % values,
            language=order.applicant.language if order.applicant_id else None,
        )


def _tell_department(order: WorkOrder, part: Part, *, key: str, task) -> None:
    """The officers of the part's department (never the clerk complained of) learn of a part
    sent to them: its task, its limit and until when it may be returned."""
    _tell_staff(
        _department_user_ids(order, part.department_id),
        key=f"order-part:{part.pk}:{key}",
        kind=MessageKind.ORDER_DISPATCHED,
        message=wording.ORDER_DISPATCHED,
        values={
            "number": order.number,
            # lazy: written in each officer's own language
            "kind": WorkOrderKind(order.kind).label,
            "title": order.title,
            "task": task,
            "due": _local(part.due_at),
            "return_until": _local(part.return_until),
        },
    )


def _is_supervisor(user: User) -> bool:
    return user.groups.filter(name=SUPERVISOR.group_name).exists()


def _require_owner(order: WorkOrder, actor: User) -> None:
    """The owner acts on the order; once escalated, a supervisor may too."""
    if order.owner_id == actor.pk:
        return
    if order.escalated and _is_supervisor(actor):
        return
    raise ValidationError(_("只有首接责任人可以办理这一步。"), code="not_owner")


def _require_open(order: WorkOrder) -> None:
    if order.status == Status.CLOSED:
        raise ValidationError(
            _("工单 %(number)s 已办结。") % {"number": order.number}, code="closed"
        )


# --- receiving -------------------------------------------------------------------------------


def order_receive(
    *,
    channel: str,
    category: WorkOrderCategory,
    title: str,
    content: str,
    contact_name: str = "",
    contact_phone: str = "",
    anonymous: bool = False,
    applicant: Applicant | None = None,
    case: Case | None = None,
    about_clerk: User | None = None,
    owner: User | None = None,
    client: ApiClient | None = None,
    external_no: str = "",
    platform_due_at: datetime.datetime | None = None,
    escalate: bool = False,
) -> WorkOrder:
    """Receive a request or complaint; its receiver (`owner`) leads it until it is closed.

    A platform's order (`client` and `external_no`) is received once: the same order posted
    again returns the first; another order under the same number is refused. The platform's
    own deadline, when earlier than the category's, is the order's. At the "办不成事" window the
    clerk may `escalate` it to the supervisors at once.
    """
    if channel not in WorkOrder.Channel.values:
        raise ValidationError({"channel": [_("请选择诉求来源渠道。")]})
    if not category.is_active:
        raise ValidationError({"category": [_("该诉求分类已停用，请选择其他分类。")]})
    title = _text(title, field="title", label=_("诉求标题"), required=True, limit=TITLE_MAX)
    content = _text(content, field="content", label=_("诉求内容"), required=True, limit=CONTENT_MAX)
    contact_name = _text(
        contact_name, field="contact_name", label=_("诉求人"), required=False, limit=50
    )
    contact_phone = normalize_mobile(contact_phone or "")
    if contact_phone and not is_valid_mobile(contact_phone):
        raise ValidationError({"contact_phone": [_("请输入 11 位手机号码。")]})
    if applicant is not None and not contact_phone:
        contact_phone, contact_name = applicant.phone or "", contact_name or applicant.name
    if owner is not None and about_clerk is not None and owner.pk == about_clerk.pk:
        raise ValidationError(_("投诉涉及您本人，请由其他工作人员受理。"), code="about_owner")
    if escalate and channel != WorkOrder.Channel.CANNOT_DO:
        raise ValidationError(_("只有“办不成事”反映窗口可以直接提交协调。"), code="escalate")
    now = timezone.now()
    if platform_due_at is not None:
        if timezone.is_naive(platform_due_at):
            raise ValidationError({"due_at": [_("平台办理时限须带时区。")]})
        if platform_due_at <= now:
            raise ValidationError({"due_at": [_("平台办理时限已过，请核对。")]})
    external_no = (external_no or "").strip()
    with transaction.atomic():
        if client is not None and external_no:
            existing = _platform_order(client, external_no, title=title, content=content)
            if existing is not None:
                return existing
        limit = _limit(category)
        due_at = order_due_at(calendar=working_calendar(), received_at=now, limit=limit)
        if platform_due_at is not None:
            due_at = min(due_at, platform_due_at)
        order = WorkOrder(
            channel=channel,
            category=category,
            kind=category.kind,
            title=title,
            content=content,
            contact_name=contact_name,
            contact_phone=contact_phone,
            anonymous=anonymous,
            applicant=applicant,
            case=case,
            about_clerk=about_clerk,
            owner=owner,
            source_client=client,
            external_no=external_no,
            platform_due_at=platform_due_at,
            received_at=now,
            due_at=due_at,
            yellow_at=order_yellow_at(received_at=now, due_at=due_at, limit=limit),
            escalated=escalate,
        )
        try:
            with transaction.atomic():
                # numbered inside the savepoint: a refused insert gives its number back
                order.number = order_number_next(on=timezone.localdate(now))
                order.save(force_insert=True)
        except IntegrityError:
            # The same platform order posted twice at once: the other request's row committed
            # first and holds the number; answer as if this one came second.
            existing = _platform_order(client, external_no, title=title, content=content)
            if existing is None:
                raise
            return existing
        with messages_batch():
            _event(order, OrderAction.RECEIVED, owner, channel=channel, category=category.code)
            values = {"title": title, "number": order.number, "due": _local(due_at)}
            _tell_citizen(
                order,
                key="received",
                kind=MessageKind.ORDER_RECEIVED,
                message=wording.ORDER_RECEIVED,
                values=values,
            )
            if escalate:
                _event(order, OrderAction.ESCALATED, owner, why="cannot_do")
                _tell_staff(
                    _supervisor_ids(),
                    key=f"order:{order.pk}:escalated",
                    kind=MessageKind.ORDER_ESCALATED,
                    message=wording.ORDER_ESCALATED,
                    values={**values, "why": _("由“办不成事”反映窗口提交")},
                )
    return order


def _platform_order(
    client: ApiClient | None, external_no: str, *, title: str, content: str
) -> WorkOrder | None:
    """The order a platform already posted under `external_no`, if it is the same order; a
    different order under the same number is refused."""
    existing = WorkOrder.objects.filter(source_client=client, external_no=external_no).first()
    if existing is None:
        return None
    if existing.title == title and existing.content == content:
        return existing
    raise ValidationError(
        {
            "external_no": ValidationError(
                _("平台工单编号 %(no)s 已用于另一工单。") % {"no": external_no},
                code="duplicate_order",
            )
        }
    )


def order_claim(*, order: WorkOrder, actor: User) -> WorkOrder:
    """An order that came without an owner (a platform's, with no liaison set) is owned by the
    first clerk who claims it; a second claim by the same clerk does nothing."""
    with transaction.atomic():
        order = order_locked(order)
        if order.owner_id == actor.pk:
            return order
        if order.owner_id is not None:
            raise ValidationError(_("该工单已由他人认领。"), code="claimed")
        if order.about_clerk_id == actor.pk:
            raise ValidationError(_("投诉涉及您本人，请由其他工作人员受理。"), code="about_owner")
        order.owner = actor
        order.save(update_fields=["owner"])
        _event(order, OrderAction.CLAIMED, actor)
    return order


# --- dispatch, return, answer ------------------------------------------------------------------


def order_dispatch(*, order: WorkOrder, actor: User, parts: Sequence[Dispatch]) -> list[Part]:
    """Send the order to departments, each with its part. A department that already holds an
    open part of this round is skipped (the same dispatch sent twice does nothing more)."""
    if not parts:
        raise ValidationError({"departments": [_("请至少选择一个承办部门。")]})
    with transaction.atomic():
        order = order_locked(order)
        _require_open(order)
        _require_owner(order, actor)
        if order.status not in (Status.RECEIVED, Status.IN_HAND):
            raise ValidationError(_("工单已答复，不能再派单。"), code="state")
        now = timezone.now()
        calendar = working_calendar()
        if order.kind == WorkOrderKind.CONSULTATION and not order.parts.exists():
            # A consultation that needs another department has 3 working days, not the day.
            limit = _limit(order.category, referred=True)
            due_at = order_due_at(calendar=calendar, received_at=order.received_at, limit=limit)
            if order.platform_due_at is not None:
                due_at = min(due_at, order.platform_due_at)
            order.due_at = due_at
            order.yellow_at = order_yellow_at(
                received_at=order.received_at, due_at=due_at, limit=limit
            )
        held = {
            (department_id, status)
            for department_id, status in order.parts.filter(round=order.reopen_count).values_list(
                "department_id", "status"
            )
        }
        created = []
        with messages_batch():
            for dispatch in parts:
                task = _text(
                    dispatch.task, field="task", label=_("承办内容"), required=True, limit=500
                )
                if any(department == dispatch.department.pk for department, _s in held):
                    continue
                part = Part.objects.create(
                    order=order,
                    department=dispatch.department,
                    round=order.reopen_count,
                    task=task,
                    dispatched_at=now,
                    due_at=order.due_at,
                    yellow_at=order.yellow_at,
                    return_until=min(
                        order_return_until(calendar=calendar, dispatched_at=now), order.due_at
                    ),
                    listed_from=order_listed_from(calendar=calendar, due_at=order.due_at),
                )
                created.append(part)
                _event(
                    order,
                    OrderAction.DISPATCHED,
                    actor,
                    department=dispatch.department.code,
                    part=part.pk,
                    round=part.round,
                )
                _tell_department(order, part, key="dispatched", task=task)
        order.status = Status.IN_HAND
        order.save(update_fields=["status", "due_at", "yellow_at"])
    return created


def _officer_of(actor: User, department_id: int) -> bool:
    return Officer.objects.filter(user=actor, department_id=department_id).exists()


def _part_locked(part: Part, actor: User) -> tuple[WorkOrder, Part]:
    """Lock the order, then read the part: every change to an order's parts holds the order."""
    order = order_locked(part.order)
    part = Part.objects.get(pk=part.pk)
    if not _officer_of(actor, part.department_id) or order.about_clerk_id == actor.pk:
        raise ValidationError(_("该工单不属于您的部门。"), code="not_department")
    return order, part


def part_return(*, part: Part, actor: User, reason: str) -> Part:
    """A department returns its part, once, with reasons, within 1 working day of the
    dispatch. The order's first return goes back to its owner; a second one to the supervisors."""
    reason = _text(reason, field="reason", label=_("退回理由"), required=True, limit=REASON_MAX)
    with transaction.atomic():
        order, part = _part_locked(part, actor)
        if part.status == Part.Status.RETURNED and part.return_reason == reason:
            return part
        if part.status != Part.Status.PENDING:
            raise ValidationError(
                _("该派单已%(state)s，不能退回。") % {"state": part.get_status_display()}
            )
        if (
            part.returned_at is not None
            or order.parts.filter(
                department_id=part.department_id, returned_at__isnull=False
            ).exists()
        ):
            raise ValidationError(
                _("本部门已退回过该工单一次，不能再次退回。"), code="returned_once"
            )
        now = timezone.now()
        if now >= part.return_until:
            raise ValidationError(
                _("退回须在派单后一个工作日内（%(until)s 前）提出，已超过期限，请办理答复。")
                % {"until": _local(part.return_until)},
                code="return_late",
            )
        earlier_returns = order.parts.filter(returned_at__isnull=False).count()
        part.status = Part.Status.RETURNED
        part.return_reason = reason
        part.returned_at = now
        part.save(update_fields=["status", "return_reason", "returned_at"])
        values = {
            "number": order.number,
            "title": order.title,
            "department": part.department.name,
            "reason": reason,
        }
        with messages_batch():
            _event(
                order, OrderAction.RETURNED, actor, department=part.department.code, reason=reason
            )
            if earlier_returns:
                order.escalated = True
                order.save(update_fields=["escalated"])
                _event(order, OrderAction.ESCALATED, actor, why="second_return")
                _tell_staff(
                    _supervisor_ids(),
                    key=f"order:{order.pk}:escalated",
                    kind=MessageKind.ORDER_ESCALATED,
                    message=wording.ORDER_ESCALATED,
                    values={**values, "why": _("已被第二次退回")},
                )
            elif order.owner_id:
                _tell_staff(
                    [order.owner_id],
                    key=f"order-part:{part.pk}:returned",
                    kind=MessageKind.ORDER_RETURNED,
                    message=wording.ORDER_RETURNED,
                    values=values,
                )
    return part


def part_insist(*, part: Part, actor: User, note: str) -> Part:
    """The owner (or, once escalated, a supervisor) decides a returned part stays with its
    department: it is pending again and cannot be returned a second time."""
    note = _text(note, field="note", label=_("坚持派单的理由"), required=True, limit=REASON_MAX)
    with transaction.atomic():
        order = order_locked(part.order)
        _require_open(order)
        _require_owner(order, actor)
        part = Part.objects.get(pk=part.pk)
        if part.status == Part.Status.PENDING:
            return part
        if part.status != Part.Status.RETURNED:
            raise ValidationError(_("只有被退回的派单可以坚持派单。"))
        part.status = Part.Status.PENDING
        part.save(update_fields=["status"])
        _event(order, OrderAction.INSISTED, actor, department=part.department.code, note=note)
        if order.escalated and _is_supervisor(actor):
            order.escalated = False
            order.save(update_fields=["escalated"])
        with messages_batch():
            _tell_department(order, part, key="insisted", task=f"{part.task}（{note}）")
    return part


def order_redirect(*, order: WorkOrder, actor: User, parts: Sequence[Dispatch]) -> list[Part]:
    """After a return the owner (or a supervisor, once escalated) sends the order elsewhere;
    the supervisor's decision ends the escalation."""
    created = order_dispatch(order=order, actor=actor, parts=parts)
    with transaction.atomic():
        order = order_locked(order)
        if order.escalated and _is_supervisor(actor):
            order.escalated = False
            order.save(update_fields=["escalated"])
    return created


def part_answer(*, part: Part, actor: User, answer: str) -> Part:
    """A department answers its part. When every part of the round has answered, the owner is
    told to reply to the citizen. The same answer sent twice does nothing more."""
    answer = _text(answer, field="answer", label=_("办理结果"), required=True, limit=TEXT_MAX)
    with transaction.atomic():
        order, part = _part_locked(part, actor)
        if part.status == Part.Status.ANSWERED:
            if part.answer == answer:
                return part
            raise ValidationError(_("本部门已答复该工单。"), code="answered")
        if part.status != Part.Status.PENDING:
            raise ValidationError(
                _("该派单已%(state)s，不能答复。") % {"state": part.get_status_display()}
            )
        now = timezone.now()
        part.status = Part.Status.ANSWERED
        part.answer = answer
        part.answered_at = now
        part.answered_by = actor
        part.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        _event(
            order,
            OrderAction.ANSWERED,
            actor,
            department=part.department.code,
            late=now >= part.due_at,
        )
        still_open = order.parts.filter(round=order.reopen_count, status=Part.Status.PENDING)
        returned = order.parts.filter(round=order.reopen_count, status=Part.Status.RETURNED)
        if not still_open.exists() and not returned.exists():
            order.status = Status.ANSWERED
            fields = ["status"]
            if order.first_answered_at is None:
                order.first_answered_at = now
                fields.append("first_answered_at")
            order.save(update_fields=fields)
            if order.owner_id:
                with messages_batch():
                    _tell_staff(
                        [order.owner_id],
                        key=f"order:{order.pk}:answered:{order.reopen_count}",
                        kind=MessageKind.ORDER_ANSWERED,
                        message=wording.ORDER_ANSWERED,
                        values={"number": order.number},
                    )
    return part


# --- reply, close, extension -----------------------------------------------------------------


def order_reply(
    *, order: WorkOrder, actor: User, reply: str, knowledge: KnowledgeEntry | None = None
) -> WorkOrder:
    """The owner replies to the citizen: after the departments' answers, or at once for a
    consultation the owner answers without dispatching it. A reply from the knowledge base
    cites the entry (its version and source go with the reply and into the log)."""
    if knowledge is not None:
        reply = (reply or "").strip() or knowledge.answer
        reply = f"{reply}\n{_('依据')}：{knowledge.source}"
    reply = _text(reply, field="reply", label=_("答复内容"), required=True, limit=TEXT_MAX)
    with transaction.atomic():
        order = order_locked(order)
        if order.status == Status.REPLIED and order.reply == reply:
            return order
        _require_open(order)
        _require_owner(order, actor)
        direct = order.status == Status.RECEIVED and not order.parts.exists()
        if order.status != Status.ANSWERED and not direct:
            raise ValidationError(_("承办部门尚未全部答复，暂不能答复市民。"), code="not_answered")
        now = timezone.now()
        order.reply = reply
        order.replied_at = now
        order.status = Status.REPLIED
        fields = ["reply", "replied_at", "status"]
        if order.first_answered_at is None:
            order.first_answered_at = now
            fields.append("first_answered_at")
        order.save(update_fields=fields)
        cited = {"knowledge": knowledge.pk, "version": knowledge.version} if knowledge else {}
        event = _event(order, OrderAction.REPLIED, actor, round=order.reopen_count, **cited)
        if knowledge is not None:
            knowledge_cited(entry=knowledge)
        with messages_batch():
            _tell_citizen(
                order,
                key=f"replied:{order.reopen_count}",
                kind=MessageKind.ORDER_REPLIED,
                message=wording.ORDER_REPLIED,
                values={"title": order.title, "number": order.number, "reply": reply},
            )
        order_webhooks_queue(order=order, event=event)
    return order


def order_close(*, order: WorkOrder, actor: User) -> WorkOrder:
    """The owner closes a replied order; closing after its limit is recorded as late. The
    call-back falls on the next working day."""
    with transaction.atomic():
        order = order_locked(order)
        if order.status == Status.CLOSED:
            return order
        _require_owner(order, actor)
        if order.status != Status.REPLIED:
            raise ValidationError(_("请先答复市民，再办结工单。"), code="not_replied")
        now = timezone.now()
        order.status = Status.CLOSED
        order.closed_at = now
        order.closed_late = order.closed_late or now >= order.due_at
        order.callback_on = order_callback_on(calendar=working_calendar(), closed_at=now)
        order.save(update_fields=["status", "closed_at", "closed_late", "callback_on"])
        event = _event(order, OrderAction.CLOSED, actor, late=order.closed_late)
        order_webhooks_queue(order=order, event=event)
    return order


def order_extension_request(
    *, order: WorkOrder, actor: User, working_days: int, reason: str
) -> WorkOrder:
    """Ask once for more time (the owner, or an officer of a department holding a part); a
    supervisor decides. Urgent orders are not extended."""
    reason = _text(reason, field="reason", label=_("延期理由"), required=True, limit=REASON_MAX)
    if not isinstance(working_days, int) or not 1 <= working_days <= EXTENSION_MAX_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": [
                    _("延期须为 1 至 %(n)s 个工作日。") % {"n": EXTENSION_MAX_WORKING_DAYS}
                ]
            }
        )
    with transaction.atomic():
        order = order_locked(order)
        _require_open(order)
        if order.extension == WorkOrder.Extension.REQUESTED and order.extension_reason == reason:
            return order
        if order.extension:
            raise ValidationError(_("每张工单只能申请一次延期。"), code="extension_once")
        if order.kind == WorkOrderKind.URGENT:
            raise ValidationError(_("紧急诉求不能延期。"), code="urgent")
        holds_part = order.parts.filter(
            department__officers__user=actor, status=Part.Status.PENDING
        ).exists()
        if order.owner_id != actor.pk and not holds_part:
            raise ValidationError(_("只有首接责任人或承办部门可以申请延期。"), code="not_owner")
        order.extension = WorkOrder.Extension.REQUESTED
        order.extension_days = working_days
        order.extension_reason = reason
        order.save(update_fields=["extension", "extension_days", "extension_reason"])
        event = _event(
            order, OrderAction.EXTENSION_REQUESTED, actor, days=working_days, reason=reason
        )
        with messages_batch():
            _tell_staff(
                _supervisor_ids(),
                key=f"order:{order.pk}:extension",
                kind=MessageKind.ORDER_EXTENSION,
                message=wording.ORDER_EXTENSION,
                values={"number": order.number, "days": working_days, "reason": reason},
            )
        order_webhooks_queue(order=order, event=event)
    return order


def order_extension_decide(
    *, order: WorkOrder, actor: User, approve: bool, note: str = ""
) -> WorkOrder:
    """A supervisor approves or refuses the one extension (a refusal needs its reason). An
    approval moves the order's limit and its open parts'."""
    note = _text(note, field="note", label=_("审批意见"), required=not approve, limit=REASON_MAX)
    if not _is_supervisor(actor):
        raise ValidationError(_("延期须由监察人员审批。"), code="not_supervisor")
    with transaction.atomic():
        order = order_locked(order)
        decided = WorkOrder.Extension.APPROVED if approve else WorkOrder.Extension.REFUSED
        if order.extension == decided:
            return order
        if order.extension != WorkOrder.Extension.REQUESTED:
            raise ValidationError(_("该工单没有待审批的延期申请。"), code="no_extension")
        order.extension = decided
        fields = ["extension"]
        if approve:
            calendar = working_calendar()
            due_at = order_extended_due_at(
                calendar=calendar, due_at=order.due_at, working_days=order.extension_days
            )
            order.due_at = due_at
            order.yellow_at = max(order.yellow_at, due_at - datetime.timedelta(days=1))
            order.light = ""
            fields += ["due_at", "yellow_at", "light"]
            order.parts.filter(status__in=[Part.Status.PENDING, Part.Status.RETURNED]).update(
                due_at=due_at,
                yellow_at=order.yellow_at,
                light="",
                listed_from=order_listed_from(calendar=calendar, due_at=due_at),
            )
        order.save(update_fields=fields)
        _event(
            order,
            OrderAction.EXTENSION_APPROVED if approve else OrderAction.EXTENSION_REFUSED,
            actor,
            note=note,
            due_at=order.due_at.isoformat(),
        )
    return order


# --- call-back and 重办 --------------------------------------------------------------------------


def order_callback(
    *,
    order: WorkOrder,
    satisfaction: str,
    resolved: bool,
    via: str,
    actor: User | None = None,
    note: str = "",
) -> WorkOrder:
    """The citizen's answer to the call-back (their SMS link, or the clerk's record of a phone
    call): once per closing. "Unresolved" reopens the order to the same departments with a new
    limit (重办), counted."""
    if satisfaction not in WorkOrder.Satisfaction.values:
        raise ValidationError({"satisfaction": [_("请选择满意程度。")]})
    if not isinstance(resolved, bool):
        raise ValidationError({"resolved": [_("请说明问题是否已解决。")]})
    if via not in ("sms", "phone"):
        raise ValidationError({"via": [_("请说明回访方式。")]})
    note = _text(note, field="note", label=_("回访记录"), required=False, limit=REASON_MAX)
    with transaction.atomic():
        order = order_locked(order)
        if order.status != Status.CLOSED:
            raise ValidationError(_("工单尚未办结，暂不能回访。"), code="not_closed")
        if order.callback_at is not None:
            if order.satisfaction == satisfaction and order.resolved == resolved:
                return order
            raise ValidationError(_("本次办结已回访过。"), code="called_back")
        phoned_by_other = via == "phone" and (actor is None or order.owner_id != actor.pk)
        if phoned_by_other and (actor is None or not _is_supervisor(actor)):
            raise ValidationError(_("只有首接责任人可以记录电话回访。"), code="not_owner")
        now = timezone.now()
        order.callback_at = now
        order.satisfaction = satisfaction
        order.resolved = resolved
        order.save(update_fields=["callback_at", "satisfaction", "resolved"])
        _event(
            order,
            OrderAction.CALLED_BACK,
            actor,
            via=via,
            satisfaction=satisfaction,
            resolved=resolved,
            note=note,
            round=order.reopen_count,
        )
        if not resolved:
            _reopen(order, actor=actor)
    return order


def _reopen(order: WorkOrder, *, actor: User | None) -> None:
    """重办: the departments that answered the last round get a new part with a new limit."""
    answered = list(
        order.parts.filter(round=order.reopen_count, status=Part.Status.ANSWERED).select_related(
            "department"
        )
    )
    now = timezone.now()
    calendar = working_calendar()
    limit = _limit(order.category, referred=bool(answered))
    due_at = order_due_at(calendar=calendar, received_at=now, limit=limit)
    order.reopen_count += 1
    order.status = Status.IN_HAND if answered else Status.RECEIVED
    order.due_at = due_at
    order.yellow_at = order_yellow_at(received_at=now, due_at=due_at, limit=limit)
    order.light = ""
    order.closed_at = None
    order.closed_late = False  # judged again at the next closing; the log keeps the first
    order.callback_on = None
    order.callback_sent_at = None
    order.callback_at = None
    order.satisfaction = ""
    order.resolved = None
    order.reply = ""
    order.replied_at = None
    order.save()
    _event(order, OrderAction.REOPENED, actor, round=order.reopen_count)
    with messages_batch():
        for previous in answered:
            part = Part.objects.create(
                order=order,
                department=previous.department,
                round=order.reopen_count,
                task=previous.task,
                dispatched_at=now,
                due_at=due_at,
                yellow_at=order.yellow_at,
                return_until=now,  # a reopened part is the department's own: no return
                listed_from=order_listed_from(calendar=calendar, due_at=due_at),
            )
            _event(
                order,
                OrderAction.DISPATCHED,
                None,
                department=previous.department.code,
                part=part.pk,
                round=part.round,
                reopened=True,
            )
            _tell_department(
                order,
                part,
                key="dispatched",
                task=Template(gettext_lazy("（重办）%(task)s")) % {"task": previous.task},
            )


# --- the sweep -------------------------------------------------------------------------------


def _callback_link(order: WorkOrder) -> str:
    return settings.HALL_PUBLIC_URL + reverse("orders:callback", args=[order.callback_token])


def orders_sweep(*, batch: int = 500) -> dict[str, int]:
    """Cards, 催办, public listing and call-backs: each row once, found by its index.

    Each kind of work runs in its own transaction over rows locked with SKIP LOCKED, so two
    sweepers share the work and a human action on an order is never waited for: the row it
    holds is simply left for the next round.
    """
    now = timezone.now()
    counts = {"yellow": 0, "red": 0, "chased": 0, "listed": 0, "callbacks": 0}
    with transaction.atomic(), messages_batch():
        orders = orders_batch_locked(
            ~Q(status=Status.CLOSED)
            & Q(yellow_at__lte=now)
            & (Q(light="") | Q(light=Light.YELLOW, due_at__lte=now)),
            order_by="yellow_at",
            batch=batch,
        )
        for order in orders:
            light = Light.RED if now >= order.due_at else Light.YELLOW
            if order.light == light:
                continue
            order.light = light
            order.save(update_fields=["light"])
            counts[light] += 1
            _event(order, OrderAction.WARNING, None, light=light)
            if order.owner_id:
                _tell_staff(
                    [order.owner_id],
                    key=f"order:{order.pk}:{light}:{order.reopen_count}:{order.due_at:%Y%m%d%H}",
                    kind=MessageKind.ORDER_WARNING,
                    message=wording.ORDER_WARNING,
                    values={
                        "light": Light(light).label,
                        "number": order.number,
                        "title": order.title,
                        "due": _local(order.due_at),
                    },
                )
    with transaction.atomic(), messages_batch():
        parts = parts_batch_locked(
            Q(status=Part.Status.PENDING, yellow_at__lte=now)
            & (
                Q(light="")
                | Q(light=Light.YELLOW, due_at__lte=now)
                | Q(chased_at__isnull=True, due_at__lte=now)
                | Q(listed_at__isnull=True, listed_from__lte=now)
            ),
            batch=batch,
        )
        for part in parts:
            order = part.order
            fields = []
            light = Light.RED if now >= part.due_at else Light.YELLOW
            if part.light != light:
                part.light = light
                fields.append("light")
            if now >= part.due_at and part.chased_at is None:
                part.chased_at = now
                fields.append("chased_at")
                counts["chased"] += 1
                _event(order, OrderAction.CHASED, None, department=part.department.code)
                head_ids = list(
                    Officer.objects.filter(pk=part.department.head_id).values_list(
                        "user_id", flat=True
                    )
                )
                _tell_staff(
                    _department_user_ids(order, part.department_id)
                    + [u for u in head_ids if u != order.about_clerk_id],
                    key=f"order-part:{part.pk}:chased",
                    kind=MessageKind.ORDER_CHASED,
                    message=wording.ORDER_CHASED,
                    values={
                        "number": order.number,
                        "title": order.title,
                        "due": _local(part.due_at),
                    },
                )
            if now >= part.listed_from and part.listed_at is None:
                part.listed_at = now
                fields.append("listed_at")
                counts["listed"] += 1
                _event(order, OrderAction.LISTED, None, department=part.department.code)
            if fields:
                part.save(update_fields=fields)
    today = timezone.localdate(now)
    with transaction.atomic(), messages_batch():
        due_callbacks = orders_batch_locked(
            Q(
                status=Status.CLOSED,
                callback_at__isnull=True,
                callback_sent_at__isnull=True,
                callback_on__lte=today,
            ),
            order_by="callback_on",
            batch=batch,
        )
        for order in due_callbacks:
            order.callback_sent_at = now
            order.save(update_fields=["callback_sent_at"])
            if not order.contact_phone:
                continue  # the owner calls, or nobody can be asked (anonymous without a phone)
            counts["callbacks"] += 1
            _event(order, OrderAction.CALLBACK_SENT, None, phone=masked_phone(order.contact_phone))
            _tell_citizen(
                order,
                key=f"callback:{order.reopen_count}",
                kind=MessageKind.ORDER_CALLBACK,
                message=wording.ORDER_CALLBACK,
                values={
                    "title": order.title,
                    "number": order.number,
                    "link": _callback_link(order),
                },
            )
    return counts
