from django.conf import settings
from django.core.management.base import BaseCommand

from hall.platform.backends import describe


class Command(BaseCommand):
    help = "Print which database and broker this process uses, and why."

    def handle(self, *args, **options):
        self.stdout.write(describe())
        self.stdout.write(
            f"public URL: {settings.HALL_PUBLIC_URL} (printed in notices' QR codes and SMS links; "
            "HALL_PUBLIC_URL)"
        )
