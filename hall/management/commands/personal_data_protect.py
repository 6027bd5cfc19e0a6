"""Seal personal data at rest under the current key: after a key rotation, or for rows written in
clear by an older release (README, "Personal data and records").

    manage.py personal_data_protect --status      how many values are under which key
    manage.py personal_data_protect               seal what is clear or under an old key
    manage.py personal_data_protect --new-key     (development key file) add a key, then seal
    manage.py personal_data_protect --files       also the private files on disk (scans,
                                                  uploads, notices, licences, archive packages)

Every sealed column of every model is found by its field class, so a new one is covered without
a list to keep. The work goes in batches by primary key, each its own transaction; stopping it
anywhere loses nothing, and running it again goes on with what is left. Only when `--status`
shows no value under an old key may that key leave HALL_DATA_KEYS.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models

from hall.common.personal_data import (
    DigestField,
    LocalKeyFileProvider,
    SealedFileSystemStorage,
    SealedTextField,
    providers_forget,
    rows_protect,
    stored_key_counts,
)


def sealed_models() -> list[tuple[type, list[str], dict[str, str]]]:
    """Each model with sealed columns: (model, sealed field names, {digest: source})."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        sealed = [field.name for field in fields if isinstance(field, SealedTextField)]
        digests = {field.name: field.source for field in fields if isinstance(field, DigestField)}
        if sealed or digests:
            found.append((model, sealed, digests))
    return found


class Command(BaseCommand):
    help = "Seal personal data under the current key (resumable); --status to count by key."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="count values by key only")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="development: put a new key in front of the key file first (a rotation)",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--files", action="store_true", help="also seal private files written in clear"
        )

    def handle(self, *args, status: bool, new_key: bool, batch_size: int, files: bool, **options):
        if new_key:
            if settings.HALL_DATA_KEYS or settings.HALL_DATA_KEY_PROVIDER:
                raise CommandError(
                    "--new-key changes the development key file only; in production put the new "
                    "key first in HALL_DATA_KEYS (keep the old ones) and run this command"
                )
            key_id = LocalKeyFileProvider.key_add(Path(settings.HALL_DATA_KEY_FILE))
            providers_forget()
            self.stdout.write(f"new key {key_id} seals from now on")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        for model, sealed, digests in sealed_models():
            label = model._meta.label
            if not status:
                changed = 0
                for rows, _last_pk in rows_protect(
                    model, sealed=sealed, digests=digests, batch_size=batch_size
                ):
                    changed += rows
                self.stdout.write(f"{label}: {changed} rows sealed")
            for field in sealed:
                counts = stored_key_counts(model, field)
                shown = ", ".join(f"{key} {count}" for key, count in sorted(counts.items()))
                self.stdout.write(f"  {label}.{field}: {shown or 'empty'}")
        if files and not status:
            self.stdout.write(f"private files: {files_seal()} sealed")


def files_seal() -> int:
    """Seal every private file still clear or under an old key; a missing file is skipped."""
    sealed = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            storage = field.storage
            if not isinstance(storage, SealedFileSystemStorage):
                continue
            names = model._default_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
            for name in names.iterator(chunk_size=1000):
                if name and storage.exists(name) and storage.seal_in_place(name):
                    sealed += 1
    return sealed
