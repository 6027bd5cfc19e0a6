"""Issue 27: the outbox's dedupe key and status without their LIKE indexes.

Django gives a unique or indexed CharField a second index with varchar_pattern_ops for LIKE
queries. No query of the hall matches a message's key or status by pattern, and every message
paid for the two indexes on insert (the key's was the table's largest). The key stays unique
through a constraint (added first, so it is never unguarded) and the status keeps its btree.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0045_application_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("dedupe_key",), name="notification_dedupe_key_unique"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="dedupe_key",
            field=models.CharField(max_length=200, verbose_name="去重键"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待发送"),
                    ("sending", "发送中"),
                    ("sent", "已发送"),
                    ("failed", "发送失败"),
                ],
                default="pending",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["status"], name="notification_status"),
        ),
    ]
