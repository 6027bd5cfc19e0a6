"""Appeal links by an unguessable token instead of the follow-up id and the receipt number (which
20 addresses enumerated in seconds); SMS codes for the appeal."""

import secrets

from django.db import migrations, models

import hall.models.ratings


def tokens_fill(apps, schema_editor):
    RatingFollowUp = apps.get_model("hall", "RatingFollowUp")
    for follow_up in RatingFollowUp.objects.filter(link_token__isnull=True).only("pk"):
        RatingFollowUp.objects.filter(pk=follow_up.pk).update(link_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [("hall", "0013_security_log_and_sessions")]

    operations = [
        migrations.AddField(
            model_name="ratingfollowup",
            name="link_token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="申诉链接标识"
            ),
        ),
        migrations.RunPython(tokens_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ratingfollowup",
            name="link_token",
            field=models.CharField(
                default=hall.models.ratings.link_token_new,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="申诉链接标识",
            ),
        ),
        migrations.AlterField(
            model_name="smscode",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("register", "注册"),
                    ("login", "登录"),
                    ("lookup", "进度查询"),
                    ("appeal", "评价申诉"),
                ],
                max_length=10,
                verbose_name="用途",
            ),
        ),
    ]
