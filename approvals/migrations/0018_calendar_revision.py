"""The calendar's revision: one row, renumbered from a sequence by statement triggers on the
calendar's two tables (PostgreSQL), so a process can tell with one small read whether the
calendar it holds is still the one in the database (approvals.clock.calendar)."""

from django.db import migrations, models

CREATE = """
CREATE SEQUENCE IF NOT EXISTS approvals_calendar_revision_seq;
CREATE OR REPLACE FUNCTION approvals_calendar_renumber() RETURNS trigger AS $$
BEGIN
    UPDATE approvals_calendarrevision SET revision = nextval('approvals_calendar_revision_seq');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS approvals_calendaryear_renumber ON approvals_calendaryear;
CREATE TRIGGER approvals_calendaryear_renumber
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON approvals_calendaryear
    FOR EACH STATEMENT EXECUTE FUNCTION approvals_calendar_renumber();
DROP TRIGGER IF EXISTS approvals_calendarday_renumber ON approvals_calendarday;
CREATE TRIGGER approvals_calendarday_renumber
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON approvals_calendarday
    FOR EACH STATEMENT EXECUTE FUNCTION approvals_calendar_renumber();
INSERT INTO approvals_calendarrevision (revision) VALUES (nextval('approvals_calendar_revision_seq'));
"""

DROP = """
DROP TRIGGER IF EXISTS approvals_calendaryear_renumber ON approvals_calendaryear;
DROP TRIGGER IF EXISTS approvals_calendarday_renumber ON approvals_calendarday;
DROP FUNCTION IF EXISTS approvals_calendar_renumber();
DROP SEQUENCE IF EXISTS approvals_calendar_revision_seq;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0017_decision_revocation'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('revision', models.BigIntegerField(default=0, verbose_name='版本')),
            ],
            options={
                'verbose_name': '日历版本',
                'verbose_name_plural': '日历版本',
                'default_permissions': (),
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
