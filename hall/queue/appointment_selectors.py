"""Appointment reads: the bookable days and slots with the places left, whether an applicant
may book, today's bookings for a kiosk check-in, an applicant's bookings; and the rules' numbers
the services apply (hall.queue.appointments)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import SHANGHAI
from approvals.models import ServiceItem
from hall.common.validators import is_valid_id_number, normalize_id_number
from hall.models import Applicant, Appointment, AppointmentSlot, Window

Status = Appointment.Status

CHECK_IN_EARLY = datetime.timedelta(minutes=30)
CHECK_IN_LATE = datetime.timedelta(minutes=15)
NO_SHOW_AFTER = datetime.timedelta(minutes=30)
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW_DAYS = 90
NO_SHOW_BAN_DAYS = 30
# No ambiguous characters (0/O, 1/I/L) on a slip read aloud or typed on a kiosk; 32^8 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def opening_hours() -> list[tuple[datetime.time, datetime.time]]:
    """`HALL_OPENING_HOURS` ("09:00-12:00,13:30-17:00") as (start, end) pairs."""
    periods = []
    for part in settings.HALL_OPENING_HOURS.split(","):
        start, end = (datetime.time.fromisoformat(p.strip()) for p in part.split("-"))
        periods.append((start, end))
    return periods


@dataclass(frozen=True)
class SlotView:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    booked: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)


def booking_days(*, today: datetime.date | None = None) -> list[datetime.date]:
    """The working days one can book: from tomorrow, `HALL_APPOINTMENT_DAYS_AHEAD` of them."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    days, day = [], today
    while len(days) < settings.HALL_APPOINTMENT_DAYS_AHEAD:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return days


def category_capacity(*, category: str) -> int:
    windows = sum(
        1
        for categories in Window.objects.filter(is_online=False).values_list(
            "categories", flat=True
        )
        if category in (categories or [])
    )
    return windows * settings.HALL_APPOINTMENTS_PER_WINDOW


def slot_times(day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    step = datetime.timedelta(minutes=settings.HALL_APPOINTMENT_SLOT_MINUTES)
    times = []
    for start, end in opening_hours():
        moment = datetime.datetime.combine(day, start, tzinfo=SHANGHAI)
        close = datetime.datetime.combine(day, end, tzinfo=SHANGHAI)
        while moment + step <= close:
            times.append((moment, moment + step))
            moment += step
    return times


def slots_for(*, item: ServiceItem, day: datetime.date) -> list[SlotView]:
    """The day's slots for the item's queue category with the places left; none on a day one
    cannot book."""
    if day not in booking_days():
        return []
    capacity = category_capacity(category=item.queue_category)
    booked = dict(
        AppointmentSlot.objects.filter(
            category=item.queue_category,
            starts_at__gte=datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI),
            starts_at__lt=datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
            ),
        ).values_list("starts_at", "booked")
    )
    return [
        SlotView(starts_at=start, ends_at=end, capacity=capacity, booked=booked.get(start, 0))
        for start, end in slot_times(day)
    ]


def booking_barred_until(*, applicant: Applicant) -> datetime.date | None:
    """The day booking opens again for an applicant with too many no-shows, else None."""
    since = timezone.localdate() - datetime.timedelta(days=NO_SHOW_WINDOW_DAYS)
    days = list(
        Appointment.objects.filter(
            applicant=applicant, status=Status.NO_SHOW, day__gte=since
        ).values_list("day", flat=True)
    )
    if len(days) < NO_SHOW_LIMIT:
        return None
    until = max(days) + datetime.timedelta(days=NO_SHOW_BAN_DAYS)
    return until if until > timezone.localdate() else None


def appointments_for_check_in(*, code_or_id: str) -> list[Appointment]:
    """Today's checkable bookings for a booking code or an ID number (the person's own)."""
    value = (code_or_id or "").strip().upper().replace(" ", "")
    if not value:
        return []
    today = Appointment.objects.filter(
        day=timezone.localdate(), status__in=[Status.BOOKED, Status.NO_SHOW]
    ).select_related("slot", "item", "applicant")
    if len(value) == CODE_LENGTH and set(value) <= set(CODE_ALPHABET):
        return list(today.filter(code=value))
    id_number = normalize_id_number(value)
    if not is_valid_id_number(id_number):
        return []
    return list(
        today.filter(
            applicant__id_number_digest=Applicant.id_number_lookup(id_number)["id_number_digest"]
        ).order_by("slot__starts_at")
    )


def appointments_of(*, applicant: Applicant) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(applicant=applicant)
        .select_related("slot", "item", "ticket")
        .order_by("-day", "-slot__starts_at")
    )
