"""Receipt and notice numbers: gap-free per day or year, safe under concurrent intake."""

from __future__ import annotations

import datetime

from django.db import transaction

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
}


def counter_next(*, key: str) -> int:
    """Increment a named counter under a row lock and return the new value."""
    with transaction.atomic():
        Counter.objects.bulk_create([Counter(key=key, value=0)], ignore_conflicts=True)
        counter = Counter.objects.select_for_update().get(key=key)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


def receipt_no_next(*, on: datetime.date) -> str:
    sequence = counter_next(key=f"receipt:{on:%Y%m%d}")
    return f"FT{on:%Y%m%d}{sequence:05d}"


def notice_number_next(*, kind: str, on: datetime.date) -> str:
    sequence = counter_next(key=f"notice:{kind}:{on.year}")
    return f"福田政服{NOTICE_WORDS[kind]}字〔{on.year}〕第{sequence:06d}号"
