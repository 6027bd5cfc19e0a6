"""Appointments: slots of the opening hours on working days, capacity per window group, booking,
cancelling, kiosk check-in into a ticket called ahead of walk-ins (within the burst limit),
late arrivals, no-shows and the booking bar, reminders, and the statistics apart."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import SHANGHAI
from hall.common.validators import id_number_check_char
from hall.models import Appointment, AppointmentSlot, Notification, QueueTicket
from hall.queue import appointment_selectors, appointments, selectors, services
from tests.concurrency import run_at_once
from tests.factories import (
    ClerkFactory,
    PersonFactory,
    ServiceItemFactory,
    UserFactory,
    WindowFactory,
)

Status = Appointment.Status


@pytest.fixture
def clerk(db):
    window = WindowFactory(number="01", categories=["general"])
    return ClerkFactory(user=UserFactory(username="clerk-01"), window=window).user


@pytest.fixture
def item(db):
    return ServiceItemFactory(name="个体工商户登记", queue_category="general")


def _day() -> datetime.date:
    return appointment_selectors.booking_days()[0]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _person(n: int):
    body = f"11010519800101{n:03d}"
    return PersonFactory(
        id_number=body + id_number_check_char(body), name=f"申请人{n}", phone=f"1380013{n:04d}"
    )


def test_slots_are_the_opening_hours_on_working_days_with_capacity_per_window(clerk, item):
    days = appointment_selectors.booking_days()
    calendar = working_calendar()
    assert len(days) == 5 and all(calendar.is_working_day(d) for d in days)
    assert all(d > timezone.localdate() for d in days)
    slots = appointment_selectors.slots_for(item=item, day=days[0])
    # 09:00-12:00 and 13:30-17:00 in 30 minutes: 6 + 7 slots; one window × 2 each
    assert [s.starts_at.strftime("%H:%M") for s in slots][:2] == ["09:00", "09:30"]
    assert len(slots) == 13 and {s.capacity for s in slots} == {2}
    assert "13:30" in [s.starts_at.strftime("%H:%M") for s in slots]
    WindowFactory(number="02", categories=["general", "business"])
    assert appointment_selectors.slots_for(item=item, day=days[0])[0].capacity == 4
    # not a booking day: no slots
    assert (
        appointment_selectors.slots_for(item=item, day=days[-1] + datetime.timedelta(days=30)) == []
    )


def test_booking_gives_a_random_code_and_an_sms_and_a_second_tap_returns_it(clerk, item):
    person = PersonFactory()
    start = _at(_day(), 9)
    booked = appointments.appointment_book(applicant=person, item=item, starts_at=start)
    again = appointments.appointment_book(applicant=person, item=item, starts_at=start)
    assert again.pk == booked.pk and len(booked.code) == 8
    assert set(booked.code) <= set(appointment_selectors.CODE_ALPHABET)
    assert AppointmentSlot.objects.get().booked == 1
    sms = Notification.objects.get(kind="appointment")
    assert booked.code in sms.body and "09:00" in sms.body and sms.recipient_address == person.phone
    # the booking already held is named in the hall's time (09:00), never the stored UTC
    with pytest.raises(ValidationError, match=f"您已预约 {_day():%Y-%m-%d} 09:00 办理"):
        appointments.appointment_book(applicant=person, item=item, starts_at=_at(_day(), 10))
    with pytest.raises(ValidationError) as bad:
        appointments.appointment_book(applicant=person, item=item, starts_at=_at(_day(), 9, 10))
    assert "slot" in bad.value.message_dict


def test_a_booking_beyond_capacity_is_refused(clerk, item):
    start = _at(_day(), 14)
    for n in (1, 2):
        appointments.appointment_book(applicant=_person(n), item=item, starts_at=start)
    with pytest.raises(ValidationError, match="已约满"):
        appointments.appointment_book(applicant=_person(3), item=item, starts_at=start)
    assert Appointment.objects.count() == 2 and AppointmentSlot.objects.get().booked == 2


@pytest.mark.postgres
def test_two_last_bookings_at_once_take_one_place(transactional_db, on_postgres):
    WindowFactory(number="01", categories=["general"])
    item = ServiceItemFactory(queue_category="general")
    start = _at(_day(), 15)
    appointments.appointment_book(applicant=_person(1), item=item, starts_at=start)
    people = [_person(2), _person(3)]
    results = run_at_once(
        *[
            lambda p=p: appointments.appointment_book(applicant=p, item=item, starts_at=start)
            for p in people
        ]
    )
    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert AppointmentSlot.objects.get().booked == 2 == Appointment.objects.count()


@pytest.mark.postgres
def test_one_person_booking_several_slots_at_once_gets_one_and_plain_refusals(
    transactional_db, on_postgres
):
    """Two tabs booking two slots of one day at once: the loser's unique-constraint error was a
    500; it is the same refusal as a booking made one after the other."""
    WindowFactory(number="01", categories=["general"])
    item = ServiceItemFactory(queue_category="general")
    person = _person(1)
    starts = [_at(_day(), 9, 0), _at(_day(), 9, 30), _at(_day(), 10), _at(_day(), 10, 30)]
    results = run_at_once(
        *[
            lambda at=at: appointments.appointment_book(applicant=person, item=item, starts_at=at)
            for at in starts * 2
        ]
    )
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(booked) + len(refused) == len(results)  # nothing else was raised
    (appointment,) = Appointment.objects.all()
    assert {r.pk for r in booked} == {appointment.pk}  # a second tap on it returns it
    assert all(error.code == "duplicate" for error in refused)
    assert sum(slot.booked for slot in AppointmentSlot.objects.all()) == 1


def test_cancelling_frees_the_place_and_is_idempotent(clerk, item):
    person = PersonFactory()
    booked = appointments.appointment_book(applicant=person, item=item, starts_at=_at(_day(), 9))
    appointments.appointment_cancel(appointment=booked, applicant=person)
    appointments.appointment_cancel(appointment=booked, applicant=person)
    assert AppointmentSlot.objects.get().booked == 0
    assert Appointment.objects.get().status == Status.CANCELLED
    other = _person(7)
    with pytest.raises(Appointment.DoesNotExist):
        appointments.appointment_cancel(appointment=booked, applicant=other)


def _on(moment: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_check_in_on_time_gives_a_booked_ticket_called_ahead_of_walk_ins(clerk, item):
    day = _day()
    people = [_person(n) for n in (1, 2, 3)]
    booked = [
        appointments.appointment_book(applicant=p, item=item, starts_at=_at(day, 10))
        for p in people[:2]
    ] + [appointments.appointment_book(applicant=people[2], item=item, starts_at=_at(day, 10, 30))]
    with _on(_at(day, 10, 5)):
        walk_ins = [services.ticket_issue(category="general") for _ in range(2)]
        checked = [appointments.appointment_check_in(appointment=a) for a in booked]
        again = appointments.appointment_check_in(appointment=booked[0])
        assert again.ticket.pk == checked[0].ticket.pk
        assert [c.ticket.number for c in checked] == ["YA001", "YA002", "YA003"]
        assert all(c.ticket.by_appointment and not c.late for c in checked)
        assert Appointment.objects.filter(status=Status.CHECKED_IN).count() == 3
    called = []
    for minute in range(5):
        with _on(_at(day, 10, 10 + minute)):
            ticket = services.ticket_call_next(clerk=clerk)
            called.append(ticket.number)
            services.ticket_finish(ticket=ticket, clerk=clerk)
    # two booked, then a walk-in (the burst limit), then the third booked, then the last walk-in
    assert called == ["YA001", "YA002", walk_ins[0].number, "YA003", walk_ins[1].number]
    assert selectors.ticket_number_normalize("ya1") == "YA001"


def test_check_in_too_early_is_refused_and_late_becomes_a_walk_in(clerk, item):
    day = _day()
    early, late = _person(1), _person(2)
    first = appointments.appointment_book(applicant=early, item=item, starts_at=_at(day, 11))
    second = appointments.appointment_book(applicant=late, item=item, starts_at=_at(day, 9))
    with _on(_at(day, 10, 20)):
        with pytest.raises(ValidationError, match="10:30"):
            appointments.appointment_check_in(appointment=first)
        done = appointments.appointment_check_in(appointment=second)
    assert done.late and not done.ticket.by_appointment and done.ticket.number == "A001"
    assert Appointment.objects.get(pk=second.pk).status == Status.LATE


def test_no_shows_are_marked_and_repeated_ones_bar_booking(clerk, item):
    person = PersonFactory()
    days = appointment_selectors.booking_days()
    for day in days[:3]:
        appointments.appointment_book(applicant=person, item=item, starts_at=_at(day, 9))
    assert appointments.appointments_mark_no_shows(now=_at(days[2], 9, 40)) == 2
    assert appointments.appointments_mark_no_shows(now=_at(days[2], 10, 1)) == 1
    assert Appointment.objects.filter(status=Status.NO_SHOW).count() == 3
    with _on(_at(days[3], 8)):
        assert appointment_selectors.booking_barred_until(applicant=person) == days[
            2
        ] + datetime.timedelta(days=appointment_selectors.NO_SHOW_BAN_DAYS)
        with pytest.raises(ValidationError, match="暂不能预约"):
            appointments.appointment_book(applicant=person, item=item, starts_at=_at(days[4], 9))
    # another person is not barred
    appointments.appointment_book(applicant=_person(5), item=item, starts_at=_at(days[4], 9))


def test_the_reminder_goes_the_day_before_once(clerk, item):
    day = _day()
    booked = appointments.appointment_book(
        applicant=PersonFactory(), item=item, starts_at=_at(day, 9)
    )
    before = _at(day - datetime.timedelta(days=1), 18)
    assert appointments.appointments_remind(now=_at(day - datetime.timedelta(days=2), 18)) == 0
    assert appointments.appointments_remind(now=before) == 1
    assert appointments.appointments_remind(now=before) == 0
    reminder = Notification.objects.get(dedupe_key=f"appointment:{booked.pk}:reminder")
    assert "明天" in reminder.body and booked.code in reminder.body


def test_statistics_and_the_board_show_appointments_apart(client, clerk, item):
    day = _day()
    booked = appointments.appointment_book(
        applicant=PersonFactory(), item=item, starts_at=_at(day, 9)
    )
    with _on(_at(day, 9)):
        appointments.appointment_check_in(appointment=booked)
        services.ticket_issue(category="general")
        board = client.get(reverse("queue:board_feed")).json()
        stats = selectors.queue_statistics(start=day, end=day + datetime.timedelta(days=1))
    general = next(row for row in board["waiting"] if row["category"] == "general")
    assert (
        general["waiting"] == 2 and general["booked"] == 1 and "预约 1" in general["waiting_text"]
    )
    sources = {row["source"]: row["tickets"] for row in stats["by_source"]}
    assert sources == {"appointment": 1, "walk_in": 1}
    assert QueueTicket.objects.filter(by_appointment=True).count() == 1


def test_portal_booking_and_kiosk_check_in_pages(client, clerk, item, make_user):
    person = PersonFactory(user=make_user("13800138000", "applicant"))
    client.force_login(person.user)
    day = _day()
    page = client.get(reverse("portal:appointment_new"), {"item": item.pk, "day": day.isoformat()})
    assert page.status_code == 200 and "09:00" in page.content.decode()
    start = _at(day, 9).isoformat()
    answer = client.post(
        reverse("portal:appointment_new"), {"item": item.pk, "day": day.isoformat(), "slot": start}
    )
    assert answer.status_code == 302
    booked = Appointment.objects.get()
    assert booked.code in client.get(reverse("portal:appointments")).content.decode()
    bad = client.post(
        reverse("portal:appointment_new"), {"item": item.pk, "day": day.isoformat(), "slot": "x"}
    )
    assert bad.status_code == 400 and "请选择可预约的时段" in bad.content.decode()
    client.logout()
    kiosk = client.post(reverse("kiosk:check_in"), {"code": "ZZZZZZZZ"})
    assert kiosk.status_code == 400 and "没有找到今天的预约" in kiosk.content.decode()
    with _on(_at(day, 8, 45)):
        done = client.post(reverse("kiosk:check_in"), {"code": booked.code.lower()})
        assert done.status_code == 302
        slip = client.get(done.url).content.decode()
    assert "YA001" in slip and "预约优先" in slip


def test_a_booked_ticket_has_only_earlier_booked_ones_ahead(clerk, item):
    day = _day()
    booked = appointments.appointment_book(applicant=_person(1), item=item, starts_at=_at(day, 9))
    with _on(_at(day, 9)):
        walk_ins = [services.ticket_issue(category="general") for _ in range(3)]
        ticket = appointments.appointment_check_in(appointment=booked).ticket
        later = services.ticket_issue(category="general")
        assert selectors.ticket_position(ticket=ticket).ahead == 0
        # a walk-in has the earlier walk-ins and the waiting booked ticket ahead
        assert selectors.ticket_position(ticket=walk_ins[1]).ahead == 2
        assert selectors.ticket_position(ticket=later).ahead == 4
