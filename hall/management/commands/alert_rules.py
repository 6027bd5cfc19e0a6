"""Print the hall's Prometheus alert rules (hall.platform.alerting) as a rule file."""

import json

from django.core.management.base import BaseCommand

from hall.platform.alerting import alert_rules


class Command(BaseCommand):
    help = "Print the hall's Prometheus alert rules (a rule file; JSON is YAML to Prometheus)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(alert_rules(), ensure_ascii=False, indent=2))
