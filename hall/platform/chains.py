"""Tamper-evident logs (issue 29; 等保 L3-CES1-25/26): the case events, the security log and the
access log are each one hash chain.

Each row, once chained, carries its place in the chain (`chain_seq`) and a MAC of the previous
row's MAC and its own content (`chain_hash`): HMAC-SHA256, or HMAC-SM3 with `HALL_DATA_HASH=sm3`,
under a key derived from the personal-data lookup key, so that someone who can write to the
database but does not hold the key cannot forge a chain after changing a row.

Rows are chained by a sweep (`audit_chains_extend`, every minute), not as they are written: a
chain built at insert time would serialise every writer of the hall on one lock (17 events per
case). The sweep takes the rows not yet chained in primary-key order under one advisory lock per
chain, so a row that commits late simply joins the chain later; the database triggers that keep
these tables append-only allow exactly one change, setting the chain columns of an unchained row.
`manage.py audit_verify` walks the chains and names the first broken row; the nightly check
(`audit_chains_check`) verifies the last day's rows and raises a security alert.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models, transaction
from django.utils import timezone

from hall.common.advisory import advisory_xact_lock
from hall.common.bulk import rows_update
from hall.common.personal_data import key_provider, keyed_mac
from hall.models import CaseEvent, DestructionList, PersonalDataAccess, SecurityEvent
from hall.platform import audit

logger = logging.getLogger(__name__)

CHAINED_MODELS: dict[str, type[models.Model]] = {
    "case_events": CaseEvent,
    "security_log": SecurityEvent,
    "access_log": PersonalDataAccess,
}
CHAIN_FIELDS = ("chain_seq", "chain_hash")
GENESIS = "0" * 64
BATCH = 5000


def _chain_key() -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hall.platform.chains"
    ).derive(key_provider().lookup_key())


def _canonical(row: models.Model) -> bytes:
    """The row's content as the chain signs it: every concrete column but the chain's own, in
    field order, times in UTC with microseconds, JSON with sorted keys."""
    content: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.name in CHAIN_FIELDS:
            continue
        value = getattr(row, field.attname)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        content[field.attname] = value
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_mac(previous: str, row: models.Model, *, key: bytes) -> str:
    message = previous.encode() + b"|" + str(row.chain_seq).encode() + b"|" + _canonical(row)
    return keyed_mac(key, message)


def chain_extend(*, name: str, batch: int = BATCH) -> int:
    """Chain up to `batch` rows of chain `name` not chained yet; returns how many."""
    model = CHAINED_MODELS[name]
    key = _chain_key()
    with transaction.atomic():
        advisory_xact_lock(f"hall.chains:{name}")  # one sealer per chain at a time
        last = (
            model._default_manager.filter(chain_seq__isnull=False)
            .order_by("-chain_seq")
            .values_list("chain_seq", "chain_hash")
            .first()
        )
        seq, previous = last if last is not None else (0, GENESIS)
        rows = list(model._default_manager.filter(chain_seq__isnull=True).order_by("pk")[:batch])
        for row in rows:
            seq += 1
            row.chain_seq = seq
            row.chain_hash = previous = chain_mac(previous, row, key=key)
        rows_update(rows, list(CHAIN_FIELDS))
    return len(rows)


def chains_extend() -> dict[str, int]:
    """Chain what is waiting in every chain (the minute sweep)."""
    done = {}
    for name in CHAINED_MODELS:
        total = 0
        while (count := chain_extend(name=name)) > 0:
            total += count
            if count < BATCH:
                break
        done[name] = total
    return done


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    table: str
    pk: int
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} row id={self.pk} (chain position {self.seq})"
        return f"{self.chain}: {where}: {self.problem}"


def removed_positions(name: str) -> dict[int, str]:
    """Chain positions and MACs of the rows executed destruction lists removed (only case
    events are ever destroyed), so that the walk bridges their gaps (hall.cases.destruction)."""
    if name != "case_events":
        return {}
    positions: dict[int, str] = {}
    records = DestructionList.objects.filter(status=DestructionList.Status.EXECUTED).values_list(
        "record", flat=True
    )
    for record in records:
        for entry in record.get("packages", []):
            for seq, digest in entry.get("event_chain", {}).items():
                positions[int(seq)] = digest
    return positions


def _rows_from(model: type[models.Model], after_seq: int) -> Iterator[models.Model]:
    return (
        model._default_manager.filter(chain_seq__gt=after_seq)
        .order_by("chain_seq")
        .iterator(chunk_size=2000)
    )


def chain_verify(*, name: str, since: datetime.datetime | None = None) -> ChainBreak | None:
    """Walk chain `name` (from the last row chained before `since`, or from its first row) and
    return its first broken row: content changed, a row removed from the middle, or a position
    out of order. None when the chain holds.

    The oldest rows of the security log leave by retention (six months and more): the walk then
    starts at the oldest row still there and takes its MAC as given."""
    model = CHAINED_MODELS[name]
    key = _chain_key()
    table = model._meta.db_table
    anchor = None
    if since is not None:
        anchor = (
            model._default_manager.filter(chain_seq__isnull=False, at__lt=since)
            .order_by("-chain_seq")
            .values_list("chain_seq", "chain_hash")
            .first()
        )
    expected_seq, previous = anchor if anchor is not None else (0, GENESIS)
    removed = removed_positions(name)
    verified = anchor is not None
    for row in _rows_from(model, expected_seq):
        # rows a destruction list removed: the record kept their MACs, the chain goes on
        while expected_seq + 1 in removed and row.chain_seq > expected_seq + 1:
            expected_seq += 1
            previous = removed[expected_seq]
        if row.chain_seq != expected_seq + 1:
            if not verified and expected_seq == 0:
                # the oldest rows left by retention: the oldest one there is taken as given
                expected_seq, previous, verified = row.chain_seq, row.chain_hash, True
                continue
            return ChainBreak(
                name, table, row.pk, row.chain_seq, f"rows {expected_seq + 1}… are missing"
            )
        if chain_mac(previous, row, key=key) != row.chain_hash:
            return ChainBreak(name, table, row.pk, row.chain_seq, "content does not match")
        expected_seq, previous, verified = row.chain_seq, row.chain_hash, True
    return None


def chains_check(*, since: datetime.datetime | None = None) -> list[ChainBreak]:
    """Verify every chain (the nightly check: `since` a day ago); each break is logged and
    recorded as a security alert in the security log."""
    breaks = [found for name in CHAINED_MODELS if (found := chain_verify(name=name, since=since))]
    for found in breaks:
        logger.critical("audit chain broken: %s", found)
        audit.security_event_record(
            kind=SecurityEvent.Kind.AUDIT_CHAIN_BROKEN,
            details={
                "chain": found.chain,
                "table": found.table,
                "row": found.pk,
                "position": found.seq,
                "problem": found.problem,
                "checked_at": timezone.now().isoformat(),
            },
        )
    return breaks
