"""SMS verification codes: hash-only storage, expiry, throttles, attempts, single use, races."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hall.accounts import sms_codes
from hall.accounts.sms_codes import sms_code_send, sms_code_verify
from hall.common.personal_data import data_digest
from hall.models import SmsCode
from tests.concurrency import run_at_once

PHONE = "13800138000"


def sms_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def last_code(path: Path, phone: str = PHONE) -> str:
    """The code in the newest SMS the file backend wrote for `phone`."""
    for line in reversed(sms_lines(path)):
        if line["phone"] == phone:
            return re.search(r"验证码为 (\d{6})", line["text"]).group(1)
    raise AssertionError(f"no SMS to {phone}")


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def age(row: SmsCode, seconds: int) -> None:
    """Move a code's clock back, as if it had been sent `seconds` ago."""
    delta = datetime.timedelta(seconds=seconds)
    SmsCode.objects.filter(pk=row.pk).update(
        created_at=row.created_at - delta, expires_at=row.expires_at - delta
    )


def test_send_stores_only_a_keyed_hash_and_texts_the_code(db, sms_file):
    # When a registration code is sent
    sms_code_send(phone="+86 138-0013-8000", purpose=SmsCode.Purpose.REGISTER)

    # Then the phone got a 6-digit code by SMS, deduped by the code's row
    row = SmsCode.objects.get()
    (line,) = sms_lines(sms_file)
    code = last_code(sms_file)
    assert line["phone"] == PHONE and line["id"] == f"sms-code:{row.pk}"
    assert "注册" in line["text"] and "5 分钟内有效" in line["text"]
    # and the database holds neither the code nor an unkeyed hash of it
    assert code not in row.code_hash
    # the row keeps the phone's keyed digest, never the number
    assert row.phone_digest == data_digest(PHONE, purpose="phone") and PHONE not in str(row)
    assert row.attempts == 0 and row.used_at is None
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=5)
    assert hashlib.sha256(code.encode()).hexdigest() not in row.code_hash


def test_right_code_works_once(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    code = last_code(sms_file)
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code) is True
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code) is False
    assert SmsCode.objects.get().used_at is not None


def test_code_is_bound_to_its_purpose_and_phone(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOOKUP)
    code = last_code(sms_file)
    assert not sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code)
    assert not sms_code_verify(phone="13900139000", purpose=SmsCode.Purpose.LOOKUP, code=code)
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOOKUP, code=code)


def test_full_width_digits_are_accepted(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    code = last_code(sms_file)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=f" {full_width} ")


def test_five_wrong_attempts_burn_the_code(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    code = last_code(sms_file)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(sms_codes.MAX_ATTEMPTS):
        assert not sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=wrong)
    assert SmsCode.objects.get().attempts == sms_codes.MAX_ATTEMPTS
    # the right code no longer works either
    assert not sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code)
    assert SmsCode.objects.get().attempts == sms_codes.MAX_ATTEMPTS


def test_expired_code_is_refused(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    code = last_code(sms_file)
    age(SmsCode.objects.get(), 5 * 60 + 1)
    assert not sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code)


def test_resend_waits_60_seconds_and_replaces_the_old_code(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.REGISTER)
    first = last_code(sms_file)
    with pytest.raises(ValidationError) as raised:
        sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.REGISTER)
    assert raised.value.code == "sms_too_soon"
    assert "秒后再重新获取" in raised.value.messages[0]
    # another purpose is not held back
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)

    age(SmsCode.objects.get(purpose=SmsCode.Purpose.REGISTER), 61)
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.REGISTER)
    second = last_code(sms_file)
    # only the newest code counts
    if first != second:
        assert not sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.REGISTER, code=first)
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.REGISTER, code=second)


