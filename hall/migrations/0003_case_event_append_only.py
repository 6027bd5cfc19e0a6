"""Protect the case event log at the database level: no UPDATE, no DELETE (PostgreSQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hall_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hall_caseevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS hall_caseevent_append_only ON hall_caseevent;
CREATE TRIGGER hall_caseevent_append_only
    BEFORE UPDATE OR DELETE ON hall_caseevent
    FOR EACH ROW EXECUTE FUNCTION hall_caseevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS hall_caseevent_append_only ON hall_caseevent;
DROP FUNCTION IF EXISTS hall_caseevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("hall", "0002_front_of_house")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
