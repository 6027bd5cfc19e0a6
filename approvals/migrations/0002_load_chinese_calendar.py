"""Data only: load the holiday years the pinned `chinesecalendar` package knows (Art. 82).

Uses the historical models and a copy of the loader's loop, so that this migration keeps working
however approvals.calendar changes later. Rerunning it (or `manage.py load_calendar`) changes
nothing; years after the package's last one are entered by an administrator.
"""

from importlib.metadata import version

from django.db import migrations


def load_package_years(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    CalendarYear = apps.get_model("approvals", "CalendarYear")
    CalendarDay = apps.get_model("approvals", "CalendarDay")
    source = f"chinesecalendar {version('chinesecalendar')}（国务院办公厅节假日安排通知）"

    def chinese(name):
        try:
            return Holiday(name).chinese
        except ValueError:
            return name

    days = {day: ("holiday", chinese(name)) for day, name in chinese_calendar.holidays.items()}
    days.update((day, ("workday", chinese(name))) for day, name in chinese_calendar.workdays.items())
    years = {}
    for number in sorted({day.year for day in days}):
        years[number], _created = CalendarYear.objects.get_or_create(
            year=number, defaults={"source": source}
        )
    existing = set(CalendarDay.objects.filter(date__in=days).values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(year=years[day.year], date=day, kind=kind, name=name)
            for day, (kind, name) in sorted(days.items())
            if day not in existing
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: they are harmless, and 0001's reversal drops the tables.
        migrations.RunPython(load_package_years, migrations.RunPython.noop),
    ]
