"""Appointments (预约): booking a slot, cancelling, checking in at the kiosk, the no-show and
reminder sweeps (the reads are in hall.queue.appointment_selectors).

- Slots are the hall's opening hours (`HALL_OPENING_HOURS`, in `HALL_APPOINTMENT_SLOT_MINUTES`
  pieces) on the working days of the calendar, from tomorrow for `HALL_APPOINTMENT_DAYS_AHEAD`
  working days. A slot's capacity is per queue category (a window group): the on-site windows
  that call the category times `HALL_APPOINTMENTS_PER_WINDOW`.
- Booking locks the slot's row and counts it up; the database's check refuses a count past the
  capacity, so two last bookings at once cannot both take the last place.
- Check-in from `CHECK_IN_EARLY` before the slot until `CHECK_IN_LATE` after its start issues a
  ticket called ahead of walk-ins (hall.queue.services.ticket_call_next); later, the person
  queues as a walk-in (the appointment is marked late, not a no-show).
- A booking nobody checked in for by `NO_SHOW_AFTER` past the slot's end is a no-show; with
  `NO_SHOW_LIMIT` no-shows in `NO_SHOW_WINDOW_DAYS` days booking is refused until
  `NO_SHOW_BAN_DAYS` after the last one.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.deadlines import SHANGHAI
from approvals.models import ServiceItem
from hall.cases import wording
from hall.cases.proxies import proxy_authorisation_checked
from hall.cases.wording import MessageKind
from hall.models import Applicant, Appointment, AppointmentSlot, QueueTicket
from hall.outbox.queue import sms_queue
from hall.queue.appointment_selectors import (
    CHECK_IN_EARLY,
    CHECK_IN_LATE,
    CODE_ALPHABET,
    CODE_LENGTH,
    NO_SHOW_AFTER,
    NO_SHOW_LIMIT,
    NO_SHOW_WINDOW_DAYS,
    booking_barred_until,
    booking_days,
    category_capacity,
    slot_times,
)
from hall.queue.services import ticket_issue

Status = Appointment.Status


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def appointment_book(
    *,
    applicant: Applicant,
    item: ServiceItem,
    starts_at: datetime.datetime,
    same_day: bool = False,
    proxy_user: User | None = None,
    proxy_code: str = "",
) -> Appointment:
    """Book the slot starting at `starts_at` for `item`. The same booking again (a double tap)
    returns the first; another slot the same day for the same item is refused. Bookings are
    from tomorrow; `same_day` also allows a slot later today (the demo's, so that check-in can
    be tried at once). With `proxy_code` a relative or friend books for the principal of that
    authorisation (亲友代办): it must cover `item` (checked under its row lock, so a revocation
    stops it), the booking records it, and the principal is told who booked."""
    barred = booking_barred_until(applicant=applicant)
    if barred is not None:
        raise ValidationError(
            _("您近 %(days)s 天内有 %(n)s 次预约未到，%(date)s 前暂不能预约，可现场取号办理。")
            % {"days": NO_SHOW_WINDOW_DAYS, "n": NO_SHOW_LIMIT, "date": f"{barred:%Y-%m-%d}"},
            code="barred",
        )
    starts_at = starts_at.astimezone(SHANGHAI)
    day = starts_at.date()
    today = timezone.localdate()
    bookable = day in booking_days() or (
        same_day and day == today and starts_at >= timezone.now() - CHECK_IN_LATE
    )
    times = dict(slot_times(day)) if bookable else {}
    if starts_at not in times:
        raise ValidationError({"slot": [_("请选择可预约的时段。")]})
    existing = Appointment.objects.filter(
        applicant=applicant, item=item, day=day, status=Status.BOOKED
    ).first()
    if existing is not None:
        if existing.slot.starts_at == starts_at:
            return existing
        raise _booked_already(existing)
    capacity = category_capacity(category=item.queue_category)
    try:
        with transaction.atomic():
            authorisation = (
                proxy_authorisation_checked(
                    user=proxy_user, code=proxy_code, item_code=item.code, lock=True
                )
                if proxy_code
                else None
            )
            if authorisation is not None and authorisation.principal_id != applicant.pk:
                raise ValidationError(_("这项代办授权不是为该申请人的。"), code="proxy_other")
            slot, _created = AppointmentSlot.objects.get_or_create(
                category=item.queue_category,
                starts_at=starts_at,
                defaults={"ends_at": times[starts_at], "capacity": capacity},
            )
            slot = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
            if slot.booked >= slot.capacity:
                raise ValidationError({"slot": [_("该时段已约满，请选择其他时段。")]}, code="full")
            AppointmentSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
            appointment = Appointment.objects.create(
                code=_code_new(),
                applicant=applicant,
                item=item,
                slot=slot,
                day=day,
                booked_under=authorisation,
            )
            sms_queue(
                key=f"appointment:{appointment.pk}:booked",
                phone=applicant.phone,
                kind=MessageKind.APPOINTMENT,
                subject=wording.APPOINTMENT.subject,
                body=wording.APPOINTMENT.body % _message_fields(appointment, slot),
                language=applicant.language,
            )
            if authorisation is not None:
                sms_queue(
                    key=f"appointment:{appointment.pk}:proxy",
                    phone=applicant.phone,
                    kind=MessageKind.PROXY_ACTED,
                    subject=wording.PROXY_BOOKED.subject,
                    body=wording.PROXY_BOOKED.body
                    % {
                        "proxy": authorisation.proxy.name,
                        "item": item.name,
                        "when": f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}",
                    },
                    language=applicant.language,
                )
    except IntegrityError:
        # A booking committed by a concurrent request (the one-a-day constraint): the same slot
        # is the same booking (a double tap); another slot is the duplicate the check above
        # refuses, with the same words (two tabs booking two slots at once were a 500).
        existing = (
            Appointment.objects.select_related("slot")
            .filter(applicant=applicant, item=item, day=day, status=Status.BOOKED)
            .first()
        )
        if existing is None:
            raise  # not the one-a-day constraint: a fault, not an input
        if existing.slot.starts_at == starts_at:
            return existing
        raise _booked_already(existing) from None
    return appointment


def _booked_already(existing: Appointment) -> ValidationError:
    return ValidationError(
        _("您已预约 %(date)s %(time)s 办理该事项；如需改期，请先取消原预约。")
        % {
            "date": f"{existing.day:%Y-%m-%d}",
            "time": f"{timezone.localtime(existing.slot.starts_at):%H:%M}",
        },
        code="duplicate",
    )


def _message_fields(appointment: Appointment, slot: AppointmentSlot) -> dict[str, str]:
    return {
        "date": f"{appointment.day:%Y-%m-%d}",
        "time": f"{timezone.localtime(slot.starts_at):%H:%M}",
        "hall": settings.HALL_NAME,
        "item": appointment.item.name,
        "code": appointment.code,
        "early": str(int(CHECK_IN_EARLY.total_seconds() // 60)),
    }


def appointment_cancel(*, appointment: Appointment, applicant: Applicant) -> Appointment:
    """Cancel a booking before its slot starts; its place is freed. Cancelling again is a no-op."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .select_related("slot")
            .get(pk=appointment.pk, applicant=applicant)
        )
        if locked.status == Status.CANCELLED:
            return locked
        if locked.status != Status.BOOKED or locked.slot.starts_at <= timezone.now():
            raise ValidationError(_("该预约已开始或已结束，不能取消。"), code="state")
        locked.status = Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        AppointmentSlot.objects.filter(pk=locked.slot_id).update(booked=F("booked") - 1)
    return locked


