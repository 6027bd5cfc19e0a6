"""Second factor for staff (等保 2.0 level 3 "两种或两种以上组合的鉴别技术"; ASVS V2.7/V2.8):
a time-based one-time password (TOTP, RFC 6238) from an authenticator app, with ten single-use
recovery codes for a lost phone; django-otp keeps the devices and throttles wrong codes.

Supervisors and administrators must use it (`HALL_2FA_REQUIRED_ROLES`, add `clerk`, `officer`
to require it of them too); any other member of staff may turn it on, and once on it is asked at
every sign-in. Applicants sign in with their phone's SMS code and are not concerned.
"""

from __future__ import annotations

import base64
import io

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hall.models import SecurityEvent
from hall.platform import audit
from hall.roles import APPLICANT, roles_of

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
Kind = SecurityEvent.Kind


def is_staff_member(user: User) -> bool:
    return user.is_staff or user.is_superuser or any(r is not APPLICANT for r in roles_of(user))


def second_factor_required(user: User) -> bool:
    required = set(settings.HALL_2FA_REQUIRED_ROLES)
    if "administrator" in required and (user.is_superuser or user.is_staff):
        return True
    return any(role.slug in required for role in roles_of(user))


def second_factor_enrolled(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up (unconfirmed until a first code proves the app has it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=TOTP_NAME)
    return device


def totp_setup_qr(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (no external image service)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def totp_secret_for_typing(device: TOTPDevice) -> str:
    """The key in Base32, in groups of four, for an app that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _recovery_codes_issue(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_enroll(*, request: HttpRequest, user: User, token: str) -> list[str] | None:
    """Confirm the pending authenticator with its first code. Returns the new recovery codes
    (shown once), or None if the code was wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False, name=TOTP_NAME)
            .first()
        )
        if device is None or not device.verify_token(token.strip().replace(" ", "")):
            audit.security_event_record(
                kind=Kind.OTP_FAILED, request=request, details={"stage": "enrol"}
            )
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_issue(user)
        audit.security_event_record(kind=Kind.OTP_ENROLLED, request=request)
    otp_login(request, device)
    return codes


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code from the authenticator, or a recovery code (used up by this)."""
    token = token.strip().replace(" ", "").lower()
    for device, kind in (
        (TOTPDevice.objects.filter(user=user, confirmed=True).first(), Kind.OTP_VERIFIED),
        (StaticDevice.objects.filter(user=user, confirmed=True).first(), Kind.OTP_RECOVERY_USED),
    ):
        if device is None:
            continue
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if device.verify_is_allowed()[0] and device.verify_token(token):
                audit.security_event_record(kind=kind, request=request)
                verified = device
                break
    else:
        audit.security_event_record(kind=Kind.OTP_FAILED, request=request)
        return False
    otp_login(request, verified)
    return True


def recovery_codes_renew(*, request: HttpRequest, user: User) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_issue(user)
        audit.security_event_record(
            kind=Kind.OTP_ENROLLED, request=request, details={"recovery_codes": "renewed"}
        )
    return codes


def second_factor_reset(*, user: User, request: HttpRequest | None = None) -> None:
    """An administrator's reset for a lost phone and lost codes: the person sets up again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.security_event_record(
            kind=Kind.OTP_RESET,
            request=request,
            details={"user_id": user.pk, "username": user.get_username()},
        )
