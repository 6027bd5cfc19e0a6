"""Backends for what sits outside the machine when a result is delivered: the courier's booking
system and the pick-up lockers' controller.

The product defaults write one JSON line per call to a file under `HALL_VAR_DIR` (a demo, a
test, or a hall that books couriers by phone reads it); a real courier or locker vendor is an
adapter named by `HALL_COURIER_BACKEND` / `HALL_LOCKER_BACKEND` with the same methods.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class CourierBackend(Protocol):
    def book(self, *, carrier: str, address: str, phone: str, reference: str) -> str:
        """Book a collection of the result; returns the waybill (tracking) number."""
        ...


class LockerBackend(Protocol):
    def open_cell(self, *, cell: str, reference: str) -> None:
        """Open one cell of the lockers (the applicant takes the result out)."""
        ...


def _append(path: Path, line: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**line, "at": timezone.now().isoformat()}, ensure_ascii=False))
        handle.write("\n")


class FileCourierBackend:
    """Records the booking and answers a waybill number of the hall's own series."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or Path(settings.HALL_VAR_DIR) / "courier.jsonl")

    def book(self, *, carrier: str, address: str, phone: str, reference: str) -> str:
        waybill = f"HALL{timezone.localdate():%y%m%d}{secrets.randbelow(10**8):08d}"
        _append(
            self.path,
            {"waybill": waybill, "carrier": carrier, "address": address, "phone": phone,
             "reference": reference},
        )  # fmt: skip
        return waybill


class FileLockerBackend:
    """Records each cell opening."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or Path(settings.HALL_VAR_DIR) / "lockers.jsonl")

    def open_cell(self, *, cell: str, reference: str) -> None:
        _append(self.path, {"open": cell, "reference": reference})


def courier() -> CourierBackend:
    return import_string(settings.HALL_COURIER_BACKEND)()


def lockers() -> LockerBackend:
    return import_string(settings.HALL_LOCKER_BACKEND)()