def test_daily_cap_per_phone(db, sms_file):
    now = timezone.now()
    SmsCode.objects.bulk_create(
        SmsCode(
            phone_digest=data_digest(PHONE, purpose="phone"),
            purpose=SmsCode.Purpose.LOGIN,
            code_hash="x$y",
            created_at=now - datetime.timedelta(microseconds=i),  # today, even just past midnight
            expires_at=now,
        )
        for i in range(sms_codes.DAILY_CAP)
    )
    with pytest.raises(ValidationError) as raised:
        sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.REGISTER)
    assert raised.value.code == "sms_daily_cap"
    assert "明天再试" in raised.value.messages[0]
    # another phone is not affected
    sms_code_send(phone="13900139000", purpose=SmsCode.Purpose.REGISTER)


def test_invalid_phone_is_refused_at_the_field(db, sms_file):
    with pytest.raises(ValidationError) as raised:
        sms_code_send(phone="12345", purpose=SmsCode.Purpose.REGISTER)
    assert "phone" in raised.value.message_dict
    assert not SmsCode.objects.exists()


def test_a_failed_send_expires_the_code(db, settings):
    settings.HALL_SMS_BACKEND = "tests.hall.accounts.test_sms_codes.BrokenBackend"
    with pytest.raises(ValidationError) as raised:
        sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    assert raised.value.code == "sms_send_failed"
    row = SmsCode.objects.get()
    assert row.expires_at <= timezone.now()


class BrokenBackend:
    def send(self, *, phone, text, message_id, secret=""):
        raise RuntimeError("gateway down")


def test_comparison_is_constant_time(db, sms_file, monkeypatch):
    calls = []
    real = sms_codes.constant_time_compare

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(sms_codes, "constant_time_compare", spy)
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code="000000")
    sms_code_verify(phone="13900139000", purpose=SmsCode.Purpose.LOGIN, code="000000")
    assert len(calls) == 2  # with and without a code to compare against


@pytest.mark.postgres
def test_two_verifications_at_once_succeed_once(transactional_db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN)
    code = last_code(sms_file)

    def verify():
        return sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code)

    results = run_at_once(verify, verify, verify)
    assert sorted(results) == [False, False, True]
    assert SmsCode.objects.get().attempts == 1


@pytest.mark.postgres
def test_two_sends_at_once_make_one_code(transactional_db, sms_file):
    def send():
        try:
            sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.REGISTER)
        except ValidationError as error:
            return error.code
        return "sent"

    results = run_at_once(send, send)
    assert sorted(results) == ["sent", "sms_too_soon"]
    assert SmsCode.objects.count() == 1
    assert len(sms_lines(sms_file)) == 1


# --- Nobody can lock the owner out (issue 28) -------------------------------------------------


def test_wrong_codes_from_another_session_never_reach_the_owners_code(db, sms_file):
    """The attack: five wrong codes on a victim's phone used to burn the victim's sign-in code.
    A code works only in the session that asked for it, and others' guesses do not touch it."""
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, requester="owner", source="1.1.1.1")
    code = last_code(sms_file)
    for guess in range(20):
        assert not sms_code_verify(
            phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=f"{guess:06d}", requester="attacker"
        )
    # even the right code is useless in another browser
    assert not sms_code_verify(
        phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code, requester="attacker"
    )
    assert SmsCode.objects.get().attempts == 0
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code, requester="owner")


def test_a_strangers_sends_neither_spend_the_owners_day_nor_cancel_the_owners_code(db, sms_file):
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, requester="owner", source="1.1.1.1")
    code = last_code(sms_file)
    sent = 0
    for n in range(sms_codes.DAILY_CAP + 1):  # "register" codes to the victim, one session each
        try:
            sms_code_send(
                phone=PHONE,
                purpose=SmsCode.Purpose.REGISTER,
                requester=f"attacker-{n}",
                source="6.6.6.6",
            )
            sent += 1
        except ValidationError as refused:
            assert refused.code == "sms_daily_cap"
    assert sent == sms_codes.DAILY_CAP  # the stranger's address spent its own day
    # the owner's code still works, and the owner's address still gets codes today
    assert sms_code_verify(phone=PHONE, purpose=SmsCode.Purpose.LOGIN, code=code, requester="owner")
    sms_code_send(phone=PHONE, purpose=SmsCode.Purpose.LOOKUP, requester="owner", source="1.1.1.1")
