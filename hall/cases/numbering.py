"""Receipt and notice numbers: gap-free per day or year, safe under concurrent intake."""

from __future__ import annotations

import datetime

from django.db import connection

from hall.models import Counter

NOTICE_WORDS = {
    "acceptance": "受",
    "correction": "补",
    "non_acceptance": "不受",
    "referral": "转",
    "deemed_acceptance": "视受",
    "special_procedure": "特",
    "extension": "延",
    "grant": "许",
    "refusal": "不许",
    "tolerance": "容",
    "commitment": "诺",
}


_COUNTER_NEXT = (
    f"INSERT INTO {Counter._meta.db_table} (key, value) VALUES (%s, 1) "
    f"ON CONFLICT (key) DO UPDATE SET value = {Counter._meta.db_table}.value + 1 "
    "RETURNING value"
)


def counter_next(*, key: str) -> int:
    """Increment a named counter and return the new value: one statement (an upsert).

    The row stays locked by the caller's transaction until it commits, so numbers are gap-free:
    a rolled-back filing or notice gives its number back. Callers therefore take their numbers
    as late in the transaction as they can, and never render or send anything while holding one.
    """
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_NEXT, [key])
        return cursor.fetchone()[0]


def receipt_no_next(*, on: datetime.date) -> str:
    sequence = counter_next(key=f"receipt:{on:%Y%m%d}")
    return f"FT{on:%Y%m%d}{sequence:05d}"


def notice_number_next(*, kind: str, on: datetime.date) -> str:
    sequence = counter_next(key=f"notice:{kind}:{on.year}")
    return f"福田政服{NOTICE_WORDS[kind]}字〔{on.year}〕第{sequence:06d}号"


def licence_number_next(*, on: datetime.date) -> str:
    """An electronic licence's number: the hall's prefix, the year, a gap-free sequence."""
    sequence = counter_next(key=f"licence:{on.year}")
    return f"FTDZ{on.year}{sequence:07d}"


def order_number_next(*, on: datetime.date) -> str:
    """A work order's number (工单编号): gap-free per day, like a receipt's."""
    sequence = counter_next(key=f"order:{on:%Y%m%d}")
    return f"GD{on:%Y%m%d}{sequence:05d}"
