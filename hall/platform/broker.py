"""Publishing to the broker without making a person wait for a broker that is down.

Every task the hall enqueues after a commit has a periodic sweep behind it (the outbox drain,
the notice render sweep), so a task that cannot be published loses nothing. What must not happen
is a clerk's acceptance waiting for Celery's connection retries to the dead broker, several
seconds for each of its tasks (19 s for one acceptance in the outage drill). So the first failed
publish opens this breaker: for `HALL_BROKER_BACKOFF_SECONDS` every later publish in this
process is skipped at once and left to the sweeps; then one publish tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_down_until = 0.0


def broker_publish(send: Callable[[], object], *, what: str) -> bool:
    """Call `send` (a task's `.delay(...)`) unless the broker failed moments ago. True if it was
    published; False if it was left for the sweeps (logged once per failure)."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    try:
        send()
    except Exception as error:  # the broker is down or unreachable
        with _lock:
            _down_until = time.monotonic() + settings.HALL_BROKER_BACKOFF_SECONDS
        logger.warning(
            "broker unavailable (%s: %s); %s left for the periodic sweep; publishing paused "
            "for %ss",
            type(error).__name__,
            error,
            what,
            settings.HALL_BROKER_BACKOFF_SECONDS,
        )
        return False
    return True


def broker_breaker_open(*, seconds: float) -> None:
    """Stop publishing for `seconds`, as a failed publish does (the sweeps deliver instead)."""
    global _down_until
    with _lock:
        _down_until = time.monotonic() + seconds


def broker_breaker_reset() -> None:
    """Close the breaker (tests, and a process that knows the broker is back)."""
    global _down_until
    _down_until = 0.0
