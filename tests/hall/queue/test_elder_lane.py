"""长者优先 (国办发〔2020〕45号): at the kiosk someone aged 70 or over takes a priority ticket by
their ID number (checked, not kept); the queue calls them first only when the hall turns the
lane on (HALL_QUEUE_ELDER_PRIORITY, off by default)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hall.common.validators import id_number_check_char
from hall.models import QueueTicket
from hall.queue import services
from tests.dates import shanghai
from tests.hall.queue.test_queue import seat

ELDER_ID = "11010519440315003X"  # born 1944-03-15
YOUNG_ID = "110105199001010010"  # born 1990-01-01


def born(day: str) -> str:
    body = f"110105{day}002"
    return body + id_number_check_char(body)


@pytest.fixture
def morning(time_machine):
    time_machine.move_to(shanghai(2026, 3, 11, 9))


@pytest.mark.parametrize(
    ("id_number", "elder"),
    [("", False), (ELDER_ID, True), (born("19560311"), True)],  # 70 on the very day
)
def test_an_elder_is_known_by_the_id_number(morning, id_number, elder):
    assert services.elder_checked(id_number=id_number, today=shanghai(2026, 3, 11).date()) is elder


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        ("110105194403150031", "elder_id"),
        (YOUNG_ID, "elder_age"),
        (born("19560312"), "elder_age"),  # 70 tomorrow
    ],
)
def test_a_wrong_or_younger_id_number_is_told(morning, id_number, code):
    with pytest.raises(ValidationError) as refused:
        services.elder_checked(id_number=id_number, today=shanghai(2026, 3, 11).date())
    assert refused.value.code == code


@pytest.mark.parametrize("lane", [True, False])
def test_the_queue_calls_elders_first_only_when_the_lane_is_on(db, morning, settings, lane):
    settings.HALL_QUEUE_ELDER_PRIORITY = lane
    clerk = seat("01", ["general"])
    first = services.ticket_issue(category="general")
    elder = services.ticket_issue(category="general", elder=True)
    called = services.ticket_call_next(clerk=clerk)
    assert called == (elder if lane else first)


def test_the_kiosk_takes_an_elder_ticket_and_keeps_no_id_number(db, morning, settings):
    settings.HALL_QUEUE_ELDER_PRIORITY = True
    kiosk = Client()
    page = kiosk.get(reverse("kiosk:ticket_take")).content.decode()
    assert "70 周岁以上老人优先叫号" in page
    token = "t" * 32
    refused = kiosk.post(
        reverse("kiosk:ticket_take"), {"category": "general", "token": token, "elder_id": YOUNG_ID}
    )
    assert refused.status_code == 400 and not QueueTicket.objects.exists()
    taken = kiosk.post(
        reverse("kiosk:ticket_take"),
        {"category": "general", "token": "u" * 32, "elder_id": ELDER_ID},
        follow=True,
    )
    assert "长者优先" in taken.content.decode()
    ticket = QueueTicket.objects.get()
    assert ticket.elder and ticket.applicant_id is None


def test_without_the_lane_the_kiosk_does_not_ask(db, morning, settings):
    settings.HALL_QUEUE_ELDER_PRIORITY = False
    assert "elder_id" not in Client().get(reverse("kiosk:ticket_take")).content.decode()
