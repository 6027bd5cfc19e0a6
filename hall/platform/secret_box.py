"""One-time secrets kept only until they are sent: sealed with a key derived from SECRET_KEY.

A locker pick-up code must reach the applicant by SMS, and the outbox may send it minutes later
(a broker outage, a retry), so it has to be kept until then; a dump of the outbox or a look at
the admin must not show it. The message's stored body carries `SECRET_MASK` where the secret
goes; the secret itself is kept beside it sealed (Fernet: AES-128-CBC with HMAC-SHA256) and is
put back only in the text handed to the gateway, then dropped from the row once the message is
sent or given up.

The key is derived from SECRET_KEY (HKDF-SHA256, its own label), and the keys of
SECRET_KEY_FALLBACKS still open what they sealed, so rotating SECRET_KEY does not lose a message
in flight.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_MASK = "********"
_LABEL = b"hall.platform.secret_box v1"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def secret_seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode()


def secret_unseal(sealed: str) -> str:
    """The secret, or "" when it cannot be opened (a key no longer configured)."""
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
