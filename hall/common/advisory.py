"""A named PostgreSQL advisory lock held until the transaction ends: the one way the hall
serialises work that has no row to lock (sends to one phone, a log chain's sealer, the
destruction lists' proposer). SQLite serialises writers by itself."""

from __future__ import annotations

import hashlib

from django.db import connection


def advisory_xact_lock(name: str) -> None:
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    key -= 1 << 63  # into the signed bigint range pg_advisory_xact_lock takes
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [key])
