"""Walk the hash chains of the case events, the security log and the access log and name the
first broken row of each (hall.platform.chains; README, "Personal data and records").

    manage.py audit_verify             every chain from its start
    manage.py audit_verify --days 1    from the last row chained before a day ago (the nightly
                                       check's span)
    manage.py audit_verify --extend    chain what is waiting first

Exit status 1 when a chain is broken.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hall.platform import chains


class Command(BaseCommand):
    help = "Verify the audit hash chains; name the first broken row of each."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="verify the last N days only")
        parser.add_argument("--extend", action="store_true", help="chain waiting rows first")

    def handle(self, *args, days: int | None, extend: bool, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        if extend:
            for name, count in chains.chains_extend().items():
                self.stdout.write(f"{name}: {count} rows chained")
        since = timezone.now() - datetime.timedelta(days=days) if days else None
        broken = []
        for name in chains.CHAINED_MODELS:
            found = chains.chain_verify(name=name, since=since)
            waiting = (
                chains.CHAINED_MODELS[name]._default_manager.filter(chain_seq__isnull=True).count()
            )
            if found is None:
                self.stdout.write(f"{name}: intact ({waiting} rows not chained yet)")
            else:
                broken.append(found)
                self.stderr.write(f"BROKEN {found}")
        if broken:
            raise CommandError(f"{len(broken)} chain(s) broken", returncode=1)