@dataclass(frozen=True)
class CheckIn:
    appointment: Appointment
    ticket: QueueTicket
    late: bool


def appointment_check_in(*, appointment: Appointment) -> CheckIn:
    """签到: issue the appointment's ticket. Checking in again shows the same ticket."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "item", "ticket")
            .get(pk=appointment.pk)
        )
        if locked.ticket is not None:
            return CheckIn(
                appointment=locked, ticket=locked.ticket, late=locked.status == Status.LATE
            )
        if locked.day != timezone.localdate() or locked.status not in (
            Status.BOOKED,
            Status.NO_SHOW,
        ):
            raise ValidationError(_("该预约不是今天的有效预约。"), code="state")
        starts_at = locked.slot.starts_at
        if now < starts_at - CHECK_IN_EARLY:
            raise ValidationError(
                _("您预约的是 %(time)s，请于 %(from)s 后再签到。")
                % {
                    "time": f"{timezone.localtime(starts_at):%H:%M}",
                    "from": f"{timezone.localtime(starts_at - CHECK_IN_EARLY):%H:%M}",
                },
                code="early",
            )
        late = now > starts_at + CHECK_IN_LATE
        ticket = ticket_issue(
            category=locked.item.queue_category,
            applicant=locked.applicant,
            by_appointment=not late,
        )
        if locked.status == Status.BOOKED:
            # A no-show who still comes the same day stays counted; only a booked one moves.
            locked.status = Status.LATE if late else Status.CHECKED_IN
        locked.ticket = ticket
        locked.checked_in_at = now
        locked.save(update_fields=["status", "ticket", "checked_in_at"])
    return CheckIn(appointment=locked, ticket=ticket, late=late)


def appointments_mark_no_shows(*, now: datetime.datetime | None = None) -> int:
    """The sweep: bookings nobody checked in for by `NO_SHOW_AFTER` past their slot's end."""
    now = now or timezone.now()
    return Appointment.objects.filter(
        status=Status.BOOKED,
        day__lte=timezone.localdate(now),
        slot__ends_at__lt=now - NO_SHOW_AFTER,
    ).update(status=Status.NO_SHOW)


def appointments_remind(*, now: datetime.datetime | None = None) -> int:
    """The sweep: an SMS the day before to each booking for tomorrow not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    sent = 0
    due = Appointment.objects.filter(
        day=tomorrow, status=Status.BOOKED, reminded_at__isnull=True
    ).select_related("slot", "item", "applicant")
    for appointment in due.iterator(chunk_size=500):
        with transaction.atomic():
            if not Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another sweep took it
            sms_queue(
                key=f"appointment:{appointment.pk}:reminder",
                phone=appointment.applicant.phone,
                kind=MessageKind.APPOINTMENT,
                subject=wording.APPOINTMENT_AGAIN.subject,
                body=wording.APPOINTMENT_AGAIN.body
                % _message_fields(appointment, appointment.slot),
            )
            sent += 1
    return sent
