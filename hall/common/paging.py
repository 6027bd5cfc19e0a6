"""Keyset paging on (a moment, a primary key): the cursor a "next page" link carries.

A page deep in a long list costs what the first costs, and a cursor is read from a URL anybody
can edit, so a malformed one means the first page, never an error.
"""

from __future__ import annotations

import datetime


def keyset_cursor(moment: datetime.datetime, pk: int) -> str:
    return f"{moment.timestamp():.6f}_{pk}"


def keyset_cursor_parse(value: str | None) -> tuple[datetime.datetime, int] | None:
    """The (moment, pk) a cursor stands for; None for no cursor or a malformed one."""
    if not value or len(value) > 40:
        return None
    stamp, _, pk = value.partition("_")
    try:
        moment = datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC)
        return moment, int(pk)
    except (ValueError, OverflowError, OSError):
        return None
