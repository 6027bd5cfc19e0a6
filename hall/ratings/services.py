"""好差评: service ratings and the follow-up of bad ones (国办发〔2019〕51号).

- Five levels (`ServiceRating.LEVELS`). On site a visit (a queue ticket) is rated once; online
  an item (a case) is rated once. The database's unique constraints hold that; the services
  lock the ticket or case row first and turn a second rating into a Chinese message. The same
  rating sent twice (a double tap) returns the first one.
- 一事多评: a case is rated once at each point of contact (`ServiceRating.Stage`: receipt,
  acceptance, completion), each only once the case has reached it.
- The bottom two levels are "bad" (`ServiceRating.BAD_LEVELS`): they need a reason from the
  standard's list (`ServiceRating.REASONS`; free text alone counts as "other"), and they open a
  `RatingFollowUp` due in 5 working days.
- A follow-up runs OPEN (待整改) → RECTIFYING (整改中, the measures written) → ANSWERED (整改完成,
  after the call-back to a named applicant); or a claim that the rating is invalid (无效差评) or
  cannot be fixed (无法整改), which another supervisor reviews (upheld: that outcome; rejected:
  back to 整改中). One extension of 5 working days; the sweep flags a follow-up past its date
  as overdue, and the flag stays. The applicant may appeal an outcome once (APPEALED → CLOSED).
- The sweep (`ratings_sweep`) also invites the applicant of a case finished 3 days ago and not
  rated at completion to rate it, by SMS, once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.proxies import proxy_act_record, proxy_authorisation_checked
from hall.cases.wording import MessageKind, ProxyAct
from hall.models import (
    Applicant,
    Case,
    Notification,
    QueueTicket,
    RatingFollowUp,
    ServiceRating,
)
from hall.outbox.queue import (
    applicant_notify,
    notification_build,
    notifications_queue,
    sms_queue,
    staff_notify,
)

FOLLOW_UP_WORKING_DAYS = 5  # bad ratings fixed and answered within 5 working days
EXTENSION_WORKING_DAYS = 5  # once
INVITE_AFTER_DAYS = 3
INVITE_WINDOW_DAYS = 30
REASON_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 2000
LEVEL_VALUES = tuple(value for value, _label in ServiceRating.LEVELS)
RATABLE_TICKET_STATUSES = (QueueTicket.Status.SERVING, QueueTicket.Status.DONE)


REASON_CODES = tuple(code for code, _label in ServiceRating.REASONS)
ACTIVE = (RatingFollowUp.Status.OPEN, RatingFollowUp.Status.RECTIFYING)
APPEALABLE = (
    RatingFollowUp.Status.ANSWERED,
    RatingFollowUp.Status.INVALID,
    RatingFollowUp.Status.UNFIXABLE,
)


def _codes(*, level: int, reason: str, reason_codes) -> list[str]:
    codes = [c for c in dict.fromkeys(reason_codes or []) if c in REASON_CODES]
    if level in ServiceRating.BAD_LEVELS and not codes and reason:
        codes = ["other"]
    return codes if level in ServiceRating.BAD_LEVELS else []


def _clean(*, level: int, reason: str, reason_codes=None) -> tuple[int, str]:
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVEL_VALUES:
        raise ValidationError({"level": [_("请选择评价等级。")]})
    reason = (reason or "").strip()
    if level in ServiceRating.BAD_LEVELS and not reason and not reason_codes:
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
    fields["reason_codes"] = _codes(
        level=fields["level"], reason=fields["reason"], reason_codes=fields.get("reason_codes")
    )
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
    reason_codes: list[str] | None = None,
) -> ServiceRating:
    """Rate an on-site visit, once per ticket. The rated clerk is the ticket's clerk.

    Only a visit that reached a window (being served or finished) can be rated.
    """
    level, reason = _clean(level=level, reason=reason, reason_codes=reason_codes)
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
            reason_codes=reason_codes,
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
    stage: str | None = None,
    reason_codes: list[str] | None = None,
    proxy_code: str = "",
) -> ServiceRating:
    """Rate a case at one point of contact (`stage`), once each. The rated clerk is the case's
    first-contact owner and the rated department the item's lead department.

    `actor` is who pressed the button (the applicant's login, or an agent); `on_behalf_of` names
    the applicant when an agent rates for them. Without `stage`, the latest point of contact the
    case has reached. The case's log records the rating. With `proxy_code` the actor is a
    relative or friend rating under that authorisation (亲友代办).
    """
    level, reason = _clean(level=level, reason=reason, reason_codes=reason_codes)
    with transaction.atomic():
        authorisation = (
            proxy_authorisation_checked(user=actor, code=proxy_code, case=case, lock=True)
            if proxy_code
            else None
        )
        if authorisation is not None:
            on_behalf_of = authorisation.principal
        case = case_locked(case, related=("item", "applicant"))
        stage = stage or stages_open(case)[-1]
        if stage not in stages_open(case):
            raise ValidationError(
                _("办件尚未到“%(stage)s”环节，暂不能评价该环节。")
                % {"stage": ServiceRating.Stage(stage).label}
                if stage in ServiceRating.Stage.values
                else _("请选择评价环节。"),
                code="stage",
            )
        existing = ServiceRating.objects.filter(case=case, stage=stage).first()
        rating = _create(
            existing=existing,
            duplicate=_("办件 %(receipt_no)s 的“%(stage)s”环节已经评价过了，每个环节只能评价一次。")
            % {"receipt_no": case.receipt_no, "stage": ServiceRating.Stage(stage).label},
            level=level,
            reason=reason,
            reason_codes=reason_codes,
            stage=stage,
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
                    "stage": stage,
                },
            )
            if authorisation is not None:
                proxy_act_record(
                    authorisation=authorisation, case=case, act=ProxyAct.RATED, user=actor
                )
    return rating


FINISHED = (Case.Status.DECIDED, Case.Status.CLOSED, Case.Status.NOT_ACCEPTED)
BEFORE_ACCEPTANCE = (Case.Status.RECEIVED, Case.Status.AWAITING_CORRECTION)


def stages_open(case: Case) -> list[str]:
    """The points of contact the case has reached (收件 always; 受理 once accepted or not;
    办结 once decided, closed or not accepted)."""
    open_ = [ServiceRating.Stage.RECEIPT.value]
    if case.status not in BEFORE_ACCEPTANCE:
        open_.append(ServiceRating.Stage.ACCEPTANCE.value)
    if case.status in FINISHED:
        open_.append(ServiceRating.Stage.COMPLETION.value)
    return open_


def stages_to_rate(case: Case) -> list[str]:
    rated = set(ServiceRating.objects.filter(case=case).values_list("stage", flat=True))
    return [stage for stage in stages_open(case) if stage not in rated]


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
            case=rating.case, key=key, kind=MessageKind.RATING_FOLLOW_UP, subject=subject, body=body
        )
    elif rating.ticket_id is not None and rating.ticket.applicant_id is not None:
        sms_queue(
            key=f"{key}:sms",
            phone=rating.ticket.applicant.phone,
            kind=MessageKind.RATING_FOLLOW_UP,
            subject=subject,
            body=body,
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


def follow_up_start(
    *, follow_up: RatingFollowUp, supervisor: User, measures: str
) -> RatingFollowUp:
    """整改中: the check is made and the measures written."""
    measures = _text(measures, "measures", _("整改措施"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(
            pk=follow_up.pk, status=RatingFollowUp.Status.OPEN
        ).update(
            status=RatingFollowUp.Status.RECTIFYING,
            measures=measures,
            started_by=supervisor,
            started_at=timezone.now(),
        )
        fresh = _load(follow_up.pk)
        if not updated and fresh.measures != measures:
            raise _refused(fresh, _("开始整改"))
    return fresh


def follow_up_extend(*, follow_up: RatingFollowUp, supervisor: User, reason: str) -> RatingFollowUp:
    """One extension of the deadline by 5 working days, with its reason."""
    reason = _text(reason, "extension_reason", _("延期理由"))[:300]
    with transaction.atomic():
        locked = RatingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.extended:
            if locked.extension_reason == reason:
                return _load(locked.pk)
            raise ValidationError(_("整改期限只能延期一次。"), code="extended")
        if locked.status not in ACTIVE:
            raise _refused(locked, _("延期"))
        locked.due_date = working_calendar().add_working_days(
            locked.due_date, EXTENSION_WORKING_DAYS
        )
        locked.extended = True
        locked.extension_reason = reason
        locked.save(update_fields=["due_date", "extended", "extension_reason"])
    return _load(follow_up.pk)


def follow_up_claim(
    *, follow_up: RatingFollowUp, supervisor: User, kind: str, reason: str
) -> RatingFollowUp:
    """Ask that the rating be found invalid (mistaken or malicious: 无效差评) or unfixable
    (无法整改, e.g. the law requires what was complained of); another supervisor reviews it."""
    target = {
        "invalid": RatingFollowUp.Status.INVALID_REVIEW,
        "unfixable": RatingFollowUp.Status.UNFIXABLE_REVIEW,
    }.get(kind)
    if target is None:
        raise ValidationError({"kind": [_("请选择申请类型。")]})
    reason = _text(reason, "claim", _("理由"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(pk=follow_up.pk, status__in=ACTIVE).update(
            status=target, claim=reason, claimed_by=supervisor
        )
        fresh = _load(follow_up.pk)
        if not updated and not (fresh.status == target and fresh.claim == reason):
            raise _refused(fresh, _("申请审核"))
    return fresh


def follow_up_review(
    *, follow_up: RatingFollowUp, supervisor: User, uphold: bool, note: str
) -> RatingFollowUp:
    """Review a claim: upheld, the follow-up ends as 无效差评 or 无法整改 and the applicant is
    told (and may appeal); rejected, it goes back to 整改中. Not by the one who claimed it."""
    note = _text(note, "review_note", _("审核意见"))
    outcome = {
        RatingFollowUp.Status.INVALID_REVIEW: RatingFollowUp.Status.INVALID,
        RatingFollowUp.Status.UNFIXABLE_REVIEW: RatingFollowUp.Status.UNFIXABLE,
    }
    with transaction.atomic():
        locked = RatingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.status not in outcome:
            if locked.reviewed_by_id == supervisor.pk and locked.review_note == note:
                return _load(locked.pk)
            raise _refused(locked, _("审核"))
        if locked.claimed_by_id == supervisor.pk:
            raise ValidationError(_("申请人以外的另一位监察人员审核。"), code="four_eyes")
        locked.status = outcome[locked.status] if uphold else RatingFollowUp.Status.RECTIFYING
        locked.reviewed_by = supervisor
        locked.review_note = note
        fields = ["status", "reviewed_by", "review_note"]
        if uphold:
            locked.answer = note
            locked.answered_by = supervisor
            locked.answered_at = timezone.now()
            fields += ["answer", "answered_by", "answered_at"]
        locked.save(update_fields=fields)
        fresh = _load(locked.pk)
        if uphold:
            _tell_outcome(fresh, note)
    return fresh


def _tell_outcome(fresh: RatingFollowUp, text: str) -> None:
    path = appeal_path(fresh)
    body = _("您对本次服务的评价已处理（%(outcome)s）：%(answer)s") % {
        "outcome": fresh.get_status_display(),
        "answer": text,
    }
    if path:
        body += _("如对处理结果不满意，可在此申诉：%(url)s") % {
            "url": f"{settings.HALL_PUBLIC_URL}{path}"
        }
    _tell_applicant(
        fresh, key=f"rating-follow-up:{fresh.pk}:answer", subject=_("服务评价答复"), body=body
    )


def follow_up_answer(
    *, follow_up: RatingFollowUp, supervisor: User, answer: str, callback: str = ""
) -> RatingFollowUp:
    """整改完成: answer the applicant after fixing (核实整改答复). A rating that names the
    applicant needs the call-back (回访) recorded first; the applicant is told."""
    answer = _text(answer, "answer", _("核实整改答复"))
    callback = (callback or "").strip()
    with transaction.atomic():
        current = _load(follow_up.pk)
        if current.status in ACTIVE and rated_applicant(current) is not None and not callback:
            raise ValidationError(
                {"callback": [_("请先回访申请人并填写回访情况。")]}, code="callback"
            )
        updated = RatingFollowUp.objects.filter(pk=follow_up.pk, status__in=ACTIVE).update(
            status=RatingFollowUp.Status.ANSWERED,
            answer=answer,
            answered_by=supervisor,
            answered_at=timezone.now(),
            callback_note=callback[:TEXT_MAX_LENGTH],
            callback_at=timezone.now() if callback else None,
        )
        fresh = _load(follow_up.pk)
        if not updated:
            if fresh.answer == answer:
                return fresh
            raise _refused(fresh, _("答复"))
        _tell_outcome(fresh, answer)
    return fresh


def follow_up_appeal(*, follow_up: RatingFollowUp, appeal: str) -> RatingFollowUp:
    """The applicant disagrees with the answer (申诉); once."""
    appeal = _text(appeal, "appeal", _("申诉内容"))
    with transaction.atomic():
        updated = RatingFollowUp.objects.filter(pk=follow_up.pk, status__in=APPEALABLE).update(
            status=RatingFollowUp.Status.APPEALED, appeal=appeal, appealed_at=timezone.now()
        )
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
                kind=MessageKind.RATING_APPEAL,
                subject=wording.RATING_APPEALED.subject
                % {"receipt_no": fresh.rating.case.receipt_no},
                body=wording.RATING_APPEALED.body % {"appeal": appeal},
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


WAITING_FOR_SUPERVISION = [
    RatingFollowUp.Status.OPEN,
    RatingFollowUp.Status.RECTIFYING,
    RatingFollowUp.Status.INVALID_REVIEW,
    RatingFollowUp.Status.UNFIXABLE_REVIEW,
    RatingFollowUp.Status.APPEALED,
]


def ratings_sweep(*, now=None) -> dict[str, int]:
    """The periodic sweep: flag follow-ups past their deadline, and invite the applicants of
    cases finished `INVITE_AFTER_DAYS` ago and not rated at completion (once, by SMS)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    flagged = RatingFollowUp.objects.filter(
        status__in=[*ACTIVE, RatingFollowUp.Status.INVALID_REVIEW,
                    RatingFollowUp.Status.UNFIXABLE_REVIEW],
        due_date__lt=today,
        overdue=False,
    ).update(overdue=True)  # fmt: skip
    due = (
        Case.objects.filter(
            status=Case.Status.CLOSED,
            closed_at__lte=now - datetime.timedelta(days=INVITE_AFTER_DAYS),
            closed_at__gte=now - datetime.timedelta(days=INVITE_WINDOW_DAYS),
        )
        .exclude(ratings__stage=ServiceRating.Stage.COMPLETION)
        .exclude(notifications__kind="rating_invite")  # invited already
        .select_related("item", "applicant")
    )
    invitations = [
        notification_build(
            dedupe_key=f"case:{case.pk}:rating-invite",
            channel=Notification.Channel.SMS,
            kind=MessageKind.RATING_INVITE,
            subject=wording.RATING_INVITE.subject,
            body=wording.RATING_INVITE.body
            % {
                "item": case.item.name,
                "receipt_no": case.receipt_no,
                "url": f"{settings.HALL_PUBLIC_URL}"
                f"{reverse('portal:case', args=[case.receipt_no])}",
            },
            case=case,
            address=case.applicant.phone,
        )
        for case in due
    ]
    # one statement for all; an invitation sent before is skipped by its key
    invited = len(notifications_queue(invitations)) if invitations else 0
    return {"overdue": flagged, "invited": invited}


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
        models.When(status__in=WAITING_FOR_SUPERVISION, then=0),
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
