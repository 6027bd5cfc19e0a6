"""Issue 29: ID numbers, phones and addresses sealed at rest, looked up by keyed digests.

The columns become text (a sealed value is longer than the number it holds); the ID number's
uniqueness moves to its digest; the SMS codes keep the phone's digest instead of the phone; an
online account's username (its phone number) becomes the phone's digest. Existing rows are sealed
in batches here; `manage.py personal_data_protect` does the same later (a key rotation, or rows
written by an older release) and can be stopped and run again.
"""

import re

from django.db import migrations, models

import hall.common.personal_data

MOBILE = re.compile(r"1[3-9][0-9]{9}")


def seal_existing(apps, schema_editor):
    from hall.common.personal_data import data_digest, phone_account_username, rows_protect

    Applicant = apps.get_model("hall", "Applicant")
    for _batch in rows_protect(
        Applicant,
        sealed=["id_number", "phone"],
        digests={"id_number_digest": "id_number", "phone_digest": "phone"},
    ):
        pass
    for model, field in (("Case", "delivery_address"), ("Notification", "recipient_address")):
        for _batch in rows_protect(apps.get_model("hall", model), sealed=[field]):
            pass
    SmsCode = apps.get_model("hall", "SmsCode")
    for row in SmsCode.objects.filter(phone_digest="").only("pk", "phone").iterator():
        SmsCode.objects.filter(pk=row.pk).update(
            phone_digest=data_digest(row.phone, purpose="phone")
        )
    User = apps.get_model("auth", "User")
    for user in User.objects.filter(groups__name="applicant").only("pk", "username").iterator():
        if MOBILE.fullmatch(user.username):
            User.objects.filter(pk=user.pk).update(username=phone_account_username(user.username))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("hall", "0029_unsearched_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="applicant",
            name="id_number",
            field=hall.common.personal_data.SealedTextField(
                blank=True,
                max_length=18,
                null=True,
                purpose="applicant.id_number",
                verbose_name="居民身份证号码",
            ),
        ),
        migrations.AddField(
            model_name="applicant",
            name="id_number_digest",
            field=hall.common.personal_data.DigestField(
                null=True,
                purpose="id_number",
                source="id_number",
                unique=True,
                verbose_name="身份证号码查找摘要",
            ),
        ),
        migrations.AlterField(
            model_name="applicant",
            name="phone",
            field=hall.common.personal_data.SealedTextField(
                max_length=11, purpose="applicant.phone", verbose_name="手机号码"
            ),
        ),
        migrations.AddField(
            model_name="applicant",
            name="phone_digest",
            field=hall.common.personal_data.DigestField(
                db_index=True,
                default="",
                purpose="phone",
                source="phone",
                verbose_name="手机号码查找摘要",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="delivery_address",
            field=hall.common.personal_data.SealedTextField(
                blank=True,
                default="",
                max_length=200,
                purpose="case.delivery_address",
                verbose_name="寄递地址",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient_address",
            field=hall.common.personal_data.SealedTextField(
                blank=True,
                max_length=200,
                purpose="notification.recipient_address",
                verbose_name="接收地址",
            ),
        ),
        migrations.AddField(
            model_name="smscode",
            name="phone_digest",
            field=models.CharField(
                db_index=True, default="", max_length=64, verbose_name="手机号码摘要"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="smscode", name="phone"),
    ]
