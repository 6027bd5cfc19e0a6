"""API keys: `hall_<prefix>_<secret>`, shown once when made; only a SHA-256 of the whole key is
kept (the key is 256 random bits, so a fast hash is enough: nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from hall.models import ApiClient

PREFIX_LENGTH = 10


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_issue(*, client: ApiClient) -> str:
    """Give the client a new key (the old one stops working) and return it, once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"hall_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        client.key_prefix = prefix
        client.key_hash = key_digest(key)
        client.save()
    return key


def client_for_key(key: str) -> ApiClient | None:
    """The active client this key belongs to; None for any wrong, old or malformed key (the
    digest is compared in constant time)."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "hall":
        return None
    client = (
        ApiClient.objects.select_related("department", "acting_user")
        .filter(key_prefix=parts[1], is_active=True)
        .first()
    )
    if client is None or not secrets.compare_digest(client.key_hash, key_digest(key)):
        return None
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client
