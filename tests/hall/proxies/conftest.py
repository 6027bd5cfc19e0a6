"""People of the 亲友代办 tests: 张大山 (76, the principal, no account), his daughter 张小红 (an
online applicant), and a stranger; a pinned Monday so that periods and ages hold on any date."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from hall.common.validators import id_number_check_char
from hall.models import Applicant
from hall.proxies import services
from tests.dates import shanghai
from tests.factories import item_with_checklist


def id_number(born: str, sequence: str = "123") -> str:
    body = f"110105{born}{sequence}"
    return body + id_number_check_char(body)


FATHER_ID = id_number("19500302", "011")  # 76 on the pinned day
DAUGHTER_ID = id_number("19780815", "022")
FATHER_PHONE = "13900139000"
DAUGHTER_PHONE = "13700137000"


@pytest.fixture(autouse=True)
def pinned(time_machine):
    time_machine.move_to(shanghai(2026, 10, 12))  # a Monday


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def sms_to(path: Path, phone: str) -> list[str]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line["text"] for line in lines if line["phone"] == phone]


def consent_code(path: Path, phone: str = FATHER_PHONE) -> str:
    (text,) = sms_to(path, phone)[-1:]
    return re.search(r"验证码 (\d{6})", text).group(1)


@pytest.fixture
def father(db):
    return Applicant.objects.create(
        kind="person", name="张大山", id_number=FATHER_ID, phone=FATHER_PHONE
    )


@pytest.fixture
def daughter_user(make_user):
    user = make_user("daughter", "applicant", last_name="张小红")
    Applicant.objects.create(
        kind="person", name="张小红", id_number=DAUGHTER_ID, phone=DAUGHTER_PHONE, user=user
    )
    return user


@pytest.fixture
def stranger_user(make_user):
    user = make_user("stranger", "applicant", last_name="李四")
    Applicant.objects.create(
        kind="person",
        name="李四",
        id_number=id_number("19900101", "033"),
        phone="13600136000",
        user=user,
    )
    return user


@pytest.fixture
def item(db):
    return item_with_checklist(name="高龄津贴申领")


@pytest.fixture
def other_item(db):
    return item_with_checklist(name="居住证签注")


def authorise(daughter_user, father, sms_file, *, item_codes, requester="session-1", until=None):
    """The whole online asking: the daughter names her father, he reads her the code."""
    import datetime

    pending = services.proxy_request_start(
        proxy_user=daughter_user,
        principal_name=father.name,
        principal_id_number=father.id_number,
        relationship="child",
        item_codes=item_codes,
        valid_until=until or datetime.date(2027, 1, 10),
        requester=requester,
    )
    return services.proxy_request_confirm(
        proxy_user=daughter_user,
        pending=pending,
        code=consent_code(sms_file),
        requester=requester,
    )


def new_key() -> uuid.UUID:
    return uuid.uuid4()
