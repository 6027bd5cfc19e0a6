"""Drop viewflow's indexes the hall never searches by (issue 27).

Each costs every task or process row written (a case writes 15 tasks) and none was scanned in a
full bench and test-suite run (`pg_stat_user_indexes`): the external task id (for external task
systems the hall does not use, with its LIKE twin) and the content-type columns of the artifact,
seed and owner permission (content types are never deleted). viewflow's other indexes stay: the
process, status, flow task and token lookups its joins and locks need, `scheduled` for its timer
dispatcher and `created` for its lists. PostgreSQL only; the reverse recreates them.
"""

from django.db import migrations

INDEXES = {
    "viewflow_task_external_task_id_2f93bc2f": "viewflow_task (external_task_id)",
    "viewflow_task_external_task_id_2f93bc2f_like": (
        "viewflow_task (external_task_id varchar_pattern_ops)"
    ),
    "viewflow_task_artifact_content_type_id_50385e8d": "viewflow_task (artifact_content_type_id)",
    "viewflow_task_seed_content_type_id_bed3f17b": "viewflow_task (seed_content_type_id)",
    "viewflow_task_owner_permission_content_type_id_5fc72a99": (
        "viewflow_task (owner_permission_content_type_id)"
    ),
    "viewflow_process_artifact_content_type_id_8e40f778": (
        "viewflow_process (artifact_content_type_id)"
    ),
    "viewflow_process_seed_content_type_id_d648268f": "viewflow_process (seed_content_type_id)",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {target}')


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0020_unsearched_indexes"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(drop, create)]
