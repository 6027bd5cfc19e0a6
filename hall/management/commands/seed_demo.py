from django.core.management.base import BaseCommand

from hall.demo.seed import demo_seed
from hall.demo.users import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo data (roles, users, catalogue). Safe to run again."

    def handle(self, *args, **options):
        logins = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins (password {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.username}")
