"""好差评: service ratings and the follow-up of bad ones (国办发〔2019〕51号).

- Five levels (`ServiceRating.LEVELS`). On site a visit (a queue ticket) is rated once; online
  an item (a case) is rated once. The database's unique constraints hold that; the services
  lock the ticket or case row first and turn a second rating into a Chinese message. The same
  rating sent twice (a double tap) returns the first one.
- The bottom two levels are "bad" (`ServiceRating.BAD_LEVELS`): they need a reason, and they open
  a `RatingFollowUp` due in 15 working days (Sichuan's rule for checking, fixing and answering).
- A follow-up runs OPEN → ANSWERED (a supervisor answers the applicant) → APPEALED (the applicant
  disagrees) → CLOSED (a supervisor answers the appeal). The applicant hears each answer through
  `hall.notifications` when a case is linked (or the ticket names a registered applicant).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.models import (
    Applicant,
    Case,
    Notification,
    QueueTicket,
    RatingFollowUp,
    ServiceRating,
)
from hall.outbox.queue import applicant_notify, notification_queue, staff_notify

FOLLOW_UP_WORKING_DAYS = 15  # bad ratings answered within 15 working days (Sichuan)
REASON_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 2000
LEVEL_VALUES = tuple(value for value, _label in ServiceRating.LEVELS)
RATABLE_TICKET_STATUSES = (QueueTicket.Status.SERVING, QueueTicket.Status.DONE)


def _clean(*, level: int, reason: str) -> tuple[int, str]:
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVEL_VALUES:
        raise ValidationError({"level": [_("请选择评价等级。")]})
    reason = (reason or "").strip()
    if level in ServiceRating.BAD_LEVELS and not reason:
        raise ValidationError(
            {"reason": [_("选择“不满意”或“非常不满意”时请填写理由，以便我们核实整改。")]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("理由请不超过 %(n)s 个字。") % {"n": REASON_MAX_LENGTH}]}
        )
    return level, reason


def _create(*, existing: ServiceRating | None, duplicate: str, **fields) -> ServiceRating:
    """Insert the rating and, when bad, its follow-up. The caller holds the ticket or case lock."""
    if existing is not None:
        if existing.level == fields["level"] and existing.reason == fields["reason"]:
            return existing  # the same rating sent twice
        raise ValidationError(duplicate, code="duplicate")
    rating = ServiceRating(**fields)
    rating.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError as error:  # a rating arrived without the lock (should not happen)
        raise ValidationError(duplicate, code="duplicate") from error
    if rating.is_bad:
        RatingFollowUp.objects.create(
            rating=rating,
            due_date=working_calendar().add_working_days(
                timezone.localdate(), FOLLOW_UP_WORKING_DAYS
            ),
        )
    return rating


def rating_for_visit(
    *,
    ticket: QueueTicket,
    level: int,
    reason: str = "",
    channel: str = ServiceRating.Channel.KIOSK,
) -> ServiceRating:
    """Rate an on-site visit, once per ticket. The rated clerk is the ticket's clerk.

    Only a visit that reached a window (being served or finished) can be rated.
    """
    level, reason = _clean(level=level, reason=reason)
    with transaction.atomic():
        ticket = QueueTicket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status not in RATABLE_TICKET_STATUSES:
            raise ValidationError(
                _("号码 %(number)s 尚未在窗口办理，办理后才能评价。") % {"number": ticket.number},
                code="not_served",
            )
        return _create(
            existing=ServiceRating.objects.filter(ticket=ticket).first(),
            duplicate=_("号码 %(number)s 的这次办事已经评价过了，每次办事只能评价一次。")
            % {"number": ticket.number},
            level=level,
            reason=reason,
            channel=channel,
            ticket=ticket,
            clerk=ticket.clerk,
        )


def rating_for_case(
    *,
    case: Case,
    level: int,
    reason: str = "",
    channel: str = ServiceRating.Channel.ONLINE,
    actor: User | None = None,
    on_behalf_of: Applicant | None = None,
) -> ServiceRating:
    """Rate a case's item, once per case. The rated clerk is the case's first-contact owner and
    the rated department the item's lead department.

    `actor` is who pressed the button (the applicant's login, or an agent); `on_behalf_of` names
    the applicant when an agent rates for them. The case's log records the rating.
    """
    level, reason = _clean(level=level, reason=reason)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("item").get(pk=case.pk)
        existing = ServiceRating.objects.filter(case=case).first()
        rating = _create(
            existing=existing,
            duplicate=_("办件 %(receipt_no)s 已经评价过了，每个办件只能评价一次。")
            % {"receipt_no": case.receipt_no},
            level=level,
            reason=reason,
            channel=channel,
            case=case,
            clerk=case.owner,
            department=case.item.lead_department,
        )
        if existing is None:
            event_record(
                case=case,
                action=CaseAction.RATED,
                actor=actor,
                on_behalf_of=on_behalf_of,
                details={
                    "rating_id": rating.pk,
                    "level": rating.level,
                    "level_label": str(rating.get_level_display()),
                    "bad": rating.is_bad,
                    "channel": channel,
                },
            )
    return rating


def appeal_path(follow_up: RatingFollowUp) -> str | None:
    """The applicant's page for the answer and the appeal, by the follow-up's random token; None
    when the hall has no phone to verify the applicant by."""
    if rated_applicant(follow_up) is None:
        return None
    return reverse("ratings:appeal", args=[follow_up.link_token])


def rated_applicant(follow_up: RatingFollowUp) -> Applicant | None:
    """Who was served: the case's applicant, or the applicant the kiosk ticket was taken for."""
    rating = follow_up.rating
    if rating.case_id is not None:
        return rating.case.applicant
    if rating.ticket_id is not None:
        return rating.ticket.applicant
    return None


def _tell_applicant(follow_up: RatingFollowUp, *, key: str, subject: str, body: str) -> None:
    rating = follow_up.rating
    if rating.case_id is not None:
        applicant_notify(
            case=rating.case, key=key, kind="rating_follow_up", subject=subject, body=body
        )
    elif rating.ticket_id is not None and rating.ticket.applicant_id is not None:
        notification_queue(
            dedupe_key=f"{key}:sms",
            channel=Notification.Channel.SMS,
            kind="rating_follow_up",
            subject=subject,
            body=body,
            address=rating.ticket.applicant.phone,
        )


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("请填写%(label)s。") % {"label": label}]})
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: [_("%(label)s请不超过 %(n)s 个字。") % {"label": label, "n": TEXT_MAX_LENGTH}]}
        )
    return value


