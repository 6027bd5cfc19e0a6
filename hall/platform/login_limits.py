"""django-axes with one more limit: failures from one address summed over every account.

Axes locks an (account, address) pair after `AXES_FAILURE_LIMIT` failures, so an attacker
cannot lock a person out from elsewhere. That alone lets one address try five passwords on each
of many accounts (credential stuffing); this handler also refuses sign-in from an address whose
failures within the cool-off reach `HALL_LOGIN_ADDRESS_FAILURE_LIMIT` (50 by default), counted
over all accounts. The limit is high because a hall's kiosks and a company's NAT put many honest
people behind one address; the accounts' own limit still stops guessing of one password.

And one account's failures summed over every address: a guesser with many addresses (8 made 32
guesses on one account) is slowed, never locked out of nothing, and neither is the owner. Past
`HALL_LOGIN_ACCOUNT_SLOWDOWN_AFTER` failures on an account within the cool-off (10), the
account takes one sign-in attempt per `HALL_LOGIN_ACCOUNT_INTERVAL_SECONDS` (10), from whoever
makes it; the others get the lockout page for that moment. The owner waits seconds, a guesser
gets six tries a minute.
"""

from __future__ import annotations

import hashlib

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone


def _failures_within_cooloff(**match) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **match).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def address_failures(ip_address: str) -> int:
    return _failures_within_cooloff(ip_address=ip_address)


def account_failures(username: str) -> int:
    return _failures_within_cooloff(username=username)


def _account_slot_taken(request, username: str) -> bool:
    """Whether this request may not try the account now: past the account's threshold, one
    request per interval gets the slot. Decided once per request (axes asks before the sign-in
    and again after a failure)."""
    decided = getattr(request, "hall_account_slot", None)
    if decided is None:
        if account_failures(username) < settings.HALL_LOGIN_ACCOUNT_SLOWDOWN_AFTER:
            decided = True
        else:
            key = "hall.login.slot:" + hashlib.sha256(username.encode()).hexdigest()[:40]
            decided = cache.add(key, 1, timeout=settings.HALL_LOGIN_ACCOUNT_INTERVAL_SECONDS)
        request.hall_account_slot = decided
    return not decided


class AddressAwareHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the failure limit itself once the address is over its own:
        axes compares this with the limit both before a sign-in and after a failure, so both
        refuse the address and answer with the lockout page."""
        failures = super().get_failures(request, credentials)
        ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        if ip_address and address_failures(ip_address) >= settings.HALL_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        username = get_client_username(request, credentials)
        if username and _account_slot_taken(request, username):
            return max(failures, get_failure_limit(request, credentials))
        return failures
