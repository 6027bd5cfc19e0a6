"""Limits on guessing that cost the guesser, not the person guessed at.

A limit keyed on the target alone (a phone, a receipt, a ticket) lets anyone lock its owner
out from anywhere: five wrong codes and the owner's right one is refused. So a guess is counted
twice, differently:

- per **source** (the client address, IPv6 per /64; at a kiosk, where every visitor shares one
  address, the kiosk session): `per_source` failures in `window_seconds`, then that source is
  refused (429) until the window ends. This is what an attacker pays.
- per **subject**, from every source together: after `slowdown_after` failures in the window the
  subject is not locked but slowed: one attempt per `interval_seconds`, whoever makes it. A
  guesser with many addresses gets a few attempts a minute (a 6-digit code then takes months);
  the owner waits at most `interval_seconds`.

The counters live in the shared cache (Redis in production) under digests of the subject, never
the subject itself. A cache that fails refuses (fails closed), like the lookup's limiter.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

SESSION_REQUESTER = "hall.attempts.requester"


@dataclass(frozen=True)
class AttemptRule:
    name: str
    per_source: int = 5
    window_seconds: int = 15 * 60
    slowdown_after: int = 10
    interval_seconds: int = 10


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:40]


def request_source(request: HttpRequest) -> str:
    """The client's address as a limit counts it: IPv4 as is, IPv6 per /64."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def session_requester(request: HttpRequest) -> str:
    """A random token of this browser session: the one an SMS code was asked from is the one
    that may use it (hall.accounts.sms_codes)."""
    token = request.session.get(SESSION_REQUESTER)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_REQUESTER] = token
    return token


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def attempt_allowed(*, rule: AttemptRule, source: str, subject: str) -> bool:
    """Whether this source may try this subject now. Past the subject's slow-down threshold an
    allowed attempt takes the subject's one slot of the interval."""
    if _count(_digest("src", rule.name, source)) >= rule.per_source:
        return False
    subject_key = _digest("subj", rule.name, subject)
    if _count(subject_key) >= rule.slowdown_after:
        return cache.add(_digest("gate", rule.name, subject), 1, timeout=rule.interval_seconds)
    return True


def attempt_failed(*, rule: AttemptRule, source: str, subject: str) -> None:
    for key in (_digest("src", rule.name, source), _digest("subj", rule.name, subject)):
        if cache.add(key, 1, timeout=rule.window_seconds):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=rule.window_seconds)
