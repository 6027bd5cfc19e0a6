"""How the hall writes a limit's end for people: a limit that ends at midnight ends at 24:00 of
its last day (Civil Code Art. 203), not at 00:00 of the next, which reads as a day too late."""

from __future__ import annotations

import datetime

from django.utils import timezone


def limit_end_shown(moment: datetime.datetime | None) -> str:
    """`2026-03-30 24:00` for 00:00 on the 31st; `2026-03-11 10:20` for any other moment."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.time() == datetime.time(0):
        return f"{local.date() - datetime.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
