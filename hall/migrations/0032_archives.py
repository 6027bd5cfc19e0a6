"""Issue 29: archive packages and destruction lists; a licence holder's number sealed at rest."""

import django.db.models.deletion
import hall.common.personal_data
from django.conf import settings
from django.db import migrations, models


def seal_holder_numbers(apps, schema_editor):
    from hall.common.personal_data import rows_protect

    for _batch in rows_protect(
        apps.get_model("hall", "ElectronicLicence"), sealed=["holder_number"]
    ):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0031_access_log_and_chains"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="electroniclicence",
            name="holder_number",
            field=hall.common.personal_data.SealedTextField(
                max_length=30, purpose="licence.holder_number", verbose_name="持证人证件号码"
            ),
        ),
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "登录成功"),
                    ("login_failed", "登录失败"),
                    ("locked_out", "登录锁定"),
                    ("logout", "退出登录"),
                    ("session_expired", "会话超时结束"),
                    ("session_ended", "会话被管理员结束"),
                    ("otp_verified", "双因素验证通过"),
                    ("otp_failed", "双因素验证失败"),
                    ("otp_enrolled", "启用双因素认证"),
                    ("otp_recovery_used", "使用恢复码"),
                    ("otp_reset", "重置双因素认证"),
                    ("permission_denied", "越权访问被拒绝"),
                    ("personal_data_read", "查看办件个人信息"),
                    ("contact_changed", "申请人联系方式变更"),
                    ("account_disabled", "账号停用"),
                    ("audit_chain_broken", "日志完整性校验失败"),
                    ("archive_check_failed", "档案四性检测未通过"),
                    ("archive_destroyed", "档案销毁"),
                    ("legal_hold", "档案法律保全变更"),
                ],
                max_length=30,
                verbose_name="类别",
            ),
        ),
        migrations.CreateModel(
            name="ArchivePackage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "receipt_no",
                    models.CharField(max_length=20, unique=True, verbose_name="收件编号"),
                ),
                ("item_code", models.CharField(max_length=20, verbose_name="事项编码")),
                ("item_name", models.CharField(max_length=200, verbose_name="事项名称")),
                ("closed_at", models.DateTimeField(verbose_name="办结时间")),
                ("retention", models.CharField(max_length=10, verbose_name="保管期限")),
                (
                    "retention_until",
                    models.DateField(blank=True, null=True, verbose_name="保管到期日"),
                ),
                ("disposal", models.CharField(max_length=10, verbose_name="到期处置")),
                (
                    "file",
                    models.FileField(blank=True, upload_to="archives/%Y/", verbose_name="档案包"),
                ),
                ("sha256", models.CharField(max_length=64, verbose_name="档案包 SHA-256")),
                ("manifest_sha256", models.CharField(max_length=64, verbose_name="清单 SHA-256")),
                ("seal_fingerprint", models.CharField(max_length=64, verbose_name="签章证书指纹")),
                ("entries", models.PositiveIntegerField(default=0, verbose_name="文件数")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="归档时间")),
                (
                    "checked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="最近检测时间"),
                ),
                ("check_passed", models.BooleanField(default=False, verbose_name="四性检测通过")),
                (
                    "check_report",
                    models.JSONField(blank=True, default=dict, verbose_name="四性检测结果"),
                ),
                ("legal_hold", models.BooleanField(default=False, verbose_name="法律保全")),
                (
                    "legal_hold_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="保全事由"),
                ),
                (
                    "destroyed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="销毁时间"),
                ),
                (
                    "case",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="archive_package",
                        to="hall.case",
                        verbose_name="办件",
                    ),
                ),
            ],
            options={
                "verbose_name": "档案包",
                "verbose_name_plural": "档案包",
                "ordering": ["-created_at"],
                "permissions": [
                    ("approve_destruction", "审批档案销毁清单"),
                    ("hold_archive", "设置或解除法律保全"),
                ],
            },
        ),
        migrations.CreateModel(
            name="DestructionList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=30, unique=True, verbose_name="清单编号")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "待审批"),
                            ("approved", "已审批"),
                            ("executed", "已销毁"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("proposed_at", models.DateTimeField(auto_now_add=True, verbose_name="提出时间")),
                (
                    "first_approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="第一审批时间"),
                ),
                (
                    "second_approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="第二审批时间"),
                ),
                (
                    "executed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="执行时间"),
                ),
                ("record", models.JSONField(blank=True, default=dict, verbose_name="销毁记录")),
                (
                    "executed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="执行人",
                    ),
                ),
                (
                    "first_approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="第一审批人",
                    ),
                ),
                (
                    "packages",
                    models.ManyToManyField(
                        related_name="destruction_lists",
                        to="hall.archivepackage",
                        verbose_name="档案包",
                    ),
                ),
                (
                    "second_approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="第二审批人",
                    ),
                ),
            ],
            options={
                "verbose_name": "档案销毁清单",
                "verbose_name_plural": "档案销毁清单",
                "ordering": ["-proposed_at"],
            },
        ),
        migrations.AddIndex(
            model_name="archivepackage",
            index=models.Index(
                condition=models.Q(("destroyed_at__isnull", True)),
                fields=["retention_until"],
                name="archive_due",
            ),
        ),
        migrations.RunPython(seal_holder_numbers, migrations.RunPython.noop),
    ]
