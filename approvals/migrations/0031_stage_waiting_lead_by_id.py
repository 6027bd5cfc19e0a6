"""Issue 27: the lead's waiting stages indexed in the order the desk lists them (by id, which
follows the cases' acceptance), so the first few are read without the rest."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0030_viewflow_status_like_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="casestage", name="stage_waiting_lead"),
        migrations.AddIndex(
            model_name="casestage",
            index=models.Index(
                condition=models.Q(("decision", ""), ("decision_task__isnull", False)),
                fields=["lead_department", "id"],
                name="stage_waiting_lead",
            ),
        ),
    ]
