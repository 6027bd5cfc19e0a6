from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hall.demo.seed import demo_seed
from hall.demo.users import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo data (roles, users, catalogue). Safe to run again. Development only."

    def handle(self, *args, **options):
        # The demo users' password is printed in the README: in production it would be an
        # administrator account anyone can sign in to.
        if not settings.DEVELOPMENT:
            raise CommandError(
                "seed_demo creates users with the README's password and runs only in development "
                "(HALL_DEVELOPMENT=1, as `make run` sets); production creates its own users."
            )
        logins = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins (password {DEMO_PASSWORD}):")
        )
        for login in logins:
            where = " (/me/login/, 手机号码)" if login.phone else ""
            self.stdout.write(f"  {login.role:<14} {login.sign_in_as}{where}")
