"""A 免申即享 world: the civil-affairs department with its officer, the 高龄津贴 benefit over its
item, and three people (82, 66 and an enterprise), on a pinned Monday."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from approvals.models import Benefit
from hall.common.validators import id_number_check_char, uscc_check_char
from hall.models import Applicant, Notification
from hall.outbox.delivery import notification_deliver
from tests.dates import shanghai
from tests.factories import DepartmentFactory, OfficerFactory, ServiceItemFactory


def id_number(born: str, sequence: str) -> str:
    body = f"440304{born}{sequence}"
    return body + id_number_check_char(body)


@pytest.fixture(autouse=True)
def pinned(time_machine):
    time_machine.move_to(shanghai(2026, 10, 12))


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def delivered_link(sms_file: Path, offer) -> str:
    """Send the offer's SMS through the real outbox and read the link from what went out.

    In a test on committed rows the offer's delivery is also published, on commit; once an earlier
    test has started the session's live worker (same process, same settings), that worker may
    deliver it first. Either way it goes out once, through the same outbox, to the same file."""
    notification = Notification.objects.get(dedupe_key=f"benefit-offer:{offer.pk}:sms")
    if not notification_deliver(notification_id=notification.pk):
        deadline = time.monotonic() + 30
        while not Notification.objects.filter(pk=notification.pk, status="sent").exists():
            assert time.monotonic() < deadline, "nobody delivered the offer's SMS"
            time.sleep(0.1)
    (line,) = [json.loads(x) for x in sms_file.read_text(encoding="utf-8").splitlines()][-1:]
    return re.search(r"(/benefits/[\w-]+/)", line["text"]).group(1)


@pytest.fixture
def civil_affairs(db):
    return DepartmentFactory(code="FT-MZ", name="深圳市福田区民政局")


@pytest.fixture
def officer(make_user, civil_affairs):
    user = make_user("officer-mz", "officer", last_name="高", first_name="秀英")
    OfficerFactory(user=user, department=civil_affairs)
    return user


@pytest.fixture
def benefit(civil_affairs):
    item = ServiceItemFactory(
        code="44030400-GG-0030",
        name="高龄老人津贴发放",
        applicant_type="person",
        lead_department=civil_affairs,
        online_filing=False,
        promised_days=5,
        statutory_days=20,
    )
    return Benefit.objects.create(
        code="gaoling-jintie",
        name="高龄老人津贴",
        item_code=item.code,
        rules=[
            {"type": "applicant_type", "equals": "person"},
            {"type": "age_at_least", "years": 80},
        ],
        legal_basis="《中华人民共和国老年人权益保障法》第三十三条",
        what_you_get="按月发放高龄津贴",
    )


@pytest.fixture
def people(db, make_user):
    elder_user = make_user("elder", "applicant", last_name="王", first_name="秀兰")
    elder = Applicant.objects.create(
        kind="person",
        name="王秀兰",
        id_number=id_number("19440315", "021"),
        phone="13900139001",
        user=elder_user,
    )
    younger = Applicant.objects.create(
        kind="person", name="陈立", id_number=id_number("19600101", "033"), phone="13900139002"
    )
    turning = Applicant.objects.create(  # 80 tomorrow
        kind="person", name="赵德", id_number=id_number("19461013", "045"), phone="13900139003"
    )
    body = "91440300MA5FT0009"
    company = Applicant.objects.create(
        kind="enterprise",
        name="福田示范公司",
        uscc=body + uscc_check_char(body),
        phone="13900139004",
    )
    return {"elder": elder, "younger": younger, "turning": turning, "company": company}
