"""One-time SMS verification codes: registration, sign-in by code and the progress lookup.

Rules:
- a code is 6 random digits and works for 5 minutes, once, and only if it is the newest code
  sent to that phone for that purpose;
- only an HMAC of the code is stored (keyed with SECRET_KEY and a per-code nonce), so a database
  dump or backup does not reveal live codes and cannot be brute-forced without the key;
- a code works only in the browser session that asked for it (`requester`, a random token the
  session holds): a wrong guess from anywhere else never reaches it, so nobody can spend the
  owner's attempts or lock the owner out, and a code read over someone's shoulder is useless in
  another browser;
- a session gets at most one code per phone and purpose every 60 seconds; a phone gets at most
  `DAILY_CAP` codes a day from one client address (all purposes together), so a stranger sending
  "register" codes to a victim's phone spends the stranger's own day, not the victim's;
- a code may be tried at most 5 times; the comparison is constant-time.

Sending: the code goes straight to the SMS backend (`hall.platform.messaging.sms_backend()`) with
the dedupe id ``sms-code:<row id>``, not through the notification outbox. The outbox keeps the text
of every message in `Notification.body` for good, which would store the code in clear next to its
hash; and its retries (the drain waits 30 s, a broker outage longer) would deliver a 5-minute code
late or dead. A failed send expires the code at once and tells the applicant to try again.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hall.common import validators
from hall.common.advisory import advisory_xact_lock
from hall.common.personal_data import data_digest
from hall.models import SmsCode
from hall.platform.messaging import CODE_MESSAGE_PREFIX, sms_backend

logger = logging.getLogger(__name__)

CODE_TTL = datetime.timedelta(minutes=5)
RESEND_INTERVAL = datetime.timedelta(seconds=60)
DAILY_CAP = 10
MAX_ATTEMPTS = 5
_HMAC_SALT = "hall.sms_codes.code"
_CODE_SHAPE = re.compile(r"[0-9]{6}")


def _digest(*, phone: str, purpose: str, nonce: str, code: str) -> str:
    value = f"{phone}:{purpose}:{nonce}:{code}"
    return salted_hmac(_HMAC_SALT, value, algorithm="sha256").hexdigest()


def _phone_serialise(phone: str) -> None:
    """Serialise every send to one phone until the transaction ends, so that two requests at
    the same instant cannot both pass the 60-second and daily checks."""
    advisory_xact_lock(f"hall.sms:{phone}")


def _phone_clean(phone: str) -> str:
    try:
        validators.validate_mobile(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    return validators.normalize_mobile(phone)


def _requester_digest(requester: str) -> str:
    return (
        hashlib.sha256(f"hall.sms.requester:{requester}".encode()).hexdigest() if requester else ""
    )


def sms_code_send(
    *, phone: str, purpose: str, requester: str = "", source: str = "", text: str = ""
) -> None:
    """Send a new code for `purpose` to `phone`; earlier unused codes for it stop working.

    `text` replaces the standard wording: a %-template with ``%(code)s`` and ``%(minutes)s``
    (the consent a principal gives a proxy says who asks and for what).

    `requester` is the asking session's token (`hall.platform.attempts.session_requester`), and
    `source` its client address; both empty for the hall's own callers. Raises ValidationError
    (code ``sms_too_soon`` or ``sms_daily_cap``) when the phone must wait, ``sms_send_failed``
    when the SMS backend failed.
    """
    requester = _requester_digest(requester)
    source = hashlib.sha256(f"hall.sms.source:{source}".encode()).hexdigest() if source else ""
    if purpose not in SmsCode.Purpose.values:
        raise ValueError(f"unknown SMS code purpose {purpose!r}")
    phone = _phone_clean(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    nonce = secrets.token_hex(8)
    phone_digest = data_digest(phone, purpose="phone")
    with transaction.atomic():
        _phone_serialise(phone)
        now = timezone.now()
        latest = (
            SmsCode.objects.filter(phone_digest=phone_digest, purpose=purpose, requester=requester)
            .order_by("-created_at")
            .first()
        )
        if latest is not None and latest.created_at > now - RESEND_INTERVAL:
            wait = RESEND_INTERVAL - (now - latest.created_at)
            raise ValidationError(
                _("验证码已发送，请在 %(seconds)s 秒后再重新获取。")
                % {"seconds": max(1, int(wait.total_seconds()) + 1)},
                code="sms_too_soon",
            )
        local_midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        sent_today = SmsCode.objects.filter(
            phone_digest=phone_digest, source=source, created_at__gte=local_midnight
        ).count()
        if sent_today >= DAILY_CAP:
            raise ValidationError(
                _("该手机号今天获取验证码的次数已达上限（%(cap)s 次），请明天再试。")
                % {"cap": DAILY_CAP},
                code="sms_daily_cap",
            )
        SmsCode.objects.filter(
            phone_digest=phone_digest,
            purpose=purpose,
            requester=requester,
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(expires_at=now)
        row = SmsCode.objects.create(
            phone_digest=phone_digest,
            purpose=purpose,
            code_hash=f"{nonce}${_digest(phone=phone, purpose=purpose, nonce=nonce, code=code)}",
            created_at=now,
            expires_at=now + CODE_TTL,
            requester=requester,
            source=source,
        )
    text = (
        text
        or _(
            "【%(hall)s】您的%(purpose)s验证码为 %(code)s，%(minutes)s 分钟内有效。"
            "工作人员不会向您索取验证码，请勿告诉他人。"
        )
    ) % {
        "hall": settings.HALL_NAME,
        "purpose": SmsCode.Purpose(purpose).label,
        "code": code,
        "minutes": int(CODE_TTL.total_seconds() // 60),
    }
    try:
        sms_backend().send(
            phone=phone, text=text, message_id=f"{CODE_MESSAGE_PREFIX}{row.pk}", secret=code
        )
    except Exception as error:
        logger.exception("SMS code %s could not be sent", row.pk)
        # It still counts toward the daily cap, so a failing gateway cannot be used to loop.
        SmsCode.objects.filter(pk=row.pk).update(expires_at=timezone.now())
        raise ValidationError(_("短信发送失败，请稍后重试。"), code="sms_send_failed") from error


def sms_code_verify(*, phone: str, purpose: str, code: str, requester: str = "") -> bool:
    """True once for the right code: the newest unexpired, unused code for this phone and
    purpose that `requester` (the session's token) asked for, with fewer than 5 attempts so far.
    Every try counts, right or wrong; a try from another session touches no code.

    Call it outside any other transaction: the attempt count must be committed even when the
    caller then fails.
    """
    phone = validators.normalize_mobile(phone)
    code = validators.normalize_id_number(code)  # NFKC folds full-width digits; no spaces
    with transaction.atomic():
        now = timezone.now()
        row = (
            SmsCode.objects.select_for_update()
            .filter(
                phone_digest=data_digest(phone, purpose="phone"),
                purpose=purpose,
                requester=_requester_digest(requester),
                used_at__isnull=True,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if row is None or row.attempts >= MAX_ATTEMPTS:
            # Same work as a real comparison, so the answer's timing says nothing either way.
            constant_time_compare(
                _digest(phone=phone, purpose=purpose, nonce="-", code=code), "0" * 64
            )
            return False
        nonce, _sep, digest = row.code_hash.partition("$")
        matches = constant_time_compare(
            _digest(phone=phone, purpose=purpose, nonce=nonce, code=code), digest
        )
        ok = matches and bool(_CODE_SHAPE.fullmatch(code))
        row.attempts += 1
        if ok:
            row.used_at = now
        row.save(update_fields=["attempts", "used_at"])
        return ok
