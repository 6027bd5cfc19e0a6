from django.core.management.base import BaseCommand

from hall.platform.backends import describe


class Command(BaseCommand):
    help = "Print which database and broker this process uses, and why."

    def handle(self, *args, **options):
        self.stdout.write(describe())