def _load(pk: int) -> RatingFollowUp:
    return RatingFollowUp.objects.select_related(
        "rating", "rating__case", "rating__case__applicant", "rating__ticket__applicant"
    ).get(pk=pk)


def _refused(follow_up: RatingFollowUp, action: str) -> ValidationError:
    return ValidationError(
        _("该差评回访当前为“%(status)s”，不能%(action)s。")
        % {"status": follow_up.get_status_display(), "action": action},
        code="state",
    )


def follow_up_answer(*, follow_up: RatingFollowUp, supervisor: User, answer: str) -> RatingFollowUp:
    """Answer a bad rating after checking and fixing (核实整改答复); the applicant is told."""
    answer = _text(answer, "answer", _("核实整改答复"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(
            pk=follow_up.pk, status=RatingFollowUp.Status.OPEN
        ).update(
            status=RatingFollowUp.Status.ANSWERED,
            answer=answer,
            answered_by=supervisor,
            answered_at=timezone.now(),
        )
        fresh = _load(follow_up.pk)
        if not updated:
            if fresh.answer == answer:
                return fresh
            raise _refused(fresh, _("答复"))
        path = appeal_path(fresh)
        body = _("您对本次服务的评价已核实处理，答复如下：%(answer)s") % {"answer": answer}
        if path:
            body += _("如对答复不满意，可在此申诉：%(url)s") % {
                "url": f"{settings.HALL_PUBLIC_URL}{path}"
            }
        _tell_applicant(
            fresh,
            key=f"rating-follow-up:{fresh.pk}:answer",
            subject=_("服务评价答复"),
            body=body,
        )
    return fresh


def follow_up_appeal(*, follow_up: RatingFollowUp, appeal: str) -> RatingFollowUp:
    """The applicant disagrees with the answer (申诉); once."""
    appeal = _text(appeal, "appeal", _("申诉内容"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(
            pk=follow_up.pk, status=RatingFollowUp.Status.ANSWERED
        ).update(status=RatingFollowUp.Status.APPEALED, appeal=appeal, appealed_at=timezone.now())
        fresh = _load(follow_up.pk)
        if not updated:
            if fresh.appeal == appeal:
                return fresh
            raise _refused(fresh, _("申诉"))
        if fresh.answered_by_id is not None and fresh.rating.case_id is not None:
            staff_notify(
                user=fresh.answered_by,
                case=fresh.rating.case,
                key=f"rating-follow-up:{fresh.pk}:appeal",
                kind="rating_appeal",
                subject=_("差评答复被申诉：%(receipt_no)s")
                % {"receipt_no": fresh.rating.case.receipt_no},
                body=appeal,
            )
    return fresh


def follow_up_appeal_answer(
    *, follow_up: RatingFollowUp, supervisor: User, answer: str
) -> RatingFollowUp:
    """Answer the appeal and close the follow-up; the applicant is told."""
    answer = _text(answer, "appeal_answer", _("申诉答复"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(
            pk=follow_up.pk, status=RatingFollowUp.Status.APPEALED
        ).update(
            status=RatingFollowUp.Status.CLOSED, appeal_answer=answer, closed_at=timezone.now()
        )
        fresh = _load(follow_up.pk)
        if not updated:
            if fresh.appeal_answer == answer:
                return fresh
            raise _refused(fresh, _("答复申诉"))
        _tell_applicant(
            fresh,
            key=f"rating-follow-up:{fresh.pk}:appeal-answer",
            subject=_("服务评价申诉答复"),
            body=_("您的申诉已办结，答复如下：%(answer)s") % {"answer": answer},
        )
    return fresh


def follow_ups_for_supervision(*, status: str | None = None) -> QuerySet[RatingFollowUp]:
    """Follow-ups for supervisors: those waiting for them (open, appealed) first, by due date."""
    rows = RatingFollowUp.objects.select_related(
        "rating",
        "rating__case",
        "rating__case__item",
        "rating__ticket",
        "rating__ticket__window",
        "rating__clerk",
        "rating__department",
    )
    if status:
        rows = rows.filter(status=status)
    waiting_for_us = models.Case(
        models.When(
            status__in=[RatingFollowUp.Status.OPEN, RatingFollowUp.Status.APPEALED], then=0
        ),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    return rows.order_by(waiting_for_us, "due_date", "pk")


def follow_up_for_supervision(*, pk: int) -> RatingFollowUp | None:
    return follow_ups_for_supervision().filter(pk=pk).first()


def follow_up_for_applicant(*, token: str) -> RatingFollowUp | None:
    """The follow-up whose link token this is (a wrong token finds nothing)."""
    if not token or len(token) > 64:
        return None
    return (
        RatingFollowUp.objects.select_related(
            "rating",
            "rating__case",
            "rating__case__item",
            "rating__case__applicant",
            "rating__ticket__applicant",
        )
        .filter(link_token=token)
        .first()
    )
