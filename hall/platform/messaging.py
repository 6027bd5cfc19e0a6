"""Delivery backends for the outbox: SMS through a pluggable backend, email through Django.

The product default writes SMS to the console or a file; a real gateway is an adapter selected by
`HALL_SMS_BACKEND`. Email uses Django's `EMAIL_BACKEND` (console by default, SMTP by setting).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from hall.common.personal_data import masked_phone
from hall.platform.secret_box import SECRET_MASK

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    """`idempotency_key` is the outbox row's: the same message sent again (after a crash between
    the gateway's answer and its record) carries the same key, for a gateway that dedupes.
    `secret` names the one-time code inside `text` (a sign-in or pick-up code), which a backend
    that writes logs must not write."""

    def send(
        self, *, phone: str, text: str, message_id: str, idempotency_key: str = "", secret: str = ""
    ) -> None: ...


CODE_MESSAGE_PREFIX = "sms-code:"  # message ids of verification codes (hall.accounts.sms_codes)
_DIGIT_RUN = re.compile(r"\d{4,8}")


class ConsoleSmsBackend:
    """Logs each message instead of sending it (development). A one-time code in it (`secret`,
    and any 4-8 digit run of a verification-code message) is logged masked: logs are collected
    and kept, and a pick-up code read from a log once opened a locker cell. To read the codes in
    development, use the file backend (`HALL_SMS_BACKEND=hall.platform.messaging.FileSmsBackend`,
    which `make run` does not select for production)."""

    def send(
        self, *, phone: str, text: str, message_id: str, idempotency_key: str = "", secret: str = ""
    ) -> None:
        shown = text.replace(secret, SECRET_MASK) if secret else text
        if message_id.startswith(CODE_MESSAGE_PREFIX):
            shown = _DIGIT_RUN.sub(SECRET_MASK, shown)
        logger.info("SMS %s to %s: %s", message_id, masked_phone(phone), shown)


class FileSmsBackend:
    """Appends one JSON line per message; for development, demos and tests."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.HALL_SMS_FILE)

    def send(
        self, *, phone: str, text: str, message_id: str, idempotency_key: str = "", secret: str = ""
    ) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "id": message_id,
            "idempotency_key": idempotency_key,
            "phone": phone,
            "text": text,
            "at": timezone.now().isoformat(),
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


class HttpSmsGatewayBackend:
    """Adapter for an HTTP SMS gateway that takes JSON. It sends the outbox id as the
    `Idempotency-Key` header (and `id` in the body), so a gateway that dedupes on it delivers a
    message once even when the hall sends it again after losing the gateway's answer."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url or settings.HALL_SMS_GATEWAY_URL
        self.token = token or settings.HALL_SMS_GATEWAY_TOKEN

    def send(
        self, *, phone: str, text: str, message_id: str, idempotency_key: str = "", secret: str = ""
    ) -> None:
        key = idempotency_key or message_id
        payload = json.dumps({"phone": phone, "text": text, "id": key}).encode()
        request = urllib.request.Request(
            self.url,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status >= 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


# Deployments configured before the backends moved into hall.platform name the old module.
_FORMER_MODULE = "hall.messaging."


def sms_backend() -> SmsBackend:
    path = settings.HALL_SMS_BACKEND
    if path.startswith(_FORMER_MODULE):
        path = f"{__name__}.{path.removeprefix(_FORMER_MODULE)}"
    return import_string(path)()


def email_send(*, address: str, subject: str, body: str, idempotency_key: str = "") -> None:
    """Send one email. With `idempotency_key` its Message-ID is fixed, so a copy sent again is
    recognisably the same message to the receiving mail system."""
    headers = {}
    if idempotency_key:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        headers["Message-ID"] = f"<{idempotency_key}@{domain}>"
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], headers=headers).send(
        fail_silently=False
    )
