"""Drop the LIKE twin of viewflow's task status index (issue 27).

Django gives viewflow's indexed `status` CharField a second index with varchar_pattern_ops for
LIKE queries. No query matches a task's status by pattern; the plain btree serves every equality
the LIKE index was sometimes picked for, and each of a case's fifteen tasks wrote both on insert
and on every status change. PostgreSQL only; the reverse recreates it.
"""

from django.db import migrations

NAME = "viewflow_task_status_ffb4516b_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON viewflow_task (status varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0029_bundle_lead_department"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(drop, create)]
