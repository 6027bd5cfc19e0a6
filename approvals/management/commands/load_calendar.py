"""Load the holiday years of the installed `chinesecalendar` package, after upgrading it."""

from django.core.management.base import BaseCommand

from approvals.clock.calendar import calendar_load_package_years


class Command(BaseCommand):
    help = "从 chinesecalendar 包载入法定节假日与调休上班日（可重复执行，已有数据不变）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="只载入指定年度，可重复；默认载入包内全部年度。",
        )

    def handle(self, *args, years=None, **options):
        written = calendar_load_package_years(years=years)
        self.stdout.write(self.style.SUCCESS(f"节假日数据已载入：新增或更新 {written} 行。"))
